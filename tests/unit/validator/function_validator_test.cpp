// Operand-stack type checking of function bodies, on hand-built modules.
#include <gtest/gtest.h>

#include "module_builder.hpp"
#include "validator/validator.hpp"

namespace lunatic::validator::test {
namespace {

using wasm::ExternKind;
using I = ValType;

TEST(FunctionValidator, AcceptsSimpleArithmetic) {
  ModuleBuilder b;
  const uint32_t t = b.type({I::I32, I::I32}, {I::I32});
  b.func(t, {op(Opcode::LocalGet, 0), op(Opcode::LocalGet, 1), op(Opcode::I32Add)});
  EXPECT_EQ(check(b), "");
}

TEST(FunctionValidator, ReportsTypeMismatchWithOffsetAndContext) {
  ModuleBuilder b;
  const uint32_t t = b.type({I::I32, I::I64}, {I::I32});
  b.func(t, {op(Opcode::LocalGet, 0), op(Opcode::LocalGet, 1), op(Opcode::I32Add)});
  auto r = validate(b.module());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "type mismatch");
  EXPECT_EQ(r.error().offset, 1002u);  // the i32.add
  EXPECT_EQ(r.error().context, "function 0");
  EXPECT_EQ(r.error().phase, Phase::Validate);
}

TEST(FunctionValidator, ChecksResultsAtEnd) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {I::I32});
  b.func(t, {});
  EXPECT_EQ(check(b), "type mismatch");
  ModuleBuilder extra;
  extra.func(extra.type({}, {}), {op(Opcode::I32Const, 0, 0, 1)});
  EXPECT_EQ(check(extra), "type mismatch");
}

TEST(FunctionValidator, UnknownLocalNamesTheIndex) {
  ModuleBuilder b;
  const uint32_t t = b.type({I::I32}, {});
  b.func(t, {op(Opcode::LocalGet, 3), op(Opcode::Drop)}, {{2, I::F64}});
  EXPECT_EQ(check(b), "unknown local 3");
  ModuleBuilder ok;
  ok.func(ok.type({I::I32}, {I::F64}), {op(Opcode::LocalGet, 2)}, {{2, I::F64}});
  EXPECT_EQ(check(ok), "");
}

TEST(FunctionValidator, HugeLocalCountsAreLookedUpWithoutExpansion) {
  ModuleBuilder b;
  b.func(b.type({}, {I::I64}), {op(Opcode::LocalGet, 4000000000u)},
         {{100, I::I32}, {4000000000u, I::I64}});
  EXPECT_EQ(check(b), "");
}

TEST(FunctionValidator, UnreachableMakesStackPolymorphic) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {I::I32});
  b.func(t, {op(Opcode::Unreachable), op(Opcode::I64Eqz), op(Opcode::Drop), op(Opcode::Select)});
  EXPECT_EQ(check(b), "");
  ModuleBuilder bad;
  bad.func(bad.type({}, {I::I32}),
           {op(Opcode::Unreachable), op(Opcode::I64Const), op(Opcode::I32Eqz)});
  EXPECT_EQ(check(bad), "type mismatch");
}

TEST(FunctionValidator, BlocksCarryTheirResults) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {I::I32});
  b.func(t, {block(Opcode::Block, I::I32), op(Opcode::I32Const), op(Opcode::End)});
  EXPECT_EQ(check(b), "");
  ModuleBuilder bad;
  bad.func(bad.type({}, {I::I32}), {block(Opcode::Block, I::I32), op(Opcode::End)});
  EXPECT_EQ(check(bad), "type mismatch");
}

TEST(FunctionValidator, MultiValueBlocksTakeParameters) {
  ModuleBuilder b;
  const uint32_t bt = b.type({I::I32, I::I64}, {I::I64, I::I32});
  const uint32_t t = b.type({}, {I::I64, I::I32});
  b.func(t, {op(Opcode::I32Const), op(Opcode::I64Const), block_of_type(Opcode::Block, bt),
             op(Opcode::Drop), op(Opcode::Drop), op(Opcode::I64Const), op(Opcode::I32Const),
             op(Opcode::End)});
  EXPECT_EQ(check(b), "");
  ModuleBuilder bad;
  bad.type({}, {});
  bad.func(0, {block_of_type(Opcode::Block, 7), op(Opcode::End)});
  EXPECT_EQ(check(bad), "unknown type 7");
}

