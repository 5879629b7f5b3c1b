// Helpers shared by the decoder's files: reading of types, names and vector counts, and the
// per-section entry points that decoder.cpp calls in section order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/byte_reader.hpp"
#include "common/result.hpp"
#include "wasm/features.hpp"
#include "wasm/module.hpp"

namespace lunatic::decoder::detail {

// Like the spec's reference decoder, sections and function bodies are read from one reader
// over the whole module, and their declared sizes are checked afterwards ("section size
// mismatch"). Reading across a boundary is still bounds-checked against the module's end; it
// only decides which of the spec's messages a malformed module gets.

/// Implementation limit on the locals of one function (not counting parameters).
inline constexpr uint32_t kMaxLocals = 50000;

/// State that outlives one section: what later sections and the final checks need.
struct DecodeState {
  wasm::Features features;  ///< what the module may use (wasm/features.hpp)
  wasm::Module module;
  std::vector<uint32_t> function_types;  ///< from the function section
  std::vector<wasm::Function> bodies;    ///< from the code section
  bool uses_data_index = false;          ///< some body uses memory.init or data.drop
};

/// A vector length, checked against the bytes left: every element takes at least one byte,
/// so a larger count cannot be honest ("unexpected end") and reserving `count` elements
/// stays proportional to the input. (Tighter per-element minimums would report some
/// truncated modules with another message than the spec's.)
Result<uint32_t> read_count(ByteReader& r);
/// A length-prefixed UTF-8 name ("length out of bounds", "malformed UTF-8 encoding").
Result<std::string> read_name(ByteReader& r);
/// A one-bit flag encoded as LEB128 (limits): "integer representation too long" if the
/// continuation bit is set, "integer too large" past 1.
Result<bool> read_flag(ByteReader& r);
/// A byte that the format reserves and requires to be zero ("zero byte expected").
Result<void> read_zero_byte(ByteReader& r);

// Type readers take the feature set: a value type of a disabled proposal (v128 without simd,
// a reference as a value or externref without reference-types) is an error where it is read.
Result<wasm::ValType> read_val_type(ByteReader& r, const wasm::Features& features);
Result<wasm::ValType> read_ref_type(ByteReader& r, const wasm::Features& features);
Result<wasm::Limits> read_limits(ByteReader& r);
Result<wasm::TableType> read_table_type(ByteReader& r, const wasm::Features& features);
Result<wasm::MemoryType> read_memory_type(ByteReader& r);
Result<wasm::GlobalType> read_global_type(ByteReader& r, const wasm::Features& features);

/// Instructions up to and including the `end` that closes the sequence at nesting depth 0
/// (nesting is counted, not recursed). br_table label lists go to `br_table_labels`; sets
/// `uses_data_index` when memory.init or data.drop occurs. An instruction or block type of a
/// proposal that `features` lacks is an error at its offset.
Result<void> read_instructions(ByteReader& r, const wasm::Features& features,
                               std::vector<wasm::Instr>& out,
                               std::vector<uint32_t>& br_table_labels, bool& uses_data_index);
/// A constant expression, without its final `end` in the result.
Result<wasm::ConstExpr> read_const_expr(ByteReader& r, const wasm::Features& features);

// Sections (spec 5.5), each reading its content from `r` positioned after the section size.
Result<void> read_type_section(ByteReader& r, DecodeState& st);
Result<void> read_import_section(ByteReader& r, DecodeState& st);
Result<void> read_function_section(ByteReader& r, DecodeState& st);
Result<void> read_table_section(ByteReader& r, DecodeState& st);
Result<void> read_memory_section(ByteReader& r, DecodeState& st);
Result<void> read_global_section(ByteReader& r, DecodeState& st);
Result<void> read_export_section(ByteReader& r, DecodeState& st);
Result<void> read_start_section(ByteReader& r, DecodeState& st);
Result<void> read_element_section(ByteReader& r, DecodeState& st);
Result<void> read_data_count_section(ByteReader& r, DecodeState& st);
Result<void> read_code_section(ByteReader& r, DecodeState& st);
Result<void> read_data_section(ByteReader& r, DecodeState& st);

/// The "name" custom section's content (after its name), `size` bytes. Never fails: a broken
/// name section is ignored, as the spec allows for custom sections.
void read_name_section(std::span<const uint8_t> content, uint64_t base_offset, wasm::Module& m);

}  // namespace lunatic::decoder::detail
