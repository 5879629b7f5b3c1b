// spawn_sdk_guest: the demo's act 1 pattern, timed between two marks the guest makes through a
// one-function "bench" namespace added to the standard host functions.
#include "sdk_guest.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "binding/linker.hpp"
#include "engine/compiled_module.hpp"
#include "engine/module_file.hpp"
#include "guest_tier.hpp"
#include "host.hpp"
#include "host/standard/standard.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::bench {
namespace {

void sdk_mark(int32_t i) {
  if (i < 0 || i >= kMarks) return;
  mark_slot(i) = Mark{std::chrono::steady_clock::now(), resident_bytes()};
}

}  // namespace

std::string default_sdk_guest_path() {
#ifdef LUNATIC_BENCH_SDK_GUEST
  return LUNATIC_BENCH_SDK_GUEST;
#else
  return {};
#endif
}

double spawn_sdk_guest(const std::string& path, unsigned workers, int64_t alive, int64_t n) {
  auto bytes = engine::read_module_file(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), bytes.error().to_string().c_str());
    std::exit(2);
  }
  auto module = compile_guest(*bytes, path);
  std::shared_ptr<binding::Linker> linker = host::standard_linker();
  linker->ns("bench").define("mark", &sdk_mark);
  runtime::RuntimeConfig config;
  config.workers = workers;
  config.linker = linker;
  // As `lunatic run` on a machine of 11 GiB or more: 1/32 of its default budget, capped.
  config.pool_deferred_bytes = uint64_t{256} << 20;
  auto rt = std::make_unique<runtime::Runtime>(std::move(config));
  auto id = rt->spawn_root(module, runtime::Environment::create({}), "spawn_replies",
                           {engine::Value::i64(alive), engine::Value::i64(n)});
  if (!id.ok()) {
    std::fprintf(stderr, "spawn_replies: %s\n", id.error().to_string().c_str());
    std::exit(2);
  }
  if (rt->wait().kind != runtime::ExitStatus::Kind::Normal) {
    std::fprintf(stderr, "spawn_replies did not end normally\n");
    std::exit(2);
  }
  const double us =
      std::chrono::duration<double, std::micro>(mark_slot(1).time - mark_slot(0).time).count();
  return us / static_cast<double>(n);
}

void sample_sdk_guest_rows(const SdkGuestRows& rows, unsigned workers, int64_t n,
                           const std::function<bool(std::string_view)>& wanted,
                           const std::function<void(const char*, double, const char*)>& sample) {
  if (rows.path.empty()) return;
  if (wanted("spawn_sdk_guest")) {
    sample("spawn_sdk_guest", spawn_sdk_guest(rows.path, workers, 0, n), "us");
  }
  if (!wanted("spawn_sdk_guest_alive")) return;
  for (int64_t alive : rows.alive) {
    const std::string name = "spawn_sdk_guest_alive_" + std::to_string(alive);
    sample(name.c_str(), spawn_sdk_guest(rows.path, workers, alive, n), "us");
  }
}

}  // namespace lunatic::bench
