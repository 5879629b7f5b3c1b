// Tiny helpers for decoder tests: hand-written modules from byte lists, with LEB128 sizes
// computed so each test spells out only the bytes it is about.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "decoder/decoder.hpp"

namespace lunatic::decoder::testing {

using Bytes = std::vector<uint8_t>;

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v) byte |= 0x80;
    out.push_back(byte);
  } while (v);
  return out;
}

/// A length-prefixed string.
inline Bytes str(const std::string& s) { return cat({uleb(s.size()), Bytes(s.begin(), s.end())}); }

/// Section `id` with its size prepended.
inline Bytes section(uint8_t id, const Bytes& content) {
  return cat({Bytes{id}, uleb(content.size()), content});
}

inline const Bytes kHeader = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

inline Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = kHeader;
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

/// Type section with one type () -> ().
inline Bytes void_type_section() { return section(1, {0x01, 0x60, 0x00, 0x00}); }
/// Function section declaring `n` functions of type 0.
inline Bytes func_section(uint32_t n) {
  Bytes content = uleb(n);
  for (uint32_t i = 0; i < n; ++i) content.push_back(0x00);
  return section(3, content);
}
/// A function body: size, then `content` (locals and code, with the final end).
inline Bytes body(const Bytes& content) { return cat({uleb(content.size()), content}); }
inline Bytes code_section(std::initializer_list<Bytes> bodies) {
  Bytes content = uleb(bodies.size());
  for (const Bytes& b : bodies) content.insert(content.end(), b.begin(), b.end());
  return section(10, content);
}
/// A module with one function () -> () whose body (without locals) is `code`.
inline Bytes one_function(const Bytes& code, std::initializer_list<Bytes> extra = {}) {
  Bytes out = module({void_type_section(), func_section(1)});
  for (const Bytes& s : extra) out.insert(out.end(), s.begin(), s.end());
  const Bytes code_sec = code_section({body(cat({Bytes{0x00}, code}))});
  out.insert(out.end(), code_sec.begin(), code_sec.end());
  return out;
}

inline Result<wasm::Module> decode_bytes(const Bytes& bytes) { return decode(bytes); }

/// The decode error's message, or "ok" if it decoded.
inline std::string error_of(const Bytes& bytes) {
  auto m = decode(bytes);
  if (m) return "ok";
  EXPECT_EQ(m.error().phase, Phase::Decode);
  return m.error().message;
}

}  // namespace lunatic::decoder::testing
