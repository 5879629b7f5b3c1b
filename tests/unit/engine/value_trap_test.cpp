// Value printing and the canonical trap texts.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::engine {
namespace {

TEST(Value, Prints) {
  EXPECT_EQ(Value::i32(-42).to_string(), "i32:-42");
  EXPECT_EQ(Value::i64(INT64_MIN).to_string(), "i64:-9223372036854775808");
  EXPECT_EQ(Value::f32(1.5f).to_string(), "f32:1.5");
  EXPECT_EQ(Value::f64(0.1).to_string(), "f64:0.1");
  EXPECT_EQ(Value::f32_bits(0x7FC00001).to_string(), "f32:nan:0x7fc00001");
  EXPECT_EQ(Value::f64(-INFINITY).to_string(), "f64:-inf");
  EXPECT_EQ(Value::null(wasm::ValType::FuncRef).to_string(), "funcref:null");
  EXPECT_EQ(Value::externref(255).to_string(), "externref:0xff");
}

TEST(Trap, CarriesTheSpecsMessages) {
  EXPECT_STREQ(trap_message(TrapKind::MemoryOutOfBounds), "out of bounds memory access");
  EXPECT_STREQ(trap_message(TrapKind::IntegerDivideByZero), "integer divide by zero");
  EXPECT_STREQ(trap_message(TrapKind::InvalidConversion), "invalid conversion to integer");
  EXPECT_STREQ(trap_message(TrapKind::CallStackExhausted), "call stack exhausted");
  EXPECT_STREQ(trap_message(TrapKind::IndirectCallTypeMismatch), "indirect call type mismatch");
  Trap t = Trap::of(TrapKind::UninitializedElement);
  EXPECT_EQ(t.message, "uninitialized element");
  EXPECT_EQ(Trap::exit(3).exit_code, 3);
}

}  // namespace
}  // namespace lunatic::engine
