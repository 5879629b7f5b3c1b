// Reading a module file for the commands (`run`, `validate`, `inspect`) and reporting why it
// could not be loaded, the same way for all of them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/compiled_module.hpp"

namespace lunatic::cli {

/// The bytes of `path` (Phase::Host errors: "cannot open: No such file or directory", a file
/// over 1 GiB).
Result<std::vector<uint8_t>> read_module_file(const std::string& path);

/// Reads and compiles (decodes, validates, lowers) `path`.
Result<std::shared_ptr<const engine::CompiledModule>> load_module(const std::string& path);

/// Prints "error: FILE: <error>" to stderr and returns `code`.
int report_load_error(const std::string& file, const Error& error, int code);

}  // namespace lunatic::cli
