// Connection: one peer node, served by a thread of its own. It reads frames itself (bounded
// in size and time, checked before anything is decoded), answers ticks and hands messages to
// the node. Writes of the socket are serialised by one lock, so frames never interleave: a
// sender whose frame has nothing queued before it writes it itself, non-blocking (no thread
// hop); what the socket does not take at once is queued for the thread, which also writes
// ticks. The handshake is this layer's own (handshake.hpp). While a spawn request's module
// compiles elsewhere, the thread holds back the peer's later frames and handles them, in
// order, after the spawn.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/memory_budget.hpp"
#include "dist/control.hpp"
#include "dist/etf.hpp"
#include "dist/remote_spawn.hpp"

namespace lunatic::dist {

class Node;

/// The largest frame read or sent (a message of one term): 64 MiB.
inline constexpr uint32_t kMaxFrame = 64u << 20;
/// Bytes of sends a connection queues before it refuses more (each queued message is also
/// charged to its sender's environment while it waits: Connection::enqueue).
inline constexpr size_t kMaxQueuedBytes = 64u << 20;
/// What a queued frame costs beyond its bytes (its deque slot and vector), charged with them.
inline constexpr size_t kQueuedFrameBytes = 64;
/// How long a frame, a write or a handshake may stall before the peer is dropped.
inline constexpr unsigned kIoTimeoutMs = 5000;

/// Always owned by a shared_ptr (a compile job reaches it through a weak one).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  /// `fd`: a socket that passed the handshake (accepted), or -1 to connect to `peer` first
  /// (on the connection's thread). The node outlives the connection's thread.
  Connection(Node& node, std::string peer, int fd);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  /// Sends `frame` (length first: control.hpp's *_frame): written at once without blocking
  /// when nothing is queued before it and the socket takes it, else queued for the thread,
  /// with `charge` (what the frame holds of its sender's environment, given back once the
  /// frame is written or dropped). False if the connection has ended or its queue is full.
  /// Thread-safe, never blocks on the network.
  bool enqueue(std::vector<uint8_t> frame, MemoryCharge charge = {});
  /// Holds back every frame sent from now on (queued, not written) until release(), which
  /// puts `first` before them (and after the frames queued before hold()). A remote spawn answers
  /// this way: its answer must leave after the new process is registered and before anything the
  /// process sends. Thread-safe.
  void hold();
  void release(std::vector<uint8_t> first);
  /// Ends the connection soon (its thread sees it at once). Thread-safe.
  void stop();
  /// Waits for the thread. @pre stop() was called or finished() is true.
  void join();
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  const std::string& peer() const { return peer_; }
  /// True once the handshake is done (and after the connection ended: it was up).
  bool up() const { return up_.load(std::memory_order_acquire); }

 private:
  void run();
  void serve();
  /// Reads exactly `out.size()` bytes; false on end of stream, error, stop or kIoTimeoutMs
  /// without progress. `why` says which.
  bool read_exact(std::span<uint8_t> out, std::string& why);
  bool write_all(std::span<const uint8_t> bytes);
  /// One frame after its length was read; false: drop the peer (`why` set).
  bool read_frame(uint32_t length, std::string& why);
  /// Handles `frame`, or keeps it for later while paused_.
  bool take_frame(std::vector<uint8_t> frame, std::string& why);
  bool handle_frame(std::vector<uint8_t> frame, std::string& why);
  /// Once paused_'s compile is done: answers its spawn request, then handles the frames that
  /// waited, in order, until none is left or another spawn request pauses again.
  bool resume(std::string& why);
  /// Wakes the thread (a send was queued, a compile is done, or stop).
  void wake();
  bool flush(std::string& why);

  Node& node_;
  const std::string peer_;
  int fd_;
  int wake_fd_ = -1;  ///< eventfd: a send was queued, or stop
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> up_{false};
  /// Held by whoever writes the socket: the thread (blocking lock, taken before mutex_) or a
  /// sender writing its frame itself (try_lock under mutex_, only when nothing is queued).
  std::mutex write_mutex_;
  std::mutex mutex_;
  /// A frame waiting for the socket, and what it holds of its sender's budget meanwhile.
  struct Outgoing {
    std::vector<uint8_t> bytes;
    MemoryCharge charge;
  };
  std::deque<Outgoing> queue_;      ///< under mutex_: frames
  size_t queued_bytes_ = 0;         ///< under mutex_
  bool closed_ = false;             ///< under mutex_: no more sends accepted
  bool held_ = false;               ///< under mutex_: hold() without release()
  size_t held_at_ = 0;              ///< under mutex_: queue_.size() at hold()
  uint64_t over_budget_drops_ = 0;  ///< the thread's: messages its receivers' budgets refused
  /// A spawn request whose module compiles on the runtime's HostWork (Node::spawn_request):
  /// until its job is done, the peer's later frames wait in waiting_ (a pid the peer guessed,
  /// a link's exit, a message to the new process must find it spawned, as Erlang's ordering
  /// of signals between two processes says).
  struct Paused {
    std::shared_ptr<const std::vector<uint8_t>> frame;  ///< the request
    Control control;                                    ///< points into *frame
    std::shared_ptr<SpawnCompile> job;
  };
  std::optional<Paused> paused_;              ///< the thread's
  std::deque<std::vector<uint8_t>> waiting_;  ///< the thread's: frames read while paused
  /// The thread's: waiting_'s bytes, kQueuedFrameBytes more each. Past the node's
  /// max_paused_bytes the thread stops reading the socket until the compile is done.
  size_t waiting_bytes_ = 0;
};

}  // namespace lunatic::dist
