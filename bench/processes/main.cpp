// bench_processes: the process benchmarks of docs/benchmarks.md ("Processes"), run through
// the runtime's embedding API. Prints one "SAMPLE name value unit" line per run of each
// benchmark; bench/run_process_bench.py takes medians and compares with Erlang.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "engine/compiled_module.hpp"
#include "guest.hpp"
#include "guest_tier.hpp"
#include "host.hpp"
#include "runtime/runtime.hpp"
#include "sdk_guest.hpp"
#include "text/text.hpp"

namespace lunatic::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int runs = 3;
  int64_t spawn_n = 100'000;
  int64_t ring_n = 10'000;
  int64_t ping_n = 100'000;
  int64_t idle_n = 100'000;
  int64_t link_n = 100'000;
  int64_t monitor_n = 100'000;
  unsigned workers = 2;
  std::string only;  ///< comma-separated benchmark names; empty = all
  SdkGuestRows sdk;  ///< the C++ SDK guest's rows (sdk_guest.hpp)
};

std::shared_ptr<const engine::CompiledModule> compile_wat(std::string_view wat) {
  auto bytes = text::parse_module(wat);
  if (!bytes.ok()) {
    std::fprintf(stderr, "WAT: %s\n", bytes.error().to_string().c_str());
    std::exit(2);
  }
  return compile_guest(*bytes, "compile");
}

std::unique_ptr<runtime::Runtime> make_runtime(const Options& o) {
  runtime::RuntimeConfig config;
  config.workers = o.workers;
  config.linker = make_bench_linker();
  // As `lunatic run` on a machine of 11 GiB or more: 1/32 of its default budget, capped.
  config.pool_deferred_bytes = uint64_t{256} << 20;
  return std::make_unique<runtime::Runtime>(std::move(config));
}

double micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

/// Runs `entry(arg)` of the guest as the root and returns the time between its marks.
double run_root(const Options& o, const std::shared_ptr<const engine::CompiledModule>& guest,
                const char* entry, int64_t arg, int64_t* rss_delta = nullptr) {
  auto rt = make_runtime(o);
  auto env = runtime::Environment::create({});
  auto id = rt->spawn_root(guest, env, entry, {engine::Value::i64(arg)});
  if (!id.ok()) {
    std::fprintf(stderr, "spawn %s: %s\n", entry, id.error().to_string().c_str());
    std::exit(2);
  }
  const runtime::ExitStatus status = rt->wait();
  if (status.kind != runtime::ExitStatus::Kind::Normal) {
    std::fprintf(stderr, "%s did not end normally\n", entry);
    std::exit(2);
  }
  if (rss_delta != nullptr) *rss_delta = mark_slot(1).rss_bytes - mark_slot(0).rss_bytes;
  return micros(mark_slot(0).time, mark_slot(1).time);
}

/// Runs `entry`(n) as the root, which must end by trapping (a hub whose failure propagates).
std::unique_ptr<runtime::Runtime> run_failing_hub(
    const Options& o, const std::shared_ptr<const engine::CompiledModule>& guest, const char* entry,
    int64_t n) {
  auto rt = make_runtime(o);
  auto env = runtime::Environment::create({});
  auto id = rt->spawn_root(guest, env, entry, {engine::Value::i64(n)});
  if (!id.ok()) {
    std::fprintf(stderr, "spawn %s: %s\n", entry, id.error().to_string().c_str());
    std::exit(2);
  }
  if (rt->wait().kind != runtime::ExitStatus::Kind::Failed) {
    std::fprintf(stderr, "%s did not trap\n", entry);
    std::exit(2);
  }
  return rt;
}

/// The time from the hub's mark 0 (its n linked processes are idle) until every process has
/// died of the hub's trap, propagated over the links.
double link_kill(const Options& o, const std::shared_ptr<const engine::CompiledModule>& guest) {
  auto rt = run_failing_hub(o, guest, "link_hub", o.link_n);
  rt->wait_all();
  return micros(mark_slot(0).time, Clock::now());
}

/// The time from the hub's mark 0 (n idle watchers of one target, linked to the hub) until
/// the hub's trap has killed every watcher and only the target is alive: each watcher's death
/// removes its monitor from the target.
double monitor_kill(const Options& o, const std::shared_ptr<const engine::CompiledModule>& guest) {
  auto rt = run_failing_hub(o, guest, "monitor_hub", o.monitor_n);
  // The target waits for ever; a 1 ms poll is well below what is measured.
  while (rt->live_processes() > 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return micros(mark_slot(0).time, Clock::now());
}

/// N minimal processes spawned from the embedder, until all have ended.
double spawn_from_embedder(const Options& o,
                           const std::shared_ptr<const engine::CompiledModule>& module,
                           const char* entry, std::vector<engine::Value> args) {
  auto rt = make_runtime(o);
  auto env = runtime::Environment::create({});
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < o.spawn_n; ++i) {
    if (!rt->spawn({module, env, entry, args, nullptr, 0}).ok()) std::exit(2);
  }
  rt->wait_all();
  return micros(t0, Clock::now());
}

