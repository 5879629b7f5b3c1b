// Text modules under a feature set: the parser refuses the instructions and types of a disabled
// proposal at their token; what only the binary shows (segment forms, several results of a
// function type, mutable global imports) the decoder and validator refuse with the same set.
#include <gtest/gtest.h>

#include "decoder/decoder.hpp"
#include "text/text.hpp"
#include "validator/validator.hpp"
#include "wasm/features.hpp"

namespace lunatic::text {
namespace {

using wasm::Feature;
using wasm::Features;

/// Parses, decodes and validates `wat` under `features`: "ok", or the first error's message
/// and, for the parser's errors, " at line:column".
std::string compile(std::string_view wat, const Features& features) {
  auto bytes = parse_module(wat, features);
  if (!bytes) return bytes.error().message + " at " + bytes.error().context;
  auto m = decoder::decode(*bytes, features);
  if (!m) return m.error().message;
  auto v = validator::validate(*m, features);
  if (!v) return v.error().message;
  return "ok";
}

/// "ok" with every feature, and `expected` without `f`.
void expect_gated(std::string_view wat, Feature f, const std::string& expected) {
  EXPECT_EQ(compile(wat, Features()), "ok") << wat;
  EXPECT_EQ(compile(wat, Features().set(f, false)), expected) << wat;
}

TEST(TextFeatures, Simd) {
  expect_gated("(module (func (drop (v128.const i64x2 0 0))))", Feature::Simd,
               "SIMD is disabled (feature simd) at 1:22");
  expect_gated("(module (func (param v128)))", Feature::Simd,
               "SIMD is disabled (feature simd) at 1:22");
}

TEST(TextFeatures, BulkMemory) {
  expect_gated(
      "(module (memory 1)\n (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))",
      Feature::BulkMemory, "bulk memory is disabled (feature bulk-memory) at 2:9");
  // A passive segment: refused by the decoder, at its binary form.
  expect_gated("(module (memory 1) (data \"x\"))", Feature::BulkMemory,
               "bulk memory is disabled (feature bulk-memory)");
}

TEST(TextFeatures, ReferenceTypes) {
  expect_gated("(module (func (drop (ref.null func))))", Feature::ReferenceTypes,
               "reference types are disabled (feature reference-types) at 1:22");
  expect_gated("(module (table 1 externref))", Feature::ReferenceTypes,
               "reference types are disabled (feature reference-types) at 1:18");
  expect_gated(
      "(module (func (drop (select (result i32) (i32.const 0) (i32.const 1) (i32.const 1)))))",
      Feature::ReferenceTypes, "reference types are disabled (feature reference-types) at 1:22");
  expect_gated("(module (table 1 funcref) (table 1 funcref))", Feature::ReferenceTypes,
               "reference types are disabled (feature reference-types)");
}

TEST(TextFeatures, MultiValue) {
  expect_gated("(module (func (block (result i32 i32) (i32.const 0) (i32.const 0)) (drop) (drop)))",
               Feature::MultiValue, "multi-value is disabled (feature multi-value) at 1:22");
  expect_gated("(module (func (result i32 i32) (i32.const 0) (i32.const 0)))", Feature::MultiValue,
               "multi-value is disabled (feature multi-value)");
}

TEST(TextFeatures, SignExtension) {
  expect_gated("(module (func (drop (i32.extend8_s (i32.const 0)))))", Feature::SignExtension,
               "sign-extension operators are disabled (feature sign-extension) at 1:22");
}

TEST(TextFeatures, SaturatingFloatToInt) {
  expect_gated("(module (func (drop (i32.trunc_sat_f32_s (f32.const 0)))))",
               Feature::SaturatingFloatToInt,
               "saturating float-to-int conversions are disabled "
               "(feature saturating-float-to-int) at 1:22");
}

TEST(TextFeatures, MutableGlobals) {
  expect_gated("(module (import \"m\" \"g\" (global (mut i32))))", Feature::MutableGlobals,
               "import and export of mutable globals is disabled (feature mutable-globals)");
  expect_gated("(module (global (export \"g\") (mut i32) (i32.const 0)))", Feature::MutableGlobals,
               "import and export of mutable globals is disabled (feature mutable-globals)");
}

TEST(TextFeatures, MvpModulesStillParse) {
  EXPECT_EQ(compile("(module (memory 1) (table 1 funcref) (global i32 (i32.const 1))\n"
                    " (func (result i32) (block (result i32) (i32.const 7))))",
                    Features::mvp()),
            "ok");
}

}  // namespace
}  // namespace lunatic::text
