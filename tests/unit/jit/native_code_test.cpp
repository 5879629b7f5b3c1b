// NativeCode and compile_native as the runtime uses them: typed entries called directly,
// compiles on several threads at once, and lowered code that does not match the translation
// (an Error, never a crash).
#include <cstdint>
#include <thread>
#include <vector>

#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "jit_fixture.hpp"
#include "text/text.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

constexpr const char* kLoop = R"((module
  (func (export "triangle") (param i32) (result i32) (local i32)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get 0) (i32.const 0)))
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get 1))
  (func $pair (export "pair") (param i64) (result i64 f64)
    (local.get 0) (f64.convert_i64_s (local.get 0)))
  (type $pair (func (param i64) (result i64 f64)))
  (table 1 funcref)
  (elem (i32.const 0) $pair)
  (func (export "pair_indirect") (param i64 i32) (result i64 f64)
    (call_indirect (type $pair) (local.get 0) (local.get 1)))
))";

std::shared_ptr<const engine::CompiledModule> compile_wat(const char* wat) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok());
  auto module = engine::compile(*bytes);
  EXPECT_TRUE(module.ok());
  return module.ok() ? *module : nullptr;
}

TEST(JitNativeCode, TypedEntriesFollowTheAbi) {
  JitHarness h(kLoop);
  ASSERT_TRUE(h.ok());
  Context& ctx = h.context();
  ctx.depth = 0;
  ctx.budget = 1 << 20;
  // {i64 budget left, i32 result} comes back in two registers, as this C struct does.
  struct BudgetAndI32 {
    int64_t budget;
    int32_t value;
  };
  auto triangle =
      reinterpret_cast<BudgetAndI32 (*)(Context*, uint32_t, uint32_t, int64_t, int32_t)>(
          h.code().typed(0));
  const BudgetAndI32 t = triangle(&ctx, 0, 0, 1 << 20, 100);
  EXPECT_EQ(t.value, 5050);
  EXPECT_GT(t.budget, 0);
  EXPECT_LT(t.budget, 1 << 20);  // the entry and 100 loop iterations were charged
  EXPECT_EQ(ctx.depth, 0u);
  EXPECT_EQ(ctx.budget, 1 << 20);  // the budget travels in registers, not through the context
  EXPECT_EQ(h.code().typed_table()[1], h.code().typed(1));
  EXPECT_GT(h.code().compile_seconds(), 0.0);
  EXPECT_EQ(h.code().stats().functions, 3u);
}

TEST(JitNativeCode, MultiValueThroughTheIndirectFastPath) {
  JitHarness h(kLoop);
  ASSERT_TRUE(h.ok());
  h.expect_same("pair_indirect", {Value::i64(21), Value::i32(0)});
  h.expect_same("pair_indirect", {Value::i64(21), Value::i32(1)});
}

TEST(JitNativeCode, CompilesOnSeveralThreadsAtOnce) {
  auto module = compile_wat(kLoop);
  ASSERT_NE(module, nullptr);
  std::vector<std::unique_ptr<NativeCode>> codes(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < codes.size(); ++i) {
    threads.emplace_back([&, i] {
      auto code = compile_native(*module, CompileOptions{static_cast<unsigned>(i % 3)});
      if (code.ok()) codes[i] = std::move(*code);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& code : codes) {
    ASSERT_NE(code, nullptr);
    Context ctx;
    std::vector<ShadowEntry> shadow(8);
    ctx.max_depth = 7;
    ctx.max_slots = 1024;
    ctx.shadow = shadow.data();
    ctx.budget = 1 << 20;
    Slot slots[1] = {10};
    code->entry(0)(&ctx, slots);
    EXPECT_EQ(slots[0], 55u);
  }
}

TEST(JitNativeCode, MismatchedLoweredCodeIsAnError) {
  auto module = compile_wat(kLoop);
  ASSERT_NE(module, nullptr);
  engine::CompiledModule copy;
  copy.wasm = module->wasm;
  for (uint32_t i = 0; i < module->code.size(); ++i) {  // lowered, then copied
    copy.code.push_back(std::make_unique<engine::CompiledFunction>(*module->lowered(i).value()));
  }
  // The loop's safepoint turned into an instruction of the same size: one safepoint short.
  std::vector<uint32_t>& code = copy.code[0]->code;
  uint32_t seen = 0;
  for (size_t pc = 0; pc < code.size(); pc += engine::instruction_words(code.data() + pc)) {
    if (static_cast<engine::Op>(code[pc]) == engine::Op::Safepoint && seen++ == 1) {
      code[pc] = static_cast<uint32_t>(engine::Op::DataDrop);
    }
  }
  auto result = compile_native(copy);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().phase, Phase::Validate);
  EXPECT_NE(result.error().message.find("safepoints"), std::string::npos);

  engine::CompiledModule unlowered;
  unlowered.wasm = module->wasm;
  EXPECT_FALSE(compile_native(unlowered).ok());
}

// A function with a loop and no result, too big for LLVM to inline its OSR variant into wo<F>,
// compiled alone with OSR entries (a hot function in `auto`): the variant's tail call of its
// stack-growing entry must survive the optimiser (it did not for Lua's luaV_execute: LLVM
// returned the variant's one-field result bare and then failed the musttail, fatally).
TEST(JitNativeCode, ABigFunctionWithALoopCompilesAloneWithOsrEntries) {
  std::string body;
  for (int i = 0; i < 1200; ++i) {
    body += "(global.set $g (i32.xor (global.get $g) (i32.mul (local.get 1) (i32.const " +
            std::to_string(2 * i + 1) + "))))\n";
    body += "(local.set 1 (i32.add (local.get 1) (global.get $g)))\n";
  }
  const std::string wat = R"((module
  (global $g (mut i32) (i32.const 1))
  (func (export "spin") (param i32) (local i32)
    (loop $next
      )" + body + R"(
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $next (local.get 0)))))
)";
  auto module = compile_wat(wat.c_str());
  ASSERT_NE(module, nullptr);
  const std::vector<uint32_t> alone{0};
  auto code = compile_functions(*module, alone, CompileOptions{.osr_entries = true});
  ASSERT_TRUE(code.ok()) << code.error().to_string();
  EXPECT_NE((*code)->osr_entry(0), nullptr);
  EXPECT_TRUE((*code)->osr_point(0, 1)) << "the loop header's OSR entry";
}

}  // namespace
}  // namespace lunatic::jit::testing
