// Compiler: bytes -> a module ready to instantiate, with the tier the user chose. Interp runs
// the interpreter only; Compiled compiles LLVM's code before the module is returned (the LLVM
// tier is loaded the first time it is needed: tiering/llvm_module.hpp); Baseline
// gives it the single-pass baseline compiler's code (src/baseline, never cached; each function
// compiled on its first call, by the thread that calls it); Auto
// returns the module with LLVM's code when the on-disk code cache holds it,
// else with the baseline's (milliseconds), and compiles LLVM's code on a background thread,
// which then replaces the baseline's: new calls run it, running ones move over at safepoints;
// meanwhile hot functions get LLVM's code one batch at a time (from the cache's hot entry
// first, tiering/hot_functions.cpp).
#pragma once

#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "codecache/hot_profile.hpp"
#include "codecache/object_cache.hpp"
#include "common/result.hpp"
#include "engine/compile.hpp"
#include "engine/compiled_module.hpp"
#include "native/optimizing_compiler.hpp"

namespace lunatic::tiering {

enum class Tier : uint8_t { Interp, Compiled, Auto, Baseline };

/// "interp", "compiled", "auto" or "baseline"; nullopt for anything else.
std::optional<Tier> parse_tier(std::string_view name);
const char* tier_name(Tier tier);

/// The CPU time LLVM's compile of one function alone (with its OSR entries) is expected to
/// take: a fixed part plus `per_kib` x (its body's KiB)^`exponent`. The cost per byte grows
/// with the function (the optimizer's and the register allocator's work is superlinear).
struct HotCompilePrice {
  std::chrono::nanoseconds fixed{0};
  std::chrono::nanoseconds per_kib{0};
  double exponent = 1.0;
  /// The LLVM tier's first load in a process (the dlopen of lunatic_llvm.so and LLVM's set-up),
  /// which the first batch pays: added to each function's price while the tier is not loaded.
  std::chrono::nanoseconds first_load{0};

  bool any() const { return fixed.count() > 0 || per_kib.count() > 0; }
  /// One function's compile, alone.
  std::chrono::nanoseconds of(uint64_t body_bytes) const;
  /// One batch of functions compiled together: the fixed part once.
  std::chrono::nanoseconds of_batch(std::span<const uint64_t> body_bytes) const;
};

/// How much faster LLVM's code for one function alone (compiled in a hot batch) is expected to
/// run than the baseline's, estimated from its body (tiering/hot_speedup.cpp): rent or buy with
/// a speed-up s counts as rent only what LLVM's code would save, time x (1 - 1/s), so a
/// function is hot once its time reaches its price x s / (s - 1). Measured (docs/benchmarks.md,
/// "Hot compiles priced by their speed-up"): the small API functions of Lua and SQLite gain
/// 10-15% alone (their time is calls and pointer chasing, and each call from the baseline
/// enters through a slot entry); C kernels' loops ~3x (locals in registers).
struct HotSpeedup {
  /// s of a function whose time goes to straight-line code and calls.
  double calls = 1.15;
  /// s of a function whose time goes to loops that call nothing (or to recursion on itself
  /// alone).
  double kernel = 3.0;
  /// How many times a loop is assumed to run its body per entry: an instruction inside n
  /// loops weighs loop_weight^n (at most ^kMaxLoopDepth) in the share of the time.
  double loop_weight = 4.0;
  static constexpr int kMaxLoopDepth = 6;

