// HotSpeedup: how much faster LLVM's code for one function alone is expected to be than the
// baseline's, from its body only (one pass, no LLVM): the share of its time spent in loops that
// call nothing, where LLVM keeps locals in registers (docs/design.md, "Rent or buy, per
// function").
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "tiering/compiler.hpp"

namespace lunatic::tiering {

double HotSpeedup::of(const wasm::Function& f, uint32_t self) const {
  // One frame per open block, loop or if, the function's own first: where its weighted
  // instructions start, whether it (or a frame inside it) calls out, and the weight of the
  // call-free loops closed inside it.
  struct Frame {
    bool loop = false;
    bool calls = false;
    double start = 0;
    double kernel = 0;
  };
  std::vector<Frame> frames{Frame{}};
  // An instruction's weight by its loop depth, the powers computed once: a std::pow per
  // instruction was 0.3% of SQLite's cold `auto` run (516,000 instructions at its start).
  std::array<double, kMaxLoopDepth + 1> depth_weight{};
  for (int n = 0; n <= kMaxLoopDepth; ++n) {
    depth_weight[n] = std::pow(std::max(loop_weight, 1.0), n);
  }
  int loop_depth = 0;
  double total = 0;
  bool recursive = false;
  // The weight closed frame `frame` gives its parent: all of it if it is a loop without calls,
  // else what its call-free loops weigh.
  auto closed = [&](const Frame& frame) {
    return frame.loop && !frame.calls ? total - frame.start : frame.kernel;
  };
  // Closes the innermost open frame into its parent.
  auto close_innermost = [&] {
    const Frame frame = frames.back();
    frames.pop_back();
    loop_depth -= frame.loop ? 1 : 0;
    frames.back().calls = frames.back().calls || frame.calls;
    frames.back().kernel += closed(frame);
  };
  for (const wasm::Instr& in : f.body) {
    total += depth_weight[std::min(loop_depth, kMaxLoopDepth)];
    switch (in.op) {
      case wasm::Opcode::Call:
        if (in.a == self) {
          recursive = true;  // a loop of its own: a call inside the batch, typed and direct
        } else {
          frames.back().calls = true;
        }
        break;
      case wasm::Opcode::CallIndirect: frames.back().calls = true; break;
      case wasm::Opcode::Block:
      case wasm::Opcode::If:
      case wasm::Opcode::Loop: {
        const bool loop = in.op == wasm::Opcode::Loop;
        loop_depth += loop ? 1 : 0;
        frames.push_back(Frame{.loop = loop, .start = total});
        break;
      }
      case wasm::Opcode::End:
        if (frames.size() > 1) close_innermost();  // else the function's own end
        break;
      default: break;
    }
  }
  // Frames a body left open (none after validation) close at its end.
  while (frames.size() > 1) close_innermost();
  // A function that calls only itself is one loop: its time is its own code's.
  frames.front().loop = recursive;
  const double kernel_weight = closed(frames.front());
  const double share = total > 0 ? std::clamp(kernel_weight / total, 0.0, 1.0) : 0.0;
  return calls + (kernel - calls) * share;
}

double HotSpeedup::price_factor(double speedup) {
  constexpr double kMost = 100;
  if (!(speedup > kMost / (kMost - 1))) return kMost;  // NaN, 1 or less: ~never worth it
  return speedup / (speedup - 1);
}

}  // namespace lunatic::tiering
