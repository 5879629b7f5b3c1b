// Opcode enum and per-opcode facts, all generated from opcodes.def.
#pragma once

#include <cstdint>
#include <optional>

namespace lunatic::wasm {

enum class Opcode : uint16_t {
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) name,
#include "wasm/opcodes.def"
#undef WASM_OPCODE
};

inline constexpr uint16_t kOpcodeCount = 0
#define WASM_OPCODE(name, text, prefix, code, imm, in1, in2, out, bytes) +1
#include "wasm/opcodes.def"
#undef WASM_OPCODE
    ;

/// What follows an opcode in the binary, and where the decoder puts it in an Instr.
enum class Immediate : uint8_t {
  None,
  BlockType,  ///< s33 block type -> Instr::block
  Label,      ///< label depth -> a
  BrTable,  ///< vec(label) default -> a = first index in Function::br_table_labels, b = count, c =
            ///< default
  Func,     ///< function index -> a
  CallIndirect,  ///< type index, table index -> a, b
  Local,         ///< local index -> a
  Global,        ///< global index -> a
  Table,         ///< table index -> a
  MemArg,        ///< align exponent, offset -> a = align, b = offset
  MemIdx,        ///< reserved byte 0x00 (memory.size, memory.grow, memory.fill)
  I32,           ///< s32 -> c (zero-extended bits)
  I64,           ///< s64 -> c
  F32,           ///< 4 bytes -> c (raw bits)
  F64,           ///< 8 bytes -> c (raw bits)
  RefType,       ///< reference type byte -> a (the ValType byte)
  SelectT,       ///< vec(valtype) -> a = count, b = first type byte (valid only when count == 1)
  MemoryInit,    ///< data index, reserved 0x00 -> a
  Data,          ///< data index -> a
  Elem,          ///< elem index -> a
  MemoryCopy,    ///< two reserved 0x00 bytes
  TableInit,     ///< elem index, table index -> a, b
  TableCopy,     ///< destination table, source table -> a, b
  V128,          ///< 16 bytes -> c = bytes 0..7, a = bytes 8..11, b = bytes 12..15 (little
                 ///< endian; see wasm::v128_immediate)
  Shuffle,       ///< 16 lane indices, one byte each -> as V128
  Lane,          ///< lane index byte -> a
  MemArgLane,    ///< align exponent, offset, lane index byte -> a = align, b = offset, c = lane
};

/// Operand types of fixed-signature instructions (see opcodes.def).
enum class Operand : uint8_t { none, i32, i64, f32, f64, v128, special };

struct OpcodeInfo {
  const char* text;
  uint8_t prefix;
  uint32_t code;
  Immediate immediate;
  Operand in1, in2, out;
  uint8_t access_bytes;
};

const OpcodeInfo& opcode_info(Opcode op);
inline const char* opcode_name(Opcode op) { return opcode_info(op).text; }

/// Opcode for a one-byte encoding, or nullopt for bytes that are not an opcode (prefixes
/// 0xFC/0xFD are not opcodes by themselves either).
std::optional<Opcode> opcode_from_byte(uint8_t byte);
/// Opcode for 0xFC followed by the sub-opcode `code`.
std::optional<Opcode> opcode_from_misc(uint32_t code);
/// Opcode for 0xFD (SIMD) followed by the sub-opcode `code`.
std::optional<Opcode> opcode_from_simd(uint32_t code);
/// Whether `op` is a fixed-width SIMD instruction (prefix 0xFD).
inline bool is_simd(Opcode op) { return opcode_info(op).prefix == 0xFD; }
/// Number of lanes a lane index of `op` selects from (16 / lane width), for the lane
/// instructions; 0 for the others.
uint32_t lane_count(Opcode op);

}  // namespace lunatic::wasm
