// Instruction decoding (spec 5.4): opcode lookup through the opcode table, immediates into the
// wasm::Instr fields that opcode.hpp assigns, block nesting tracked on a heap stack (never by
// recursion), and constant expressions, which are instruction sequences too.
#include <algorithm>

#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {
namespace {

using wasm::Immediate;
using wasm::Instr;
using wasm::Opcode;

constexpr uint8_t kMiscPrefix = 0xFC;
constexpr uint8_t kSimdPrefix = 0xFD;
constexpr uint8_t kEmptyBlockType = 0x40;
/// Alignment exponents from 32 up would need bit 6 (multi-memory) or exceed any access size;
/// the spec tests call them malformed.
constexpr uint32_t kMaxAlignExponent = 31;

Result<wasm::BlockType> read_block_type(ByteReader& r, const wasm::Features& features) {
  wasm::BlockType block;
  const size_t start = r.position();
  const uint64_t start_offset = r.offset();
  const int64_t value = TRY(r.s33());
  // A single byte that is 0x40 or a value type is an inline type; anything else is a type
  // index. A negative one names no type: it becomes an index no module can have, so the
  // validator reports it ("unknown type") instead of it aliasing a real type.
  if (r.position() == start + 1 && value < 0) {
    const uint8_t byte = static_cast<uint8_t>(value & 0x7F);
    if (byte == kEmptyBlockType) return block;
    if (auto type = wasm::val_type_from_byte(byte)) {
      TRY(wasm::require_for(features, *type, start_offset));
      block.kind = wasm::BlockType::Kind::Value;
      block.value = *type;
      return block;
    }
  }
  // A type index gives a block parameters or several results: multi-value.
  TRY(wasm::require(features, wasm::Feature::MultiValue, start_offset));
  block.kind = wasm::BlockType::Kind::TypeIndex;
  block.type_index = value < 0 ? UINT32_MAX : static_cast<uint32_t>(value);
  return block;
}

/// The opcode at the reader, with its prefix resolved.
Result<Opcode> read_known_opcode(ByteReader& r) {
  const uint64_t start = r.offset();
  const uint8_t byte = TRY(r.u8());
  if (byte == kMiscPrefix) {
    const uint32_t code = TRY(r.u32());
    if (auto op = wasm::opcode_from_misc(code)) return *op;
    return Error(Phase::Decode, "illegal opcode", start);
  }
  if (byte == kSimdPrefix) {
    const uint32_t code = TRY(r.u32());
    if (auto op = wasm::opcode_from_simd(code)) return *op;
    return Error(Phase::Decode, "illegal opcode", start);
  }
  if (auto op = wasm::opcode_from_byte(byte)) return *op;
  return Error(Phase::Decode, "illegal opcode", start);
}

/// The opcode at the reader, with its prefix resolved; one of a disabled proposal is an error.
Result<Opcode> read_opcode(ByteReader& r, const wasm::Features& features) {
  const uint64_t start = r.offset();
  const Opcode op = TRY(read_known_opcode(r));
  TRY(wasm::require_for(features, op, start));
  return op;
}

Result<void> read_immediates(ByteReader& r, const wasm::Features& features, Instr& in,
                             std::vector<uint32_t>& labels) {
  switch (wasm::opcode_info(in.op).immediate) {
    case Immediate::None: break;
    case Immediate::BlockType: in.block = TRY(read_block_type(r, features)); break;
    case Immediate::Label:
    case Immediate::Func:
    case Immediate::Local:
    case Immediate::Global:
    case Immediate::Table:
    case Immediate::Data:
    case Immediate::Elem: in.a = TRY(r.u32()); break;
    case Immediate::BrTable: {
      const uint32_t count = TRY(read_count(r));
      in.a = static_cast<uint32_t>(labels.size());
      in.b = count;
      labels.reserve(labels.size() + count);
      for (uint32_t i = 0; i < count; ++i) labels.push_back(TRY(r.u32()));
      in.c = TRY(r.u32());
      break;
    }
    case Immediate::CallIndirect:
    case Immediate::TableInit:
    case Immediate::TableCopy:
      in.a = TRY(r.u32());
      in.b = TRY(r.u32());
      break;
    case Immediate::MemArg:
    case Immediate::MemArgLane: {
      const uint64_t start = r.offset();
      in.a = TRY(r.u32());
      if (in.a > kMaxAlignExponent) return Error(Phase::Decode, "malformed memop flags", start);
      in.b = TRY(r.u32());
      if (wasm::opcode_info(in.op).immediate == Immediate::MemArgLane) in.c = TRY(r.u8());
      break;
    }
    case Immediate::Lane: in.a = TRY(r.u8()); break;
    case Immediate::V128:
    case Immediate::Shuffle: {
      const std::span<const uint8_t> raw = TRY(r.bytes(16));
      wasm::V128Bytes bytes;
      std::copy(raw.begin(), raw.end(), bytes.begin());
      wasm::set_v128_immediate(in, bytes);
      break;
    }
    case Immediate::MemIdx: TRY(read_zero_byte(r)); break;
    case Immediate::I32: in.c = static_cast<uint32_t>(TRY(r.s32())); break;
    case Immediate::I64: in.c = static_cast<uint64_t>(TRY(r.s64())); break;
    case Immediate::F32: in.c = TRY(r.fixed_u32()); break;
    case Immediate::F64: in.c = TRY(r.fixed_u64()); break;
    case Immediate::RefType: in.a = static_cast<uint8_t>(TRY(read_ref_type(r, features))); break;
    case Immediate::SelectT: {
      const uint32_t count = TRY(read_count(r));
      in.a = count;
      for (uint32_t i = 0; i < count; ++i) {
        const wasm::ValType type = TRY(read_val_type(r, features));
        if (i == 0) in.b = static_cast<uint8_t>(type);
      }
      break;
    }
    case Immediate::MemoryInit:
      in.a = TRY(r.u32());
      TRY(read_zero_byte(r));
      break;
    case Immediate::MemoryCopy:
      TRY(read_zero_byte(r));
      TRY(read_zero_byte(r));
      break;
  }
  return {};
}

}  // namespace

