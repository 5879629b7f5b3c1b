// The loader of cached objects: LLVM's object for a module links and runs as LLJIT's would,
// every runtime helper the translator names resolves, and damaged objects (truncated, bytes
// flipped, or a crafted section, symbol or relocation) are declined, never a crash.
#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "codecache/cached_code.hpp"
#include "codecache/elf_image.hpp"
#include "codecache/symbol_names.hpp"
#include "engine/compile.hpp"
#include "jit/native_code.hpp"
#include "jit/translate.hpp"
#include "text/text.hpp"

namespace lunatic::codecache {
namespace {

namespace fs = std::filesystem;

// Calls, a loop, memory, a table and memory.grow: helpers, constants and a jump table.
constexpr std::string_view kModule = R"((module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $sq $sq)
  (type $t (func (param i32) (result i32)))
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func (export "f") (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (call_indirect (type $t) (local.get $n)
                                                              (i32.and (local.get $n) (i32.const 1)))))
        (i32.store (i32.const 16) (local.get $s))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (drop (memory.grow (i32.const 0)))
    (block $a (block $b (block $c (br_table $a $b $c (local.get $s))) (return (i32.const 3)))
      (return (i32.const 5)))
    (f32.store (i32.const 0) (f32.ceil (f32.load (i32.const 0))))
    (i32.load (i32.const 16)))
))";

class ElfImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "lunatic-elf-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto bytes = text::parse_module(kModule);
    ASSERT_TRUE(bytes.ok());
    auto module = engine::compile(*bytes);
    ASSERT_TRUE(module.ok());
    module_ = *module;
    cache_.emplace(dir_);
    const Digest digest = digest_of(*bytes);
    key_ = ObjectCache::key(digest, 2, true);
    auto code = jit::compile_native(
        *module_,
        {.opt_level = 2, .osr_entries = true, .cache = &*cache_, .module_digest = digest});
    ASSERT_TRUE(code.ok()) << code.error().to_string();
    std::optional<CachedCode> entry = cache_->load(key_);
    ASSERT_TRUE(entry.has_value());
    object_.assign(entry->object.begin(), entry->object.end());
    osr_ = entry->osr_points;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<ElfImage>> load(const std::vector<uint8_t>& object) const {
    return ElfImage::load(object, &runtime_symbol);
  }
  Elf64_Ehdr header() const {
    Elf64_Ehdr h{};
    std::memcpy(&h, object_.data(), sizeof h);
    return h;
  }
  Elf64_Shdr section(size_t i) const {
    Elf64_Shdr s{};
    std::memcpy(&s, object_.data() + header().e_shoff + i * sizeof s, sizeof s);
    return s;
  }
  // The index of the first section of `type`.
  size_t find_section(uint32_t type) const {
    for (size_t i = 0; i < header().e_shnum; ++i) {
      if (section(i).sh_type == type &&
          (type != SHT_RELA || section(section(i).sh_info).sh_flags & SHF_EXECINSTR)) {
        return i;
      }
    }
    return 0;
  }
  template <typename T> static void put(std::vector<uint8_t>& object, uint64_t at, const T& value) {
    std::memcpy(object.data() + at, &value, sizeof value);
  }

  fs::path dir_;
  std::shared_ptr<const engine::CompiledModule> module_;
  std::optional<ObjectCache> cache_;
  Digest key_{};
  std::vector<uint8_t> object_;
  native::OsrPoints osr_;
};

