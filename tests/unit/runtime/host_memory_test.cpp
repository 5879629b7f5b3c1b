// Host memory accounting: MemoryBudget and MemoryCharge along a chain of budgets, an
// environment's budget (clamping, the per-process charge, names), and the engine's memories
// and tables charged to a process's environment.
#include <chrono>
#include <thread>

#include "common/memory_budget.hpp"
#include "guests.hpp"
#include "runtime/links.hpp"
#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

TEST(MemoryBudget, ChargesCountInEveryAncestorAndFailWhole) {
  MemoryBudget root(1000);
  MemoryBudget child(600, &root);
  MemoryBudget sibling(UINT64_MAX, &root);
  EXPECT_TRUE(child.try_charge(500));
  EXPECT_EQ(root.used(), 500u);
  EXPECT_FALSE(child.try_charge(200));  // past the child's own limit
  EXPECT_EQ(child.used(), 500u);
  EXPECT_EQ(root.used(), 500u);
  EXPECT_TRUE(sibling.try_charge(500));
  EXPECT_FALSE(sibling.try_charge(1));  // past the root's: nothing charged anywhere
  EXPECT_EQ(sibling.used(), 500u);
  EXPECT_EQ(root.used(), 1000u);
  child.release(500);
  sibling.release(500);
  EXPECT_EQ(root.used(), 0u);
  EXPECT_FALSE(root.try_charge(UINT64_MAX));  // no wrap-around of the counter
  EXPECT_EQ(root.used(), 0u);
}

TEST(MemoryCharge, ResizesMovesAndGivesBackOnDestruction) {
  auto budget = std::make_shared<MemoryBudget>(100);
  {
    MemoryCharge a(budget);
    EXPECT_TRUE(a.resize(60));
    EXPECT_FALSE(a.add(50));  // 110 > 100: unchanged
    EXPECT_EQ(a.bytes(), 60u);
    EXPECT_TRUE(a.resize(10));
    EXPECT_EQ(budget->used(), 10u);
    MemoryCharge b = std::move(a);
    EXPECT_EQ(a.bytes(), 0u);
    EXPECT_EQ(b.bytes(), 10u);
    EXPECT_EQ(budget->used(), 10u);
  }
  EXPECT_EQ(budget->used(), 0u);
}

TEST(EnvironmentBudget, ChildrenNeverGetMoreAndCountInTheParent) {
  EnvironmentConfig root_config;
  root_config.max_memory_total = 10 << 20;
  auto root = Environment::create(root_config);
  EnvironmentConfig wish;
  wish.max_memory_total = 100 << 20;
  auto child = root->create_child(wish);
  EXPECT_EQ(child->config().max_memory_total, uint64_t{10} << 20);
  ASSERT_TRUE(child->try_enter());
  EXPECT_EQ(root->budget().used(), Environment::kProcessBytes);
  child->leave();
  EXPECT_EQ(root->budget().used(), 0u);
}

TEST(EnvironmentBudget, ABoundedSandboxGetsADerivedTotal) {
  auto root = Environment::create({});
  EnvironmentConfig sandbox;
  sandbox.max_memory_pages = 32;  // 2 MiB
  sandbox.max_processes = 1;
  auto child = root->create_child(sandbox);
  EXPECT_EQ(child->config().max_memory_total,
            kHostBytesPerMemory * (uint64_t{2} << 20) + kHostBytesPerProcess);
  // Unbounded process count: only the parent's total applies.
  EXPECT_EQ(root->create_child({})->config().max_memory_total, UINT64_MAX);
}

TEST(EnvironmentBudget, SpawnPastTheBudgetFailsNamingIt) {
  EnvironmentConfig config;
  config.max_memory_total = Environment::kProcessBytes + 1000;
  auto env = Environment::create(config);
  EXPECT_EQ(env->enter(), Environment::Entry::Entered);
  EXPECT_EQ(env->enter(), Environment::Entry::OutOfMemory);
  EXPECT_EQ(env->live_processes(), 1u);  // the refused entry counted nothing
  env->leave();
  EXPECT_EQ(env->budget().used(), 0u);
}

TEST(EnvironmentBudget, NamesAreChargedAndGivenBack) {
  EnvironmentConfig config;
  config.max_memory_total = name_charge("a") + name_charge("bb");
  auto env = Environment::create(config);
  EXPECT_EQ(env->put_name("a", 1), NameTable::Put::Added);
  EXPECT_EQ(env->put_name("a", 2), NameTable::Put::Replaced);  // no second charge
  EXPECT_EQ(env->put_name("bb", 1), NameTable::Put::Added);
  EXPECT_EQ(env->put_name("c", 1), NameTable::Put::Refused);
  EXPECT_EQ(env->budget().used(), name_charge("a") + name_charge("bb"));
  EXPECT_TRUE(env->remove_name("a"));
  EXPECT_EQ(env->budget().used(), name_charge("bb"));
  env->remove_names_of(1);
  EXPECT_EQ(env->budget().used(), 0u);
  EXPECT_EQ(env->registered_names(), 0u);
}

