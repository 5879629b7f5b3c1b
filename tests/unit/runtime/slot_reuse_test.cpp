// A process's memory never reaches the next process in its slot: a guest writes a secret to
// every byte of its memory (before and after growing it) and ends; the next process, given
// the same slots (one worker, same size classes, the pool reuses warm slots first), reads all
// of its memory and finds only zeros. And many spawn-and-exit cycles keep the RSS flat.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "../support/resident_memory.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

// write(pages): fills its first page with the secret, grows to `pages` pages (the memory moves
// to a bigger slot) and fills all of them. read(pages): checks its first page, grows to
// `pages` and checks every byte; a nonzero byte traps (unreachable). touch(n): writes one byte
// in each of its first n OS pages (n <= 64) and ends.
constexpr std::string_view kSecretGuest = R"(
  (memory 1 64)
  (func $fill (param $bytes i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (i64.store (local.get $i) (i64.const 0x5A5A5A5A5A5A5A5A))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $next))))
  (func $check (param $bytes i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (if (i64.ne (i64.load (local.get $i)) (i64.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $next))))
  (func $grow_to (param $pages i64)
    (if (i32.lt_s (memory.grow (i32.sub (i32.wrap_i64 (local.get $pages)) (memory.size)))
                  (i32.const 0))
      (then unreachable)))
  (func (export "write") (param $pages i64)
    (call $fill (i32.const 65536))
    (call $grow_to (local.get $pages))
    (call $fill (i32.mul (memory.size) (i32.const 65536))))
  (func (export "read") (param $pages i64)
    (call $check (i32.const 65536))
    (call $grow_to (local.get $pages))
    (call $check (i32.mul (memory.size) (i32.const 65536))))
  (func (export "touch") (param $n i64) (local $i i32)
    (block $done (loop $next
      (br_if $done (i64.ge_u (i64.extend_i32_u (local.get $i)) (local.get $n)))
      (i32.store8 (i32.mul (local.get $i) (i32.const 4096)) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
)";

class SlotReuse : public RuntimeTest {
 protected:
  std::shared_ptr<const engine::CompiledModule> guest_ = compile_wat(kSecretGuest, false);
  std::shared_ptr<Environment> env_ = Environment::create({});

  ExitStatus run(const char* entry, int64_t arg) {
    auto id = runtime_->spawn(
        {.module = guest_, .environment = env_, .entry = entry, .args = {Value::i64(arg)}});
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    runtime_->wait_all();
    return id.ok() ? exit_of(*id) : ExitStatus{};
  }
};

TEST_F(SlotReuse, AWarmSlotShowsTheNextProcessNoByteOfTheLast) {
  start(1);
  // 4 pages: a 64 KiB slot and a 256 KiB one, each fully written (64 OS pages at most): both
  // kept warm, so the next process of the same size classes gets exactly those slots.
  ASSERT_EQ(run("write", 4).kind, ExitStatus::Kind::Normal);
  runtime_->memory_pool().reset_waiting();  // released slots of 256 KiB or less wait for a scan
  EXPECT_GE(runtime_->memory_pool().warm_bytes(), 256u * 1024);
  const ExitStatus read = run("read", 4);
  EXPECT_EQ(read.kind, ExitStatus::Kind::Normal) << read.to_string();
}

TEST_F(SlotReuse, ASlotGivenBackShowsTheNextProcessNoByteOfTheLast) {
  start(1);
  // 16 pages: a 1 MiB slot with 256 written OS pages, given back (MADV_DONTNEED) in a batch;
  // emptying the batch now lets the next process have it.
  ASSERT_EQ(run("write", 16).kind, ExitStatus::Kind::Normal);
  runtime_->memory_pool().give_back_pending();
  const ExitStatus read = run("read", 16);
  EXPECT_EQ(read.kind, ExitStatus::Kind::Normal) << read.to_string();
}

TEST_F(SlotReuse, SlotsResetTogetherShowTheNextProcessesNoByteOfTheLast) {
  start(1);
  // 24 writers spawned at once hold 24 slots of 64 KiB and 256 KiB (4 pages each) and end
  // together: their slots wait in batches and are scanned together. Then 24 readers, spawned
  // at once too, get those slots back and find zeros only.
  for (const char* entry : {"write", "read"}) {
    std::vector<ProcessId> ids;
    for (int i = 0; i < 24; ++i) {
      auto id = runtime_->spawn(
          {.module = guest_, .environment = env_, .entry = entry, .args = {Value::i64(4)}});
      ASSERT_TRUE(id.ok()) << id.error().to_string();
      ids.push_back(*id);
    }
    runtime_->wait_all();
    for (ProcessId id : ids) {
      const ExitStatus status = exit_of(id);
      EXPECT_EQ(status.kind, ExitStatus::Kind::Normal) << entry << ": " << status.to_string();
    }
  }
}

TEST_F(SlotReuse, IdleWorkersGiveTheMemoryOfEndedProcessesBack) {
  start(2);
  // 128 processes each leave a 1 MiB slot with 256 written OS pages, past what is kept warm:
  // two full batches wait to be given back (MemoryPool::give_back_some) until a worker has
  // nothing to run. Nobody asks the pool here: the idle workers give them back by themselves.
  std::vector<ProcessId> ids;
  for (int i = 0; i < 128; ++i) {
    auto id = runtime_->spawn(
        {.module = guest_, .environment = env_, .entry = "write", .args = {Value::i64(16)}});
    ASSERT_TRUE(id.ok()) << id.error().to_string();
    ids.push_back(*id);
  }
  runtime_->wait_all();
  for (ProcessId id : ids) ASSERT_EQ(exit_of(id).kind, ExitStatus::Kind::Normal);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (runtime_->memory_pool().has_deferred() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(runtime_->memory_pool().has_deferred());
  // And the slots given back come back zeroed.
  const ExitStatus read = run("read", 16);
  EXPECT_EQ(read.kind, ExitStatus::Kind::Normal) << read.to_string();
}

// Sanitizers keep freed heap memory (ASan's quarantine, 256 MiB by default) or shadow it, so
// the host allocations of ended processes stay in the RSS there: the figure is checked in the
// plain build only (the cycles still run).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

using ::lunatic::testing::resident_kib;

// 20,000 warm-up cycles, then `cycles` more of processes touching 1 to 16 pages, at most 64
// alive at a time: the resident memory grows by less than 16 MiB over the second part. Its
// own runtime, without the fixture's record of every exit (a map that would grow the RSS).
void expect_flat_rss(const std::shared_ptr<const engine::CompiledModule>& guest, int64_t cycles) {
  RuntimeConfig config;
  config.workers = 2;
  config.linker = make_test_linker();
  Runtime rt(std::move(config));
  auto env = Environment::create({});
  long after_warmup = 0;
  for (int64_t i = 0; i < 20'000 + cycles; ++i) {
    auto id = rt.spawn(
        {.module = guest, .environment = env, .entry = "touch", .args = {Value::i64(1 + i % 16)}});
    ASSERT_TRUE(id.ok()) << id.error().to_string();
    if (i % 64 == 63) rt.wait_all();
    if (i == 20'000) after_warmup = resident_kib();
  }
  rt.wait_all();
  const long end = resident_kib();
  ASSERT_GT(after_warmup, 0);
  if (!kSanitized) {
    EXPECT_LT(end - after_warmup, 16 * 1024) << after_warmup << " KiB, then " << end << " KiB";
  }
  EXPECT_TRUE(rt.crashes().empty());
}

// 100,000 cycles here; the issue's figure, a million (~17 s), with
// LUNATIC_SLOT_REUSE_CYCLES=1000000 in the environment.
TEST_F(SlotReuse, SpawnAndExitCyclesKeepResidentMemoryFlat) {
  const char* cycles = std::getenv("LUNATIC_SLOT_REUSE_CYCLES");
  expect_flat_rss(guest_, cycles != nullptr ? std::strtoll(cycles, nullptr, 10) : 100'000);
}

}  // namespace
}  // namespace lunatic::runtime::test
