// Connection (connection.hpp): the peer's thread. Frames after the handshake are a 4-byte
// big-endian length and that many bytes; length 0 is a tick, answered with one. A message
// frame is 'p' (pass through), the control tuple and, for sends, the message, each with its
// version byte (Erlang/OTP, "Distribution Protocol", protocol between connected nodes).
#include "dist/connection.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "dist/control.hpp"
#include "dist/node.hpp"

namespace lunatic::dist {
namespace {

constexpr const char* kClosed = "connection closed";

}  // namespace

Connection::Connection(Node& node, std::string peer, int fd)
    : node_(node), peer_(std::move(peer)), fd_(fd) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Connection::~Connection() {
  stop();
  join();
  if (fd_ >= 0) close(fd_);  // accepted, but never started
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Connection::start() {
  thread_ = std::thread([this] { run(); });
}

bool Connection::enqueue(std::vector<uint8_t> frame, MemoryCharge charge) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || queued_bytes_ + frame.size() > kMaxQueuedBytes) return false;
    // Nothing queued and nobody writing: the caller sends it itself, without blocking, and
    // the connection's thread is not woken (a thread hop and three syscalls less a message).
    // Whatever the socket does not take at once is queued for the thread, in order.
    if (queue_.empty() && !held_ && up_.load(std::memory_order_acquire) &&
        write_mutex_.try_lock()) {
      const ssize_t sent = send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      write_mutex_.unlock();
      if (sent == static_cast<ssize_t>(frame.size())) return true;  // the charge goes back
      if (sent > 0) frame.erase(frame.begin(), frame.begin() + sent);
    }
    queued_bytes_ += frame.size();
    queue_.push_back(Outgoing{std::move(frame), std::move(charge)});
  }
  wake();
  return true;
}

void Connection::hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
  held_at_ = queue_.size();
}

void Connection::release(std::vector<uint8_t> first) {
  {
    std::lock_guard lock(mutex_);
    held_ = false;
    if (closed_) return;
    if (!first.empty()) {
      queued_bytes_ += first.size();  // past kMaxQueuedBytes if need be: it is one answer
      // Before the frames sent since hold(), after those queued before it (the frames the
      // thread handled before this spawn may not all be written yet).
      queue_.insert(queue_.begin() + static_cast<ptrdiff_t>(held_at_),
                    Outgoing{std::move(first), MemoryCharge{}});
    }
  }
  wake();
}

void Connection::stop() {
  stopping_.store(true, std::memory_order_release);
  wake();
}

void Connection::wake() {
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
}

void Connection::join() {
  if (thread_.joinable()) thread_.join();
}

void Connection::run() {
  if (fd_ < 0 && !stopping_.load(std::memory_order_acquire)) {
    std::string why;
    fd_ = node_.connect(peer_, why);
    if (fd_ < 0) {
      node_.log(true,
                "cannot connect to node " + peer_ + " (" + why + "); its messages are dropped");
    }
  }
  if (fd_ >= 0 && wake_fd_ >= 0) {
    up_.store(true, std::memory_order_release);
    node_.connection_up(*this);
    serve();  // up_ stays set: connection_ended tells node watchers only of peers that were up
  }
  // A compile still waiting never runs; one running ends on its own (its wake-up then finds
  // this connection gone, or ended). The frames that waited go unanswered, as if unread.
  if (paused_) node_.cancel_compile(*paused_->job);
  paused_.reset();
  waiting_.clear();
  waiting_bytes_ = 0;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
  }
  // After closed_: a link or monitor made from now on fails at once (enqueue refuses it), so
  // none slips past the node's noconnection sweep.
  node_.connection_ended(*this);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  finished_.store(true, std::memory_order_release);
}

void Connection::serve() {
  std::string why;
  // Erlang's net_ticktime (60 s) in four ticks: a quiet connection sends a tick every 15 s,
  // and a peer that sent nothing (not even its own ticks) for 60 s is gone.
  constexpr int kTickMs = 15'000;
  constexpr int kTicksToDeath = 4;
  int silent_ticks = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    // Paused with max_paused_bytes waiting: the socket is not read (a negative fd is left out
    // by poll) until the compile is done; the peer's sends wait in the kernel's buffers.
    const bool reading = !paused_ || waiting_bytes_ < node_.max_paused_bytes();
    pollfd fds[2] = {{reading ? fd_ : -1, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, kTickMs);
    if (ready < 0) {
      if (errno == EINTR) continue;
      why = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (ready == 0) {
      if (reading && ++silent_ticks >= kTicksToDeath) {
        why = "nothing received for 60 s (net tick time)";
        break;
      }
      static constexpr uint8_t kTick[4] = {0, 0, 0, 0};
      std::lock_guard writing(write_mutex_);
      if (!write_all(kTick)) {
        why = "tick not written";
        break;
      }
      continue;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t count = 0;
      (void)!read(wake_fd_, &count, sizeof count);
      if (stopping_.load(std::memory_order_acquire)) break;
      if (!flush(why)) break;
      if (!resume(why)) break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      silent_ticks = 0;
      uint8_t header[4];
      if (!read_exact(header, why)) break;
      const uint32_t length = uint32_t{header[0]} << 24 | uint32_t{header[1]} << 16 |
                              uint32_t{header[2]} << 8 | header[3];
      if (!read_frame(length, why)) break;
    }
  }
  if (!stopping_.load(std::memory_order_acquire)) {
    // A peer that closes is how a node leaves: only the rest is a warning.
    node_.log(why != kClosed, "disconnected from node " + peer_ + ": " + why);
  }
}

bool Connection::read_exact(std::span<uint8_t> out, std::string& why) {
  size_t done = 0;
  while (done < out.size()) {
    if (stopping_.load(std::memory_order_acquire)) return why = "stopped", false;
    // Read what is there first; wait only when nothing is (one syscall a read, not two).
    const ssize_t n = recv(fd_, out.data() + done, out.size() - done, MSG_DONTWAIT);
    if (n == 0) return why = kClosed, false;
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return why = std::string("read: ") + std::strerror(errno), false;
    }
    // The socket alone: a send queued meanwhile waits for the frame's end (the wake-up stays
    // pending for serve()); a stop is seen within kIoTimeoutMs.
    pollfd socket{fd_, POLLIN, 0};
    const int ready = poll(&socket, 1, static_cast<int>(kIoTimeoutMs));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return why = "a frame stalled (truncated?)", false;
    if (ready < 0) return why = std::string("poll: ") + std::strerror(errno), false;
  }
  return true;
}

