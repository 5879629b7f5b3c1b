// Fiber::call_on_caller_stack: a host call made from a fiber runs on the stack of the thread
// that resumed it (not the fiber's), returns its result to the fiber, and the fiber goes on
// suspending and resuming as before. Sanitizer builds reach that stack by a switch, plain
// builds by a call.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "native/fiber.hpp"

namespace lunatic::native {
namespace {

struct State {
  Fiber* fiber = nullptr;
  std::vector<uintptr_t> call_frames;  ///< where each call's local lived
  int calls_seen_by_fiber = 0;
};

struct Call {
  uintptr_t frame = 0;
  int value = 0;
};

void body(void* arg) {
  auto& s = *static_cast<State*>(arg);
  for (int i = 0; i < 3; ++i) {
    Call call{0, i};
    s.fiber->call_on_caller_stack(
        [](void* p) {
          auto& c = *static_cast<Call*>(p);
          volatile int local = c.value * 10;
          c.frame = reinterpret_cast<uintptr_t>(&local);
          c.value = local + 1;
        },
        &call);
    s.call_frames.push_back(call.frame);
    if (call.value == i * 10 + 1) ++s.calls_seen_by_fiber;
    s.fiber->suspend();  // parks between calls, as a host call that waits
  }
}

TEST(FiberCallOnCallerStack, RunsOffTheFiberAndReturnsToIt) {
  std::vector<uint8_t> stack(256 * 1024);
  State s;
  Fiber fiber(stack.data(), stack.size(), &body, &s);
  s.fiber = &fiber;
  for (int resumes = 0; resumes < 4 && !fiber.finished(); ++resumes) fiber.resume();
  ASSERT_TRUE(fiber.finished());
  EXPECT_EQ(s.calls_seen_by_fiber, 3);
  ASSERT_EQ(s.call_frames.size(), 3U);
  const auto low = reinterpret_cast<uintptr_t>(stack.data());
  const uintptr_t high = low + stack.size();
  for (uintptr_t frame : s.call_frames) {
    const bool on_fiber = frame >= low && frame < high;
    EXPECT_FALSE(on_fiber) << std::hex << frame;  // sanitizer builds too: by a switch
  }
}

}  // namespace
}  // namespace lunatic::native
