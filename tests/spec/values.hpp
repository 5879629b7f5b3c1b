// Values of spec scripts as wast2json writes them (numbers as decimal bit patterns, NaN
// patterns, reference values), their conversion to engine values and the matching of results.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/result.hpp"
#include "engine/value.hpp"
#include "wasm/types.hpp"

namespace lunatic::spec {

/// What an expected (or argument) value stands for.
enum class ValueKind : uint8_t {
  Exact,          ///< `bits` must match exactly (numbers, externref N, ref.null)
  NanCanonical,   ///< f32/f64 "nan:canonical": the sign may differ, payload is the canonical one
  NanArithmetic,  ///< f32/f64 "nan:arithmetic": any NaN with the quiet bit set
  RefNonNull,     ///< funcref written without a value (ref.func): any non-null reference
  Unsupported,    ///< v128 (SIMD is a later issue): never matches, cannot be passed
};

/// One value of a script, already in the engine's slot encoding: i32/i64/f32/f64 bits,
/// externref N as N + 1 (0 is null), ref.null as 0.
struct ScriptValue {
  wasm::ValType type = wasm::ValType::I32;
  ValueKind kind = ValueKind::Exact;
  engine::Slot bits = 0;
};

/// Parses {"type": "...", "value": "..."} as wast2json writes it. Errors (Phase::Usage) for an
/// unknown type or a value that is not a decimal number of the type's width.
Result<ScriptValue> parse_value(const nlohmann::json& json);

/// The engine value to pass as an argument. Errors for NaN patterns, non-null funcrefs (a
/// script cannot name a function) and v128.
Result<engine::Value> to_argument(const ScriptValue& value);

/// Whether a result matches an expected value: same type, and the bits (or NaN pattern).
bool matches(const ScriptValue& expected, const engine::Value& actual);

/// "i32:42", "f32:nan:canonical", "externref:3" (the script's number), "funcref:null".
std::string describe(const ScriptValue& value);
/// "i32:42 (0x2a)", "f64:1.5 (0x3ff8000000000000)", "externref:3", "funcref:non-null".
std::string describe(const engine::Value& value);

}  // namespace lunatic::spec
