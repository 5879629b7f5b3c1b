// lunatic::networking: the namespace's definitions.
#include "host/networking/internal.hpp"
#include "host/networking/networking.hpp"

namespace lunatic::host::networking {

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("resolve", &resolve)
      .define("resolve_next", &resolve_next)
      .define("drop_dns_iterator", &drop_dns_iterator)
      .define("tcp_bind", &tcp_bind)
      .define("drop_tcp_listener", &drop_tcp_listener)
      .define("tcp_local_addr", &tcp_local_addr)
      .define("tcp_accept", &tcp_accept)
      .define("tcp_connect", &tcp_connect)
      .define("drop_tcp_stream", &drop_tcp_stream)
      .define("clone_tcp_stream", &clone_tcp_stream)
      .define("tcp_read", &tcp_read)
      .define("tcp_peek", &tcp_peek)
      .define("tcp_write_vectored", &tcp_write_vectored)
      .define("tcp_flush", &tcp_flush)
      .define("tcp_peer_addr", &tcp_peer_addr)
      .define("tcp_stream_local_addr", &tcp_stream_local_addr)
      .define("set_read_timeout", &set_read_timeout)
      .define("get_read_timeout", &get_read_timeout)
      .define("set_write_timeout", &set_write_timeout)
      .define("get_write_timeout", &get_write_timeout)
      .define("set_peek_timeout", &set_peek_timeout)
      .define("get_peek_timeout", &get_peek_timeout)
      .define("udp_bind", &udp_bind)
      .define("udp_connect", &udp_connect)
      .define("drop_udp_socket", &drop_udp_socket)
      .define("clone_udp_socket", &clone_udp_socket)
      .define("udp_send", &udp_send)
      .define("udp_send_to", &udp_send_to)
      .define("udp_receive", &udp_receive)
      .define("udp_receive_from", &udp_receive_from)
      .define("udp_local_addr", &udp_local_addr)
      .define("udp_peer_addr", &udp_peer_addr)
      .define("set_udp_socket_ttl", &set_udp_socket_ttl)
      .define("get_udp_socket_ttl", &get_udp_socket_ttl)
      .define("set_udp_socket_broadcast", &set_udp_socket_broadcast)
      .define("get_udp_socket_broadcast", &get_udp_socket_broadcast);
}

}  // namespace lunatic::host::networking
