// Decoder: header, section framing and order, custom sections, cross-section checks.
#include <gtest/gtest.h>

#include "module_builder.hpp"

namespace lunatic::decoder::testing {
namespace {

TEST(DecodeModule, EmptyModuleDecodes) {
  auto m = decode_bytes(kHeader);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->types.empty());
  EXPECT_TRUE(m->functions.empty());
  EXPECT_FALSE(m->start.has_value());
}

TEST(DecodeModule, ShortInputIsUnexpectedEnd) {
  EXPECT_EQ(error_of({}), "unexpected end");
  EXPECT_EQ(error_of({0x00, 0x61, 0x73}), "unexpected end");
  EXPECT_EQ(error_of({0x00, 0x61, 0x73, 0x6D, 0x01}), "unexpected end");
}

TEST(DecodeModule, BadMagicAndVersion) {
  EXPECT_EQ(error_of({0x00, 0x41, 0x53, 0x4D, 0x01, 0x00, 0x00, 0x00}),
            "magic header not detected");
  EXPECT_EQ(error_of({0x61, 0x73, 0x6D, 0x00}), "magic header not detected");
  EXPECT_EQ(error_of({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00}), "unknown binary version");
  EXPECT_EQ(error_of({0x00, 0x61, 0x73, 0x6D, 0x00, 0x00, 0x00, 0x01}), "unknown binary version");
}

TEST(DecodeModule, MalformedSectionId) {
  EXPECT_EQ(error_of(module({{0x0D, 0x00}})), "malformed section id");
  EXPECT_EQ(error_of(module({{0x80, 0x01, 0x00}})), "malformed section id");
  auto m = decode_bytes(module({{0x0D, 0x00}}));
  EXPECT_EQ(m.error().offset, 8u);
}

TEST(DecodeModule, SectionOrderIsEnforced) {
  const Bytes mem = section(5, {0x00});
  const Bytes table = section(4, {0x00});
  EXPECT_EQ(error_of(module({mem, table})), "unexpected content after last section");
  EXPECT_EQ(error_of(module({mem, mem})), "unexpected content after last section");
  // The data count section (12) goes between element (9) and code (10).
  const Bytes data_count = section(12, {0x00});
  const Bytes elem = section(9, {0x00});
  EXPECT_EQ(error_of(module({elem, data_count})), "ok");
  EXPECT_EQ(error_of(module({data_count, elem})), "unexpected content after last section");
  EXPECT_EQ(error_of(module({data_count, section(11, {0x00})})), "ok");
}

TEST(DecodeModule, CustomSectionsGoAnywhere) {
  const Bytes custom = section(0, cat({str("hello"), Bytes{1, 2, 3}}));
  auto m = decode_bytes(module({custom, void_type_section(), custom, custom}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->types.size(), 1u);
}

TEST(DecodeModule, CustomSectionNameMustFitAndBeUtf8) {
  EXPECT_EQ(error_of(module({section(0, str("\xff"))})), "malformed UTF-8 encoding");
  // Size 0, so the name runs past the section's end.
  EXPECT_EQ(error_of(module({{0x00, 0x00, 0x00}})), "unexpected end");
  EXPECT_EQ(error_of(module({{0x00}})), "unexpected end");
  EXPECT_EQ(error_of(module({{0x00, 0x02, 0x05, 0x61}})), "length out of bounds");
}

TEST(DecodeModule, SectionSizeChecks) {
  // Size beyond the module.
  EXPECT_EQ(error_of(module({{0x01, 0x07, 0x01, 0x60, 0x00, 0x00}})), "length out of bounds");
  // Size shorter than the content: the next type is read and the size does not match.
  EXPECT_EQ(error_of(module({{0x01, 0x04, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00}})),
            "section size mismatch");
  // Size longer than the content.
  EXPECT_EQ(error_of(module({{0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00}})),
            "section size mismatch");
  // Content cut by the end of the module.
  EXPECT_EQ(error_of(module({{0x05, 0x01, 0x01}})), "unexpected end of section or function");
}

TEST(DecodeModule, FunctionAndCodeCountsMustAgree) {
  EXPECT_EQ(error_of(module({void_type_section(), func_section(2)})),
            "function and code section have inconsistent lengths");
  EXPECT_EQ(error_of(module({void_type_section(), code_section({body({0x00, 0x0B})})})),
            "function and code section have inconsistent lengths");
  EXPECT_EQ(error_of(module({void_type_section(), func_section(1),
                             code_section({body({0x00, 0x0B}), body({0x00, 0x0B})})})),
            "function and code section have inconsistent lengths");
}

TEST(DecodeModule, DataCountMustMatchDataSection) {
  const Bytes mem = section(5, {0x01, 0x00, 0x01});
  const Bytes passive = {0x01, 0x00};  // passive segment, no bytes
  EXPECT_EQ(error_of(module({mem, section(12, {0x01})})),
            "data count and data section have inconsistent lengths");
  EXPECT_EQ(error_of(module({mem, section(12, {0x02}), section(11, cat({{0x01}, passive}))})),
            "data count and data section have inconsistent lengths");
  auto m = decode_bytes(module({mem, section(12, {0x01}), section(11, cat({{0x01}, passive}))}));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->data_count, 1u);
}

TEST(DecodeModule, DataIndexNeedsDataCountSection) {
  const Bytes mem = section(5, {0x01, 0x00, 0x01});
  const Bytes data = section(11, {0x01, 0x01, 0x00});
  const Bytes drop = {0xFC, 0x09, 0x00, 0x0B};
  // One function's body: data.drop 0; the code section precedes the data section.
  auto with = [&](bool data_count) {
    Bytes out = module({void_type_section(), func_section(1), mem});
    if (data_count) out = cat({out, section(12, {0x01})});
    return cat({out, code_section({body(cat({{0x00}, drop}))}), data});
  };
  EXPECT_EQ(error_of(with(false)), "data count section required");
  EXPECT_EQ(error_of(with(true)), "ok");
}

TEST(DecodeModule, ErrorsCarryOffsets) {
  // The bad import kind byte is at offset 8 + 2 (section id, size) + 1 (count) + 2 (names).
  auto m = decode_bytes(module({section(2, {0x01, 0x00, 0x00, 0x07})}));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "malformed import kind");
  EXPECT_EQ(m.error().offset, 13u);
  EXPECT_EQ(m.error().context, "in import section");
}

}  // namespace
}  // namespace lunatic::decoder::testing
