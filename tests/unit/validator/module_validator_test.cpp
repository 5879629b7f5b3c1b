// Module-level validation: limits, imports, globals and constant expressions, segments,
// start function and exports.
#include <gtest/gtest.h>

#include "module_builder.hpp"
#include "validator/validator.hpp"

namespace lunatic::validator::test {
namespace {

using wasm::ExternKind;
using I = ValType;

TEST(ModuleValidator, EmptyModuleIsValid) {
  ModuleBuilder b;
  EXPECT_EQ(check(b), "");
}

TEST(ModuleValidator, MemoryLimits) {
  ModuleBuilder b;
  b.memory(65537);
  EXPECT_EQ(check(b), "memory size must be at most 65536 pages (4GiB)");
  ModuleBuilder max;
  max.memory(0, 65537);
  EXPECT_EQ(check(max), "memory size must be at most 65536 pages (4GiB)");
  ModuleBuilder order;
  order.memory(2, 1);
  EXPECT_EQ(check(order), "size minimum must not be greater than maximum");
  ModuleBuilder ok;
  ok.memory(65536, 65536);
  EXPECT_EQ(check(ok), "");
}

TEST(ModuleValidator, TableLimits) {
  ModuleBuilder b;
  b.table(I::FuncRef, 0xFFFFFFFFu, 0xFFFFFFFFu);
  EXPECT_EQ(check(b), "");
  ModuleBuilder order;
  order.table(I::FuncRef, 3, 2);
  EXPECT_EQ(check(order), "size minimum must not be greater than maximum");
}

TEST(ModuleValidator, AtMostOneMemory) {
  ModuleBuilder b;
  b.memory(1);
  b.memory(1);
  EXPECT_EQ(check(b), "multiple memories");
}

TEST(ModuleValidator, ImportsNeedExistingTypes) {
  ModuleBuilder b;
  b.import_func(2);
  auto r = validate(b.module());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown type 2");
  EXPECT_EQ(r.error().context, "import \"m\" \"f\"");
}

TEST(ModuleValidator, GlobalInitialisersAreConstantAndTyped) {
  ModuleBuilder b;
  b.global(I::I32, false, {op(Opcode::I32Const), op(Opcode::I32Ctz)});
  EXPECT_EQ(check(b), "constant expression required");
  ModuleBuilder nop;
  nop.global(I::I32, false, {op(Opcode::Nop)});
  EXPECT_EQ(check(nop), "constant expression required");
  ModuleBuilder wrong;
  wrong.global(I::I32, false, {op(Opcode::F32Const)});
  EXPECT_EQ(check(wrong), "type mismatch");
  ModuleBuilder two;
  two.global(I::I32, false, {op(Opcode::I32Const), op(Opcode::I32Const)});
  EXPECT_EQ(check(two), "type mismatch");
  ModuleBuilder empty;
  empty.global(I::I32, false, {});
  EXPECT_EQ(check(empty), "type mismatch");
}

TEST(ModuleValidator, ConstantGlobalGetOnlyOfImmutableImports) {
  ModuleBuilder defined;
  defined.global(I::I32, false, {op(Opcode::I32Const)});
  defined.global(I::I32, false, {op(Opcode::GlobalGet, 0)});
  EXPECT_EQ(check(defined), "unknown global 0");
  ModuleBuilder imported;
  imported.import_global(I::I32, false);
  imported.global(I::I32, false, {op(Opcode::GlobalGet, 0)});
  EXPECT_EQ(check(imported), "");
  ModuleBuilder mut;
  mut.import_global(I::I32, true);
  mut.global(I::I32, false, {op(Opcode::GlobalGet, 0)});
  EXPECT_EQ(check(mut), "constant expression required");
}

TEST(ModuleValidator, ElementSegments) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {});
  b.func(t, {op(Opcode::RefFunc, 0), op(Opcode::Drop)});
  wasm::ElemSegment seg;
  seg.table_index = 0;
  seg.offset.instrs = {op(Opcode::I32Const)};
  seg.items.push_back({{op(Opcode::RefFunc, 0)}});
  b.module().elements.push_back(seg);
  EXPECT_EQ(check(b), "unknown table 0");
  b.table(I::FuncRef, 1);
  EXPECT_EQ(check(b), "");  // the segment also declares function 0 for ref.func
  b.module().elements[0].items.push_back({{op(Opcode::RefFunc, 5)}});
  EXPECT_EQ(check(b), "unknown function 5");
  b.module().elements[0].items.pop_back();
  b.module().elements[0].offset.instrs = {op(Opcode::I64Const)};
  EXPECT_EQ(check(b), "type mismatch");
  b.module().elements[0].offset.instrs = {op(Opcode::I32Const)};
  b.module().elements[0].type = I::ExternRef;
  EXPECT_EQ(check(b), "type mismatch");
}

TEST(ModuleValidator, DataSegments) {
  ModuleBuilder b;
  wasm::DataSegment seg;
  seg.offset.instrs = {op(Opcode::I32Const)};
  b.module().data.push_back(seg);
  EXPECT_EQ(check(b), "unknown memory 0");
  b.memory(1);
  EXPECT_EQ(check(b), "");
  b.module().data[0].offset.instrs = {op(Opcode::I32Const), op(Opcode::I32Const),
                                      op(Opcode::I32Add)};
  EXPECT_EQ(check(b), "constant expression required");
}

TEST(ModuleValidator, StartFunction) {
  ModuleBuilder b;
  b.func(b.type({I::I32}, {}), {});
  b.module().start = 1;
  EXPECT_EQ(check(b), "unknown function 1");
  b.module().start = 0;
  EXPECT_EQ(check(b), "start function");
}

TEST(ModuleValidator, Exports) {
  ModuleBuilder b;
  b.func(b.type({}, {}), {});
  b.export_("a", ExternKind::Func, 0);
  b.export_("b", ExternKind::Global, 0);
  EXPECT_EQ(check(b), "unknown global 0");
  b.module().exports.pop_back();
  b.export_("a", ExternKind::Func, 0);
  EXPECT_EQ(check(b), "duplicate export name");
}

}  // namespace
}  // namespace lunatic::validator::test
