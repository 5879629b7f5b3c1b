// A call that began in the interpreter moves to native code when its module gets some while it
// runs (the auto tier's background compile): its next calls run natively, and at the end of a
// slice its top frame continues natively from the loop header it stopped at. The outcome,
// fuel included, is the interpreter's.
#include "../support/tier_modules.hpp"
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

}  // namespace
}  // namespace lunatic::tiering::testing
