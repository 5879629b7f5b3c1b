// Integer instructions compiled vs interpreted: every operator over edge values, the trapping
// divisions, shifts and rotations past the width, sign extensions and wrap/extend.
#include <cstdint>
#include <string>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

const char* const kBinary[] = {"add",  "sub",  "mul",  "div_s", "div_u", "rem_s", "rem_u",
                               "and",  "or",   "xor",  "shl",   "shr_s", "shr_u", "rotl",
                               "rotr", "eq",   "ne",   "lt_s",  "lt_u",  "gt_s",  "gt_u",
                               "le_s", "le_u", "ge_s", "ge_u"};

bool is_compare(const std::string& op) {
  for (const char* c : {"eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"})
    if (op == c) return true;
  return false;
}

// One exported function per operator: "<type>.<op>" taking its operands as params.
std::string integer_module() {
  std::string wat = "(module\n";
  for (const char* t : {"i32", "i64"}) {
    for (const char* op : kBinary) {
      const bool cmp = is_compare(op);
      wat += std::string("(func (export \"") + t + "." + op + "\") (param " + t + " " + t +
             ") (result " + (cmp ? "i32" : t) + ") (" + t + "." + op +
             " (local.get 0) (local.get 1)))\n";
    }
    for (const char* op : {"clz", "ctz", "popcnt", "extend8_s", "extend16_s"}) {
      wat += std::string("(func (export \"") + t + "." + op + "\") (param " + t + ") (result " + t +
             ") (" + t + "." + op + " (local.get 0)))\n";
    }
    wat += std::string("(func (export \"") + t + ".eqz\") (param " + t + ") (result i32) (" + t +
           ".eqz (local.get 0)))\n";
  }
  wat += R"(
    (func (export "i64.extend32_s") (param i64) (result i64) (i64.extend32_s (local.get 0)))
    (func (export "i32.wrap_i64") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
    (func (export "i64.extend_i32_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
    (func (export "i64.extend_i32_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
    (func (export "const_mix") (result i32) (i32.add (i32.const -5) (i32.mul (i32.const 7) (i32.const 3))))
    (func (export "div_const") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
    (func (export "rem_const") (param i64) (result i64) (i64.rem_s (local.get 0) (i64.const -1)))
  )";
  return wat + ")";
}

const int32_t kI32[] = {0, 1, -1, 2, 7, -7, 31, 32, 33, 0x12345678, INT32_MIN, INT32_MAX};
const int64_t kI64[] = {0,         1,         -1,        2, 7, -7, 63, 64, 65, 0x123456789abcdef0,
                        INT64_MIN, INT64_MAX, 0xFFFFFFFF};

void check_all(unsigned opt_level) {
  JitHarness h(integer_module(), opt_level);
  ASSERT_TRUE(h.ok());
  for (const char* op : kBinary) {
    for (int32_t a : kI32)
      for (int32_t b : kI32)
        h.expect_same(std::string("i32.") + op, {Value::i32(a), Value::i32(b)});
    for (int64_t a : kI64)
      for (int64_t b : kI64)
        h.expect_same(std::string("i64.") + op, {Value::i64(a), Value::i64(b)});
  }
  for (const char* op : {"clz", "ctz", "popcnt", "extend8_s", "extend16_s", "eqz"}) {
    for (int32_t a : kI32) h.expect_same(std::string("i32.") + op, {Value::i32(a)});
    for (int64_t a : kI64) h.expect_same(std::string("i64.") + op, {Value::i64(a)});
  }
  for (int64_t a : kI64) {
    h.expect_same("i64.extend32_s", {Value::i64(a)});
    h.expect_same("i32.wrap_i64", {Value::i64(a)});
    h.expect_same("rem_const", {Value::i64(a)});
  }
  for (int32_t a : kI32) {
    h.expect_same("i64.extend_i32_s", {Value::i32(a)});
    h.expect_same("i64.extend_i32_u", {Value::i32(a)});
    h.expect_same("div_const", {Value::i32(a)});
  }
  h.expect_same("const_mix", {});
}

TEST(JitInteger, MatchesTheInterpreterAtO2) { check_all(2); }
TEST(JitInteger, MatchesTheInterpreterAtO0) { check_all(0); }

TEST(JitInteger, DivisionTraps) {
  JitHarness h(integer_module());
  ASSERT_TRUE(h.ok());
  Outcome r = h.run_compiled("i32.div_s", {Value::i32(INT32_MIN), Value::i32(-1)});
  EXPECT_EQ(r.trap, "integer overflow");
  r = h.run_compiled("i64.rem_u", {Value::i64(5), Value::i64(0)});
  EXPECT_EQ(r.trap, "integer divide by zero");
  r = h.run_compiled("i64.rem_s", {Value::i64(INT64_MIN), Value::i64(-1)});
  ASSERT_FALSE(r.trapped);
  EXPECT_EQ(r.results[0].as_i64(), 0);
}

}  // namespace
}  // namespace lunatic::jit::testing