bool Connection::write_all(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return false;
    pollfd out{fd_, POLLOUT, 0};
    if (poll(&out, 1, static_cast<int>(kIoTimeoutMs)) <= 0) return false;
  }
  return true;
}

bool Connection::read_frame(uint32_t length, std::string& why) {
  if (length == 0) {
    static constexpr uint8_t kTock[4] = {0, 0, 0, 0};
    std::lock_guard writing(write_mutex_);
    if (!write_all(kTock)) return why = "tick answer not written", false;
    return true;
  }
  if (length > kMaxFrame) {
    return why = "frame of " + std::to_string(length) + " bytes is larger than the most, " +
                 std::to_string(kMaxFrame),
           false;
  }
  // Grown as bytes arrive: a peer that announces 64 MiB and sends little costs little.
  std::vector<uint8_t> frame;
  constexpr size_t kChunk = 64 * 1024;
  while (frame.size() < length) {
    const size_t at = frame.size();
    frame.resize(at + std::min<size_t>(kChunk, length - at));
    if (!read_exact(std::span(frame).subspan(at), why)) return false;
  }
  return take_frame(std::move(frame), why);
}

bool Connection::take_frame(std::vector<uint8_t> frame, std::string& why) {
  if (!paused_) return handle_frame(std::move(frame), why);
  waiting_bytes_ += frame.size() + kQueuedFrameBytes;
  waiting_.push_back(std::move(frame));
  return true;
}

bool Connection::resume(std::string& why) {
  while (paused_ && paused_->job->done()) {
    const Paused done = std::move(*paused_);
    paused_.reset();
    node_.spawn_compiled(peer_, done.control, *done.job);
    while (!paused_ && !waiting_.empty()) {
      std::vector<uint8_t> next = std::move(waiting_.front());
      waiting_.pop_front();
      waiting_bytes_ -= next.size() + kQueuedFrameBytes;
      if (!handle_frame(std::move(next), why)) return false;
    }
  }
  return true;
}

bool Connection::handle_frame(std::vector<uint8_t> frame, std::string& why) {
  std::optional<Control> control = parse_control(frame, why);
  if (!control) return false;
  // A sender is believed only when it is a process of the peer itself.
  if (control->from && control->from->node != peer_) {
    if (control->signal != Signal::Send) return why = "a signal from another node's pid", false;
    control->from.reset();
  }
  if (control->signal == Signal::Send) {
    if (node_.deliver(control->from, control->to, control->to_name, control->payload) ==
        Node::Delivery::OverBudget) {
      // Dropped, not the peer: one process that does not receive must not cut every other
      // process off this peer. Logged at the 1st, 2nd, 4th, 8th, ... drop: a flood writes a
      // few lines, not one a message.
      ++over_budget_drops_;
      if ((over_budget_drops_ & (over_budget_drops_ - 1)) == 0) {
        node_.log(true, "dropped a message of " + std::to_string(control->payload.size()) +
                            " bytes from node " + peer_ +
                            ": its receiver's environment is out of memory (" +
                            std::to_string(over_budget_drops_) + " dropped so far)");
      }
    }
    return true;
  }
  if (control->signal == Signal::SpawnRequest) {
    // Moving the vector keeps its buffer, so `control` still points into it.
    auto kept = std::make_shared<const std::vector<uint8_t>>(std::move(frame));
    std::shared_ptr<SpawnCompile> job =
        node_.spawn_request(peer_, *control, kept, [weak = weak_from_this()] {
          if (std::shared_ptr<Connection> connection = weak.lock()) connection->wake();
        });
    if (job) paused_.emplace(Paused{std::move(kept), std::move(*control), std::move(job)});
    return true;
  }
  return node_.signal(peer_, *control, why);
}

bool Connection::flush(std::string& why) {
  std::lock_guard writing(write_mutex_);  // before mutex_: enqueue only try_locks it
  std::deque<Outgoing> batch;
  {
    std::lock_guard lock(mutex_);
    if (held_) return true;  // release() wakes the thread again
    batch.swap(queue_);
    queued_bytes_ = 0;
  }
  // Each frame's charge goes back as soon as the socket took it (pop_front), not when the
  // whole batch is written; what is left when the connection fails goes back with `batch`.
  while (!batch.empty()) {
    if (!write_all(batch.front().bytes)) {
      why = "send failed";
      return false;
    }
    batch.pop_front();
  }
  return true;
}

}  // namespace lunatic::dist
