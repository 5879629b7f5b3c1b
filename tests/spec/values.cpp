// Converting and matching script values (see values.hpp).
#include "spec/values.hpp"

#include <cinttypes>
#include <cstdio>

namespace lunatic::spec {
namespace {

using wasm::ValType;

Error bad(std::string message) { return Error(Phase::Usage, std::move(message)); }

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

/// The engine's slot for a value that has exact bits (numbers and references).
engine::Slot exact_slot(const ScriptValue& value) {
  switch (value.kind) {
    case ValueKind::RefNull: return 0;
    case ValueKind::RefExtern: return value.bits + 1;
    default: return value.bits;
  }
}

// A v128: all 128 bits, or lane by lane where the script gave NaN patterns (f32x4, f64x2).
bool matches_v128(const ScriptValue& expected, const engine::Value& actual) {
  if (expected.kind != ValueKind::Exact) return false;
  if (expected.pattern_lanes == 0) return actual.bits == expected.bits && actual.hi == expected.hi;
  const bool f32 = expected.pattern_lanes == 4;
  const ValType type = f32 ? ValType::F32 : ValType::F64;
  for (unsigned lane = 0; lane < expected.pattern_lanes; ++lane) {
    auto lane_of = [&](uint64_t lo, uint64_t hi) -> uint64_t {
      if (!f32) return lane == 0 ? lo : hi;
      const uint64_t word = lane < 2 ? lo : hi;
      return (lane % 2 == 0 ? word : word >> 32) & 0xffffffffu;
    };
    const uint64_t got = lane_of(actual.bits, actual.hi);
    switch (expected.lane_kinds[lane]) {
      case ValueKind::NanCanonical:
        if (!is_canonical_nan(type, got)) return false;
        break;
      case ValueKind::NanArithmetic:
        if (!is_arithmetic_nan(type, got)) return false;
        break;
      default:
        if (got != lane_of(expected.bits, expected.hi)) return false;
        break;
    }
  }
  return true;
}

}  // namespace

Result<engine::Value> to_argument(const ScriptValue& value) {
  switch (value.kind) {
    case ValueKind::Exact:
    case ValueKind::RefNull:
    case ValueKind::RefExtern: return engine::Value{value.type, exact_slot(value), value.hi};
    case ValueKind::NanCanonical:
    case ValueKind::NanArithmetic: return bad("a NaN pattern cannot be an argument");
    case ValueKind::RefFunc: return bad("a non-null funcref cannot be an argument");
    case ValueKind::Unsupported: break;
  }
  return bad(std::string(wasm::val_type_name(value.type)) + " arguments are not supported");
}

bool matches(const ScriptValue& expected, const engine::Value& actual) {
  if (expected.type != actual.type) return false;
  if (actual.type == ValType::V128) return matches_v128(expected, actual);
  // Results are slots: compare only the bits the type defines.
  uint64_t bits = is_32_bit(actual.type) ? (actual.bits & 0xffffffffu) : actual.bits;
  switch (expected.kind) {
    case ValueKind::Exact:
    case ValueKind::RefNull:
    case ValueKind::RefExtern: return bits == exact_slot(expected);
    case ValueKind::NanCanonical: return is_canonical_nan(actual.type, bits);
    case ValueKind::NanArithmetic: return is_arithmetic_nan(actual.type, bits);
    case ValueKind::RefFunc: return bits != 0;
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
    case ValueKind::RefFunc: return out + "non-null";
    case ValueKind::Unsupported: return out + "(unsupported)";
    case ValueKind::RefNull: return out + "null";
    case ValueKind::RefExtern: return out + std::to_string(value.bits);
    case ValueKind::Exact: break;
  }
  if (value.pattern_lanes != 0) {
    for (unsigned lane = 0; lane < value.pattern_lanes; ++lane) {
      const ValueKind k = value.lane_kinds[lane];
      out += k == ValueKind::NanCanonical    ? "nan:canonical "
             : k == ValueKind::NanArithmetic ? "nan:arithmetic "
                                             : "exact ";
    }
  }
  return out + describe(engine::Value{value.type, value.bits, value.hi})
                   .substr(std::string_view(wasm::val_type_name(value.type)).size() + 1);
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
    case ValType::V128:
      std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "%016" PRIx64, value.hi, value.bits);
      break;
  }
  return out + buf;
}

}  // namespace lunatic::spec
