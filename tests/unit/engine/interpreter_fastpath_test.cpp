// The interpreter's fast paths against their slow twins: frames pushed by pointer arithmetic
// while the frame and slot storage grows under them, returns across instances, the memory
// registers after a callee grows memory, the one-counter safepoints (exact fuel, kill polling).
#include <atomic>
#include <chrono>
#include <thread>

#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

// rec(n) = n == 0 ? 0 : rec(n - 1) + 3n, with 3n kept in a local across the call.
ModuleBuilder recursive_module() {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  b.func(i_i, {ValType::I32},
         Body()
             .get(0)
             .i32(3)
             .op(Opcode::I32Mul)
             .set(1)
             .get(0)
             .op(Opcode::I32Eqz)
             .open(Opcode::If, ValType::I32)
             .i32(0)
             .op(Opcode::Else)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .call(0)
             .get(1)
             .op(Opcode::I32Add)
             .end()
             .end(),
         "rec");
  return b;
}

TEST(InterpreterFastPath, LocalsSurviveStackGrowthDuringRecursion) {
  ModuleBuilder b = recursive_module();
  Harness h(b);
  // 2000 frames: the frame storage doubles from 16 and the slots from 256 several times while
  // the frames below keep values they read after their call returns.
  EXPECT_EQ(h.call_i32("rec", {Value::i32(2000)}), 3 * 2000 * 2001 / 2);
  // Again on the grown stack (no growth this time), and sliced.
  EXPECT_EQ(h.call_i32("rec", {Value::i32(1500)}), 3 * 1500 * 1501 / 2);
  h.thread.begin_call(h.fn("rec"), std::vector<Value>{Value::i32(700)}).value();
  while (h.thread.run(5) == RunStatus::Yielded) {
  }
  EXPECT_EQ(h.thread.results()[0].as_i32(), 3 * 700 * 701 / 2);
}

TEST(InterpreterFastPath, BacktraceNamesEachCallThroughFastFrames) {
  ModuleBuilder b;
  const uint32_t t = b.type({}, {});
  const uint32_t inner = b.func(t, {}, Body().op(Opcode::Unreachable).end(), "inner");
  const uint32_t mid = b.func(
      t, {}, Body().op(Opcode::Nop).op(Opcode::Nop).op(Opcode::Nop).call(inner).end(), "mid");
  b.func(t, {}, Body().op(Opcode::Nop).call(mid).op(Opcode::Nop).end(), "outer");
  Harness h(b);
  EXPECT_EQ(h.trap_of("outer"), "unreachable");
  const auto& bt = h.thread.trap().backtrace;
  ASSERT_EQ(bt.size(), 3u);
  EXPECT_EQ(bt[0].function_name, "inner");
  EXPECT_EQ(bt[0].offset, Body::kFirstOffset);
  EXPECT_EQ(bt[1].function_name, "mid");
  EXPECT_EQ(bt[1].offset, Body::kFirstOffset + 3);
  EXPECT_EQ(bt[2].function_name, "outer");
  EXPECT_EQ(bt[2].offset, Body::kFirstOffset + 1);
}

