// The fuel lunatic::process::spawn charges its caller for instantiating the child's tables:
// the null slots of a small (malloc'ed) table are written and charged at the bulk rate; a big
// one (engine::Table::kMappedBytes, 16,384 slots and more) is a mapping whose slots are never
// written, so they cost no fuel (only the spawn's flat 10,000 units). And compile_module's
// 256 units a byte, which pay for the baseline's first-call compiles too.
#include <string>
#include <string_view>

#include "engine/fuel_meter.hpp"
#include "engine/store.hpp"
#include "host_fixture.hpp"

namespace lunatic {
namespace {

// spawn_once: spawns noop of this module in the caller's environment (a trap if refused).
std::string guest_with_table(uint32_t slots) {
  return R"((module
  (import "lunatic::process" "spawn"
    (func $spawn (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (memory 1)
  (table )" +
         std::to_string(slots) + R"( funcref)
  (data (i32.const 0) "noop")
  (func (export "noop"))
  (func (export "spawn_once")
    (if (call $spawn (i64.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 4)
                     (i32.const 16) (i32.const 0) (i32.const 32))
      (then unreachable))))
)";
}

ExitStatus spawn_once(uint32_t slots, uint64_t max_fuel) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  std::shared_ptr<const CompiledModule> module = test::compile_wat(guest_with_table(slots));
  if (module == nullptr) return {};
  return test::run_to_end(runtime, module, Environment::create({.max_fuel = max_fuel}),
                          "spawn_once", {});
}

constexpr uint32_t kMappedSlots = engine::Table::kMappedBytes / sizeof(engine::Slot);

TEST(SpawnFuel, TheMappingThresholdIsWhereTheWritesStop) {
  EXPECT_EQ(kMappedSlots, 16'384u);
  EXPECT_EQ(engine::Table::initial_write_bytes(kMappedSlots - 1), (kMappedSlots - 1) * 8u);
  EXPECT_EQ(engine::Table::initial_write_bytes(kMappedSlots), 0u);
  EXPECT_EQ(engine::Table::initial_write_bytes(engine::Table::kMaxElements), 0u);
}

TEST(SpawnFuel, ASmallTablesSlotsAreChargedAtTheBulkRate) {
  // 10,000 units a spawn and 8,191 for the 131,064 bytes written: 12,000 units cannot pay.
  ASSERT_EQ(engine::bulk_fuel(engine::Table::initial_write_bytes(kMappedSlots - 1)), 8'191u);
  ExitStatus poor = spawn_once(kMappedSlots - 1, 12'000);
  EXPECT_EQ(poor.kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(poor.to_string(), "trap: out of fuel");
  ExitStatus paid = spawn_once(kMappedSlots - 1, 19'000);
  EXPECT_EQ(paid.kind, ExitStatus::Kind::Normal) << paid.to_string();
}

TEST(SpawnFuel, ABigTablesUnwrittenSlotsCostNoFuel) {
  // One slot more makes the table a mapping: the spawn costs its flat 10,000 units. It used
  // to cost 18,192 (8 bytes a slot), which 12,000 units could not pay.
  ExitStatus mapped = spawn_once(kMappedSlots, 12'000);
  EXPECT_EQ(mapped.kind, ExitStatus::Kind::Normal) << mapped.to_string();
  // The biggest table costs the same.
  ExitStatus biggest = spawn_once(engine::Table::kMaxElements, 12'000);
  EXPECT_EQ(biggest.kind, ExitStatus::Kind::Normal) << biggest.to_string();
  // And the flat part is still charged: 9,000 units cannot pay for it.
  ExitStatus poor = spawn_once(kMappedSlots, 9'000);
  EXPECT_EQ(poor.kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(poor.to_string(), "trap: out of fuel");
}

// compile_once: compiles the empty module (8 bytes) at address 0, a trap if refused.
constexpr std::string_view kCompiler = R"((module
  (import "lunatic::process" "compile_module"
    (func $compile (param i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "\00asm\01\00\00\00")
  (func (export "compile_once")
    (if (call $compile (i32.const 0) (i32.const 8) (i32.const 16)) (then unreachable))))
)";

ExitStatus compile_once(uint64_t max_fuel) {
  Runtime runtime({.workers = 1, .linker = standard_linker()});
  std::shared_ptr<const CompiledModule> module = test::compile_wat(kCompiler);
  if (module == nullptr) return {};
  return test::run_to_end(runtime, module, Environment::create({.max_fuel = max_fuel}),
                          "compile_once", {});
}

TEST(CompileFuel, AModulesBytesCost256UnitsEach) {
  // 8 bytes: 2,048 units (64 for decoding and lowering, 192 for the baseline's compiles).
  ExitStatus poor = compile_once(2'000);
  EXPECT_EQ(poor.kind, ExitStatus::Kind::Failed);
  EXPECT_EQ(poor.to_string(), "trap: out of fuel");
  ExitStatus paid = compile_once(2'100);
  EXPECT_EQ(paid.kind, ExitStatus::Kind::Normal) << paid.to_string();
}

}  // namespace
}  // namespace lunatic
