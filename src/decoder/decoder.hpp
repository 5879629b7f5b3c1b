// The binary decoder: bytes -> wasm::Module (spec section 5), with the spec's messages for
// malformed input and the byte offset of each error.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.hpp"
#include "wasm/features.hpp"
#include "wasm/module.hpp"

namespace lunatic::decoder {

/// Decodes a whole module, function bodies included (into wasm::Instr lists). Never allocates
/// in proportion to a count it has not yet checked against the bytes remaining. A construct of
/// a proposal that `features` lacks (an instruction, a value or block type, a segment form, the
/// data count section) is a decode error at its offset ("SIMD is disabled (feature simd)").
Result<wasm::Module> decode(std::span<const uint8_t> bytes, const wasm::Features& features = {});

}  // namespace lunatic::decoder
