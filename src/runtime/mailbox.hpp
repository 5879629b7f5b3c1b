// Mailbox: the multi-producer, single-consumer queue of one process, with selective receive
// (by a list of tags; the other messages keep their order) and a waiting flag kept under the
// same lock as the queue, so a wake-up can never be lost.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "runtime/message.hpp"

namespace lunatic::runtime {

/// Where a waiting receive wants a data message's bytes (lunatic::message::receive_data): a
/// range of the owner's linear memory, checked against it by the caller. A sender that finds
/// the owner waiting with one copies a matching message that fits straight there
/// (Mailbox::push_copying): one copy from the sender's memory to the receiver's.
struct DirectBuffer {
  uint8_t* data = nullptr;  ///< null: no direct delivery
  uint64_t capacity = 0;
};

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
  /// push() of a data message whose bytes are `bytes` (not yet in message->data): if the
  /// owner waits with a DirectBuffer this message matches and fits, the bytes are copied
  /// there, under the lock, and the message is queued with `delivered` set instead of its
  /// bytes; otherwise they are copied into message->data and it is pushed. Returns as push().
  /// @pre `bytes` stays readable during the call (the sender's memory: the sender is running).
  /// `copied_to`, if given, is set to where the bytes went in the owner's memory (null if
  /// they went into the message): a hint for the sender's next send here (a prefetch only).
  bool push_copying(std::unique_ptr<Message> message, std::span<const uint8_t> bytes,
                    const void** copied_to = nullptr);

  /// Removes and returns the first message whose tag is one of `tags` (any tag if empty) and
  /// whose sequence is at least `min_sequence`; the others stay in order. Null if none.
  std::unique_ptr<Message> receive(std::span<const Tag> tags, uint64_t min_sequence = 0);
  /// receive(), and if nothing matches, records the filter as the owner's wait: the next push
  /// of a matching message returns true (once). Use it right before parking; a wait ends at
  /// the next successful receive, at stop_waiting(), or when a matching message arrives.
  /// The message that ends a wait is not queued but handed over (a slot of its own, written
  /// under the lock): the owner's next receive_or_wait, the parked call run again, takes it
  /// without the lock when it matches (the wake-up orders the sender's writes before it).
  /// With a `direct` buffer (receive_data), a matching data message may arrive already copied
  /// into it (Message::delivered). @pre the buffer stays valid and is not touched by the owner
  /// until the wait ends: the owner is parked, and its memory lives until close() (the
  /// runtime closes a dead process's mailbox before it frees the process's memory), which
  /// push_copying checks under the same lock as it writes.
  std::unique_ptr<Message> receive_or_wait(std::span<const Tag> tags, uint64_t min_sequence = 0,
                                           DirectBuffer direct = {});
  /// The message that ended the owner's last wait, if its sender copied it straight into the
  /// waiting receive's buffer (Message::delivered != 0): the message the parked receive_data,
  /// run again after its wake-up, takes first, with no filter to check (it matched the wait's,
  /// which was that call's) and nothing left to copy. Null, and nothing changes, otherwise.
  /// Without the lock, as receive_or_wait's own take of it.
  std::unique_ptr<Message> take_delivered_handoff();
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
  /// Queues `m` at the back, or hands it over if it ends the owner's wait (then true).
  /// @pre the lock is held, not closed.
  bool link_locked(Message* m);
  /// Puts a handed-over message back in the queue, in sequence order, for a receive that did
  /// not take it on its fast path (another filter, or a plain receive()). @pre the lock is
  /// held by the owner (or the runtime once the owner is dead).
  void restore_handoff_locked();

  /// The waiting receive's filter (empty: any).
  std::span<const Tag> wait_tags() const {
    return {wait_count_ > kInlineTags ? wait_heap_.data() : wait_inline_.data(), wait_count_};
  }
  void set_wait_tags(std::span<const Tag> tags);

  // What a sender reads first comes first: the lock, the wait and its filter (for a few tags,
  // inline: a sender to a parked process finds them in the lines it locks, and a receive that
  // parks writes no heap buffer), then the queue.
  static constexpr uint32_t kInlineTags = 4;
  mutable std::mutex mutex_;
  bool closed_ = false;
  bool waiting_ = false;  ///< the owner is parked (or about to be) on a receive
  uint32_t wait_count_ = 0;
  /// The message that ended the owner's last wait, not in the queue (owned). Set by a sender
  /// under the lock while waiting_ (then null, and waiting_ is cleared with it); taken by the
  /// owner, with or without the lock: no sender writes it again before the owner waits again.
  std::atomic<Message*> handoff_{nullptr};
  uint64_t wait_min_sequence_ = 0;
  DirectBuffer direct_;  ///< the waiting receive's buffer, if it gave one
  std::array<Tag, kInlineTags> wait_inline_{};
  Message* head_ = nullptr;  ///< owned: the queue's nodes, deleted in close()/~Mailbox
  Message* tail_ = nullptr;
  size_t size_ = 0;
  uint64_t bytes_ = 0;          ///< data bytes of the queue's messages (introspection)
  uint64_t handoff_bytes_ = 0;  ///< handoff_'s data bytes when it was set (stats; the lock)
  uint64_t next_sequence_ = 1;
  std::vector<Tag> wait_heap_;  ///< the filter when it has more than kInlineTags tags
};

}  // namespace lunatic::runtime
