// Floating point compiled vs interpreted, bit for bit: arithmetic, compares, min/max with NaNs
// and signed zeros, rounding (nearest ties to even), the trapping truncations at their exact
// bounds, the saturating ones, conversions, demote/promote and reinterpretations.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

const char* const kBinary[] = {"add", "sub", "mul", "div", "min", "max", "copysign",
                               "eq",  "ne",  "lt",  "gt",  "le",  "ge"};
const char* const kUnary[] = {"abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"};
const char* const kTruncs[] = {
    "i32.trunc_f32_s",     "i32.trunc_f32_u",     "i32.trunc_f64_s",     "i32.trunc_f64_u",
    "i64.trunc_f32_s",     "i64.trunc_f32_u",     "i64.trunc_f64_s",     "i64.trunc_f64_u",
    "i32.trunc_sat_f32_s", "i32.trunc_sat_f32_u", "i32.trunc_sat_f64_s", "i32.trunc_sat_f64_u",
    "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u", "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u"};
const char* const kConverts[] = {"f32.convert_i32_s", "f32.convert_i32_u", "f64.convert_i32_s",
                                 "f64.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u",
                                 "f64.convert_i64_s", "f64.convert_i64_u"};

// abs, neg and copysign are bit operations: their NaNs must come out exactly. Arithmetic may
// return any quiet NaN when an operand is NaN (spec 4.3.3, "NaN propagation").
NanRule nans(const std::string& op) {
  return op == "abs" || op == "neg" || op == "copysign" ? NanRule::Exact : NanRule::AnyQuiet;
}

bool is_compare(const std::string& op) {
  return op == "eq" || op == "ne" || op == "lt" || op == "gt" || op == "le" || op == "ge";
}

std::string float_module() {
  std::string wat = "(module\n";
  for (const char* t : {"f32", "f64"}) {
    for (const char* op : kBinary) {
      wat += std::string("(func (export \"") + t + "." + op + "\") (param " + t + " " + t +
             ") (result " + (is_compare(op) ? "i32" : t) + ") (" + t + "." + op +
             " (local.get 0) (local.get 1)))\n";
    }
    for (const char* op : kUnary) {
      wat += std::string("(func (export \"") + t + "." + op + "\") (param " + t + ") (result " + t +
             ") (" + t + "." + op + " (local.get 0)))\n";
    }
  }
  for (const std::string op : kTruncs) {
    const std::string from = op.substr(op.find('f'), 3);
    wat += "(func (export \"" + op + "\") (param " + from + ") (result " + op.substr(0, 3) + ") (" +
           op + " (local.get 0)))\n";
  }
  for (const std::string op : kConverts) {
    wat += "(func (export \"" + op + "\") (param " + op.substr(op.size() - 5, 3) + ") (result " +
           op.substr(0, 3) + ") (" + op + " (local.get 0)))\n";
  }
  wat += R"(
    (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
    (func (export "promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
    (func (export "bits32") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
    (func (export "bits64") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0)))
    (func (export "from_bits32") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
    (func (export "from_bits64") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0)))
    (func (export "snan_const32") (result i32) (i32.reinterpret_f32 (f32.const nan:0x200000)))
    (func (export "snan_const64") (result i64)
      (i64.reinterpret_f64 (f64.const -nan:0x4000000000000)))
    (func (export "neg_zero") (result f64) (f64.const -0))
  )";
  return wat + ")";
}

std::vector<float> f32_values() {
  const float inf = std::numeric_limits<float>::infinity();
  return {0.0f,
          -0.0f,
          1.0f,
          -1.0f,
          0.5f,
          -0.5f,
          1.5f,
          2.5f,
          -2.5f,
          3.5f,
          -3.5f,
          0.49999997f,
          inf,
          -inf,
          std::bit_cast<float>(0x7fc00000u),
          std::bit_cast<float>(0xffc00001u),
          std::bit_cast<float>(0x7fa00000u),
          std::numeric_limits<float>::max(),
          std::numeric_limits<float>::denorm_min(),
          2147483648.0f,
          2147483520.0f,
          -2147483648.0f,
          -2147483904.0f,
          4294967296.0f,
          4294967040.0f,
          9223372036854775808.0f,
          -9223372036854775808.0f,
          -9223373136366403584.0f,
          18446744073709551616.0f,
          18446742974197923840.0f,
          -0.99999994f,
          1e10f,
          -1e10f};
}

