// Fiber over boost::context's fcontext (make_fcontext/jump_fcontext), with the switch
// annotations AddressSanitizer and ThreadSanitizer need to follow a stack change.
#include "native/fiber.hpp"

#include <boost/context/detail/fcontext.hpp>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define LUNATIC_ASAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LUNATIC_ASAN_FIBERS 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define LUNATIC_TSAN_FIBERS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LUNATIC_TSAN_FIBERS 1
#endif
#endif

#if defined(LUNATIC_ASAN_FIBERS)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(LUNATIC_TSAN_FIBERS)
#include <sanitizer/tsan_interface.h>
#endif

#if !defined(LUNATIC_ASAN_FIBERS) && !defined(LUNATIC_TSAN_FIBERS)
// call_on_stack(arg, fn, top): fn(arg) with the stack pointer at `top` (16-byte aligned), then
// back on the caller's stack. %rbp holds the caller's stack pointer across the call (it is
// callee-saved), and the frame chain stays walkable for profilers.
extern "C" void lunatic_call_on_stack(void* arg, void (*fn)(void*), void* top);
asm(R"(
  .text
  .globl lunatic_call_on_stack
  .type lunatic_call_on_stack,@function
lunatic_call_on_stack:
  .cfi_startproc
  push %rbp
  .cfi_def_cfa_offset 16
  .cfi_offset %rbp, -16
  mov %rsp, %rbp
  .cfi_def_cfa_register %rbp
  mov %rdx, %rsp
  call *%rsi
  mov %rbp, %rsp
  pop %rbp
  .cfi_def_cfa %rsp, 8
  ret
  .cfi_endproc
  .size lunatic_call_on_stack, .-lunatic_call_on_stack
)");
#endif

namespace lunatic::native {

namespace ctx = boost::context::detail;

namespace {

// Called on the side that is about to leave its stack for [bottom, bottom + bytes).
void start_switch(void** fake_stack, const void* bottom, size_t bytes) {
#if defined(LUNATIC_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(fake_stack, bottom, bytes);
#else
  (void)fake_stack, (void)bottom, (void)bytes;
#endif
}
// Called on the side that just arrived; learns the stack it came from.
void finish_switch(void* fake_stack, const void** from_bottom, size_t* from_bytes) {
#if defined(LUNATIC_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack, from_bottom, from_bytes);
#else
  (void)fake_stack, (void)from_bottom, (void)from_bytes;
#endif
}

}  // namespace

Fiber::Fiber(uint8_t* stack, size_t bytes, Body body, void* arg)
    : body_(body), arg_(arg), stack_(stack), bytes_(bytes) {
  context_ = ctx::make_fcontext(stack + bytes, bytes, [](ctx::transfer_t t) { entry(&t); });
#if defined(LUNATIC_TSAN_FIBERS)
  tsan_fiber_ = __tsan_create_fiber(0);
#endif
}

Fiber::~Fiber() {
#if defined(LUNATIC_TSAN_FIBERS)
  __tsan_destroy_fiber(tsan_fiber_);
#endif
}

void Fiber::entry(void* transfer) {
  const auto* t = static_cast<const ctx::transfer_t*>(transfer);
  auto* self = static_cast<Fiber*>(t->data);
  self->caller_ = t->fctx;
  finish_switch(nullptr, &self->caller_stack_, &self->caller_stack_bytes_);
  self->body_(self->arg_);
  self->exit();
}

namespace {

// A call_on() in flight: what to run and where to come back to.
struct StackCall {
  Fiber::Body body;
  void* arg;
  void* back;              ///< the context on the stack call_on() left
  const void* back_stack;  ///< that stack's bounds, for the sanitizer
  size_t back_stack_bytes;
};

}  // namespace

void Fiber::call_on(uint8_t* stack, size_t bytes, Body body, void* arg) {
  uint8_t* const old_stack = stack_;
  const size_t old_bytes = bytes_;
  // resume() announces stack_ to the sanitizer: while the body runs, the fiber is there.
  stack_ = stack;
  bytes_ = bytes;
  StackCall call{body, arg, nullptr, old_stack, old_bytes};
  void* fake = nullptr;
  start_switch(&fake, stack, bytes);
  ctx::fcontext_t there =
      ctx::make_fcontext(stack + bytes, bytes, [](ctx::transfer_t t) { call_on_entry(&t); });
  ctx::jump_fcontext(there, &call);
  finish_switch(fake, nullptr, nullptr);
  stack_ = old_stack;
  bytes_ = old_bytes;
}

void Fiber::call_on_entry(void* transfer) {
  const auto* t = static_cast<const ctx::transfer_t*>(transfer);
  auto* call = static_cast<StackCall*>(t->data);
  call->back = t->fctx;
  finish_switch(nullptr, nullptr, nullptr);
  call->body(call->arg);
  // The context made on this stack is done with: the next call_on() makes a new one.
  start_switch(nullptr, call->back_stack, call->back_stack_bytes);
  ctx::jump_fcontext(call->back, nullptr);
  __builtin_unreachable();
}

void Fiber::resume() {
  for (;;) {
    void* fake = nullptr;
#if defined(LUNATIC_TSAN_FIBERS)
    tsan_caller_ = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
    start_switch(&fake, stack_, bytes_);
    const ctx::transfer_t t = ctx::jump_fcontext(context_, this);
    finish_switch(fake, nullptr, nullptr);
    context_ = t.fctx;
    if (call_ == nullptr) return;
    std::exchange(call_, nullptr)(call_arg_);  // call_on_caller_stack() in a sanitizer build
  }
}

void Fiber::suspend() {
  start_switch(&fake_stack_, caller_stack_, caller_stack_bytes_);
#if defined(LUNATIC_TSAN_FIBERS)
  __tsan_switch_to_fiber(tsan_caller_, 0);
#endif
  const ctx::transfer_t t = ctx::jump_fcontext(caller_, this);
  caller_ = t.fctx;
  finish_switch(fake_stack_, &caller_stack_, &caller_stack_bytes_);
}

void Fiber::call_on_caller_stack(void (*fn)(void*), void* arg) {
#if defined(LUNATIC_ASAN_FIBERS) || defined(LUNATIC_TSAN_FIBERS)
  // The sanitizers follow stacks through the switch annotations only: switch to the resumer,
  // whose resume() calls fn(arg) there and switches back (slower, the same stack).
  call_ = fn;
  call_arg_ = arg;
  suspend();
#else
  // caller_ is where jump_fcontext saved the resumer's registers, the lowest byte its frames
  // use; below it that stack is free while the fiber runs. 256 bytes of margin.
  constexpr uintptr_t kMargin = 256;
  const uintptr_t top = (reinterpret_cast<uintptr_t>(caller_) - kMargin) & ~uintptr_t{15};
  lunatic_call_on_stack(arg, fn, reinterpret_cast<void*>(top));
#endif
}

void Fiber::forget_frames(uint8_t* stack, size_t bytes) {
#if defined(LUNATIC_ASAN_FIBERS)
  __asan_unpoison_memory_region(stack, bytes);
#else
  (void)stack, (void)bytes;
#endif
}

void Fiber::exit() {
  finished_ = true;
  start_switch(nullptr, caller_stack_, caller_stack_bytes_);  // this stack is left for good
#if defined(LUNATIC_TSAN_FIBERS)
  __tsan_switch_to_fiber(tsan_caller_, 0);
#endif
  ctx::jump_fcontext(caller_, this);
  __builtin_unreachable();
}

}  // namespace lunatic::native
