// Bulk memory and table instructions charge their size (engine/fuel_meter.hpp) the same in
// the interpreter, the baseline and the LLVM tier: the same fuel left, the same slices, out of
// fuel at the same instruction, nothing extra for an out-of-bounds one; a kill takes effect
// between the pieces of one instruction, and overlapping copies of many pieces are right.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/fuel_meter.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

using engine::bulk_fuel;

// Memory of 2 pages, a table of 64 slots, a passive data segment of 256 bytes and a passive
// element segment of 32 functions. An export's entry safepoint charges its body's
// instructions and its `end`: 4 for tgrow, 5 for the others.
std::string bulk_wat() {
  std::string elems;
  for (int i = 0; i < 32; ++i) elems += " $f";
  return R"((module
  (memory 2)
  (table $t 64 funcref)
  (data $d ")" +
         std::string(256, 'x') + R"(")
  (elem $e func)" +
         elems + R"()
  (func $f)
  (func (export "fill") (param $d i32) (param $n i32)
    (memory.fill (local.get $d) (i32.const 7) (local.get $n)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init") (param $d i32) (param $s i32) (param $n i32)
    (memory.init $d (local.get $d) (local.get $s) (local.get $n)))
  (func (export "tfill") (param $i i32) (param $n i32)
    (table.fill $t (local.get $i) (ref.func $f) (local.get $n)))
  (func (export "tcopy") (param $d i32) (param $s i32) (param $n i32)
    (table.copy $t $t (local.get $d) (local.get $s) (local.get $n)))
  (func (export "tinit") (param $d i32) (param $s i32) (param $n i32)
    (table.init $t $e (local.get $d) (local.get $s) (local.get $n)))
  (func (export "tgrow") (param $n i32) (result i32)
    (table.grow $t (ref.null func) (local.get $n)))
  ;; $k fills of 4096 bytes (256 units each) in a loop: the charges go through the budget's
  ;; fast path and its refills.
  (func (export "fills") (param $k i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $k) (i32.const 4096))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br_if $l (local.get $k))))
))";
}

struct Tiers {
  TierInstance interp;
  TierInstance baseline;
  TierInstance llvm;
  explicit Tiers(const std::string& wat)
      : interp(wat, Tier::Interp), baseline(wat, Tier::Baseline), llvm(wat, Tier::Compiled) {}
  bool ok() const {
    return interp.instance != nullptr && baseline.instance != nullptr && llvm.instance != nullptr &&
           baseline.instance->module->native() != nullptr;
  }
};

// Runs fn(args) in each tier and expects the same outcome from all three; returns the
// interpreter's.
Outcome same_in_every_tier(Tiers& t, const char* fn, const std::vector<Value>& args,
                           std::optional<uint64_t> fuel, uint64_t slice = UINT64_MAX) {
  EXPECT_TRUE(t.ok());
  if (!t.ok()) return {};
  const Outcome want = run_to_end(t.interp.thread, t.interp.fn(fn), args, fuel, slice);
  EXPECT_EQ(run_to_end(t.baseline.thread, t.baseline.fn(fn), args, fuel, slice), want)
      << "baseline, " << fn;
  EXPECT_EQ(run_to_end(t.llvm.thread, t.llvm.fn(fn), args, fuel, slice), want) << "LLVM, " << fn;
  return want;
}

Value i32(uint32_t v) { return Value::i32(static_cast<int32_t>(v)); }

constexpr uint64_t kFuel = 1'000'000;
constexpr uint64_t kMemoryBytes = 2 * 65536;

TEST(BulkFuel, MemoryFillChargesOneUnitPer16BytesInEveryTier) {
  Tiers t(bulk_wat());
  // The body costs 5; the fill adds n / 16.
  for (uint32_t n : {0U, 1U, 15U, 16U, 17U, 4096U, 65536U, 131072U}) {
    const Outcome o = same_in_every_tier(t, "fill", {i32(0), i32(n)}, kFuel);
    EXPECT_EQ(o.status, RunStatus::Done) << n;
    EXPECT_EQ(o.fuel, kFuel - 5 - n / 16) << n;
  }
}