std::vector<double> f64_values() {
  const double inf = std::numeric_limits<double>::infinity();
  return {0.0,
          -0.0,
          1.0,
          -1.0,
          0.5,
          -0.5,
          1.5,
          2.5,
          -2.5,
          4.5,
          -4.5,
          0.49999999999999994,
          inf,
          -inf,
          std::bit_cast<double>(0x7ff8000000000000ull),
          std::bit_cast<double>(0xfff8000000000001ull),
          std::bit_cast<double>(0x7ff4000000000000ull),
          std::numeric_limits<double>::max(),
          std::numeric_limits<double>::denorm_min(),
          2147483647.0,
          2147483647.9,
          2147483648.0,
          -2147483648.0,
          -2147483648.9,
          -2147483649.0,
          4294967295.0,
          4294967295.5,
          4294967296.0,
          -0.9999999,
          -1.0,
          9223372036854775808.0,
          9223372036854774784.0,
          -9223372036854775808.0,
          -9223372036854777856.0,
          18446744073709551616.0,
          18446744073709549568.0,
          1e300,
          -1e-300};
}

TEST(JitFloat, MatchesTheInterpreterBitForBit) {
  for (unsigned opt : {0u, 2u}) {
    JitHarness h(float_module(), opt);
    ASSERT_TRUE(h.ok());
    const std::vector<float> fs = f32_values();
    const std::vector<double> ds = f64_values();
    for (const char* op : kBinary) {
      for (float a : fs)
        for (float b : fs)
          h.expect_same(std::string("f32.") + op, {Value::f32(a), Value::f32(b)}, nans(op));
      for (double a : ds)
        for (double b : ds)
          h.expect_same(std::string("f64.") + op, {Value::f64(a), Value::f64(b)}, nans(op));
    }
    for (const char* op : kUnary) {
      for (float a : fs) h.expect_same(std::string("f32.") + op, {Value::f32(a)}, nans(op));
      for (double a : ds) h.expect_same(std::string("f64.") + op, {Value::f64(a)}, nans(op));
    }
    for (const std::string op : kTruncs) {
      const bool from32 = op.find("f32") != std::string::npos;
      if (from32) {
        for (float a : fs) h.expect_same(op, {Value::f32(a)});
      } else {
        for (double a : ds) h.expect_same(op, {Value::f64(a)});
      }
    }
    for (const std::string op : kConverts) {
      const bool from32 = op.find("i32") != std::string::npos;
      for (int64_t a : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{16777217}, int64_t{INT32_MAX},
                        int64_t{INT32_MIN}, INT64_MAX, INT64_MIN, int64_t{0x7fffff4000000001},
                        int64_t{9007199254740993}}) {
        h.expect_same(op, {from32 ? Value::i32(static_cast<int32_t>(a)) : Value::i64(a)});
      }
    }
    for (double d : ds) h.expect_same("demote", {Value::f64(d)}, NanRule::AnyQuiet);
    for (float f : fs) {
      h.expect_same("promote", {Value::f32(f)}, NanRule::AnyQuiet);
      h.expect_same("bits32", {Value::f32(f)});
    }
    for (double d : ds) h.expect_same("bits64", {Value::f64(d)});
    h.expect_same("from_bits32", {Value::i32(0x7fa00001)});
    h.expect_same("from_bits64", {Value::i64(0x7ff0000000000001)});
    h.expect_same("snan_const32", {});
    h.expect_same("snan_const64", {});
    h.expect_same("neg_zero", {});
  }
}

TEST(JitFloat, TruncationTrapsAtTheBounds) {
  JitHarness h(float_module());
  ASSERT_TRUE(h.ok());
  auto trap_of = [&](const char* f, Value v) { return h.run_compiled(f, {v}).trap; };
  EXPECT_EQ(trap_of("i32.trunc_f32_s", Value::f32(2147483648.0f)), "integer overflow");
  EXPECT_EQ(trap_of("i32.trunc_f32_s", Value::f32(-2147483648.0f)), "");
  EXPECT_EQ(trap_of("i32.trunc_f64_s", Value::f64(-2147483648.9)), "");
  EXPECT_EQ(trap_of("i32.trunc_f64_s", Value::f64(-2147483649.0)), "integer overflow");
  EXPECT_EQ(trap_of("i32.trunc_f64_u", Value::f64(-0.9999999)), "");
  EXPECT_EQ(trap_of("i32.trunc_f64_u", Value::f64(-1.0)), "integer overflow");
  EXPECT_EQ(trap_of("i64.trunc_f64_u", Value::f64(std::nan(""))), "invalid conversion to integer");
  EXPECT_EQ(h.run_compiled("f64.nearest", {Value::f64(2.5)}).results[0].as_f64(), 2.0);
  EXPECT_EQ(h.run_compiled("f32.nearest", {Value::f32(-3.5f)}).results[0].as_f32(), -4.0f);
  const Value min = h.run_compiled("f64.min", {Value::f64(0.0), Value::f64(-0.0)}).results[0];
  EXPECT_TRUE(std::signbit(min.as_f64()));
}

}  // namespace
}  // namespace lunatic::jit::testing
