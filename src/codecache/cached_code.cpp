// load_cached: the entry, the image, the entry points, the perf map.
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
  const auto& bytes = cached->object;
  std::unique_ptr<ElfImage> image = TRY(ElfImage::load(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      &runtime_symbol));

  native::NativeCode::Parts code;
  code.osr_points = std::move(cached->osr_points);
  for (uint32_t i = 0; i < wasm.functions.size(); ++i) {
    const uint32_t func_index = wasm.imported_functions + i;
    const ElfImage::Symbol* typed = image->find(typed_name(func_index));
    const ElfImage::Symbol* entry = image->find(entry_name(func_index));
    if (typed == nullptr || entry == nullptr || !typed->function || !entry->function)
      return miss("function " + std::to_string(func_index) + " has no entry in the object");
    code.typed.push_back(reinterpret_cast<void*>(typed->address));
    code.entries.push_back(reinterpret_cast<native::NativeCode::SlotEntry>(entry->address));
    native::NativeCode::OsrEntry osr = nullptr;
    if (!code.osr_points[i].empty()) {
      const ElfImage::Symbol* found = image->find(osr_name(func_index));
      if (found == nullptr || !found->function)
        return miss("function " + std::to_string(func_index) + " has no OSR entry in the object");
      osr = reinterpret_cast<native::NativeCode::OsrEntry>(found->address);
    }
    code.osr.push_back(osr);
  }
  if (native::perf_map_enabled()) write_perf_map(*image, wasm);

  native::CompileStats& stats = code.stats;
  stats.from_cache = true;
  stats.cache_entry = cache.path_of(key).string();
  stats.cache_entry_bytes = cached->entry_bytes;
  stats.functions = wasm.functions.size();
  stats.total_seconds = stats.codegen_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  code.owner = std::move(image);
  return native::NativeCode::assemble(std::move(code));
}

Result<void> attach_cached(const engine::CompiledModule& module, const ObjectCache& cache,
                           const Digest& key) {
  native::attach_code(module, TRY(load_cached(module, cache, key)));
  return {};
}

}  // namespace lunatic::codecache
