// The code cache (jit::ObjectCache through tiering::Compiler): a second compile of the same
// bytes links the stored object and runs as the first did; a changed module, a corrupted or
// foreign entry is a miss, and the entry is replaced. Each test has its own cache directory.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "elf_edit.hpp"
#include "jit/native_tier.hpp"
#include "jit/object_cache.hpp"
#include "tier_fixture.hpp"

namespace lunatic::tiering::testing {
namespace {

namespace fs = std::filesystem;

// A loop (so that auto compiles OSR entries), calls and a constant a test can change.
constexpr std::string_view kModule = R"((module
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "sum_squares") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call $sq (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.add (local.get $s) (i32.const 7)))
))";

std::vector<uint8_t> module_bytes() {
  auto bytes = text::parse_module(kModule);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

class CodeCache : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lunatic-cache-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = fs::path(pattern) / "cache";  // created by the first store
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }

  /// `bytes` compiled for `tier` with this test's cache; `note` gets the compiler's lines.
  std::shared_ptr<const engine::CompiledModule> compile(const std::vector<uint8_t>& bytes,
                                                        Tier tier = Tier::Compiled) {
    notes_.clear();
    Compiler compiler({.tier = tier,
                       .note = [this](const std::string& line) { notes_ += line + "\n"; },
                       .cache_dir = dir_});
    auto module = compiler.compile(bytes);
    EXPECT_TRUE(module.ok()) << module.error().to_string();
    if (!module.ok()) return nullptr;
    EXPECT_NE((*module)->native(), nullptr) << notes_;
    return *module;
  }
  static const native::CompileStats& stats(const engine::CompiledModule& module) {
    return native::native_tier_of(module)->code().stats();
  }
  /// sum_squares(n) with some fuel: the result and the fuel left.
  static Outcome run(const std::shared_ptr<const engine::CompiledModule>& module, int32_t n) {
    engine::MemoryPool pool;
    engine::Store store{pool};
    Thread thread{store};
    auto instance = store.instantiate(module, {});
    EXPECT_TRUE(instance.ok());
    if (!instance.ok()) return {};
    auto fn = (*instance)->find_export("sum_squares");
    return run_to_end(thread, fn->func(), {Value::i32(n)}, 100000);
  }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> found;
    if (!fs::exists(dir_)) return found;
    for (const auto& e : fs::directory_iterator(dir_)) found.push_back(e.path());
    return found;
  }

  fs::path dir_;
  std::string notes_;
};

TEST_F(CodeCache, SecondCompileIsAHitAndRunsTheSame) {
  const std::vector<uint8_t> bytes = module_bytes();
  auto cold = compile(bytes);
  ASSERT_NE(cold, nullptr);
  EXPECT_FALSE(stats(*cold).from_cache);
  ASSERT_EQ(entries().size(), 1u);
  EXPECT_EQ(fs::path(stats(*cold).cache_entry), entries()[0]);
  EXPECT_EQ(stats(*cold).cache_entry_bytes, fs::file_size(entries()[0]));
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto warm = compile(bytes);
  ASSERT_NE(warm, nullptr);
  EXPECT_TRUE(stats(*warm).from_cache);
  EXPECT_NE(notes_.find("from the cache"), std::string::npos) << notes_;
  EXPECT_NE(notes_.find("without LLVM"), std::string::npos) << notes_;  // codecache's loader
  for (int32_t n : {0, 1, 10, 1000}) EXPECT_EQ(run(cold, n), run(warm, n)) << n;
  EXPECT_EQ(run(warm, 3).results[0].bits, 1u + 4 + 9 + 7);
}

TEST_F(CodeCache, PrecompileFillsBothEntriesAndAutoStartsNative) {
  const std::vector<uint8_t> bytes = module_bytes();
  Compiler compiler({.tier = Tier::Interp, .cache_dir = dir_});  // precompile ignores the tier
  auto first = compiler.precompile(bytes);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->size(), 2u);  // compiled, then auto (OSR entries): two keys
  EXPECT_FALSE((*first)[0].from_cache);
  EXPECT_FALSE((*first)[1].from_cache);
  EXPECT_NE((*first)[0].cache_entry, (*first)[1].cache_entry);
  EXPECT_EQ(entries().size(), 2u);
  auto again = compiler.precompile(bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)[0].from_cache);
  EXPECT_TRUE((*again)[1].from_cache);

  auto warm = compile(bytes, Tier::Auto);  // native before compile() returns: no delay
  ASSERT_NE(warm, nullptr);
  EXPECT_TRUE(stats(*warm).from_cache);
  const native::NativeCode& code = native::native_tier_of(*warm)->code();
  ASSERT_EQ(code.function_count(), 2u);
  EXPECT_EQ(code.osr_entry(0), nullptr);  // $sq has no loop
  ASSERT_NE(code.osr_entry(1), nullptr);
  EXPECT_TRUE(code.osr_point(1, 0));
  EXPECT_TRUE(code.osr_point(1, 1));
  EXPECT_EQ(run(compile(bytes, Tier::Compiled), 100), run(warm, 100));
}

