// load_cached and link_hot: the entry, its image(s), the entry points, the perf map.
#include "codecache/cached_code.hpp"

#include <chrono>
#include <map>

#include "codecache/elf_image.hpp"
#include "codecache/symbol_names.hpp"
#include "native/native_tier.hpp"
#include "native/perf_map.hpp"

namespace lunatic::codecache {
namespace {

Error miss(const std::string& why) {
  return Error(Phase::Unsupported, why, Error::kNoOffset, "code cache");
}

void write_perf_map(const ElfImage& image, const wasm::Module& wasm) {
  std::map<std::string, uint64_t> sizes;
  for (const auto& [name, symbol] : image.symbols()) {
    if (symbol.function) sizes[name] = symbol.size;
  }
  native::append_perf_map(
      sizes,
      [&](const std::string& name) {
        const ElfImage::Symbol* symbol = image.find(name);
        return symbol == nullptr ? uint64_t{0} : symbol->address;
      },
      [&](const std::string& name) { return perf_label(name, wasm); });
}

// The entry points of defined function `i` in `image`, into `code` (sized for the module): the
// typed and slot entries, and the OSR entry where code.osr_points says so.
Result<void> find_entry_points(const ElfImage& image, const wasm::Module& wasm, uint32_t i,
                               native::NativeCode::Parts& code) {
  const uint32_t func_index = wasm.imported_functions + i;
  const ElfImage::Symbol* typed = image.find(typed_name(func_index));
  const ElfImage::Symbol* entry = image.find(entry_name(func_index));
  if (typed == nullptr || entry == nullptr || !typed->function || !entry->function)
    return miss("function " + std::to_string(func_index) + " has no entry in the object");
  code.typed[i] = reinterpret_cast<void*>(typed->address);
  code.entries[i] = reinterpret_cast<native::NativeCode::SlotEntry>(entry->address);
  if (!code.osr_points[i].empty()) {
    const ElfImage::Symbol* found = image.find(osr_name(func_index));
    if (found == nullptr || !found->function)
      return miss("function " + std::to_string(func_index) + " has no OSR entry in the object");
    code.osr[i] = reinterpret_cast<native::NativeCode::OsrEntry>(found->address);
  }
  return {};
}

Result<std::unique_ptr<ElfImage>> link(const std::string& object) {
  return ElfImage::load(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(object.data()), object.size()),
      &runtime_symbol);
}

// Parts for `wasm` with every entry null and the OSR table `osr_points`.
native::NativeCode::Parts empty_parts(const wasm::Module& wasm, OsrPoints osr_points) {
  native::NativeCode::Parts code;
  code.typed.assign(wasm.functions.size(), nullptr);
  code.entries.assign(wasm.functions.size(), nullptr);
  code.osr.assign(wasm.functions.size(), nullptr);
  code.osr_points = std::move(osr_points);
  return code;
}

// A hot entry's images, one per batch: the NativeCode's owner.
struct HotImages final : native::CodeOwner {
  std::vector<std::unique_ptr<ElfImage>> images;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<std::unique_ptr<native::NativeCode>> load_cached(const engine::CompiledModule& module,
                                                        const ObjectCache& cache,
                                                        const Digest& key) {
  const auto start = std::chrono::steady_clock::now();
  const wasm::Module& wasm = module.wasm;
  std::optional<CachedCode> cached = cache.load(key);
  if (!cached) return miss("no usable entry");
  if (cached->osr_points.size() != wasm.functions.size())
    return miss("the entry's OSR table does not fit the module");
  std::unique_ptr<ElfImage> image = TRY(link(cached->object));
  native::NativeCode::Parts code = empty_parts(wasm, std::move(cached->osr_points));
  for (uint32_t i = 0; i < wasm.functions.size(); ++i)
    TRY(find_entry_points(*image, wasm, i, code));
  if (native::perf_map_enabled()) write_perf_map(*image, wasm);

  native::CompileStats& stats = code.stats;
  stats.from_cache = true;
  stats.cache_entry = cache.path_of(key).string();
  stats.cache_entry_bytes = cached->entry_bytes;
  stats.functions = wasm.functions.size();
  stats.total_seconds = stats.codegen_seconds = seconds_since(start);
  code.owner = std::move(image);
  return native::NativeCode::assemble(std::move(code));
}

Result<std::unique_ptr<native::NativeCode>> link_hot(const engine::CompiledModule& module,
                                                     HotCode hot, std::string entry) {
  const auto start = std::chrono::steady_clock::now();
  const wasm::Module& wasm = module.wasm;
  if (hot.osr_points.size() != wasm.functions.size())
    return miss("the entry's OSR table does not fit the module");
  native::NativeCode::Parts code = empty_parts(wasm, std::move(hot.osr_points));
  auto owner = std::make_unique<HotImages>();
  size_t functions = 0;
  for (const HotPart& part : hot.parts) {
    owner->images.push_back(TRY(link(part.object)));
    for (uint32_t i : part.functions) {
      if (i >= wasm.functions.size()) return miss("a batch's function is not the module's");
      TRY(find_entry_points(*owner->images.back(), wasm, i, code));
    }
    functions += part.functions.size();
  }
  if (native::perf_map_enabled()) {
    for (const std::unique_ptr<ElfImage>& image : owner->images) write_perf_map(*image, wasm);
  }

  native::CompileStats& stats = code.stats;
  stats.from_cache = true;
  stats.cache_entry = std::move(entry);
  stats.cache_entry_bytes = hot.entry_bytes;
  stats.functions = functions;
  stats.total_seconds = stats.codegen_seconds = seconds_since(start);
  code.owner = std::move(owner);
  return native::NativeCode::assemble(std::move(code));
}

Result<void> attach_cached(const engine::CompiledModule& module, const ObjectCache& cache,
                           const Digest& key) {
  native::attach_code(module, TRY(load_cached(module, cache, key)));
  return {};
}

}  // namespace lunatic::codecache
