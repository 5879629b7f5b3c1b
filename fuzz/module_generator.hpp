// A structured generator for the execution fuzzers: fuzzer bytes in, a *valid* Wasm module
// out. Mutated binaries rarely stay valid; built this way every input reaches the interpreter.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lunatic::fuzz {

/// The generator's choices, read from the fuzzer's bytes. Past the end every choice is 0, the
/// simplest option (a constant, no statement), so generation always terminates.
class ByteSource {
 public:
  explicit ByteSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  uint8_t byte() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }
  /// A number in [0, n). @pre n > 0
  uint32_t below(uint32_t n) {
    if (n <= 256) return byte() % n;
    return u32() % n;
  }
  /// True about once in `n` choices; always false once the bytes are used up.
  bool one_in(uint32_t n) { return below(n) == 1 % n && !exhausted(); }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | byte();
    return v;
  }
  uint64_t u64() { return (uint64_t{u32()} << 32) | u32(); }
  bool exhausted() const { return pos_ >= bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

/// Builds a valid module from `bytes`: a few function types, possibly an imported function,
/// 1-5 defined functions with well-typed bodies (arithmetic over i32/i64/f32/f64, locals,
/// globals, blocks, ifs, loops with br_if, br_table, memory loads/stores, bulk memory, calls
/// and call_indirect, multi-value results), a funcref table holding every function, one page
/// of memory with data segments, mutable globals. Every defined function is exported as
/// "f<i>". Loops may run forever: the caller bounds execution with fuel.
/// `canonical_nans`: see ModuleShape::canonical_nans (for comparing two tiers). `simd`: v128
/// too, in params, results, locals, globals and expressions (ModuleShape::simd).
std::vector<uint8_t> generate_module(std::span<const uint8_t> bytes, bool canonical_nans = false,
                                     bool simd = false);

/// generate_module for a fuzzer's input, also written to the file LUNATIC_FUZZ_DUMP names
/// (the module of the last input, to reproduce a finding).
std::vector<uint8_t> generate_module_for_input(const uint8_t* data, size_t size,
                                               bool canonical_nans = false, bool simd = false);

}  // namespace lunatic::fuzz
