/* lunatic::message: build a message in the per-process scratch slot and send it; receive
 * selectively by tag with a timeout; read the received message. See docs/guest-abi.md. */
#ifndef LUNATIC_MESSAGE_H
#define LUNATIC_MESSAGE_H

#include <string.h>

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What lunatic_receive returns. */
#define LUNATIC_MESSAGE_DATA 0
#define LUNATIC_MESSAGE_LINK_DIED 1
#define LUNATIC_MESSAGE_PROCESS_DIED 2

/* The longest reason a link-died / process-died signal carries, in bytes. */
#define LUNATIC_SIGNAL_REASON_MAX 1024

/* Sends `len` bytes tagged `tag` to `process_id` in one call (a message being built with
 * lunatic_create_data is left as it was): 0 delivered, 1 no such process (dropped). */
LUNATIC_IMPORT("lunatic::message", "send_data")
int32_t lunatic_send_data(uint64_t process_id, int64_t tag, const void* data, size_t len);
/* Receives as lunatic_receive, then writes the received message's size to *size and, if it is
 * at most `cap`, copies its bytes to `buffer`. A bigger message is not copied but stays the
 * received message: read it with lunatic_read_data. Returns as lunatic_receive (nothing is
 * written on LUNATIC_TIMED_OUT). */
LUNATIC_IMPORT("lunatic::message", "receive_data")
int32_t lunatic_receive_data(const int64_t* tags, size_t tags_len, uint64_t timeout_ms,
                             void* buffer, size_t cap, uint64_t* size);
/* Starts a new message tagged `tag` (dropping one not sent); `capacity` is a size hint. */
LUNATIC_IMPORT("lunatic::message", "create_data")
void lunatic_create_data(int64_t tag, uint64_t capacity);
/* Appends `len` bytes to the message being built; returns the count appended. */
LUNATIC_IMPORT("lunatic::message", "write_data")
int32_t lunatic_write_data(const void* data, size_t len);
/* Moves module `module_id` into the message; returns its index for lunatic_take_module. */
LUNATIC_IMPORT("lunatic::message", "push_module") int64_t lunatic_push_module(uint64_t module_id);
/* Move a TCP stream / TCP listener / UDP socket handle into the message (the caller loses
 * it); returns its index for the matching take. */
