// Process: one Wasm instance with its Wasm stack (engine::Thread), mailbox, links, handle table
// and environment. No native stack and no OS thread of its own: when it is not running it is
// only data, and any worker may run its next slice.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "binding/pending_call.hpp"
#include "engine/compiled_module.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "runtime/environment.hpp"
#include "runtime/handle_table.hpp"
#include "runtime/ids.hpp"
#include "runtime/import_cache.hpp"
#include "runtime/introspection.hpp"
#include "runtime/io_reactor.hpp"
#include "runtime/links.hpp"
#include "runtime/mailbox.hpp"
#include "runtime/message.hpp"
#include "runtime/names.hpp"
#include "runtime/timer.hpp"

namespace lunatic::runtime {

class Runtime;

/// A lunatic process. Created by Runtime::spawn, owned by the Registry while it lives (and
/// by any shared_ptr a lookup returned), destroyed once it has died and the last reference
/// is gone.
///
/// Thread safety, by member:
/// - owner-only (the host function running inside this process, i.e. code that reached it
///   through CallContext::host<Process>()): store(), instance(), thread(), resources(),
///   mailbox() receives, outgoing/incoming, local<T>(), wake_at(), wake_on(), link(), unlink(),
///   monitor(), stop_monitoring(), set_die_when_link_dies();
/// - any thread: id(), runtime(), environment(), module(), names(), deliver(), wake(), kill(),
///   alive().
class Process final : public binding::HostContext, public std::enable_shared_from_this<Process> {
 public:
  /// Only the Runtime makes processes; the key lets it use std::make_shared (the process and
  /// its reference count in one allocation) with a constructor nobody else can call.
  class Key {
    friend class Runtime;
    Key() = default;
  };
  Process(Key, Runtime& runtime, ProcessId id, std::shared_ptr<const Environment> environment);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  ProcessId id() const { return id_; }
  Runtime& runtime() const { return runtime_; }
  const std::shared_ptr<const Environment>& environment() const { return environment_; }
  /// The module this process was spawned from (for spawning more of it: inherit_spawn): its
  /// instance's reference, the process's only one. @pre instantiated (every process a host
  /// call or a lookup reaches is).
  const std::shared_ptr<const engine::CompiledModule>& module() const { return instance_->module; }
  /// SpawnOptions::module_name (what introspection calls its module; may be empty).
  const std::string& module_name() const { return module_name_; }

  engine::Store& store() { return store_; }
  engine::Instance& instance() { return *instance_; }
  engine::Thread& thread() { return thread_; }
  /// The process's resources (process handles, streams, modules, errors, configs...).
  HandleTable& resources() { return resources_; }
  Mailbox& mailbox() { return mailbox_; }

  /// The message being built (lunatic::message::create_data ... send) and the last message
  /// received (read_data, take_process ...). Owner-only; the runtime only frees them.
  std::unique_ptr<Message> outgoing;
  std::unique_ptr<Message> incoming;

  /// A data message from this process (`process` set to it, the rest cleared) charged at least
  /// kMessageBytes + `bytes` to its environment: the spare node kept by recycle() when there
  /// is one (no allocation, and its charge, still held, usually covers a small message: no
  /// atomic update of the budgets), else a new one. Null if the budget refuses the charge.
  std::unique_ptr<Message> new_message(uint64_t bytes);
  /// Takes back a message this process is done with (the received message, replaced by the
  /// next): kept as the spare node for new_message() if none is kept and it is charged to this
  /// process's environment (its data and resources dropped, its charge cut to kMessageBytes +
  /// kMessageSlack), else freed.
  void recycle(std::unique_ptr<Message> message);

  /// Per-process state of a host namespace (WASI args, an error table...): one object of each
  /// type T, default-constructed on first use, destroyed with the process. Owner-only.
  template <class T> T& local();

  /// The live local process `id`, for a send from this process (owner-only): the registry's
  /// answer, with the last target remembered (a weak reference: it keeps no process alive, and
  /// a dead one is not returned) so that sending to the same peer again (a ring, a ping-pong,
  /// replies to a parent) skips the registry shard's lock and hash lookup. Null if not alive.
  std::shared_ptr<Process> find_target(ProcessId id);

  // ---- any thread ------------------------------------------------------------------------

