// Shared fixture of the binding tests: a Store with one memory, a process-like HostContext, and
// a helper that runs one attempt of a bound function with explicit argument slots.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "binding/namespace.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::binding::test {

/// What one attempt of a host call produced.
struct Outcome {
  engine::HostStatus status = engine::HostStatus::Return;
  std::vector<engine::Slot> results;
  engine::Trap trap;
};

/// The embedder's per-process object of the tests.
struct FakeProcess : HostContext {
  int64_t now_ms = 0;           ///< the fake clock
  std::vector<int64_t> timers;  ///< wake-ups registered by parked calls
  int calls = 0;
};

class BindingTest : public ::testing::Test {
 protected:
  engine::MemoryPool pool_;
  engine::Store store_{pool_};
  engine::Memory* memory_ = store_.add_memory(wasm::MemoryType{wasm::Limits{1, 4}}).value();
  FakeProcess process_;
  Namespace ns_{"test"};

  /// One attempt of `name` in ns_ with `args`, the caller's memory `memory` and host `host`.
  Outcome call_with(std::string_view name, std::initializer_list<engine::Slot> args,
                    engine::Memory* memory, HostContext* host) {
    const HostDefinition* def = ns_.find(name);
    EXPECT_NE(def, nullptr) << name;
    Outcome out;
    if (def == nullptr) return out;
    out.results.assign(def->type.results.size(), 0xdeadbeef);
    CallContext ctx(*def->info, memory, host);
    std::vector<engine::Slot> a(args);
    out.status = def->invoke(ctx, a, out.results, out.trap);
    return out;
  }
  Outcome call(std::string_view name, std::initializer_list<engine::Slot> args) {
    return call_with(name, args, memory_, &process_);
  }

  void poke(uint32_t address, const void* bytes, size_t n) {
    std::memcpy(memory_->data() + address, bytes, n);
  }
  uint64_t memory_size() const { return memory_->size_bytes(); }
};

}  // namespace lunatic::binding::test