TEST(BulkFuel, CopiesAndInitsChargeTheirSizeInEveryTier) {
  Tiers t(bulk_wat());
  // Bodies of 5; a table element is 8 bytes (2 elements a unit).
  struct Case {
    const char* fn;
    uint32_t d, s, n;
    uint64_t extra;
  };
  for (const Case& c :
       {Case{"copy", 0, 100, 65536, 4096}, Case{"copy", 100, 0, 31, 1},
        Case{"init", 1000, 0, 256, 16}, Case{"init", 1000, 200, 56, 3},
        Case{"tcopy", 0, 10, 50, 25}, Case{"tinit", 0, 0, 32, 16}, Case{"tinit", 3, 1, 3, 1}}) {
    const Outcome o = same_in_every_tier(t, c.fn, {i32(c.d), i32(c.s), i32(c.n)}, kFuel);
    EXPECT_EQ(o.status, RunStatus::Done) << c.fn << " " << c.n;
    EXPECT_EQ(o.fuel, kFuel - 5 - c.extra) << c.fn << " " << c.n;
  }
  const Outcome fill = same_in_every_tier(t, "tfill", {i32(0), i32(64)}, kFuel);
  EXPECT_EQ(fill.fuel, kFuel - 5 - bulk_fuel(64 * 8));
}

TEST(BulkFuel, AnOutOfBoundsOneTrapsWithNothingExtraCharged) {
  Tiers t(bulk_wat());
  Outcome o = same_in_every_tier(t, "fill", {i32(1), i32(kMemoryBytes)}, kFuel);
  EXPECT_EQ(o.trap, "out of bounds memory access");
  EXPECT_EQ(o.fuel, kFuel - 5);
  o = same_in_every_tier(t, "copy", {i32(0), i32(1), i32(kMemoryBytes)}, kFuel);
  EXPECT_EQ(o.trap, "out of bounds memory access");
  EXPECT_EQ(o.fuel, kFuel - 5);
  o = same_in_every_tier(t, "init", {i32(0), i32(1), i32(256)}, kFuel);
  EXPECT_EQ(o.trap, "out of bounds memory access");
  o = same_in_every_tier(t, "tfill", {i32(1), i32(64)}, kFuel);
  EXPECT_EQ(o.trap, "out of bounds table access");
  EXPECT_EQ(o.fuel, kFuel - 5);
  o = same_in_every_tier(t, "tinit", {i32(0), i32(1), i32(32)}, kFuel);
  EXPECT_EQ(o.trap, "out of bounds table access");
  EXPECT_EQ(o.fuel, kFuel - 5);
}

TEST(BulkFuel, OutOfFuelAtTheInstructionBeforeItWritesAnything) {
  // 5 for the body, 8,192 for the fill: one unit short traps at the fill, the fuel left as
  // it was; exactly enough ends with 0.
  constexpr uint64_t kNeed = 5 + kMemoryBytes / 16;
  Tiers t(bulk_wat());
  Outcome o = same_in_every_tier(t, "fill", {i32(0), i32(kMemoryBytes)}, kNeed - 1);
  EXPECT_EQ(o.trap, "out of fuel");
  EXPECT_EQ(o.fuel, kNeed - 1 - 5);
  o = same_in_every_tier(t, "fill", {i32(0), i32(kMemoryBytes)}, kNeed);
  EXPECT_EQ(o.status, RunStatus::Done);
  EXPECT_EQ(o.fuel, 0U);
  // Out of fuel leaves the memory unwritten.
  Tiers fresh(bulk_wat());
  same_in_every_tier(fresh, "fill", {i32(0), i32(kMemoryBytes)}, kNeed - 1);
  for (const TierInstance* in : {&fresh.interp, &fresh.baseline, &fresh.llvm}) {
    const uint8_t* bytes = in->instance->memories[0]->data();
    EXPECT_EQ(std::count(bytes, bytes + kMemoryBytes, 7), 0);
  }
}

