// The hot functions' code cache entry (auto): what one run compiles for its hot functions, the
// next run of the same module publishes before it is first needed, and runs with the
// interpreter's outcome (results, fuel, slices), linked without LLVM (codecache::link_hot, or
// by LLVM when that declines an object); a damaged entry or another module's or options' is
// never used; batches add up. (The bundle's format: tests/unit/codecache/hot_entry_test.cpp.)

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "codecache/cached_code.hpp"
#include "codecache/hot_entry.hpp"
#include "elf_edit.hpp"
#include "jit/native_code.hpp"
#include "native/native_tier.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

namespace fs = std::filesystem;

// Defined functions: 0 $sq, 1 $loop (hot: a loop calling $sq), 2 $cold.
constexpr std::string_view kWat = R"((module
  (func $sq (param i64) (result i64) (i64.mul (local.get 0) (local.get 0)))
  (func (export "loop") (param $n i32) (result i64) (local $s i64)
    (loop $next
      (local.set $s (i64.add (local.get $s) (call $sq (i64.extend_i32_u (local.get $n)))))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $next))
    (i64.add (local.get $s) (i64.const 7)))
  (func (export "cold") (result i32) (i32.const 1))
))";

class HotCache : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lunatic-hot-cache-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::path(pattern) / "cache";
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }

  /// An auto tier whose functions are hot after 1000 ticks, with this test's cache; its notes
  /// are collected (the background thread writes them).
  std::unique_ptr<Compiler> auto_compiler(unsigned opt_level = 2, uint64_t hot_ticks = 1000) {
    return std::make_unique<Compiler>(
        CompilerConfig{.tier = Tier::Auto,
                       .opt_level = opt_level,
                       .note =
                           [this](const std::string& line) {
                             std::lock_guard lock(notes_mutex_);
                             notes_ += line + "\n";
                           },
                       .delay_per_byte = std::chrono::hours(1),  // never the module's own LLVM code
                       .hot_ticks = hot_ticks,
                       .cache_dir = dir_});
  }
  bool noted(const std::string& what) {
    std::lock_guard lock(notes_mutex_);
    return notes_.find(what) != std::string::npos;
  }
  std::string notes() {
    std::lock_guard lock(notes_mutex_);
    return notes_;
  }
  static std::vector<uint8_t> bytes(std::string_view wat = kWat) {
    return text::parse_module(wat).value();
  }
  /// loop(n) with fuel, in slices of 10,000: the outcome.
  static Outcome run(const std::shared_ptr<const engine::CompiledModule>& module, int32_t n) {
    engine::MemoryPool pool;
    engine::Store store(pool);
    engine::Instance* inst = store.instantiate(module, {}).value();
    Thread thread(store);
    return run_to_end(thread, inst->find_export("loop")->func(), {Value::i32(n)}, 50'000'000,
                      10'000);
  }
  /// A first run: loop(n) runs until $loop is hot and its code is published (and stored).
  Outcome first_run(Compiler& compiler, const std::vector<uint8_t>& module_bytes, int32_t n) {
    auto module = compiler.compile(module_bytes).value();
    const native::NativeTier& tier = *native::native_tier_of(*module);
    engine::MemoryPool pool;
    engine::Store store(pool);
    engine::Instance* inst = store.instantiate(module, {}).value();
    Thread thread(store);
    Outcome o;
    thread.set_fuel(50'000'000);
    thread.begin_call(inst->find_export("loop")->func(), std::vector<Value>{Value::i32(n)}).value();
    o.status = RunStatus::Yielded;
    auto slice = [&] {
      o.status = thread.run(10'000);
      if (o.status == RunStatus::Yielded) ++o.yields;
    };
    // One slice per poll: the hot code usually arrives while the loop runs.
    EXPECT_TRUE(eventually([&] {
      if (o.status == RunStatus::Yielded) slice();
      return tier.hot()->installed() > 0;
    })) << notes();
    while (o.status == RunStatus::Yielded) slice();
    if (o.status == RunStatus::Done) o.results = thread.results();
    o.fuel = thread.fuel();
    return o;
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> found;
    if (fs::exists(dir_)) {
      for (const auto& e : fs::directory_iterator(dir_)) found.push_back(e.path());
    }
    return found;
  }

  fs::path dir_;
  std::mutex notes_mutex_;
  std::string notes_;
};

constexpr int32_t kN = 300'000;

TEST_F(HotCache, ASecondRunStartsWithTheHotFunctionsAndTheSameOutcome) {
  const std::vector<uint8_t> module_bytes = bytes();
  const Outcome want = run(compile_wat(kWat, Tier::Interp), kN);
  {
    auto compiler = auto_compiler();
    EXPECT_EQ(first_run(*compiler, module_bytes, kN), want);
    EXPECT_GE(compiler->hot_compiled(), 1u);
    EXPECT_EQ(compiler->hot_loaded(), 0u);
    EXPECT_TRUE(noted("code cache: hot functions stored")) << notes();
  }
  ASSERT_EQ(entries().size(), 1u);  // the hot entry only: no whole-module compile
  // What the first run compiled (its batches, the last one perhaps after the run's end).
  const jit::Digest key =
      jit::ObjectCache::key(jit::digest_of(module_bytes), 2, true, jit::ObjectCache::Kind::Hot);
  auto stored = codecache::load_hot(jit::ObjectCache(dir_), key, 3);
  ASSERT_TRUE(stored);
  size_t compiled = 0;
  for (const codecache::HotPart& part : stored->parts) compiled += part.functions.size();

  auto compiler = auto_compiler();
  auto module = compiler->compile(module_bytes).value();
  const native::NativeTier& tier = *native::native_tier_of(*module);
  EXPECT_FALSE(tier.code().optimized());  // the baseline's, with LLVM's hot functions
  // Published by the background thread before anything ran: no sampling, no compile.
  ASSERT_TRUE(eventually([&] { return compiler->hot_loaded() > 0; })) << notes();
  EXPECT_EQ(compiler->hot_loaded(), compiled);  // every function the first run compiled
  EXPECT_TRUE(noted("hot functions loaded from the cache")) << notes();
  EXPECT_TRUE(noted("without LLVM")) << notes();  // codecache::link_hot, not LLJIT
  // Whichever of $loop and $sq the first run found hot (the samples' business: each slice's
  // end, which closes its interval, falls on $sq's entry, and $loop was charged only when a
  // read fell on its header in the first slice) has its code now.
  ASSERT_GE(compiled, 1u);
  for (const codecache::HotPart& part : stored->parts) {
    for (uint32_t f : part.functions) EXPECT_NE(tier.hot()->code_of(f), nullptr) << f;
  }
  EXPECT_EQ(tier.hot()->code_of(2), nullptr);  // never ran
  const Outcome second = run(module, kN);
  EXPECT_EQ(second, want);  // results, fuel left, slices
}

// The hot profile: a run whose function never got hot leaves the time it sampled in the cache;
// the next run starts from it, so the function is hot before it runs at all, and once it has
// LLVM code it leaves the profile.
TEST_F(HotCache, TheProfileCarriesSamplesToTheNextRun) {
  const std::vector<uint8_t> module_bytes = bytes();
  const jit::Digest key =
      jit::ObjectCache::key(jit::digest_of(module_bytes), 2, true, jit::ObjectCache::Kind::Profile);
  const jit::ObjectCache cache(dir_);
  {
    auto compiler = auto_compiler(2, uint64_t{1} << 60);  // never hot
    auto module = compiler->compile(module_bytes).value();
    run(module, 3'000'000);  // milliseconds in $loop and $sq
    EXPECT_EQ(compiler->hot_compiled(), 0u);
    compiler->store_hot_profiles();
    EXPECT_TRUE(noted("functions stored (the most: ")) << notes();
    compiler->store_hot_profiles();   // once per run: nothing more
    EXPECT_EQ(entries().size(), 1u);  // the profile alone
  }
  // The functions the samples fell in: $sq (its entry's safepoint takes most slow paths), and
  // perhaps $loop; never $cold.
  const std::vector<codecache::HotSample> stored = codecache::load_hot_profile(cache, key, 3);
  ASSERT_FALSE(stored.empty());
  for (const codecache::HotSample& sample : stored) {
    EXPECT_LT(sample.function, 2u);
    EXPECT_GE(sample.ns, codecache::kHotProfileFloorNs);
  }

  // 1000 ticks: the stored millisecond or more is past that before anything runs.
  auto compiler = auto_compiler();
  auto module = compiler->compile(module_bytes).value();
  EXPECT_TRUE(compiler->finish_hot_compile(std::chrono::seconds(60), Compiler::HotWait::Pending))
      << notes();
  EXPECT_TRUE(noted("functions sampled by earlier runs")) << notes();
  EXPECT_EQ(compiler->hot_compiled(), stored.size()) << notes();
  for (const codecache::HotSample& sample : stored) {
    EXPECT_NE(native::native_tier_of(*module)->hot()->code_of(sample.function), nullptr);
  }
  compiler->store_hot_profiles();
  EXPECT_TRUE(codecache::load_hot_profile(cache, key, 3).empty());  // in the hot entry now
  EXPECT_EQ(run(module, kN), run(compile_wat(kWat, Tier::Interp), kN));
}

// finish_hot_compile's Pending waits for every hot job: a batch's compile and its store, and
// the hot entry's load a run starts with (queued before anything ran: a run that ends at once
// would end before it).
TEST_F(HotCache, FinishHotCompileWaitsForPendingJobsWhenAsked) {
  const std::vector<uint8_t> module_bytes = bytes();
  {
    auto compiler = auto_compiler();
    first_run(*compiler, module_bytes, kN);
    EXPECT_TRUE(compiler->finish_hot_compile(std::chrono::seconds(60), Compiler::HotWait::Pending));
    EXPECT_TRUE(noted("code cache: hot functions stored")) << notes();
  }
  auto compiler = auto_compiler();
  auto module = compiler->compile(module_bytes).value();
  EXPECT_TRUE(compiler->finish_hot_compile(std::chrono::seconds(60), Compiler::HotWait::Pending))
      << notes();
  EXPECT_GT(compiler->hot_loaded(), 0u) << notes();
  EXPECT_EQ(compiler->hot_compiled(), 0u);
  EXPECT_TRUE(compiler->finish_hot_compile(std::chrono::milliseconds(0)));  // nothing compiles
}

// Each batch a run compiles is added to the entry (here by hand, one function at a time); a
// batch that compiles functions again replaces the part that held them; the next run
// publishes the union.
TEST_F(HotCache, BatchesAddUp) {
  const std::vector<uint8_t> module_bytes = bytes();
  auto module = compile_wat(kWat, Tier::Interp);
  const jit::Digest digest = jit::digest_of(module_bytes);
  jit::ObjectCache cache(dir_);
  const jit::CompileOptions options{.osr_entries = true, .cache = &cache, .module_digest = digest};
  const jit::Digest key = jit::ObjectCache::key(digest, 2, true, jit::ObjectCache::Kind::Hot);
  auto parts_of = [&] {
    std::vector<std::vector<uint32_t>> parts;
    if (auto hot = codecache::load_hot(cache, key, 3)) {
      for (const codecache::HotPart& part : hot->parts) parts.push_back(part.functions);
    }
    return parts;
  };
  auto compile = [&](std::vector<uint32_t> set) {
    auto code = jit::compile_functions(*module, set, options);
    ASSERT_TRUE(code.ok()) << code.error().to_string();
    EXPECT_EQ((*code)->stats().cache_entry, cache.path_of(key).string());
    EXPECT_EQ((*code)->stats().cache_entry_bytes, fs::file_size(cache.path_of(key)));
  };
  compile({1});
  EXPECT_EQ(parts_of(), (std::vector<std::vector<uint32_t>>{{1}}));
  compile({0});
  EXPECT_EQ(parts_of(), (std::vector<std::vector<uint32_t>>{{1}, {0}}));
  auto linked = jit::load_functions(*module, options);
  ASSERT_TRUE(linked.ok()) << linked.error().to_string();
  EXPECT_TRUE((*linked)->stats().from_cache);
  EXPECT_NE((*linked)->entry(0), nullptr);
  EXPECT_NE((*linked)->entry(1), nullptr);
  EXPECT_EQ((*linked)->entry(2), nullptr);
  EXPECT_NE((*linked)->osr_entry(1), nullptr);  // $loop's loop
  // The same entry linked without LLVM: one image per batch, the same entry points.
  std::optional<codecache::HotCode> hot = codecache::load_hot(cache, key, 3);
  ASSERT_TRUE(hot);
  auto own = codecache::link_hot(*module, std::move(*hot), cache.path_of(key).string());
  ASSERT_TRUE(own.ok()) << own.error().to_string();
  EXPECT_TRUE((*own)->stats().from_cache);
  EXPECT_EQ((*own)->stats().functions, 2u);
  EXPECT_EQ((*own)->stats().cache_entry_bytes, fs::file_size(cache.path_of(key)));
  EXPECT_NE((*own)->entry(0), nullptr);
  EXPECT_NE((*own)->entry(1), nullptr);
  EXPECT_EQ((*own)->entry(2), nullptr);
  EXPECT_NE((*own)->osr_entry(1), nullptr);
  compile({0, 1});
  EXPECT_EQ(parts_of(), (std::vector<std::vector<uint32_t>>{{0, 1}}));
  compile({2});
  EXPECT_EQ(parts_of(), (std::vector<std::vector<uint32_t>>{{0, 1}, {2}}));

  auto compiler = auto_compiler();
  auto next = compiler->compile(module_bytes).value();
  ASSERT_TRUE(eventually([&] { return compiler->hot_loaded() == 3; })) << notes();
  EXPECT_EQ(run(next, kN), run(module, kN));
  EXPECT_EQ(compiler->hot_compiled(), 0u);  // all hot already
}

// Another module's hot entry, or one compiled with other options, is never used.
TEST_F(HotCache, OtherModulesAndOptionsMiss) {
  {
    auto compiler = auto_compiler();
    first_run(*compiler, bytes(), kN);
  }
  ASSERT_EQ(entries().size(), 1u);
  std::string other_wat(kWat);
  other_wat.replace(other_wat.find("(i64.const 7)"), 13, "(i64.const 8)");
  for (bool other_module : {true, false}) {
    auto compiler = auto_compiler(other_module ? 2 : 1);
    const std::vector<uint8_t> module_bytes = bytes(other_module ? other_wat : kWat);
    auto module = compiler->compile(module_bytes).value();
    ASSERT_TRUE(eventually([&] { return noted("no hot functions in the code cache"); })) << notes();
    EXPECT_EQ(compiler->hot_loaded(), 0u);
    EXPECT_EQ(native::native_tier_of(*module)->hot()->installed(), 0u);
    EXPECT_EQ(run(module, 1000),
              run(compile_wat(other_module ? other_wat : kWat, Tier::Interp), 1000));
    std::lock_guard lock(notes_mutex_);
    notes_.clear();
  }
}

// An object the LLVM-free loader declines (here: an alignment above a page, in an entry whose
// checks all pass) but LLVM's linker takes: the fallback links it, still a cache hit.
TEST_F(HotCache, AnObjectTheLoaderDeclinesIsLinkedByLlvm) {
  const std::vector<uint8_t> module_bytes = bytes();
  {
    auto compiler = auto_compiler();
    first_run(*compiler, module_bytes, kN);
  }
  const jit::ObjectCache cache(dir_);
  const jit::Digest key =
      jit::ObjectCache::key(jit::digest_of(module_bytes), 2, true, jit::ObjectCache::Kind::Hot);
  std::optional<codecache::HotCode> stored = codecache::load_hot(cache, key, 3);
  ASSERT_TRUE(stored);
  std::string& object = stored->parts[0].object;
  ASSERT_TRUE(overalign_code_section(object));
  ASSERT_TRUE(
      cache.store(key, codecache::encode_hot_parts(stored->parts), stored->osr_points).ok());

  auto compiler = auto_compiler();
  auto module = compiler->compile(module_bytes).value();
  ASSERT_TRUE(eventually([&] { return compiler->hot_loaded() > 0; })) << notes();
  EXPECT_TRUE(noted("alignment")) << notes();
  EXPECT_TRUE(noted("trying LLVM")) << notes();
  EXPECT_FALSE(noted("without LLVM")) << notes();
  EXPECT_EQ(run(module, kN), run(compile_wat(kWat, Tier::Interp), kN));
}

/// A hot entry damaged after the first run, and how.
struct Damage {
  const char* name;
  void (*apply)(const fs::path& entry);
};

void flip_byte_at(const fs::path& entry, std::streamoff from_end) {
  std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-from_end, std::ios::end);
  char c = 0;
  f.get(c);
  f.seekp(-from_end, std::ios::end);
  f.put(static_cast<char>(c ^ 0x40));
}

