// Mailbox: the multi-producer, single-consumer queue of one process, with selective receive
// (by a list of tags; the other messages keep their order) and a waiting flag kept under the
// same lock as the queue, so a wake-up can never be lost.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "runtime/message.hpp"

namespace lunatic::runtime {

/// Thread safety: push() from any thread; the other calls from the owning process (or the
/// runtime once the process is dead).
class Mailbox {
 public:
  Mailbox() = default;
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  /// Queues `message` at the back (stamping its sequence). Returns true if the owner is
  /// waiting for a message this one matches: the caller must then wake the owner (see
  /// Process::deliver, which does both). After close() the message is dropped (its resources
  /// freed) and false is returned.
  bool push(std::unique_ptr<Message> message);

  /// Removes and returns the first message whose tag is one of `tags` (any tag if empty) and
  /// whose sequence is at least `min_sequence`; the others stay in order. Null if none.
  std::unique_ptr<Message> receive(std::span<const Tag> tags, uint64_t min_sequence = 0);
  /// receive(), and if nothing matches, records the filter as the owner's wait: the next push
  /// of a matching message returns true (once). Use it right before parking; a wait ends at
  /// the next successful receive, at stop_waiting(), or when a matching message arrives.
  std::unique_ptr<Message> receive_or_wait(std::span<const Tag> tags, uint64_t min_sequence = 0);
  /// Forgets the owner's wait (e.g. a receive that timed out).
  void stop_waiting();

  /// The sequence the next queued message will get: receive(tags, mark) only sees messages
  /// queued after this call (request/reply: "skip the messages already there").
  uint64_t next_sequence() const;
  size_t size() const;

  /// What introspection sees of a mailbox (any thread).
  struct Stats {
    size_t messages = 0;
    uint64_t bytes = 0;    ///< data bytes of the queued messages
    bool waiting = false;  ///< the owner waits in a receive
  };
  Stats stats() const;
  /// Drops every queued message and refuses later ones (the owner died).
  void close();

 private:
  bool matches(const Message& m, std::span<const Tag> tags, uint64_t min_sequence) const;
  std::unique_ptr<Message> take_locked(std::span<const Tag> tags, uint64_t min_sequence);

  mutable std::mutex mutex_;
  Message* head_ = nullptr;  ///< owned: the queue's nodes, deleted in close()/~Mailbox
  Message* tail_ = nullptr;
  size_t size_ = 0;
  uint64_t bytes_ = 0;  ///< data bytes of the queue's messages (introspection)
  uint64_t next_sequence_ = 1;
  bool closed_ = false;
  bool waiting_ = false;        ///< the owner is parked (or about to be) on a receive
  std::vector<Tag> wait_tags_;  ///< the waiting receive's filter (empty: any)
  uint64_t wait_min_sequence_ = 0;
};

}  // namespace lunatic::runtime
