// The scratch buffer both tiers give a host call for its results, and the copy back into the
// caller's slots: on every host call, so both are kept free of variable-length string
// instructions and library calls.
#pragma once

#include <array>
#include <cstddef>

#include "engine/value.hpp"

namespace lunatic::engine {

/// Results of a host call up to this many go to a buffer on the native stack.
inline constexpr size_t kInlineHostResults = 8;

/// The buffer, zeroed (a host function that leaves a result unwritten returns 0 there). All of
/// it, a constant 64 bytes (a few vector stores): zeroing only the results in use was a `rep
/// stos` of variable length, whose start-up was half of each tier's host-call entry in the
/// samples of a ping-pong.
using InlineHostResults = std::array<Slot, kInlineHostResults>;

/// Copies `count` results to `to`. The usual one (or none) by a plain move: std::copy of a
/// variable count is a memmove call.
inline void copy_host_results(const Slot* from, size_t count, Slot* to) {
  if (count == 1) {
    to[0] = from[0];
    return;
  }
  for (size_t i = 0; i < count; ++i) to[i] = from[i];
}

}  // namespace lunatic::engine
