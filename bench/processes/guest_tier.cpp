// One tiering::Compiler for every guest of a bench_processes run, made on first use.
#include "guest_tier.hpp"

#include <cstdio>
#include <cstdlib>

#include "tiering/run_policy.hpp"

namespace lunatic::bench {
namespace {

tiering::Tier chosen_tier = tiering::Tier::Auto;

tiering::Compiler& compiler() {
  // Destroyed at exit, after every runtime: it waits for a background compile still running.
  static tiering::Compiler instance(tiering::with_run_policy({
      .tier = chosen_tier,
      .warn = [](const std::string& why) { std::fprintf(stderr, "tier: %s\n", why.c_str()); },
      .use_cache = false,
  }));
  return instance;
}

}  // namespace

void set_guest_tier(tiering::Tier tier) { chosen_tier = tier; }
tiering::Tier guest_tier() { return chosen_tier; }

std::shared_ptr<const engine::CompiledModule> compile_guest(std::span<const uint8_t> bytes,
                                                            const std::string& what) {
  auto module = compiler().compile(bytes);
  if (!module.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), module.error().to_string().c_str());
    std::exit(2);
  }
  return *module;
}

}  // namespace lunatic::bench
