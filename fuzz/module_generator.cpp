// generate_module(): the module around the generated bodies, section by section in the
// binary format's order (spec 5.5). Every index it writes refers to something it declared.
#include "module_generator.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "body_generator.hpp"
#include "wasm_writer.hpp"

namespace lunatic::fuzz {
namespace {

using wasm::Opcode;
using wasm::ValType;

// Section ids (spec 5.5.2).
enum Section : uint8_t {
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
};

constexpr uint8_t kFuncTypeForm = 0x60;
constexpr uint8_t kFuncRef = static_cast<uint8_t>(ValType::FuncRef);
constexpr uint8_t kLimitsMinMax = 0x01;
constexpr uint8_t kExternFunc = 0x00;
constexpr uint8_t kExternMemory = 0x02;

// A value type: numeric, or with `simd` also v128.
ValType value_type(ByteSource& src, bool simd) {
  static constexpr ValType kTypes[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64,
                                       ValType::V128};
  return kTypes[src.below(simd ? 5 : 4)];
}

void write_types(const ModuleShape& shape, WasmWriter& out) {
  WasmWriter s;
  s.uleb(shape.types.size());
  for (const wasm::FuncType& ft : shape.types) {
    s.u8(kFuncTypeForm);
    s.uleb(ft.params.size());
    for (ValType t : ft.params) s.val_type(t);
    s.uleb(ft.results.size());
    for (ValType t : ft.results) s.val_type(t);
  }
  out.section(kType, s);
}

// `i32.const value end`: the offset of an active segment.
void write_offset(WasmWriter& s, uint32_t value) {
  s.op(Opcode::I32Const);
  s.sleb(value);
  s.op(Opcode::End);
}

void write_data(ByteSource& src, WasmWriter& out) {
  WasmWriter s;
  s.uleb(2);
  s.u8(0x00);  // active, memory 0
  write_offset(s, src.below(65536 - 16));
  const uint32_t active_bytes = src.below(16);
  s.uleb(active_bytes);
  for (uint32_t i = 0; i < active_bytes; ++i) s.u8(src.byte());
  s.u8(0x01);  // passive: the segment memory.init copies from
  s.uleb(20);
  for (uint32_t i = 0; i < 20; ++i) s.u8(src.byte());
  out.section(kData, s);
}

}  // namespace

std::vector<uint8_t> generate_module(std::span<const uint8_t> bytes, bool canonical_nans,
                                     bool simd) {
  ByteSource src(bytes);
  ModuleShape shape;
  shape.canonical_nans = canonical_nans;
  shape.simd = simd;
  const uint32_t type_count = 1 + src.below(4);
  for (uint32_t i = 0; i < type_count; ++i) {
    wasm::FuncType ft;
    ft.params.resize(src.below(4));
    for (ValType& t : ft.params) t = value_type(src, simd);
    ft.results.resize(src.below(3));
    for (ValType& t : ft.results) t = value_type(src, simd);
    shape.types.push_back(std::move(ft));
  }
  const uint32_t imported = src.below(2);
  const uint32_t defined = 1 + src.below(5);
  for (uint32_t i = 0; i < imported + defined; ++i)
    shape.function_types.push_back(src.below(type_count));
  shape.globals.resize(src.below(6));
  for (ValType& t : shape.globals) t = value_type(src, simd);
  shape.table_size = imported + defined;
  shape.passive_data = 1;
  shape.passive_elem = 1;

  WasmWriter out;
  out.fixed32(0x6D73'6100);  // "\0asm"
  out.fixed32(1);
  write_types(shape, out);

  WasmWriter s;
  if (imported != 0) {
    s.uleb(1);
    s.name("env");
    s.name("f");
    s.u8(kExternFunc);
    s.uleb(shape.function_types[0]);
    out.section(kImport, s);
  }

  s = {};
  s.uleb(defined);
  for (uint32_t i = 0; i < defined; ++i) s.uleb(shape.function_types[imported + i]);
  out.section(kFunction, s);

  s = {};
  s.uleb(1);
  s.u8(kFuncRef);
  s.u8(kLimitsMinMax);
  s.uleb(shape.table_size);
  s.uleb(shape.table_size + 4);  // room for table.grow
  out.section(kTable, s);

  s = {};
  s.uleb(1);
  s.u8(kLimitsMinMax);
  s.uleb(1);
  s.uleb(1 + src.below(3));
  out.section(kMemory, s);

  s = {};
  s.uleb(shape.globals.size());
  for (ValType t : shape.globals) {
    s.val_type(t);
    s.u8(0x01);  // mutable
    write_constant(src, s, t);
    s.op(Opcode::End);
  }
  out.section(kGlobal, s);

  s = {};
  s.uleb(defined + 1);
  for (uint32_t i = 0; i < defined; ++i) {
    s.name("f" + std::to_string(i));
    s.u8(kExternFunc);
    s.uleb(imported + i);
  }
  s.name("mem");
  s.u8(kExternMemory);
  s.uleb(0);
  out.section(kExport, s);

  s = {};
  s.uleb(2);
  s.u8(0x00);  // active, table 0, function indices: declares every function for ref.func
  write_offset(s, 0);
  s.uleb(shape.table_size);
  for (uint32_t i = 0; i < shape.table_size; ++i) s.uleb(i);
  s.u8(0x01);  // passive, function indices: the segment table.init copies from
  s.u8(0x00);  // elemkind funcref
  const uint32_t passive_items = 1 + src.below(4);
  s.uleb(passive_items);
  for (uint32_t i = 0; i < passive_items; ++i) s.uleb(src.below(shape.table_size));
  out.section(kElement, s);

  s = {};
  s.uleb(2);
  out.section(kDataCount, s);

  s = {};
  s.uleb(defined);
  for (uint32_t i = 0; i < defined; ++i) {
    WasmWriter body;
    generate_body(src, shape, shape.function_types[imported + i], body);
    s.uleb(body.size());
    s.append(body);
  }
  out.section(kCode, s);

  write_data(src, out);
  return std::move(out.bytes());
}

std::vector<uint8_t> generate_module_for_input(const uint8_t* data, size_t size,
                                               bool canonical_nans, bool simd) {
  std::vector<uint8_t> wasm =
      generate_module(std::span<const uint8_t>(data, size), canonical_nans, simd);
  if (const char* dump = std::getenv("LUNATIC_FUZZ_DUMP")) {
    if (FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(wasm.data(), 1, wasm.size(), f);
      std::fclose(f);
    }
  }
  return wasm;
}

}  // namespace lunatic::fuzz