  /// The estimate for `f`, defined function `self` (its index in the function index space,
  /// to tell recursion): calls + (kernel - calls) x the weighted share of its instructions in
  /// loops without calls. O(body); any body (unbalanced ends included) gives a finite value.
  double of(const wasm::Function& f, uint32_t self) const;
  /// The price's factor for a speed-up s: s / (s - 1), at most 100 (an s of 1 or less: LLVM's
  /// code would save nothing; the function is compiled only past 100 prices).
  static double price_factor(double speedup);
};

struct CompilerConfig {
  Tier tier = Tier::Auto;
  unsigned opt_level = 2;  ///< LLVM's -O level for native code
  /// Told, for a debug log, how long each native compile took, and why a module stays in the
  /// interpreter when the code generator failed on it. May be called from the background
  /// thread.
  std::function<void(const std::string&)> note{};
  /// Told, once per Compiler, when the LLVM tier cannot be loaded (one line: why), and when
  /// LLVM failed inside a compile (an internal error); the modules then run in the baseline or
  /// the interpreter. May be called from the background thread.
  std::function<void(const std::string&)> warn{};
  /// Auto: how long a module must have been running before its background compile starts.
  /// A short run then never pays for a compile it would not live to use (LLVM at -O2 takes
  /// about a second per 30 KB of code on these machines).
  std::chrono::milliseconds background_delay{0};
  /// Auto, for a module that runs baseline code meanwhile: LLVM starts only once the process
  /// has also used this much CPU time per byte of the module after it was compiled, about as
  /// much as the compile would take (rent or buy: never much worse than the better choice in
  /// hindsight). CPU time, not wall time: on a busy machine a program's progress is its CPU.
  std::chrono::nanoseconds delay_per_byte{0};
  /// Auto, for a module that runs baseline code: LLVM compiles a function alone (with every
  /// other function hot at that moment: one batch, no cache) once the time spent in it, as
  /// sampled at the safepoints' slow paths, is about the CPU time of that compile
  /// (`hot_compile.of` its body's bytes). The same rent-or-buy rule as delay_per_byte's, per
  /// function: a short program's hot loop gets LLVM's code in a fraction of a second, without
  /// paying for the module's cold code. All zero: none.
  HotCompilePrice hot_compile{};
  /// Auto: fuel a process spawned by another runs in the interpreter before it moves to the
  /// module's native code (engine::CompiledModule::interpreted_fuel). 0: calls begin natively.
  uint64_t interpreted_fuel = 0;
  /// Auto: the speed-up each function's threshold is scaled by (hot_compile.of x
  /// HotSpeedup::price_factor). Not applied to hot_ticks.
  HotSpeedup hot_speedup{};
  /// Tests: a function is hot once this many time stamp counter ticks were sampled in it
  /// (instead of the estimate above).
  std::optional<uint64_t> hot_ticks{};
  /// Look native code up in the code cache before compiling, and store what was compiled.
  /// Auto: a module the cache holds gets its native code at once, without the delay.
  bool use_cache = true;
  /// The cache's directory; nullopt: the default ($LUNATIC_CACHE_DIR, $XDG_CACHE_HOME/lunatic,
  /// $HOME/.cache/lunatic; jit::ObjectCache::default_dir()).
  std::optional<std::filesystem::path> cache_dir{};
  /// What engine::compile accepts (the proposals a module may use). Not part of the code
  /// cache's key: a feature set only decides whether a module is accepted, never the code a
  /// module gets, and the cache is only consulted for a module this set accepted.
  engine::CompileConfig engine{};
};

/// Thread-safe. Its destructor drops background jobs not yet started and waits for the one
/// running; when it gave a module baseline code, it first tells `note` how many functions
/// were compiled on their first call and how long that took (baseline::lazy_totals(): the
/// whole OS process's).
class Compiler {
 public:
  explicit Compiler(CompilerConfig config = {});
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  /// Decodes, validates and lowers `bytes` (errors as engine::compile's), then gives the
  /// module native code as the tier says. A module the code generator cannot handle runs in
  /// the interpreter (`note` says why): never an error.
  Result<std::shared_ptr<const engine::CompiledModule>> compile(std::span<const uint8_t> bytes);
  /// As compile(), for a module a process loads at run time (on a scheduler worker, which must
  /// not spend seconds in LLVM nor let a guest spend the host's CPU there): native code comes
  /// from the cache at once or from the background thread later, never from the caller's
  /// thread. Compiled: the background compile starts at once; Auto: the background thread
  /// compiles the baseline's code at once (the interpreter runs meanwhile), LLVM's after the
  /// delay.
  Result<std::shared_ptr<const engine::CompiledModule>> compile_loaded(
      std::span<const uint8_t> bytes);
  /// As compile(), for a module already lowered (its bytes are gone: no cache).
  void add_native_code(const std::shared_ptr<const engine::CompiledModule>& module);
  /// Compiles `bytes` as `compiled` and as `auto` would (the latter with OSR entries), into
  /// the cache, whatever the tier: what `lunatic compile` does. Errors: engine::compile's, or
  /// the code generator's (context "jit"), or that the LLVM tier is not available.
  Result<std::vector<native::CompileStats>> precompile(std::span<const uint8_t> bytes);

