/* A tiny keep-alive HTTP server as a lunatic guest: the root accepts, and each connection
 * gets its own process (the stream handed over in a message), which answers every request
 * with "Hello, world!". Args: PORT (0: any; the port is printed) or "smoke" (serves one
 * client process, checks its answer, exits 0). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lunatic/error.h"
#include "lunatic/message.h"
#include "lunatic/networking.h"
#include "lunatic/process.h"

#define TAG_STREAM 1
#define TAG_DONE 2
#define EXPORT(name) __attribute__((export_name(#name)))

static const char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

/* Answers each complete request (ends with an empty line) in the buffer; keeps a partial one. */
EXPORT(connection) void connection(int64_t unused) {
  (void)unused;
  int64_t tag = TAG_STREAM;
  if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) return;
  uint64_t stream = lunatic_take_tcp_stream(0);
  static char buffer[8192];
  size_t used = 0;
  for (;;) {
    uint64_t n = 0;
    if (used == sizeof buffer) break; /* a request too large: drop the connection */
    if (lunatic_tcp_read(stream, buffer + used, sizeof buffer - used, &n) != 0 || n == 0) break;
    used += (size_t)n;
    char* end;
    int failed = 0;
    while ((end = memmem(buffer, used, "\r\n\r\n", 4)) != NULL) {
      uint64_t error = 0;
      if (lunatic_tcp_write_all(stream, kResponse, sizeof kResponse - 1, &error) != 0) {
        failed = 1;
        break;
      }
      size_t consumed = (size_t)(end + 4 - buffer);
      memmove(buffer, buffer + consumed, used - consumed);
      used -= consumed;
    }
    if (failed) break;
  }
  lunatic_drop_tcp_stream(stream);
}

/* The smoke client: one request, checks the answer, reports 1 or 0. */
EXPORT(client) void client(int64_t root, int64_t port) {
  static const uint8_t loopback[4] = {127, 0, 0, 1};
  uint64_t stream = 0;
  int64_t ok = 0;
  if (lunatic_tcp_connect(4, loopback, (uint32_t)port, 0, 0, 10000, &stream) == 0) {
    const char request[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    uint64_t error = 0;
    char got[sizeof kResponse];
    size_t have = 0;
    if (lunatic_tcp_write_all(stream, request, sizeof request - 1, &error) == 0) {
      while (have < sizeof kResponse - 1) {
        uint64_t n = 0;
        if (lunatic_tcp_read(stream, got + have, sizeof kResponse - 1 - have, &n) != 0 || n == 0)
          break;
        have += (size_t)n;
      }
    }
    ok = have == sizeof kResponse - 1 && memcmp(got, kResponse, have) == 0;
    lunatic_drop_tcp_stream(stream);
  }
  lunatic_send_i64((uint64_t)root, TAG_DONE, ok);
}

int main(int argc, char** argv) {
  int smoke = argc > 1 && strcmp(argv[1], "smoke") == 0;
  uint32_t port = argc > 1 && !smoke ? (uint32_t)atoi(argv[1]) : 0;
  static const uint8_t any[4] = {127, 0, 0, 1};
  uint64_t listener = 0, it = 0;
  if (lunatic_tcp_bind(4, any, port, 0, 0, &listener) != 0) {
    char* text = lunatic_error_take(listener);
    printf("bind failed: %s\n", text);
    return 1;
  }
  lunatic_tcp_local_addr(listener, &it);
  port = lunatic_iterator_port(it);
  printf("listening on %u\n", (unsigned)port);
  fflush(stdout);
  uint64_t client_id = 0;
  if (smoke) {
    lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "client", &client_id, 2,
                       (int64_t)lunatic_process_id(), (int64_t)port);
  }
  for (;;) {
    uint64_t stream = 0, peer = 0, handler = 0;
    if (lunatic_tcp_accept(listener, &stream, &peer) != 0) {
      lunatic_error_drop(stream);
      continue;
    }
    lunatic_drop_dns_iterator(peer);
    if (lunatic_spawn_export(0, "connection", 0, &handler) != 0) {
      lunatic_error_drop(handler);
      lunatic_drop_tcp_stream(stream);
      continue;
    }
    lunatic_create_data(TAG_STREAM, 0);
    lunatic_push_tcp_stream(stream);
    lunatic_send(handler);
    if (smoke) break;
  }
  int64_t ok = 0;
  lunatic_receive_i64(TAG_DONE, 10000, &ok);
  printf(ok ? "ok smoke\n" : "smoke FAILED\n");
  return ok ? 0 : 1;
}
