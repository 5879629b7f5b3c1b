// The sections that declare a module's entities: type, import, function, table, memory,
// global, export, start and data count (spec 5.5.4 - 5.5.10, 5.5.13).
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {
namespace {

constexpr uint8_t kFuncTypeForm = 0x60;

Result<std::vector<wasm::ValType>> read_result_type(ByteReader& r, const wasm::Features& features) {
  const uint32_t count = TRY(read_count(r));
  std::vector<wasm::ValType> types;
  types.reserve(count);
  for (uint32_t i = 0; i < count; ++i) types.push_back(TRY(read_val_type(r, features)));
  return types;
}

Result<wasm::ExternKind> read_extern_kind(ByteReader& r, const char* message) {
  const uint64_t start = r.offset();
  const uint8_t byte = TRY(r.u8());
  if (byte > static_cast<uint8_t>(wasm::ExternKind::Global)) {
    return Error(Phase::Decode, message, start);
  }
  return static_cast<wasm::ExternKind>(byte);
}

}  // namespace

Result<void> read_type_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.types.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t start = r.offset();
    const uint8_t form = TRY(r.u8());
    // The form is an s7 in the reference decoder: a continuation bit makes it too long.
    if (form & 0x80) return Error(Phase::Decode, "integer representation too long", start);
    if (form != kFuncTypeForm) return Error(Phase::Decode, "malformed function type", start);
    wasm::FuncType type;
    type.params = TRY(read_result_type(r, st.features));
    type.results = TRY(read_result_type(r, st.features));
    if (type.results.size() > 1) TRY(wasm::require(st.features, wasm::Feature::MultiValue, start));
    st.module.types.push_back(std::move(type));
  }
  return {};
}

Result<void> read_import_section(ByteReader& r, DecodeState& st) {
  wasm::Module& m = st.module;
  const uint32_t count = TRY(read_count(r));
  m.imports.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    wasm::Import imp;
    imp.module = TRY(read_name(r));
    imp.name = TRY(read_name(r));
    imp.kind = TRY(read_extern_kind(r, "malformed import kind"));
    switch (imp.kind) {
      case wasm::ExternKind::Func:
        imp.func_type = TRY(r.u32());
        ++m.imported_functions;
        break;
      case wasm::ExternKind::Table:
        imp.table = TRY(read_table_type(r, st.features));
        ++m.imported_tables;
        break;
      case wasm::ExternKind::Memory:
        imp.memory = TRY(read_memory_type(r));
        ++m.imported_memories;
        break;
      case wasm::ExternKind::Global:
        imp.global = TRY(read_global_type(r, st.features));
        ++m.imported_globals;
        break;
    }
    m.imports_by_kind[static_cast<size_t>(imp.kind)].push_back(uint32_t(m.imports.size()));
    m.imports.push_back(std::move(imp));
  }
  return {};
}

Result<void> read_function_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.function_types.reserve(count);
  for (uint32_t i = 0; i < count; ++i) st.function_types.push_back(TRY(r.u32()));
  return {};
}

Result<void> read_table_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.tables.reserve(count);
  for (uint32_t i = 0; i < count; ++i)
    st.module.tables.push_back(TRY(read_table_type(r, st.features)));
  return {};
}

Result<void> read_memory_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.memories.reserve(count);
  for (uint32_t i = 0; i < count; ++i) st.module.memories.push_back(TRY(read_memory_type(r)));
  return {};
}

Result<void> read_global_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.globals.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    wasm::Global global;
    global.type = TRY(read_global_type(r, st.features));
    global.init = TRY(read_const_expr(r, st.features));
    st.module.globals.push_back(std::move(global));
  }
  return {};
}

Result<void> read_export_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.module.exports.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    wasm::Export exp;
    exp.name = TRY(read_name(r));
    exp.kind = TRY(read_extern_kind(r, "malformed export kind"));
    exp.index = TRY(r.u32());
    st.module.exports.push_back(std::move(exp));
  }
  return {};
}

Result<void> read_start_section(ByteReader& r, DecodeState& st) {
  st.module.start = TRY(r.u32());
  return {};
}

Result<void> read_data_count_section(ByteReader& r, DecodeState& st) {
  // The section came with bulk memory (for memory.init and data.drop).
  TRY(wasm::require(st.features, wasm::Feature::BulkMemory, r.offset()));
  st.module.data_count = TRY(r.u32());
  return {};
}

}  // namespace lunatic::decoder::detail
