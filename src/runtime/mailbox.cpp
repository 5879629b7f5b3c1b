// Mailbox: an intrusive singly linked queue under one mutex; selective receive unlinks the
// first match and leaves the others in order; a waiting receive_data takes a message's bytes
// straight into its buffer.
#include "runtime/mailbox.hpp"

#include <algorithm>
#include <cstring>

namespace lunatic::runtime {

Mailbox::~Mailbox() {
  // Without the lock: nothing else can reach a mailbox being destroyed (its process's last
  // reference is gone), and the runtime closed a dead process's mailbox already, so this only
  // frees what an unclosed one holds. Locking again cost every process's end a second atomic
  // update of a line that a sender on another worker may have written last.
  delete handoff_.load(std::memory_order_relaxed);
  for (Message* m = head_; m != nullptr;) {
    Message* next = m->next_;
    delete m;
    m = next;
  }
}

namespace {

/// Whether `tag` is one of `tags` (any tag if empty). A plain loop, inlined: a receive has one
/// tag or a few, and std::find's unrolled search made every check an out-of-line call.
inline bool tag_matches(Tag tag, std::span<const Tag> tags) {
  if (tags.empty()) return true;
  for (const Tag t : tags) {
    if (t == tag) return true;
  }
  return false;
}

/// memcpy for a message's bytes: the usual few bytes (an i64) as two possibly overlapping
/// 8-byte moves instead of a library call; more through memcpy.
inline void copy_bytes(uint8_t* to, const uint8_t* from, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t head = 0;
    uint64_t tail = 0;
    std::memcpy(&head, from, 8);
    std::memcpy(&tail, from + n - 8, 8);
    std::memcpy(to, &head, 8);
    std::memcpy(to + n - 8, &tail, 8);
  } else if (n != 0) {
    std::memcpy(to, from, n);
  }
}

}  // namespace

bool Mailbox::matches(const Message& m, std::span<const Tag> tags, uint64_t min_sequence) const {
  return m.sequence >= min_sequence && tag_matches(m.tag, tags);
}

bool Mailbox::push(std::unique_ptr<Message> message) {
  std::unique_lock lock(mutex_);
  if (closed_) {
    lock.unlock();
    return false;  // `message` (and its resources) are freed outside the lock
  }
  return link_locked(message.release());
}

bool Mailbox::link_locked(Message* m) {
  m->sequence = next_sequence_++;
  m->next_ = nullptr;
  if (waiting_ && matches(*m, wait_tags(), wait_min_sequence_)) {
    // It ends the wait (one wake-up per wait): handed to the owner's receive, which runs
    // again once woken and takes it without the lock. Nothing queued matched when the wait
    // began, and a match since would have ended it: it is the message that receive takes.
    waiting_ = false;
    direct_ = {};
    handoff_bytes_ = m->data.size();
    handoff_.store(m, std::memory_order_release);  // null while waiting_ (receive_or_wait)
    return true;
  }
  if (tail_ != nullptr) {
    tail_->next_ = m;
  } else {
    head_ = m;
  }
  tail_ = m;
  ++size_;
  bytes_ += m->data.size();
  return false;
}

void Mailbox::restore_handoff_locked() {
  // Relaxed: set by the owner's own hand, or by a sender under this lock.
  Message* m = handoff_.load(std::memory_order_relaxed);
  if (m == nullptr) return;
  handoff_.store(nullptr, std::memory_order_relaxed);
  // Messages queued after it (the wait had ended) come after it; those queued before, before.
  Message* prev = nullptr;
  Message* at = head_;
  while (at != nullptr && at->sequence < m->sequence) {
    prev = at;
    at = at->next_;
  }
  m->next_ = at;
  (prev != nullptr ? prev->next_ : head_) = m;
  if (at == nullptr) tail_ = m;
  ++size_;
  bytes_ += m->data.size();
}

bool Mailbox::push_copying(std::unique_ptr<Message> message, std::span<const uint8_t> bytes,
                           const void** copied_to) {
  if (copied_to != nullptr) *copied_to = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (waiting_ && direct_.data != nullptr && bytes.size() <= direct_.capacity &&
        message->kind == MessageKind::Data && matches(*message, wait_tags(), wait_min_sequence_)) {
      // The owner is parked in receive_data and this is the message it will take (nothing
      // queued matched when it began to wait, and any match since would have ended the wait):
      // its bytes go straight into its buffer. Under the lock, so close() (after which the
      // owner's memory may go) cannot pass us.
      copy_bytes(direct_.data, bytes.data(), bytes.size());
      if (copied_to != nullptr) *copied_to = direct_.data;
      message->delivered = bytes.size();
      return link_locked(message.release());
    }
  }
  // Not waiting for it: the bytes go into the message, outside the lock (an allocation and a
  // copy), and it is queued as any other.
  message->data.assign(bytes.begin(), bytes.end());
  return push(std::move(message));
}

