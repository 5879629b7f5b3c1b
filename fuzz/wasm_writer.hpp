// Byte-level helpers for writing a Wasm binary (spec section 5): LEB128, names, sections,
// opcodes from the one opcode table. Used by the module generator of the fuzzers.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::fuzz {

/// A growing byte buffer with the encoders of the binary format.
class WasmWriter {
 public:
  std::vector<uint8_t>& bytes() { return bytes_; }
  size_t size() const { return bytes_.size(); }

  void u8(uint8_t b) { bytes_.push_back(b); }
  void uleb(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      u8(v != 0 ? (b | 0x80) : b);
    } while (v != 0);
  }
  void sleb(int64_t v) {
    for (;;) {
      uint8_t b = v & 0x7F;
      v >>= 7;  // arithmetic shift: C++20 defines it for negative values
      const bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
      u8(done ? b : (b | 0x80));
      if (done) return;
    }
  }
  void fixed32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void name(std::string_view s) {
    uleb(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void append(const WasmWriter& other) {
    bytes_.insert(bytes_.end(), other.bytes_.begin(), other.bytes_.end());
  }
  void val_type(wasm::ValType t) { u8(static_cast<uint8_t>(t)); }

  /// The encoding of `op`: its byte, or the 0xFC prefix and its LEB128 sub-opcode.
  void op(wasm::Opcode op) {
    const wasm::OpcodeInfo& info = wasm::opcode_info(op);
    if (info.prefix != 0) {
      u8(info.prefix);
      uleb(info.code);
    } else {
      u8(static_cast<uint8_t>(info.code));
    }
  }

  /// Section `id` holding `payload`, size-prefixed.
  void section(uint8_t id, const WasmWriter& payload) {
    u8(id);
    uleb(payload.size());
    append(payload);
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace lunatic::fuzz
