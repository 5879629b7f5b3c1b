// Compiler, function-level tier-up (auto): the time a module's functions spend in the baseline,
// the rent-or-buy threshold of each, and the background job that compiles the hot ones with
// LLVM and publishes them (native/hot_functions.hpp).
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <thread>

#include "codecache/cached_code.hpp"
#include "common/cpu_clock.hpp"
#include "native/native_tier.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::tiering {

namespace {

// The bytes of a function's body (its code in the module), from its instructions' offsets.
uint64_t body_bytes(const wasm::Function& f) {
  if (f.body.empty()) return 0;
  return f.body.back().offset >= f.body_offset ? f.body.back().offset - f.body_offset + 1 : 0;
}

// Time stamp counter ticks per nanosecond (the samples' unit, native/hot_functions.hpp),
// measured once over 100 us of CLOCK_MONOTONIC: a spin on the thread that starts the run, so
// short (2 ms was ~7% of a run's start-up CPU), and ample for thresholds that are estimates
// (the clock reads to the nanosecond: the rate is within ~0.1%).
double ticks_per_ns() {
  static const double rate = [] {
    auto monotonic_ns = [] {
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
    };
    const double t0 = monotonic_ns();
    const uint64_t c0 = __rdtsc();
    double t1 = t0;
    while (t1 - t0 < 1e5) t1 = monotonic_ns();
    return static_cast<double>(__rdtsc() - c0) / (t1 - t0);
  }();
  return rate;
}

std::string speedup_text(double speedup) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2fx", speedup);
  return text;
}

}  // namespace

std::chrono::nanoseconds HotCompilePrice::of(uint64_t body_bytes) const {
  const double kib = static_cast<double>(body_bytes) / 1024.0;
  const double ns = static_cast<double>(fixed.count()) +
                    static_cast<double>(per_kib.count()) * std::pow(kib, exponent);
  return std::chrono::nanoseconds{static_cast<int64_t>(std::min(ns, 1e18))};
}

std::chrono::nanoseconds HotCompilePrice::of_batch(std::span<const uint64_t> body_bytes) const {
  std::chrono::nanoseconds sum = fixed;
  for (uint64_t bytes : body_bytes) sum += of(bytes) - fixed;
  return sum;
}

bool Compiler::watch_hot(const std::shared_ptr<const engine::CompiledModule>& module,
                         const std::optional<native::Digest>& digest) {
  if (config_.tier != Tier::Auto || (!config_.hot_compile.any() && !config_.hot_ticks)) {
    return false;
  }
  const native::NativeTier* tier = native::native_tier_of(*module);
  if (tier == nullptr || tier->hot() == nullptr) return false;
  const double rate = ticks_per_ns();
  std::vector<uint64_t> thresholds;
  thresholds.reserve(module->wasm.functions.size());
  // The first batch also loads the LLVM tier: while it is not loaded, every price counts it.
  const double first_load = llvm_loaded_.load(std::memory_order_acquire)
                                ? 0.0
                                : static_cast<double>(config_.hot_compile.first_load.count());
  const uint32_t imported = module->wasm.imported_functions;
  for (uint32_t i = 0; i < module->wasm.functions.size(); ++i) {
    if (config_.hot_ticks) {
      thresholds.push_back(std::max<uint64_t>(*config_.hot_ticks, 1));
      continue;
    }
    // The CPU time LLVM's compile of f alone would take, over the share of f's time LLVM's
    // code would save (rent or buy with a speed-up s: price x s / (s - 1)).
    const wasm::Function& f = module->wasm.functions[i];
    const double factor = HotSpeedup::price_factor(config_.hot_speedup.of(f, imported + i));
    const double ns =
        (static_cast<double>(config_.hot_compile.of(body_bytes(f)).count()) + first_load) * factor;
    thresholds.push_back(static_cast<uint64_t>(std::min(ns * rate, 1e18)) + 1);
  }
  std::weak_ptr<const engine::CompiledModule> weak = module;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    watched_.push_back(weak);
  }
  // What earlier runs sampled: a function hot over the runs is hot early in this one.
  const std::vector<uint64_t> initial = load_hot_profile(module, digest, rate);
  // What earlier runs compiled first: the background thread takes jobs in order, so a
  // function the cache holds is published before any hot job could take it.
  if (digest) {
    Job load{weak, std::chrono::steady_clock::now(), digest, false, {}};
    load.hot_cached = true;
    enqueue(std::move(load));
  }
  // Called on a worker (a fiber) when a function becomes hot: only queues the job.
  tier->hot()->watch(
      std::move(thresholds),
      [this, weak, digest] {
        Job job{weak, std::chrono::steady_clock::now(), digest, false, {}};
        job.hot = true;
        enqueue(std::move(job));
      },
      initial);
  return true;
}