TEST(FunctionValidator, IfWithoutElseNeedsMatchingTypes) {
  ModuleBuilder b;
  b.func(b.type({}, {I::I32}),
         {op(Opcode::I32Const), block(Opcode::If, I::I32), op(Opcode::I32Const), op(Opcode::End)});
  EXPECT_EQ(check(b), "type mismatch");
  ModuleBuilder ok;
  ok.func(ok.type({}, {I::I32}),
          {op(Opcode::I32Const), block(Opcode::If, I::I32), op(Opcode::I32Const), op(Opcode::Else),
           op(Opcode::I32Const), op(Opcode::End)});
  EXPECT_EQ(check(ok), "");
  // A multi-value if [i32] -> [i32] may omit else: the parameter passes through.
  ModuleBuilder pass;
  const uint32_t bt = pass.type({I::I32}, {I::I32});
  pass.func(pass.type({}, {I::I32}), {op(Opcode::I32Const), op(Opcode::I32Const),
                                      block_of_type(Opcode::If, bt), op(Opcode::End)});
  EXPECT_EQ(check(pass), "");
}

TEST(FunctionValidator, BranchesCheckLabels) {
  ModuleBuilder b;
  b.func(b.type({}, {}), {block(Opcode::Block), op(Opcode::Br, 2), op(Opcode::End)});
  EXPECT_EQ(check(b), "unknown label 2");
  ModuleBuilder loop;  // a loop's label takes its parameters, not its results
  loop.func(loop.type({}, {I::I32}),
            {block(Opcode::Loop, I::I32), op(Opcode::Br, 0), op(Opcode::End)});
  EXPECT_EQ(check(loop), "");
  ModuleBuilder brif;
  brif.func(brif.type({}, {I::I32}), {block(Opcode::Block, I::I32), op(Opcode::I32Const),
                                      op(Opcode::I32Const), op(Opcode::BrIf, 0), op(Opcode::End)});
  EXPECT_EQ(check(brif), "");
}

TEST(FunctionValidator, BrTableLabelsMustAgreeInArity) {
  ModuleBuilder b;
  b.func(b.type({}, {I::I32}),
         {block(Opcode::Block), block(Opcode::Block, I::I32), op(Opcode::I32Const),
          op(Opcode::I32Const), op(Opcode::BrTable, 0, 1, 0), op(Opcode::End), op(Opcode::End),
          op(Opcode::I32Const)},
         {}, {1});
  EXPECT_EQ(check(b), "type mismatch");
  ModuleBuilder ok;
  ok.func(ok.type({}, {I::I32}),
          {block(Opcode::Block, I::I32), op(Opcode::I32Const), op(Opcode::I32Const),
           op(Opcode::BrTable, 0, 2, 1), op(Opcode::End)},
          {}, {0, 1});
  EXPECT_EQ(check(ok), "");
  ModuleBuilder unknown_label;
  unknown_label.func(unknown_label.type({}, {}),
                     {op(Opcode::I32Const), op(Opcode::BrTable, 0, 1, 0)}, {}, {5});
  EXPECT_EQ(check(unknown_label), "unknown label 5");
}

TEST(FunctionValidator, SelectRules) {
  ModuleBuilder b;
  b.func(b.type({}, {}), {op(Opcode::RefNull, 0x70), op(Opcode::RefNull, 0x70),
                          op(Opcode::I32Const), op(Opcode::Select), op(Opcode::Drop)});
  EXPECT_EQ(check(b), "type mismatch");
  ModuleBuilder typed;
  typed.func(typed.type({}, {}),
             {op(Opcode::RefNull, 0x70), op(Opcode::RefNull, 0x70), op(Opcode::I32Const),
              op(Opcode::SelectT, 1, 0x70), op(Opcode::Drop)});
  EXPECT_EQ(check(typed), "");
  ModuleBuilder arity;
  arity.func(arity.type({}, {}), {op(Opcode::Unreachable), op(Opcode::SelectT, 2, 0x7F)});
  EXPECT_EQ(check(arity), "invalid result arity");
  ModuleBuilder unreached;  // the unknown operand takes the other's type
  unreached.func(unreached.type({}, {I::I64}), {op(Opcode::Unreachable), op(Opcode::I64Const),
                                                op(Opcode::I32Const), op(Opcode::Select)});
  EXPECT_EQ(check(unreached), "");
}

TEST(FunctionValidator, CallsAndCallIndirect) {
  ModuleBuilder b;
  const uint32_t t = b.type({I::I32}, {I::I64});
  b.import_func(t);
  b.table(I::ExternRef, 1);
  b.func(t, {op(Opcode::LocalGet, 0), op(Opcode::Call, 0)});
  EXPECT_EQ(check(b), "");
  b.func(t, {op(Opcode::Call, 9)});
  EXPECT_EQ(check(b), "unknown function 9");
  b.module().functions.pop_back();
  b.func(t, {op(Opcode::LocalGet, 0), op(Opcode::I32Const), op(Opcode::CallIndirect, t, 0)});
  EXPECT_EQ(check(b), "type mismatch");  // the table holds externref
  b.module().functions.pop_back();
  b.func(t, {op(Opcode::LocalGet, 0), op(Opcode::I32Const), op(Opcode::CallIndirect, t, 3)});
  EXPECT_EQ(check(b), "unknown table 3");
}

