// `lunatic run --invoke NAME FILE [ARGS...]`: call an exported function instead of `_start`, its
// arguments read from the command line by the function's parameter types, and print its
// results, one per line (as wasmtime's --invoke does).
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/value.hpp"
#include "wasm/module.hpp"

namespace lunatic::cli {

/// The arguments of export `name` of `module`, one per parameter: i32 and i64 as decimal
/// integers (or 0x hex, with an optional sign) in the range of either signedness, f32 and f64 as
/// strtod reads them
/// ("1.5", "-0", "1e10", "nan", "inf"). A Phase::Usage error when `name` is not an exported
/// function, the count differs, a value does not parse or fit, or a parameter has a type the
/// command line cannot give (v128, references).
Result<std::vector<engine::Value>> invoke_arguments(const wasm::Module& module,
                                                    const std::string& name,
                                                    std::span<const std::string> args);

/// One result as --invoke prints it: i32 and i64 signed decimal, floats in their shortest form
/// that reads back exactly ("1.5", "1e+300", "NaN", "-inf"), v128 as 0x and 32 hex digits
/// (bytes 15..0), references as "null" or "ref".
std::string format_result(const engine::Value& value);

/// Prints `results` to `out`, one per line.
void print_results(std::span<const engine::Value> results, std::FILE* out);

}  // namespace lunatic::cli