TEST(BulkFuel, TableGrowChargesTheElementsItAdded) {
  // Each case on fresh instances: a grow stays grown.
  {
    Tiers t(bulk_wat());
    const Outcome o = same_in_every_tier(t, "tgrow", {i32(100)}, kFuel);
    ASSERT_EQ(o.results.size(), 1U);
    EXPECT_EQ(o.results[0].bits, 64U);
    EXPECT_EQ(o.fuel, kFuel - 4 - bulk_fuel(100 * 8));
  }
  {
    // A grow that fails (past the 10,000,000 elements a table may have) costs nothing extra.
    Tiers t(bulk_wat());
    const Outcome o = same_in_every_tier(t, "tgrow", {i32(0xFFFFFFF0)}, kFuel);
    ASSERT_EQ(o.results.size(), 1U);
    EXPECT_EQ(o.results[0].bits, 0xFFFFFFFFU);
    EXPECT_EQ(o.fuel, kFuel - 4);
  }
  {
    // A grow the fuel cannot pay (500 units) traps before writing: the table keeps its size.
    Tiers t(bulk_wat());
    const Outcome o = same_in_every_tier(t, "tgrow", {i32(1000)}, 4 + 499);
    EXPECT_EQ(o.trap, "out of fuel");
    EXPECT_EQ(o.fuel, 499U);
    for (const TierInstance* in : {&t.interp, &t.baseline, &t.llvm}) {
      EXPECT_EQ(in->instance->tables[0]->size(), 64U);
    }
  }
}

TEST(BulkFuel, EveryFuelBudgetAndSliceEndsAlikeInEveryTier) {
  // 5 fills of 256 units in a loop: each budget runs out at the same fill or safepoint in
  // every tier, and slices end at the same safepoints.
  Tiers t(bulk_wat());
  const Outcome full = same_in_every_tier(t, "fills", {i32(5)}, kFuel);
  ASSERT_EQ(full.status, RunStatus::Done);
  const uint64_t total = kFuel - *full.fuel;
  EXPECT_GE(total, 5 * (256 + 10));
  for (uint64_t fuel = 0; fuel <= total + 1; fuel += 23) {
    same_in_every_tier(t, "fills", {i32(5)}, fuel);
  }
  for (uint64_t fuel : {total - 256, total - 1, total}) {
    same_in_every_tier(t, "fills", {i32(5)}, fuel);
  }
  for (uint64_t slice : {1U, 7U, 100U, 300U, 1000U}) {
    const Outcome o = same_in_every_tier(t, "fills", {i32(5)}, kFuel, slice);
    EXPECT_EQ(o.fuel, kFuel - total) << slice;
  }
}

// 2 GiB of memory (reserved, not touched) and a table of 2^20 elements (two pieces).
constexpr std::string_view kKillWat = R"((module
  (import "host" "kill_me" (func $kill_me))
  (memory 32768)
  (table $t 1048576 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "fill")
    (call $kill_me)
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x80000000)))
  ;; A copy one byte up, so back to front: its first piece is the top 4 MiB.
  (func (export "copy")
    (i32.store8 (i32.const 0) (i32.const 5))
    (i32.store8 (i32.const 0x7FBFFFFF) (i32.const 6))
    (call $kill_me)
    (memory.copy (i32.const 1) (i32.const 0) (i32.const 0x7FFFFFFF)))
  (func (export "tfill")
    (call $kill_me)
    (table.fill $t (i32.const 0) (ref.func $f) (i32.const 1048576)))
  (func (export "tfirst") (result i32) (ref.is_null (table.get $t (i32.const 0))))
  (func (export "tlast") (result i32) (ref.is_null (table.get $t (i32.const 1048575))))
))";

