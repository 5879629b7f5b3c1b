// lunatic C++ SDK: TcpListener, TcpStream and UdpSocket over lunatic/networking.h. Each owns
// its host handle (move-only, dropped on destruction); waits park the process, never a thread;
// each can travel inside a typed message (Serializer below: the handle moves with it).
#ifndef LUNATIC_NETWORKING_HPP
#define LUNATIC_NETWORKING_HPP

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lunatic/message.h"
#include "lunatic/networking.h"
#include "lunatic/resource_handle.hpp"
#include "lunatic/result.hpp"
#include "lunatic/serialize.hpp"
#include "lunatic/socket_addr.hpp"
#include "lunatic/tag.hpp"

namespace lunatic {

namespace detail {

/// The Error of a call on an object without a handle (moved from, sent, or default-made).
inline Error empty_handle(const char* type) {
  return Error(ErrorKind::usage, std::string(type) + " is empty (moved from, or sent away)");
}

/// The count of an i/o call that returned `status` with `result` (a count, or an error id).
inline Result<size_t> transfer(int32_t status, uint64_t result, const char* what) {
  if (status != 0) return net_error(status, result, what);
  return static_cast<size_t>(result);
}

}  // namespace detail

/// A TCP connection. Reads and writes wait (parked) up to the stream's timeouts; a timeout is an
/// Error of kind timed_out, other failures carry the runtime's text ("connect: Connection
/// refused"). Calls on an empty stream (moved from, sent) fail with kind usage.
class TcpStream {
 public:
  /// An empty stream (as after a move).
  TcpStream() = default;
  /// Owns stream id `id` (from the C ABI).
  static TcpStream from_id(uint64_t id) { return TcpStream(id); }

  /// Connects to `addr` within `timeout`.
  static Result<TcpStream> connect(const SocketAddr& addr, Timeout timeout = Timeout::forever()) {
    uint64_t id = 0;
    int32_t status = lunatic_tcp_connect(addr.type(), addr.bytes(), addr.port(), addr.flow_info(),
                                         addr.scope_id(), timeout.milliseconds(), &id);
    if (status != 0) return detail::net_error(status, id, "connect");
    return TcpStream(id);
  }
  /// Resolves "host:port" and connects to the first address that answers (its error if none).
  static Result<TcpStream> connect(std::string_view name, Timeout timeout = Timeout::forever()) {
    Result<std::vector<SocketAddr>> addrs = resolve(name, timeout);
    if (!addrs) return addrs.error();
    std::optional<Error> last;
    for (const SocketAddr& a : *addrs) {
      Result<TcpStream> s = connect(a, timeout);
      if (s) return s;
      last = s.error();
    }
    return last ? *last : Error(ErrorKind::host, "resolve: no address for " + std::string(name));
  }

  bool valid() const { return handle_.id() != 0; }
  explicit operator bool() const { return valid(); }
  uint64_t id() const { return handle_.id(); }

