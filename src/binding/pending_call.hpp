// The per-process pending-call slot: typed state of a host call that parked, kept until the
// re-executed call completes (DESIGN.md "Host calls that wait"), and HostContext, the base of
// the embedder's per-process object that owns the slot.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace lunatic::engine {
class Thread;
}

namespace lunatic::binding {

/// The state of the one host call of a process that may be waiting.
///
/// A process runs one host call at a time, and a parked call is re-executed before anything
/// else of that process runs, so one slot per process is enough. The slot belongs to the call
/// that filled it (`owner`, the identity of a bound host function): the adapter (adapter.hpp)
/// drops state owned by another function before a call, and drops the slot whenever a call
/// completes (returns or traps), so a function never sees state of an earlier, finished call.
/// Host functions do not touch this class: they use CallContext::pending<T>().
class PendingCall {
 public:
  PendingCall() = default;
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  /// Whether some call's state (or a parked call with no state) is held.
  bool active() const { return owner_ != nullptr; }
  const void* owner() const { return owner_; }
  /// Whether the call stored state with get_or_emplace().
  bool has_state() const { return state_ != nullptr; }

  /// Marks the slot as belonging to `owner`'s call (keeping its state if it already does).
  void claim(const void* owner) {
    if (owner_ != owner) clear();
    owner_ = owner;
  }
  /// Drops the state. The runtime also calls this when it unwinds a killed process.
  void clear() {
    state_.reset();
    owner_ = nullptr;
  }

  /// The state of type T, constructed from `init` (constructor arguments, or the members of an
  /// aggregate) if the slot holds none or holds another type. @pre claim() was called for the
  /// running call.
  template <class T, class... Init> T& get_or_emplace(Init&&... init) {
    static_assert(std::is_object_v<T> && !std::is_const_v<T>,
                  "pending call state must be a non-const object type");
    if (!state_ || state_->type != &kTypeTag<T>) {
      state_ = std::make_unique<Holder<T>>(std::forward<Init>(init)...);
    }
    return static_cast<Holder<T>*>(state_.get())->value;
  }

 private:
  // One distinct address per type: a type check without RTTI.
  template <class T> static constexpr char kTypeTag = 0;

  struct Base {
    explicit Base(const void* t) : type(t) {}
    virtual ~Base() = default;
    const void* type;
  };
  template <class T> struct Holder final : Base {
    template <class... Init>
    explicit Holder(Init&&... init) : Base(&kTypeTag<T>), value(std::forward<Init>(init)...) {}
    T value;
  };

  const void* owner_ = nullptr;
  std::unique_ptr<Base> state_;
};

/// Base class of the embedder's per-process object (the runtime's Process). Thread::host_context
/// must point to this base subobject: set it with attach(), never by hand, so that
/// CallContext::host<P>() can cast back safely.
class HostContext {
 public:
  HostContext() = default;
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;

  PendingCall& pending_call() { return pending_call_; }

 protected:
  // Virtual so that a host namespace can ask which embedder type it runs in (dynamic_cast):
  // WASI serves both its own WasiProcess and the runtime's Process.
  virtual ~HostContext() = default;

 private:
  PendingCall pending_call_;
};

/// Makes `context` the host context of the host calls `thread` makes.
void attach(engine::Thread& thread, HostContext& context);

}  // namespace lunatic::binding
