// Decoder: the eight element segment forms and the three data segment forms.
#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

using wasm::Opcode;
using wasm::SegmentMode;
using wasm::ValType;

const Bytes kOffsetExpr = {0x41, 0x02, 0x0B};  // i32.const 2
const Bytes kNullExpr = {0xD0, 0x70, 0x0B};    // ref.null func

Result<wasm::Module> decode_elem(const Bytes& segment) {
  return decode_bytes(module({section(9, cat({{0x01}, segment}))}));
}

void expect_func_items(const wasm::ElemSegment& seg, std::vector<uint32_t> funcs) {
  ASSERT_EQ(seg.items.size(), funcs.size());
  for (size_t i = 0; i < funcs.size(); ++i) {
    ASSERT_EQ(seg.items[i].instrs.size(), 1u);
    EXPECT_EQ(seg.items[i].instrs[0].op, Opcode::RefFunc);
    EXPECT_EQ(seg.items[i].instrs[0].a, funcs[i]);
  }
}

TEST(DecodeElements, Form0ActiveFuncIndices) {
  auto m = decode_elem(cat({{0x00}, kOffsetExpr, {0x02, 0x03, 0x04}}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const auto& seg = m->elements[0];
  EXPECT_EQ(seg.mode, SegmentMode::Active);
  EXPECT_EQ(seg.table_index, 0u);
  EXPECT_EQ(seg.type, ValType::FuncRef);
  ASSERT_EQ(seg.offset.instrs.size(), 1u);
  EXPECT_EQ(seg.offset.instrs[0].c, 2u);
  expect_func_items(seg, {3, 4});
  EXPECT_EQ(seg.items[0].instrs[0].offset, 16u);  // where the index was
}

TEST(DecodeElements, Form1PassiveFuncIndices) {
  auto m = decode_elem({0x01, 0x00, 0x01, 0x05});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Passive);
  expect_func_items(m->elements[0], {5});
}

TEST(DecodeElements, Form2ActiveTableFuncIndices) {
  auto m = decode_elem(cat({{0x02, 0x03}, kOffsetExpr, {0x00, 0x01, 0x07}}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Active);
  EXPECT_EQ(m->elements[0].table_index, 3u);
  expect_func_items(m->elements[0], {7});
}

TEST(DecodeElements, Form3DeclarativeFuncIndices) {
  auto m = decode_elem({0x03, 0x00, 0x00});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Declarative);
  EXPECT_TRUE(m->elements[0].items.empty());
}

TEST(DecodeElements, Form4ActiveExpressions) {
  auto m = decode_elem(cat({{0x04}, kOffsetExpr, {0x02}, kNullExpr, {0xD2, 0x09, 0x0B}}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const auto& seg = m->elements[0];
  EXPECT_EQ(seg.mode, SegmentMode::Active);
  EXPECT_EQ(seg.type, ValType::FuncRef);
  ASSERT_EQ(seg.items.size(), 2u);
  EXPECT_EQ(seg.items[0].instrs[0].op, Opcode::RefNull);
  EXPECT_EQ(seg.items[0].instrs[0].a, 0x70u);
  EXPECT_EQ(seg.items[1].instrs[0].op, Opcode::RefFunc);
  EXPECT_EQ(seg.items[1].instrs[0].a, 9u);
}

TEST(DecodeElements, Form5PassiveExpressions) {
  auto m = decode_elem(cat({{0x05, 0x6F, 0x01}, {0xD0, 0x6F, 0x0B}}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Passive);
  EXPECT_EQ(m->elements[0].type, ValType::ExternRef);
}

TEST(DecodeElements, Form6ActiveTableExpressions) {
  auto m = decode_elem(cat({{0x06, 0x01}, kOffsetExpr, {0x70, 0x01}, kNullExpr}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Active);
  EXPECT_EQ(m->elements[0].table_index, 1u);
  EXPECT_EQ(m->elements[0].items.size(), 1u);
}

TEST(DecodeElements, Form7DeclarativeExpressions) {
  auto m = decode_elem(cat({{0x07, 0x70, 0x01}, kNullExpr}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->elements[0].mode, SegmentMode::Declarative);
}

TEST(DecodeElements, MalformedSegments) {
  EXPECT_EQ(decode_elem({0x08, 0x00}).error().message, "malformed elements segment kind");
  EXPECT_EQ(decode_elem({0x01, 0x01, 0x00}).error().message, "malformed element kind");
  EXPECT_EQ(decode_elem({0x05, 0x7F, 0x00}).error().message, "malformed reference type");
  EXPECT_EQ(decode_elem({0x05, 0x70, 0x01, 0xF3, 0x00, 0x0B}).error().message, "illegal opcode");
}

TEST(DecodeData, ThreeForms) {
  const Bytes segs = cat({{0x03},
                          {0x00},
                          kOffsetExpr,
                          str("ab"),  // active, memory 0
                          {0x01},
                          str("xyz"),  // passive
                          {0x02, 0x01},
                          kOffsetExpr,
                          str("")});  // active, memory 1
  auto m = decode_bytes(module({section(11, segs)}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  ASSERT_EQ(m->data.size(), 3u);
  EXPECT_EQ(m->data[0].mode, SegmentMode::Active);
  EXPECT_EQ(m->data[0].bytes, (Bytes{'a', 'b'}));
  EXPECT_EQ(m->data[0].offset.instrs.size(), 1u);
  EXPECT_EQ(m->data[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m->data[1].bytes, (Bytes{'x', 'y', 'z'}));
  EXPECT_EQ(m->data[2].memory_index, 1u);
  EXPECT_TRUE(m->data[2].bytes.empty());
}

TEST(DecodeData, MalformedSegments) {
  EXPECT_EQ(error_of(module({section(11, {0x01, 0x03, 0x00})})), "malformed data segment kind");
  // Seven bytes announced, six given.
  EXPECT_EQ(error_of(module({section(11, cat({{0x01, 0x01, 0x07}, Bytes(6, 0x61)}))})),
            "unexpected end of section or function");
}

}  // namespace
}  // namespace lunatic::decoder::testing
