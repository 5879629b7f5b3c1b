// The module a command names: a binary .wasm, or the WebAssembly text format (.wat), which is
// turned into its binary here so that every later step (the code cache's key included) sees
// bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "wasm/features.hpp"

namespace lunatic::cli {

/// The bytes of the module in `path`: the file parsed as a text module when it starts, after
/// white space, as the text format does (`(module ...)`, the fields of one, or a comment);
/// else the file as it is (a binary module, or bytes the decoder will refuse). Errors:
/// engine::read_module_file's, or the text parser's (Phase::Decode, "line:column" in the context),
/// which say why; the text parser refuses what `features` lacks.
Result<std::vector<uint8_t>> read_module_source(const std::string& path,
                                                const wasm::Features& features = {});

}  // namespace lunatic::cli
