// The baseline compiles each function on its first call (src/baseline/lazy_code.cpp): the
// first call of a function compiles it once, whoever calls (processes on two threads at once,
// call_indirect, through a table another instance shares), with the interpreter's fuel at
// every safepoint, and a function that cannot be compiled traps its call.
#include <barrier>
#include <thread>

#include "../support/tier_modules.hpp"
#include "../tiering/tier_fixture.hpp"
#include "baseline/baseline.hpp"
#include "engine/code.hpp"
#include "jit/native_tier.hpp"

namespace lunatic::tiering::testing {
namespace {

constexpr std::string_view kWork = lunatic::testing::kWorkWat;  // support/tier_modules.hpp

// Whether defined function i of `module` still has its stub as its slot entry (the typed
// entries of baseline code stay the stubs).
bool still_a_stub(const engine::CompiledModule& module, uint32_t defined_index) {
  const native::NativeCode& code = native::native_tier_of(module)->code();
  return reinterpret_cast<void*>(code.entry(defined_index)) == code.typed(defined_index);
}

TEST(BaselineTierLazy, AFunctionIsCompiledOnItsFirstCallOnly) {
  TierInstance t(kWork, Tier::Baseline);
  ASSERT_NE(t.instance, nullptr);
  const engine::CompiledModule& module = *t.instance->module;
  for (uint32_t i = 0; i < module.wasm.functions.size(); ++i) EXPECT_TRUE(still_a_stub(module, i));
  const uint64_t before = baseline::lazy_totals().functions;
  // sum_squares (defined 1) calls $sq (defined 0): both compiled, nothing else.
  Outcome o = run_to_end(t.thread, t.fn("sum_squares"), {Value::i32(10)}, {});
  EXPECT_EQ(o.results.at(0).as_i32(), 385);
  EXPECT_EQ(baseline::lazy_totals().functions - before, 2u);
  EXPECT_FALSE(still_a_stub(module, 0));
  EXPECT_FALSE(still_a_stub(module, 1));
  for (uint32_t i = 2; i < module.wasm.functions.size(); ++i) EXPECT_TRUE(still_a_stub(module, i));
  o = run_to_end(t.thread, t.fn("sum_squares"), {Value::i32(3)}, {});
  EXPECT_EQ(o.results.at(0).as_i32(), 14);
  EXPECT_EQ(baseline::lazy_totals().functions - before, 2u);
}

// Fresh code for every fuel budget: the first call of each function (its compile) happens
// under that budget, and fuel runs out at the same safepoint as in the interpreter.
TEST(BaselineTierLazy, FuelLeftIsTheInterpretersWhenTheFirstCallCompiles) {
  TierInstance interp(kWork, Tier::Interp);
  ASSERT_NE(interp.instance, nullptr);
  for (uint64_t fuel = 0; fuel <= 90; fuel += 3) {
    TierInstance lazy(kWork, Tier::Baseline);
    ASSERT_NE(lazy.instance, nullptr);
    for (const char* fn : {"sum_squares", "fib"}) {
      const std::vector<Value> args = {fn[0] == 's' ? Value::i32(6) : Value::i64(6)};
      const Outcome want = run_to_end(interp.thread, interp.fn(fn), args, fuel);
      const Outcome got = run_to_end(lazy.thread, lazy.fn(fn), args, fuel);
      ASSERT_EQ(got, want) << fn << " fuel " << fuel;
    }
    TierInstance sliced(kWork, Tier::Baseline);
    const Outcome want = run_to_end(interp.thread, interp.fn("fib"), {Value::i64(7)}, 500, 3);
    const Outcome got = run_to_end(sliced.thread, sliced.fn("fib"), {Value::i64(7)}, 500, 3);
    ASSERT_EQ(got, want) << "sliced, fuel " << fuel;
  }
}

constexpr std::string_view kChain = R"((module
  (type $t (func (param i32) (result i32)))
  (table (export "t") 4 funcref)
  (elem (i32.const 0) $double $square $chain)
  (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $c (param i32) (result i32) (i32.add (call $double (local.get 0)) (i32.const 1)))
  (func $b (param i32) (result i32) (i32.mul (call $c (local.get 0)) (i32.const 3)))
  (func $chain (export "chain") (param i32) (result i32) (i32.sub (call $b (local.get 0)) (i32.const 7)))
  (func (export "pick") (param $slot i32) (param $x i32) (result i32)
    (call_indirect (type $t) (local.get 1) (local.get 0)))))";

int32_t chain(int32_t x) { return (2 * x + 1) * 3 - 7; }

// One process: its own Store, instance and Thread, on the shared module.
struct Process {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* instance = nullptr;
  Thread thread{store};
  explicit Process(std::shared_ptr<const engine::CompiledModule> module) {
    instance = store.instantiate(std::move(module), {}).value();
  }
};

