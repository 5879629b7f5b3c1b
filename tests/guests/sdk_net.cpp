// C++ SDK networking (lunatic/networking.hpp): an echo server whose listener and streams travel
// in typed messages, connect errors, read timeouts, UDP, SocketAddr, moved-from and sent
// objects, sockets sent only from rvalues, bad usage. `sdk_net forged` sends a receiver
// messages claiming a stream they lack: decode errors, and the receiver keeps running.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "lunatic/lunatic.hpp"
#include "lunatic_check.h"

using namespace lunatic;
using namespace std::chrono_literals;

// A struct holding a stream, with a Serializer that says so (kHoldsResources), and one whose
// Serializer does not (the SDK finds out when encoding).
struct Job {
  int id = 0;
  lunatic::TcpStream stream;
};
struct UndeclaredJob {
  int id = 0;
  lunatic::TcpStream stream;
};
template <> struct lunatic::Serializer<Job> {
  static constexpr bool kHoldsResources = true;
  static void write(Writer& w, const Job& j) {
    serialize(w, j.id);
    serialize(w, j.stream);
  }
  static bool read(Reader& r, Job& j) { return deserialize(r, j.id) && deserialize(r, j.stream); }
};
template <> struct lunatic::Serializer<UndeclaredJob> {
  static void write(Writer& w, const UndeclaredJob& j) {
    serialize(w, j.id);
    serialize(w, j.stream);
  }
  static bool read(Reader& r, UndeclaredJob& j) {
    return deserialize(r, j.id) && deserialize(r, j.stream);
  }
};
static_assert(lunatic::kHoldsResources<Job> && !lunatic::kHoldsResources<UndeclaredJob>);
static_assert(lunatic::kHoldsResources<std::vector<std::optional<lunatic::UdpSocket>>>);
static_assert(lunatic::kHoldsResources<std::tuple<int, std::pair<std::string, Job>>>);
static_assert(!lunatic::kHoldsResources<std::pair<std::string, std::vector<int>>>);

