/* Killing processes that hold sockets. "client": a client killed mid-transfer; the server's
 * handler sees the connection end and the server keeps serving. "reader": a process killed
 * while parked in tcp_read; its socket closes (the server side reads EOF). */
#include "net_common.h"

#define TAG_READY 20
#define TAG_HANDLER 21

/* Connects, writes half of what it announced, tells the root, then waits forever. */
EXPORT(slow_client) void slow_client(int64_t root, int64_t port) {
  uint64_t stream = 0;
  if (connect_loopback(0, (uint16_t)port, 30000, &stream) != 0) return;
  char half[1000];
  memset(half, 'x', sizeof half);
  uint64_t error = 0;
  lunatic_tcp_write_all(stream, half, sizeof half, &error);
  lunatic_send_i64((uint64_t)root, TAG_READY, 1);
  int64_t never = 99;
  lunatic_receive(&never, 1, LUNATIC_NO_TIMEOUT);
}

/* Connects and reads; the root never writes, so it parks in tcp_read until it is killed. */
EXPORT(reader) void reader(int64_t root, int64_t port) {
  uint64_t stream = 0;
  if (connect_loopback(0, (uint16_t)port, 30000, &stream) != 0) return;
  lunatic_send_i64((uint64_t)root, TAG_READY, 1);
  char buffer[64];
  uint64_t n = 0;
  lunatic_tcp_read(stream, buffer, sizeof buffer, &n);
  lunatic_send_i64((uint64_t)root, TAG_READY, 2); /* never: it is killed first */
}

/* Gets a stream in a message, reads 2000 bytes (the client announced that much); reports
 * bytes read * 10 + how it ended (1 EOF, 2 error). */
EXPORT(handler) void handler(int64_t root) {
  int64_t tag = TAG_HANDLER;
  if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) return;
  uint64_t stream = lunatic_take_tcp_stream(0);
  char buffer[2000];
  int64_t total = 0, how = 0;
  while (total < 2000) {
    uint64_t n = 0;
    int32_t status = lunatic_tcp_read(stream, buffer, sizeof buffer, &n);
    if (status != 0) {
      how = 2;
      lunatic_error_drop(n);
      break;
    }
    if (n == 0) {
      how = 1;
      break;
    }
    total += (int64_t)n;
  }
  lunatic_drop_tcp_stream(stream);
  lunatic_send_i64((uint64_t)root, TAG_HANDLER, total * 10 + how);
}

static int client_case(uint64_t listener, uint16_t port) {
  uint64_t self = lunatic_process_id(), client = 0, h = 0;
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "slow_client", &client, 2, (int64_t)self,
                           (int64_t)port) == 0);
  uint64_t stream = 0, peer = 0;
  CHECK(lunatic_tcp_accept(listener, &stream, &peer) == 0);
  lunatic_drop_dns_iterator(peer);
  CHECK(lunatic_spawn_export(0, "handler", (int64_t)self, &h) == 0);
  lunatic_create_data(TAG_HANDLER, 0);
  lunatic_push_tcp_stream(stream);
  lunatic_send(h);
  int64_t v = 0;
  CHECK(lunatic_receive_i64(TAG_READY, 30000, &v) == LUNATIC_MESSAGE_DATA);
  lunatic_kill(client);
  CHECK(lunatic_receive_i64(TAG_HANDLER, 30000, &v) == LUNATIC_MESSAGE_DATA);
  printf("handler: %lld bytes, ended by %s\n", (long long)(v / 10),
         v % 10 == 1   ? "EOF"
         : v % 10 == 2 ? "error"
                       : "?");
  CHECK(v / 10 == 1000 && v % 10 != 0);
  /* The server still serves: a second client gets through. */
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "slow_client", &client, 2, (int64_t)self,
                           (int64_t)port) == 0);
  CHECK(lunatic_tcp_accept(listener, &stream, &peer) == 0);
  lunatic_drop_dns_iterator(peer);
  CHECK(lunatic_receive_i64(TAG_READY, 30000, &v) == LUNATIC_MESSAGE_DATA);
  char buffer[1000];
  CHECK(read_exact(stream, buffer, sizeof buffer) == 0);
  lunatic_kill(client);
  uint64_t n = 1;
  CHECK(lunatic_tcp_read(stream, buffer, sizeof buffer, &n) == 0 && n == 0);
  lunatic_drop_tcp_stream(stream);
  return check_result("client killed mid-transfer");
}

static int reader_case(uint64_t listener, uint16_t port) {
  uint64_t self = lunatic_process_id(), r = 0;
  CHECK(lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "reader", &r, 2, (int64_t)self,
                           (int64_t)port) == 0);
  uint64_t stream = 0, peer = 0;
  CHECK(lunatic_tcp_accept(listener, &stream, &peer) == 0);
  lunatic_drop_dns_iterator(peer);
  int64_t v = 0;
  CHECK(lunatic_receive_i64(TAG_READY, 30000, &v) == LUNATIC_MESSAGE_DATA && v == 1);
  /* Let it reach tcp_read and park (if it has not yet, the kill still closes its socket). */
  lunatic_sleep_ms(50);
  lunatic_monitor(30, r);
  lunatic_kill(r);
  CHECK(lunatic_receive_i64(30, 30000, &v) == LUNATIC_MESSAGE_PROCESS_DIED);
  char buffer[16];
  uint64_t n = 1;
  CHECK(lunatic_tcp_read(stream, buffer, sizeof buffer, &n) == 0 && n == 0);
  CHECK(lunatic_receive_i64(TAG_READY, 0, &v) == LUNATIC_TIMED_OUT);
  lunatic_drop_tcp_stream(stream);
  return check_result("reader killed in tcp_read");
}

int main(int argc, char** argv) {
  uint16_t port = 0;
  uint64_t listener = listen_loopback(0, &port);
  int rc = argc > 1 && strcmp(argv[1], "reader") == 0 ? reader_case(listener, port)
                                                      : client_case(listener, port);
  lunatic_drop_tcp_listener(listener);
  return rc;
}
