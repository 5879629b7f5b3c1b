// The commands that touch a module: `lunatic run` and `lunatic validate`.
#pragma once

#include "cli/command_line.hpp"

namespace lunatic::cli {

/// Loads, links (WASI, with the --dir preopens), instantiates and runs the module's `_start` on the
/// calling thread. Prints errors and traps to stderr. Returns the exit code (see command_line.hpp).
int run_module(const RunOptions& options);

/// Compiles (decodes, validates, lowers) the module: prints "FILE: valid" and returns 0, or
/// prints the error and returns 1. `features`: the proposals the module may use.
int validate_module(const std::string& file, const wasm::Features& features = {});

}  // namespace lunatic::cli
