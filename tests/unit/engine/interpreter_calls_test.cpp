// Calls: call_indirect and its traps, the call-depth limit, host functions (return, trap, park)
// from Wasm and at top level.
#include "interp_builder.hpp"

namespace lunatic::engine::testing {
namespace {

// A table of [f0: ()->i32 returning 10, f1: ()->i32 returning 11, null, f3: (i32)->i32].
ModuleBuilder indirect_module() {
  ModuleBuilder b;
  const uint32_t v_i = b.type({}, {ValType::I32});
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t f0 = b.func(v_i, {}, Body().i32(10).end());
  const uint32_t f1 = b.func(v_i, {}, Body().i32(11).end());
  const uint32_t f3 = b.func(i_i, {}, Body().get(0).end());
  b.table(4);
  b.elements(0, {f0, f1});
  b.elements(3, {f3});
  b.func(i_i, {}, Body().get(0).op(Opcode::CallIndirect, v_i, 0).end(), "call");
  return b;
}

TEST(InterpreterCalls, CallIndirect) {
  ModuleBuilder b = indirect_module();
  Harness h(b);
  EXPECT_EQ(h.call_i32("call", {Value::i32(0)}), 10);
  EXPECT_EQ(h.call_i32("call", {Value::i32(1)}), 11);
  EXPECT_EQ(h.trap_of("call", {Value::i32(2)}), "uninitialized element 2");
  EXPECT_EQ(h.thread.trap().kind, TrapKind::UninitializedElement);
  EXPECT_EQ(h.trap_of("call", {Value::i32(3)}), "indirect call type mismatch");
  EXPECT_EQ(h.trap_of("call", {Value::i32(4)}), "undefined element");
  EXPECT_EQ(h.trap_of("call", {Value::i32(-1)}), "undefined element");
}

TEST(InterpreterCalls, CallIndirectMatchesStructurallyEqualTypes) {
  ModuleBuilder b;
  const uint32_t v_i = b.type({}, {ValType::I32});
  // A second, structurally equal type index (the builder dedupes, so add it by hand).
  b.m.types.push_back(b.m.types[v_i]);
  const uint32_t v_i2 = static_cast<uint32_t>(b.m.types.size() - 1);
  const uint32_t f = b.func(v_i2, {}, Body().i32(5).end());
  b.table(1);
  b.elements(0, {f});
  b.func(v_i, {}, Body().i32(0).op(Opcode::CallIndirect, v_i, 0).end(), "call");
  Harness h(b);
  EXPECT_EQ(h.call_i32("call"), 5);
}

TEST(InterpreterCalls, DeepRecursionExhaustsTheStack) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(t, {}, Body().get(0).i32(1).op(Opcode::I32Add).call(0).end(), "forever");
  b.func(t, {},
         Body()
             .get(0)
             .op(Opcode::I32Eqz)
             .open(Opcode::If, ValType::I32)
             .i32(0)
             .op(Opcode::Else)
             .get(0)
             .i32(1)
             .op(Opcode::I32Sub)
             .call(1)
             .i32(1)
             .op(Opcode::I32Add)
             .end()
             .end(),
         "depth");
  Harness h(b, {}, ThreadLimits{1000, 1u << 20});
  h.thread.begin_call(h.fn("forever"), std::vector<Value>{Value::i32(0)}).value();
  ASSERT_EQ(h.thread.run(), RunStatus::Trapped);
  EXPECT_EQ(h.thread.trap().kind, TrapKind::CallStackExhausted);
  EXPECT_EQ(h.thread.trap().message, "call stack exhausted");
  // Just under the limit works, and the thread is usable again.
  EXPECT_EQ(h.call_i32("depth", {Value::i32(998)}), 998);
  EXPECT_EQ(h.trap_of("depth", {Value::i32(1000)}), "call stack exhausted");
}

TEST(InterpreterCalls, StackSlotLimit) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32}, {ValType::I32});
  b.func(t, {ValType::I64, ValType::I64, ValType::I64}, Body().get(0).call(0).end(), "forever");
  Harness h(b, {}, ThreadLimits{1'000'000, 4096});
  EXPECT_EQ(h.trap_of("forever", {Value::i32(0)}), "call stack exhausted");
}

