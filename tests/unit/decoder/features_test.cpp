// Decoder: each proposal's instructions, types, segment forms and sections decode with its
// feature on and fail, at their offset and naming the proposal, with it off.
#include <gtest/gtest.h>

#include "module_builder.hpp"
#include "wasm/features.hpp"

namespace lunatic::decoder::testing {
namespace {

using wasm::Feature;
using wasm::Features;

/// Offset of the first instruction of one_function's body (see code_test.cpp).
constexpr uint64_t kFirstInstr = 23;

Features without(Feature f) { return Features().set(f, false); }

/// Decodes `bytes` with all features, then without `f`: "ok" then the error, which must be
/// `f`'s and at `offset`.
void expect_gated(const Bytes& bytes, Feature f, const char* message, uint64_t offset) {
  auto on = decode(bytes);
  EXPECT_TRUE(on.ok()) << on.error().to_string();
  auto off = decode(bytes, without(f));
  ASSERT_FALSE(off.ok()) << "decoded without " << wasm::feature_name(f);
  EXPECT_EQ(off.error().phase, Phase::Decode);
  EXPECT_EQ(off.error().message, std::string(message) + " (feature " + wasm::feature_name(f) + ")");
  EXPECT_EQ(off.error().offset, offset);
  // The MVP refuses it too, and every other feature alone leaves it alone.
  EXPECT_FALSE(decode(bytes, Features::mvp()).ok());
  for (uint8_t i = 0; i < wasm::kFeatureCount; ++i) {
    if (static_cast<Feature>(i) == f) continue;
    EXPECT_TRUE(decode(bytes, without(static_cast<Feature>(i))).ok())
        << "refused without " << wasm::feature_name(static_cast<Feature>(i));
  }
}

TEST(DecodeFeatures, Simd) {
  Bytes v128_const = {0xFD, 0x0C};
  v128_const.resize(18, 0x00);
  expect_gated(one_function(cat({v128_const, {0x1A, 0x0B}})), Feature::Simd, "SIMD is disabled",
               kFirstInstr);
  // A v128 local, without any SIMD instruction.
  expect_gated(module({void_type_section(), func_section(1),
                       code_section({body({0x01, 0x01, 0x7B, 0x0B})})}),
               Feature::Simd, "SIMD is disabled", 22 + 2);
}

TEST(DecodeFeatures, BulkMemory) {
  // memory.fill with its operands (the decoder does not check that a memory exists).
  expect_gated(one_function({0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x0B, 0x00, 0x0B}),
               Feature::BulkMemory, "bulk memory is disabled", kFirstInstr + 6);
  // The data count section, a passive data segment, a passive element segment.
  expect_gated(module({section(12, {0x00})}), Feature::BulkMemory, "bulk memory is disabled", 10);
  expect_gated(module({section(11, {0x01, 0x01, 0x00})}), Feature::BulkMemory,
               "bulk memory is disabled", 11);
  expect_gated(module({section(9, {0x01, 0x01, 0x00, 0x00})}), Feature::BulkMemory,
               "bulk memory is disabled", 11);
}

TEST(DecodeFeatures, ReferenceTypes) {
  expect_gated(one_function({0xD0, 0x70, 0x1A, 0x0B}), Feature::ReferenceTypes,
               "reference types are disabled", kFirstInstr);
  // An externref table; a funcref local (a funcref table is the MVP's).
  expect_gated(module({section(4, {0x01, 0x6F, 0x00, 0x00})}), Feature::ReferenceTypes,
               "reference types are disabled", 11);
  expect_gated(module({void_type_section(), func_section(1),
                       code_section({body({0x01, 0x01, 0x70, 0x0B})})}),
               Feature::ReferenceTypes, "reference types are disabled", 24);
  EXPECT_TRUE(decode(module({section(4, {0x01, 0x70, 0x00, 0x00})}), Features::mvp()).ok());
}

TEST(DecodeFeatures, MultiValue) {
  // A function type with two results; a block typed by a type index.
  expect_gated(module({section(1, {0x01, 0x60, 0x00, 0x02, 0x7F, 0x7F})}), Feature::MultiValue,
               "multi-value is disabled", 11);
  expect_gated(one_function({0x02, 0x00, 0x0B, 0x0B}), Feature::MultiValue,
               "multi-value is disabled", kFirstInstr + 1);
}

TEST(DecodeFeatures, SignExtension) {
  expect_gated(one_function({0x41, 0x00, 0xC0, 0x1A, 0x0B}), Feature::SignExtension,
               "sign-extension operators are disabled", kFirstInstr + 2);
}

TEST(DecodeFeatures, SaturatingFloatToInt) {
  expect_gated(one_function({0x43, 0x00, 0x00, 0x00, 0x00, 0xFC, 0x00, 0x1A, 0x0B}),
               Feature::SaturatingFloatToInt, "saturating float-to-int conversions are disabled",
               kFirstInstr + 5);
}

TEST(DecodeFeatures, TheErrorSaysWhere) {
  auto m = decode(one_function({0x41, 0x00, 0xC0, 0x1A, 0x0B}), Features::mvp());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().context, "in function body 0");
}

}  // namespace
}  // namespace lunatic::decoder::testing
