// Compiler: the tier policy and the background compile thread.
#include "tiering/compiler.hpp"

#include <sys/resource.h>

#include <sys/syscall.h>
#include <unistd.h>
#include <cstdio>

#include "baseline/baseline.hpp"
#include "jit/native_tier.hpp"

namespace lunatic::tiering {

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
      config_.cache_dir ? config_.cache_dir : jit::ObjectCache::default_dir();
  if (dir) cache_.emplace(std::move(*dir));
}

Compiler::~Compiler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<std::shared_ptr<const engine::CompiledModule>> Compiler::compile(
    std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module = TRY(engine::compile(bytes));
  std::optional<jit::Digest> digest;
  if (cache_ && config_.tier != Tier::Interp && config_.tier != Tier::Baseline) {
    digest = jit::digest_of(bytes);
  }
  add_native_code(module, digest);
  return module;
}

Result<std::shared_ptr<const engine::CompiledModule>> Compiler::compile_loaded(
    std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module = TRY(engine::compile(bytes));
  if (config_.tier == Tier::Interp) return module;
  if (config_.tier == Tier::Baseline) {  // linear in the module's size, as decoding is
    compile_baseline_now(*module);
    return module;
  }
  std::optional<jit::Digest> digest;
  if (cache_) digest = jit::digest_of(bytes);
  compile_in_background(
      module, digest,
      config_.tier == Tier::Auto ? config_.background_delay : std::chrono::milliseconds{0});
  return module;
}

Result<std::vector<jit::CompileStats>> Compiler::precompile(std::span<const uint8_t> bytes) {
  std::shared_ptr<const engine::CompiledModule> module = TRY(engine::compile(bytes));
  const jit::Digest digest = jit::digest_of(bytes);
  std::vector<jit::CompileStats> stats;
  for (Tier tier : {Tier::Compiled, Tier::Auto}) {
    std::unique_ptr<jit::NativeCode> code =
        TRY(jit::compile_native(*module, options_for(tier, digest)));
    stats.push_back(code->stats());
  }
  return stats;
}

void Compiler::add_native_code(const std::shared_ptr<const engine::CompiledModule>& module) {
  add_native_code(module, std::nullopt);
}

jit::CompileOptions Compiler::options_for(Tier tier,
                                          const std::optional<jit::Digest>& digest) const {
  // The auto tier hands running interpreter frames over: it needs the OSR entries.
  return jit::CompileOptions{.opt_level = config_.opt_level,
                             .osr_entries = tier == Tier::Auto,
                             .cache = cache_ ? &*cache_ : nullptr,
                             .module_digest = digest};
}

void Compiler::add_native_code(const std::shared_ptr<const engine::CompiledModule>& module,
                               const std::optional<jit::Digest>& digest) {
  switch (config_.tier) {
    case Tier::Interp: return;
    case Tier::Compiled: compile_now(*module, digest, Tier::Compiled); return;
    case Tier::Auto: compile_in_background(module, digest, config_.background_delay); return;
    case Tier::Baseline: compile_baseline_now(*module); return;
  }
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
  const jit::CompileStats& stats = jit::native_tier_of(module)->code().stats();
  char line[96];
  std::snprintf(line, sizeof line, "baseline tier: %zu functions compiled in %.3f s",
                stats.functions, stats.total_seconds);
  config_.note(line);
}

void Compiler::compile_in_background(const std::shared_ptr<const engine::CompiledModule>& module,
                                     const std::optional<jit::Digest>& digest,
                                     std::chrono::milliseconds delay) {
  if (module->wasm.functions.empty()) return;
  // Loading from the cache takes milliseconds: no reason to start in the interpreter.
  if (cache_ && digest &&
      cache_->contains(jit::ObjectCache::key(*digest, config_.opt_level, true))) {
    compile_now(*module, digest, Tier::Auto);
    if (module->native() != nullptr) return;
  }
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  queue_.push_back(Job{module, std::chrono::steady_clock::now() + delay, digest});
  if (!worker_.joinable()) worker_ = std::thread([this] { background_loop(); });
  wake_.notify_one();
}

void Compiler::compile_now(const engine::CompiledModule& module,
                           const std::optional<jit::Digest>& digest, Tier tier) {
  if (module.native() != nullptr) return;
  Result<void> done = jit::attach_native(module, options_for(tier, digest));
  if (!config_.note) return;
  if (!done.ok()) {
    config_.note("compiled tier: the module stays in the interpreter: " + done.error().to_string());
    return;
  }
  const jit::CompileStats& stats = jit::native_tier_of(module)->code().stats();
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
  // The compile thread yields to the workers: processes are never starved by a compile.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // A module is compiled only once it has run for the delay (stopping cancels the wait).
    if (wake_.wait_until(lock, queue_.front().not_before, [this] { return stopping_; })) return;
    std::shared_ptr<const engine::CompiledModule> module = queue_.front().module.lock();
    const std::optional<jit::Digest> digest = queue_.front().digest;
    queue_.pop_front();
    if (module == nullptr) continue;  // nobody runs it any more
    busy_.store(true, std::memory_order_release);
    lock.unlock();
    compile_now(*module, digest, Tier::Auto);
    module.reset();
    lock.lock();
    busy_.store(false, std::memory_order_release);
  }
}

}  // namespace lunatic::tiering
