// `lunatic inspect FILE.wasm`: what a module imports, exports and declares, and which of its
// imports this runtime provides.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "binding/linker.hpp"
#include "common/result.hpp"
#include "wasm/features.hpp"
#include "wasm/module.hpp"

namespace lunatic::cli {

/// The report of `inspect` for a module already compiled from `bytes`: imports (each marked
/// `provided`, `unknown` or mismatched against `linker`), the host namespaces needed, exports,
/// memories, tables, globals, the start function, the sections (custom ones by name).
/// Errors only if the section table of `bytes` cannot be read.
Result<std::string> describe_module(const wasm::Module& module, std::span<const uint8_t> bytes,
                                    const binding::Linker& linker);

/// Reads, compiles and describes `file` on stdout; returns 0, or prints the error and returns
/// 1 (unreadable file, malformed or invalid module), as `validate` does, under `features`.
int inspect_module(const std::string& file, const wasm::Features& features = {});

}  // namespace lunatic::cli