  Tier tier() const { return config_.tier; }
  /// Modules given native code by the baseline tier, and modules it refused (they run in the
  /// interpreter), since this Compiler was made.
  uint64_t baseline_compiled() const { return baseline_compiled_.load(); }
  uint64_t baseline_refused() const { return baseline_refused_.load(); }
  /// The same for LLVM's compiles (a module LLVM refuses stays where it ran).
  uint64_t llvm_compiled() const { return llvm_compiled_.load(); }
  uint64_t llvm_refused() const { return llvm_refused_.load(); }
  /// Auto: compiles the functions of `module` that are hot now (HotFunctions::take_hot) with
  /// LLVM and publishes their code, on this thread (the background thread's job, and tests);
  /// with the module's `digest` (and the cache on), the code is added to the module's hot
  /// entry in the code cache. How many were compiled; errors: why LLVM could not (they stay
  /// in the baseline).
  Result<size_t> compile_hot_functions(const engine::CompiledModule& module,
                                       const std::optional<native::Digest>& digest = {});
  /// Auto: publishes the hot functions' code the cache holds for `module` (what earlier runs
  /// compiled), on this thread (the background thread's first job for a module that starts in
  /// the baseline, and tests). How many were published; errors: a miss (they stay in the
  /// baseline, and the sampling finds them again).
  Result<size_t> load_hot_functions(const engine::CompiledModule& module,
                                    const std::optional<native::Digest>& digest);
  /// Auto: writes back the hot profile (codecache/hot_profile.hpp) of each module watched
  /// with the code cache on and still alive: what it started from plus what this run sampled,
  /// without the functions that have LLVM code now; only when that changed by at least the
  /// profile's floor. Once per module (later calls write nothing): the end of a run calls it
  /// (cli/run_command.cpp, after finish_hot_compile); a Compiler that is never told to writes
  /// no profile.
  void store_hot_profiles();
  /// Hot functions compiled by LLVM since this Compiler was made.
  uint64_t hot_compiled() const { return hot_compiled_.load(); }
  /// Hot functions published from the code cache since this Compiler was made.
  uint64_t hot_loaded() const { return hot_loaded_.load(); }
  /// Whether a background compile is running now (it cannot be interrupted: a program that
  /// ends meanwhile may exit without waiting for it, see cli/run_command.cpp).
  bool busy() const { return busy_.load(std::memory_order_acquire); }
  /// What finish_hot_compile waits for.
  enum class HotWait : uint8_t {
    /// A batch of hot functions LLVM compiles now (a job of tens of milliseconds, whose code
    /// the cache then holds for the next run): what the end of a user's run waits for.
    Compiling,
    /// Every hot job queued or running: batches, and the load of the cache's hot entry (a
    /// run of a few milliseconds ends before LLVM is loaded for it). Tests.
    Pending,
  };
  /// Waits, at most `limit`, for the hot jobs `what` names to end. False if one is still
  /// queued or running after `limit`. A function that becomes hot meanwhile (other processes
  /// still run) queues a job, which Pending then waits for too.
  bool finish_hot_compile(std::chrono::milliseconds limit, HotWait what = HotWait::Compiling);
  /// The end of a user's run: waits for the batch of hot functions LLVM compiles now (not for
  /// queued jobs) at least `at_least`, and then for as long as the batch has used less CPU
  /// time than `price_factor` x its estimated price (config.hot_compile), at most `at_most`
  /// in all. So a big function's compile, which the program has paid for in the baseline,
  /// gets the CPU time it needs on a busy machine too, and a compile far over its estimate is
  /// given up. False if a batch is still compiling after the wait.
  bool finish_hot_batch(std::chrono::milliseconds at_least, double price_factor,
                        std::chrono::milliseconds at_most);
  /// The estimated CPU time of the batch of hot functions LLVM compiles now; zero when none is
  /// compiling (or no estimate is configured).
  std::chrono::nanoseconds hot_batch_price() const {
    return std::chrono::nanoseconds{hot_batch_price_ns_.load(std::memory_order_relaxed)};
  }
  /// The CPU time the compile thread has spent on the batch it compiles now (zero if none).
  std::chrono::nanoseconds hot_batch_cpu() const;

