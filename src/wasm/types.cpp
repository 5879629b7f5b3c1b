// Names and decoding helpers for Wasm types.
#include "wasm/types.hpp"

namespace lunatic::wasm {

std::optional<ValType> val_type_from_byte(uint8_t byte) {
  switch (byte) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x7B:
    case 0x70:
    case 0x6F: return static_cast<ValType>(byte);
    default: return std::nullopt;
  }
}

const char* val_type_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "?";
}

std::string FuncType::to_string() const {
  std::string out = "(";
  for (size_t i = 0; i < params.size(); ++i)
    out += (i ? " " : "") + std::string(val_type_name(params[i]));
  out += ") -> (";
  for (size_t i = 0; i < results.size(); ++i)
    out += (i ? " " : "") + std::string(val_type_name(results[i]));
  return out + ")";
}

}  // namespace lunatic::wasm
