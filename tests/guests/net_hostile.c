/* Hostile lunatic::networking calls, one per run (argv[1]); each must trap with a clear
 * message: an unknown id, an id of another kind, a buffer outside memory, an address type
 * that is not 4 or 6, a ciovec array outside memory, a port past 65535, a name that is not
 * UTF-8, an out-pointer outside memory. */
#include "net_common.h"

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  char buffer[16];
  uint64_t n = 0;
  if (strcmp(what, "unknown_id") == 0) {
    lunatic_tcp_read(12345, buffer, sizeof buffer, &n);
  } else if (strcmp(what, "wrong_kind") == 0) {
    uint16_t port = 0;
    uint64_t listener = listen_loopback(0, &port);
    lunatic_tcp_read(listener, buffer, sizeof buffer, &n);
  } else if (strcmp(what, "bad_buffer") == 0) {
    uint16_t port = 0;
    (void)listen_loopback(0, &port);
    uint64_t stream = 0;
    connect_loopback(0, port, 5000, &stream);
    lunatic_tcp_read(stream, (void*)(uintptr_t)0xfffffff0u, 100, &n);
  } else if (strcmp(what, "addr_type") == 0) {
    uint64_t id = 0;
    lunatic_tcp_bind(5, kLoopback4, 0, 0, 0, &id);
  } else if (strcmp(what, "bad_address") == 0) {
    uint64_t id = 0;
    lunatic_tcp_connect(6, (const uint8_t*)(uintptr_t)0xfffffffcu, 80, 0, 0, 100, &id);
  } else if (strcmp(what, "huge_iovec_count") == 0) {
    uint16_t port = 0;
    (void)listen_loopback(0, &port);
    uint64_t stream = 0;
    connect_loopback(0, port, 5000, &stream);
    lunatic_ciovec one = {"x", 1};
    lunatic_tcp_write_vectored(stream, &one, 0x10000000u, &n);
  } else if (strcmp(what, "bad_utf8") == 0) {
    uint64_t id = 0;
    lunatic_resolve("\xff\xfe:80", 5, 1000, &id);
  } else if (strcmp(what, "bad_out_pointer") == 0) {
    lunatic_resolve("127.0.0.1:80", 12, 1000, (uint64_t*)(uintptr_t)0xfffffffcu);
  } else if (strcmp(what, "port") == 0) {
    uint64_t id = 0;
    lunatic_udp_bind(4, kLoopback4, 70000, 0, 0, &id);
  } else if (strcmp(what, "take_stream") == 0) {
    lunatic_create_data(1, 0);
    lunatic_send(lunatic_process_id());
    lunatic_receive(NULL, 0, 1000);
    lunatic_take_tcp_stream(0);
  } else {
    printf("unknown case '%s'\n", what);
    return 2;
  }
  printf("not trapped\n");
  return 0;
}
