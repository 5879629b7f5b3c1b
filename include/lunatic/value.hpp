// Wasm values as the embedding API passes them: the arguments of an export or a process's
// entry function, and the results they return.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include <lunatic/val_type.hpp>

namespace lunatic {

/// A typed Wasm value. `bits` holds an i32 zero-extended, an i64, or the bits of a float; a
/// v128 keeps its bytes 0..7 in `bits` and 8..15 in `hi`.
struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;
  uint64_t hi = 0;

  static Value i32(int32_t v) { return {ValType::I32, static_cast<uint32_t>(v), 0}; }
  static Value i64(int64_t v) { return {ValType::I64, static_cast<uint64_t>(v), 0}; }
  static Value f32(float v) { return {ValType::F32, std::bit_cast<uint32_t>(v), 0}; }
  static Value f64(double v) { return {ValType::F64, std::bit_cast<uint64_t>(v), 0}; }
  static Value v128(uint64_t lo, uint64_t high) { return {ValType::V128, lo, high}; }

  int32_t as_i32() const { return static_cast<int32_t>(static_cast<uint32_t>(bits)); }
  int64_t as_i64() const { return static_cast<int64_t>(bits); }
  float as_f32() const { return std::bit_cast<float>(static_cast<uint32_t>(bits)); }
  double as_f64() const { return std::bit_cast<double>(bits); }

  /// "i32:42", "f64:1.5", "funcref:null"
  std::string to_string() const;
};

}  // namespace lunatic
