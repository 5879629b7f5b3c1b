// Values of spec scripts (text::ScriptValue, as the script parser reads them): their
// conversion to engine values and the matching of results, NaN patterns and references.
#pragma once

#include <string>

#include "common/result.hpp"
#include "engine/value.hpp"
#include "text/text.hpp"

namespace lunatic::spec {

using text::ScriptValue;
using text::ValueKind;

/// The engine value to pass as an argument: numbers as their bits, `ref.null` as 0 and
/// `ref.extern N` as the embedder value N + 1 (so that ref.extern 0 is not null). Errors for
/// NaN patterns and `ref.func` (a script cannot name a function). A v128 carries its 16 bytes.
Result<engine::Value> to_argument(const ScriptValue& value);

/// Whether a result matches an expected value: same type, and the bits (or NaN pattern, or
/// any non-null funcref for `ref.func`; a v128 lane by lane where it has NaN patterns).
bool matches(const ScriptValue& expected, const engine::Value& actual);

/// "i32:42 (0x2a)", "f32:nan:canonical", "externref:3" (the script's number), "funcref:null".
std::string describe(const ScriptValue& value);
/// "i32:42 (0x2a)", "f64:1.5 (0x3ff8000000000000)", "externref:3", "funcref:non-null".
std::string describe(const engine::Value& value);

}  // namespace lunatic::spec