bool wanted(const Options& o, std::string_view name) {
  if (o.only.empty()) return true;
  std::string_view list = o.only;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

void sample(const char* name, double value, const char* unit) {
  std::printf("SAMPLE %s %.4f %s\n", name, value, unit);
  std::fflush(stdout);
}

int run(const Options& o) {
  auto minimal = compile_wat(kMinimal);
  auto guest = compile_wat(kGuest);
  for (int r = 0; r < o.runs; ++r) {
    if (wanted(o, "spawn")) {
      sample("spawn", spawn_from_embedder(o, minimal, "main", {}) / o.spawn_n, "us");
    }
    if (wanted(o, "spawn_guest_module")) {
      sample("spawn_guest_module",
             spawn_from_embedder(o, guest, "main", {engine::Value::i64(0)}) / o.spawn_n, "us");
    }
    if (wanted(o, "spawn_join")) {
      sample("spawn_join", run_root(o, guest, "spawn_join", o.spawn_n) / o.spawn_n, "us");
    }
    if (wanted(o, "ring")) {
      const double us = run_root(o, guest, "ring", o.ring_n);
      sample("ring", 100.0 * static_cast<double>(o.ring_n + 1) / us, "Mmsg/s");
    }
    if (wanted(o, "pingpong")) {
      sample("pingpong", run_root(o, guest, "ping", o.ping_n) / o.ping_n, "us");
    }
    if (wanted(o, "idle_memory")) {
      int64_t delta = 0;
      run_root(o, guest, "idle_many", o.idle_n, &delta);
      sample("idle_memory", static_cast<double>(delta) / o.idle_n, "bytes");
    }
    sample_sdk_guest_rows(
        o.sdk, o.workers, o.spawn_n, [&o](std::string_view name) { return wanted(o, name); },
        sample);
    if (wanted(o, "link_kill")) sample("link_kill", link_kill(o, guest) / 1000.0, "ms");
    if (wanted(o, "monitor_kill")) {
      sample("monitor_kill", monitor_kill(o, guest) / 1000.0, "ms");
    }
  }
  return 0;
}

}  // namespace
}  // namespace lunatic::bench

int main(int argc, char** argv) {
  lunatic::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--runs")
      o.runs = std::atoi(value());
    else if (arg == "--only")
      o.only = value();
    else if (arg == "--workers")
      o.workers = static_cast<unsigned>(std::atoi(value()));
    else if (arg == "--idle-n")  // how many idle processes idle_memory keeps alive at once
      o.idle_n = std::max<int64_t>(1, std::atoll(value()));
    else if (arg == "--sdk-guest")  // the spawn_sdk_guest guest (default: the build's)
      o.sdk.path = value();
    else if (arg == "--alive") {  // spawn_sdk_guest_alive: idle processes alive, e.g. 10000,100000
      std::string_view list = value();
      while (!list.empty()) {
        const size_t comma = list.find(',');
        o.sdk.alive.push_back(std::atoll(std::string(list.substr(0, comma)).c_str()));
        list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
      }
    } else if (arg == "--tier") {  // what the guests run in (default auto, as lunatic run)
      const char* name = value();
      std::optional<lunatic::tiering::Tier> tier = lunatic::tiering::parse_tier(name);
      if (!tier) {
        std::fprintf(stderr, "--tier %s: expected interp, baseline, compiled or auto\n", name);
        return 2;
      }
      lunatic::bench::set_guest_tier(*tier);
    } else if (arg == "--scale") {
      // Divides every N (smoke tests).
      const int64_t d = std::max<int64_t>(1, std::atoll(value()));
      o.spawn_n /= d;
      o.ring_n /= d;
      o.ping_n /= d;
      o.idle_n /= d;
      o.link_n /= d;
      o.monitor_n /= d;
    } else {
      std::fprintf(
          stderr,
          "usage: bench_processes [--runs N] [--only a,b] [--workers N] [--scale D] [--idle-n N]\n"
          "                       [--sdk-guest FILE.wasm] [--alive K1,K2,...]\n"
          "                       [--tier interp|baseline|compiled|auto]\n"
          "benchmarks: spawn spawn_guest_module spawn_join spawn_sdk_guest ring pingpong\n"
          "            idle_memory link_kill monitor_kill spawn_sdk_guest_alive (with --alive)\n");
      return 2;
    }
  }
  return lunatic::bench::run(o);
}
