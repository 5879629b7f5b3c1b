// The standard `spectest` host module that spec scripts import from: four globals, a table,
// a memory and print functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "spec/engine_api.hpp"

namespace lunatic::spec {

/// Exported entities by name.
using ExportMap = std::map<std::string, Extern, std::less<>>;

/// Creates the spectest entities in `store`: globals global_i32 = 666, global_i64 = 666,
/// global_f32 = 666.6, global_f64 = 666.6 (immutable); `table` of 10 funcrefs (max 20);
/// `memory` of 1 page (max 2); print, print_i32, print_i64, print_f32, print_f64,
/// print_i32_f32, print_f64_f64, which print their arguments to stdout when `echo` is set.
Result<ExportMap> make_spectest(Store& store, bool echo);

}  // namespace lunatic::spec
