// The compiled tiers' safepoint slow path (native/execution.cpp) keeps the interpreter's rules
// in each of its cases: a kill pending at a loop header or a function entry lands there; a
// slice's end asks the embedder's extension at the same safepoints and goes on in place with
// the same fuel, also past many refills of the fast-path budget.
#include <cstdint>
#include <cstring>
#include <string>

#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr uint64_t kFuel = 10'000'000;

// After the host call asks for its kill: a loop that would never end (each iteration counts in
// memory), or a call whose entry safepoint comes first. `work`'s loop header charges its whole
// region each iteration, taken or not, as an interpreter's dispatch loop does.
constexpr std::string_view kWat = R"((module
  (import "host" "kill_me" (func $kill_me))
  (memory 1)
  (func $spin (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "killed_in_loop")
    (call $kill_me)
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (br $l)))
  (func (export "killed_at_entry")
    (call $kill_me)
    (drop (call $spin (i32.const -1))))
  (func (export "work") (result i32) (local $i i32) (local $s i32)
    (loop $l
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.and (local.get $i) (i32.const 3))))
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 3))))
        (local.set $s (i32.xor (local.get $s) (i32.const 0x55)))
        (br $b2))
        (local.set $s (i32.sub (local.get $s) (local.get $i)))
        (local.set $s (i32.rotl (local.get $s) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 30000))))
    (local.get $s))
))";

uint32_t counter(const KillingInstance& k) {
  uint32_t n = 0;
  std::memcpy(&n, k.memory(), sizeof n);
  return n;
}

// A kill requested by a host call, in an unsliced run: it lands at the next safepoint (the
// loop header, the callee's entry) with the interpreter's fuel left, not at a slice's end or
// out of fuel: the slow path's common case polls the kill too.
TEST(Safepoint, AKillPendingAtALoopHeaderOrAnEntryLandsThereInEveryTier) {
  for (const char* fn : {"killed_in_loop", "killed_at_entry"}) {
    KillingInstance want(kWat, Tier::Interp);
    ASSERT_NE(want.instance, nullptr);
    const Outcome expected = want.run(fn, kFuel);
    ASSERT_EQ(want.thread.trap().kind, TrapKind::Killed) << fn;
    EXPECT_EQ(counter(want), 0u) << fn;  // the loop's first header takes the kill
    for (Tier tier : {Tier::Baseline, Tier::Compiled}) {
      KillingInstance k(kWat, tier);
      ASSERT_NE(k.instance, nullptr);
      const Outcome got = k.run(fn, kFuel);
      const std::string at = std::string(fn) + (tier == Tier::Baseline ? " baseline" : " llvm");
      EXPECT_EQ(k.thread.trap().kind, TrapKind::Killed) << at;
      EXPECT_EQ(got, expected) << at;
      EXPECT_EQ(counter(k), counter(want)) << at;
    }
  }
}

// A slice that ends while the extension grants it goes on in place; refused, the run stops.
// Slices of 1,000 units end between refills, of 100,000 (the runtime's) at their first refill;
// grown ones (each twice the last, as a lone process's) soon outgrow the kill poll's interval
// and end after several refills: either way the same asks, with the same sizes, yields and fuel
// as the interpreter.
TEST(Safepoint, SliceEndsAskTheExtensionWhereTheInterpreterDoesInEveryTier) {
  KillingInstance interp(kWat, Tier::Interp);
  KillingInstance baseline(kWat, Tier::Baseline);
  KillingInstance llvm(kWat, Tier::Compiled);
  ASSERT_NE(interp.instance, nullptr);
  ASSERT_NE(baseline.instance, nullptr);
  ASSERT_NE(llvm.instance, nullptr);
  for (uint64_t grow : {uint64_t{1}, uint64_t{2}}) {
    for (uint64_t slice : {uint64_t{1'000}, uint64_t{100'000}}) {
      for (int limit : {0, 5, 1'000'000}) {
        Extension in_interp{0, limit, grow};
        interp.thread.set_slice_extension(&Extension::ask, &in_interp);
        const Outcome want = interp.run("work", kFuel, slice);
        ASSERT_GT(in_interp.asked, grow == 1 ? 5 : 2) << slice;  // the run spans many slices
        for (KillingInstance* k : {&baseline, &llvm}) {
          Extension asked{0, limit, grow};
          k->thread.set_slice_extension(&Extension::ask, &asked);
          const std::string at = std::string(k == &baseline ? "baseline" : "llvm") + " slice " +
                                 std::to_string(slice) + " limit " + std::to_string(limit) +
                                 " grow " + std::to_string(grow);
          EXPECT_EQ(k->run("work", kFuel, slice), want) << at;
          EXPECT_EQ(asked.asked, in_interp.asked) << at;
          EXPECT_EQ(asked.ended_units, in_interp.ended_units) << at;
        }
        if (limit == 1'000'000) {
          EXPECT_EQ(want.yields, 0);
        }
      }
    }
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
