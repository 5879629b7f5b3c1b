// lunatic C++ SDK, internal: moving encoded messages through the C ABI (lunatic/message.h).
#ifndef LUNATIC_DETAIL_HPP
#define LUNATIC_DETAIL_HPP

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lunatic/message.h"
#include "lunatic/result.hpp"
#include "lunatic/serialize.hpp"
#include "lunatic/tag.hpp"

namespace lunatic::detail {

/// Tags the SDK uses for its own messages (below 0: never a user's tag).
inline constexpr int64_t kSpawnArgumentsTag = -0x4C554E01;  // arguments of a spawned function
inline constexpr int64_t kSupervisorStopTag = -0x4C554E02;  // asks a supervisor to stop

/// Builds a message of what `w` holds tagged `tag` in this process's scratch slot: its bytes,
/// then its resources (pushed in index order, so the host's indices are the Writer's).
inline void build_message(Tag tag, Writer& w) {
  const std::vector<uint8_t>& bytes = w.bytes();
  lunatic_create_data(tag.value(), bytes.size());
  if (!bytes.empty()) lunatic_write_data(bytes.data(), bytes.size());
  for (const PendingResource& r : w.release_resources()) r.push(r.id);
}

/// The Writer holding `value` encoded for a message: an rvalue's sockets move into it; an
/// lvalue that can hold one does not compile (writer_for), and one whose Serializer does not
/// say it can leaves the Writer with refused_resources().
template <class T> Writer encode(T&& value) {
  Writer w = writer_for<T>();
  serialize(w, value);
  return w;
}

/// The error of a message that met a socket it could not take (an lvalue whose Serializer
/// does not declare kHoldsResources): nothing was sent, and the socket stays where it was.
inline Error refused_resources(const char* call) {
  return Error(ErrorKind::usage, std::string(call) +
                                     ": the message holds a socket but is not an rvalue: send "
                                     "std::move(message) (and declare kHoldsResources in its "
                                     "Serializer), or a clone() of the socket");
}

/// The result of a send to `to` that returned `status` (0: delivered).
inline Result<void> sent(uint64_t to, int32_t status) {
  if (status != 0) {
    return Error(ErrorKind::no_process, "no process " + std::to_string(to), to);
  }
  return {};
}

/// Sends what `w` holds tagged `tag`; an error if the receiver does not exist (its resources
/// are dropped with the message).
inline Result<void> send_bytes(uint64_t to, Tag tag, Writer& w) {
  std::vector<PendingResource> resources = w.release_resources();
  int32_t status;
  if (resources.empty()) {
    // Bytes only (the usual message): one host call, one copy.
    const std::vector<uint8_t>& bytes = w.bytes();
    status = lunatic_send_data(to, tag.value(), bytes.data(), bytes.size());
  } else {
    lunatic_create_data(tag.value(), w.bytes().size());
    if (!w.bytes().empty()) lunatic_write_data(w.bytes().data(), w.bytes().size());
    for (const PendingResource& r : resources) r.push(r.id);
    status = lunatic_send(to);
  }
  return sent(to, status);
}

/// Why the process of the received link-died / process-died signal died (its data).
inline std::string received_reason() {
  char buffer[LUNATIC_SIGNAL_REASON_MAX + 1];
  size_t size = lunatic_signal_reason(buffer, sizeof buffer);
  return std::string(buffer, size < sizeof buffer ? size : sizeof buffer - 1);
}

/// The error for what lunatic_receive returned when it is not data.
inline Error receive_error(int32_t kind) {
  if (kind == LUNATIC_TIMED_OUT) return Error(ErrorKind::timed_out, "receive timed out");
  uint64_t process = lunatic_get_process_id();
  int64_t tag = lunatic_get_tag();
  std::string why = " (" + received_reason() + ")";
  if (kind == LUNATIC_MESSAGE_LINK_DIED) {
    return Error(ErrorKind::link_died,
                 "linked process " + std::to_string(process) + " failed" + why, process, tag);
  }
  return Error(ErrorKind::process_died, "process " + std::to_string(process) + " ended" + why,
               process, tag);
}

/// Messages up to this size are received in one host call into a buffer on the stack
/// (receive_and_decode); larger ones are read from the host into the heap.
inline constexpr size_t kInlineReceiveBytes = 256;

template <class T> Result<T> decode_received();

/// Receives (as lunatic_receive) and, for a data message, decodes it as a T; `kind` gets what
/// lunatic_receive would return. A small message comes in the same host call as the receive.
template <class T>
std::optional<Result<T>> receive_and_decode(const int64_t* tags, size_t count, uint64_t timeout_ms,
                                            int32_t& kind) {
  uint8_t inline_bytes[kInlineReceiveBytes];
  uint64_t size = 0;
  kind = lunatic_receive_data(tags, count, timeout_ms, inline_bytes, sizeof inline_bytes, &size);
  if (kind != LUNATIC_MESSAGE_DATA) return std::nullopt;
  if (size > sizeof inline_bytes) return decode_received<T>();  // left for read_data
  std::optional<T> value = from_bytes<T>(inline_bytes, static_cast<size_t>(size), true);
  if (!value) {
    return Result<T>(Error(ErrorKind::decode,
                           "message of " + std::to_string(size) + " bytes does not decode",
                           lunatic_get_process_id(), lunatic_get_tag()));
  }
  return Result<T>(std::move(*value));
}

/// Decodes the received data message as a T.
template <class T> Result<T> decode_received() {
  uint64_t size = lunatic_data_size();
  // malloc, not std::vector: a message too big for our memory is an error, not an abort
  // (the sender may be a sandboxed process trying to crash us).
  std::unique_ptr<uint8_t, void (*)(void*)> bytes(
      static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : static_cast<size_t>(size))), std::free);
  std::optional<T> value;
  if (bytes && size <= SIZE_MAX) {
    lunatic_seek_data(0);
    if (size != 0) lunatic_read_data(bytes.get(), static_cast<size_t>(size));
    value = from_bytes<T>(bytes.get(), static_cast<size_t>(size), /*in_message=*/true);
  }
  if (!value) {
    return Error(ErrorKind::decode,
                 "message of " + std::to_string(size) +
                     (bytes ? " bytes does not decode" : " bytes does not fit in memory"),
                 lunatic_get_process_id(), lunatic_get_tag());
  }
  return std::move(*value);
}

}  // namespace lunatic::detail

#endif
