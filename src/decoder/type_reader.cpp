// Reading of the small building blocks of the binary format: vector counts, names, flags,
// value/reference types, limits and the types of tables, memories and globals (spec 5.2, 5.3).
#include "common/utf8.hpp"
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {

using wasm::ValType;

Result<uint32_t> read_count(ByteReader& r) {
  const uint32_t count = TRY(r.u32());
  if (count > r.remaining()) return r.error("unexpected end");
  return count;
}

Result<std::string> read_name(ByteReader& r) {
  const uint64_t start = r.offset();
  const uint32_t len = TRY(r.u32());
  if (len > r.remaining()) return Error(Phase::Decode, "length out of bounds", start);
  auto raw = TRY(r.bytes(len));
  if (!is_valid_utf8(raw)) return Error(Phase::Decode, "malformed UTF-8 encoding", start);
  return std::string(raw.begin(), raw.end());
}

Result<bool> read_flag(ByteReader& r) {
  const uint64_t start = r.offset();
  const uint8_t byte = TRY(r.u8());
  if (byte & 0x80) return Error(Phase::Decode, "integer representation too long", start);
  if (byte > 1) return Error(Phase::Decode, "integer too large", start);
  return byte == 1;
}

Result<void> read_zero_byte(ByteReader& r) {
  const uint64_t start = r.offset();
  if (TRY(r.u8()) != 0) return Error(Phase::Decode, "zero byte expected", start);
  return {};
}

Result<ValType> read_val_type(ByteReader& r, const wasm::Features& features) {
  const uint64_t start = r.offset();
  auto type = wasm::val_type_from_byte(TRY(r.u8()));
  if (!type) return Error(Phase::Decode, "malformed value type", start);
  TRY(wasm::require_for(features, *type, start));
  return *type;
}

Result<ValType> read_ref_type(ByteReader& r, const wasm::Features& features) {
  const uint64_t start = r.offset();
  auto type = wasm::val_type_from_byte(TRY(r.u8()));
  if (!type || !wasm::is_reference(*type)) {
    return Error(Phase::Decode, "malformed reference type", start);
  }
  // funcref is the MVP's table element type; externref came with reference types.
  if (*type == ValType::ExternRef)
    TRY(wasm::require(features, wasm::Feature::ReferenceTypes, start));
  return *type;
}

Result<wasm::Limits> read_limits(ByteReader& r) {
  wasm::Limits limits;
  const bool has_max = TRY(read_flag(r));
  limits.min = TRY(r.u32());
  if (has_max) limits.max = TRY(r.u32());
  return limits;
}

Result<wasm::TableType> read_table_type(ByteReader& r, const wasm::Features& features) {
  wasm::TableType type;
  type.element = TRY(read_ref_type(r, features));
  type.limits = TRY(read_limits(r));
  return type;
}

Result<wasm::MemoryType> read_memory_type(ByteReader& r) {
  wasm::MemoryType type;
  type.limits = TRY(read_limits(r));
  return type;
}

Result<wasm::GlobalType> read_global_type(ByteReader& r, const wasm::Features& features) {
  wasm::GlobalType type;
  type.type = TRY(read_val_type(r, features));
  const uint64_t start = r.offset();
  const uint8_t mut = TRY(r.u8());
  if (mut > 1) return Error(Phase::Decode, "malformed mutability", start);
  type.is_mutable = mut == 1;
  return type;
}

}  // namespace lunatic::decoder::detail
