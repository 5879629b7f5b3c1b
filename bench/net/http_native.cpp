// The native counterpart of http_guest.c: the same keep-alive "Hello, world!" HTTP server in
// C++ on epoll (edge-triggered, non-blocking), N threads each with its own epoll set and an
// SO_REUSEPORT listener. Args: PORT [THREADS]. For bench/net/run_net_bench.py only.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

int listen_on(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4096) != 0) {
    std::perror("bind/listen");
    std::exit(1);
  }
  return fd;
}

// Answers every complete request in `in`; false if the connection must close.
bool serve(int fd, std::string& in) {
  char buffer[8192];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    in.append(buffer, static_cast<size_t>(n));
    size_t end;
    while ((end = in.find("\r\n\r\n")) != std::string::npos) {
      // The response is small: one send fits the socket buffer of an idle keep-alive peer.
      if (send(fd, kResponse, sizeof kResponse - 1, MSG_NOSIGNAL) < 0) return false;
      in.erase(0, end + 4);
    }
    if (in.size() > sizeof buffer) return false;
  }
}

void worker(int port) {
  const int listener = listen_on(port);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, std::string> pending;
  std::vector<epoll_event> events(512);
  while (true) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          const int on = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      if (!serve(fd, pending[fd])) {
        pending.erase(fd);
        close(fd);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: http_native PORT [THREADS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker, port);
  std::printf("listening on %d\n", port);
  std::fflush(stdout);
  worker(port);
}
