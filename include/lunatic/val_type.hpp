// The Wasm value types, numbered as the binary format encodes them. The engine's layers use
// this very type (wasm::ValType), so the embedding API passes types without conversion.
#pragma once

#include <cstdint>

namespace lunatic {

/// A Wasm value type (the numbering is the binary format's).
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

}  // namespace lunatic
