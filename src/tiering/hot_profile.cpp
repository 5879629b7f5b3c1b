// Compiler, the hot profile (codecache/hot_profile.hpp): the time earlier runs sampled in a
// module's functions, read when a run starts counting, written back at its end, so that the
// hot functions' rent-or-buy rule runs over the sequence of runs.
#include <algorithm>
#include <cstdio>
#include <string>

#include "native/native_tier.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::tiering {

std::vector<uint64_t> Compiler::load_hot_profile(
    const std::shared_ptr<const engine::CompiledModule>& module,
    const std::optional<native::Digest>& digest, double ticks_per_ns) {
  if (!digest || !cache_) return {};
  const auto count = static_cast<uint32_t>(module->wasm.functions.size());
  Profile profile{module,
                  codecache::ObjectCache::key(*digest, config_.opt_level, true,
                                              codecache::ObjectCache::Kind::Profile),
                  {},
                  std::vector<uint64_t>(count),
                  ticks_per_ns};
  // A missing, damaged or foreign file is an empty profile (every field was checked).
  profile.stored = codecache::load_hot_profile(*cache_, profile.key, count);
  const codecache::HotSample* most = nullptr;
  std::vector<uint32_t> attempted;
  for (const codecache::HotSample& sample : profile.stored) {
    if (sample.attempted) {  // paid for once already: stays in the baseline
      attempted.push_back(sample.function);
      continue;
    }
    profile.initial[sample.function] =
        static_cast<uint64_t>(static_cast<double>(sample.ns) * ticks_per_ns);
    if (most == nullptr || sample.ns > most->ns) most = &sample;
  }
  if (config_.note && most != nullptr) {
    char line[160];
    std::snprintf(
        line, sizeof line,
        "hot profile: %zu functions sampled by earlier runs (the most: %s, %.1f ms)",
        profile.stored.size(),
        module->wasm.function_name(module->wasm.imported_functions + most->function).c_str(),
        static_cast<double>(most->ns) * 1e-6);
    config_.note(line);
  }
  if (!attempted.empty()) native::native_tier_of(*module)->hot()->refuse(attempted);
  std::vector<uint64_t> initial =
      profile.stored.empty() ? std::vector<uint64_t>{} : profile.initial;
  std::lock_guard lock(mutex_);
  profiles_.push_back(std::move(profile));
  return initial;
}

void Compiler::store_hot_profiles() {
  std::vector<Profile> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(profiles_);  // each written once
  }
  for (Profile& profile : pending) store_hot_profile(profile);
}

void Compiler::store_hot_profile(Profile& profile) {
  std::shared_ptr<const engine::CompiledModule> module = profile.module.lock();
  if (module == nullptr || !cache_) return;
  const native::NativeTier* tier = native::native_tier_of(*module);
  if (tier == nullptr || tier->hot() == nullptr) return;
  const native::HotFunctions& hot = *tier->hot();
  const auto count = static_cast<uint32_t>(profile.initial.size());
  std::vector<uint64_t> run_ns(count);
  std::vector<codecache::HotFate> fates(count);
  for (uint32_t f = 0; f < count; ++f) {
    // This run's samples alone (the counter started from what was stored), in nanoseconds.
    const uint64_t ticks = hot.ticks_of(f);
    const uint64_t run = ticks > profile.initial[f] ? ticks - profile.initial[f] : 0;
    run_ns[f] = static_cast<uint64_t>(static_cast<double>(run) / profile.ticks_per_ns);
    // In the hot entry now; or taken by a batch whose code never came (refused, or still
    // compiling at the end: a compile that outlives the program is not retried every run).
    using Fate = codecache::HotFate;
    fates[f] = hot.code_of(f) != nullptr ? Fate::Installed
               : hot.taken(f)            ? Fate::Attempted
                                         : Fate::Baseline;
  }
  const codecache::HotProfileUpdate update =
      codecache::next_hot_profile(profile.stored, run_ns, fates);
  if (!update.changed) return;  // a tiny program's run writes nothing
  Result<void> stored = codecache::store_hot_profile(*cache_, profile.key, count, update.samples);
  if (!config_.note) return;
  if (!stored.ok()) {
    config_.note(stored.error().message);  // debug: never fatal
    return;
  }
  std::string line = "hot profile: " + std::to_string(update.samples.size()) + " functions stored";
  const auto most = std::max_element(
      update.samples.begin(), update.samples.end(),
      [](const codecache::HotSample& a, const codecache::HotSample& b) { return a.ns < b.ns; });
  if (most != update.samples.end()) {
    // In ticks too: a test sets LUNATIC_HOT_TICKS from them.
    const uint32_t f = most->function;
    line += " (the most: " + module->wasm.function_name(module->wasm.imported_functions + f) +
            ", " + std::to_string(hot.ticks_of(f)) + " ticks in all, " +
            std::to_string(hot.ticks_of(f) - std::min(hot.ticks_of(f), profile.initial[f])) +
            " this run)";
  }
  config_.note(line);
}

}  // namespace lunatic::tiering
