// Lookup tables generated from opcodes.def.
#include "wasm/opcode.hpp"

#include <array>

namespace lunatic::wasm {
namespace {

constexpr OpcodeInfo kInfo[] = {
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) \
  {text, prefix, code, Immediate::imm, Operand::in1, Operand::in2, Operand::out, bytes},
#include "wasm/opcodes.def"
#undef WASM_OPCODE
};

constexpr uint16_t kNone = 0xFFFF;

// Index of each opcode with the given prefix by its code, for table sizes up to N codes.
template <size_t N> constexpr std::array<uint16_t, N> index_by_code(uint8_t wanted_prefix) {
  std::array<uint16_t, N> table{};
  table.fill(kNone);
  uint16_t i = 0;
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) \
  if ((prefix) == wanted_prefix) table[(code)] = i;                      \
  ++i;
#include "wasm/opcodes.def"
#undef WASM_OPCODE
  return table;
}

constexpr auto kByByte = index_by_code<256>(0x00);
constexpr auto kByMisc = index_by_code<32>(0xFC);
constexpr auto kBySimd = index_by_code<256>(0xFD);

}  // namespace

const OpcodeInfo& opcode_info(Opcode op) { return kInfo[static_cast<uint16_t>(op)]; }

std::optional<Opcode> opcode_from_byte(uint8_t byte) {
  const uint16_t i = kByByte[byte];
  if (i == kNone) return std::nullopt;
  return static_cast<Opcode>(i);
}

std::optional<Opcode> opcode_from_misc(uint32_t code) {
  if (code >= kByMisc.size() || kByMisc[code] == kNone) return std::nullopt;
  return static_cast<Opcode>(kByMisc[code]);
}

std::optional<Opcode> opcode_from_simd(uint32_t code) {
  if (code >= kBySimd.size() || kBySimd[code] == kNone) return std::nullopt;
  return static_cast<Opcode>(kBySimd[code]);
}

uint32_t lane_count(Opcode op) {
  const OpcodeInfo& info = opcode_info(op);
  const bool lanes = info.immediate == Immediate::Lane || info.immediate == Immediate::MemArgLane;
  return lanes && info.access_bytes > 0 ? 16u / info.access_bytes : 0u;
}

}  // namespace lunatic::wasm