  /// Reads what is available (at least one byte; 0 means the peer closed), into `data`.
  Result<size_t> read(void* data, size_t size) {
    if (!valid()) return detail::empty_handle("TcpStream");
    uint64_t n = 0;
    return detail::transfer(lunatic_tcp_read(id(), data, size, &n), n, "read");
  }
  /// As read, but the bytes stay for the next read.
  Result<size_t> peek(void* data, size_t size) {
    if (!valid()) return detail::empty_handle("TcpStream");
    uint64_t n = 0;
    return detail::transfer(lunatic_tcp_peek(id(), data, size, &n), n, "peek");
  }
  /// Reads exactly `size` bytes; the peer closing first is an error.
  Result<void> read_exact(void* data, size_t size) {
    auto* p = static_cast<uint8_t*>(data);
    size_t done = 0;
    while (done < size) {
      Result<size_t> n = read(p + done, size - done);
      if (!n) return n.error();
      if (*n == 0) {
        return Error(ErrorKind::host, "read_exact: the peer closed after " + std::to_string(done) +
                                          " of " + std::to_string(size) + " bytes");
      }
      done += *n;
    }
    return {};
  }
  /// Writes what the socket takes (at least one byte; may be short).
  Result<size_t> write(const void* data, size_t size) {
    return write_vectored({std::string_view(static_cast<const char*>(data), size)});
  }
  /// Writes the parts in order in one call (may be short: the count says how far it got).
  /// At most LUNATIC_MAX_CIOVECS parts, each under 4 GiB.
  Result<size_t> write_vectored(std::initializer_list<std::string_view> parts) {
    return write_vectored(parts.begin(), parts.size());
  }
  Result<size_t> write_vectored(const std::string_view* parts, size_t count) {
    if (!valid()) return detail::empty_handle("TcpStream");
    if (count > LUNATIC_MAX_CIOVECS) {
      return Error(ErrorKind::usage,
                   "write_vectored: more than " + std::to_string(LUNATIC_MAX_CIOVECS) + " parts");
    }
    std::vector<lunatic_ciovec> vecs;
    vecs.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (parts[i].size() > UINT32_MAX)
        return Error(ErrorKind::usage, "write_vectored: part too big");
      vecs.push_back({parts[i].data(), static_cast<uint32_t>(parts[i].size())});
    }
    uint64_t n = 0;
    return detail::transfer(lunatic_tcp_write_vectored(id(), vecs.data(), vecs.size(), &n), n,
                            "write");
  }
  /// Writes all of `data` (looping over short writes).
  Result<void> write_all(const void* data, size_t size) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
      size_t chunk = size > 0x40000000u ? 0x40000000u : size;
      Result<size_t> n = write(p, chunk);
      if (!n) return n.error();
      p += *n;
      size -= *n;
    }
    return {};
  }
  Result<void> write_all(std::string_view text) { return write_all(text.data(), text.size()); }
  /// Nothing to do (the host does not buffer writes); an error only for an empty stream.
  Result<void> flush() {
    if (!valid()) return detail::empty_handle("TcpStream");
    uint64_t error = 0;
    if (lunatic_tcp_flush(id(), &error) != 0) return Error::from_host(error);
    return {};
  }

  /// Timeouts of read / write / peek (forever by default), shared by every clone.
  void set_read_timeout(Timeout t) {
    if (valid()) lunatic_set_read_timeout(id(), t.milliseconds());
  }
  void set_write_timeout(Timeout t) {
    if (valid()) lunatic_set_write_timeout(id(), t.milliseconds());
  }
  void set_peek_timeout(Timeout t) {
    if (valid()) lunatic_set_peek_timeout(id(), t.milliseconds());
  }
  Timeout read_timeout() const { return Timeout::ms(valid() ? lunatic_get_read_timeout(id()) : 0); }
  Timeout write_timeout() const {
    return Timeout::ms(valid() ? lunatic_get_write_timeout(id()) : 0);
  }
  Timeout peek_timeout() const { return Timeout::ms(valid() ? lunatic_get_peek_timeout(id()) : 0); }

  Result<SocketAddr> peer_addr() const {
    if (!valid()) return detail::empty_handle("TcpStream");
    uint64_t it = 0;
    return detail::first_address(lunatic_tcp_peer_addr(id(), &it), it);
  }
  Result<SocketAddr> local_addr() const {
    if (!valid()) return detail::empty_handle("TcpStream");
    uint64_t it = 0;
    return detail::first_address(lunatic_tcp_stream_local_addr(id(), &it), it);
  }

  /// Another handle to the same connection (it closes with the last handle); empty if this
  /// one is.
  TcpStream clone() const {
    return valid() ? TcpStream(lunatic_clone_tcp_stream(id())) : TcpStream();
  }

  /// Closes this handle now (as destruction does).
  void close() { handle_.reset(); }

 private:
  template <class S, int32_t K, int64_t (*P)(uint64_t), uint64_t (*T)(uint64_t),
            void (*D)(uint64_t)>
  friend struct detail::ResourceSerializer;
  explicit TcpStream(uint64_t id) : handle_(id) {}
  detail::Handle<&lunatic_drop_tcp_stream> handle_;
};

/// A TCP listener.
class TcpListener {
 public:
  TcpListener() = default;

  /// Listens on `addr` (port 0: any free port, see local_addr).
  static Result<TcpListener> bind(const SocketAddr& addr) {
    uint64_t id = 0;
    if (lunatic_tcp_bind(addr.type(), addr.bytes(), addr.port(), addr.flow_info(), addr.scope_id(),
                         &id) != 0) {
      return Error::from_host(id);
    }
    return TcpListener(id);
  }

  bool valid() const { return handle_.id() != 0; }
  explicit operator bool() const { return valid(); }
  uint64_t id() const { return handle_.id(); }

  /// Waits for the next connection: the stream and the peer's address.
  Result<std::pair<TcpStream, SocketAddr>> accept() {
    if (!valid()) return detail::empty_handle("TcpListener");
    uint64_t stream = 0, it = 0;
    if (lunatic_tcp_accept(id(), &stream, &it) != 0) return Error::from_host(stream);
    std::vector<SocketAddr> peer = detail::drain_iterator(it);
    return std::pair<TcpStream, SocketAddr>(TcpStream::from_id(stream),
                                            peer.empty() ? SocketAddr() : peer.front());
  }

  /// The bound address (its port when bound to port 0).
  Result<SocketAddr> local_addr() const {
    if (!valid()) return detail::empty_handle("TcpListener");
    uint64_t it = 0;
    return detail::first_address(lunatic_tcp_local_addr(id(), &it), it);
  }

  void close() { handle_.reset(); }

