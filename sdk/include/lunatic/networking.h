/* lunatic::networking: DNS lookups, TCP listeners and streams, UDP sockets. Calls that wait
 * (resolve, accept, connect, read, peek, write, UDP send/receive) park the process, never a
 * thread. See docs/guest-abi.md.
 *
 * Fallible calls return 0 and write a result (an id, a byte count) through the out-pointer,
 * 1 and write an error id there (lunatic/error.h), or LUNATIC_TIMED_OUT. An address is
 * (addr_type 4 or 6, a pointer to its 4 or 16 bytes in network order, port, IPv6 flow info,
 * IPv6 scope id). A bad pointer, an unknown id or an addr_type other than 4 and 6 traps. */
#ifndef LUNATIC_NETWORKING_H
#define LUNATIC_NETWORKING_H

#include "lunatic/import.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A (pointer, length) pair of lunatic_tcp_write_vectored (as WASI's ciovec). */
typedef struct {
  const void* buf;
  uint32_t len;
} lunatic_ciovec;

/* tcp_write_vectored takes at most this many buffers (more: an error). */
#define LUNATIC_MAX_CIOVECS 1024

/* ---- DNS ---------------------------------------------------------------------------------- */

/* Looks up "host:port" ("[::1]:80" for IPv6) within timeout_ms (LUNATIC_NO_TIMEOUT: none):
 * 0 and a DNS iterator id, 1 and an error id, or LUNATIC_TIMED_OUT. */
LUNATIC_IMPORT("lunatic::networking", "resolve")
int32_t lunatic_resolve(const char* name, size_t name_len, uint64_t timeout_ms, uint64_t* id);
/* Writes the next address: *addr_type 4 or 6, 16 bytes at addr (IPv4 uses the first 4), the
 * port, and for IPv6 the flow info and scope id (0 for IPv4). 0 ok, 1 none left. */
LUNATIC_IMPORT("lunatic::networking", "resolve_next")
int32_t lunatic_resolve_next(uint64_t iterator_id, uint32_t* addr_type, uint8_t addr[16],
                             uint16_t* port, uint32_t* flow_info, uint32_t* scope_id);
LUNATIC_IMPORT("lunatic::networking", "drop_dns_iterator")
void lunatic_drop_dns_iterator(uint64_t iterator_id);

/* ---- TCP ---------------------------------------------------------------------------------- */

/* Binds a listener (port 0: any free port; see lunatic_tcp_local_addr): 0 and a listener id,
 * or 1 and an error id. */
LUNATIC_IMPORT("lunatic::networking", "tcp_bind")
int32_t lunatic_tcp_bind(uint32_t addr_type, const uint8_t* addr, uint32_t port, uint32_t flow_info,
                         uint32_t scope_id, uint64_t* id);
LUNATIC_IMPORT("lunatic::networking", "drop_tcp_listener")
void lunatic_drop_tcp_listener(uint64_t listener_id);
/* The listener's bound address as a DNS iterator: 0 and its id, or 1 and an error id. */
LUNATIC_IMPORT("lunatic::networking", "tcp_local_addr")
int32_t lunatic_tcp_local_addr(uint64_t listener_id, uint64_t* iterator_id);
/* Waits for a connection: 0, a stream id and a DNS iterator id holding the peer's address;
 * or 1 and an error id in *stream_id. */
LUNATIC_IMPORT("lunatic::networking", "tcp_accept")
int32_t lunatic_tcp_accept(uint64_t listener_id, uint64_t* stream_id, uint64_t* peer_iterator_id);
/* Connects within timeout_ms: 0 and a stream id, 1 and an error id, or LUNATIC_TIMED_OUT. */
LUNATIC_IMPORT("lunatic::networking", "tcp_connect")
int32_t lunatic_tcp_connect(uint32_t addr_type, const uint8_t* addr, uint32_t port,
                            uint32_t flow_info, uint32_t scope_id, uint64_t timeout_ms,
                            uint64_t* stream_id);
