// Shared by the tiering tests: one WAT module compiled for each tier, instantiated in its own
// Store, so a test runs the same call in the interpreter and in compiled code and compares.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "text/text.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::tiering::testing {

using engine::Extern;
using engine::Function;
using engine::HostCall;
using engine::HostStatus;
using engine::RunStatus;
using engine::Thread;
using engine::TrapKind;
using engine::Value;

/// `wat` compiled with `tier`; fails the test (null) on an error, or if Compiled gave no
/// native code.
inline std::shared_ptr<const engine::CompiledModule> compile_wat(std::string_view wat, Tier tier) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  if (!bytes.ok()) return nullptr;
  std::string fallback;
  Compiler compiler(
      {.tier = tier, .note = [&](const std::string& why) { fallback = why; }, .use_cache = false});
  auto module = compiler.compile(*bytes);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  if (!module.ok()) return nullptr;
  if (tier == Tier::Compiled) {
    EXPECT_NE((*module)->native(), nullptr) << fallback;
  }
  return *module;
}

/// An instance of a module in one tier, with a thread to call it.
struct TierInstance {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* instance = nullptr;
  Thread thread{store};

  TierInstance(std::string_view wat, Tier tier, const std::vector<Extern>& imports = {})
      : TierInstance(compile_wat(wat, tier), imports) {}
  explicit TierInstance(const std::shared_ptr<const engine::CompiledModule>& module,
                        const std::vector<Extern>& imports = {}) {
    if (module == nullptr) return;
    auto made = store.instantiate(module, imports);
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    if (made.ok()) instance = *made;
  }
  Function* fn(const char* name) const {
    auto e = instance->find_export(name);
    EXPECT_TRUE(e && e->func()) << name;
    return e ? e->func() : nullptr;
  }
};

/// Both tiers of one module, built side by side.
struct BothTiers {
  TierInstance interp;
  TierInstance compiled;
  explicit BothTiers(std::string_view wat)
      : interp(wat, Tier::Interp), compiled(wat, Tier::Compiled) {}
};

/// What a run ended with: status, results or trap message, fuel left.
struct Outcome {
  RunStatus status = RunStatus::Done;
  std::vector<Value> results;
  std::string trap;
  std::optional<uint64_t> fuel;
  int yields = 0;

  bool operator==(const Outcome& o) const {
    if (status != o.status || trap != o.trap || fuel != o.fuel || yields != o.yields) return false;
    if (results.size() != o.results.size()) return false;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].type != o.results[i].type || results[i].bits != o.results[i].bits ||
          results[i].hi != o.results[i].hi) {
        return false;
      }
    }
    return true;
  }
};

/// An embedder's slice extension (Thread::set_slice_extension): grants the first `limit`
/// asks, then refuses; counts them and sums the sizes of the slices that ended. Each grant is
/// `grow` times the slice that ended (1: the same size; the runtime doubles, lone_slice).
struct Extension {
  int asked = 0;
  int limit = 0;
  uint64_t grow = 1;
  uint64_t ended_units = 0;
  static uint64_t ask(void* self, uint64_t ended) {
    auto& e = *static_cast<Extension*>(self);
    e.ended_units += ended;
    return ++e.asked <= e.limit ? ended * e.grow : 0;
  }
};

/// Polls `done` every 10 ms for up to a minute (LLVM's background compile, under a sanitizer
/// on a busy machine, is slow); its last answer.
template <typename F> bool eventually(F done) {
  for (int i = 0; i < 6000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

/// Kills the call `thread` runs without a slice limit, from another thread 20 ms in: the run
/// must end in a Killed trap (compiled code polls for a kill at its safepoints).
inline void expect_killed_from_another_thread(Thread& thread) {
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    thread.request_kill();
  });
  EXPECT_EQ(thread.run(), RunStatus::Trapped);
  killer.join();
  EXPECT_EQ(thread.trap().kind, TrapKind::Killed);
}

inline std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "status " << static_cast<int>(o.status) << " yields " << o.yields << " trap '" << o.trap
     << "' fuel " << (o.fuel ? std::to_string(*o.fuel) : "none") << " results";
  for (const Value& v : o.results) os << " " << v.to_string();
  return os;
}

/// Runs `fn`(args) to its end in slices of `slice`, with `fuel` (nullopt: unlimited).
inline Outcome run_to_end(Thread& thread, Function* fn, std::vector<Value> args,
                          std::optional<uint64_t> fuel, uint64_t slice = UINT64_MAX) {
  Outcome o;
  thread.set_fuel(fuel);
  auto begun = thread.begin_call(fn, args);
  EXPECT_TRUE(begun.ok()) << begun.error().to_string();
  while ((o.status = thread.run(slice)) == RunStatus::Yielded) ++o.yields;
  if (o.status == RunStatus::Done) o.results = thread.results();
  if (o.status == RunStatus::Trapped) o.trap = thread.trap().message;
  o.fuel = thread.fuel();
  return o;
}

/// An instance in `tier` whose import "host" "kill_me" asks its own thread to stop: the kill
/// is pending when the next instruction starts (a host call polls no kill; the next safepoint,
/// or a bulk instruction between its pieces, takes it).
struct KillingInstance {
  engine::MemoryPool pool;
  engine::Store store{pool};
  engine::Instance* instance = nullptr;
  Thread thread{store};

  KillingInstance(std::string_view wat, Tier tier) {
    auto module = compile_wat(wat, tier);
    if (module == nullptr) return;
    Function* kill_me = store.add_host_function({}, [](HostCall& c) {
      c.thread.request_kill();
      return HostStatus::Return;
    });
    std::vector<Extern> imports = {{wasm::ExternKind::Func, kill_me}};
    auto made = store.instantiate(module, imports);
    EXPECT_TRUE(made.ok()) << made.error().to_string();
    if (made.ok()) instance = *made;
  }
  Outcome run(const char* fn, std::optional<uint64_t> fuel = std::nullopt,
              uint64_t slice = UINT64_MAX) {
    auto e = instance->find_export(fn);
    EXPECT_TRUE(e && e->func()) << fn;
    return run_to_end(thread, e->func(), {}, fuel, slice);
  }
  const uint8_t* memory() const { return instance->memories[0]->data(); }
};

/// The backtrace of `thread`'s trap is `want`'s, frame by frame (function and offset).
inline void expect_backtrace(const Thread& thread, const Thread& want, const std::string& at) {
  const std::vector<BacktraceFrame>& got = thread.trap().backtrace;
  const std::vector<BacktraceFrame>& expected = want.trap().backtrace;
  ASSERT_EQ(got.size(), expected.size()) << at;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].function_index, expected[i].function_index) << at << " frame " << i;
    EXPECT_EQ(got[i].offset, expected[i].offset) << at << " frame " << i;
  }
}

/// A loop that never ends, called from an export: a trap in it has two frames.
inline constexpr std::string_view kCalledSpinWat = R"((module
  (func $spin (local $i i32)
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))
  (func (export "outer") (call $spin))))";

}  // namespace lunatic::tiering::testing