 private:
  template <class S, int32_t K, int64_t (*P)(uint64_t), uint64_t (*T)(uint64_t),
            void (*D)(uint64_t)>
  friend struct detail::ResourceSerializer;
  explicit TcpListener(uint64_t id) : handle_(id) {}
  detail::Handle<&lunatic_drop_tcp_listener> handle_;
};

/// A UDP socket.
class UdpSocket {
 public:
  UdpSocket() = default;

  static Result<UdpSocket> bind(const SocketAddr& addr) {
    uint64_t id = 0;
    if (lunatic_udp_bind(addr.type(), addr.bytes(), addr.port(), addr.flow_info(), addr.scope_id(),
                         &id) != 0) {
      return Error::from_host(id);
    }
    return UdpSocket(id);
  }

  bool valid() const { return handle_.id() != 0; }
  explicit operator bool() const { return valid(); }
  uint64_t id() const { return handle_.id(); }

  /// Sets the default peer of send / receive.
  Result<void> connect(const SocketAddr& addr) {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t error = 0;
    if (lunatic_udp_connect(id(), addr.type(), addr.bytes(), addr.port(), addr.flow_info(),
                            addr.scope_id(), 0, &error) != 0) {
      return Error::from_host(error);
    }
    return {};
  }
  /// Sends one datagram to the connected peer.
  Result<size_t> send(const void* data, size_t size) {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t n = 0;
    return detail::transfer(lunatic_udp_send(id(), data, size, &n), n, "send");
  }
  /// Sends one datagram to `to`.
  Result<size_t> send_to(const void* data, size_t size, const SocketAddr& to) {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t n = 0;
    return detail::transfer(lunatic_udp_send_to(id(), data, size, to.type(), to.bytes(), to.port(),
                                                to.flow_info(), to.scope_id(), &n),
                            n, "send_to");
  }
  /// Waits for one datagram (cut to `size`): its length.
  Result<size_t> receive(void* data, size_t size) {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t n = 0;
    return detail::transfer(lunatic_udp_receive(id(), data, size, &n), n, "receive");
  }
  /// As receive, with the sender's address.
  Result<std::pair<size_t, SocketAddr>> receive_from(void* data, size_t size) {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t n = 0, it = 0;
    int32_t status = lunatic_udp_receive_from(id(), data, size, &n, &it);
    if (status != 0) return detail::net_error(status, n, "receive_from");
    std::vector<SocketAddr> from = detail::drain_iterator(it);
    return std::pair<size_t, SocketAddr>(static_cast<size_t>(n),
                                         from.empty() ? SocketAddr() : from.front());
  }
  Result<SocketAddr> local_addr() const {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t it = 0;
    return detail::first_address(lunatic_udp_local_addr(id(), &it), it);
  }
  Result<SocketAddr> peer_addr() const {
    if (!valid()) return detail::empty_handle("UdpSocket");
    uint64_t it = 0;
    return detail::first_address(lunatic_udp_peer_addr(id(), &it), it);
  }
  void set_ttl(uint32_t ttl) {
    if (valid()) lunatic_set_udp_socket_ttl(id(), ttl);
  }
  uint32_t ttl() const { return valid() ? lunatic_get_udp_socket_ttl(id()) : 0; }
  void set_broadcast(bool on) {
    if (valid()) lunatic_set_udp_socket_broadcast(id(), on ? 1 : 0);
  }
  bool broadcast() const { return valid() && lunatic_get_udp_socket_broadcast(id()) != 0; }

  UdpSocket clone() const {
    return valid() ? UdpSocket(lunatic_clone_udp_socket(id())) : UdpSocket();
  }
  void close() { handle_.reset(); }

 private:
  template <class S, int32_t K, int64_t (*P)(uint64_t), uint64_t (*T)(uint64_t),
            void (*D)(uint64_t)>
  friend struct detail::ResourceSerializer;
  explicit UdpSocket(uint64_t id) : handle_(id) {}
  detail::Handle<&lunatic_drop_udp_socket> handle_;
};

template <>
struct Serializer<TcpStream>
    : detail::ResourceSerializer<TcpStream, LUNATIC_RESOURCE_TCP_STREAM, &lunatic_push_tcp_stream,
                                 &lunatic_take_tcp_stream, &lunatic_drop_tcp_stream> {};
template <>
struct Serializer<TcpListener>
    : detail::ResourceSerializer<TcpListener, LUNATIC_RESOURCE_TCP_LISTENER,
                                 &lunatic_push_tcp_listener, &lunatic_take_tcp_listener,
                                 &lunatic_drop_tcp_listener> {};
template <>
struct Serializer<UdpSocket>
    : detail::ResourceSerializer<UdpSocket, LUNATIC_RESOURCE_UDP_SOCKET, &lunatic_push_udp_socket,
                                 &lunatic_take_udp_socket, &lunatic_drop_udp_socket> {};

}  // namespace lunatic

#endif
