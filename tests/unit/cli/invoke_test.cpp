// --invoke: arguments read by parameter type (every edge of each integer width, floats as
// strtod reads them) and results printed in decimal, floats in their shortest exact form.
#include "cli/invoke.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "decoder/decoder.hpp"
#include "text/text.hpp"

namespace lunatic::cli {
namespace {

wasm::Module module_of(const char* wat) {
  Result<std::vector<uint8_t>> bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  Result<wasm::Module> module = decoder::decode(*bytes);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  return std::move(*module);
}

const wasm::Module& exports() {
  static const wasm::Module m = module_of(R"((module
    (func (export "ints") (param i32 i64))
    (func (export "floats") (param f32 f64))
    (func (export "vec") (param v128))
    (func (export "ref") (param externref))
    (memory (export "mem") 1)))");
  return m;
}

Result<std::vector<engine::Value>> args(const char* name, std::vector<std::string> values) {
  return invoke_arguments(exports(), name, values);
}

TEST(InvokeArguments, IntegersInTheRangeOfEitherSignedness) {
  auto v = args("ints", {"-2147483648", "18446744073709551615"});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].as_i32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ((*v)[1].as_i64(), -1);
  v = args("ints", {"4294967295", "-9223372036854775808"});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].as_i32(), -1);
  EXPECT_EQ((*v)[1].as_i64(), std::numeric_limits<int64_t>::min());
  v = args("ints", {"0x7fffffff", "-0x10"});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].as_i32(), 0x7fffffff);
  EXPECT_EQ((*v)[1].as_i64(), -16);
  for (const char* bad : {"4294967296", "-2147483649", "1.0", "", "-", "0x", "12a", " 1", "+-1"}) {
    auto r = args("ints", {bad, "0"});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("argument 1 '" + std::string(bad) + "' is not an i32"),
              std::string::npos)
        << r.error().message;
  }
  v = args("ints", {"+7", "+0x7fffffffffffffff"});  // a sign on a positive number too
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].as_i32(), 7);
  EXPECT_EQ((*v)[1].as_i64(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(args("ints", {"0", "18446744073709551616"}).ok());
  EXPECT_FALSE(args("ints", {"0", "-9223372036854775809"}).ok());
}

TEST(InvokeArguments, FloatsAsStrtodReadsThem) {
  auto v = args("floats", {"1.5", "-1e300"});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].as_f32(), 1.5f);
  EXPECT_EQ((*v)[1].as_f64(), -1e300);
  v = args("floats", {"nan", "-inf"});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(std::isnan((*v)[0].as_f32()));
  EXPECT_EQ((*v)[1].as_f64(), -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(args("floats", {"1.5x", "0"}).ok());
  EXPECT_FALSE(args("floats", {"", "0"}).ok());
}

TEST(InvokeArguments, WrongNamesCountsAndTypesAreUsageErrors) {
  auto r = args("missing", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Usage);
  EXPECT_NE(r.error().message.find("exports no function named 'missing'"), std::string::npos);
  EXPECT_FALSE(args("mem", {}).ok());  // an export, but a memory
  r = args("ints", {"1"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("takes 2 argument(s) (i32 i64) -> (), 1 given"),
            std::string::npos)
      << r.error().message;
  r = args("vec", {"0"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("type v128 cannot be given"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(args("ref", {"0"}).ok());
}

TEST(InvokeResults, DecimalAndTheShortestFloatThatReadsBack) {
  EXPECT_EQ(format_result(engine::Value::i32(-1)), "-1");
  EXPECT_EQ(format_result(engine::Value::i64(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(format_result(engine::Value::f32(0.1f)), "0.1");
  EXPECT_EQ(format_result(engine::Value::f32(1.0f)), "1");
  EXPECT_EQ(format_result(engine::Value::f64(1e300)), "1e+300");
  EXPECT_EQ(format_result(engine::Value::f64(std::nan(""))), "NaN");
  EXPECT_EQ(format_result(engine::Value::f32(-std::numeric_limits<float>::infinity())), "-inf");
  EXPECT_EQ(format_result(engine::Value::v128(0x0706050403020100, 0x0f0e0d0c0b0a0908)),
            "0x0f0e0d0c0b0a09080706050403020100");
  EXPECT_EQ(format_result(engine::Value::null(wasm::ValType::FuncRef)), "null");
  EXPECT_EQ(format_result(engine::Value::externref(5)), "ref");
}

}  // namespace
}  // namespace lunatic::cli
