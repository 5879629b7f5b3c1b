// Global 0 through the Context's pointer to its value (native::Context::global0, the baseline's
// global_value): a module's own global 0, a global 0 imported from another instance (reads see
// the owner's writes and writes reach the owner), and calls between instances whose global 0
// differ (each frame reads its own instance's after the call returns). Results and fuel as the
// interpreter's.
#include "../tiering/tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

// Owns the global the others import; its function moves its own global 0 and global 1.
constexpr std::string_view kOwner = R"((module
  (global $sp (export "sp") (mut i32) (i32.const 1000))
  (global $k (mut i64) (i64.const 5))
  (func (export "bump") (param i32) (result i32)
    (global.set $sp (i32.add (global.get $sp) (local.get 0)))
    (global.set $k (i64.add (global.get $k) (i64.const 1)))
    (i32.add (global.get $sp) (i32.wrap_i64 (global.get $k))))
  (func (export "sp_now") (result i32) (global.get $sp))
))";

// Global 0 imported: the owner's writes are seen here, and this module's writes reach the owner.
constexpr std::string_view kImporter = R"((module
  (global $sp (import "owner" "sp") (mut i32))
  (import "owner" "bump" (func $bump (param i32) (result i32)))
  (global $mine (mut i32) (i32.const 7))
  (func (export "run") (param i32) (result i64)
    (local $before i32) (local $r i32)
    (local.set $before (global.get $sp))
    (local.set $r (call $bump (local.get 0)))
    (global.set $sp (i32.sub (global.get $sp) (i32.const 3)))
    (global.set $mine (i32.add (global.get $mine) (global.get $sp)))
    (i64.or (i64.shl (i64.extend_i32_u (i32.add (local.get $before) (local.get $r))) (i64.const 32))
            (i64.extend_i32_u (global.get $mine))))
))";

// A global 0 of its own: after a call into the owner (whose global 0 is another), this frame
// reads and writes its own again.
constexpr std::string_view kOther = R"((module
  (import "owner" "bump" (func $bump (param i32) (result i32)))
  (global $sp (mut i32) (i32.const 50))
  (func (export "run") (param i32) (result i64)
    (local $r i32)
    (global.set $sp (i32.add (global.get $sp) (i32.const 1)))
    (local.set $r (call $bump (local.get 0)))
    (global.set $sp (i32.add (global.get $sp) (local.get $r)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $r)) (i64.const 32))
            (i64.extend_i32_u (global.get $sp))))
))";

/// The three modules in one store, in one tier.
struct Linked {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* owner = nullptr;
  engine::Instance* importer = nullptr;
  engine::Instance* other = nullptr;
  Thread thread{store};

  explicit Linked(Tier tier) {
    owner = make(kOwner, tier, {});
    if (owner == nullptr) return;
    const Extern sp = *owner->find_export("sp");
    const Extern bump = *owner->find_export("bump");
    importer = make(kImporter, tier, {sp, bump});
    other = make(kOther, tier, {bump});
  }
  engine::Instance* make(std::string_view wat, Tier tier, const std::vector<Extern>& imports) {
    auto module = compile_wat(wat, tier);
    if (module == nullptr) return nullptr;
    auto made = store.instantiate(module, imports);
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    return made.ok() ? *made : nullptr;
  }
  Outcome call(engine::Instance* in, const char* fn, int32_t arg, std::optional<uint64_t> fuel) {
    return run_to_end(thread, in->find_export(fn)->func(), {Value::i32(arg)}, fuel);
  }
  int32_t owner_sp() {
    return run_to_end(thread, owner->find_export("sp_now")->func(), {}, {}).results.at(0).as_i32();
  }
};

TEST(BaselineGlobals, GlobalZeroOwnImportedAndAcrossInstancesIsTheInterpreters) {
  Linked interp(Tier::Interp);
  Linked baseline(Tier::Baseline);
  ASSERT_NE(baseline.importer, nullptr);
  ASSERT_NE(baseline.other, nullptr);
  // Alternating callers, so each sees the owner's global as the other left it.
  for (int round = 0; round < 4; ++round) {
    for (std::optional<uint64_t> fuel :
         {std::optional<uint64_t>{}, std::optional<uint64_t>{3}, std::optional<uint64_t>{1000}}) {
      EXPECT_EQ(baseline.call(baseline.importer, "run", 10 + round, fuel),
                interp.call(interp.importer, "run", 10 + round, fuel))
          << "importer, round " << round;
      EXPECT_EQ(baseline.call(baseline.other, "run", 20 + round, fuel),
                interp.call(interp.other, "run", 20 + round, fuel))
          << "other, round " << round;
      EXPECT_EQ(baseline.owner_sp(), interp.owner_sp()) << "round " << round;
    }
  }
  // The values themselves, on fresh instances: the importer's write of global 0 is the owner's.
  Linked fresh(Tier::Baseline);
  const Outcome first = fresh.call(fresh.importer, "run", 10, {});
  ASSERT_EQ(first.results.size(), 1u);
  // before 1000; bump: sp 1010, k 6, returns 1016; sp then 1007; mine 7 + 1007.
  EXPECT_EQ(first.results[0].as_i64(), (int64_t{1000 + 1016} << 32) | (7 + 1007));
  EXPECT_EQ(fresh.owner_sp(), 1007);
  const Outcome second = fresh.call(fresh.other, "run", 20, {});
  ASSERT_EQ(second.results.size(), 1u);
  // bump: sp 1027, k 7, returns 1034; the other's own global 0: 50 + 1, then + 1034.
  EXPECT_EQ(second.results[0].as_i64(), (int64_t{1034} << 32) | (51 + 1034));
  EXPECT_EQ(fresh.owner_sp(), 1027);
}

}  // namespace
}  // namespace lunatic::tiering::testing
