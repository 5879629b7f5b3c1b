// The public engine API (include/lunatic/engine.hpp): a module instantiated with typed host
// functions, exports called on a Thread, traps read as values, fuel and slices.
#include <gtest/gtest.h>

#include <lunatic/engine.hpp>

#include <string>
#include <vector>

#include "embed_test_support.hpp"

namespace lunatic {
namespace {

using ::lunatic::testing::module_of;

constexpr std::string_view kModule = R"((module
  (import "host" "scale" (func $scale (param f64) (result f64)))
  (import "host" "fill" (func $fill (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "twice") (param f64) (result f64) (call $scale (local.get 0)))
  (func (export "fill_sum") (result i32)
    (call $fill (i32.const 8) (i32.const 3))
    (i32.add (i32.load (i32.const 8))
             (i32.add (i32.load (i32.const 12)) (i32.load (i32.const 16)))))
  (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "div") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "spin") (loop $l (br $l))))
)";

Linker host_linker() {
  Linker linker;
  linker.ns("host")
      .define("scale", [](double x) { return 2 * x; })
      .define("fill", [](GuestMutSpan<uint32_t> out) {
        for (uint32_t i = 0; i < out.size(); ++i) out.write(i, 10 * (i + 1));
      });
  return linker;
}

TEST(EngineApi, CallsExportsThroughTypedHostFunctions) {
  Module module = module_of(kModule);
  Store store;
  auto instance = store.instantiate(module, host_linker());
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  Thread thread(store);
  std::vector<Value> args{Value::f64(1.25)};
  auto twice = thread.call(instance->find_function("twice"), args);
  ASSERT_TRUE(twice.ok()) << twice.error().to_string();
  EXPECT_EQ((*twice)[0].as_f64(), 2.5);
  auto sum = thread.call(instance->find_function("fill_sum"), {});
  ASSERT_TRUE(sum.ok()) << sum.error().to_string();
  EXPECT_EQ((*sum)[0].as_i32(), 60);
  EXPECT_EQ(instance->find_function("twice").params(), std::vector<ValType>{ValType::F64});
}

TEST(EngineApi, StoresOfOneEngineShareItsPoolAndKeepTheirFunctions) {
  Module module = module_of(kModule);
  Engine engine;
  Store a(engine);
  Store b(engine);
  auto in_a = a.instantiate(module, host_linker());
  auto in_b = b.instantiate(module, host_linker());
  ASSERT_TRUE(in_a.ok() && in_b.ok());
  Thread thread(a);
  auto sum = thread.call(in_a->find_function("fill_sum"), {});
  ASSERT_TRUE(sum.ok()) << sum.error().to_string();
  EXPECT_EQ((*sum)[0].as_i32(), 60);
  // b's function on a's thread would run b's instance with a's state: refused.
  auto foreign = thread.call(in_b->find_function("fill_sum"), {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().phase, Phase::Usage);
  EXPECT_FALSE(thread.begin_call(in_b->find_function("fill_sum"), {}).ok());
  // Many Stores of one Engine: each memory is a slot of the shared reservations.
  for (int i = 0; i < 1000; ++i) {
    Store s(engine);
    ASSERT_TRUE(s.instantiate(module, host_linker()).ok());
  }
}

TEST(EngineApi, MissingImportsAndExportsAreErrors) {
  Module module = module_of(kModule);
  Store store;
  auto unlinked = store.instantiate(module, Linker());
  ASSERT_FALSE(unlinked.ok());
  EXPECT_EQ(unlinked.error().phase, Phase::Link);
  EXPECT_EQ(unlinked.error().message, "unknown import: host::scale");

  auto instance = store.instantiate(module, host_linker());
  ASSERT_TRUE(instance.ok());
  Thread thread(store);
  Function none = instance->find_function("nope");
  EXPECT_FALSE(none);
  auto call = thread.call(none, {});
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().phase, Phase::Usage);
  std::vector<std::string> names;
  for (const Module::Export& e : module.exports()) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"memory", "twice", "fill_sum", "div", "spin"}));
}

TEST(EngineApi, TrapsAreValuesWithABacktrace) {
  Module module = module_of(kModule);
  Store store;
  auto instance = store.instantiate(module, host_linker());
  ASSERT_TRUE(instance.ok());
  Thread thread(store);
  std::vector<Value> zero{Value::i32(0)};
  auto quotient = thread.call(instance->find_function("div"), zero);
  ASSERT_FALSE(quotient.ok());
  EXPECT_EQ(quotient.error().phase, Phase::Trap);
  EXPECT_EQ(quotient.error().message, "integer divide by zero");

  ASSERT_TRUE(thread.begin_call(instance->find_function("div"), zero).ok());
  ASSERT_EQ(thread.run(), RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(thread.trap().backtrace.size(), 2u);
}

TEST(EngineApi, SlicesYieldAndFuelRunsOut) {
  Module module = module_of(kModule);
  Store store;
  auto instance = store.instantiate(module, host_linker());
  ASSERT_TRUE(instance.ok());
  Thread thread(store);
  thread.set_fuel(10'000);
  ASSERT_TRUE(thread.begin_call(instance->find_function("spin"), {}).ok());
  EXPECT_EQ(thread.run(100), RunStatus::Yielded);
  RunStatus status = thread.run(100);
  while (status == RunStatus::Yielded) status = thread.run(100);
  ASSERT_EQ(status, RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::OutOfFuel);
  EXPECT_EQ(thread.trap().message, "out of fuel");
}

}  // namespace
}  // namespace lunatic

namespace lunatic {
namespace {

TEST(EngineApi, WasmFeaturesGateProposals) {
  auto bytes = text::parse_module(
      R"((module (func (export "f") (result i32) (i32.extend8_s (i32.const 255)))))");
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto all = compile(*bytes);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  auto without = compile(*bytes, WasmFeatures{.sign_extension = false});
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().phase, Phase::Decode);
  EXPECT_EQ(without.error().message,
            "sign-extension operators are disabled (feature sign-extension)");
  EXPECT_TRUE(
      compile(*bytes, WasmFeatures{.simd = false, .bulk_memory = false, .reference_types = false})
          .ok());
  // reference types build on bulk memory's table instructions: not one without the other.
  auto no_bulk = compile(*bytes, WasmFeatures{.bulk_memory = false});
  ASSERT_FALSE(no_bulk.ok());
  EXPECT_EQ(no_bulk.error().phase, Phase::Usage);
}

}  // namespace
}  // namespace lunatic