  /// Registers names for this process (lunatic::registry::put); they go when it ends.
  ProcessNames& names() { return names_; }

  /// Queues `message` in the mailbox and wakes the process if it waits for it. A dead
  /// process drops it (its resources are freed).
  void deliver(std::unique_ptr<Message> message);
  /// deliver() of a data message whose bytes are `bytes` (Mailbox::push_copying: at most one
  /// copy, into this process's receive_data buffer if it waits with one).
  /// `copied_to` as Mailbox::push_copying's.
  void deliver_copying(std::unique_ptr<Message> message, std::span<const uint8_t> bytes,
                       const void** copied_to = nullptr);
  /// Makes a parked process runnable, or marks a running one so it runs again right after it
  /// parks (a wake-up is never lost). No effect on a queued or dead process. A host call
  /// re-executed after a wake-up must re-check its condition: wake-ups may be spurious.
  void wake();
  /// Kills the process: `reason` (TrapKind::Killed; its message says why) becomes its exit
  /// trap; the first kill wins. A running process stops at its next safepoint; a parked or
  /// queued one is unwound by the next worker that picks it up, without running guest code.
  void kill(engine::Trap reason = engine::Trap::of(engine::TrapKind::Killed));
  /// False once the process has died (its links and monitors were notified).
  bool alive() const;
  /// The trap that ends a process because host memory for `what` ("a message of 65536
  /// bytes") would pass its environment's max_memory_total: Killed, with a reason that names
  /// the limit, as Erlang's max_heap_size kill does. A host call returns it (or kill()s).
  engine::Trap over_budget(std::string_view what) const;
  /// A MemoryCharge against this process's environment's budget (for host objects that may
  /// outlive the process, as queued messages do).
  MemoryCharge new_charge() const { return MemoryCharge(environment_->budget_handle()); }

  // ---- owner-only ------------------------------------------------------------------------

  /// Wakes this process at `deadline` unless the returned timer is destroyed first: keep it
  /// in the parked call's pending state.
  WakeTimer wake_at(Clock::time_point deadline);
  /// Wakes this process when `interest` on `source` becomes ready after the readiness count
  /// `seen` (IoReactor::wait): keep the IoWait in the parked call's pending state. Not armed if
  /// the count moved on already: then try again instead of parking.
  IoWait wake_on(const std::shared_ptr<IoSource>& source, IoInterest interest, uint64_t seen);

  /// Erlang's trap_exit, inverted: true (the default) = a failure of a linked process kills
  /// this one too; false = it arrives as a MessageKind::LinkDied message with the link's tag.
  void set_die_when_link_dies(bool die) {
    die_when_link_dies_.store(die, std::memory_order_relaxed);
  }
  bool die_when_link_dies() const { return die_when_link_dies_.load(std::memory_order_relaxed); }

  /// Links this process and `other` both ways under `tag` (re-linking replaces the tag). If
  /// `other` is not alive, this process gets a LinkDied for it at once (it dies, or gets the
  /// message), as in Erlang (`noproc`). Linking to itself does nothing.
  void link(Tag tag, ProcessId other);
  /// Removes the link with `other` on both sides, if any.
  void unlink(ProcessId other);
  /// This process gets one ProcessDied message with `tag` when `other` ends, however it ends
  /// (at once if it is not alive).
  void monitor(Tag tag, ProcessId other);
  /// Cancels monitors of `other` set by this process.
  void stop_monitoring(ProcessId other);

  // ---- the remote side of links and monitors: called by the Router (any thread) ----------

