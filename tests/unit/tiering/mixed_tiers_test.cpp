// A call that began in the interpreter moves to native code when its module gets some while it
// runs (the auto tier's background compile): its next calls run natively, and at the end of a
// slice its top frame continues natively from the loop header it stopped at. The outcome,
// fuel included, is the interpreter's.
#include "../support/tier_modules.hpp"
#include "baseline/baseline.hpp"
#include "jit/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

using lunatic::testing::kLoopsWat;

// Runs `name`(arg) interpreted for `first_slices` slices, attaches native code to the module,
// and runs the rest; returns the outcome and the number of frames handed over.
Outcome run_switching(std::string_view name, Value arg, int first_slices, uint64_t slice,
                      uint64_t* transfers) {
  TierInstance t(kLoopsWat, Tier::Interp);
  EXPECT_NE(t.instance, nullptr);
  Outcome o;
  t.thread.set_fuel(10'000'000);
  t.thread.begin_call(t.fn(std::string(name).c_str()), std::vector<Value>{arg}).value();
  for (int i = 0; i < first_slices; ++i) {
    o.status = t.thread.run(slice);
    if (o.status != RunStatus::Yielded) break;
    ++o.yields;
  }
  EXPECT_TRUE(jit::attach_native(*t.instance->module, {.osr_entries = true}).ok());
  while (o.status == RunStatus::Yielded && (o.status = t.thread.run(slice)) == RunStatus::Yielded) {
    ++o.yields;
  }
  if (o.status == RunStatus::Done) o.results = t.thread.results();
  if (o.status == RunStatus::Trapped) o.trap = t.thread.trap().message;
  o.fuel = t.thread.fuel();
  *transfers = t.thread.transfers();
  return o;
}

TEST(MixedTiers, ARunningCallContinuesNativelyWithTheSameOutcomeAndFuel) {
  for (const char* name : {"sum_cubes", "nested"}) {
    for (uint64_t slice : {5u, 100u, 1000u}) {
      TierInstance ref(kLoopsWat, Tier::Interp);
      const Value arg = Value::i32(300);
      Outcome want = run_to_end(ref.thread, ref.fn(name), {arg}, 10'000'000, slice);
      uint64_t transfers = 0;
      Outcome got = run_switching(name, arg, 3, slice, &transfers);
      // Slices of a handed-over frame end where the compiled code's do; the count of yields
      // may differ (the first native run gets a fresh slice), the rest may not.
      got.yields = want.yields = 0;
      EXPECT_EQ(got, want) << name << " slice " << slice;
      EXPECT_GE(transfers, 1u) << name << " slice " << slice;
    }
  }
}

// A loop that moves from the interpreter to native code (the baseline's, as a module loaded at
// run time gets first, or LLVM's) and runs out of fuel, at the safepoint where it moves or
// later, traps with the interpreter's backtrace: its own frame and its caller's. With the code
// attached before the first run, the loop runs as a call from the interpreted caller into native
// code (an adopted function); its frame was lost there once, as in the demo's sandbox act under
// load ("out of fuel (in spin.command_export)").
TEST(MixedTiers, OutOfFuelAfterTheMoveCarriesTheBacktrace) {
  for (bool llvm : {false, true}) {
    for (int first : {0, 1, 3}) {
      for (uint64_t after : {uint64_t{1000}, uint64_t{1} << 40}) {
        for (uint64_t fuel :
             {uint64_t{100'000}, uint64_t{3'000} * first + 7, uint64_t{3'000} * first + 500}) {
          const std::string at = std::string(llvm ? "llvm" : "baseline") + " first " +
                                 std::to_string(first) + " after " + std::to_string(after) +
                                 " fuel " + std::to_string(fuel);
          TierInstance ref(kCalledSpinWat, Tier::Interp);
          const Outcome want = run_to_end(ref.thread, ref.fn("outer"), {}, fuel, 1000);
          ASSERT_EQ(want.trap, "out of fuel") << at;
          TierInstance t(kCalledSpinWat, Tier::Interp);
          t.thread.set_fuel(fuel);
          t.thread.begin_call(t.fn("outer"), {}).value();
          RunStatus status = RunStatus::Yielded;
          for (int i = 0; i < first && status == RunStatus::Yielded; ++i) {
            status = t.thread.run(1000);
          }
          const engine::CompiledModule& module = *t.instance->module;
          ASSERT_TRUE(llvm ? jit::attach_native(module, {.osr_entries = true}).ok()
                           : baseline::attach_baseline(module).ok())
              << at;
          while (status == RunStatus::Yielded) status = t.thread.run(after);
          ASSERT_EQ(status, RunStatus::Trapped) << at;
          EXPECT_EQ(t.thread.trap().message, want.trap) << at;
          EXPECT_EQ(t.thread.fuel(), want.fuel) << at;
          expect_backtrace(t.thread, ref.thread, at);
        }
      }
    }
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