// A module a process loads at run time never costs its worker an LLVM compile: with the tier
// `compiled` too it comes back at once without native code, which the background thread adds
// (with OSR entries, to hand over calls already running), and the next load finds it cached.
TEST_F(CodeCache, ALoadedModuleIsCompiledInTheBackgroundThenFromTheCache) {
  const std::vector<uint8_t> bytes = module_bytes();
  Compiler compiler({.tier = Tier::Compiled, .cache_dir = dir_});
  auto loaded = compiler.compile_loaded(bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while ((*loaded)->native() == nullptr && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE((*loaded)->native(), nullptr);
  EXPECT_FALSE(stats(**loaded).from_cache);
  EXPECT_NE(native::native_tier_of(**loaded)->code().osr_entry(1), nullptr);
  auto again = compiler.compile_loaded(bytes);  // cached: native before it returns
  ASSERT_TRUE(again.ok());
  ASSERT_NE((*again)->native(), nullptr);
  EXPECT_TRUE(stats(**again).from_cache);
  Compiler interp({.tier = Tier::Interp, .cache_dir = dir_});
  auto plain = interp.compile_loaded(bytes);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->native(), nullptr);
  const Outcome interpreted = run(*plain, 100);
  EXPECT_EQ(interpreted.results.at(0).bits, 338350u + 7);
  EXPECT_EQ(run(*again, 100), interpreted);  // same result and fuel left
}

TEST_F(CodeCache, OneChangedByteMisses) {
  std::vector<uint8_t> bytes = module_bytes();
  ASSERT_FALSE(stats(*compile(bytes)).from_cache);
  // (i32.const 7) -> (i32.const 8)
  const uint8_t const_7[] = {0x41, 0x07};
  auto it = std::search(bytes.begin(), bytes.end(), std::begin(const_7), std::end(const_7));
  ASSERT_NE(it, bytes.end());
  it[1] = 0x08;
  auto changed = compile(bytes);
  ASSERT_NE(changed, nullptr);
  EXPECT_FALSE(stats(*changed).from_cache);
  EXPECT_EQ(entries().size(), 2u);
  EXPECT_EQ(run(changed, 3).results[0].bits, 1u + 4 + 9 + 8);
}

TEST_F(CodeCache, NoCacheWhenDisabled) {
  Compiler compiler({.tier = Tier::Compiled, .use_cache = false, .cache_dir = dir_});
  auto module = compiler.compile(module_bytes());
  ASSERT_TRUE(module.ok());
  EXPECT_FALSE(stats(**module).from_cache);
  EXPECT_TRUE(stats(**module).cache_entry.empty());
  EXPECT_FALSE(fs::exists(dir_));
}

// Auto with a damaged entry (or one half written by another process) only tries to load it:
// the module starts in the baseline, LLVM's compile waits for the background thread.
TEST_F(CodeCache, AutoWithADamagedEntryStartsInTheBaselineNotInAnLlvmCompile) {
  const std::vector<uint8_t> bytes = module_bytes();
  Compiler filler({.tier = Tier::Interp, .cache_dir = dir_});
  auto filled = filler.precompile(bytes);
  ASSERT_TRUE(filled.ok()) << filled.error().to_string();
  fs::resize_file((*filled)[1].cache_entry, fs::file_size((*filled)[1].cache_entry) / 2);
  std::string notes;
  Compiler compiler({.tier = Tier::Auto,
                     .note = [&](const std::string& line) { notes += line + "\n"; },
                     .background_delay = std::chrono::minutes(1),
                     .cache_dir = dir_});
  auto module = compiler.compile(bytes);
  ASSERT_TRUE(module.ok());
  ASSERT_NE((*module)->native(), nullptr);
  EXPECT_FALSE(native::native_tier_of(**module)->code().optimized()) << notes;
  EXPECT_NE(notes.find("no usable code cache entry"), std::string::npos) << notes;
  EXPECT_EQ(run(*module, 3).results.at(0).bits, 1u + 4 + 9 + 7);
}

/// A damaged entry, and how to damage it.
struct Damage {
  const char* name;
  void (*apply)(const fs::path& entry, const fs::path& foreign);
};

void flip_last_byte(const fs::path& entry, const fs::path&) {
  std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-1, std::ios::end);
  char c = 0;
  f.get(c);
  f.seekp(-1, std::ios::end);
  f.put(static_cast<char>(c ^ 0x40));
}
void truncate_half(const fs::path& entry, const fs::path&) {
  fs::resize_file(entry, fs::file_size(entry) / 2);
}
void truncate_to_header(const fs::path& entry, const fs::path&) { fs::resize_file(entry, 40); }
void garbage_header(const fs::path& entry, const fs::path&) {
  std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
  f.write("not a cache entry, really not", 29);
}
void empty_file(const fs::path& entry, const fs::path&) { fs::resize_file(entry, 0); }
// Another module's entry (valid in itself) under this module's name: the key differs.
void foreign_entry(const fs::path& entry, const fs::path& foreign) {
  fs::copy_file(foreign, entry, fs::copy_options::overwrite_existing);
}