std::unique_ptr<Message> Mailbox::take_locked(std::span<const Tag> tags, uint64_t min_sequence) {
  Message* prev = nullptr;
  for (Message* m = head_; m != nullptr; prev = m, m = m->next_) {
    if (!matches(*m, tags, min_sequence)) continue;
    (prev != nullptr ? prev->next_ : head_) = m->next_;
    if (tail_ == m) tail_ = prev;
    m->next_ = nullptr;
    --size_;
    bytes_ -= m->data.size();
    return std::unique_ptr<Message>(m);
  }
  return nullptr;
}

std::unique_ptr<Message> Mailbox::receive(std::span<const Tag> tags, uint64_t min_sequence) {
  std::lock_guard lock(mutex_);
  restore_handoff_locked();
  auto m = take_locked(tags, min_sequence);
  if (m) {
    waiting_ = false;
    direct_ = {};
  }
  return m;
}

std::unique_ptr<Message> Mailbox::receive_or_wait(std::span<const Tag> tags, uint64_t min_sequence,
                                                  DirectBuffer direct) {
  // The message that ended the wait this call parked on (its re-execution is the owner's
  // next receive): no sender touches the slot until the owner waits again, and the wake-up
  // ordered the sender's writes (the message, a direct copy into `direct`) before this read.
  if (Message* m = handoff_.load(std::memory_order_acquire);
      m != nullptr && matches(*m, tags, min_sequence)) [[likely]] {
    handoff_.store(nullptr, std::memory_order_relaxed);
    return std::unique_ptr<Message>(m);
  }
  std::lock_guard lock(mutex_);
  restore_handoff_locked();
  auto m = take_locked(tags, min_sequence);
  if (m || closed_) {
    waiting_ = false;
    direct_ = {};
    return m;
  }
  waiting_ = true;
  set_wait_tags(tags);
  wait_min_sequence_ = min_sequence;
  direct_ = direct;
  return nullptr;
}

std::unique_ptr<Message> Mailbox::take_delivered_handoff() {
  // As receive_or_wait's fast path: the wake-up ordered the sender's writes (the message, the
  // copy into the buffer) before this acquire.
  Message* m = handoff_.load(std::memory_order_acquire);
  if (m == nullptr || m->delivered == 0) return nullptr;
  handoff_.store(nullptr, std::memory_order_relaxed);
  return std::unique_ptr<Message>(m);
}

void Mailbox::stop_waiting() {
  std::lock_guard lock(mutex_);
  waiting_ = false;
  direct_ = {};
  wait_count_ = 0;
}

void Mailbox::set_wait_tags(std::span<const Tag> tags) {
  wait_count_ = static_cast<uint32_t>(tags.size());  // a receive's tags fit guest memory / 8
  if (tags.size() <= kInlineTags) {
    // A loop, not std::copy: that is a memmove call for the usual one tag.
    for (size_t i = 0; i < tags.size(); ++i) wait_inline_[i] = tags[i];
  } else {
    wait_heap_.assign(tags.begin(), tags.end());
  }
}

uint64_t Mailbox::next_sequence() const {
  std::lock_guard lock(mutex_);
  return next_sequence_;
}

size_t Mailbox::size() const {
  std::lock_guard lock(mutex_);
  return size_ + (handoff_.load(std::memory_order_relaxed) != nullptr ? 1 : 0);
}

Mailbox::Stats Mailbox::stats() const {
  std::lock_guard lock(mutex_);
  // A handed-over message counts until the owner takes it (it may be taking it now: a
  // snapshot). Only the pointer is read: the owner may free the message meanwhile.
  const bool handoff = handoff_.load(std::memory_order_relaxed) != nullptr;
  return Stats{size_ + (handoff ? 1 : 0), bytes_ + (handoff ? handoff_bytes_ : 0), waiting_};
}

void Mailbox::close() {
  Message* list = nullptr;
  {
    std::lock_guard lock(mutex_);
    restore_handoff_locked();  // freed with the queue
    closed_ = true;
    waiting_ = false;
    direct_ = {};
    list = head_;
    head_ = tail_ = nullptr;
    size_ = 0;
    bytes_ = 0;
    wait_count_ = 0;
    std::vector<Tag>().swap(wait_heap_);
  }
  // Freed outside the lock, iteratively: a long queue must not recurse.
  while (list != nullptr) {
    Message* next = list->next_;
    delete list;
    list = next;
  }
}

}  // namespace lunatic::runtime
