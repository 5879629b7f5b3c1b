// `lunatic run` and `lunatic validate`: read the file, compile, spawn it as the root process of
// a runtime (WASI with --dir preopens, and the lunatic::* namespaces), wait for the root to
// end, and turn its exit status into an exit code.
#include "cli/run_command.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/host_memory.hpp"
#include "cli/invoke.hpp"
#include "cli/load_error.hpp"
#include "cli/log.hpp"
#include "cli/module_source.hpp"
#include "cli/run_timeout.hpp"
#include "dist/distributed.hpp"
#include "dist/node.hpp"
#include "engine/compiled_module.hpp"
#include "engine/module_file.hpp"
#include "host/shared/sockets.hpp"
#include "host/standard/standard.hpp"
#include "host/wasi/wasi.hpp"
#include "observer/observer.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"
#include "tiering/run_policy.hpp"

namespace lunatic::cli {
namespace {

// A program that ends while its hot functions compile waits for that compile to end: its code
// goes into the code cache, and every later run of the program starts with it. At least this
// long, then while the compile has used less CPU time than twice its price (a function of 9
// KiB takes seconds: a compile the program has already paid for in the baseline, by the rule
// above; on a busy machine the niced compile thread gets a fraction of a core), at most the
// last figure in all. A module's whole compile is never waited for.
constexpr std::chrono::milliseconds kHotCompileWait{2000};
constexpr double kHotCompileWaitPrices = 2.0;
constexpr std::chrono::milliseconds kHotCompileWaitMost{60000};
// How long the end of a run waits for the reports of processes whose end the root heard of
// before it ended (a crash report is logged after the notice: Runtime::wait_for_ends_in_flight).
constexpr std::chrono::milliseconds kEndsInFlightWait{100};
// How long the end of a run waits for the log's queued lines to reach a stderr that is slow to
// take them (a pipe nobody reads): then they are written as the program exits, or lost on _Exit.
constexpr std::chrono::milliseconds kLogDrainLimit{2000};

/// Stops the node and takes it off the runtime before the runtime goes.
struct NodeGuard {
  runtime::Runtime& rt;
  std::shared_ptr<dist::Node> node;
  ~NodeGuard() {
    if (!node) return;
    node->stop();
    rt.set_router(nullptr);
  }
};

int fail(const std::string& file, const Error& error, int code = kExitLoadError) {
  return report_load_error(file, error, code);
}

/// Prints "error: trap: <message>" and the Wasm backtrace, innermost frame first.
void print_trap(const engine::Trap& trap, const wasm::Module& module) {
  std::fprintf(stderr, "error: trap: %s\n", trap.message.c_str());
  if (trap.backtrace.empty()) return;
  std::fprintf(stderr, "wasm backtrace:\n");
  for (size_t i = 0; i < trap.backtrace.size(); ++i) {
    const engine::BacktraceFrame& frame = trap.backtrace[i];
    std::string name = frame.function_name;
    if (name.empty() && frame.function_index < module.total_functions()) {
      name = module.function_name(frame.function_index);
    }
    std::fprintf(stderr, "  %2zu: 0x%06x - func[%u] %s\n", i, frame.offset, frame.function_index,
                 name.empty() ? "<unnamed>" : name.c_str());
  }
}

/// The root's exit status as the exit code of `lunatic`.
int exit_code_of(const runtime::ExitStatus& status, const wasm::Module& module) {
  if (!status.trap) return 0;  // the entry returned
  const engine::Trap& trap = *status.trap;
  if (trap.kind == engine::TrapKind::Exit) {
    // Like a native program: only the low 8 bits of the status reach the parent.
    return static_cast<int>(static_cast<uint32_t>(trap.exit_code) & 0xff);
  }
  if (status.kind == runtime::ExitStatus::Kind::Killed) {
    std::fprintf(stderr, "error: %s\n", status.to_string().c_str());
    return kExitTrap;
  }
  print_trap(trap, module);
  return kExitTrap;
}

/// Where processes that other nodes spawn here run: inside the root environment (so never
/// with more than it allows, and counted against its limits), with messages, processes,
/// timers, errors, names, distribution and WASI's stdio (spawned processes get no preopens),
/// but no networking, and at most 1,024 processes of 64 MiB memories, 1 GiB in all.
std::shared_ptr<const runtime::Environment> remote_spawn_environment(
    const runtime::Environment& root) {
  runtime::EnvironmentConfig config;
  config.allowed = binding::AllowList({"lunatic::message", "lunatic::process", "lunatic::timer",
                                       "lunatic::error", "lunatic::version", "lunatic::registry",
                                       "lunatic::distributed", "wasi_snapshot_preview1"});
  config.max_processes = 1024;
  config.max_memory_pages = 1024;
  config.max_memory_total = uint64_t{1} << 30;
  return root.create_child(config);
}

}  // namespace

int run_module(const RunOptions& options) {
  const std::string& file = options.file;
  // The root's fd table holds stdio, then the preopens, then the sockets: all must fit, so that
  // handing them over in `prepare` cannot fail.
  if (3 + options.dirs.size() + options.tcp_listen.size() > host::wasi::FdTable::kMaxFds) {
    std::fprintf(stderr, "error: more --dir and --tcplisten options than the %u fds of a guest\n",
                 host::wasi::FdTable::kMaxFds);
    return kExitUsage;
  }
  // Check the --dir options before anything runs; the root opens them again in `prepare`.
  std::vector<std::pair<std::string, std::string>> dirs;
  {
    host::wasi::WasiContext probe;
    for (const std::string& dir : options.dirs) {
      Result<std::pair<std::string, std::string>> parsed = host::wasi::parse_dir_option(dir);
      if (!parsed) {
        std::fprintf(stderr, "error: %s\n", parsed.error().message.c_str());
        return kExitUsage;
      }
      if (Result<uint32_t> fd = probe.preopen(parsed->first, parsed->second); !fd) {
        std::fprintf(stderr, "error: --dir %s: %s\n", dir.c_str(), fd.error().message.c_str());
        return kExitUsage;
      }
      dirs.push_back(std::move(*parsed));
    }
  }
  // Bind the --tcplisten sockets now (a bad value or a port in use is a usage error); they are
  // registered with the runtime's reactor once it exists, and the root gets them in `prepare`.
  std::vector<host::wasi::UniqueFd> listeners;
  for (const std::string& value : options.tcp_listen) {
    Result<int> fd = host::wasi::bind_tcp_listener(value);
    if (!fd) {
      std::fprintf(stderr, "error: %s\n", fd.error().message.c_str());
      return kExitUsage;
    }
    listeners.emplace_back(*fd);
  }
  // The log outlives the runtime, whose workers call on_exit until it is destroyed.
  std::shared_ptr<spdlog::logger> log = make_stderr_logger(std::getenv(kLogVariable));
  tiering::CompilerConfig compiler_config = tiering::with_run_policy({
      .tier = options.tier,
      .opt_level = options.jit_opt_level,
      .note = [log](const std::string& why) { log->debug("{}", why); },
      .warn = [log](const std::string& why) { log->warn("{}", why); },
      .engine = engine::CompileConfig{.features = options.features},
  });
  if (const char* delay = std::getenv("LUNATIC_LLVM_DELAY_MS")) {  // measurements, tests
    compiler_config.background_delay = std::chrono::milliseconds{std::strtoull(delay, nullptr, 10)};
    compiler_config.delay_per_byte = std::chrono::nanoseconds{0};
  }
  if (const char* ticks = std::getenv("LUNATIC_HOT_TICKS")) {  // measurements, tests
    compiler_config.hot_ticks = std::strtoull(ticks, nullptr, 10);
  }
  auto compiler = std::make_shared<tiering::Compiler>(std::move(compiler_config));
  Result<std::vector<uint8_t>> bytes = read_module_source(file, options.features);
  if (!bytes) return fail(file, bytes.error());
  Result<std::shared_ptr<const engine::CompiledModule>> module = compiler->compile(*bytes);
  if (!module) return fail(file, module.error());
  const wasm::Module& wasm = (*module)->wasm;
  log->debug("tier {}: {}", tiering::tier_name(options.tier),
             (*module)->native() != nullptr ? "native code ready" : "interpreter first");

  runtime::EnvironmentConfig config;
  if (options.max_memory_bytes) {
    uint64_t pages = *options.max_memory_bytes / wasm::kPageSize;
    config.max_memory_pages = static_cast<uint32_t>(std::min<uint64_t>(pages, wasm::kMaxPages));
  }
  config.max_fuel = options.max_fuel;
  if (options.max_processes) config.max_processes = *options.max_processes;
  config.max_memory_total = options.max_memory_total
                                ? *options.max_memory_total
                                : default_memory_total(available_host_memory());
  // The default budget protects the host from what it allocates (messages, tables, timers...)
  // and charges each process a flat kProcessBytes; the root's linear memories count at their
  // declared size only when the user set the total (see charge_linear_memory).
  config.charge_linear_memory = options.max_memory_total.has_value();
  if (!options.allow.empty()) config.allowed = binding::AllowList(options.allow);
  // --name / --sname: checked before anything runs (a bad name or no cookie is a usage error).
  std::optional<dist::NodeConfig> node_config;
  if (!options.node_name.empty()) {
    Result<dist::NodeName> name = dist::parse_node_name(options.node_name, options.short_name);
    if (!name) {
      std::fprintf(stderr, "error: %s\n", name.error().message.c_str());
      return kExitUsage;
    }
    Result<std::string> cookie = dist::find_cookie(options.cookie);
    if (!cookie) {
      std::fprintf(stderr, "error: %s\n", cookie.error().message.c_str());
      return kExitUsage;
    }
    node_config = dist::NodeConfig{.name = std::move(*name), .cookie = std::move(*cookie)};
  }
  // Set in `prepare`, before the root can run (and so before it can end).
  auto root_id = std::make_shared<std::atomic<runtime::ProcessId>>(0);
  runtime::RuntimeConfig runtime_config;
  runtime_config.workers = options.threads;
  // Ended processes' pages waiting for an idle worker are outside every budget: 1/32 of the
  // root's, within the quarter of the host's memory the default budget leaves free.
  runtime_config.pool_deferred_bytes =
      std::min<uint64_t>(config.max_memory_total / 32, uint64_t{256} << 20);
  {
    std::shared_ptr<binding::Linker> linker = host::standard_linker();
    dist::define_functions(*linker);
    runtime_config.linker = std::move(linker);
  }
  runtime_config.compile = [compiler](std::span<const uint8_t> bytes) {
    return compiler->compile_loaded(bytes);
  };
  runtime_config.on_exit = [log, root_id](runtime::ProcessId id,
                                          const runtime::ExitStatus& status) {
    const bool is_root = id == root_id->load(std::memory_order_acquire);
    // A failure or kill of another process is logged by its crash report (on_crash).
    if (is_root || !status.failed()) log_process_exit(*log, id, status, is_root);
  };
  runtime_config.on_crash = [log, root_id](const runtime::CrashInfo& crash) {
    const bool is_root = crash.id == root_id->load(std::memory_order_acquire);
    if (!is_root) log_crash_report(*log, crash, false);
  };
  runtime::Runtime rt(std::move(runtime_config));
  // Declared after the runtime, so destroyed (stopped) before it.
  std::unique_ptr<observer::Observer> observer;
  if (!options.observe.empty()) {
    observer::ObserverConfig observe;
    observe.address = options.observe;
    if (!options.observe_token.empty()) observe.token = options.observe_token;
    Result<std::unique_ptr<observer::Observer>> started =
        observer::Observer::start(rt, std::move(observe));
    if (!started) {
      std::fprintf(stderr, "error: %s\n", started.error().message.c_str());
      return kExitUsage;  // as --tcplisten: a bad address or one in use
    }
    observer = std::move(*started);
    // Always printed: the address (with a generated token) is how anyone gets in.
    std::fprintf(stderr, "lunatic: observer at %s\n", observer->url().c_str());
  }
  std::vector<std::shared_ptr<host::shared::Socket>> sockets;
  for (size_t i = 0; i < listeners.size(); ++i) {
    std::shared_ptr<host::shared::Socket> socket =
        host::shared::Socket::adopt(rt.io_reactor(), listeners[i].release());
    if (!socket) {
      std::fprintf(stderr, "error: --tcplisten %s: %s\n", options.tcp_listen[i].c_str(),
                   std::strerror(errno));
      return kExitUsage;
    }
    sockets.push_back(std::move(socket));
  }

  std::string allowed = options.allow.empty() ? "every host namespace" : "only";
  for (const std::string& prefix : options.allow) allowed += " " + prefix;
  log->debug(
      "root environment: max memory {} pages of 64 KiB, max memory total {} bytes, max fuel {}, "
      "max processes {}, {}",
      config.max_memory_pages, config.max_memory_total,
      config.max_fuel ? std::to_string(*config.max_fuel) : std::string("unlimited"),
      config.max_processes, allowed);
  std::shared_ptr<runtime::Environment> root_environment =
      runtime::Environment::create(std::move(config));
  // Declared after the runtime: the node stops (its threads joined) before the runtime goes.
  NodeGuard node{rt, nullptr};
  if (node_config) {
    node_config->names = root_environment;
    if (options.remote_spawn)
      node_config->remote_spawn = remote_spawn_environment(*root_environment);
    node_config->log = [log](bool warning, const std::string& text) {
      if (warning) {
        log->warn("{}", text);
      } else {
        log->info("{}", text);
      }
    };
    Result<std::shared_ptr<dist::Node>> started = dist::Node::start(rt, std::move(*node_config));
    if (!started) {
      std::fprintf(stderr, "error: %s\n", started.error().message.c_str());
      return kExitUsage;
    }
    node.node = std::move(*started);
    rt.set_router(node.node);
    // The root module's bytes, for its processes' spawns of their own module on other nodes.
    node.node->set_module_source(module->get(),
                                 std::make_shared<const std::vector<uint8_t>>(*bytes));
    // Erlang processes spawn its exports by the file's stem: spawn(Node, app, F, Args).
    const std::string home = std::filesystem::path(file).stem().string();
    node.node->set_home_module(home, *module);
    log->info("distribution node {} on port {}; Erlang spawns its module as '{}'",
              node.node->name(), node.node->port(), home);
  }
  runtime::SpawnOptions root;
  root.module = *module;
  root.environment = root_environment;
  root.entry = options.invoke.empty() ? "_start" : options.invoke;
  if (!options.invoke.empty()) {
    Result<std::vector<engine::Value>> args =
        invoke_arguments(wasm, options.invoke, options.guest_args);
    if (!args) {
      std::fprintf(stderr, "error: %s\n", args.error().message.c_str());
      return kExitUsage;
    }
    root.args = std::move(*args);
  }
  // The root's WASI state: argv, the environment, stdio, the preopened directories (fds 3,
  // 4, ... in --dir order), then the --tcplisten sockets. Spawned processes get stdio only.
  root.prepare = [&](runtime::Process& process) {
    root_id->store(process.id(), std::memory_order_release);
    host::wasi::WasiContext& wasi = host::wasi::process_wasi(process);
    wasi.args.push_back(file);
    wasi.args.insert(wasi.args.end(), options.guest_args.begin(), options.guest_args.end());
    wasi.env = options.env;
    for (const auto& [host_path, guest_name] : dirs) (void)wasi.preopen(host_path, guest_name);
    // Cannot fail: run_module checked that stdio, the preopens and the sockets fit the table.
    for (std::shared_ptr<host::shared::Socket>& socket : sockets) {
      uint32_t guest_fd = 0;
      if (wasi.add_socket(std::move(socket), true, false, &guest_fd) !=
          host::wasi::Errno::Success) {
        log->error("a --tcplisten socket could not be given to the root process");
      }
    }
  };
  root.module_name = file;
  Result<runtime::ProcessId> id = rt.spawn_root(std::move(root));
  if (!id) {
    const std::string& message = id.error().message;
    if (message.find("exports no function named '_start'") != std::string::npos) {
      return fail(file, Error(Phase::Link,
                              "no `_start` function exported (not a WASI command; call an export "
                              "with --invoke NAME)"));
    }
    return fail(file, id.error());
  }
  log->info("running {} as process {} on {} worker threads", file, *id, rt.workers());
  std::optional<RunTimeout> timeout;
  if (options.timeout) timeout.emplace(rt, *id, *options.timeout);
  runtime::ExitStatus status = rt.wait();
  // What the processes logged comes before the root's own report below: their reports too.
  if (!rt.wait_for_ends_in_flight(std::chrono::steady_clock::now() + kEndsInFlightWait))
    log->debug("a process's end is still being reported");
  drain_log(*log, kLogDrainLimit);
  // The killed root's status says why: "error: killed: timeout of ... reached".
  const bool timed_out =
      timeout && timeout->finish() && status.kind == runtime::ExitStatus::Kind::Killed;
  log->info("root process {} ended: {}; other processes still alive (killed now): {}", *id,
            status.to_string(), rt.live_processes());
  int code = exit_code_of(status, wasm);
  if (!options.invoke.empty() && !status.trap) print_results(status.results, stdout);
  if (timed_out) code = kExitTimeout;
  // Answers in flight (the kill of the root that ended the run) are written before the end.
  observer.reset();
  // Tests on a busy machine: their own limit, and every hot job, a hot entry's load too (a run
  // of a few milliseconds ends before it, and a test would not see it). A user's run never
  // waits for a load.
  bool hot_stored = true;
  if (const char* wait_hook = std::getenv("LUNATIC_HOT_WAIT_MS")) {
    hot_stored = compiler->finish_hot_compile(
        std::chrono::milliseconds{std::strtoull(wait_hook, nullptr, 10)},
        tiering::Compiler::HotWait::Pending);
  } else {
    hot_stored =
        compiler->finish_hot_batch(kHotCompileWait, kHotCompileWaitPrices, kHotCompileWaitMost);
  }
  if (!hot_stored) log->debug("hot functions not stored");
  // What this run sampled, for the next runs (nothing for a run too short to matter).
  compiler->store_hot_profiles();
  if (compiler->busy() || rt.host_work().pending() != 0) {
    // A background compile (LLVM, or a module a process loads: not interruptible) is still
    // running for a program that has ended: exit now rather than wait seconds for code nobody
    // will run. Everything the program wrote is flushed first; the other processes end with
    // this one, as they would.
    log->debug("exiting without waiting for the background compile");
    drain_log(*log, kLogDrainLimit);  // _Exit skips the log thread's own last writes
    std::fflush(nullptr);
    std::_Exit(code);
  }
  return code;
}

int validate_module(const std::string& file, const wasm::Features& features) {
  Result<std::vector<uint8_t>> bytes = read_module_source(file, features);  // .wasm or .wat
  if (!bytes) return fail(file, bytes.error());
  Result<std::shared_ptr<const engine::CompiledModule>> module =
      engine::compile(*bytes, engine::CompileConfig{.features = features});
  if (!module) return fail(file, module.error());
  std::printf("%s: valid\n", file.c_str());
  return 0;
}

}  // namespace lunatic::cli