TEST(BulkFuel, AKillTakesEffectWithinOnePieceInEveryTier) {
  constexpr uint64_t kPiece = engine::kBulkPieceBytes;
  constexpr uint64_t kTwoGiB = uint64_t{2} << 30;
  for (Tier tier : {Tier::Interp, Tier::Baseline, Tier::Compiled}) {
    const std::string name = tier == Tier::Interp     ? "interp"
                             : tier == Tier::Baseline ? "baseline"
                                                      : "LLVM";
    {
      KillingInstance k(kKillWat, tier);
      ASSERT_NE(k.instance, nullptr) << name;
      const Outcome o = k.run("fill");
      EXPECT_EQ(o.status, RunStatus::Trapped) << name;
      EXPECT_EQ(k.thread.trap().kind, TrapKind::Killed) << name;
      // The first piece is written, the second not, nor the end.
      EXPECT_EQ(k.memory()[0], 1) << name;
      EXPECT_EQ(k.memory()[kPiece - 1], 1) << name;
      EXPECT_EQ(k.memory()[kPiece], 0) << name;
      EXPECT_EQ(k.memory()[kTwoGiB - 1], 0) << name;
    }
    {
      KillingInstance k(kKillWat, tier);
      ASSERT_NE(k.instance, nullptr) << name;
      const Outcome o = k.run("copy");
      EXPECT_EQ(k.thread.trap().kind, TrapKind::Killed) << name;
      EXPECT_EQ(o.status, RunStatus::Trapped) << name;
      // The top piece moved up one byte; the byte at 0 never reached 1.
      EXPECT_EQ(k.memory()[kTwoGiB - kPiece], 6) << name;
      EXPECT_EQ(k.memory()[1], 0) << name;
    }
    {
      KillingInstance k(kKillWat, tier);
      ASSERT_NE(k.instance, nullptr) << name;
      const Outcome o = k.run("tfill");
      EXPECT_EQ(o.status, RunStatus::Trapped) << name;
      EXPECT_EQ(k.thread.trap().kind, TrapKind::Killed) << name;
      const Outcome first = k.run("tfirst");
      const Outcome last = k.run("tlast");
      ASSERT_EQ(first.results.size(), 1U) << name;
      ASSERT_EQ(last.results.size(), 1U) << name;
      EXPECT_EQ(first.results[0].bits, 0U) << name;  // filled
      EXPECT_EQ(last.results[0].bits, 1U) << name;   // not reached
    }
  }
}

TEST(BulkFuel, OverlappingCopiesOfManyPiecesMoveLikeMemmoveInEveryTier) {
  // 16 MiB of memory holding a pattern; copies of 9 MiB (three pieces) one way and the other,
  // overlapping, each checked against memmove.
  constexpr uint64_t kBytes = uint64_t{16} << 20;
  const std::string wat = R"((module
    (memory 256)
    (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
      (memory.copy (local.get $d) (local.get $s) (local.get $n)))))";
  Tiers t(wat);
  ASSERT_TRUE(t.ok());
  std::vector<uint8_t> want(kBytes);
  for (uint64_t i = 0; i < kBytes; ++i) want[i] = static_cast<uint8_t>(i * 7 + (i >> 13));
  for (TierInstance* in : {&t.interp, &t.baseline, &t.llvm}) {
    std::memcpy(in->instance->memories[0]->data(), want.data(), kBytes);
  }
  constexpr uint32_t kN = 9u << 20;
  struct Case {
    uint32_t d, s;
  };
  // Each case whole, then again in slices that end after every piece (the instruction goes
  // on where it stopped).
  for (const uint64_t slice : {UINT64_MAX, uint64_t{1000}}) {
    for (const Case& c : {Case{4096, 3}, Case{5, 1u << 20}, Case{0, kBytes - kN}}) {
      std::memmove(want.data() + c.d, want.data() + c.s, kN);
      const Outcome o =
          same_in_every_tier(t, "copy", {i32(c.d), i32(c.s), i32(kN)}, kFuel * 10, slice);
      EXPECT_EQ(o.status, RunStatus::Done);
      EXPECT_EQ(o.yields, slice == 1000 ? 2 : 0);
      for (TierInstance* in : {&t.interp, &t.baseline, &t.llvm}) {
        EXPECT_EQ(std::memcmp(in->instance->memories[0]->data(), want.data(), kBytes), 0)
            << c.d << " " << c.s;
      }
    }
  }
}

// 16 MiB of memory (4 pieces) and an empty table; slices of 1,000 units end inside every
// piece's share of the charge.
constexpr std::string_view kSliceWat = R"((module
  (memory 256)
  (table $t 0 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "fill") (param $d i32) (param $n i32)
    (memory.fill (local.get $d) (i32.const 7) (local.get $n)))
  (func (export "tgrow") (param $n i32) (result i32)
    (table.grow $t (ref.func $f) (local.get $n)))
  (func (export "tlast") (result i32)
    (ref.is_null (table.get $t (i32.sub (table.size $t) (i32.const 1)))))
))";
constexpr uint64_t kSlice = 1000;