TEST(EnvironmentBudget, NamesLeftInAChildAreGivenBackToTheParent) {
  auto root = Environment::create({});
  {
    auto child = root->create_child({});
    EXPECT_EQ(child->put_name("left", 1), NameTable::Put::Added);
    EXPECT_EQ(root->budget().used(), name_charge("left"));
  }
  EXPECT_EQ(root->budget().used(), 0u);
}

TEST(EnvironmentBudget, LinksAndMonitorsAreChargedAndGivenBack) {
  constexpr uint64_t kEntry = Links::kEntryBytes;
  auto budget = std::make_shared<MemoryBudget>(3 * kEntry);
  Links links;
  links.charge_to(budget);
  EXPECT_TRUE(links.add_link(10, 1, EntryCharge::Checked));
  EXPECT_TRUE(links.add_link(10, 2, EntryCharge::Checked));  // a re-tag: no new entry
  EXPECT_EQ(budget->used(), kEntry);
  EXPECT_TRUE(links.add_watching(20));
  EXPECT_TRUE(links.add_watching(20));  // each monitor is an entry
  EXPECT_EQ(budget->used(), 3 * kEntry);
  EXPECT_FALSE(links.add_watching(21));  // past the budget: refused, nothing charged
  EXPECT_FALSE(links.add_link(11, 1, EntryCharge::Checked));
  EXPECT_EQ(links.watching_count(), 1u);
  EXPECT_EQ(links.links().size(), 1u);
  EXPECT_TRUE(links.add_link(12, 1, EntryCharge::Forced));  // the other side of a link
  EXPECT_EQ(budget->used(), 4 * kEntry);
  links.remove_one_watching(20);
  EXPECT_EQ(budget->used(), 3 * kEntry);
  links.remove_watching(20);
  EXPECT_EQ(budget->used(), 2 * kEntry);
  EXPECT_EQ(links.take_link(10), Tag{2});
  EXPECT_EQ(budget->used(), kEntry);
  links.close();  // the rest goes with the owner
  EXPECT_EQ(budget->used(), 0u);
  EXPECT_FALSE(links.add_link(13, 1, EntryCharge::Forced));
  EXPECT_EQ(budget->used(), 0u);
}

TEST(EnvironmentBudget, LinksChargeTheirEnvironmentFromTheFirstEntry) {
  constexpr uint64_t kEntry = Links::kEntryBytes;
  auto env = Environment::create({.max_memory_total = 2 * kEntry});
  {
    Links links;
    links.charge_to(env.get());
    EXPECT_EQ(env->budget().used(), 0u);
    EXPECT_EQ(env.use_count(), 1);  // no handle taken before an entry needs it
    EXPECT_TRUE(links.add_link(10, 1, EntryCharge::Checked));
    EXPECT_TRUE(links.add_watching(20));
    EXPECT_EQ(env->budget().used(), 2 * kEntry);
    EXPECT_FALSE(links.add_watching(21));  // past the environment's total: refused
    EXPECT_TRUE(links.add_link(12, 1, EntryCharge::Forced));
    EXPECT_EQ(env->budget().used(), 3 * kEntry);
    links.close();
    EXPECT_EQ(env->budget().used(), 0u);
  }
  EXPECT_EQ(env.use_count(), 1);
}

class HostMemory : public RuntimeTest {};