namespace {

constexpr Tag kConnection(20);
constexpr Tag kDone(21);
constexpr Tag kForged(22);

// Echoes what it reads until the peer closes; the stream arrives in a message (with a number,
// as a struct holding a stream would).
void echo_worker(Process parent) {
  Result<std::pair<int, TcpStream>> got = Mailbox<std::pair<int, TcpStream>>().receive(kConnection);
  if (!got) return;
  TcpStream& stream = got->second;
  char buf[256];
  size_t echoed = 0;
  while (true) {
    Result<size_t> n = stream.read(buf, sizeof buf);
    if (!n || *n == 0) break;
    if (!stream.write_all(buf, *n)) break;
    echoed += *n;
  }
  (void)parent.send(std::make_pair(got->first, static_cast<uint64_t>(echoed)), kDone);
}

// Gets the listener as a spawn argument; accepts `clients` connections, each handed to a new
// worker in a message.
void acceptor(Process parent, TcpListener listener, int clients) {
  for (int i = 0; i < clients; ++i) {
    Result<std::pair<TcpStream, SocketAddr>> accepted = listener.accept();
    if (!accepted) return;
    Result<Process> worker = Process::spawn(echo_worker, parent);
    if (!worker) return;
    std::pair<int, TcpStream> message(i, std::move(accepted->first));
    (void)worker->send(std::move(message), kConnection);
    if (message.second.valid()) std::printf("sent stream still valid in the sender\n");
  }
}

void check_echo() {
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  CHECK(listener.ok());
  if (!listener) return;
  Result<SocketAddr> local = listener->local_addr();
  CHECK(local.ok() && local->port() != 0 && local->is_v4());
  const int kClients = 3;
  Result<Process> server =
      Process::spawn(acceptor, Process::self(), std::move(*listener), kClients);
  CHECK(server.ok());
  CHECK(!listener->valid());  // moved into the spawn's arguments
  std::string text[kClients];
  for (int i = 0; i < kClients; ++i) {
    Result<TcpStream> client = TcpStream::connect(*local, 5s);
    CHECK(client.ok());
    if (!client) return;
    Result<SocketAddr> peer = client->peer_addr();
    CHECK(peer.ok() && *peer == *local);
    text[i] = "hello from client " + std::to_string(i) + std::string(1000 * i, 'x');
    // One part per write_vectored buffer: "hello", then the rest.
    Result<size_t> n = client->write_vectored({std::string_view(text[i]).substr(0, 5)});
    CHECK(n.ok() && *n == 5);
    CHECK(client->write_all(std::string_view(text[i]).substr(5)).ok());
    std::string back(text[i].size(), '\0');
    CHECK(client->read_exact(back.data(), back.size()).ok());
    CHECK(back == text[i]);
    client->close();
  }
  Mailbox<std::pair<int, uint64_t>> done;
  int seen = 0;
  for (int i = 0; i < kClients; ++i) {
    Result<std::pair<int, uint64_t>> r = done.receive(kDone, 10s);
    CHECK(r.ok());
    if (!r) break;
    CHECK(r->second == text[r->first].size());
    seen |= 1 << r->first;
  }
  CHECK(seen == 7);
  std::printf("echoed %d clients through streams sent in messages\n", kClients);
}

void check_errors_and_timeouts() {
  // A closed port: the runtime's error text.
  Result<TcpListener> closed = TcpListener::bind(SocketAddr::localhost(0));
  CHECK(closed.ok());
  uint16_t port = closed->local_addr()->port();
  closed->close();
  Result<TcpStream> refused = TcpStream::connect(SocketAddr::localhost(port), 5s);
  CHECK(!refused.ok());
  if (!refused.ok()) {
    CHECK(refused.error().kind() == ErrorKind::host);
    std::printf("connect to a closed port: %s\n", refused.error().message().c_str());
  }

  // A read nobody answers: timed_out, distinguishable from other errors.
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  Result<TcpStream> client = TcpStream::connect(*listener->local_addr(), 5s);
  CHECK(client.ok());
  Result<std::pair<TcpStream, SocketAddr>> server_side = listener->accept();
  CHECK(server_side.ok());
  CHECK(*server_side->second.to_string().c_str() != '\0');
  client->set_read_timeout(30ms);
  CHECK(client->read_timeout().milliseconds() == 30);
  char byte = 0;
  Result<size_t> n = client->read(&byte, 1);
  CHECK(!n.ok() && n.error().kind() == ErrorKind::timed_out);
  if (!n.ok()) std::printf("read with nothing sent: %s\n", n.error().message().c_str());
  // A clone shares the connection: the peer's byte reaches it after the original is closed.
  TcpStream clone = client->clone();
  client->close();
  CHECK(server_side->first.write_all("z").ok());
  clone.set_read_timeout(5s);
  clone.set_peek_timeout(5s);
  n = clone.peek(&byte, 1);
  CHECK(n.ok() && *n == 1 && byte == 'z');
  byte = 0;
  n = clone.read(&byte, 1);
  CHECK(n.ok() && *n == 1 && byte == 'z');
  // The peer closing: a read of 0, and read_exact says how far it got.
  server_side->first.close();
  char two[2];
  Result<void> exact = clone.read_exact(two, 2);
  CHECK(!exact.ok());
  if (!exact.ok()) std::printf("%s\n", exact.error().message().c_str());
}

void check_udp() {
  Result<UdpSocket> a = UdpSocket::bind(SocketAddr::localhost(0));
  Result<UdpSocket> b = UdpSocket::bind(SocketAddr::localhost(0));
  CHECK(a.ok() && b.ok());
  if (!a || !b) return;
  SocketAddr a_addr = *a->local_addr(), b_addr = *b->local_addr();
  CHECK(a->send_to("ping", 4, b_addr).value_or(0) == 4);
  char buf[16] = {};
  Result<std::pair<size_t, SocketAddr>> got = b->receive_from(buf, sizeof buf);
  CHECK(got.ok() && got->first == 4 && std::memcmp(buf, "ping", 4) == 0);
  CHECK(got.ok() && got->second == a_addr);
  CHECK(b->connect(a_addr).ok());
  CHECK(b->peer_addr().ok() && *b->peer_addr() == a_addr);
  CHECK(b->send("pong!", 5).value_or(0) == 5);
  CHECK(a->receive(buf, sizeof buf).value_or(0) == 5 && std::memcmp(buf, "pong!", 5) == 0);
  b->set_ttl(7);
  CHECK(b->ttl() == 7);
  // A UDP socket in a message to oneself arrives bound and connected as it was.
  CHECK(Process::self().send(std::make_tuple(std::string("udp"), std::move(*b)), kConnection).ok());
  Result<std::tuple<std::string, UdpSocket>> moved =
      Mailbox<std::tuple<std::string, UdpSocket>>().receive(kConnection, 5s);
  CHECK(moved.ok() && std::get<1>(*moved).valid() && !b->valid());
  if (moved) {
    UdpSocket& again = std::get<1>(*moved);
    CHECK(again.local_addr().ok() && *again.local_addr() == b_addr);
    CHECK(again.send("x", 1).value_or(0) == 1);
    CHECK(a->receive(buf, sizeof buf).value_or(0) == 1 && buf[0] == 'x');
  }
  std::printf("udp round trip between %s and %s\n", a_addr.to_string().c_str(),
              b_addr.to_string().c_str());
}

void check_addresses() {
  std::optional<SocketAddr> v4 = SocketAddr::parse("10.0.200.3:8080");
  CHECK(v4 && v4->is_v4() && v4->port() == 8080 && v4->to_string() == "10.0.200.3:8080");
  std::optional<SocketAddr> v6 = SocketAddr::parse("[2001:db8::1]:443");
  CHECK(v6 && v6->is_v6() && v6->port() == 443 && v6->to_string() == "[2001:db8::1]:443");
  CHECK(SocketAddr::parse("[::1]:1")->to_string() == "[::1]:1");
  CHECK(SocketAddr::parse("[::]:0")->to_string() == "[::]:0");
  CHECK(SocketAddr::parse("[1:0:0:2:0:0:0:3]:9")->to_string() == "[1:0:0:2::3]:9");
  for (const char* bad : {"", "1.2.3.4", "1.2.3:80", "256.1.1.1:80", "1.2.3.4:65536", "[::1]80",
                          "[1::2::3]:80", "[12345::]:80", "[1:2:3:4:5:6:7:8:9]:1", "a.b.c.d:1"}) {
    if (SocketAddr::parse(bad)) std::printf("parsed \"%s\"\n", bad);
    CHECK(!SocketAddr::parse(bad));
  }
  Result<std::vector<SocketAddr>> local = resolve("localhost:80", 5s);
  CHECK(local.ok() && !local->empty() && local->front().port() == 80);
  Result<std::vector<SocketAddr>> bad = resolve("no port here", 5s);
  CHECK(!bad.ok() && bad.error().kind() == ErrorKind::host);
}

void check_moved_and_misuse() {
  Result<UdpSocket> socket = UdpSocket::bind(SocketAddr::localhost(0));
  CHECK(socket.ok());
  UdpSocket moved = std::move(*socket);
  CHECK(moved.valid() && !socket->valid());
  char buf[4];
  Result<size_t> n = socket->receive(buf, sizeof buf);
  CHECK(!n.ok() && n.error().kind() == ErrorKind::usage);
  if (!n.ok()) std::printf("receive on a moved-from socket: %s\n", n.error().message().c_str());
  CHECK(socket->local_addr().error().kind() == ErrorKind::usage);
  CHECK(!socket->clone().valid());
  *socket = std::move(moved);  // assigning back closes nothing and works
  CHECK(socket->local_addr().ok());

  TcpStream empty;
  CHECK(empty.write_all("x").error().kind() == ErrorKind::usage);
  CHECK(empty.read_exact(buf, 1).error().kind() == ErrorKind::usage);
  CHECK(empty.flush().error().kind() == ErrorKind::usage);
  TcpListener no_listener;
  CHECK(no_listener.accept().error().kind() == ErrorKind::usage);

  // An empty stream travels as none and arrives empty; a message to oneself round-trips.
  CHECK(Process::self().send(std::make_pair(1, TcpStream()), kConnection).ok());
  Result<std::pair<int, TcpStream>> got =
      Mailbox<std::pair<int, TcpStream>>().receive(kConnection, 5s);
  CHECK(got.ok() && got->first == 1 && !got->second.valid());

  // A stream sent to oneself arrives working.
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  Result<TcpStream> client = TcpStream::connect(*listener->local_addr(), 5s);
  CHECK(client.ok());
  CHECK(Process::self().send(std::move(*client), kConnection).ok());
  CHECK(!client->valid());
  Result<TcpStream> back = Mailbox<TcpStream>().receive(kConnection, 5s);
  CHECK(back.ok() && back->valid() && back->peer_addr().ok());

  // Outside a message a stream cannot be decoded (to_bytes closes it: nothing to carry it).
  std::vector<uint8_t> bytes = to_bytes(std::move(*back));
  CHECK(!back->valid());
  CHECK(!from_bytes<TcpStream>(bytes.data(), bytes.size()).has_value());

  // A forged index (not the next one) is a decode error, not a trap.
  uint8_t forged[5] = {1, 7, 0, 0, 0};
  CHECK(lunatic_send_bytes(lunatic_process_id(), kForged.value(), forged, sizeof forged) == 0);
  Result<TcpStream> bad = Mailbox<TcpStream>().receive(kForged, 5s);
  CHECK(!bad.ok() && bad.error().kind() == ErrorKind::decode);

  // Too many parts for one vectored write.
  std::vector<std::string_view> parts(LUNATIC_MAX_CIOVECS + 1, "a");
  Result<TcpStream> other = TcpStream::connect(*listener->local_addr(), 5s);
  Result<size_t> w = other->write_vectored(parts.data(), parts.size());
  CHECK(!w.ok() && w.error().kind() == ErrorKind::usage);
  if (!w.ok()) std::printf("%s\n", w.error().message().c_str());
}

// Sockets move only out of rvalues: a Job sent with std::move arrives working and leaves the
// sender's empty; an UndeclaredJob sent as an lvalue is refused, and its stream stays.
void check_rvalue_only() {
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  CHECK(listener.ok());
  if (!listener) return;
  Result<TcpStream> client = TcpStream::connect(*listener->local_addr(), 5s);
  Result<std::pair<TcpStream, SocketAddr>> accepted = listener->accept();
  CHECK(client.ok() && accepted.ok());
  if (!client || !accepted) return;

  UndeclaredJob undeclared{7, std::move(accepted->first)};
  Result<void> refused = Process::self().send(undeclared, kConnection);
  CHECK(!refused.ok() && refused.error().kind() == ErrorKind::usage);
  if (!refused.ok()) std::printf("lvalue with a socket: %s\n", refused.error().message().c_str());
  CHECK(undeclared.stream.valid() && undeclared.stream.peer_addr().ok());
  CHECK(Process::self().send_after(undeclared, kConnection, 1ms) == 0);
  CHECK(undeclared.stream.valid());
  CHECK(!Mailbox<UndeclaredJob>().receive(kConnection, 50ms).ok());  // nothing was sent

  Job job{8, std::move(undeclared.stream)};
  CHECK(Process::self().send(std::move(job), kConnection).ok());
  CHECK(!job.stream.valid());
  Result<Job> back = Mailbox<Job>().receive(kConnection, 5s);
  CHECK(back.ok() && back->id == 8 && back->stream.valid());
  if (back) CHECK(back->stream.write_all("ok").ok());
  char buf[2] = {};
  CHECK(client->read_exact(buf, 2).ok() && std::memcmp(buf, "ok", 2) == 0);

  // The run-time check refuses only a socket it meets: an empty stream is sent (as none).
  UndeclaredJob no_stream{10, TcpStream()};
  CHECK(Process::self().send(no_stream, kConnection).ok());
  Result<UndeclaredJob> got = Mailbox<UndeclaredJob>().receive(kConnection, 5s);
  CHECK(got.ok() && got->id == 10 && !got->stream.valid());
}

// The peer of `client` sees the connection closed (a read of 0), within 5 s.
bool peer_sees_close(TcpStream& client) {
  client.set_read_timeout(5s);
  char byte = 0;
  Result<size_t> n = client.read(&byte, 1);
  return n.ok() && *n == 0;
}

void check_ipv6_names_and_lost_sockets() {
  // IPv6 loopback, and connect by name.
  uint8_t loopback6[16] = {};
  loopback6[15] = 1;
  Result<TcpListener> v6 = TcpListener::bind(SocketAddr::v6(loopback6, 0));
  CHECK(v6.ok());
  if (v6) {
    SocketAddr at = *v6->local_addr();
    CHECK(at.is_v6() && at.to_string().rfind("[::1]:", 0) == 0);
    Result<TcpStream> c = TcpStream::connect(at, 5s);
    CHECK(c.ok() && c->local_addr().ok() && c->local_addr()->is_v6());
  }
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  uint16_t port = listener->local_addr()->port();
  Result<TcpStream> by_name = TcpStream::connect("localhost:" + std::to_string(port), 5s);
  CHECK(by_name.ok());

  // A stream sent to a process that does not exist is dropped with the message: its peer sees
  // the connection close (nothing leaks in the sender either: its object is empty).
  Result<std::pair<TcpStream, SocketAddr>> accepted = listener->accept();
  CHECK(accepted.ok());
  Result<void> sent = Process(987654321).send(std::move(accepted->first), kConnection);
  CHECK(!sent.ok() && sent.error().kind() == ErrorKind::no_process);
  CHECK(!accepted->first.valid());
  CHECK(peer_sees_close(*by_name));

  // Encoding a stream outside a message closes it.
  Result<TcpStream> other = TcpStream::connect(*listener->local_addr(), 5s);
  Result<std::pair<TcpStream, SocketAddr>> other_side = listener->accept();
  CHECK(other.ok() && other_side.ok());
  (void)to_bytes(std::make_pair(std::string("x"), std::move(other_side->first)));
  CHECK(peer_sees_close(*other));
}

// Receives three messages that should hold a stream and reports, for each, "stream" or the
// error kind, then reads from the stream it got: it is still running and working.
constexpr Tag kReport(23);
void stream_receiver(Process parent) {
  std::optional<TcpStream> kept;
  for (int i = 0; i < 3; ++i) {
    Result<TcpStream> got = Mailbox<TcpStream>().receive(kForged, 5s);
    if (!got) std::printf("receiver: %s\n", got.error().message().c_str());
    const char* what = got.ok()                                  ? "stream"
                       : got.error().kind() == ErrorKind::decode ? "decode"
                                                                 : "other";
    if (got) kept = std::move(*got);
    (void)parent.send(std::string(what), kReport);
  }
  char byte = 0;
  bool read = kept && kept->read_exact(&byte, 1).ok() && byte == 'z';
  (void)parent.send(std::string(read ? "read" : "no read"), kReport);
}

// Hand-forged messages to a receiver that decodes them as a TcpStream: one claiming stream
// index 0 but carrying no resource, one carrying a UDP socket where a stream is claimed. Each
// is a decode error in the receiver (lunatic::message::resource_kind is checked before the
// take, which would trap), and the receiver keeps running: a real stream then works.
int forged() {
  Result<Process> receiver = Process::spawn(stream_receiver, Process::self());
  CHECK(receiver.ok());
  if (!receiver) return check_result("forged");
  uint8_t bytes[5] = {1, 0, 0, 0, 0};  // [present][index 0]: a stream that is not there
  CHECK(lunatic_send_bytes(receiver->id(), kForged.value(), bytes, sizeof bytes) == 0);
  Result<UdpSocket> udp = UdpSocket::bind(SocketAddr::localhost(0));
  CHECK(udp.ok());
  if (udp) CHECK(receiver->send(std::move(*udp), kForged).ok());  // encoded as a stream is

  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  CHECK(listener.ok());
  if (!listener) return check_result("forged");
  Result<TcpStream> client = TcpStream::connect(*listener->local_addr(), 5s);
  Result<std::pair<TcpStream, SocketAddr>> server_side = listener->accept();
  CHECK(client.ok() && server_side.ok());
  if (!client || !server_side) return check_result("forged");
  CHECK(receiver->send(std::move(server_side->first), kForged).ok());
  CHECK(client->write_all(std::string_view("z")).ok());

  const char* expected[] = {"decode", "decode", "stream", "read"};
  for (const char* e : expected) {
    Result<std::string> report = Mailbox<std::string>().receive(kReport, 5s);
    CHECK(report.ok() && *report == e);
  }
  return check_result("forged");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "forged") == 0) return forged();
  check_addresses();
  check_echo();
  check_errors_and_timeouts();
  check_udp();
  check_moved_and_misuse();
  check_rvalue_only();
  check_ipv6_names_and_lost_sockets();
  return check_result("sdk_net");
}
