// lunatic C++ SDK: the calling process's mailbox, typed. Mailbox<T> receives messages as Ts
// (any tag or selectively by tag, with a timeout); Message<T> also carries link and monitor
// signals; Request<T> is the receiving side of Process::request.
#ifndef LUNATIC_MAILBOX_HPP
#define LUNATIC_MAILBOX_HPP

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lunatic/detail.hpp"
#include "lunatic/message.h"
#include "lunatic/process.hpp"
#include "lunatic/result.hpp"
#include "lunatic/serialize.hpp"
#include "lunatic/tag.hpp"

namespace lunatic {

/// What a receive got.
enum class MessageKind { data, link_died, process_died, timed_out };

/// A received message: data (decoded as T, or a decode error), a signal, or a timeout.
template <class T> class Message {
 public:
  Message(MessageKind kind, Tag tag, Process process, Result<T> value, std::string reason = {})
      : kind_(kind),
        tag_(tag),
        process_(process),
        value_(std::move(value)),
        reason_(std::move(reason)) {}

  MessageKind kind() const { return kind_; }
  bool is_data() const { return kind_ == MessageKind::data; }
  /// The message's tag; for signals, the link's or the monitor's tag.
  Tag tag() const { return tag_; }
  /// The sender of data; the process that died for signals.
  Process process() const { return process_; }
  /// The decoded value (data), or why there is none.
  Result<T>& value() { return value_; }
  /// For signals, why the process died: "normal", "exit(3)", "trap: unreachable",
  /// "killed: ...", "noproc" (see docs/guest-abi.md); empty for data and timeouts.
  const std::string& reason() const { return reason_; }
  /// A process_died signal of a normal end ("normal", "exit(0)").
  bool ended_normally() const {
    return kind_ == MessageKind::process_died && lunatic_reason_is_normal(reason_.c_str());
  }

 private:
  MessageKind kind_;
  Tag tag_;
  Process process_;
  Result<T> value_;
  std::string reason_;
};

/// A view of the calling process's mailbox that decodes data messages as T. Messages of
/// other tags stay queued, in order, for later receives. Zero-size; make one where needed.
template <class T> class Mailbox {
 public:
  /// The next message of any tag, as a T. Signals and timeouts are errors.
  Result<T> receive(Timeout timeout = Timeout::forever()) const {
    return receive_tags(nullptr, 0, timeout);
  }
  /// The first message tagged `tag` (selective receive).
  Result<T> receive(Tag tag, Timeout timeout = Timeout::forever()) const {
    int64_t raw = tag.value();
    return receive_tags(&raw, 1, timeout);
  }
  /// The first message whose tag is one of `tags`.
  Result<T> receive(std::initializer_list<Tag> tags, Timeout timeout = Timeout::forever()) const {
    std::vector<int64_t> raw = raw_tags(tags);
    return receive_tags(raw.data(), raw.size(), timeout);
  }

  /// The next message of one of `tags` (empty: any), signals and timeouts included.
  Message<T> receive_message(std::initializer_list<Tag> tags = {},
                             Timeout timeout = Timeout::forever()) const {
    std::vector<int64_t> raw = raw_tags(tags);
    return receive_message(raw.data(), raw.size(), timeout);
  }
  Message<T> receive_message(const int64_t* tags, size_t count, Timeout timeout) const {
    int32_t kind = 0;
    std::optional<Result<T>> data =
        detail::receive_and_decode<T>(tags, count, timeout.milliseconds(), kind);
    if (kind == LUNATIC_TIMED_OUT) {
      return Message<T>(MessageKind::timed_out, Tag(), Process(), detail::receive_error(kind));
    }
    Tag tag(lunatic_get_tag());
    Process process(lunatic_get_process_id());
    if (data) return Message<T>(MessageKind::data, tag, process, std::move(*data));
    MessageKind signal =
        kind == LUNATIC_MESSAGE_LINK_DIED ? MessageKind::link_died : MessageKind::process_died;
    return Message<T>(signal, tag, process, detail::receive_error(kind), detail::received_reason());
  }

 private:
  static std::vector<int64_t> raw_tags(std::initializer_list<Tag> tags) {
    std::vector<int64_t> raw;
    raw.reserve(tags.size());
    for (Tag t : tags) raw.push_back(t.value());
    return raw;
  }

  static Result<T> receive_tags(const int64_t* tags, size_t count, Timeout timeout) {
    int32_t kind = 0;
    std::optional<Result<T>> data =
        detail::receive_and_decode<T>(tags, count, timeout.milliseconds(), kind);
    if (!data) return detail::receive_error(kind);
    return std::move(*data);
  }
};

/// A request sent with Process::request: the value, who asked, and how to answer.
/// Receive it as Mailbox<Request<T>>.
template <class T> class Request {
 public:
  Request() = default;

  T& value() { return value_; }
  const T& value() const { return value_; }
  Process sender() const { return sender_; }

  /// Sends the reply the requester waits for (sockets as in Process::send: an rvalue).
  template <class Reply> Result<void> reply(Reply&& reply) const {
    return sender_.send(std::forward<Reply>(reply), reply_tag_);
  }

 private:
  friend struct Serializer<Request<T>>;
  T value_{};
  Process sender_;
  Tag reply_tag_;
};

/// A request is [reply tag][value]; the sender is the received message's.
template <class T> struct Serializer<Request<T>> {
  static void write(Writer&, const Request<T>&) {
    static_assert(sizeof(T) == 0, "send requests with Process::request");
  }
  static bool read(Reader& r, Request<T>& request) {
    int64_t reply_tag = 0;
    if (!deserialize(r, reply_tag) || !deserialize(r, request.value_)) return false;
    request.reply_tag_ = Tag(reply_tag);
    request.sender_ = Process(lunatic_get_process_id());
    return true;
  }
};

}  // namespace lunatic

#endif