TEST_F(HostMemory, MonitorsPastTheTotalKillTheWatcherNamingIt) {
  // Uncharged, a process that monitors another in a loop grew the target's monitor list
  // without bound (~8 bytes a monitor there, more on the watcher's side).
  start(2);
  EnvironmentConfig config;
  config.max_memory_total = 2 * (Environment::kProcessBytes + 65536) + 1000 * Links::kEntryBytes;
  auto env = Environment::create(config);
  auto guest = compile_wat(kGuest);
  auto target = runtime_->spawn({guest, env, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(target.ok());
  auto watcher = runtime_->spawn_root(guest, env, "monitor_forever",
                                      {Value::i64(static_cast<int64_t>(*target))});
  ASSERT_TRUE(watcher.ok());
  const ExitStatus s = runtime_->wait();  // the watcher's end
  EXPECT_EQ(s.kind, ExitStatus::Kind::Killed) << s.to_string();
  EXPECT_NE(s.to_string().find("out of memory: a monitor would pass the environment's "
                               "max_memory_total"),
            std::string::npos)
      << s.to_string();
  // The target lives on; its monitor list lost the dead watcher's entries, and every charge
  // went back once both are gone.
  std::shared_ptr<Process> t = runtime_->find(*target);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->monitor_count(), 0u);
  t.reset();  // the Process (and its memory's charge) goes once the runtime lets it go
  EXPECT_TRUE(runtime_->kill(*target));
  runtime_->wait_all();
  EXPECT_EQ(env->budget().used(), 0u);
}

/// grow(n) grows the table by n elements at a time until table.grow fails, then reports the
/// table's size; memory(n) does the same with memory.grow by n pages and reports pages.
constexpr std::string_view kGrower = R"(
  (table $t 0 funcref)
  (memory 1)
  (func (export "grow") (param $n i64)
    (loop $l
      (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.wrap_i64 (local.get $n)))
                        (i32.const -1))))
    (call $report (i64.extend_i32_u (table.size $t))))
  (func (export "memory") (param $n i64)
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.wrap_i64 (local.get $n))) (i32.const -1))))
    (call $report (i64.extend_i32_u (memory.size)))))";

TEST_F(HostMemory, TableGrowFailsAtTheEnvironmentsTotal) {
  start(1);
  EnvironmentConfig config;
  config.max_memory_total = 8 << 20;
  auto env = Environment::create(config);
  ASSERT_TRUE(runtime_->spawn_root(compile_wat(kGrower), env, "grow", {Value::i64(1000)}).ok());
  ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  // 8 MiB less the process and its 64 KiB memory, 8 bytes an element, 1000 at a time.
  const uint64_t room = (uint64_t{8} << 20) - Environment::kProcessBytes - 65536;
  EXPECT_EQ(reports().take(), std::vector<int64_t>{int64_t(room / 8 / 1000 * 1000)});
  runtime_->wait_all();
  EXPECT_EQ(env->budget().used(), 0u);  // the table and memory went with the process
}

TEST_F(HostMemory, MemoryGrowFailsAtTheEnvironmentsTotal) {
  start(1);
  EnvironmentConfig config;
  config.max_memory_total = 4 << 20;
  auto env = Environment::create(config);
  ASSERT_TRUE(runtime_->spawn_root(compile_wat(kGrower), env, "memory", {Value::i64(1)}).ok());
  ASSERT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  // 4 MiB = 64 pages, less the process's kProcessBytes: 63 pages.
  EXPECT_EQ(reports().take(), std::vector<int64_t>{63});
}

TEST_F(HostMemory, LinearMemoryUnchargedWhereTheEnvironmentSaysSo) {
  // lunatic run's default root: memories are not charged, only the flat kProcessBytes.
  start(1);
  EnvironmentConfig config;
  config.max_memory_total = 4 << 20;
  config.charge_linear_memory = false;
  config.max_memory_pages = 128;  // 8 MiB: twice the total
  auto env = Environment::create(config);
  ASSERT_TRUE(runtime_->spawn_root(compile_wat(kGrower), env, "memory", {Value::i64(1)}).ok());
  ASSERT_EQ(runtime_->wait().kind, ExitStatus::Kind::Normal);
  EXPECT_EQ(reports().take(), std::vector<int64_t>{128});  // up to its page cap, not the total
  runtime_->wait_all();
  EXPECT_EQ(env->budget().used(), 0u);
}