TEST(InterpreterFastPath, CallsAcrossInstancesUseTheirOwnMemory) {
  MemoryPool pool;
  Store store(pool);
  ModuleBuilder a;
  a.memory(1);
  a.data(0, std::string("\x05\0\0\0", 4));
  const uint32_t v_i = a.type({}, {ValType::I32});
  a.func(v_i, {}, Body().i32(0).load(Opcode::I32Load).end(), "get");
  Instance* ia = store.instantiate(a.compile(), {}).value();

  ModuleBuilder b;
  const uint32_t bv_i = b.type({}, {ValType::I32});
  const uint32_t get = b.import_func(bv_i, "get");
  b.memory(1);
  b.data(0, std::string("\x64\0\0\0", 4));
  // own[0] + get() + own[0]: the memory registers switch to a's memory and back.
  b.func(bv_i, {},
         Body()
             .i32(0)
             .load(Opcode::I32Load)
             .call(get)
             .op(Opcode::I32Add)
             .i32(0)
             .load(Opcode::I32Load)
             .op(Opcode::I32Add)
             .end(),
         "sum");
  std::vector<Extern> imports = {{wasm::ExternKind::Func, ia->find_export("get")->func()}};
  Instance* ib = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  auto r = thread.call(ib->find_export("sum")->func(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i32(), 100 + 5 + 100);
}

TEST(InterpreterFastPath, CallerSeesMemoryGrownByCallee) {
  ModuleBuilder b;
  b.memory(1, 2);
  const uint32_t v_v = b.type({}, {});
  const uint32_t v_i = b.type({}, {ValType::I32});
  const uint32_t grow =
      b.func(v_v, {}, Body().i32(1).op(Opcode::MemoryGrow).op(Opcode::Drop).end());
  b.func(v_i, {},
         Body()
             .call(grow)
             .i32(70000)
             .i32(42)
             .op(Opcode::I32Store, 0, 0)
             .i32(70000)
             .load(Opcode::I32Load)
             .end(),
         "grow_then_use");
  Harness h(b);
  EXPECT_EQ(h.call_i32("grow_then_use"), 42);
}

// loop(n): counts n down to 0 in a loop of a few instructions.
ModuleBuilder counting_module() {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  b.func(i_i, {},
         Body()
             .open(Opcode::Loop)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .op(Opcode::LocalTee, 0)
             .br_if(0)
             .end()
             .get(0)
             .end(),
         "count");
  const uint32_t v = b.type({}, {});
  b.func(v, {}, Body().open(Opcode::Loop).br(0).end().end(), "spin");
  return b;
}

uint64_t fuel_used(Harness& h, int32_t n, uint64_t slice) {
  constexpr uint64_t kFuel = 1'000'000'000;
  h.thread.set_fuel(kFuel);
  h.thread.begin_call(h.fn("count"), std::vector<Value>{Value::i32(n)}).value();
  RunStatus st;
  while ((st = h.thread.run(slice)) == RunStatus::Yielded) {
  }
  EXPECT_EQ(st, RunStatus::Done);
  return kFuel - *h.thread.fuel();
}

TEST(InterpreterFastPath, FuelIsExactAcrossBudgetRefills) {
  ModuleBuilder b = counting_module();
  Harness h(b);
  // The loop body is 6 Wasm instructions (loop, local.get, i32.const, i32.sub, local.tee,
  // br_if) charged per iteration; 100,000 iterations cross many budget refills.
  const uint64_t small = fuel_used(h, 10, UINT64_MAX);
  const uint64_t big = fuel_used(h, 100'010, UINT64_MAX);
  EXPECT_EQ(big - small, 100'000u * 6);
  EXPECT_EQ(fuel_used(h, 100'010, 1000), big);
  EXPECT_EQ(fuel_used(h, 100'010, 70'001), big);
  EXPECT_EQ(fuel_used(h, 100'010, 1), big);
}

TEST(InterpreterFastPath, FuelRunsOutExactly) {
  ModuleBuilder b = counting_module();
  Harness h(b);
  const uint64_t need = fuel_used(h, 5000, UINT64_MAX);
  h.thread.set_fuel(need);
  EXPECT_EQ(h.call_i32("count", {Value::i32(5000)}), 0);
  EXPECT_EQ(*h.thread.fuel(), 0u);
  h.thread.set_fuel(need - 1);
  EXPECT_EQ(h.trap_of("count", {Value::i32(5000)}), "out of fuel");
}

TEST(InterpreterFastPath, KillFromAnotherThreadStopsAnUnslicedRun) {
  ModuleBuilder b = counting_module();
  Harness h(b);
  h.thread.begin_call(h.fn("spin"), {}).value();
  std::atomic<bool> stop{false};
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    while (!stop.load()) {
      h.thread.request_kill();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  const RunStatus st = h.thread.run();  // no slice: only the kill poll can stop it
  stop.store(true);
  killer.join();
  ASSERT_EQ(st, RunStatus::Trapped);
  EXPECT_EQ(h.thread.trap().kind, TrapKind::Killed);
}

TEST(InterpreterFastPath, KillRequestedByAHostFunctionTakesEffectAtTheNextSafepoint) {
  ModuleBuilder b;
  const uint32_t v_v = b.type({}, {});
  const uint32_t kill_me = b.import_func(v_v, "kill_me");
  b.func(v_v, {}, Body().call(kill_me).open(Opcode::Loop).br(0).end().end(), "f");
  MemoryPool pool;
  Store store(pool);
  Function* host = store.add_host_function({{}, {}}, [](HostCall& c) {
    c.thread.request_kill();
    return HostStatus::Return;
  });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, host}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  thread.set_fuel(1'000'000);
  thread.begin_call(inst->find_export("f")->func(), {}).value();
  ASSERT_EQ(thread.run(), RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::Killed);
  // At the loop's first safepoint, not a kill-poll interval later.
  EXPECT_GE(*thread.fuel(), 1'000'000u - 10);
}

}  // namespace
}  // namespace lunatic::engine::testing