Result<void> read_instructions(ByteReader& r, const wasm::Features& features,
                               std::vector<Instr>& out, std::vector<uint32_t>& br_table_labels,
                               bool& uses_data_index) {
  // The open blocks, innermost last: a heap stack, so deep nesting costs no native stack.
  // `else` is only well-formed once, directly inside an `if`.
  enum class Open : uint8_t { Block, If, Else };
  std::vector<Open> open;
  for (;;) {
    Instr in;
    in.offset = static_cast<uint32_t>(r.offset());
    in.op = TRY(read_opcode(r, features));
    TRY(read_immediates(r, features, in, br_table_labels));
    switch (in.op) {
      case Opcode::Block:
      case Opcode::Loop: open.push_back(Open::Block); break;
      case Opcode::If: open.push_back(Open::If); break;
      case Opcode::Else:
        if (open.empty() || open.back() != Open::If) {
          return Error(Phase::Decode, "END opcode expected", in.offset);
        }
        open.back() = Open::Else;
        break;
      case Opcode::End:
        if (open.empty()) {
          out.push_back(in);
          return {};
        }
        open.pop_back();
        break;
      case Opcode::MemoryInit:
      case Opcode::DataDrop: uses_data_index = true; break;
      default: break;
    }
    out.push_back(in);
  }
}

Result<wasm::ConstExpr> read_const_expr(ByteReader& r, const wasm::Features& features) {
  // The validator decides what is constant; here any instruction decodes, as in the
  // reference decoder, so malformed and invalid expressions get their own messages.
  wasm::ConstExpr expr;
  std::vector<uint32_t> labels;
  bool uses_data_index = false;
  TRY(read_instructions(r, features, expr.instrs, labels, uses_data_index));
  expr.instrs.pop_back();  // the final `end`
  return expr;
}

}  // namespace lunatic::decoder::detail
