// CallContext: what a typed host function may see of its call besides its arguments: the
// interpreter's HostCall, the caller's memory, the embedder's process, the pending-call state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "binding/pending_call.hpp"
#include "engine/host_function.hpp"
#include "engine/store.hpp"   // HostCall::memory
#include "engine/thread.hpp"  // Thread::host_context

namespace lunatic::binding {

/// Identity of one bound host function, shared by every engine::Function made from it: its
/// full name ("lunatic::message::send") names it in traps, its address keys pending state.
struct FunctionInfo {
  std::string full_name;
};

/// Passed as an optional first parameter `CallContext&` of a host function. Lives for one
/// attempt of one call: never keep it, or anything taken from it, beyond the call.
class CallContext {
 public:
  /// The interpreter's call: memory and host context come from `call`. Inline: every call of
  /// a bound function makes one.
  CallContext(engine::HostCall& call, const FunctionInfo& function)
      : call_(&call),
        function_(&function),
        memory_(call.memory0),
        // attach() stores the HostContext base subobject, so this cast is exact.
        host_(static_cast<HostContext*>(call.thread.host_context)) {}
  /// A call assembled from pieces (tests; embedders invoking a binding outside a Thread).
  /// `host` may be null: then pending<T>() state lives for this attempt only and a Park is
  /// turned into a trap by the adapter.
  CallContext(const FunctionInfo& function, engine::Memory* memory, HostContext* host);
  CallContext(FunctionInfo&&, engine::Memory*, HostContext*) = delete;  // would dangle
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;

  /// The interpreter's view of the call; null for a call assembled from pieces.
  engine::HostCall* host_call() const { return call_; }
  /// The caller's memory 0, or null if it has none. Its data() moves when it grows: re-read it
  /// after anything that may grow memory.
  /// The tier's (HostCall::memory0), or read from the caller's instance on the first ask when
  /// the call did not give it (a call assembled by hand), then kept for the call's other
  /// arguments.
  engine::Memory* memory() const {
    if (memory_ == nullptr && call_ != nullptr) memory_ = call_->memory();
    return memory_;
  }
  const FunctionInfo& function() const { return *function_; }
  std::string_view function_name() const { return function_->full_name; }

  /// Whether a host context is attached (see attach()).
  bool has_host() const { return host_ != nullptr; }
  /// The embedder's per-process object. @pre has_host() and it is a P.
  template <class P> P& host() const {
    static_assert(std::is_base_of_v<HostContext, P>,
                  "host<P>(): P must derive from lunatic::binding::HostContext");
    return static_cast<P&>(*host_);
  }

  /// State of this call that survives a Park: on the first attempt it is constructed from
  /// `init`, on each re-execution after a Park the same object is returned (`init` ignored).
  /// It is destroyed when the call returns or traps. Typical use: an absolute deadline
  /// computed once from a relative timeout, or how many bytes were already written.
  template <class T, class... Init> T& pending(Init&&... init) {
    return slot().get_or_emplace<T>(std::forward<Init>(init)...);
  }
  /// True if this attempt re-executes a call that parked (its pending state is kept).
  bool resumed() const { return resumed_; }

  /// The trap for `count` elements of `element_size` bytes at `address` outside the memory
  /// (or no memory at all): "out of bounds memory access in host function NAME: WHAT (N bytes
  /// at 0xADDR) outside memory of M bytes". `what` names the argument ("argument 2") or the
  /// guest data ("iovec 3").
  engine::Trap out_of_bounds(std::string_view what, uint64_t address, uint64_t count,
                             uint64_t element_size) const;
  /// The trap for bytes that are not UTF-8: "invalid UTF-8 string argument in host function
  /// NAME: WHAT (N bytes at 0xADDR)".
  engine::Trap invalid_utf8(std::string_view what, uint64_t address, uint64_t bytes) const;

 private:
  friend struct AdapterAccess;
  PendingCall& slot() { return host_ != nullptr ? host_->pending_call() : scratch_; }

  engine::HostCall* call_ = nullptr;
  const FunctionInfo* function_;
  mutable engine::Memory* memory_ = nullptr;  ///< memory 0, once known
  HostContext* host_ = nullptr;
  bool resumed_ = false;
  PendingCall scratch_;  ///< pending state when no host context is attached
};

}  // namespace lunatic::binding
