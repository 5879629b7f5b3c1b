// Unit tests of script values as the text layer parses them: their conversion to engine
// values and the matching of results, NaN patterns and references included.
#include "spec/values.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lunatic::spec {
namespace {

using engine::Value;
using wasm::ValType;

/// The script value `text` stands for as an expected result of assert_return.
ScriptValue expected(const std::string& text) {
  auto script = text::parse_script("(assert_return (invoke \"f\") " + text + ")");
  EXPECT_TRUE(script.ok()) << text << ": " << (script.ok() ? "" : script.error().message);
  if (!script.ok() || script->commands[0].expected.size() != 1) return ScriptValue{};
  return script->commands[0].expected[0];
}

/// The script value `text` stands for as an argument of invoke.
ScriptValue argument(const std::string& text) {
  auto script = text::parse_script("(invoke \"f\" " + text + ")");
  EXPECT_TRUE(script.ok()) << text << ": " << (script.ok() ? "" : script.error().message);
  if (!script.ok() || script->commands[0].action->args.size() != 1) return ScriptValue{};
  return script->commands[0].action->args[0];
}

TEST(SpecValues, IntegersMatchTheirBitPatterns) {
  ScriptValue v = expected("(i32.const 0xffffffff)");
  EXPECT_EQ(v.type, ValType::I32);
  EXPECT_EQ(v.kind, ValueKind::Exact);
  EXPECT_TRUE(matches(v, Value::i32(-1)));
  EXPECT_TRUE(matches(expected("(i32.const -1)"), Value::i32(-1)));
  EXPECT_FALSE(matches(v, Value::i32(1)));
  EXPECT_FALSE(matches(v, Value::i64(0xffffffff)));  // the type must match too

  ScriptValue w = expected("(i64.const -1)");
  EXPECT_TRUE(matches(w, Value::i64(-1)));
  EXPECT_FALSE(matches(w, Value::i64(0x7fffffffffffffff)));
  Result<Value> arg = to_argument(argument("(i64.const 0x8000000000000000)"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->bits, 0x8000000000000000ull);
}

TEST(SpecValues, FloatsCompareExactBits) {
  // -0.0 is not +0.0, and a NaN with an exact payload must match bit for bit.
  ScriptValue neg_zero = expected("(f32.const -0)");
  EXPECT_TRUE(matches(neg_zero, Value::f32(-0.0f)));
  EXPECT_FALSE(matches(neg_zero, Value::f32(0.0f)));
  ScriptValue nan = expected("(f64.const nan:0x8000000000001)");
  EXPECT_TRUE(matches(nan, Value::f64_bits(0x7ff8000000000001ull)));
  EXPECT_FALSE(matches(nan, Value::f64_bits(0x7ff8000000000000ull)));
  Result<Value> arg = to_argument(argument("(f32.const 1.5)"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->type, ValType::F32);
  EXPECT_EQ(arg->bits, 0x3fc00000u);
}

TEST(SpecValues, F32NanPatterns) {
  ScriptValue canonical = expected("(f32.const nan:canonical)");
  ScriptValue arithmetic = expected("(f32.const nan:arithmetic)");
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
  ScriptValue canonical = expected("(f64.const nan:canonical)");
  ScriptValue arithmetic = expected("(f64.const nan:arithmetic)");
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
  EXPECT_FALSE(to_argument(expected("(f32.const nan:canonical)")).ok());
  EXPECT_FALSE(to_argument(expected("(f64.const nan:arithmetic)")).ok());
}

TEST(SpecValues, ExternrefNMapsToSlotNPlusOne) {
  ScriptValue zero = expected("(ref.extern 0)");
  EXPECT_EQ(zero.kind, ValueKind::RefExtern);
  EXPECT_TRUE(matches(zero, Value::externref(1)));
  EXPECT_FALSE(matches(zero, Value::null(ValType::ExternRef)));
  Result<Value> arg = to_argument(argument("(ref.extern 41)"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->type, ValType::ExternRef);
  EXPECT_EQ(arg->bits, 42u);
  EXPECT_EQ(describe(zero), "externref:0");
  EXPECT_EQ(describe(*arg), "externref:41");
}

TEST(SpecValues, NullReferences) {
  ScriptValue ext = expected("(ref.null extern)");
  ScriptValue fn = expected("(ref.null func)");
  EXPECT_TRUE(matches(ext, Value::null(ValType::ExternRef)));
  EXPECT_FALSE(matches(ext, Value::null(ValType::FuncRef)));
  EXPECT_FALSE(matches(ext, Value::externref(1)));
  EXPECT_TRUE(matches(fn, Value::null(ValType::FuncRef)));
  Result<Value> arg = to_argument(argument("(ref.null func)"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->type, ValType::FuncRef);
  EXPECT_TRUE(arg->is_null());
  EXPECT_EQ(describe(fn), "funcref:null");
  EXPECT_EQ(describe(ext), "externref:null");
}

TEST(SpecValues, RefFuncMatchesAnyNonNullFuncref) {
  ScriptValue any = expected("(ref.func)");
  EXPECT_EQ(any.kind, ValueKind::RefFunc);
  EXPECT_TRUE(matches(any, Value{ValType::FuncRef, 0x1234}));
  EXPECT_FALSE(matches(any, Value::null(ValType::FuncRef)));
  EXPECT_FALSE(matches(any, Value::externref(7)));
  EXPECT_FALSE(to_argument(any).ok());
}

TEST(SpecValues, V128LanesAreLittleEndian) {
  ScriptValue v = expected("(v128.const i32x4 1 2 0x80000000 -1)");
  EXPECT_EQ(v.kind, ValueKind::Exact);
  EXPECT_EQ(v.bits, 0x0000000200000001ull);
  EXPECT_EQ(v.hi, 0xffffffff80000000ull);
  EXPECT_TRUE(matches(v, Value::v128(0x0000000200000001ull, 0xffffffff80000000ull)));
  EXPECT_FALSE(matches(v, Value::v128(0x0000000200000001ull, 0x7fffffff80000000ull)));
  Result<Value> arg =
      to_argument(argument("(v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1)"));
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ(arg->type, ValType::V128);
  EXPECT_EQ(arg->bits, 0x0706050403020100ull);
  EXPECT_EQ(arg->hi, 0xff0e0d0c0b0a0908ull);
  EXPECT_EQ(describe(*arg), "v128:0xff0e0d0c0b0a09080706050403020100");
}

TEST(SpecValues, V128NanPatternsMatchLaneByLane) {
  ScriptValue v = expected("(v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0.0)");
  EXPECT_EQ(v.pattern_lanes, 4);
  const uint64_t one = 0x3f800000ull, neg_zero = 0x80000000ull;
  // Lane 0 canonical (either sign), lane 2 any arithmetic NaN, lanes 1 and 3 exact.
  EXPECT_TRUE(matches(v, Value::v128(0x7fc00000ull | one << 32, 0x7fc00001ull | neg_zero << 32)));
  EXPECT_TRUE(matches(v, Value::v128(0xffc00000ull | one << 32, 0xffc00000ull | neg_zero << 32)));
  EXPECT_FALSE(matches(v, Value::v128(0x7fc00001ull | one << 32, 0x7fc00000ull | neg_zero << 32)));
  EXPECT_FALSE(matches(v, Value::v128(0x7fc00000ull | one << 32, 0x7f800001ull | neg_zero << 32)));
  EXPECT_FALSE(matches(v, Value::v128(0x7fc00000ull | one << 32, 0x7fc00000ull)));
  ScriptValue d = expected("(v128.const f64x2 2.5 nan:canonical)");
  EXPECT_EQ(d.pattern_lanes, 2);
  EXPECT_TRUE(matches(d, Value::v128(0x4004000000000000ull, 0xfff8000000000000ull)));
  EXPECT_FALSE(matches(d, Value::v128(0x4004000000000000ull, 0xfff8000000000001ull)));
  // A NaN pattern is no argument: the script does not parse.
  EXPECT_FALSE(text::parse_script("(invoke \"f\" (v128.const f32x4 nan:canonical 0 0 0))").ok());
}

TEST(SpecValues, ResultsCompareOnlyTheTypesBits) {
  // An i32 result slot is zero-extended; stray upper bits must not make a wrong match or miss.
  ScriptValue v = expected("(i32.const 7)");
  EXPECT_TRUE(matches(v, Value{ValType::I32, 0xdead000000000007ull}));
}

TEST(SpecValues, DescribeShowsValueAndBits) {
  EXPECT_EQ(describe(Value::i32(-1)), "i32:-1 (0xffffffff)");
  EXPECT_EQ(describe(Value::f64(1.5)), "f64:1.5 (0x3ff8000000000000)");
  EXPECT_EQ(describe(expected("(i32.const 42)")), "i32:42 (0x2a)");
  EXPECT_EQ(describe(expected("(f32.const nan:canonical)")), "f32:nan:canonical");
}

}  // namespace
}  // namespace lunatic::spec