TEST(FunctionValidator, GlobalsAndMutability) {
  ModuleBuilder b;
  b.global(I::I32, false, {op(Opcode::I32Const)});
  b.func(b.type({}, {}), {op(Opcode::I32Const), op(Opcode::GlobalSet, 0)});
  EXPECT_EQ(check(b), "global is immutable");
  ModuleBuilder u;
  u.func(u.type({}, {}), {op(Opcode::GlobalGet, 1), op(Opcode::Drop)});
  EXPECT_EQ(check(u), "unknown global 1");
}

TEST(FunctionValidator, MemoryInstructions) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {I::I64});
  b.func(t, {op(Opcode::I32Const), op(Opcode::I64Load, 3, 0)});
  EXPECT_EQ(check(b), "unknown memory 0");
  b.memory(1);
  EXPECT_EQ(check(b), "");
  b.module().functions[0].body[1].a = 4;
  EXPECT_EQ(check(b), "alignment must not be larger than natural");
  b.module().functions[0].body[1].a = 200;
  EXPECT_EQ(check(b), "alignment must not be larger than natural");
}

TEST(FunctionValidator, BulkMemoryNeedsDataCount) {
  ModuleBuilder b;
  b.memory(1);
  b.func(b.type({}, {}), {op(Opcode::I32Const), op(Opcode::I32Const), op(Opcode::I32Const),
                          op(Opcode::MemoryInit, 1)});
  b.module().data.push_back({wasm::SegmentMode::Passive, 0, {}, {1, 2}});
  b.module().data_count = 1;
  EXPECT_EQ(check(b), "unknown data segment 1");
  b.module().functions[0].body[3].a = 0;
  EXPECT_EQ(check(b), "");
  b.module().data_count.reset();
  EXPECT_EQ(check(b), "data count section required");
  // Without any data, an index is unknown before the missing section matters (memory_init.wast).
  b.module().data.clear();
  EXPECT_EQ(check(b), "unknown data segment 0");
}

TEST(FunctionValidator, BulkMemoryChecksMemoryFirst) {
  ModuleBuilder b;
  b.func(b.type({}, {}), {op(Opcode::I32Const), op(Opcode::I32Const), op(Opcode::I32Const),
                          op(Opcode::MemoryInit, 1)});
  EXPECT_EQ(check(b), "unknown memory 0");
}

TEST(FunctionValidator, TableInstructions) {
  ModuleBuilder b;
  b.table(I::FuncRef, 1);
  b.table(I::ExternRef, 1);
  const uint32_t t = b.type({}, {});
  b.func(t, {op(Opcode::I32Const), op(Opcode::I32Const), op(Opcode::I32Const),
             op(Opcode::TableCopy, 0, 1)});
  EXPECT_EQ(check(b), "type mismatch");
  b.module().functions[0].body[3].b = 0;
  EXPECT_EQ(check(b), "");
  b.func(t, {op(Opcode::I32Const), op(Opcode::TableGet, 1), op(Opcode::RefIsNull), op(Opcode::Drop),
             op(Opcode::TableSize, 1), op(Opcode::Drop), op(Opcode::ElemDrop, 4)});
  EXPECT_EQ(check(b), "unknown elem segment 4");
}

TEST(FunctionValidator, RefFuncNeedsDeclaration) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {});
  b.func(t, {op(Opcode::RefFunc, 0), op(Opcode::Drop)});
  EXPECT_EQ(check(b), "undeclared function reference");
  b.export_("f", ExternKind::Func, 0);
  EXPECT_EQ(check(b), "");
}

TEST(FunctionValidator, DeepNestingUsesNoNativeRecursion) {
  ModuleBuilder b;
  std::vector<wasm::Instr> body;
  constexpr int kDepth = 200000;
  for (int i = 0; i < kDepth; ++i) body.push_back(block(Opcode::Block));
  for (int i = 0; i < kDepth; ++i) body.push_back(op(Opcode::End));
  b.func(b.type({}, {}), std::move(body));
  EXPECT_EQ(check(b), "");
}

TEST(FunctionValidator, RejectsMissingOrExtraEnd) {
  ModuleBuilder b;
  b.func(b.type({}, {}), {block(Opcode::Block)});
  EXPECT_FALSE(validate(b.module()).ok());
  ModuleBuilder extra;
  extra.func(extra.type({}, {}), {});
  extra.module().functions[0].body.push_back(op(Opcode::Nop));
  EXPECT_FALSE(validate(extra.module()).ok());
  ModuleBuilder stray_else;
  stray_else.func(stray_else.type({}, {}), {op(Opcode::Else)});
  EXPECT_FALSE(validate(stray_else.module()).ok());
}

}  // namespace
}  // namespace lunatic::validator::test
