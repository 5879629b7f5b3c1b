// Resumability: running in slices gives the result of one run, kill requests stop a thread at
// its next safepoint, fuel runs out with "out of fuel".
#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

// sum(n) through a loop that calls a helper each iteration (both kinds of safepoint).
ModuleBuilder looping_module() {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t sq = b.func(i_i, {}, Body().get(0).get(0).op(Opcode::I32Mul).end());
  b.func(i_i, {ValType::I32},
         Body()
             .open(Opcode::Block)
             .open(Opcode::Loop)
             .get(0)
             .op(Opcode::I32Eqz)
             .br_if(1)
             .get(1)
             .get(0)
             .call(sq)
             .op(Opcode::I32Add)
             .set(1)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .set(0)
             .br(0)
             .end()
             .end()
             .get(1)
             .end(),
         "sum_squares");
  const uint32_t v = b.type({}, {});
  b.func(v, {}, Body().open(Opcode::Loop).br(0).end().end(), "spin");
  return b;
}

int32_t sum_squares(int32_t n) {
  int32_t s = 0;
  for (int32_t i = 1; i <= n; ++i) s += i * i;
  return s;
}

TEST(InterpreterResume, SlicesGiveTheSameResult) {
  ModuleBuilder b = looping_module();
  Harness h(b);
  const std::vector<Value> args = {Value::i32(50)};
  for (uint64_t slice : {1u, 2u, 3u, 7u, 10u, 64u, 1000u}) {
    h.thread.begin_call(h.fn("sum_squares"), args).value();
    RunStatus st;
    int yields = 0;
    while ((st = h.thread.run(slice)) == RunStatus::Yielded) ++yields;
    ASSERT_EQ(st, RunStatus::Done) << "slice " << slice;
    EXPECT_EQ(h.thread.results()[0].as_i32(), sum_squares(50)) << "slice " << slice;
    if (slice <= 10) {
      EXPECT_GT(yields, 10) << "slice " << slice;
    }
  }
}

TEST(InterpreterResume, SliceOfOneAdvancesOneSafepointPerRun) {
  ModuleBuilder b = looping_module();
  Harness h(b);
  h.thread.begin_call(h.fn("sum_squares"), std::vector<Value>{Value::i32(3)}).value();
  int runs = 1;
  while (h.thread.run(1) == RunStatus::Yielded) ++runs;
  // Entry + 4 loop headers + 3 calls of sq: 8 safepoints, each its own run, then the end.
  EXPECT_EQ(runs, 8);
  EXPECT_EQ(h.thread.results()[0].as_i32(), 14);
}

TEST(InterpreterResume, KillStopsASpinningThread) {
  ModuleBuilder b = looping_module();
  Harness h(b);
  h.thread.begin_call(h.fn("spin"), {}).value();
  EXPECT_EQ(h.thread.run(1000), RunStatus::Yielded);
  h.thread.request_kill();
  ASSERT_EQ(h.thread.run(1000), RunStatus::Trapped);
  EXPECT_EQ(h.thread.trap().kind, TrapKind::Killed);
  // A kill is consumed: the next call runs normally.
  EXPECT_EQ(h.call_i32("sum_squares", {Value::i32(3)}), 14);
}

TEST(InterpreterResume, FuelRunsOut) {
  ModuleBuilder b = looping_module();
  Harness h(b);
  h.thread.set_fuel(10'000);
  EXPECT_EQ(h.trap_of("spin"), "out of fuel");
  EXPECT_EQ(h.thread.trap().kind, TrapKind::OutOfFuel);
  EXPECT_LT(*h.thread.fuel(), 10u);

  // Enough fuel for a small run; the remainder is what was not burnt.
  h.thread.set_fuel(1'000'000);
  EXPECT_EQ(h.call_i32("sum_squares", {Value::i32(10)}), 385);
  const uint64_t used = 1'000'000 - *h.thread.fuel();
  EXPECT_GT(used, 10u * 5);
  // The same call burns the same fuel, sliced or not.
  h.thread.set_fuel(1'000'000);
  h.thread.begin_call(h.fn("sum_squares"), std::vector<Value>{Value::i32(10)}).value();
  while (h.thread.run(3) == RunStatus::Yielded) {
  }
  EXPECT_EQ(1'000'000 - *h.thread.fuel(), used);
}

}  // namespace
}  // namespace lunatic::engine::testing
