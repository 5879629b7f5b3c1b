// The tier the process benchmarks run their guests in: by default `auto` with the policy of
// `lunatic run` (tiering/run_policy.hpp), so each row measures what a user's run gets.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/compiled_module.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::bench {

/// Chooses the tier. @pre no guest was compiled yet.
void set_guest_tier(tiering::Tier tier);
tiering::Tier guest_tier();

/// `bytes` made ready to run in the chosen tier, without the code cache (a row must not depend
/// on what earlier runs left in this machine's cache: auto then starts in the baseline, as a
/// module's first run does). Exits the program (status 2) naming `what` if it fails.
std::shared_ptr<const engine::CompiledModule> compile_guest(std::span<const uint8_t> bytes,
                                                            const std::string& what);

}  // namespace lunatic::bench
