// The element and data sections (spec 5.5.12, 5.5.14): the eight element segment forms and
// the three data segment forms.
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {
namespace {

// Element segment flag bits (spec 5.5.12).
constexpr uint32_t kElemNotActive = 1;    // passive, or declarative with kElemTableOrDecl
constexpr uint32_t kElemTableOrDecl = 2;  // active: explicit table; else: declarative
constexpr uint32_t kElemExprs = 4;        // items are expressions, not function indices
constexpr uint32_t kElemMaxFlags = 7;
constexpr uint8_t kElemKindFuncRef = 0x00;

// Data segment forms (spec 5.5.14).
constexpr uint32_t kDataActive = 0;
constexpr uint32_t kDataPassive = 1;
constexpr uint32_t kDataActiveMemory = 2;

Result<void> read_elem_kind(ByteReader& r) {
  const uint64_t start = r.offset();
  if (TRY(r.u8()) != kElemKindFuncRef) return Error(Phase::Decode, "malformed element kind", start);
  return {};
}

/// A bare function index, as the constant expression `ref.func idx` it stands for.
Result<wasm::ConstExpr> read_func_index_item(ByteReader& r) {
  wasm::Instr in;
  in.op = wasm::Opcode::RefFunc;
  in.offset = static_cast<uint32_t>(r.offset());
  in.a = TRY(r.u32());
  wasm::ConstExpr expr;
  expr.instrs.push_back(in);
  return expr;
}

Result<wasm::ElemSegment> read_elem_segment(ByteReader& r, const wasm::Features& features) {
  const uint64_t start = r.offset();
  const uint32_t flags = TRY(r.u32());
  if (flags > kElemMaxFlags) return Error(Phase::Decode, "malformed elements segment kind", start);
  // The MVP has only form 0 (active, table 0, function indices); bulk memory added the others.
  if (flags != 0) TRY(wasm::require(features, wasm::Feature::BulkMemory, start));
  wasm::ElemSegment seg;
  if (flags & kElemNotActive) {
    seg.mode =
        (flags & kElemTableOrDecl) ? wasm::SegmentMode::Declarative : wasm::SegmentMode::Passive;
  } else {
    if (flags & kElemTableOrDecl) seg.table_index = TRY(r.u32());
    seg.offset = TRY(read_const_expr(r, features));
  }
  const bool exprs = flags & kElemExprs;
  // Forms 0 and 4 imply funcref; the others spell out an element kind or reference type.
  if (flags & (kElemNotActive | kElemTableOrDecl)) {
    if (exprs) {
      seg.type = TRY(read_ref_type(r, features));
    } else {
      TRY(read_elem_kind(r));
    }
  }
  const uint32_t count = TRY(read_count(r));
  seg.items.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    seg.items.push_back(exprs ? TRY(read_const_expr(r, features)) : TRY(read_func_index_item(r)));
  }
  return seg;
}

Result<wasm::DataSegment> read_data_segment(ByteReader& r, const wasm::Features& features) {
  const uint64_t start = r.offset();
  const uint32_t flags = TRY(r.u32());
  // Passive segments and an explicit memory index (forms 1 and 2) came with bulk memory.
  if (flags == kDataPassive || flags == kDataActiveMemory) {
    TRY(wasm::require(features, wasm::Feature::BulkMemory, start));
  }
  wasm::DataSegment seg;
  switch (flags) {
    case kDataActive: seg.offset = TRY(read_const_expr(r, features)); break;
    case kDataPassive: seg.mode = wasm::SegmentMode::Passive; break;
    case kDataActiveMemory:
      seg.memory_index = TRY(r.u32());
      seg.offset = TRY(read_const_expr(r, features));
      break;
    default: return Error(Phase::Decode, "malformed data segment kind", start);
  }
  const uint32_t size = TRY(r.u32());
  auto bytes = TRY(r.bytes(size));
  seg.bytes.assign(bytes.begin(), bytes.end());
  return seg;
}

}  // namespace

Result<void> read_element_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.elements.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    st.module.elements.push_back(TRY(read_elem_segment(r, st.features)));
  return {};
}

Result<void> read_data_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.data.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    st.module.data.push_back(TRY(read_data_segment(r, st.features)));
  return {};
}

}  // namespace lunatic::decoder::detail