class DamagedHotEntry : public HotCache, public ::testing::WithParamInterface<Damage> {};

TEST_P(DamagedHotEntry, IsAMissAndTheRunIsTheSame) {
  const std::vector<uint8_t> module_bytes = bytes();
  {
    auto compiler = auto_compiler();
    first_run(*compiler, module_bytes, kN);
  }
  ASSERT_EQ(entries().size(), 1u);
  GetParam().apply(entries()[0]);
  auto compiler = auto_compiler();
  auto module = compiler->compile(module_bytes).value();
  ASSERT_TRUE(eventually([&] { return noted("no hot functions in the code cache"); })) << notes();
  EXPECT_EQ(compiler->hot_loaded(), 0u);
  EXPECT_EQ(run(module, kN), run(compile_wat(kWat, Tier::Interp), kN));
}

INSTANTIATE_TEST_SUITE_P(
    HotCache, DamagedHotEntry,
    ::testing::Values(Damage{"FlippedObjectByte", [](const fs::path& e) { flip_byte_at(e, 1); }},
                      Damage{"FlippedHeaderByte",
                             [](const fs::path& e) { flip_byte_at(e, fs::file_size(e) - 50); }},
                      Damage{"Truncated",
                             [](const fs::path& e) { fs::resize_file(e, fs::file_size(e) - 1); }},
                      Damage{"Empty", [](const fs::path& e) { fs::resize_file(e, 0); }}),
    [](const ::testing::TestParamInfo<Damage>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace lunatic::tiering::testing
