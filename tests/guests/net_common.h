/* Helpers of the networking guests: loopback listeners on a free port, connecting to a port,
 * reading an exact byte count. */
#ifndef LUNATIC_NET_COMMON_H
#define LUNATIC_NET_COMMON_H

#include "lunatic/networking.h"
#include "lunatic_check.h"

static const uint8_t kLoopback4[4] = {127, 0, 0, 1};
static const uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* A listener on 127.0.0.1 (or ::1 if v6) on a free port, written to *port; exits on failure. */
static inline uint64_t listen_loopback(int v6, uint16_t* port) {
  uint64_t listener = 0;
  if (lunatic_tcp_bind(v6 ? 6 : 4, v6 ? kLoopback6 : kLoopback4, 0, 0, 0, &listener) != 0) {
    printf("tcp_bind failed: %s\n", error_text(listener));
    exit(1);
  }
  uint64_t it = 0;
  if (lunatic_tcp_local_addr(listener, &it) != 0) {
    printf("tcp_local_addr failed: %s\n", error_text(it));
    exit(1);
  }
  *port = lunatic_iterator_port(it);
  return listener;
}

/* Connects to the loopback port: 0 and a stream id, or the status (error id in *stream). */
static inline int32_t connect_loopback(int v6, uint16_t port, uint64_t timeout_ms,
                                       uint64_t* stream) {
  return lunatic_tcp_connect(v6 ? 6 : 4, v6 ? kLoopback6 : kLoopback4, port, 0, 0, timeout_ms,
                             stream);
}

/* Reads exactly len bytes: 0, or the failing status (1, LUNATIC_TIMED_OUT), or -1 at EOF. */
static inline int32_t read_exact(uint64_t stream, void* out, size_t len) {
  uint8_t* p = (uint8_t*)out;
  while (len > 0) {
    uint64_t n = 0;
    int32_t status = lunatic_tcp_read(stream, p, len, &n);
    if (status != 0) return status;
    if (n == 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

#endif
