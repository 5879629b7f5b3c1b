// Values: the untyped 64-bit slot the interpreter works on, and the typed Value of the
// embedding API.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "wasm/types.hpp"

namespace lunatic::engine {

/// One operand or local: i32 (zero-extended), i64, f32 bits, f64 bits, or a reference.
/// References: 0 is null; a funcref is a `Function*`; an externref is the embedder's non-zero
/// 64-bit value, carried unchanged.
using Slot = uint64_t;

/// Frame slots a value of type `t` occupies: a v128 takes two consecutive slots (bytes 0..7,
/// then 8..15), everything else one.
constexpr uint32_t slot_width(wasm::ValType t) { return t == wasm::ValType::V128 ? 2 : 1; }
/// Frame slots of a sequence of values (params, results, locals).
template <class Types> uint32_t slot_count(const Types& types) {
  uint32_t n = 0;
  for (wasm::ValType t : types) n += slot_width(t);
  return n;
}

struct Value {
  wasm::ValType type = wasm::ValType::I32;
  Slot bits = 0;
  Slot hi = 0;  ///< a v128's bytes 8..15 (`bits` holds bytes 0..7); 0 for other types

  static Value i32(int32_t v) { return {wasm::ValType::I32, static_cast<uint32_t>(v)}; }
  static Value i64(int64_t v) { return {wasm::ValType::I64, static_cast<uint64_t>(v)}; }
  static Value f32(float v) { return {wasm::ValType::F32, std::bit_cast<uint32_t>(v)}; }
  static Value f64(double v) { return {wasm::ValType::F64, std::bit_cast<uint64_t>(v)}; }
  static Value f32_bits(uint32_t bits) { return {wasm::ValType::F32, bits}; }
  static Value f64_bits(uint64_t bits) { return {wasm::ValType::F64, bits}; }
  static Value v128(uint64_t lo, uint64_t high) { return {wasm::ValType::V128, lo, high}; }
  static Value null(wasm::ValType ref_type) { return {ref_type, 0}; }
  /// @pre host_value != 0 (0 is the null reference)
  static Value externref(uint64_t host_value) { return {wasm::ValType::ExternRef, host_value}; }

  int32_t as_i32() const { return static_cast<int32_t>(static_cast<uint32_t>(bits)); }
  int64_t as_i64() const { return static_cast<int64_t>(bits); }
  float as_f32() const { return std::bit_cast<float>(static_cast<uint32_t>(bits)); }
  double as_f64() const { return std::bit_cast<double>(bits); }
  bool is_null() const { return bits == 0; }

  std::string to_string() const;  ///< "i32:42", "f64:1.5", "funcref:null"
};

}  // namespace lunatic::engine
