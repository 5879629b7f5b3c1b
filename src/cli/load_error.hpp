// Reporting why a module file could not be loaded, the same way for every command (`run`,
// `validate`, `inspect`). Reading and compiling it is engine/module_file.hpp.
#pragma once

#include <string>

#include "common/result.hpp"

namespace lunatic::cli {

/// Prints "error: FILE: <error>" to stderr and returns `code`.
int report_load_error(const std::string& file, const Error& error, int code);

}  // namespace lunatic::cli
