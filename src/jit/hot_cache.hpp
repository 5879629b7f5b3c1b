// The hot functions' entry of the code cache (ObjectCache::Kind::Hot): the code compile_functions
// made for a module in earlier runs, one relocatable object per batch, all in one entry, so the
// next run of the module starts with them (auto tier).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "jit/object_cache.hpp"
#include "native/native_code.hpp"

namespace lunatic::jit {

using native::OsrPoints;

/// One batch of compile_functions: the defined functions its object holds (ascending) and the
/// object.
struct HotPart {
  std::vector<uint32_t> functions;
  std::string object;
};

/// What a hot entry holds: its batches (no function in two) and the module's OSR table (the
/// rows of functions outside the batches empty).
struct HotCode {
  std::vector<HotPart> parts;
  OsrPoints osr_points;
  uint64_t entry_bytes = 0;
};

/// The bundle a hot entry holds where a module's entry holds its object: u32 part count, then
/// per part a u32 function count, the u32 indices, a u64 object size and the object.
std::string encode_hot_parts(const std::vector<HotPart>& parts);
/// The parts of `bundle`; nullopt unless well formed for a module of `function_count` defined
/// functions: at least one part, indices ascending within a part and below the count, no
/// function in two parts, no empty part or object, nothing left over.
std::optional<std::vector<HotPart>> decode_hot_parts(std::string_view bundle,
                                                     uint32_t function_count);

/// The entry of `key` (a Kind::Hot key), verified as every entry is (ObjectCache::load), then
/// its bundle and OSR table against a module of `function_count` defined functions; nullopt: a
/// miss.
std::optional<HotCode> load_hot(const ObjectCache& cache, const Digest& key,
                                uint32_t function_count);

/// Adds `part`, whose functions' OSR rows are in `osr_points` (the module's table), to the entry
/// of `key`: the stored parts that share no function with it are kept (a stored entry that fails
/// a check is replaced). Returns the entry's size. Errors: ObjectCache::store's.
Result<uint64_t> add_hot_part(const ObjectCache& cache, const Digest& key, HotPart part,
                              const OsrPoints& osr_points);

}  // namespace lunatic::jit
