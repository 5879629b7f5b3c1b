// Fiber over boost::context's fcontext (make_fcontext/jump_fcontext), with the switch
// annotations AddressSanitizer and ThreadSanitizer need to follow a stack change.
#include "native/fiber.hpp"

#include <boost/context/detail/fcontext.hpp>

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

void Fiber::resume() {
  void* fake = nullptr;
#if defined(LUNATIC_TSAN_FIBERS)
  tsan_caller_ = __tsan_get_current_fiber();
  __tsan_switch_to_fiber(tsan_fiber_, 0);
#endif
  start_switch(&fake, stack_, bytes_);
  const ctx::transfer_t t = ctx::jump_fcontext(context_, this);
  finish_switch(fake, nullptr, nullptr);
  context_ = t.fctx;
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
  fn(arg);  // the sanitizers follow stacks through the switch annotations: stay on this one
#else
  // caller_ is where jump_fcontext saved the resumer's registers, the lowest byte its frames
  // use; below it that stack is free while the fiber runs. 256 bytes of margin.
  constexpr uintptr_t kMargin = 256;
  const uintptr_t top = (reinterpret_cast<uintptr_t>(caller_) - kMargin) & ~uintptr_t{15};
  lunatic_call_on_stack(arg, fn, reinterpret_cast<void*>(top));
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
