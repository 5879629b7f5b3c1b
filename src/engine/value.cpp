// Printing typed values ("i32:42", "f64:1.5", "funcref:null") for diagnostics and test output.
#include "engine/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lunatic::engine {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<size_t>(n));
}

// Shortest text that reads back to the same value; NaNs also show their bits, since the spec
// distinguishes canonical from arithmetic NaNs.
template <class F> std::string float_text(F v, uint64_t bits) {
  if (std::isnan(v)) return std::string(std::signbit(v) ? "-nan:" : "nan:") + hex(bits);
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return hex(bits);
  return std::string(buf, end);
}

}  // namespace

std::string Value::to_string() const {
  std::string prefix = std::string(wasm::val_type_name(type)) + ":";
  switch (type) {
    case wasm::ValType::I32: return prefix + std::to_string(as_i32());
    case wasm::ValType::I64: return prefix + std::to_string(as_i64());
    case wasm::ValType::F32: return prefix + float_text(as_f32(), bits & 0xFFFF'FFFFu);
    case wasm::ValType::F64: return prefix + float_text(as_f64(), bits);
    case wasm::ValType::FuncRef:
    case wasm::ValType::ExternRef: return prefix + (bits == 0 ? std::string("null") : hex(bits));
    case wasm::ValType::V128: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "0x%016llx%016llx", static_cast<unsigned long long>(hi),
                    static_cast<unsigned long long>(bits));
      return prefix + buf;
    }
  }
  return prefix + hex(bits);
}

}  // namespace lunatic::engine
