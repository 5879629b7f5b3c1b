/* lunatic::networking one call at a time: resolve and its iterator, connect to a closed port
 * (an error id with a message), timeouts (9027), peek, clone, vectored writes, addresses, UDP,
 * and resources moving in messages. */
#include "net_common.h"

static void check_resolve(void) {
  uint64_t it = 0;
  const char* name = "127.0.0.1:8080";
  CHECK(lunatic_resolve(name, strlen(name), 1000, &it) == 0);
  uint32_t type = 0, flow = 1, scope = 1;
  uint8_t addr[16];
  uint16_t port = 0;
  CHECK(lunatic_resolve_next(it, &type, addr, &port, &flow, &scope) == 0);
  CHECK(type == 4 && memcmp(addr, kLoopback4, 4) == 0 && port == 8080 && flow == 0);
  CHECK(lunatic_resolve_next(it, &type, addr, &port, &flow, &scope) == 1);
  lunatic_drop_dns_iterator(it);

  name = "[::1]:443";
  CHECK(lunatic_resolve(name, strlen(name), LUNATIC_NO_TIMEOUT, &it) == 0);
  CHECK(lunatic_resolve_next(it, &type, addr, &port, &flow, &scope) == 0);
  CHECK(type == 6 && memcmp(addr, kLoopback6, 16) == 0 && port == 443);
  lunatic_drop_dns_iterator(it);

  /* A name goes to the resolver threads (the process parks meanwhile). */
  name = "localhost:7";
  CHECK(lunatic_resolve(name, strlen(name), 30000, &it) == 0);
  int found = 0;
  while (lunatic_resolve_next(it, &type, addr, &port, &flow, &scope) == 0) {
    CHECK(port == 7);
    found += (type == 4 && memcmp(addr, kLoopback4, 4) == 0) ||
             (type == 6 && memcmp(addr, kLoopback6, 16) == 0);
  }
  CHECK(found >= 1);
  lunatic_drop_dns_iterator(it);

  static char long_name[600];
  memset(long_name, 'a', sizeof long_name);
  memcpy(long_name + sizeof long_name - 3, ":80", 3);
  CHECK(lunatic_resolve(long_name, sizeof long_name, 1000, &it) == 1);
  CHECK(strstr(error_text(it), "name longer than 512") != NULL);

  name = "no-port-here";
  CHECK(lunatic_resolve(name, strlen(name), 1000, &it) == 1);
  const char* text = error_text(it);
  printf("resolve without a port: %s\n", text);
  CHECK(strstr(text, "not host:port") != NULL);
}

static void check_refused(void) {
  uint16_t port = 0;
  uint64_t listener = listen_loopback(0, &port);
  lunatic_drop_tcp_listener(listener); /* nobody listens there any more */
  uint64_t stream = 0;
  CHECK(connect_loopback(0, port, 5000, &stream) == 1);
  const char* text = error_text(stream);
  printf("connect to a closed port: %s\n", text);
  CHECK(strstr(text, "Connection refused") != NULL);
}

/* A connected pair over a fresh listener (client side, server side). */
static void pair(int v6, uint64_t* client, uint64_t* server) {
  uint16_t port = 0;
  uint64_t listener = listen_loopback(v6, &port);
  /* connect first: the handshake completes in the kernel's backlog, accept then finds it. */
  CHECK(connect_loopback(v6, port, 5000, client) == 0);
  uint64_t peer = 0;
  CHECK(lunatic_tcp_accept(listener, server, &peer) == 0);
  uint32_t type = 0, flow = 0, scope = 0;
  uint8_t addr[16];
  uint16_t peer_port = 0;
  CHECK(lunatic_resolve_next(peer, &type, addr, &peer_port, &flow, &scope) == 0);
  CHECK(type == (v6 ? 6u : 4u) && peer_port != 0);
  lunatic_drop_dns_iterator(peer);
  lunatic_drop_tcp_listener(listener);
}