 private:
  /// What engine::compile gets: config_.engine, and in auto the interpreted_fuel.
  engine::CompileConfig engine_config() const;
  struct Job {
    std::weak_ptr<const engine::CompiledModule> module;
    std::chrono::steady_clock::time_point not_before;
    std::optional<native::Digest> digest;
    /// Auto, a module loaded at run time: the baseline's code first, then LLVM's `then`
    /// later.
    bool baseline = false;
    std::chrono::milliseconds then{0};
    /// LLVM: not before the process's CPU time (CLOCK_PROCESS_CPUTIME_ID) reaches this.
    std::chrono::nanoseconds cpu_not_before{0};
    /// The baseline's job: the CPU time LLVM's then waits for (from when the baseline ends).
    std::chrono::nanoseconds then_cpu{0};
    /// The module's hot functions (compile_hot_functions), not the whole module.
    bool hot = false;
    /// The module's hot functions from the code cache (load_hot_functions).
    bool hot_cached = false;
  };
  /// A watched module's hot profile: the key, what was stored, the ticks each function
  /// started from (HotFunctions::watch's `initial`) and the time stamp counter's rate.
  struct Profile {
    std::weak_ptr<const engine::CompiledModule> module;
    codecache::Digest key{};
    std::vector<codecache::HotSample> stored;
    std::vector<uint64_t> initial;
    double ticks_per_ns = 1;
    bool written = false;
  };
  /// Reads the stored hot profile of a module (cache on, a digest) into the ticks its
  /// functions start from (empty: none) and remembers it for store_hot_profiles().
  std::vector<uint64_t> load_hot_profile(
      const std::shared_ptr<const engine::CompiledModule>& module,
      const std::optional<native::Digest>& digest, double ticks_per_ns);
  /// Writes one profile back (store_hot_profiles). @pre not under mutex_
  void store_hot_profile(Profile& profile);
  /// Auto: starts counting the time spent in each function of a module that runs baseline
  /// code; a function that becomes hot queues a hot job. With a `digest`, first queues the
  /// load of the hot functions earlier runs left in the cache. Whether it counts.
  bool watch_hot(const std::shared_ptr<const engine::CompiledModule>& module,
                 const std::optional<native::Digest>& digest);
  void add_native_code(const std::shared_ptr<const engine::CompiledModule>& module,
                       const std::optional<native::Digest>& digest, size_t module_bytes);
  /// Auto: LLVM's code from the cache at once; else the baseline's (on this thread, or first
  /// on the background thread when `baseline_in_background`), then LLVM's from the
  /// background thread once the delay has passed (with OSR entries, so running calls of the
  /// interpreter or the baseline can be handed over).
  void compile_auto(const std::shared_ptr<const engine::CompiledModule>& module,
                    const std::optional<native::Digest>& digest, size_t module_bytes,
                    bool baseline_in_background);
  /// Native code from the cache, else from the background thread once `delay` has passed
  /// (with OSR entries, so calls running in the interpreter can be handed over).
  void compile_in_background(const std::shared_ptr<const engine::CompiledModule>& module,
                             const std::optional<native::Digest>& digest,
                             std::chrono::milliseconds delay);
  /// LLVM's code for the module from the cache, loaded without LLVM (codecache::attach_cached)
  /// and attached; false when there is no entry or the loader declines it (`note` says why).
  bool attach_from_cache(const engine::CompiledModule& module, const native::Digest& digest,
                         bool osr_entries);
  /// Whether the cache holds LLVM's code for the module; if so, attaches it.
  bool load_cached(const engine::CompiledModule& module,
                   const std::optional<native::Digest>& digest);
  /// Auto: the process CPU time LLVM waits for, for a module of `bytes` that runs baseline
  /// code meanwhile (none for the interpreter: LLVM soon pays there).
  std::chrono::nanoseconds llvm_cpu_delay(size_t bytes, bool baseline_runs) const;
  void enqueue(Job job);
  void insert_locked(Job job);  ///< @pre mutex_ held
  /// A hot job ran or was dropped: wakes finish_hot_compile. @pre mutex_ held
  void end_hot_job_locked();
  native::OptimizeRequest options_for(Tier tier, const std::optional<native::Digest>& digest) const;
  /// The LLVM tier, made on first use (loading its module then, once per process); null when
  /// it cannot be loaded (`warn` was told why, once).
  const native::OptimizingCompiler* llvm();
  /// Tells why the LLVM tier did not give `module` code: `note` (a debug line) when the tier
  /// declined it, `warn` when LLVM failed inside (Phase::Host: a bug to report; the tier is
  /// then off for the run, native/optimizing_compiler.hpp).
  void tell_refusal(const std::string& what, const Error& why) const;
  /// The code cache's digest of `bytes`, or none when the cache is off (no LLVM needed).
  std::optional<native::Digest> cache_digest(std::span<const uint8_t> bytes);
  /// Compiles on this thread as `tier` does (Compiled: no OSR entries; Auto: with them).
  void compile_now(const engine::CompiledModule& module,
                   const std::optional<native::Digest>& digest, Tier tier);
  void background_loop();
  /// The baseline tier's code for `module`, on this thread (milliseconds: no cache).
  void compile_baseline_now(const engine::CompiledModule& module);

