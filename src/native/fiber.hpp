// Fiber: a call running on its own native stack that can stop in the middle (a host call
// parks, a slice ends) and continue later on any OS thread (Boost.Context's fcontext).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lunatic::native {

class Fiber {
 public:
  using Body = void (*)(void* arg);
  /// A fiber that will run body(arg) on the stack [stack, stack + bytes) at its first resume.
  Fiber(uint8_t* stack, size_t bytes, Body body, void* arg);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  /// Runs the fiber until it suspends or its body returns. @pre !finished(); not in the fiber.
  void resume();
  /// From inside the fiber: back to the resume() that runs it; returns at the next resume.
  void suspend();
  /// From inside the fiber: back to resume() for good. The stack is abandoned as it is, so
  /// the frames on it must own nothing (no destructor will run).
  [[noreturn]] void exit();
  bool finished() const { return finished_; }
  /// Where the stopped fiber's saved registers are (the top of what resume() reads first);
  /// null before its first resume.
  const void* saved_context() const { return context_; }
  /// From inside the fiber: runs body(arg) on the stack [stack, stack + bytes) and returns
  /// when it returns (a segmented stack: a deep call moves to a bigger stack). The body may
  /// suspend() and exit() as the fiber's own code does; the fiber is on that stack until then.
  void call_on(uint8_t* stack, size_t bytes, Body body, void* arg);
  /// From inside the fiber: calls fn(arg) on the stack of the resume() running it, below the
  /// frames that wait there in the switch, and returns here (a call on another stack, not a
  /// switch). `fn` must not suspend, exit or throw. Sanitizer builds switch to that stack
  /// and back (they follow a stack change only through their switch annotations).
  void call_on_caller_stack(void (*fn)(void*), void* arg);
  /// The frames on [stack, stack + bytes) are abandoned (the stack goes back to its pool):
  /// AddressSanitizer forgets the redzones of those that never returned (a fiber dropped
  /// while suspended, the frames below a call_on() that trapped), which would otherwise
  /// poison the next owner's frames at other offsets. Nothing in other builds.
  static void forget_frames(uint8_t* stack, size_t bytes);

 private:
  static void entry(void* transfer);
  static void call_on_entry(void* transfer);
  void* context_ = nullptr;  ///< the fiber's saved context while it is not running
  void* caller_ = nullptr;   ///< the context of the resume() running it
  Body body_;
  void* arg_;
  uint8_t* stack_;
  size_t bytes_;
  bool finished_ = false;
  void (*call_)(void*) = nullptr;  ///< call_on_caller_stack()'s fn for resume() (sanitizers)
  void* call_arg_ = nullptr;
  // Sanitizer bookkeeping (fiber.cpp): the other side's stack, fake stacks, TSan fibers.
  const void* caller_stack_ = nullptr;
  size_t caller_stack_bytes_ = 0;
  void* fake_stack_ = nullptr;
  [[maybe_unused]] void* tsan_fiber_ = nullptr;  // used by TSan builds only
  [[maybe_unused]] void* tsan_caller_ = nullptr;
};

}  // namespace lunatic::native