class DamagedEntry : public CodeCache, public ::testing::WithParamInterface<Damage> {};

TEST_P(DamagedEntry, IsAMissAndIsReplaced) {
  std::vector<uint8_t> other = module_bytes();
  other.push_back(0);  // a custom section: id 0, size 0 ... of an empty name
  other.push_back(1);
  other.push_back(0);
  auto foreign_module = compile(other);
  ASSERT_NE(foreign_module, nullptr);
  const fs::path foreign = stats(*foreign_module).cache_entry;

  const std::vector<uint8_t> bytes = module_bytes();
  auto cold = compile(bytes);
  ASSERT_NE(cold, nullptr);
  const fs::path entry = stats(*cold).cache_entry;
  ASSERT_NE(entry, foreign);
  GetParam().apply(entry, foreign);

  auto damaged = compile(bytes);
  ASSERT_NE(damaged, nullptr);
  EXPECT_FALSE(stats(*damaged).from_cache);
  EXPECT_EQ(run(cold, 50), run(damaged, 50));
  auto replaced = compile(bytes);
  ASSERT_NE(replaced, nullptr);
  EXPECT_TRUE(stats(*replaced).from_cache);
  EXPECT_EQ(run(cold, 50), run(replaced, 50));
}

INSTANTIATE_TEST_SUITE_P(CodeCache, DamagedEntry,
                         ::testing::Values(Damage{"FlippedObjectByte", flip_last_byte},
                                           Damage{"TruncatedHalf", truncate_half},
                                           Damage{"TruncatedHeader", truncate_to_header},
                                           Damage{"GarbageHeader", garbage_header},
                                           Damage{"Empty", empty_file},
                                           Damage{"WrongKey", foreign_entry}),
                         [](const ::testing::TestParamInfo<Damage>& info) {
                           return std::string(info.param.name);
                         });

// An object the LLVM-free loader declines (here: an alignment above a page) but LLVM's linker
// takes: the fallback links it, still a cache hit.
TEST_F(CodeCache, AnObjectTheLoaderDeclinesIsLinkedByLlvm) {
  const std::vector<uint8_t> bytes = module_bytes();
  auto cold = compile(bytes);
  ASSERT_NE(cold, nullptr);
  const fs::path entry = stats(*cold).cache_entry;
  jit::Digest key{};
  {
    std::ifstream in(entry, std::ios::binary);
    in.seekg(16);  // magic, format version, header size
    in.read(reinterpret_cast<char*>(key.data()), key.size());
  }
  const jit::ObjectCache cache(dir_);
  std::optional<jit::CachedCode> cached = cache.load(key);
  ASSERT_TRUE(cached.has_value());
  std::string object = cached->object;
  ASSERT_TRUE(overalign_code_section(object));
  ASSERT_TRUE(cache.store(key, object, cached->osr_points).ok());

  auto warm = compile(bytes);
  ASSERT_NE(warm, nullptr);
  EXPECT_TRUE(stats(*warm).from_cache);
  EXPECT_NE(notes_.find("alignment"), std::string::npos) << notes_;
  EXPECT_EQ(notes_.find("without LLVM"), std::string::npos) << notes_;
  EXPECT_EQ(run(cold, 50), run(warm, 50));
}

TEST(ObjectCacheTest, KeysDependOnEveryOption) {
  const jit::Digest a = jit::digest_of(std::vector<uint8_t>{1, 2, 3});
  const jit::Digest b = jit::digest_of(std::vector<uint8_t>{1, 2, 4});
  EXPECT_NE(a, b);
  EXPECT_EQ(jit::ObjectCache::key(a, 2, false), jit::ObjectCache::key(a, 2, false));
  EXPECT_NE(jit::ObjectCache::key(a, 2, false), jit::ObjectCache::key(b, 2, false));
  EXPECT_NE(jit::ObjectCache::key(a, 2, false), jit::ObjectCache::key(a, 3, false));
  EXPECT_NE(jit::ObjectCache::key(a, 2, false), jit::ObjectCache::key(a, 2, true));
}

TEST(ObjectCacheTest, DefaultDirFollowsTheEnvironment) {
  const char* saved = std::getenv("LUNATIC_CACHE_DIR");
  const std::string restore = saved != nullptr ? saved : "";
  ::setenv("LUNATIC_CACHE_DIR", "/tmp/somewhere", 1);
  EXPECT_EQ(jit::ObjectCache::default_dir(), fs::path("/tmp/somewhere"));
  ::unsetenv("LUNATIC_CACHE_DIR");
  if (std::getenv("XDG_CACHE_HOME") == nullptr && std::getenv("HOME") != nullptr) {
    EXPECT_EQ(jit::ObjectCache::default_dir(),
              fs::path(std::getenv("HOME")) / ".cache" / "lunatic");
  }
  if (saved != nullptr) ::setenv("LUNATIC_CACHE_DIR", restore.c_str(), 1);
}

}  // namespace
}  // namespace lunatic::tiering::testing
