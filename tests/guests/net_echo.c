/* An echo server that spawns a process per connection and hands it the accepted stream in a
 * message; N client processes (default 100) each send their own bytes and check the echo.
 * Args: [clients] [v6]. */
#include "net_common.h"

#define TAG_STREAM 10
#define TAG_RESULT 11

/* One connection: the stream arrives in a message; echoes until the peer closes. */
EXPORT(echo_handler) void echo_handler(int64_t unused) {
  (void)unused;
  int64_t tag = TAG_STREAM;
  if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) return;
  uint64_t stream = lunatic_take_tcp_stream(0);
  char buffer[4096];
  for (;;) {
    uint64_t n = 0;
    if (lunatic_tcp_read(stream, buffer, sizeof buffer, &n) != 0 || n == 0) break;
    uint64_t error = 0;
    if (lunatic_tcp_write_all(stream, buffer, (size_t)n, &error) != 0) break;
  }
  lunatic_drop_tcp_stream(stream);
}

/* The bytes client `index` sends: its own, of a size that varies between clients. */
static size_t payload(int64_t index, char* out, size_t cap) {
  size_t len = 64 + (size_t)(index % 13) * 311;
  if (len > cap) len = cap;
  for (size_t i = 0; i < len; ++i) out[i] = (char)('a' + (index * 7 + (int64_t)i) % 26);
  return len;
}

/* One client: connects, sends, reads the echo back, reports 1 (all matched) or 0. */
EXPORT(echo_client) void echo_client(int64_t root, int64_t port, int64_t index, int64_t v6) {
  static char sent[4096], got[4096];
  int64_t ok = 0;
  uint64_t stream = 0;
  if (connect_loopback((int)v6, (uint16_t)port, 30000, &stream) == 0) {
    size_t len = payload(index, sent, sizeof sent);
    uint64_t error = 0;
    if (lunatic_tcp_write_all(stream, sent, len, &error) == 0 &&
        read_exact(stream, got, len) == 0 && memcmp(sent, got, len) == 0) {
      ok = 1;
    }
    lunatic_drop_tcp_stream(stream);
  } else {
    printf("client %lld: connect failed: %s\n", (long long)index, error_text(stream));
  }
  lunatic_send_i64((uint64_t)root, TAG_RESULT, ok);
}

int main(int argc, char** argv) {
  int clients = argc > 1 ? atoi(argv[1]) : 100;
  int v6 = argc > 2 && strcmp(argv[2], "v6") == 0;
  uint16_t port = 0;
  uint64_t listener = listen_loopback(v6, &port);
  CHECK(port != 0);
  uint64_t self = lunatic_process_id();
  for (int i = 0; i < clients; ++i) {
    uint64_t id = 0;
    if (lunatic_spawn_i64s(0, LUNATIC_SELF, LUNATIC_SELF, "echo_client", &id, 4, (int64_t)self,
                           (int64_t)port, (int64_t)i, (int64_t)v6) != 0) {
      printf("spawn client %d failed: %s\n", i, error_text(id));
      return 1;
    }
  }
  for (int i = 0; i < clients; ++i) {
    uint64_t stream = 0, peer = 0;
    if (lunatic_tcp_accept(listener, &stream, &peer) != 0) {
      printf("accept failed: %s\n", error_text(stream));
      return 1;
    }
    lunatic_drop_dns_iterator(peer);
    uint64_t handler = 0;
    if (lunatic_spawn_export(0, "echo_handler", 0, &handler) != 0) {
      printf("spawn handler failed: %s\n", error_text(handler));
      return 1;
    }
    lunatic_create_data(TAG_STREAM, 0);
    CHECK(lunatic_push_tcp_stream(stream) == 0);
    CHECK(lunatic_send(handler) == 0);
  }
  int ok = 0;
  for (int i = 0; i < clients; ++i) {
    int64_t result = 0;
    if (lunatic_receive_i64(TAG_RESULT, 60000, &result) != LUNATIC_MESSAGE_DATA) break;
    ok += (int)result;
  }
  CHECK(ok == clients);
  printf("echoed %d of %d clients\n", ok, clients);
  lunatic_drop_tcp_listener(listener);
  return check_result("echo");
}