TEST(BulkFuel, ALongFillEndsItsSliceBetweenPiecesAndGoesOnInEveryTier) {
  constexpr uint32_t kBytes = 16u << 20;
  Tiers t(std::string{kSliceWat});
  // The same fuel as in one go (5 for the body), one stop between each two pieces.
  const Outcome whole = same_in_every_tier(t, "fill", {i32(0), i32(kBytes)}, kFuel * 10);
  EXPECT_EQ(whole.yields, 0);
  const Outcome sliced = same_in_every_tier(t, "fill", {i32(0), i32(kBytes)}, kFuel * 10, kSlice);
  EXPECT_EQ(sliced.status, RunStatus::Done);
  EXPECT_EQ(sliced.fuel, kFuel * 10 - 5 - kBytes / 16);
  EXPECT_EQ(sliced.yields, 3);
  // Within one piece's share the fill does not stop.
  const Outcome small =
      same_in_every_tier(t, "fill", {i32(0), i32(engine::kBulkPieceBytes)}, kFuel, kSlice);
  EXPECT_EQ(small.yields, 0);
}

TEST(BulkFuel, AKillWhileAFillIsStoppedEndsItAndTheNextCallStartsAfresh) {
  constexpr uint32_t kBytes = 16u << 20;
  constexpr uint64_t kPiece = engine::kBulkPieceBytes;
  for (Tier tier : {Tier::Interp, Tier::Baseline, Tier::Compiled}) {
    TierInstance in(std::string{kSliceWat}, tier);
    ASSERT_NE(in.instance, nullptr);
    const std::vector<Value> args = {i32(0), i32(kBytes)};
    ASSERT_TRUE(in.thread.begin_call(in.fn("fill"), args).ok());
    ASSERT_EQ(in.thread.run(kSlice), RunStatus::Yielded);
    in.thread.request_kill();
    ASSERT_EQ(in.thread.run(kSlice), RunStatus::Trapped);
    EXPECT_EQ(in.thread.trap().kind, TrapKind::Killed);
    const uint8_t* bytes = in.instance->memories[0]->data();
    EXPECT_EQ(bytes[kPiece - 1], 7);
    EXPECT_EQ(bytes[kPiece], 0);
    // The same instruction in a new call fills what it is asked to, from its start.
    const Outcome o = run_to_end(in.thread, in.fn("fill"), {i32(kPiece), i32(16)}, kFuel, kSlice);
    EXPECT_EQ(o.status, RunStatus::Done);
    EXPECT_EQ(bytes[kPiece + 15], 7);
    EXPECT_EQ(bytes[kPiece + 16], 0);
    EXPECT_EQ(bytes[kBytes - 1], 0);
  }
}

TEST(BulkFuel, TableGrowWritesInPiecesThatEndSlicesAndTakeAKillInEveryTier) {
  // 2^20 + 5 elements: three pieces of 2^19, so two stops.
  constexpr uint32_t kGrow = (1u << 20) + 5;
  {
    Tiers t(std::string{kSliceWat});
    const Outcome o = same_in_every_tier(t, "tgrow", {i32(kGrow)}, kFuel * 10, kSlice);
    ASSERT_EQ(o.results.size(), 1U);
    EXPECT_EQ(o.results[0].bits, 0U);
    EXPECT_EQ(o.yields, 2);
    EXPECT_EQ(o.fuel, kFuel * 10 - 4 - bulk_fuel(uint64_t{kGrow} * 8));
    const Outcome last = same_in_every_tier(t, "tlast", {}, std::nullopt);
    ASSERT_EQ(last.results.size(), 1U);
    EXPECT_EQ(last.results[0].bits, 0U);  // the init value, not null
  }
  for (Tier tier : {Tier::Interp, Tier::Baseline, Tier::Compiled}) {
    KillingInstance k(R"((module
      (import "host" "kill_me" (func $kill_me))
      (memory 1)
      (table $t 0 funcref)
      (func (export "tgrow")
        (call $kill_me)
        (drop (table.grow $t (ref.null func) (i32.const 2000000))))
      (func (export "tsize") (result i32) (table.size $t))))",
                      tier);
    ASSERT_NE(k.instance, nullptr);
    const Outcome o = k.run("tgrow");
    EXPECT_EQ(o.status, RunStatus::Trapped);
    EXPECT_EQ(k.thread.trap().kind, TrapKind::Killed);
    const Outcome size = k.run("tsize");
    ASSERT_EQ(size.results.size(), 1U);
    EXPECT_EQ(size.results[0].bits, engine::kBulkPieceBytes / 8);  // the first piece only
  }
}

}  // namespace
}  // namespace lunatic::tiering::testing