  CompilerConfig config_;
  std::optional<codecache::ObjectCache> cache_;  ///< none when use_cache is off or no directory
  std::once_flag llvm_once_;
  std::unique_ptr<native::OptimizingCompiler> llvm_;  ///< null until llvm(), or unavailable
  std::atomic<bool> llvm_loaded_{false};              ///< llvm() has loaded the LLVM tier
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  ///< run in order of not_before
  std::atomic<bool> busy_{false};
  std::atomic<uint64_t> baseline_compiled_{0};
  std::atomic<uint64_t> baseline_refused_{0};
  std::atomic<uint64_t> llvm_compiled_{0};
  std::atomic<uint64_t> llvm_refused_{0};
  std::atomic<uint64_t> hot_compiled_{0};
  std::atomic<uint64_t> hot_loaded_{0};
  bool hot_busy_ = false;  ///< under mutex_: the background thread compiles hot functions
  std::atomic<int64_t> hot_batch_price_ns_{0};  ///< hot_batch_price(); 0: no batch compiles
  /// The running batch's start on the compile thread's CPU clock, and that clock.
  std::atomic<int64_t> hot_batch_cpu_start_ns_{0};
  std::atomic<clockid_t> hot_batch_clock_{CLOCK_THREAD_CPUTIME_ID};
  size_t hot_pending_ = 0;  ///< under mutex_: hot jobs (job.hot, job.hot_cached) queued or run
  std::condition_variable hot_done_;  ///< a hot job ended (finish_hot_compile)
  /// The hot profiles of the modules watch_hot() watches (under mutex_).
  std::vector<Profile> profiles_;
  /// Modules watch_hot() watches (under mutex_): the destructor stops their callbacks.
  std::vector<std::weak_ptr<const engine::CompiledModule>> watched_;
  bool stopping_ = false;
  std::thread worker_;  ///< started by the first background job
};

}  // namespace lunatic::tiering