Result<size_t> Compiler::load_hot_functions(const engine::CompiledModule& module,
                                            const std::optional<native::Digest>& digest) {
  const native::NativeTier* tier = native::native_tier_of(module);
  if (tier == nullptr || tier->hot() == nullptr || tier->successor() != nullptr) return 0;
  // Looked up, read and checked without LLVM: most runs have no hot entry, and a warm run
  // whose entry links here (codecache::link_hot) never loads LLVM.
  const codecache::Digest key = digest
                                    ? codecache::ObjectCache::key(*digest, config_.opt_level, true,
                                                                  codecache::ObjectCache::Kind::Hot)
                                    : codecache::Digest{};
  const auto start = std::chrono::steady_clock::now();
  std::optional<codecache::HotCode> hot;
  if (digest && cache_) {  // a missing entry fails the load's open (no stat before it)
    hot = codecache::load_hot(*cache_, key, static_cast<uint32_t>(module.wasm.functions.size()));
  }
  if (!hot) {
    if (config_.note) config_.note("compiled tier: no hot functions in the code cache");
    return Error(Phase::Unsupported, "no hot functions in the code cache", Error::kNoOffset, "jit");
  }
  Result<std::unique_ptr<native::NativeCode>> code =
      codecache::link_hot(module, std::move(*hot), cache_->path_of(key).string());
  const bool without_llvm = code.ok();
  if (!code.ok()) {
    // The loader declined an object of a verified entry: LLVM's linker may still take it.
    if (config_.note) config_.note("code cache: " + code.error().to_string() + "; trying LLVM");
    const native::OptimizingCompiler* llvm = this->llvm();
    if (llvm == nullptr) {
      return Error(Phase::Unsupported, "no LLVM tier", Error::kNoOffset, "jit");
    }
    code = llvm->load_functions(module, options_for(Tier::Auto, digest));
    if (!code.ok()) {
      tell_refusal("compiled tier: ", code.error());
      return std::move(code).error();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const native::CompileStats stats = (*code)->stats();
  const uint32_t before = tier->hot()->installed();
  tier->hot()->install(tier->code(), std::move(*code));
  const uint32_t published = tier->hot()->installed() - before;
  hot_loaded_.fetch_add(published);
  if (config_.note) {
    char line[128];
    std::snprintf(line, sizeof line,
                  "compiled tier: %u hot functions loaded from the cache in %.3f s%s (%llu bytes, ",
                  published, seconds, without_llvm ? ", without LLVM" : "",
                  static_cast<unsigned long long>(stats.cache_entry_bytes));
    config_.note(line + stats.cache_entry + ")");
  }
  return size_t{published};
}

bool Compiler::finish_hot_compile(std::chrono::milliseconds limit, HotWait what) {
  std::unique_lock lock(mutex_);
  // The destructor drops the queued jobs: nothing is left to wait for.
  return hot_done_.wait_for(lock, limit, [&] {
    return stopping_ || (what == HotWait::Compiling ? !hot_busy_ : hot_pending_ == 0);
  });
}

bool Compiler::finish_hot_batch(std::chrono::milliseconds at_least, double price_factor,
                                std::chrono::milliseconds at_most) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    // Polled: the batch's CPU time is the compile thread's clock, which wakes nobody.
    if (hot_done_.wait_for(lock, std::chrono::milliseconds(50),
                           [&] { return stopping_ || !hot_busy_; })) {
      return true;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= at_most) return false;
    const double price = static_cast<double>(hot_batch_price().count());
    if (waited >= at_least &&
        static_cast<double>(hot_batch_cpu().count()) >= price_factor * price) {
      return false;
    }
  }
}