// Processes of one module on two threads call the same cold functions at the same moment:
// each function is compiled once, every process gets the right answer.
TEST(BaselineTierLazy, ProcessesOnTwoThreadsCallTheSameColdFunctionAtOnce) {
  for (int round = 0; round < 25; ++round) {
    auto module = compile_wat(kChain, Tier::Baseline);
    ASSERT_NE(module, nullptr);
    ASSERT_NE(module->native(), nullptr);
    constexpr int kProcesses = 8;
    std::vector<std::unique_ptr<Process>> processes;
    for (int p = 0; p < kProcesses; ++p) processes.push_back(std::make_unique<Process>(module));
    const uint64_t before = baseline::lazy_totals().functions;
    std::vector<Outcome> outcomes(kProcesses);
    std::barrier start(2);
    auto worker = [&](int first) {
      start.arrive_and_wait();
      for (int p = first; p < kProcesses; p += 2) {
        Process& proc = *processes[p];
        Function* fn = proc.instance->find_export(p % 4 == 3 ? "pick" : "chain")->func();
        std::vector<Value> args = {Value::i32(p)};
        if (p % 4 == 3) args.insert(args.begin(), Value::i32(2));  // table[2] = $chain
        outcomes[p] = run_to_end(proc.thread, fn, args, 100'000, p % 3 == 0 ? 2 : UINT64_MAX);
      }
    };
    std::thread a(worker, 0);
    std::thread b(worker, 1);
    a.join();
    b.join();
    for (int p = 0; p < kProcesses; ++p) {
      ASSERT_EQ(outcomes[p].status, RunStatus::Done) << p << " " << outcomes[p];
      EXPECT_EQ(outcomes[p].results.at(0).as_i32(), chain(p)) << p;
    }
    // chain, b, c, double, and pick: five functions, each once.
    EXPECT_EQ(baseline::lazy_totals().functions - before, 5u) << "round " << round;
  }
}

// call_indirect reaches cold functions through the fast path (a function of this instance)
// and through the helper (a table of another instance), with the interpreter's answers and
// traps.
TEST(BaselineTierLazy, CallIndirectToFunctionsNotCompiledYet) {
  TierInstance interp(kChain, Tier::Interp);
  TierInstance lazy(kChain, Tier::Baseline);
  ASSERT_NE(lazy.instance, nullptr);
  for (int32_t slot : {0, 1, 2, 3, 4}) {
    const std::vector<Value> args = {Value::i32(slot), Value::i32(9)};
    const Outcome want = run_to_end(interp.thread, interp.fn("pick"), args, 10'000);
    const Outcome got = run_to_end(lazy.thread, lazy.fn("pick"), args, 10'000);
    EXPECT_EQ(got, want) << "slot " << slot;
  }
  // A second module calls through the first one's table (imported): the helper's path into
  // the other instance, whose functions have not run yet.
  constexpr std::string_view kCaller = R"((module
    (type $t (func (param i32) (result i32)))
    (import "a" "t" (table 4 funcref))
    (func (export "call") (param $slot i32) (param $x i32) (result i32)
      (call_indirect (type $t) (local.get 1) (local.get 0)))))";
  auto owner = compile_wat(kChain, Tier::Baseline);
  auto caller = compile_wat(kCaller, Tier::Baseline);
  ASSERT_NE(owner, nullptr);
  ASSERT_NE(caller, nullptr);
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* a = store.instantiate(owner, {}).value();
  std::vector<Extern> imports = {*a->find_export("t")};
  engine::Instance* b = store.instantiate(caller, imports).value();
  Thread thread(store);
  Function* call = b->find_export("call")->func();
  for (uint32_t i = 0; i < owner->wasm.functions.size(); ++i) EXPECT_TRUE(still_a_stub(*owner, i));
  Outcome o = run_to_end(thread, call, {Value::i32(2), Value::i32(5)}, 10'000);
  EXPECT_EQ(o.results.at(0).as_i32(), chain(5)) << o;
  o = run_to_end(thread, call, {Value::i32(1), Value::i32(5)}, 10'000);
  EXPECT_EQ(o.results.at(0).as_i32(), 25) << o;
  o = run_to_end(thread, call, {Value::i32(3), Value::i32(5)}, 10'000);
  EXPECT_EQ(o.trap, "uninitialized element 3");
  EXPECT_FALSE(still_a_stub(*owner, 4));  // $chain
  EXPECT_TRUE(still_a_stub(*owner, 5));   // pick: never called
}

// A function the compiler refuses only when it compiles it (here: lowered code whose
// safepoints do not match its body) traps the call that needed it, with the reason; the
// module's other functions run.
TEST(BaselineTierLazy, AFunctionThatCannotBeCompiledTrapsItsCall) {
  auto module = compile_wat(kWork, Tier::Interp);
  ASSERT_NE(module, nullptr);
  auto copy = std::make_shared<engine::CompiledModule>();
  copy->wasm = module->wasm;
  for (uint32_t i = 0; i < module->code.size(); ++i) {  // lowered, then copied
    copy->code.push_back(std::make_unique<engine::CompiledFunction>(*module->lowered(i).value()));
  }
  std::vector<uint32_t>& code = copy->code[1]->code;  // sum_squares: entry and one loop
  uint32_t seen = 0;
  for (size_t pc = 0; pc < code.size(); pc += engine::instruction_words(code.data() + pc)) {
    if (static_cast<engine::Op>(code[pc]) == engine::Op::Safepoint && seen++ == 1) {
      code[pc] = static_cast<uint32_t>(engine::Op::DataDrop);
    }
  }
  ASSERT_TRUE(baseline::attach_baseline(*copy).ok());
  engine::MemoryPool pool;
  engine::Store store(pool);
  engine::Instance* inst = store.instantiate(copy, {}).value();
  Thread thread(store);
  Outcome o = run_to_end(thread, inst->find_export("sum_squares")->func(), {Value::i32(4)}, {});
  EXPECT_EQ(o.status, RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::Host);
  EXPECT_NE(o.trap.find("baseline tier: cannot compile"), std::string::npos) << o.trap;
  EXPECT_NE(o.trap.find("safepoints"), std::string::npos) << o.trap;
  o = run_to_end(thread, inst->find_export("fib")->func(), {Value::i64(10)}, {});
  EXPECT_EQ(o.results.at(0).as_i64(), 55) << o;
  // Called again, it fails again the same way (nothing half published).
  o = run_to_end(thread, inst->find_export("sum_squares")->func(), {Value::i32(4)}, {});
  EXPECT_NE(o.trap.find("baseline tier: cannot compile"), std::string::npos) << o.trap;
}

}  // namespace
}  // namespace lunatic::tiering::testing
