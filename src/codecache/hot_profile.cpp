// The hot profile's file (encoded, decoded and checked field by field) and the update a run
// makes to it.
#include "codecache/hot_profile.hpp"

#include <algorithm>
#include <cstring>

#include "codecache/byte_codec.hpp"

namespace lunatic::codecache {
namespace {

constexpr char kMagic[8] = {'L', 'U', 'N', 'A', 'T', 'I', 'C', 'P'};

// magic, version, function count, key, sample count, zero.
constexpr size_t kHeaderBytes = 8 + 4 + 4 + sizeof(Digest) + 4 + 4;
constexpr size_t kSampleBytes = 4 + 4 + 8;

}  // namespace

size_t hot_profile_max_bytes() {
  return kHeaderBytes + kHotProfileMaxFunctions * kSampleBytes + sizeof(Digest);
}

std::string encode_hot_profile(const Digest& key, uint32_t function_count,
                               std::span<const HotSample> samples) {
  std::string out(kMagic, sizeof kMagic);
  put(out, kHotProfileVersion);
  put(out, function_count);
  out.append(reinterpret_cast<const char*>(key.data()), key.size());
  put(out, static_cast<uint32_t>(samples.size()));
  put(out, uint32_t{0});
  for (const HotSample& sample : samples) {
    put(out, sample.function);
    put(out, uint32_t{sample.attempted ? 1u : 0u});
    put(out, sample.ns);
  }
  const Digest checksum = Sha256::hash(bytes_of(out));
  out.append(reinterpret_cast<const char*>(checksum.data()), checksum.size());
  return out;
}

std::optional<std::vector<HotSample>> decode_hot_profile(std::string_view file, const Digest& key,
                                                         uint32_t function_count) {
  if (file.size() < kHeaderBytes + sizeof(Digest) || file.size() > hot_profile_max_bytes()) {
    return std::nullopt;
  }
  const uint32_t count = load_at<uint32_t>(file, kHeaderBytes - 8);
  if (std::memcmp(file.data(), kMagic, sizeof kMagic) != 0 ||
      load_at<uint32_t>(file, 8) != kHotProfileVersion ||
      load_at<uint32_t>(file, 12) != function_count ||
      std::memcmp(file.data() + 16, key.data(), key.size()) != 0 ||
      load_at<uint32_t>(file, kHeaderBytes - 4) != 0 || count > kHotProfileMaxFunctions ||
      file.size() != kHeaderBytes + count * kSampleBytes + sizeof(Digest)) {
    return std::nullopt;
  }
  const std::string_view body = file.substr(0, file.size() - sizeof(Digest));
  if (Sha256::hash(bytes_of(body)) != load_at<Digest>(file, body.size())) return std::nullopt;
  std::vector<HotSample> samples(count);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t at = kHeaderBytes + i * kSampleBytes;
    HotSample& sample = samples[i];
    sample.function = load_at<uint32_t>(file, at);
    sample.ns = load_at<uint64_t>(file, at + 8);
    const auto flags = load_at<uint32_t>(file, at + 4);
    sample.attempted = flags == 1;
    if (sample.function >= function_count || flags > 1 || sample.ns < kHotProfileFloorNs ||
        sample.ns > kHotProfileMaxNs || (i > 0 && sample.function <= samples[i - 1].function)) {
      return std::nullopt;
    }
  }
  return samples;
}

HotProfileUpdate next_hot_profile(std::span<const HotSample> stored,
                                  std::span<const uint64_t> run_ns,
                                  const std::vector<HotFate>& fates) {
  const auto count = static_cast<uint32_t>(run_ns.size());
  auto fate = [&](uint32_t f) { return f < fates.size() ? fates[f] : HotFate::Baseline; };
  std::vector<uint64_t> before(count);
  std::vector<bool> was_attempted(count);
  HotProfileUpdate update;
  for (const HotSample& sample : stored) {
    if (sample.function < count) {
      before[sample.function] = sample.ns;
      was_attempted[sample.function] = sample.attempted;
    }
    // A function of another module's shape, or in the hot entry now: the file must change.
    if (sample.function >= count || fate(sample.function) == HotFate::Installed) {
      update.changed = true;
    }
  }
  for (uint32_t f = 0; f < count; ++f) {
    if (fate(f) == HotFate::Installed) continue;
    const bool attempted = was_attempted[f] || fate(f) == HotFate::Attempted;
    // An attempted function's time no longer matters: kept as it was (no write for it).
    uint64_t ns = was_attempted[f] ? before[f]
                                   : std::min(before[f] + std::min(run_ns[f], kHotProfileMaxNs),
                                              kHotProfileMaxNs);
    if (attempted) ns = std::max(ns, kHotProfileFloorNs);
    if (attempted && !was_attempted[f]) update.changed = true;
    if (ns >= kHotProfileFloorNs) update.samples.push_back({f, ns, attempted});
  }
  if (update.samples.size() > kHotProfileMaxFunctions) {
    // The most time first (ties: the lower index), then back to ascending order.
    std::sort(update.samples.begin(), update.samples.end(),
              [](const HotSample& a, const HotSample& b) {
                return a.ns != b.ns ? a.ns > b.ns : a.function < b.function;
              });
    update.samples.resize(kHotProfileMaxFunctions);
    std::sort(update.samples.begin(), update.samples.end(),
              [](const HotSample& a, const HotSample& b) { return a.function < b.function; });
  }
  // Kept or not, a function whose time moved by the floor changes the file; so does one that
  // was stored and is gone (it fell out of the bounded count).
  std::vector<bool> kept(count);
  for (const HotSample& sample : update.samples) {
    kept[sample.function] = true;
    if (sample.ns - std::min(sample.ns, before[sample.function]) >= kHotProfileFloorNs) {
      update.changed = true;
    }
  }
  for (const HotSample& sample : stored) {
    if (sample.function < count && !kept[sample.function]) update.changed = true;
  }
  return update;
}

std::vector<HotSample> load_hot_profile(const ObjectCache& cache, const Digest& key,
                                        uint32_t function_count) {
  std::optional<std::string> file =
      cache.read_small(key, kHotProfileSuffix, hot_profile_max_bytes());
  if (!file) return {};
  std::optional<std::vector<HotSample>> samples = decode_hot_profile(*file, key, function_count);
  return samples ? std::move(*samples) : std::vector<HotSample>{};
}

Result<void> store_hot_profile(const ObjectCache& cache, const Digest& key, uint32_t function_count,
                               std::span<const HotSample> samples) {
  return cache.store_small(key, kHotProfileSuffix,
                           encode_hot_profile(key, function_count, samples));
}

}  // namespace lunatic::codecache
