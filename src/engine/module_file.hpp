// Reading a .wasm file and compiling it: the first step of the CLI's commands and of an
// embedder that runs modules from disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/compile.hpp"
#include "engine/compiled_module.hpp"

namespace lunatic::engine {

/// Files larger than this are refused before they are read into memory.
inline constexpr uint64_t kMaxModuleFileBytes = uint64_t{1} << 30;

/// The bytes of `path`. Errors (Phase::Host): "cannot open: No such file or directory", "file
/// larger than 1 GiB", "read failed".
Result<std::vector<uint8_t>> read_module_file(const std::string& path);

/// Reads and compiles (decodes, validates, lowers) `path`: read_module_file's errors, then
/// compile's.
Result<std::shared_ptr<const CompiledModule>> compile_file(const std::string& path,
                                                           const CompileConfig& config = {});

}  // namespace lunatic::engine
