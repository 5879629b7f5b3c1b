// Scalars travel between Wasm slots and C++ exactly (sign, zero extension, float bits), results
// are written back, Trap / Park from a HostResult reach the interpreter's status, and an exception
// thrown by a host function becomes a trap.
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "binding_fixture.hpp"

namespace lunatic::binding::test {
namespace {

using engine::HostStatus;
using engine::Slot;

class Arguments : public BindingTest {};

TEST_F(Arguments, Int32SignAndZeroExtension) {
  ns_.define("neg", [](int32_t v) -> int32_t { return -v; });
  ns_.define("u32", [](uint32_t v) -> uint32_t { return v + 1; });
  // An i32 slot holds the value zero-extended; -5 arrives as -5 and goes back zero-extended.
  Outcome r = call("neg", {Slot{static_cast<uint32_t>(5)}});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{0xfffffffbu});
  r = call("u32", {Slot{0xffffffffu}});
  EXPECT_EQ(r.results[0], Slot{0});
  // Garbage above bit 31 (never produced by the engine) is ignored for i32 parameters.
  r = call("u32", {Slot{0x1234567800000001ull}});
  EXPECT_EQ(r.results[0], Slot{2});
}

TEST_F(Arguments, Int64) {
  ns_.define("i64", [](int64_t a, uint64_t b) -> int64_t { return a < 0 ? int64_t(b) : a; });
  ns_.define("u64", [](uint64_t a) -> uint64_t { return a; });
  Outcome r = call("i64", {static_cast<Slot>(int64_t{-1}), Slot{7}});
  EXPECT_EQ(r.results[0], Slot{7});
  r = call("i64", {Slot{0x7fffffffffffffffull}, Slot{7}});
  EXPECT_EQ(r.results[0], Slot{0x7fffffffffffffffull});
  r = call("u64", {~Slot{0}});
  EXPECT_EQ(r.results[0], ~Slot{0});
}

TEST_F(Arguments, FloatsKeepTheirBits) {
  ns_.define("f32", [](float v) -> float { return v * 2; });
  ns_.define("f64", [](double v) -> double { return v / 2; });
  ns_.define("f32_id", [](float v) -> float { return v; });
  Outcome r = call("f32", {std::bit_cast<uint32_t>(1.5f)});
  EXPECT_EQ(r.results[0], Slot{std::bit_cast<uint32_t>(3.0f)});  // upper half zero
  r = call("f64", {std::bit_cast<uint64_t>(3.0)});
  EXPECT_EQ(r.results[0], std::bit_cast<uint64_t>(1.5));
  // A NaN payload goes through a by-value float unchanged (bit_cast, no arithmetic).
  const uint32_t nan_bits = 0x7fa00001u;
  r = call("f32_id", {nan_bits});
  EXPECT_EQ(r.results[0], Slot{nan_bits});
}

TEST_F(Arguments, MixedOrderAndContext) {
  // Each parameter reads its own slot(s); the context takes none.
  ns_.define("mix", [](CallContext& ctx, int64_t a, float b, int32_t c, double d) -> double {
    EXPECT_EQ(ctx.function_name(), "test::mix");
    return double(a) + b + c + d;
  });
  Outcome r =
      call("mix", {Slot{1}, std::bit_cast<uint32_t>(2.0f), Slot{3}, std::bit_cast<uint64_t>(4.0)});
  ASSERT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(std::bit_cast<double>(r.results[0]), 10.0);
}

TEST_F(Arguments, VoidAndHostResultVoid) {
  int hits = 0;
  ns_.define("plain", [&hits](int32_t) { ++hits; });
  ns_.define("result", [&hits]() -> HostResult<void> {
    ++hits;
    return {};
  });
  EXPECT_EQ(call("plain", {Slot{1}}).status, HostStatus::Return);
  Outcome r = call("result", {});
  EXPECT_EQ(r.status, HostStatus::Return);
  EXPECT_TRUE(r.results.empty());
  EXPECT_EQ(hits, 2);
}

TEST_F(Arguments, AnExceptionTrapsTheCallerInsteadOfUnwindingThroughTheEngine) {
  ns_.define("boom", [](int32_t) -> int32_t { throw std::runtime_error("disk on fire"); });
  ns_.define("odd", []() { throw 42; });
  Outcome r = call("boom", {Slot{1}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.kind, engine::TrapKind::Host);
  EXPECT_EQ(r.trap.message, "host function test::boom threw: disk on fire");
  Outcome odd = call("odd", {});
  EXPECT_EQ(odd.status, HostStatus::Trap);
  EXPECT_EQ(odd.trap.message,
            "host function test::odd threw: an exception that is not a std::exception");
}

TEST_F(Arguments, TrapPropagates) {
  ns_.define("check", [](int64_t id) -> HostResult<int32_t> {
    if (id != 1) return engine::Trap::host("unknown process id " + std::to_string(id));
    return 0;
  });
  Outcome r = call("check", {Slot{9}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.kind, engine::TrapKind::Host);
  EXPECT_EQ(r.trap.message, "unknown process id 9");
  EXPECT_EQ(r.results[0], Slot{0xdeadbeef});  // results untouched on a trap
  r = call("check", {Slot{1}});
  EXPECT_EQ(r.status, HostStatus::Return);
  EXPECT_EQ(r.results[0], Slot{0});
}

TEST_F(Arguments, ParkLeavesResultsUntouched) {
  ns_.define("wait", []() -> HostResult<int32_t> { return HostResult<int32_t>::park(); });
  Outcome r = call("wait", {});
  EXPECT_EQ(r.status, HostStatus::Park);
  EXPECT_EQ(r.results[0], Slot{0xdeadbeef});
}

TEST_F(Arguments, WrongArityTrapsInsteadOfReadingPastTheArguments) {
  ns_.define("two", [](int32_t, int32_t) {});
  Outcome r = call("two", {Slot{1}});
  EXPECT_EQ(r.status, HostStatus::Trap);
  EXPECT_EQ(r.trap.message,
            "host function test::two called with 1 arguments and 0 result slots, expects 2 and 0");
}

TEST(HostResultType, States) {
  HostResult<int32_t> v = 5;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.value(), 5);
  HostResult<int32_t> t = engine::Trap::host("no");
  EXPECT_TRUE(t.is_trap());
  EXPECT_EQ(t.trap().message, "no");
  auto p = HostResult<void>::park();
  EXPECT_TRUE(p.is_park());
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(HostResult<void>{}.ok());
}

}  // namespace
}  // namespace lunatic::binding::test