static void check_timeouts(void) {
  uint64_t client = 0, server = 0;
  pair(0, &client, &server);
  CHECK(lunatic_get_read_timeout(client) == LUNATIC_NO_TIMEOUT);
  lunatic_set_read_timeout(client, 30);
  CHECK(lunatic_get_read_timeout(client) == 30);
  char buffer[16];
  uint64_t n = 0;
  CHECK(lunatic_tcp_read(client, buffer, sizeof buffer, &n) == LUNATIC_TIMED_OUT);
  lunatic_set_peek_timeout(client, 0);
  CHECK(lunatic_get_peek_timeout(client) == 0);
  CHECK(lunatic_tcp_peek(client, buffer, sizeof buffer, &n) == LUNATIC_TIMED_OUT);
  /* The peer never reads: once the socket buffers are full, a write times out. */
  lunatic_set_write_timeout(client, 50);
  CHECK(lunatic_get_write_timeout(client) == 50);
  static char chunk[65536];
  int32_t status = 0;
  for (int i = 0; i < 4096 && status == 0; ++i) {
    lunatic_ciovec v = {chunk, sizeof chunk};
    status = lunatic_tcp_write_vectored(client, &v, 1, &n);
  }
  CHECK(status == LUNATIC_TIMED_OUT);
  /* The timeouts belong to the stream: a clone sees them. */
  uint64_t clone = lunatic_clone_tcp_stream(client);
  CHECK(lunatic_get_read_timeout(clone) == 30);
  lunatic_drop_tcp_stream(clone);
  lunatic_drop_tcp_stream(client);
  lunatic_drop_tcp_stream(server);
  /* A connect that may not wait at all times out unless the kernel finished at once. */
  uint16_t port = 0;
  uint64_t listener = listen_loopback(0, &port);
  uint64_t stream = 0;
  status = connect_loopback(0, port, 0, &stream);
  CHECK(status == 0 || status == LUNATIC_TIMED_OUT);
  if (status == 0) lunatic_drop_tcp_stream(stream);
  lunatic_drop_tcp_listener(listener);
}

static void check_data(int v6) {
  uint64_t client = 0, server = 0;
  pair(v6, &client, &server);
  lunatic_ciovec parts[3] = {{"hel", 3}, {"", 0}, {"lo", 2}};
  uint64_t n = 0;
  CHECK(lunatic_tcp_write_vectored(client, parts, 3, &n) == 0 && n == 5);
  uint64_t error = 0;
  CHECK(lunatic_tcp_flush(client, &error) == 0);
  char buffer[16] = {0};
  CHECK(lunatic_tcp_peek(server, buffer, 5, &n) == 0 && n >= 1);
  CHECK(read_exact(server, buffer, 5) == 0 && memcmp(buffer, "hello", 5) == 0);
  /* A clone writes to the same connection; dropping the original keeps it open. */
  uint64_t clone = lunatic_clone_tcp_stream(server);
  lunatic_drop_tcp_stream(server);
  CHECK(lunatic_tcp_write_all(clone, "back", 4, &error) == 0);
  CHECK(read_exact(client, buffer, 4) == 0 && memcmp(buffer, "back", 4) == 0);
  uint64_t it = 0;
  uint32_t type = 0, flow = 0, scope = 0;
  uint8_t addr[16];
  uint16_t local_port = 0, peer_port = 0;
  CHECK(lunatic_tcp_stream_local_addr(client, &it) == 0);
  CHECK(lunatic_resolve_next(it, &type, addr, &local_port, &flow, &scope) == 0);
  lunatic_drop_dns_iterator(it);
  CHECK(lunatic_tcp_peer_addr(clone, &it) == 0);
  CHECK(lunatic_resolve_next(it, &type, addr, &peer_port, &flow, &scope) == 0);
  lunatic_drop_dns_iterator(it);
  CHECK(local_port == peer_port && type == (v6 ? 6u : 4u));
  /* The last handle closes the connection: the other side reads EOF. */
  lunatic_drop_tcp_stream(clone);
  CHECK(lunatic_tcp_read(client, buffer, sizeof buffer, &n) == 0 && n == 0);
  /* Too many ciovecs is an error, not a trap. */
  static lunatic_ciovec many[LUNATIC_MAX_CIOVECS + 1];
  CHECK(lunatic_tcp_write_vectored(client, many, LUNATIC_MAX_CIOVECS + 1, &n) == 1);
  printf("too many ciovecs: %s\n", error_text(n));
  lunatic_drop_tcp_stream(client);
}

