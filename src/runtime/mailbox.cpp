// Mailbox: an intrusive singly linked queue under one mutex; selective receive unlinks the
// first match and leaves the others in order; a waiting receive_data takes a message's bytes
// straight into its buffer.
#include "runtime/mailbox.hpp"

#include <algorithm>
#include <cstring>

namespace lunatic::runtime {

Mailbox::~Mailbox() { close(); }

bool Mailbox::matches(const Message& m, std::span<const Tag> tags, uint64_t min_sequence) const {
  if (m.sequence < min_sequence) return false;
  return tags.empty() || std::find(tags.begin(), tags.end(), m.tag) != tags.end();
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
  if (tail_ != nullptr) {
    tail_->next_ = m;
  } else {
    head_ = m;
  }
  tail_ = m;
  ++size_;
  bytes_ += m->data.size();
  if (waiting_ && matches(*m, wait_tags(), wait_min_sequence_)) {
    waiting_ = false;  // one wake-up per wait
    direct_ = {};
    return true;
  }
  return false;
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
      if (!bytes.empty()) std::memcpy(direct_.data, bytes.data(), bytes.size());
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
  auto m = take_locked(tags, min_sequence);
  if (m) {
    waiting_ = false;
    direct_ = {};
  }
  return m;
}

std::unique_ptr<Message> Mailbox::receive_or_wait(std::span<const Tag> tags, uint64_t min_sequence,
                                                  DirectBuffer direct) {
  std::lock_guard lock(mutex_);
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

void Mailbox::stop_waiting() {
  std::lock_guard lock(mutex_);
  waiting_ = false;
  direct_ = {};
  wait_count_ = 0;
}

void Mailbox::set_wait_tags(std::span<const Tag> tags) {
  wait_count_ = static_cast<uint32_t>(tags.size());  // a receive's tags fit guest memory / 8
  if (tags.size() <= kInlineTags) {
    std::copy(tags.begin(), tags.end(), wait_inline_.begin());
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
  return size_;
}

Mailbox::Stats Mailbox::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{size_, bytes_, waiting_};
}

void Mailbox::close() {
  Message* list = nullptr;
  {
    std::lock_guard lock(mutex_);
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