  /// Remote process `remote` linked itself to this one (tag 0), or a remote spawn with a link
  /// made this process's link to its new process (`tag`: the one this process asked for).
  /// False if this one has died.
  bool add_remote_link(ProcessId remote, Tag tag = 0);
  /// The remote side removed the link with `remote` (nothing is sent back).
  void remove_remote_link(ProcessId remote);
  /// Remote process `remote` ended with `kind` and `reason` (its exit reason as text, or
  /// kNoConnectionReason). If it was linked to this process, the link ends and, unless the
  /// end was normal, acts as a local linked failure (this process dies or gets LinkDied).
  void remote_link_died(ProcessId remote, ExitStatus::Kind kind, std::string_view reason);
  /// Remote `watcher` monitors this process; the Router's key for that monitor is `tag`
  /// (Router::exited hands it back). False if this process has died.
  bool add_remote_monitor(ProcessId watcher, Tag tag);
  void remove_remote_monitor(ProcessId watcher, Tag tag);
  /// A remote spawn with a monitor made this process watch remote `target` (the Router keeps
  /// the monitor and calls remote_monitor_fired). False if this process has died.
  bool add_remote_watching(ProcessId target);
  /// This process's monitor of remote `target` with `tag` fired (`reason` as above); `last`:
  /// it has no other monitor of `target` left.
  void remote_monitor_fired(ProcessId target, Tag tag, ExitStatus::Kind kind,
                            std::string_view reason, bool last);

  /// The links of this process (a snapshot), for tests and introspection.
  std::vector<LinkEntry> links() const { return links_.links(); }
  /// Monitors other processes hold on this one, and processes this one monitors (tests,
  /// introspection; any thread).
  size_t monitor_count() const { return links_.monitor_count(); }
  size_t watching_count() const { return links_.watching_count(); }

  /// What it is doing, its counters and its parts, as seen from any thread (a snapshot of
  /// this process alone; introspection.hpp).
  ProcessInfo info() const;

 private:
  friend class Runtime;
  friend class Scheduler;
  friend void notify_death(Runtime&, ProcessId, const Notifications&, const ExitStatus&,
                           std::string_view);

  // Scheduling state (one atomic, see scheduler.cpp): which of these holds.
  static constexpr uint32_t kParked = 0;    ///< waiting for a wake-up; in no queue
  static constexpr uint32_t kQueued = 1;    ///< in exactly one run queue
  static constexpr uint32_t kRunning = 2;   ///< a worker runs it
  static constexpr uint32_t kNotified = 4;  ///< with kRunning: woken while running
  static constexpr uint32_t kDead = 8;      ///< finished; never queued again

  // link(), unlink(), monitor(), stop_monitoring() of a remote id (remote_links.cpp).
  void link_remote(Tag tag, ProcessId remote);
  void unlink_remote(ProcessId remote);
  void monitor_remote(Tag tag, ProcessId remote);
  void stop_monitoring_remote(ProcessId remote);

  /// What one run of a slice ended in, as the scheduler needs it.
  enum class SliceEnd : uint8_t { Yielded, Parked, Exited };
  SliceEnd run_slice(uint64_t fuel);
  /// Running -> Parked, or -> Queued (returns true: requeue) if woken meanwhile.
  bool park_or_requeue();
  /// On the worker that runs it, as it parks: records the addresses its resume will read
  /// first (resume_lines_).
  void note_resume_lines();
  /// Prefetches what this parked process's resume reads first: its hot lines and the recorded
  /// addresses. Called by the waker that queues it, which then usually waits itself (a ring,
  /// ping-pong), so the misses overlap its own work instead of stalling the resume.
  void prefetch_resume() const;
  /// The bytes from this object's start to the end of its hot fields.
  uintptr_t hot_bytes() const;
  /// The exit status once run_slice returned Exited.
  ExitStatus take_exit_status();
  /// After each slice, on the worker that ran it: the counters introspection reads, `slices`
  /// slices of RuntimeConfig::slice_fuel run. Fuel is as the code tier saved it at the slice's
  /// end (both tiers save it before extend_slice).
  void record_slice(uint64_t slices = 1);
  /// engine::Thread's slice extension: Scheduler::extend_slice_here, and when the slice
  /// goes on in place, record_slice() and the next slice's size (lone_slice).
  static uint64_t extend_slice(void* self, uint64_t ended);

  /// Why a parked process waits, as far as the runtime arms its wake-up (introspection).
  enum class Wait : uint8_t { None, Sleep, Io };

  struct LocalSlot {
    const void* type;
    std::unique_ptr<void, void (*)(void*)> value;
  };
  template <class T> static constexpr char kLocalTag = 0;

