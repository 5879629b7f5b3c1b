// Parts of hand-built modules for the instantiation tests: one-instruction constant
// expressions and active data segments.
#pragma once

#include <cstdint>
#include <string>

#include "wasm/module.hpp"

namespace lunatic::engine::test {

inline wasm::ConstExpr expr(wasm::Opcode op, uint32_t a = 0, uint64_t c = 0) {
  wasm::Instr in;
  in.op = op;
  in.a = a;
  in.c = c;
  return wasm::ConstExpr{{in}};
}

inline wasm::ConstExpr i32(int32_t v) {
  return expr(wasm::Opcode::I32Const, 0, static_cast<uint32_t>(v));
}

/// An active data segment of memory 0 at `offset`.
inline wasm::DataSegment data(uint32_t offset, std::string bytes) {
  wasm::DataSegment seg;
  seg.offset = i32(static_cast<int32_t>(offset));
  seg.bytes.assign(bytes.begin(), bytes.end());
  return seg;
}

}  // namespace lunatic::engine::test
