// Parsing, converting and matching script values (see values.hpp).
#include "spec/values.hpp"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lunatic::spec {
namespace {

using wasm::ValType;

Error bad(std::string message) { return Error(Phase::Usage, std::move(message)); }

std::optional<ValType> type_from_name(std::string_view name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "v128") return ValType::V128;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  return std::nullopt;
}

/// A whole-string unsigned decimal no larger than `max`.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > max) {
    return std::nullopt;
  }
  return v;
}

bool is_32_bit(ValType t) { return t == ValType::I32 || t == ValType::F32; }

// Spec 4.3.3: a canonical NaN has only the top bit of the payload set; an arithmetic NaN has
// it set and anything else in the rest of the payload. Either may carry any sign.
bool is_canonical_nan(ValType t, uint64_t bits) {
  if (t == ValType::F32) return (bits & 0x7fffffffu) == 0x7fc00000u;
  return (bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
bool is_arithmetic_nan(ValType t, uint64_t bits) {
  if (t == ValType::F32) return (bits & 0x7fc00000u) == 0x7fc00000u;
  return (bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

}  // namespace

Result<ScriptValue> parse_value(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("type") || !json["type"].is_string()) {
    return bad("value without a type");
  }
  const std::string& type_name = json["type"].get_ref<const std::string&>();
  std::optional<ValType> type = type_from_name(type_name);
  if (!type) return bad("unknown value type '" + type_name + "'");

  ScriptValue out;
  out.type = *type;
  if (*type == ValType::V128) {
    out.kind = ValueKind::Unsupported;
    return out;
  }
  bool has_value = json.contains("value") && json["value"].is_string();
  if (!has_value) {
    // wast2json writes (ref.func) expectations without a value: any non-null funcref.
    if (*type == ValType::FuncRef) {
      out.kind = ValueKind::RefNonNull;
      return out;
    }
    return bad(type_name + " value without a value");
  }
  const std::string& text = json["value"].get_ref<const std::string&>();

  if (wasm::is_reference(*type)) {
    if (text == "null") return out;  // bits 0 is the null reference
    if (*type == ValType::FuncRef) {
      out.kind = ValueKind::RefNonNull;
      return out;
    }
    // externref N is the embedder value N + 1, so that ref.extern 0 is not null.
    std::optional<uint64_t> n = parse_decimal(text, UINT64_MAX - 1);
    if (!n) return bad("bad externref value '" + text + "'");
    out.bits = *n + 1;
    return out;
  }

  bool is_float = *type == ValType::F32 || *type == ValType::F64;
  if (is_float && text == "nan:canonical") {
    out.kind = ValueKind::NanCanonical;
    return out;
  }
  if (is_float && text == "nan:arithmetic") {
    out.kind = ValueKind::NanArithmetic;
    return out;
  }
  std::optional<uint64_t> bits = parse_decimal(text, is_32_bit(*type) ? UINT32_MAX : UINT64_MAX);
  if (!bits) return bad("bad " + type_name + " value '" + text + "'");
  out.bits = *bits;
  return out;
}

Result<engine::Value> to_argument(const ScriptValue& value) {
  switch (value.kind) {
    case ValueKind::Exact: return engine::Value{value.type, value.bits};
    case ValueKind::NanCanonical:
    case ValueKind::NanArithmetic: return bad("a NaN pattern cannot be an argument");
    case ValueKind::RefNonNull: return bad("a non-null funcref cannot be an argument");
    case ValueKind::Unsupported: break;
  }
  return bad(std::string(wasm::val_type_name(value.type)) + " arguments are not supported");
}

bool matches(const ScriptValue& expected, const engine::Value& actual) {
  if (expected.type != actual.type) return false;
  // Results are slots: compare only the bits the type defines.
  uint64_t bits = is_32_bit(actual.type) ? (actual.bits & 0xffffffffu) : actual.bits;
  switch (expected.kind) {
    case ValueKind::Exact: return bits == expected.bits;
    case ValueKind::NanCanonical: return is_canonical_nan(actual.type, bits);
    case ValueKind::NanArithmetic: return is_arithmetic_nan(actual.type, bits);
    case ValueKind::RefNonNull: return bits != 0;
    case ValueKind::Unsupported: return false;
  }
  return false;
}

std::string describe(const ScriptValue& value) {
  std::string out = wasm::val_type_name(value.type);
  out += ':';
  switch (value.kind) {
    case ValueKind::NanCanonical: return out + "nan:canonical";
    case ValueKind::NanArithmetic: return out + "nan:arithmetic";
    case ValueKind::RefNonNull: return out + "non-null";
    case ValueKind::Unsupported: return out + "(unsupported)";
    case ValueKind::Exact: break;
  }
  if (wasm::is_reference(value.type)) {
    if (value.bits == 0) return out + "null";
    return out + std::to_string(value.bits - 1);
  }
  return out + describe(engine::Value{value.type, value.bits}).substr(out.size());
}

std::string describe(const engine::Value& value) {
  std::string out = wasm::val_type_name(value.type);
  out += ':';
  char buf[64];
  switch (value.type) {
    case ValType::I32:
      std::snprintf(buf, sizeof buf, "%" PRId32 " (0x%" PRIx32 ")", value.as_i32(),
                    static_cast<uint32_t>(value.bits));
      break;
    case ValType::I64:
      std::snprintf(buf, sizeof buf, "%" PRId64 " (0x%" PRIx64 ")", value.as_i64(), value.bits);
      break;
    case ValType::F32:
      std::snprintf(buf, sizeof buf, "%.9g (0x%08" PRIx32 ")", double{value.as_f32()},
                    static_cast<uint32_t>(value.bits));
      break;
    case ValType::F64:
      std::snprintf(buf, sizeof buf, "%.17g (0x%016" PRIx64 ")", value.as_f64(), value.bits);
      break;
    case ValType::FuncRef: return out + (value.bits == 0 ? "null" : "non-null");
    case ValType::ExternRef:
      if (value.bits == 0) return out + "null";
      return out + std::to_string(value.bits - 1);
    case ValType::V128: return out + "?";
  }
  return out + buf;
}

}  // namespace lunatic::spec