/* A process that receives a UDP socket in a message and echoes one datagram back. */
EXPORT(udp_echo) void udp_echo(int64_t unused) {
  (void)unused;
  int64_t tag = 40;
  if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) return;
  uint64_t socket = lunatic_take_udp_socket(0);
  char buffer[64];
  uint64_t n = 0, from = 0;
  if (lunatic_udp_receive_from(socket, buffer, sizeof buffer, &n, &from) != 0) return;
  uint32_t type = 0, flow = 0, scope = 0;
  uint8_t addr[16];
  uint16_t port = 0;
  lunatic_resolve_next(from, &type, addr, &port, &flow, &scope);
  lunatic_drop_dns_iterator(from);
  uint64_t sent = 0;
  lunatic_udp_send_to(socket, buffer, (size_t)n, type, addr, port, flow, scope, &sent);
}

static uint16_t udp_port(uint64_t socket) {
  uint64_t it = 0;
  CHECK(lunatic_udp_local_addr(socket, &it) == 0);
  return lunatic_iterator_port(it);
}

static void check_udp(void) {
  uint64_t a = 0, b = 0;
  CHECK(lunatic_udp_bind(4, kLoopback4, 0, 0, 0, &a) == 0);
  CHECK(lunatic_udp_bind(4, kLoopback4, 0, 0, 0, &b) == 0);
  uint16_t port_a = udp_port(a), port_b = udp_port(b);
  CHECK(port_a != 0 && port_b != 0 && port_a != port_b);
  /* b moves to another process that echoes what a sends. */
  uint64_t echo = 0;
  CHECK(lunatic_spawn_export(0, "udp_echo", 0, &echo) == 0);
  lunatic_create_data(40, 0);
  CHECK(lunatic_push_udp_socket(b) == 0);
  CHECK(lunatic_send(echo) == 0);
  uint64_t error = 0;
  CHECK(lunatic_udp_connect(a, 4, kLoopback4, port_b, 0, 0, 1000, &error) == 0);
  uint64_t n = 0;
  CHECK(lunatic_udp_send(a, "ping", 4, &n) == 0 && n == 4);
  char buffer[16];
  CHECK(lunatic_udp_receive(a, buffer, sizeof buffer, &n) == 0 && n == 4);
  CHECK(memcmp(buffer, "ping", 4) == 0);
  uint64_t it = 0;
  CHECK(lunatic_udp_peer_addr(a, &it) == 0);
  CHECK(lunatic_iterator_port(it) == port_b);
  lunatic_set_udp_socket_ttl(a, 17);
  CHECK(lunatic_get_udp_socket_ttl(a) == 17);
  CHECK(lunatic_get_udp_socket_broadcast(a) == 0);
  lunatic_set_udp_socket_broadcast(a, 1);
  CHECK(lunatic_get_udp_socket_broadcast(a) == 1);
  uint64_t clone = lunatic_clone_udp_socket(a);
  CHECK(udp_port(clone) == port_a);
  lunatic_drop_udp_socket(clone);
  lunatic_drop_udp_socket(a);
}

/* A listener moved to another process, which accepts one connection and says hello. */
EXPORT(greeter) void greeter(int64_t unused) {
  (void)unused;
  int64_t tag = 41;
  if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) return;
  uint64_t listener = lunatic_take_tcp_listener(0);
  uint64_t stream = 0, peer = 0;
  if (lunatic_tcp_accept(listener, &stream, &peer) != 0) return;
  uint64_t error = 0;
  lunatic_tcp_write_all(stream, "hi", 2, &error);
  lunatic_drop_tcp_stream(stream);
}

static void check_listener_message(void) {
  uint16_t port = 0;
  uint64_t listener = listen_loopback(0, &port);
  uint64_t g = 0;
  CHECK(lunatic_spawn_export(0, "greeter", 0, &g) == 0);
  lunatic_create_data(41, 0);
  CHECK(lunatic_push_tcp_listener(listener) == 0);
  CHECK(lunatic_send(g) == 0);
  uint64_t stream = 0;
  CHECK(connect_loopback(0, port, 5000, &stream) == 0);
  char buffer[2];
  CHECK(read_exact(stream, buffer, 2) == 0 && memcmp(buffer, "hi", 2) == 0);
  lunatic_drop_tcp_stream(stream);
}

int main(void) {
  check_resolve();
  check_refused();
  check_timeouts();
  check_data(0);
  check_data(1);
  check_udp();
  check_listener_message();
  return check_result("networking");
}