TEST(InterpreterCalls, HostFunctionsReturnAndTrap) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t twice = b.import_func(i_i, "twice");
  const uint32_t fail = b.import_func(i_i, "fail");
  b.func(i_i, {}, Body().get(0).call(twice).i32(1).op(Opcode::I32Add).end(), "f");
  b.func(i_i, {}, Body().get(0).call(fail).end(), "g");
  MemoryPool pool;
  Store store(pool);
  const wasm::FuncType type{{ValType::I32}, {ValType::I32}};
  Instance* seen_caller = nullptr;
  Function* h_twice = store.add_host_function(type, [&](HostCall& c) {
    seen_caller = c.caller;
    c.results[0] = static_cast<uint32_t>(static_cast<int32_t>(c.args[0]) * 2);
    return HostStatus::Return;
  });
  Function* h_fail =
      store.add_host_function(type, [](HostCall& c) { return c.fail(Trap::host("nope")); });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, h_twice},
                                 {wasm::ExternKind::Func, h_fail}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  auto r = thread.call(inst->find_export("f")->func(), std::vector<Value>{Value::i32(20)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i32(), 41);
  EXPECT_EQ(seen_caller, inst);
  thread.begin_call(inst->find_export("g")->func(), std::vector<Value>{Value::i32(1)}).value();
  ASSERT_EQ(thread.run(), RunStatus::Trapped);
  EXPECT_EQ(thread.trap().kind, TrapKind::Host);
  EXPECT_EQ(thread.trap().message, "nope");
  ASSERT_EQ(thread.trap().backtrace.size(), 1u);
  EXPECT_EQ(thread.trap().backtrace[0].function_name, "g");
  // Top-level call of a host function.
  r = thread.call(h_twice, std::vector<Value>{Value::i32(-4)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i32(), -8);
}

// A direct host function: the entry gets its context (kept alive by the store), its slots are
// counted from the type once; a function without an implementation traps when called.
TEST(InterpreterCalls, DirectHostFunctionGetsItsContext) {
  ModuleBuilder b;
  const uint32_t t = b.type({ValType::I32, ValType::I64}, {ValType::I64});
  const uint32_t add = b.import_func(t, "add");
  const uint32_t none = b.import_func(t, "none");
  b.func(t, {}, Body().get(0).get(1).call(add).end(), "f");
  b.func(t, {}, Body().get(0).get(1).call(none).end(), "g");
  MemoryPool pool;
  Store store(pool);
  const wasm::FuncType type{{ValType::I32, ValType::I64}, {ValType::I64}};
  struct Offset {
    int64_t by;
    mutable int calls = 0;
  };
  auto offset = std::make_shared<const Offset>(Offset{1000});
  const std::weak_ptr<const Offset> alive = offset;
  DirectHostFunction direct{[](const void* context, HostCall& c) {
                              const auto& o = *static_cast<const Offset*>(context);
                              ++o.calls;
                              c.results[0] = c.args[0] + c.args[1] + static_cast<uint64_t>(o.by);
                              return HostStatus::Return;
                            },
                            std::move(offset)};
  Function* h_add = store.add_host_function(type, std::move(direct));
  Function* h_none = store.add_host_function(type, HostFunction());
  EXPECT_FALSE(alive.expired());  // the store holds the context
  EXPECT_EQ(h_add->host_param_slots(), 2u);
  EXPECT_EQ(h_add->host_result_slots(), 1u);
  std::vector<Extern> imports = {{wasm::ExternKind::Func, h_add}, {wasm::ExternKind::Func, h_none}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  auto r = thread.call(inst->find_export("f")->func(),
                       std::vector<Value>{Value::i32(20), Value::i64(3)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i64(), 1023);
  EXPECT_EQ(alive.lock()->calls, 1);
  thread
      .begin_call(inst->find_export("g")->func(), std::vector<Value>{Value::i32(1), Value::i64(2)})
      .value();
  ASSERT_EQ(thread.run(), RunStatus::Trapped);
  EXPECT_EQ(thread.trap().message, "host function has no implementation");
}

// The interpreter gives a host call its caller's memory 0, as compiled code does: an adapter
// decodes its views through it without reading the caller's instance. None for a caller
// without memory, and none at top level (no caller).
TEST(InterpreterCalls, HostCallGetsTheCallersMemory0) {
  const wasm::FuncType type{{ValType::I32}, {ValType::I32}};
  MemoryPool pool;
  Store store(pool);
  std::vector<Memory*> seen;
  Function* probe = store.add_host_function(type, [&](HostCall& c) {
    seen.push_back(c.memory0);
    c.results[0] = c.args[0];
    return HostStatus::Return;
  });
  const auto instantiate = [&](bool with_memory) {
    ModuleBuilder b;
    const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
    const uint32_t p = b.import_func(i_i, "probe");
    if (with_memory) b.memory(1);
    b.func(i_i, {}, Body().get(0).call(p).end(), "f");
    std::vector<Extern> imports = {{wasm::ExternKind::Func, probe}};
    return store.instantiate(b.compile(), imports).value();
  };
  Instance* with = instantiate(true);
  Instance* without = instantiate(false);
  Thread thread(store);
  ASSERT_TRUE(thread.call(with->find_export("f")->func(), std::vector<Value>{Value::i32(1)}).ok());
  ASSERT_TRUE(
      thread.call(without->find_export("f")->func(), std::vector<Value>{Value::i32(2)}).ok());
  ASSERT_TRUE(thread.call(probe, std::vector<Value>{Value::i32(3)}).ok());
  ASSERT_EQ(seen.size(), 3u);
  ASSERT_FALSE(with->memories.empty());
  EXPECT_EQ(seen[0], with->memories[0]);
  EXPECT_EQ(seen[1], nullptr);
  EXPECT_EQ(seen[2], nullptr);
}

TEST(InterpreterCalls, HostFunctionParksTwiceThenReturns) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t recv = b.import_func(i_i, "receive");
  b.func(i_i, {ValType::I32},
         Body().i32(1000).set(1).get(0).call(recv).get(1).op(Opcode::I32Add).end(), "f");
  MemoryPool pool;
  Store store(pool);
  int attempts = 0;
  std::vector<int32_t> args_seen;
  Function* receive = store.add_host_function({{ValType::I32}, {ValType::I32}}, [&](HostCall& c) {
    args_seen.push_back(static_cast<int32_t>(c.args[0]));
    if (++attempts < 3) return HostStatus::Park;
    c.results[0] = c.args[0] + 5;
    return HostStatus::Return;
  });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, receive}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  thread.begin_call(inst->find_export("f")->func(), std::vector<Value>{Value::i32(7)}).value();
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  ASSERT_EQ(thread.run(), RunStatus::Done);
  EXPECT_EQ(thread.results()[0].as_i32(), 1012);
  EXPECT_EQ(args_seen, (std::vector<int32_t>{7, 7, 7}));

  // The same at top level.
  attempts = 0;
  thread.begin_call(receive, std::vector<Value>{Value::i32(1)}).value();
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  EXPECT_EQ(thread.run(), RunStatus::Parked);
  ASSERT_EQ(thread.run(), RunStatus::Done);
  EXPECT_EQ(thread.results()[0].as_i32(), 6);
}

TEST(InterpreterCalls, HostFunctionYieldEndsTheSliceAfterTheCall) {
  ModuleBuilder b;
  const uint32_t i_i = b.type({ValType::I32}, {ValType::I32});
  const uint32_t yield = b.import_func(i_i, "yield");
  // f(x) = yield(x) + yield(x + 1): two yields, each call runs once.
  b.func(i_i, {},
         Body()
             .get(0)
             .call(yield)
             .get(0)
             .i32(1)
             .op(Opcode::I32Add)
             .call(yield)
             .op(Opcode::I32Add)
             .end(),
         "f");
  MemoryPool pool;
  Store store(pool);
  std::vector<int32_t> args_seen;
  Function* host = store.add_host_function({{ValType::I32}, {ValType::I32}}, [&](HostCall& c) {
    args_seen.push_back(static_cast<int32_t>(c.args[0]));
    c.results[0] = c.args[0] * 10;
    return HostStatus::Yield;
  });
  std::vector<Extern> imports = {{wasm::ExternKind::Func, host}};
  Instance* inst = store.instantiate(b.compile(), imports).value();
  Thread thread(store);
  thread.begin_call(inst->find_export("f")->func(), std::vector<Value>{Value::i32(2)}).value();
  EXPECT_EQ(thread.run(), RunStatus::Yielded);
  EXPECT_EQ(args_seen, (std::vector<int32_t>{2}));
  EXPECT_EQ(thread.run(), RunStatus::Yielded);
  EXPECT_EQ(args_seen, (std::vector<int32_t>{2, 3}));  // not re-executed: the next call ran
  ASSERT_EQ(thread.run(), RunStatus::Done);
  EXPECT_EQ(thread.results()[0].as_i32(), 50);
  // Thread::call runs through yields; at top level the call is simply over.
  auto r = thread.call(inst->find_export("f")->func(), std::vector<Value>{Value::i32(1)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].as_i32(), 30);
  thread.begin_call(host, std::vector<Value>{Value::i32(4)}).value();
  ASSERT_EQ(thread.run(), RunStatus::Done);
  EXPECT_EQ(thread.results()[0].as_i32(), 40);
}

}  // namespace
}  // namespace lunatic::engine::testing
