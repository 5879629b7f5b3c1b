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

constexpr auto kByByte = [] {
  std::array<uint16_t, 256> table{};
  table.fill(kNone);
  uint16_t i = 0;
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) \
  if ((prefix) == 0) table[(code)] = i;                                  \
  ++i;
#include "wasm/opcodes.def"
#undef WASM_OPCODE
  return table;
}();

constexpr auto kByMisc = [] {
  std::array<uint16_t, 32> table{};
  table.fill(kNone);
  uint16_t i = 0;
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) \
  if ((prefix) == 0xFC) table[(code)] = i;                               \
  ++i;
#include "wasm/opcodes.def"
#undef WASM_OPCODE
  return table;
}();

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

}  // namespace lunatic::wasm