/* Drops a stream handle; the connection closes with its last handle. */
LUNATIC_IMPORT("lunatic::networking", "drop_tcp_stream")
void lunatic_drop_tcp_stream(uint64_t stream_id);
/* A new handle to the same connection (sharing its timeouts). */
LUNATIC_IMPORT("lunatic::networking", "clone_tcp_stream")
uint64_t lunatic_clone_tcp_stream(uint64_t stream_id);
/* Reads what is available (waits for something): 0 and the count in *result (0: the peer
 * closed), 1 and an error id, or LUNATIC_TIMED_OUT (the read timeout). */
LUNATIC_IMPORT("lunatic::networking", "tcp_read")
int32_t lunatic_tcp_read(uint64_t stream_id, void* buffer, size_t len, uint64_t* result);
/* As lunatic_tcp_read, but the bytes stay for the next read (the peek timeout applies). */
LUNATIC_IMPORT("lunatic::networking", "tcp_peek")
int32_t lunatic_tcp_peek(uint64_t stream_id, void* buffer, size_t len, uint64_t* result);
/* Writes what the socket takes of the buffers, in order (waits until it takes something):
 * 0 and the count (may be short: write the rest), 1 and an error id, or LUNATIC_TIMED_OUT. */
LUNATIC_IMPORT("lunatic::networking", "tcp_write_vectored")
int32_t lunatic_tcp_write_vectored(uint64_t stream_id, const lunatic_ciovec* ciovecs, size_t count,
                                   uint64_t* result);
/* Always 0: the host does not buffer writes. */
LUNATIC_IMPORT("lunatic::networking", "tcp_flush")
int32_t lunatic_tcp_flush(uint64_t stream_id, uint64_t* error_id);
/* The peer's / local address as a DNS iterator: 0 and its id, or 1 and an error id. */
LUNATIC_IMPORT("lunatic::networking", "tcp_peer_addr")
int32_t lunatic_tcp_peer_addr(uint64_t stream_id, uint64_t* iterator_id);
LUNATIC_IMPORT("lunatic::networking", "tcp_stream_local_addr")
int32_t lunatic_tcp_stream_local_addr(uint64_t stream_id, uint64_t* iterator_id);
/* Per-stream timeouts in ms for read / write / peek (LUNATIC_NO_TIMEOUT, the default: none;
 * 0: do not wait). Shared by all handles of the stream. */
LUNATIC_IMPORT("lunatic::networking", "set_read_timeout")
void lunatic_set_read_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "get_read_timeout")
uint64_t lunatic_get_read_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "set_write_timeout")
void lunatic_set_write_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "get_write_timeout")
uint64_t lunatic_get_write_timeout(uint64_t stream_id);
LUNATIC_IMPORT("lunatic::networking", "set_peek_timeout")
void lunatic_set_peek_timeout(uint64_t stream_id, uint64_t timeout_ms);
LUNATIC_IMPORT("lunatic::networking", "get_peek_timeout")
uint64_t lunatic_get_peek_timeout(uint64_t stream_id);

/* ---- UDP ---------------------------------------------------------------------------------- */

/* Binds a UDP socket: 0 and its id, or 1 and an error id. */
LUNATIC_IMPORT("lunatic::networking", "udp_bind")
int32_t lunatic_udp_bind(uint32_t addr_type, const uint8_t* addr, uint32_t port, uint32_t flow_info,
                         uint32_t scope_id, uint64_t* id);
/* Sets the default peer (timeout_ms is ignored: a UDP connect never waits): 0, or 1 and an
 * error id. */
LUNATIC_IMPORT("lunatic::networking", "udp_connect")
int32_t lunatic_udp_connect(uint64_t socket_id, uint32_t addr_type, const uint8_t* addr,
                            uint32_t port, uint32_t flow_info, uint32_t scope_id,
                            uint64_t timeout_ms, uint64_t* error_id);
