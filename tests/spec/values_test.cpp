// Unit tests of script values: parsing wast2json's encoding and matching results, NaN patterns
// and references included.
#include "spec/values.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lunatic::spec {
namespace {

using engine::Value;
using wasm::ValType;

ScriptValue parse(const char* json_text) {
  Result<ScriptValue> v = parse_value(nlohmann::json::parse(json_text));
  EXPECT_TRUE(v.ok()) << json_text << ": " << (v.ok() ? "" : v.error().message);
  return v.ok() ? *v : ScriptValue{};
}

bool rejected(const char* json_text) { return !parse_value(nlohmann::json::parse(json_text)).ok(); }

TEST(SpecValues, IntegersAreUnsignedDecimalBitPatterns) {
  ScriptValue v = parse(R"({"type": "i32", "value": "4294967295"})");
  EXPECT_EQ(v.type, ValType::I32);
  EXPECT_EQ(v.kind, ValueKind::Exact);
  EXPECT_TRUE(matches(v, Value::i32(-1)));
  EXPECT_FALSE(matches(v, Value::i32(1)));
  EXPECT_FALSE(matches(v, Value::i64(0xffffffff)));  // the type must match too

  ScriptValue w = parse(R"({"type": "i64", "value": "18446744073709551615"})");
  EXPECT_TRUE(matches(w, Value::i64(-1)));
  EXPECT_FALSE(matches(w, Value::i64(0x7fffffffffffffff)));
}

TEST(SpecValues, RejectsValuesOutsideTheirWidthOrNotNumbers) {
  EXPECT_TRUE(rejected(R"({"type": "i32", "value": "4294967296"})"));
  EXPECT_TRUE(rejected(R"({"type": "f32", "value": "4294967296"})"));
  EXPECT_TRUE(rejected(R"({"type": "i64", "value": "18446744073709551616"})"));
  EXPECT_TRUE(rejected(R"({"type": "i32", "value": "-1"})"));
  EXPECT_TRUE(rejected(R"({"type": "i32", "value": "12abc"})"));
  EXPECT_TRUE(rejected(R"({"type": "i32", "value": ""})"));
  EXPECT_TRUE(rejected(R"({"type": "i32", "value": 5})"));
  EXPECT_TRUE(rejected(R"({"type": "i32"})"));
  EXPECT_TRUE(rejected(R"({"type": "i128", "value": "0"})"));
  EXPECT_TRUE(rejected(R"({"value": "0"})"));
  EXPECT_TRUE(rejected(R"(["i32", "0"])"));
  EXPECT_TRUE(rejected(R"({"type": "externref", "value": "x"})"));
}

TEST(SpecValues, FloatsCompareExactBits) {
  // -0.0 is not +0.0, and a NaN with an exact payload must match bit for bit.
  ScriptValue neg_zero = parse(R"({"type": "f32", "value": "2147483648"})");
  EXPECT_TRUE(matches(neg_zero, Value::f32(-0.0f)));
  EXPECT_FALSE(matches(neg_zero, Value::f32(0.0f)));
  ScriptValue nan = parse(R"({"type": "f64", "value": "9221120237041090561"})");  // 0x7ff8..01
  EXPECT_TRUE(matches(nan, Value::f64_bits(0x7ff8000000000001ull)));
  EXPECT_FALSE(matches(nan, Value::f64_bits(0x7ff8000000000000ull)));
}

TEST(SpecValues, F32NanPatterns) {
  ScriptValue canonical = parse(R"({"type": "f32", "value": "nan:canonical"})");
  ScriptValue arithmetic = parse(R"({"type": "f32", "value": "nan:arithmetic"})");
  EXPECT_EQ(canonical.kind, ValueKind::NanCanonical);
  EXPECT_EQ(arithmetic.kind, ValueKind::NanArithmetic);

  EXPECT_TRUE(matches(canonical, Value::f32_bits(0x7fc00000)));
  EXPECT_TRUE(matches(canonical, Value::f32_bits(0xffc00000)));   // either sign
  EXPECT_FALSE(matches(canonical, Value::f32_bits(0x7fc00001)));  // arithmetic, not canonical
  EXPECT_FALSE(matches(canonical, Value::f32_bits(0x7f800000)));  // infinity
  EXPECT_FALSE(matches(canonical, Value::f64_bits(0x7ff8000000000000ull)));

  EXPECT_TRUE(matches(arithmetic, Value::f32_bits(0x7fc00000)));
  EXPECT_TRUE(matches(arithmetic, Value::f32_bits(0xffc00001)));
  EXPECT_TRUE(matches(arithmetic, Value::f32_bits(0x7fffffff)));
  EXPECT_FALSE(matches(arithmetic, Value::f32_bits(0x7fa00000)));  // signalling NaN
  EXPECT_FALSE(matches(arithmetic, Value::f32_bits(0x7f800000)));
  EXPECT_FALSE(matches(arithmetic, Value::f32(1.0f)));
}

TEST(SpecValues, F64NanPatterns) {
  ScriptValue canonical = parse(R"({"type": "f64", "value": "nan:canonical"})");
  ScriptValue arithmetic = parse(R"({"type": "f64", "value": "nan:arithmetic"})");
  EXPECT_TRUE(matches(canonical, Value::f64_bits(0x7ff8000000000000ull)));
  EXPECT_TRUE(matches(canonical, Value::f64_bits(0xfff8000000000000ull)));
  EXPECT_FALSE(matches(canonical, Value::f64_bits(0x7ff8000000000001ull)));
  EXPECT_FALSE(matches(canonical, Value::f32_bits(0x7fc00000)));

  EXPECT_TRUE(matches(arithmetic, Value::f64_bits(0x7ff8000000000000ull)));
  EXPECT_TRUE(matches(arithmetic, Value::f64_bits(0xfffc000000000000ull)));
  EXPECT_FALSE(matches(arithmetic, Value::f64_bits(0x7ff4000000000000ull)));  // signalling
  EXPECT_FALSE(matches(arithmetic, Value::f64_bits(0x7ff0000000000000ull)));  // infinity
}

TEST(SpecValues, NanPatternsCannotBeArguments) {
  EXPECT_FALSE(to_argument(parse(R"({"type": "f32", "value": "nan:canonical"})")).ok());
  EXPECT_FALSE(to_argument(parse(R"({"type": "f64", "value": "nan:arithmetic"})")).ok());
}

TEST(SpecValues, ExternrefNMapsToSlotNPlusOne) {
  ScriptValue zero = parse(R"({"type": "externref", "value": "0"})");
  EXPECT_EQ(zero.bits, 1u);
  EXPECT_TRUE(matches(zero, Value::externref(1)));
  EXPECT_FALSE(matches(zero, Value::null(ValType::ExternRef)));
  Result<Value> arg = to_argument(parse(R"({"type": "externref", "value": "41"})"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->type, ValType::ExternRef);
  EXPECT_EQ(arg->bits, 42u);
  EXPECT_EQ(describe(zero), "externref:0");
  EXPECT_EQ(describe(*arg), "externref:41");
}

TEST(SpecValues, NullReferences) {
  ScriptValue ext = parse(R"({"type": "externref", "value": "null"})");
  ScriptValue fn = parse(R"({"type": "funcref", "value": "null"})");
  EXPECT_TRUE(matches(ext, Value::null(ValType::ExternRef)));
  EXPECT_FALSE(matches(ext, Value::null(ValType::FuncRef)));
  EXPECT_FALSE(matches(ext, Value::externref(1)));
  EXPECT_TRUE(matches(fn, Value::null(ValType::FuncRef)));
  Result<Value> arg = to_argument(fn);
  ASSERT_TRUE(arg.ok());
  EXPECT_TRUE(arg->is_null());
  EXPECT_EQ(describe(fn), "funcref:null");
}

TEST(SpecValues, NonNullFuncrefMatchesAnyNonNull) {
  ScriptValue any = parse(R"({"type": "funcref"})");
  EXPECT_EQ(any.kind, ValueKind::RefNonNull);
  EXPECT_TRUE(matches(any, Value{ValType::FuncRef, 0x1234}));
  EXPECT_FALSE(matches(any, Value::null(ValType::FuncRef)));
  EXPECT_FALSE(matches(any, Value::externref(7)));
  EXPECT_FALSE(to_argument(any).ok());
}

TEST(SpecValues, V128IsParsedButUnsupported) {
  ScriptValue v = parse(R"({"type": "v128", "lane_type": "i32", "value": ["0", "0", "0", "0"]})");
  EXPECT_EQ(v.kind, ValueKind::Unsupported);
  EXPECT_FALSE(matches(v, Value{ValType::V128, 0}));
  EXPECT_FALSE(to_argument(v).ok());
}

TEST(SpecValues, ResultsCompareOnlyTheTypesBits) {
  // An i32 result slot is zero-extended; stray upper bits must not make a wrong match or miss.
  ScriptValue v = parse(R"({"type": "i32", "value": "7"})");
  EXPECT_TRUE(matches(v, Value{ValType::I32, 0xdead000000000007ull}));
}

TEST(SpecValues, DescribeShowsValueAndBits) {
  EXPECT_EQ(describe(Value::i32(-1)), "i32:-1 (0xffffffff)");
  EXPECT_EQ(describe(Value::f64(1.5)), "f64:1.5 (0x3ff8000000000000)");
  EXPECT_EQ(describe(parse(R"({"type": "i32", "value": "42"})")), "i32:42 (0x2a)");
  EXPECT_EQ(describe(parse(R"({"type": "f32", "value": "nan:canonical"})")), "f32:nan:canonical");
}

}  // namespace
}  // namespace lunatic::spec