TEST_F(HostMemory, TablesPastTheTotalFailInstantiation) {
  start(1);
  EnvironmentConfig config;
  config.max_memory_total = 64 << 20;
  auto env = Environment::create(config);
  auto tables = compile_wat(
      "(table 5000000 funcref) (table 5000000 funcref) (func (export \"main\"))", false);
  auto r = runtime_->spawn({tables, env, "main", {}, nullptr, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate) << r.error().to_string();
  EXPECT_EQ(env->live_processes(), 0u);
  EXPECT_EQ(env->budget().used(), 0u);  // the first table's charge was given back
}

TEST_F(HostMemory, EveryProcessesChargesGoBackAfterManySpawnsAndEnds) {
  // A process is charged its flat bytes when it enters its environment and its instance's
  // parts (host bytes past the flat charge's share, table, memory) in one more update; after
  // thousands of spawns and ends on two workers, the sandbox and its parent are back at zero.
  start(2);
  EnvironmentConfig root_config;
  root_config.max_memory_total = uint64_t{1} << 30;
  auto root = Environment::create(root_config);
  auto env = root->create_child({});
  // The runtime tests' guest with 100 more functions (their host bytes pass
  // kUnchargedInstanceBytes) and a table of 10.
  std::string fields(kGuest);
  for (int i = 0; i < 100; ++i) fields += "(func)";
  auto guest = compile_wat(fields + "(table 10 funcref)");
  // One live process holds exactly its flat charge and its instance's parts.
  auto waiting = runtime_->spawn({guest, env, "wait_forever", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(waiting.ok()) << waiting.error().to_string();
  {
    std::shared_ptr<Process> p = runtime_->find(*waiting);
    ASSERT_NE(p, nullptr);
    const uint64_t excess = p->instance().host_bytes.charged();
    EXPECT_GT(excess, 0u);
    const uint64_t held = Environment::kProcessBytes + excess + 10 * sizeof(engine::Slot) + 65536;
    EXPECT_EQ(env->budget().used(), held);
    EXPECT_EQ(root->budget().used(), held);
  }
  ASSERT_TRUE(runtime_->kill(*waiting));
  ASSERT_TRUE(runtime_->spawn_root(guest, env, "spawn_join", {Value::i64(5'000)}).ok());
  const ExitStatus s = runtime_->wait();
  ASSERT_EQ(s.kind, ExitStatus::Kind::Normal) << s.to_string();
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].as_i64(), 5'000);  // every child replied
  runtime_->wait_all();
  EXPECT_EQ(env->budget().used(), 0u);
  EXPECT_EQ(root->budget().used(), 0u);
}

/// A module with a passive element segment of `n` references: "keep" waits forever; "drop"
/// waits for a message tagged 98, drops the segment, reports 1 and waits forever.
std::shared_ptr<const engine::CompiledModule> with_passive_segment(size_t n) {
  std::string refs;
  for (size_t i = 0; i < n; ++i) refs += " $f";
  return compile_wat("(func $f) (elem func" + refs + ")" + R"(
    (func (export "keep") (param i64) (drop (call $receive (i64.const 99) (i64.const -1))))
    (func (export "drop") (param i64)
      (drop (call $receive (i64.const 98) (i64.const -1)))
      (elem.drop 0)
      (call $report (i64.const 1))
      (drop (call $receive (i64.const 99) (i64.const -1)))))");
}

TEST_F(HostMemory, PassiveElementSegmentsAreChargedToTheEnvironment) {
  // Every process of a module keeps its own copy of the passive segments' references: 800 KB
  // here, where the environment holds a process and 512 KiB. Refused, naming the limit.
  start(1);
  EnvironmentConfig config;
  config.max_memory_total = Environment::kProcessBytes + (512 << 10);
  auto env = Environment::create(config);
  auto r =
      runtime_->spawn({with_passive_segment(100'000), env, "keep", {Value::i64(0)}, nullptr, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().phase, Phase::Instantiate) << r.error().to_string();
  EXPECT_EQ(r.error().message, "instance exceeds the environment's max_memory_total");
  EXPECT_EQ(env->live_processes(), 0u);
  EXPECT_EQ(env->budget().used(), 0u);

  // 320 KB: fits, charged (past what kProcessBytes covers) while the segment is kept.
  auto small = with_passive_segment(40'000);
  auto keep = runtime_->spawn({small, env, "keep", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(keep.ok()) << keep.error().to_string();
  const uint64_t own = runtime_->find(*keep)->instance().host_bytes.bytes();
  EXPECT_GE(own, 40'000 * sizeof(engine::Slot));
  const uint64_t charged = own - Environment::kUnchargedInstanceBytes;
  EXPECT_EQ(env->budget().used(), Environment::kProcessBytes + charged);

  // elem.drop gives the references back while the process lives on (what is left of its
  // instance, the segment list and the functions, is within kUnchargedInstanceBytes).
  auto other = Environment::create(EnvironmentConfig{});
  auto dropper = runtime_->spawn({small, other, "drop", {Value::i64(0)}, nullptr, 0});
  ASSERT_TRUE(dropper.ok()) << dropper.error().to_string();
  EXPECT_EQ(other->budget().used(), Environment::kProcessBytes + charged);
  // Only now may it drop: before, a worker spinning for work ran the drop before this check
  // whenever it took the new process within microseconds of its spawn.
  auto go = std::make_unique<Message>();
  go->tag = 98;
  ASSERT_TRUE(runtime_->send(*dropper, std::move(go)));
  std::vector<int64_t> got;  // the report comes after elem.drop
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((got = reports().take()).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(got, std::vector<int64_t>{1});
  EXPECT_EQ(other->budget().used(), Environment::kProcessBytes);
  EXPECT_TRUE(runtime_->kill(*keep));
  EXPECT_TRUE(runtime_->kill(*dropper));
  runtime_->wait_all();
  EXPECT_EQ(env->budget().used(), 0u);
  EXPECT_EQ(other->budget().used(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime::test