TEST_F(ElfImageTest, LinksEveryEntryPointReadOnlyExecutable) {
  auto image = load(object_);
  ASSERT_TRUE(image.ok()) << image.error().to_string();
  const uint32_t imported = module_->wasm.imported_functions;
  for (uint32_t i = 0; i < module_->wasm.functions.size(); ++i) {
    for (const std::string& name : {typed_name(imported + i), entry_name(imported + i)}) {
      const ElfImage::Symbol* symbol = (*image)->find(name);
      ASSERT_NE(symbol, nullptr) << name;
      EXPECT_TRUE(symbol->function);
      EXPECT_GE(symbol->address, (*image)->base());
      EXPECT_LE(symbol->address + symbol->size, (*image)->base() + (*image)->size());
    }
  }
  // The mapping is not writable: /proc/self/maps lists it r-x.
  std::ifstream maps("/proc/self/maps");
  char start_hex[32];
  std::snprintf(start_hex, sizeof start_hex, "%llx-",
                static_cast<unsigned long long>((*image)->base()));
  bool found = false;
  for (std::string line; std::getline(maps, line);) {
    if (line.rfind(start_hex, 0) == 0) {
      found = true;
      EXPECT_NE(line.find(" r-xp "), std::string::npos) << line;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ElfImageTest, LoadedCodeMatchesTheEntry) {
  auto code = load_cached(*module_, *cache_, key_);
  ASSERT_TRUE(code.ok()) << code.error().to_string();
  EXPECT_TRUE((*code)->stats().from_cache);
  EXPECT_EQ((*code)->function_count(), module_->wasm.functions.size());
  for (uint32_t i = 0; i < (*code)->function_count(); ++i) {
    EXPECT_NE((*code)->typed(i), nullptr);
    EXPECT_NE((*code)->entry(i), nullptr);
    EXPECT_EQ((*code)->osr_entry(i) != nullptr, !osr_[i].empty()) << i;
  }
}

TEST_F(ElfImageTest, EveryHelperTheTranslatorNamesResolves) {
  for (size_t h = 0; h < static_cast<size_t>(jit::Helper::Count); ++h) {
    const char* name = jit::helper_name(static_cast<jit::Helper>(h));
    EXPECT_NE(runtime_symbol(name), 0u) << name;
  }
  EXPECT_NE(runtime_symbol("fmod"), 0u);
  EXPECT_EQ(runtime_symbol("system"), 0u);
}

TEST_F(ElfImageTest, EveryTruncationIsDeclined) {
  for (size_t size = 0; size < object_.size(); size += 1 + size / 64) {
    std::vector<uint8_t> cut(object_.begin(), object_.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_FALSE(load(cut).ok()) << size;
  }
}

// Flipped bytes anywhere: a decline or an image, never a crash (most land in code, which the
// loader cannot judge; the checksum of the entry is what keeps them out of a run).
TEST_F(ElfImageTest, FlippedBytesNeverCrash) {
  std::mt19937 random(1234);
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> damaged = object_;
    // Mostly the headers and tables (the start and the end of LLVM's objects).
    const size_t span = trial % 2 == 0 ? std::min<size_t>(256, damaged.size()) : damaged.size();
    const size_t at = trial % 4 == 1 ? damaged.size() - 1 - random() % span : random() % span;
    damaged[at] ^= static_cast<uint8_t>(1u << (random() % 8));
    (void)load(damaged);
  }
}

TEST_F(ElfImageTest, CraftedDamageIsDeclined) {
  const size_t rela = find_section(SHT_RELA);
  ASSERT_NE(rela, 0u);
  const Elf64_Shdr rs = section(rela);
  const uint64_t shdr_at = header().e_shoff;
  auto declined = [&](const std::vector<uint8_t>& object, std::string_view why) {
    auto image = load(object);
    ASSERT_FALSE(image.ok()) << why;
    EXPECT_NE(image.error().message.find(why), std::string::npos) << image.error().message;
  };
  {  // a relocation past its section's end
    std::vector<uint8_t> d = object_;
    put<uint64_t>(d, rs.sh_offset, section(rs.sh_info).sh_size - 2);
    declined(d, "outside its section");
  }
  {  // a relocation kind LLVM's large code model never emits (R_X86_64_GOTPCREL)
    std::vector<uint8_t> d = object_;
    Elf64_Rela r{};
    std::memcpy(&r, d.data() + rs.sh_offset, sizeof r);
    r.r_info = ELF64_R_INFO(ELF64_R_SYM(r.r_info), R_X86_64_GOTPCREL);
    put(d, rs.sh_offset, r);
    declined(d, "relocation type");
  }
  {  // a relocation against a symbol past the table
    std::vector<uint8_t> d = object_;
    Elf64_Rela r{};
    std::memcpy(&r, d.data() + rs.sh_offset, sizeof r);
    r.r_info = ELF64_R_INFO(0x7fffffff, R_X86_64_64);
    put(d, rs.sh_offset, r);
    declined(d, "against symbol");
  }
  {  // the code section made writable: never mapped writable and executable
    std::vector<uint8_t> d = object_;
    Elf64_Shdr text = section(rs.sh_info);
    text.sh_flags |= SHF_WRITE;
    put(d, shdr_at + rs.sh_info * sizeof(Elf64_Shdr), text);
    declined(d, "writable");
  }
  {  // the code section pointing past the file
    std::vector<uint8_t> d = object_;
    Elf64_Shdr text = section(rs.sh_info);
    text.sh_size = ~uint64_t{0} - 4;
    put(d, shdr_at + rs.sh_info * sizeof(Elf64_Shdr), text);
    declined(d, "outside the object");
  }
  {  // an undefined symbol nobody provides
    std::vector<uint8_t> d = object_;
    const std::string_view helper = "lunatic_jit_safepoint";
    auto at = std::search(d.begin(), d.end(), helper.begin(), helper.end());
    ASSERT_NE(at, d.end());
    *(at + 12) = 'X';
    declined(d, "unknown symbol");
  }
  {  // a section header table beyond the end
    std::vector<uint8_t> d = object_;
    Elf64_Ehdr h = header();
    h.e_shoff = d.size() - 10;
    put(d, 0, h);
    declined(d, "section header table");
  }
}

}  // namespace
}  // namespace lunatic::codecache