  // The fields a hop of a message touches (a send: the target's reference count, state and
  // mailbox; its resume: the state, the kill flag, the received and spare messages, the
  // counters) come first, next to the reference count that std::make_shared puts before the
  // object: in a ring of 10,000 processes each of their lines is a cache miss per hop, so
  // they are kept on few lines (kHotBytes), which a waker prefetches (prefetch_resume()).
  Runtime& runtime_;
  ProcessId id_;
  std::shared_ptr<const Environment> environment_;
  /// Starts as Running ("being set up"): a wake-up during spawn (a message sent to the new id
  /// before it is queued) only marks it, and spawn queues it once. Next to the mailbox: a
  /// sender reads both (alive(), wake()), so they share a cache line.
  std::atomic<uint32_t> state_{kRunning};
  std::atomic<bool> kill_requested_{false};
  std::atomic<bool> die_when_link_dies_{true};
  // Written only by the worker running the process (record_slice, wake_at, wake_on), read by
  // any thread: relaxed atomics, plain loads and stores on the hot path (no read-modify-write).
  std::atomic<Wait> wait_{Wait::None};
  /// The root or spawned joinable: wait() or join() may wait for its exit status, so its end
  /// takes the runtime's done_mutex_ (set at spawn, before it runs). In the byte the atomics
  /// above leave free: a bool of its own would cost 8 bytes of padding per process.
  bool awaited_ = false;
  Mailbox mailbox_;
  /// Addresses outside this object that its next resume reads first (its code tier's saved
  /// stack and tables, its thread, its received message, the hot lines of the process it sent
  /// to last, which it will likely send to again): written by the worker that parks it
  /// (note_resume_lines), prefetched by the waker (prefetch_resume). Hints only.
  /// Each a line's address with the number of lines from it, less one, in its low 6 bits (0:
  /// none).
  static constexpr size_t kResumeLines = 13;
  std::array<std::atomic<uintptr_t>, kResumeLines> resume_lines_{};
  std::unique_ptr<Message> spare_message_;  ///< recycle()'s node for new_message() (owner-only)
  ProcessId target_id_ = 0;                 ///< find_target's last answer (owner-only)
  std::weak_ptr<Process> target_;
  /// target_'s object while it was cached: only ever prefetched (it may be gone).
  const Process* target_hint_ = nullptr;
  /// Where the last send_copying to it put its bytes in its memory (a parked receive_data's
  /// buffer, usually the same one each time), or null: only ever prefetched.
  const void* target_buffer_hint_ = nullptr;
  /// instance_'s memories (record_slice sums their sizes after every slice): a copy of the
  /// span, so that a hop reads no line of the instance itself.
  std::span<engine::Memory* const> memories_;
  std::atomic<uint64_t> slices_{0};
  std::atomic<uint64_t> memory_bytes_{0};
  std::atomic<uint64_t> fuel_left_{0};

  // Less often touched.
  engine::Instance* instance_ = nullptr;
  engine::Store store_;
  engine::Thread thread_;
  /// The entry function and its arguments while the module's start function runs (called
  /// once it has returned); null otherwise. Apart: only a module with a start function needs
  /// them, for a moment, and every idle process would hold their 40 bytes.
  struct PendingEntry {
    engine::Function* function;
    std::vector<engine::Value> args;
  };
  std::unique_ptr<PendingEntry> pending_entry_;

  Links links_;
  ProcessNames names_;
  HandleTable resources_;
  std::vector<LocalSlot> locals_;

  /// Set by run_slice when it returns Exited. Allocated then: 112 bytes a living process
  /// would otherwise carry.
  std::unique_ptr<ExitStatus> exit_;

  /// The imports resolved for module_ in environment_, kept by spawn_impl once this process
  /// spawned a child of both (SpawnOptions::spawner): owner-only, since only the process's own
  /// host calls spawn with it as the spawner.
  ImportCache::Externs spawn_imports_;

  // Introspection. Set at spawn, then read-only:
  std::string module_name_;
  std::string entry_name_;
  int64_t start_time_ms_ = 0;
};

template <class T> T& Process::local() {
  for (LocalSlot& s : locals_) {
    if (s.type == &kLocalTag<T>) return *static_cast<T*>(s.value.get());
  }
  locals_.push_back(
      LocalSlot{&kLocalTag<T>, {new T(), [](void* p) { delete static_cast<T*>(p); }}});
  return *static_cast<T*>(locals_.back().value.get());
}

}  // namespace lunatic::runtime