LUNATIC_IMPORT("lunatic::message", "push_tcp_stream")
int64_t lunatic_push_tcp_stream(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::message", "push_tcp_listener")
int64_t lunatic_push_tcp_listener(uint64_t listener_id);
LUNATIC_IMPORT("lunatic::message", "push_udp_socket")
int64_t lunatic_push_udp_socket(uint64_t socket_id);
/* Sends the message being built: 0 delivered, 1 no such process (dropped). */
LUNATIC_IMPORT("lunatic::message", "send") int32_t lunatic_send(uint64_t process_id);
/* Waits for the first message whose tag is one of tags[0..tags_len) (any if tags_len is 0),
 * at most timeout_ms (0: do not wait; LUNATIC_NO_TIMEOUT: forever). Returns
 * LUNATIC_MESSAGE_DATA / _LINK_DIED / _PROCESS_DIED, or LUNATIC_TIMED_OUT. */
LUNATIC_IMPORT("lunatic::message", "receive")
int32_t lunatic_receive(const int64_t* tags, size_t tags_len, uint64_t timeout_ms);
/* Sends the message being built to `process_id`, then waits (as receive) for a reply tagged
 * `wait_on_tag` that arrives after the send. */
LUNATIC_IMPORT("lunatic::message", "send_receive_skip_search")
int32_t lunatic_send_receive_skip_search(uint64_t process_id, int64_t wait_on_tag,
                                         uint64_t timeout_ms);
/* Copies up to `len` bytes of the received message from the read position; returns the count. */
LUNATIC_IMPORT("lunatic::message", "read_data") int32_t lunatic_read_data(void* out, size_t len);
/* Moves the read position of the received message. */
LUNATIC_IMPORT("lunatic::message", "seek_data") void lunatic_seek_data(uint64_t position);
/* Tag of the received message (the link's or monitor's tag for a death signal). */
LUNATIC_IMPORT("lunatic::message", "get_tag") int64_t lunatic_get_tag(void);
/* Sender of the received data message, or the process that died for a signal. */
LUNATIC_IMPORT("lunatic::message", "get_process_id") uint64_t lunatic_get_process_id(void);
/* Byte size of the received message. */
LUNATIC_IMPORT("lunatic::message", "data_size") uint64_t lunatic_data_size(void);
/* What lunatic_resource_kind returns: what resource `index` of the received message is. */
#define LUNATIC_RESOURCE_NONE 0 /* out of range, or taken already */
#define LUNATIC_RESOURCE_MODULE 1
#define LUNATIC_RESOURCE_TCP_STREAM 2
#define LUNATIC_RESOURCE_TCP_LISTENER 3
#define LUNATIC_RESOURCE_UDP_SOCKET 4
/* The kind of resource `index` of the received message (LUNATIC_RESOURCE_*): check it before
 * a take, which traps if the message has no resource of that kind there (the sender may have
 * forged the index). */
LUNATIC_IMPORT("lunatic::message", "resource_kind")
int32_t lunatic_resource_kind(uint64_t index);
/* Moves module `index` of the received message into this process; returns its module id. */
LUNATIC_IMPORT("lunatic::message", "take_module") uint64_t lunatic_take_module(uint64_t index);
/* Move stream / listener / UDP socket `index` of the received message into this process;
 * return its new id. */
LUNATIC_IMPORT("lunatic::message", "take_tcp_stream")
uint64_t lunatic_take_tcp_stream(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "take_tcp_listener")
uint64_t lunatic_take_tcp_listener(uint64_t index);
LUNATIC_IMPORT("lunatic::message", "take_udp_socket")
uint64_t lunatic_take_udp_socket(uint64_t index);

/* Convenience: sends `len` bytes tagged `tag` to `process_id` (0 delivered, 1 no process). */
static inline int32_t lunatic_send_bytes(uint64_t process_id, int64_t tag, const void* data,
                                         size_t len) {
  return lunatic_send_data(process_id, tag, data, len);
}

/* Convenience: sends one i64 tagged `tag`. */
static inline int32_t lunatic_send_i64(uint64_t process_id, int64_t tag, int64_t value) {
  return lunatic_send_bytes(process_id, tag, &value, sizeof value);
}

/* Convenience: receives with one tag (0: any tag) and reads an i64 from a data message into
 * *value (left unchanged for signals and short messages). Returns as lunatic_receive. */
static inline int32_t lunatic_receive_i64(int64_t tag, uint64_t timeout_ms, int64_t* value) {
  int64_t got;
  uint64_t size = 0;
  /* One host call for the usual 8-byte message; a longer one is left unread, so read its
   * first 8 bytes. */
  int32_t kind = lunatic_receive_data(&tag, tag == 0 ? 0 : 1, timeout_ms, &got, sizeof got, &size);
  if (kind != LUNATIC_MESSAGE_DATA || size < sizeof got) return kind;
  if (size == sizeof got) {
    *value = got;
  } else {
    lunatic_read_data(value, sizeof *value);
  }
  return kind;
}

/* Convenience: after lunatic_receive returned LUNATIC_MESSAGE_LINK_DIED or
 * LUNATIC_MESSAGE_PROCESS_DIED, copies why the process died ("normal", "exit(3)",
 * "trap: unreachable", "killed: ...", "noproc"; see docs/guest-abi.md) into out, cut to
 * cap - 1 bytes and NUL-terminated (LUNATIC_SIGNAL_REASON_MAX + 1 bytes hold any reason).
 * Returns the reason's full length. Reads the message from its start. */
static inline size_t lunatic_signal_reason(char* out, size_t cap) {
  uint64_t size = lunatic_data_size();
  if (cap == 0) return (size_t)size;
  size_t want = size < cap - 1 ? (size_t)size : cap - 1;
  lunatic_seek_data(0);
  int32_t got = lunatic_read_data(out, want);
  out[got > 0 ? (size_t)got : 0] = '\0';
  return (size_t)size;
}

/* Convenience: whether a signal's reason is a normal end ("normal": the entry returned, or
 * "exit(0)"). A process-died signal comes for any end; a link-died one never for a normal end
 * ("noproc": the process was not alive when linked to or monitored, its end unknown). */
static inline int lunatic_reason_is_normal(const char* reason) {
  return strcmp(reason, "normal") == 0 || strcmp(reason, "exit(0)") == 0;
}

#ifdef __cplusplus
}
#endif
#endif
