// Compiler: the tier policy and the background compile thread.
#include "tiering/compiler.hpp"

#include <sys/resource.h>

#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>

#include "baseline/baseline.hpp"
#include "codecache/cached_code.hpp"
#include "common/cpu_clock.hpp"
#include "native/native_tier.hpp"
#include "tiering/llvm_module.hpp"

namespace lunatic::tiering {

namespace {

// Whether the module runs LLVM's code (not the baseline's, which LLVM's replaces).
bool has_llvm_code(const engine::CompiledModule& module) {
  const native::NativeTier* native = native::native_tier_of(module);
  return native != nullptr && native->code().optimized();
}

}  // namespace

std::optional<Tier> parse_tier(std::string_view name) {
  if (name == "interp") return Tier::Interp;
  if (name == "compiled") return Tier::Compiled;
  if (name == "auto") return Tier::Auto;
  if (name == "baseline") return Tier::Baseline;
  return std::nullopt;
}

const char* tier_name(Tier tier) {
  switch (tier) {
    case Tier::Interp: return "interp";
    case Tier::Compiled: return "compiled";
    case Tier::Auto: return "auto";
    case Tier::Baseline: return "baseline";
  }
  return "?";
}

Compiler::Compiler(CompilerConfig config) : config_(std::move(config)) {
  if (!config_.use_cache) return;
  std::optional<std::filesystem::path> dir =
      config_.cache_dir ? config_.cache_dir : codecache::ObjectCache::default_dir();
  if (dir) cache_.emplace(std::move(*dir));
}

const native::OptimizingCompiler* Compiler::llvm() {
  std::call_once(llvm_once_, [this] {
    // What the first load costs (the hot compiles' price counts it: HotCompilePrice).
    const clockid_t clock = this_thread_cpu_clock();
    const std::chrono::nanoseconds cpu_start = clock_time(clock);
    const auto start = std::chrono::steady_clock::now();
    Result<native::OptimizerFactory> factory = llvm_factory();
    if (!factory) {
      if (config_.warn) config_.warn(factory.error().message + "; running without it");
      return;
    }
    const std::string dir = config_.cache_dir ? config_.cache_dir->string() : std::string();
    llvm_.reset((*factory)(config_.cache_dir ? dir.c_str() : nullptr, config_.use_cache));
    llvm_loaded_.store(llvm_ != nullptr, std::memory_order_release);
    if (config_.note) {
      char line[96];
      std::snprintf(line, sizeof line, "compiled tier: LLVM loaded in %.3f s (%.3f s of CPU)",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    std::chrono::duration<double>(clock_time(clock) - cpu_start).count());
      config_.note(line);
    }
  });
  return llvm_.get();
}

Compiler::~Compiler() {
  if (config_.note && baseline_compiled_.load() > 0) {
    const baseline::LazyTotals lazy = baseline::lazy_totals();
    char line[128];
    std::snprintf(line, sizeof line,
                  "baseline tier: %llu functions compiled on their first call in %.3f s "
                  "(%.3f s of CPU)",
                  static_cast<unsigned long long>(lazy.functions), lazy.seconds, lazy.cpu_seconds);
    config_.note(line);
  }
  // No module calls back once this ends (a callback may be running: unwatch waits for it).
  std::vector<std::weak_ptr<const engine::CompiledModule>> watched;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    watched.swap(watched_);
  }
  hot_done_.notify_all();
  for (const auto& weak : watched) {
    if (auto module = weak.lock()) {
      if (const native::NativeTier* tier = native::native_tier_of(*module)) {
        if (tier->hot() != nullptr) tier->hot()->unwatch();
      }
    }
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

engine::CompileConfig Compiler::engine_config() const {
  engine::CompileConfig engine = config_.engine;
  engine.interpreted_fuel = config_.tier == Tier::Auto ? config_.interpreted_fuel : 0;
  return engine;
}

Result<std::shared_ptr<const engine::CompiledModule>> Compiler::compile(
    std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module =
      TRY(engine::compile(bytes, engine_config()));
  // Compiled and auto look the module up in the code cache (without loading LLVM: a warm run
  // never does); interp and baseline never use it.
  std::optional<native::Digest> digest;
  if (config_.tier != Tier::Interp && config_.tier != Tier::Baseline) digest = cache_digest(bytes);
  add_native_code(module, digest, bytes.size());
  return module;
}

std::optional<native::Digest> Compiler::cache_digest(std::span<const uint8_t> bytes) {
  if (!cache_) return std::nullopt;
  return codecache::digest_of(bytes);
}

Result<std::shared_ptr<const engine::CompiledModule>> Compiler::compile_loaded(
    std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module =
      TRY(engine::compile(bytes, engine_config()));
  if (config_.tier == Tier::Interp) return module;
  if (config_.tier == Tier::Baseline) {  // linear in the module's size, as decoding is
    compile_baseline_now(*module);
    return module;
  }
  const std::optional<native::Digest> digest = cache_digest(bytes);
  if (config_.tier == Tier::Auto) {
    compile_auto(module, digest, bytes.size(), /*baseline_in_background=*/true);
  } else {
    compile_in_background(module, digest, std::chrono::milliseconds{0});
  }
  return module;
}

Result<std::vector<native::CompileStats>> Compiler::precompile(std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module =
      TRY(engine::compile(bytes, engine_config()));
  const native::OptimizingCompiler* llvm = this->llvm();
  if (llvm == nullptr) return llvm_factory().error();  // why there is no LLVM tier
  const native::Digest digest = llvm->digest_of(bytes);
  std::vector<native::CompileStats> stats;
  for (Tier tier : {Tier::Compiled, Tier::Auto}) {
    stats.push_back(TRY(llvm->precompile(*module, options_for(tier, digest))));
  }
  return stats;
}

void Compiler::add_native_code(const std::shared_ptr<const engine::CompiledModule>& module) {
  add_native_code(module, std::nullopt, 0);
}

native::OptimizeRequest Compiler::options_for(Tier tier,
                                              const std::optional<native::Digest>& digest) const {
  // The auto tier hands running interpreter frames over: it needs the OSR entries.
  return native::OptimizeRequest{
      .opt_level = config_.opt_level, .osr_entries = tier == Tier::Auto, .module_digest = digest};
}

void Compiler::add_native_code(const std::shared_ptr<const engine::CompiledModule>& module,
                               const std::optional<native::Digest>& digest, size_t module_bytes) {
  switch (config_.tier) {
    case Tier::Interp: return;
    case Tier::Compiled: compile_now(*module, digest, Tier::Compiled); return;
    case Tier::Auto: compile_auto(module, digest, module_bytes, false); return;
    case Tier::Baseline: compile_baseline_now(*module); return;
  }
}

bool Compiler::attach_from_cache(const engine::CompiledModule& module, const native::Digest& digest,
                                 bool osr_entries) {
  const codecache::Digest key = codecache::ObjectCache::key(digest, config_.opt_level, osr_entries);
  if (!cache_ || !cache_->contains(key)) return false;
  if (Result<void> done = codecache::attach_cached(module, *cache_, key); !done.ok()) {
    if (config_.note) config_.note("code cache: " + done.error().to_string() + "; trying LLVM");
    return false;
  }
  if (config_.note) {
    const native::CompileStats& stats = native::native_tier_of(module)->code().stats();
    char line[112];
    std::snprintf(line, sizeof line,
                  "compiled tier: %zu functions loaded from the cache in %.3f s, without LLVM",
                  stats.functions, stats.total_seconds);
    config_.note(line + (" (" + stats.cache_entry + ")"));
  }
  return true;
}

bool Compiler::load_cached(const engine::CompiledModule& module,
                           const std::optional<native::Digest>& digest) {
  // Loading from the cache takes milliseconds: no reason to start in a slower tier.
  if (!digest || !cache_ ||
      !cache_->contains(codecache::ObjectCache::key(*digest, config_.opt_level, true))) {
    return false;
  }
  if (has_llvm_code(module) || attach_from_cache(module, *digest, true)) return true;
  // The loader declined the entry: LLVM's linker may still take it.
  const native::OptimizingCompiler* llvm = this->llvm();
  if (llvm == nullptr || !llvm->cached(*digest, config_.opt_level, true)) return false;
  // Only a load: an entry that turns out corrupt or stale (or half written by another
  // process) must not make this thread (a run's start, a scheduler worker) compile.
  if (has_llvm_code(module)) return true;
  native::OptimizeRequest options = options_for(Tier::Auto, digest);
  options.cache_only = true;
  if (Result<void> done = llvm->attach(module, options); !done.ok()) {
    tell_refusal("code cache: ", done.error());
    return false;
  }
  if (config_.note) {
    const native::CompileStats& stats = native::native_tier_of(module)->code().stats();
    char line[96];
    std::snprintf(line, sizeof line, "compiled tier: %zu functions loaded from the cache in %.3f s",
                  stats.functions, stats.total_seconds);
    config_.note(line + (" (" + stats.cache_entry + ")"));
  }
  return true;
}

std::chrono::nanoseconds Compiler::llvm_cpu_delay(size_t bytes, bool baseline_runs) const {
  if (!baseline_runs) return std::chrono::nanoseconds{0};
  return config_.delay_per_byte * static_cast<int64_t>(bytes);
}

void Compiler::compile_auto(const std::shared_ptr<const engine::CompiledModule>& module,
                            const std::optional<native::Digest>& digest, size_t module_bytes,
                            bool baseline_in_background) {
  if (module->wasm.functions.empty() || load_cached(*module, digest)) return;
  const auto now = std::chrono::steady_clock::now();
  if (baseline_in_background) {
    enqueue(Job{module,
                now,
                digest,
                true,
                config_.background_delay,
                {},
                llvm_cpu_delay(module_bytes, true)});
    return;
  }
  compile_baseline_now(*module);
  watch_hot(module, digest);
  const std::chrono::nanoseconds cpu = llvm_cpu_delay(module_bytes, module->has_native());
  enqueue(Job{module,
              now + config_.background_delay,
              digest,
              false,
              {},
              clock_time(CLOCK_PROCESS_CPUTIME_ID) + cpu});
}

void Compiler::compile_baseline_now(const engine::CompiledModule& module) {
  if (module.native() != nullptr) return;
  Result<void> done = baseline::attach_baseline(module);
  (done.ok() ? baseline_compiled_ : baseline_refused_).fetch_add(1);
  if (!config_.note) return;
  if (!done.ok()) {
    config_.note("baseline tier: the module stays in the interpreter: " + done.error().to_string());
    return;
  }
  const native::CompileStats& stats = native::native_tier_of(module)->code().stats();
  char line[128];
  std::snprintf(line, sizeof line,
                "baseline tier: %zu functions, each compiled on its first call (stubs in %.3f s)",
                stats.functions, stats.total_seconds);
  config_.note(line);
}

void Compiler::compile_in_background(const std::shared_ptr<const engine::CompiledModule>& module,
                                     const std::optional<native::Digest>& digest,
                                     std::chrono::milliseconds delay) {
  if (module->wasm.functions.empty() || load_cached(*module, digest)) return;
  enqueue(Job{module, std::chrono::steady_clock::now() + delay, digest, false, {}});
}

void Compiler::enqueue(Job job) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (job.hot || job.hot_cached) ++hot_pending_;
  insert_locked(std::move(job));
  if (!worker_.joinable()) worker_ = std::thread([this] { background_loop(); });
  wake_.notify_one();
}

void Compiler::insert_locked(Job job) {
  // Kept in order of not_before (a baseline job due now passes LLVM jobs still waiting).
  auto at = std::find_if(queue_.begin(), queue_.end(),
                         [&](const Job& queued) { return queued.not_before > job.not_before; });
  queue_.insert(at, std::move(job));
}

void Compiler::tell_refusal(const std::string& what, const Error& why) const {
  if (why.phase == Phase::Host) {  // LLVM failed inside: not the module's fault
    if (config_.warn) config_.warn(what + why.to_string());
  } else if (config_.note) {
    config_.note(what + why.to_string());
  }
}

void Compiler::compile_now(const engine::CompiledModule& module,
                           const std::optional<native::Digest>& digest, Tier tier) {
  if (has_llvm_code(module)) return;
  if (digest && attach_from_cache(module, *digest, tier == Tier::Auto)) {
    llvm_compiled_.fetch_add(1);
    return;
  }
  const native::OptimizingCompiler* llvm = this->llvm();
  if (llvm == nullptr) {  // `warn` said why; the baseline's code is the best there is
    llvm_refused_.fetch_add(1);
    if (tier == Tier::Compiled) compile_baseline_now(module);
    return;
  }
  Result<void> done = llvm->attach(module, options_for(tier, digest));
  (done.ok() ? llvm_compiled_ : llvm_refused_).fetch_add(1);
  if (!done.ok()) {
    tell_refusal("compiled tier: the module stays in the interpreter: ", done.error());
    return;
  }
  if (!config_.note) return;
  const native::CompileStats& stats = native::native_tier_of(module)->code().stats();
  if (stats.from_cache) {
    char line[96];
    std::snprintf(line, sizeof line, "compiled tier: %zu functions loaded from the cache in %.3f s",
                  stats.functions, stats.total_seconds);
    config_.note(line + (" (" + stats.cache_entry + ")"));
    return;
  }
  if (!stats.cache_error.empty()) config_.note(stats.cache_error);
  char line[160];
  std::snprintf(line, sizeof line,
                "compiled tier: %zu functions compiled in %.3f s (translate %.3f, optimise %.3f, "
                "machine code %.3f)",
                stats.functions, stats.total_seconds, stats.translate_seconds,
                stats.optimize_seconds, stats.codegen_seconds);
  config_.note(line);
}

void Compiler::background_loop() {
  // The compile thread yields to the workers (nice 10) from its first module compile on:
  // processes are never starved by a compile. Hot functions' compiles before that run at the
  // workers' priority: they are small (tens of ms of CPU), worth their cost by the rule that
  // started them, and at nice 10 on a busy machine they took 17 times as long to arrive
  // (a lowered priority cannot be raised again without privileges, so this order).
  bool niced = false;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // A module is compiled only once it has run for the delay (stopping cancels the wait; a
    // job queued meanwhile may be due sooner).
    const auto due = queue_.front().not_before;
    if (wake_.wait_until(lock, due, [&] { return stopping_ || queue_.front().not_before < due; })) {
      if (stopping_) return;
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const bool hot_job = job.hot || job.hot_cached;
    std::shared_ptr<const engine::CompiledModule> module = job.module.lock();
    if (module == nullptr) {  // nobody runs it any more
      if (hot_job) end_hot_job_locked();
      continue;
    }
    const std::chrono::nanoseconds cpu_left =
        job.cpu_not_before - clock_time(CLOCK_PROCESS_CPUTIME_ID);
    if (!job.baseline && !hot_job && cpu_left.count() > 0) {
      // Looked at again once that much wall time has passed (at most a second: the workers
      // of a busy process use CPU time faster than wall time).
      job.not_before = std::chrono::steady_clock::now() +
                       std::min<std::chrono::nanoseconds>(cpu_left, std::chrono::seconds(1));
      insert_locked(std::move(job));
      continue;
    }
    busy_.store(true, std::memory_order_release);
    hot_busy_ = job.hot;
    lock.unlock();
    if (!hot_job && !niced) {
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
      niced = true;
    }
    const bool then_llvm = job.baseline;
    if (job.hot_cached) {
      (void)load_hot_functions(*module, job.digest);  // a miss was noted
    } else if (job.hot) {
      (void)compile_hot_functions(*module, job.digest);  // a failure was noted
    } else if (job.baseline) {
      compile_baseline_now(*module);
      watch_hot(module, job.digest);
      // LLVM after the delay, and for a module running baseline code after the CPU time too
      // (a module the baseline refused runs in the interpreter: LLVM soon pays there).
      if (!module->has_native()) job.then_cpu = std::chrono::nanoseconds{0};
      job.not_before = std::chrono::steady_clock::now() + job.then;
      job.cpu_not_before = clock_time(CLOCK_PROCESS_CPUTIME_ID) + job.then_cpu;
      job.baseline = false;
    } else {
      compile_now(*module, job.digest, Tier::Auto);
    }
    module.reset();
    lock.lock();
    busy_.store(false, std::memory_order_release);
    hot_busy_ = false;
    if (hot_job) end_hot_job_locked();
    if (then_llvm && !stopping_) insert_locked(std::move(job));
  }
}

void Compiler::end_hot_job_locked() {
  --hot_pending_;
  hot_done_.notify_all();
}

}  // namespace lunatic::tiering
