// The hot functions' cache entry: its bundle of objects (encoded, decoded and checked) and the
// read-add-write that grows it batch by batch.
#include "codecache/hot_entry.hpp"

#include <algorithm>

#include "codecache/byte_codec.hpp"

namespace lunatic::codecache {

std::string encode_hot_parts(const std::vector<HotPart>& parts) {
  std::string out;
  put(out, static_cast<uint32_t>(parts.size()));
  for (const HotPart& part : parts) {
    put(out, static_cast<uint32_t>(part.functions.size()));
    for (uint32_t f : part.functions) put(out, f);
    put(out, static_cast<uint64_t>(part.object.size()));
    out += part.object;
  }
  return out;
}

std::optional<std::vector<HotPart>> decode_hot_parts(std::string_view bundle,
                                                     uint32_t function_count) {
  ByteReader r{bundle};
  uint32_t count = 0;
  // A part takes at least 17 bytes: no count can ask for more parts than the bytes hold.
  if (!r.get(count) || count == 0 || count > bundle.size() / 17) return std::nullopt;
  std::vector<bool> seen(function_count);
  std::vector<HotPart> parts(count);
  for (HotPart& part : parts) {
    uint32_t functions = 0;
    if (!r.get(functions) || functions == 0 || functions > function_count) return std::nullopt;
    part.functions.resize(functions);
    for (uint32_t i = 0; i < functions; ++i) {
      uint32_t f = 0;
      if (!r.get(f) || f >= function_count || seen[f]) return std::nullopt;
      if (i > 0 && f <= part.functions[i - 1]) return std::nullopt;
      seen[f] = true;
      part.functions[i] = f;
    }
    uint64_t size = 0;
    if (!r.get(size) || size == 0 || size > bundle.size() - r.at) return std::nullopt;
    part.object.assign(bundle.data() + r.at, size);
    r.at += size;
  }
  if (r.at != bundle.size()) return std::nullopt;
  return parts;
}

std::optional<HotCode> load_hot(const ObjectCache& cache, const Digest& key,
                                uint32_t function_count) {
  std::optional<CachedCode> cached = cache.load(key);
  if (!cached || cached->osr_points.size() != function_count) return std::nullopt;
  std::optional<std::vector<HotPart>> parts = decode_hot_parts(cached->object, function_count);
  if (!parts) return std::nullopt;
  // Only the bundle's functions have OSR entries.
  std::vector<bool> in_parts(function_count);
  for (const HotPart& part : *parts) {
    for (uint32_t f : part.functions) in_parts[f] = true;
  }
  for (uint32_t f = 0; f < function_count; ++f) {
    if (!in_parts[f] && !cached->osr_points[f].empty()) return std::nullopt;
  }
  return HotCode{std::move(*parts), std::move(cached->osr_points), cached->entry_bytes};
}

Result<uint64_t> add_hot_part(const ObjectCache& cache, const Digest& key, HotPart part,
                              const OsrPoints& osr_points) {
  const auto count = static_cast<uint32_t>(osr_points.size());
  std::sort(part.functions.begin(), part.functions.end());
  if (part.functions.empty() || part.functions.back() >= count) {
    return Error(Phase::Host, "code cache: a hot part's functions are not the module's");
  }
  HotCode code;
  if (std::optional<HotCode> stored = load_hot(cache, key, count)) code = std::move(*stored);
  code.osr_points.resize(count);
  // A stored part that holds one of the new functions (another run stored it meanwhile) goes:
  // an object cannot be split, and no function may be in two parts.
  std::vector<bool> is_new(count);
  for (uint32_t f : part.functions) is_new[f] = true;
  std::erase_if(code.parts, [&](const HotPart& old) {
    const bool overlaps = std::any_of(old.functions.begin(), old.functions.end(),
                                      [&](uint32_t f) { return is_new[f]; });
    if (overlaps) {
      for (uint32_t f : old.functions) code.osr_points[f].clear();
    }
    return overlaps;
  });
  for (uint32_t f : part.functions) code.osr_points[f] = osr_points[f];
  code.parts.push_back(std::move(part));
  return cache.store(key, encode_hot_parts(code.parts), code.osr_points);
}

}  // namespace lunatic::codecache