LUNATIC_IMPORT("lunatic::networking", "drop_udp_socket")
void lunatic_drop_udp_socket(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "clone_udp_socket")
uint64_t lunatic_clone_udp_socket(uint64_t socket_id);
/* Sends one datagram to the connected peer / to the address: 0 and the count, or 1 and an
 * error id. */
LUNATIC_IMPORT("lunatic::networking", "udp_send")
int32_t lunatic_udp_send(uint64_t socket_id, const void* data, size_t len, uint64_t* result);
LUNATIC_IMPORT("lunatic::networking", "udp_send_to")
int32_t lunatic_udp_send_to(uint64_t socket_id, const void* data, size_t len, uint32_t addr_type,
                            const uint8_t* addr, uint32_t port, uint32_t flow_info,
                            uint32_t scope_id, uint64_t* result);
/* Waits for one datagram (cut to len): 0 and its length, or 1 and an error id; _from also
 * writes a DNS iterator id holding the sender. */
LUNATIC_IMPORT("lunatic::networking", "udp_receive")
int32_t lunatic_udp_receive(uint64_t socket_id, void* buffer, size_t len, uint64_t* result);
LUNATIC_IMPORT("lunatic::networking", "udp_receive_from")
int32_t lunatic_udp_receive_from(uint64_t socket_id, void* buffer, size_t len, uint64_t* result,
                                 uint64_t* peer_iterator_id);
LUNATIC_IMPORT("lunatic::networking", "udp_local_addr")
int32_t lunatic_udp_local_addr(uint64_t socket_id, uint64_t* iterator_id);
LUNATIC_IMPORT("lunatic::networking", "udp_peer_addr")
int32_t lunatic_udp_peer_addr(uint64_t socket_id, uint64_t* iterator_id);
LUNATIC_IMPORT("lunatic::networking", "set_udp_socket_ttl")
void lunatic_set_udp_socket_ttl(uint64_t socket_id, uint32_t ttl);
LUNATIC_IMPORT("lunatic::networking", "get_udp_socket_ttl")
uint32_t lunatic_get_udp_socket_ttl(uint64_t socket_id);
LUNATIC_IMPORT("lunatic::networking", "set_udp_socket_broadcast")
void lunatic_set_udp_socket_broadcast(uint64_t socket_id, uint32_t on);
LUNATIC_IMPORT("lunatic::networking", "get_udp_socket_broadcast")
int32_t lunatic_get_udp_socket_broadcast(uint64_t socket_id);

/* ---- Convenience -------------------------------------------------------------------------- */

/* Writes all `len` bytes (looping over short writes): 0, 1 and an error id in *error_id, or
 * LUNATIC_TIMED_OUT. */
static inline int32_t lunatic_tcp_write_all(uint64_t stream_id, const void* data, size_t len,
                                            uint64_t* error_id) {
  const uint8_t* p = (const uint8_t*)data;
  while (len > 0) {
    lunatic_ciovec v = {p, (uint32_t)(len > 0x40000000u ? 0x40000000u : len)};
    uint64_t n = 0;
    int32_t status = lunatic_tcp_write_vectored(stream_id, &v, 1, &n);
    if (status != 0) {
      *error_id = n;
      return status;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The port of the first address of a DNS iterator (the iterator is consumed and dropped);
 * 0 if it has none. Handy after lunatic_tcp_local_addr on a listener bound to port 0. */
static inline uint16_t lunatic_iterator_port(uint64_t iterator_id) {
  uint32_t type = 0, flow = 0, scope = 0;
  uint8_t addr[16];
  uint16_t port = 0;
  if (lunatic_resolve_next(iterator_id, &type, addr, &port, &flow, &scope) != 0) port = 0;
  lunatic_drop_dns_iterator(iterator_id);
  return port;
}

#ifdef __cplusplus
}
#endif
#endif