std::chrono::nanoseconds Compiler::hot_batch_cpu() const {
  if (hot_batch_price_ns_.load(std::memory_order_acquire) == 0) return {};
  const int64_t now = clock_time(hot_batch_clock_.load(std::memory_order_relaxed)).count();
  return std::chrono::nanoseconds{
      std::max<int64_t>(now - hot_batch_cpu_start_ns_.load(std::memory_order_relaxed), 0)};
}

Result<size_t> Compiler::compile_hot_functions(const engine::CompiledModule& module,
                                               const std::optional<native::Digest>& digest) {
  const native::NativeTier* tier = native::native_tier_of(module);
  // The module's own LLVM code arrived meanwhile: it replaced everything.
  if (tier == nullptr || tier->hot() == nullptr || tier->successor() != nullptr) return 0;
  native::HotFunctions& hot = *tier->hot();
  const std::vector<uint32_t> set = hot.take_hot();
  if (set.empty()) return 0;
  const native::OptimizingCompiler* llvm = this->llvm();
  if (llvm == nullptr) {
    hot.refuse(set);
    return Error(Phase::Unsupported, "the LLVM tier is not available", Error::kNoOffset, "jit");
  }
  std::vector<uint64_t> sizes;
  sizes.reserve(set.size());
  for (uint32_t i : set) sizes.push_back(body_bytes(module.wasm.functions[i]));
  const uint64_t bytes = std::accumulate(sizes.begin(), sizes.end(), uint64_t{0});
  // What finish_hot_batch measures the compile by; cleared however it ends (a refusal, an
  // LLVM failure caught by its guard).
  const clockid_t clock = this_thread_cpu_clock();
  hot_batch_clock_.store(clock, std::memory_order_relaxed);
  hot_batch_cpu_start_ns_.store(clock_time(clock).count(), std::memory_order_relaxed);
  struct BatchPrice {
    std::atomic<int64_t>& ns;
    ~BatchPrice() { ns.store(0, std::memory_order_release); }
  } batch_price{hot_batch_price_ns_};
  batch_price.ns.store(std::max<int64_t>(config_.hot_compile.of_batch(sizes).count(), 1),
                       std::memory_order_release);
  if (config_.note) {
    config_.note("compiled tier: compiling " + std::to_string(set.size()) + " hot functions (" +
                 std::to_string(bytes) + " bytes, the first " +
                 module.wasm.function_name(module.wasm.imported_functions + set[0]) + ", " +
                 std::to_string(hot.ticks_of(set[0])) + " ticks, estimated speed-up " +
                 speedup_text(config_.hot_speedup.of(module.wasm.functions[set[0]],
                                                     module.wasm.imported_functions + set[0])) +
                 ")");
  }
  // With OSR entries: a baseline frame looping in one of them moves at its loop header.
  const std::chrono::nanoseconds cpu_start = clock_time(clock);
  Result<std::unique_ptr<native::NativeCode>> code =
      llvm->compile_functions(module, set, options_for(Tier::Auto, digest));
  if (!code.ok()) {
    hot.refuse(set);
    tell_refusal("compiled tier: hot functions stay in the baseline: ", code.error());
    return std::move(code).error();
  }
  const native::CompileStats stats = (*code)->stats();
  const double seconds = stats.total_seconds;
  const double cpu_seconds = std::chrono::duration<double>(clock_time(clock) - cpu_start).count();
  hot.install(tier->code(), std::move(*code));
  hot_compiled_.fetch_add(set.size());
  if (config_.note) {
    char line[128];
    std::snprintf(line, sizeof line,
                  "compiled tier: %zu hot functions (%llu bytes) compiled in %.3f s (%.3f s "
                  "of CPU)",
                  set.size(), static_cast<unsigned long long>(bytes), seconds, cpu_seconds);
    config_.note(line);
    if (!stats.cache_error.empty()) config_.note(stats.cache_error);  // debug: never fatal
    if (!stats.cache_entry.empty()) {
      config_.note("code cache: hot functions stored (" + std::to_string(stats.cache_entry_bytes) +
                   " bytes, " + stats.cache_entry + ")");
    }
  }
  return set.size();
}

}  // namespace lunatic::tiering
