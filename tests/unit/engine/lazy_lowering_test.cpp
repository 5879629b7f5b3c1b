// Lazy lowering: compile() lowers no function; each is lowered on its first call (or when a code
// tier asks, CompiledModule::lowered), once, whatever the number of threads asking, into the
// same code that lowering it up front gives.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/code.hpp"
#include "engine/compile.hpp"
#include "engine/compiled_module.hpp"
#include "engine/lowering.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"

namespace lunatic::engine {
namespace {

// Three functions () -> i32: "f" (0) returns f1() + 1, f1 returns 41, "g" (2) returns 7.
const std::vector<uint8_t> kThree = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                   // header
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                         // type 0: () -> i32
    0x03, 0x04, 0x03, 0x00, 0x00, 0x00,                               // three functions of type 0
    0x07, 0x09, 0x02, 0x01, 'f',  0x00, 0x00, 0x01, 'g', 0x00, 0x02,  // exports f = 0, g = 2
    0x0a, 0x13, 0x03,                                                 // code: three bodies
    0x07, 0x00, 0x10, 0x01, 0x41, 0x01, 0x6a, 0x0b,                   // call 1; i32.const 1; add
    0x04, 0x00, 0x41, 0x29, 0x0b,                                     // i32.const 41
    0x04, 0x00, 0x41, 0x07, 0x0b,                                     // i32.const 7
};

int32_t call_export(Thread& thread, Instance& instance, const char* name) {
  auto e = instance.find_export(name);
  EXPECT_TRUE(e.has_value()) << name;
  if (!e) return INT32_MIN;
  auto r = thread.call(e->func(), {});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() && r->size() == 1 ? (*r)[0].as_i32() : INT32_MIN;
}

TEST(LazyLowering, CompileLowersNoFunctionAndACallLowersWhatItRuns) {
  auto module = compile(kThree);
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  const CompiledModule& m = **module;
  ASSERT_EQ(m.code.size(), 3u);
  for (const auto& fn : m.code) EXPECT_FALSE(fn->is_lowered());
  // What the call_indirect fast path and the code tiers read before lowering is there.
  EXPECT_EQ(m.code[2]->func_index, 2u);
  EXPECT_EQ(m.code[2]->type_index, 0u);
  EXPECT_EQ(m.code[2]->result_count, 1u);
  // What instantiate copies per defined function: its type and code, one entry each.
  ASSERT_EQ(m.defined.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(m.defined[i].type, &m.wasm.types[0]);
    EXPECT_EQ(m.defined[i].code, m.code[i].get());
  }

  MemoryPool pool;
  Store store(pool);
  Instance* instance = store.instantiate(*module, {}).value();
  Thread thread(store);
  EXPECT_EQ(call_export(thread, *instance, "f"), 42);
  EXPECT_TRUE(m.code[0]->is_lowered());
  EXPECT_TRUE(m.code[1]->is_lowered());  // called by f
  EXPECT_FALSE(m.code[2]->is_lowered());
  EXPECT_EQ(call_export(thread, *instance, "g"), 7);
  EXPECT_TRUE(m.code[2]->is_lowered());
  EXPECT_EQ(call_export(thread, *instance, "f"), 42);  // lowered code runs again as it is
}

TEST(LazyLowering, LazyCodeIsWhatLoweringUpFrontGives) {
  auto module = compile(kThree);
  ASSERT_TRUE(module.ok());
  ASSERT_TRUE((*module)->lower_all().ok());
  for (uint32_t i = 0; i < 3; ++i) {
    auto eager = lower((*module)->wasm, i);
    ASSERT_TRUE(eager.ok());
    const CompiledFunction& lazy = *(*module)->code[i];
    EXPECT_EQ(lazy.code, eager.value()->code) << i;
    EXPECT_EQ(lazy.frame_size, eager.value()->frame_size) << i;
    EXPECT_EQ(lazy.stack_base, eager.value()->stack_base) << i;
    EXPECT_EQ(lazy.constants, eager.value()->constants) << i;
    EXPECT_EQ(lazy.offsets, eager.value()->offsets) << i;
  }
}

// Threads that ask for the same functions at once get the one lowered object each (TSan's
// build runs this too: the fields are published by the flag's release store).
TEST(LazyLowering, ManyThreadsAskingAtOnceLowerEachFunctionOnce) {
  for (int round = 0; round < 20; ++round) {
    auto module = compile(kThree);
    ASSERT_TRUE(module.ok());
    const CompiledModule& m = **module;
    std::atomic<bool> go{false};
    std::vector<std::vector<const CompiledFunction*>> seen(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < seen.size(); ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) {
        }
        for (uint32_t i = 0; i < 3; ++i) {
          auto r = m.lowered((i + t) % 3);
          seen[t].push_back(r.ok() ? r.value() : nullptr);
        }
      });
    }
    go.store(true);
    for (std::thread& t : threads) t.join();
    for (size_t t = 0; t < seen.size(); ++t) {
      for (uint32_t k = 0; k < 3; ++k) {
        const uint32_t i = (k + t) % 3;
        EXPECT_EQ(seen[t][k], m.code[i].get());
        ASSERT_NE(seen[t][k], nullptr);
        EXPECT_TRUE(seen[t][k]->is_lowered());
        EXPECT_FALSE(seen[t][k]->code.empty());
      }
    }
  }
}

TEST(LazyLowering, NoSuchFunctionIsAnError) {
  auto module = compile(kThree);
  ASSERT_TRUE(module.ok());
  EXPECT_FALSE((*module)->lowered(3).ok());
}

}  // namespace
}  // namespace lunatic::engine
