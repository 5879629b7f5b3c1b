// The feature set: defaults, names, and which proposal each instruction and value type has.
#include "wasm/features.hpp"

#include <gtest/gtest.h>

namespace lunatic::wasm {
namespace {

TEST(Features, DefaultIsWasm2AndMvpHasNone) {
  const Features all;
  const Features mvp = Features::mvp();
  for (uint8_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    EXPECT_TRUE(all.has(f)) << feature_name(f);
    EXPECT_FALSE(mvp.has(f)) << feature_name(f);
  }
  EXPECT_NE(all, mvp);
}

TEST(Features, SetTogglesOneBit) {
  Features f;
  f.set(Feature::Simd, false);
  EXPECT_FALSE(f.has(Feature::Simd));
  EXPECT_TRUE(f.has(Feature::BulkMemory));
  EXPECT_EQ(f.bits(), Features().bits() & ~uint64_t{1});  // simd is bit 0 (features.def)
  f.set(Feature::Simd, true);
  EXPECT_EQ(f, Features());
}

TEST(Features, NamesRoundTrip) {
  for (uint8_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    EXPECT_EQ(feature_by_name(feature_name(f)), f);
  }
  EXPECT_EQ(feature_by_name("bulk-memory"), Feature::BulkMemory);
  EXPECT_EQ(feature_by_name("bulk_memory"), std::nullopt);
  EXPECT_EQ(feature_by_name(""), std::nullopt);
  EXPECT_NE(feature_names().find("saturating-float-to-int"), std::string::npos);
}

TEST(Features, InstructionsBelongToTheirProposal) {
  EXPECT_EQ(feature_of(Opcode::I32Add), std::nullopt);
  EXPECT_EQ(feature_of(Opcode::Select), std::nullopt);
  EXPECT_EQ(feature_of(Opcode::CallIndirect), std::nullopt);
  EXPECT_EQ(feature_of(Opcode::MemoryGrow), std::nullopt);
  EXPECT_EQ(feature_of(Opcode::I8x16Shuffle), Feature::Simd);
  EXPECT_EQ(feature_of(Opcode::V128Const), Feature::Simd);
  EXPECT_EQ(feature_of(Opcode::I32TruncSatF32S), Feature::SaturatingFloatToInt);
  EXPECT_EQ(feature_of(Opcode::I64TruncSatF64U), Feature::SaturatingFloatToInt);
  EXPECT_EQ(feature_of(Opcode::MemoryInit), Feature::BulkMemory);
  EXPECT_EQ(feature_of(Opcode::MemoryFill), Feature::BulkMemory);
  EXPECT_EQ(feature_of(Opcode::TableCopy), Feature::BulkMemory);
  EXPECT_EQ(feature_of(Opcode::TableGrow), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::TableFill), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::TableGet), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::SelectT), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::RefNull), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::RefFunc), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(Opcode::I32Extend8S), Feature::SignExtension);
  EXPECT_EQ(feature_of(Opcode::I64Extend32S), Feature::SignExtension);
  EXPECT_EQ(feature_of(Opcode::I64ExtendI32S), std::nullopt);  // the MVP's 0xAC
}

TEST(Features, ValueTypes) {
  EXPECT_EQ(feature_of(ValType::I32), std::nullopt);
  EXPECT_EQ(feature_of(ValType::F64), std::nullopt);
  EXPECT_EQ(feature_of(ValType::V128), Feature::Simd);
  EXPECT_EQ(feature_of(ValType::FuncRef), Feature::ReferenceTypes);
  EXPECT_EQ(feature_of(ValType::ExternRef), Feature::ReferenceTypes);
}

TEST(Features, DisabledErrorNamesTheProposalAndTheFeature) {
  const Error e = feature_disabled(Feature::Simd, Phase::Decode, 0x1b7);
  EXPECT_EQ(e.message, "SIMD is disabled (feature simd)");
  EXPECT_EQ(e.offset, 0x1b7u);
  EXPECT_EQ(e.phase, Phase::Decode);
  Features no_simd;
  no_simd.set(Feature::Simd, false);
  EXPECT_TRUE(require_for(no_simd, Opcode::I32Add, 3).ok());
  EXPECT_FALSE(require_for(no_simd, Opcode::V128Const, 3).ok());
  EXPECT_TRUE(require_for(no_simd, Opcode::RefNull, 3).ok());
}

TEST(Features, ReferenceTypesRequireBulkMemory) {
  EXPECT_TRUE(check_requirements(Features()).ok());
  EXPECT_TRUE(check_requirements(Features::mvp()).ok());
  Features no_bulk;
  no_bulk.set(Feature::BulkMemory, false);
  const Result<void> refused = check_requirements(no_bulk);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().phase, Phase::Usage);
  EXPECT_NE(refused.error().message.find("reference-types needs bulk-memory"), std::string::npos);
  no_bulk.set(Feature::ReferenceTypes, false);
  EXPECT_TRUE(check_requirements(no_bulk).ok());
  EXPECT_TRUE(check_requirements(Features::mvp().set(Feature::BulkMemory, true)).ok());
}

}  // namespace
}  // namespace lunatic::wasm
