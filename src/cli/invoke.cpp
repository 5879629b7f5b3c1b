// --invoke: command-line arguments to Wasm values by parameter type, and results back to text.
#include "cli/invoke.hpp"

#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace lunatic::cli {
namespace {

Error usage(const std::string& message) { return Error(Phase::Usage, message); }

/// `text` as an integer of `bits` bits (decimal, or 0x hex; a leading '-' or '+' sign),
/// accepted in the range of either signedness; nullopt if it does not parse or fit.
std::optional<uint64_t> parse_integer(const std::string& text, unsigned bits) {
  const bool negative = !text.empty() && text[0] == '-';
  std::string_view digits(text);
  if (negative || (!text.empty() && text[0] == '+')) digits.remove_prefix(1);
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
    base = 16;
  }
  uint64_t magnitude = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  const uint64_t max_unsigned = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const uint64_t max_negative = uint64_t{1} << (bits - 1);  // |INT_MIN|
  if (negative ? magnitude > max_negative : magnitude > max_unsigned) return std::nullopt;
  const uint64_t value = negative ? ~magnitude + 1 : magnitude;
  return bits == 64 ? value : value & max_unsigned;
}

/// `text` as a double (strtod's syntax, the whole string); nullopt if it does not parse.
std::optional<double> parse_float(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;  // out of range: ±inf or 0, as a float literal would round
}

template <class Float> std::string shortest(Float value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

}  // namespace

Result<std::vector<engine::Value>> invoke_arguments(const wasm::Module& module,
                                                    const std::string& name,
                                                    std::span<const std::string> args) {
  const wasm::Export* found = module.find_export(name);
  if (found == nullptr || found->kind != wasm::ExternKind::Func) {
    return usage("--invoke " + name + ": the module exports no function named '" + name + "'");
  }
  const wasm::FuncType& type = module.function_type(found->index);
  if (args.size() != type.params.size()) {
    return usage("--invoke " + name + ": the function takes " + std::to_string(type.params.size()) +
                 " argument(s) " + type.to_string() + ", " + std::to_string(args.size()) +
                 " given");
  }
  std::vector<engine::Value> values;
  for (size_t i = 0; i < args.size(); ++i) {
    const wasm::ValType t = type.params[i];
    const std::string& text = args[i];
    const std::string where =
        "--invoke " + name + ": argument " + std::to_string(i + 1) + " '" + text + "'";
    if (t == wasm::ValType::I32 || t == wasm::ValType::I64) {
      const unsigned bits = t == wasm::ValType::I32 ? 32 : 64;
      std::optional<uint64_t> v = parse_integer(text, bits);
      if (!v) return usage(where + " is not an i" + std::to_string(bits));
      values.push_back(t == wasm::ValType::I32
                           ? engine::Value::i32(static_cast<int32_t>(static_cast<uint32_t>(*v)))
                           : engine::Value::i64(static_cast<int64_t>(*v)));
    } else if (t == wasm::ValType::F32 || t == wasm::ValType::F64) {
      std::optional<double> v = parse_float(text);
      if (!v) return usage(where + " is not a number");
      values.push_back(t == wasm::ValType::F32 ? engine::Value::f32(static_cast<float>(*v))
                                               : engine::Value::f64(*v));
    } else {
      return usage(where + ": a parameter of type " + std::string(wasm::val_type_name(t)) +
                   " cannot be given on the command line");
    }
  }
  return values;
}

std::string format_result(const engine::Value& value) {
  switch (value.type) {
    case wasm::ValType::I32: return std::to_string(value.as_i32());
    case wasm::ValType::I64: return std::to_string(value.as_i64());
    case wasm::ValType::F32: return shortest(value.as_f32());
    case wasm::ValType::F64: return shortest(value.as_f64());
    case wasm::ValType::V128: {
      char text[40];
      std::snprintf(text, sizeof text, "0x%016" PRIx64 "%016" PRIx64, value.hi, value.bits);
      return text;
    }
    default: return value.is_null() ? "null" : "ref";
  }
}

void print_results(std::span<const engine::Value> results, std::FILE* out) {
  for (const engine::Value& v : results) std::fprintf(out, "%s\n", format_result(v).c_str());
  std::fflush(out);
}

}  // namespace lunatic::cli
