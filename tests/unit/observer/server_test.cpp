// The observer's HTTP server against hostile clients: oversized request lines, headers and
// bodies, garbage, clients that trickle or idle, more connections than it serves; and
// keep-alive, HEAD, the query's decoding, and a stop that does not wait for idle clients.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <utility>

#include "observer/http_server.hpp"
#include "observer/observer.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::observer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A raw TCP client of 127.0.0.1:PORT; every read has a deadline.
class Client {
 public:
  explicit Client(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  /// False once the server has closed (EPIPE, reset).
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == ssize_t(data.size());
  }
  /// Everything until the server closes, or until `timeout`; `closed` tells which.
  std::string read_all(milliseconds timeout, bool* closed = nullptr) {
    std::string out = std::exchange(pending_, "");
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = read(fd_, buffer, sizeof buffer);
      if (n <= 0) {
        if (closed) *closed = true;
        return out;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
    if (closed) *closed = false;
    return out;
  }
  /// One response's bytes: until its body (Content-Length) is whole; what follows is kept
  /// for the next read.
  std::string read_response(milliseconds timeout) {
    std::string out = std::exchange(pending_, "");
    const Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const size_t end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        const size_t at = out.find("Content-Length: ");
        const size_t length = at < end ? std::stoul(out.substr(at + 16)) : 0;
        if (out.size() >= end + 4 + length) {
          pending_ = out.substr(end + 4 + length);
          return out.substr(0, end + 4 + length);
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(fd_, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string pending_;
};

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

class Server : public ::testing::Test {
 protected:
  void start(ObserverConfig config = {}) {
    Result<std::unique_ptr<Observer>> started = Observer::start(runtime_, std::move(config));
    ASSERT_TRUE(started.ok()) << started.error().message;
    observer_ = std::move(*started);
    port_ = observer_->port();
  }

  runtime::Runtime runtime_{runtime::RuntimeConfig{.workers = 1}};
  std::unique_ptr<Observer> observer_;
  uint16_t port_ = 0;
};

constexpr milliseconds kWait{5000};

TEST_F(Server, OversizedRequestsGetTheirStatus) {
  start();
  {
    Client c(port_);  // a request line over 8 KiB, headers within bounds
    c.send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string r = c.read_all(kWait);
    EXPECT_TRUE(starts_with(r, "HTTP/1.1 414")) << r.substr(0, 80);
    EXPECT_NE(r.find("{\"error\":"), std::string::npos);
    EXPECT_NE(r.find("Connection: close"), std::string::npos);
  }
  {
    Client c(port_);  // a request line longer than the whole header's bound
    c.send("GET /" + std::string(100'000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(starts_with(c.read_all(kWait), "HTTP/1.1 414"));
  }
  {
    Client c(port_);  // one huge header field
    c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + std::string(100'000, 'y') + "\r\n\r\n");
    EXPECT_TRUE(starts_with(c.read_all(kWait), "HTTP/1.1 431"));
  }
  {
    Client c(port_);  // many small ones
    std::string many = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 5000; ++i) many += "X-" + std::to_string(i) + ": z\r\n";
    c.send(many + "\r\n");
    EXPECT_TRUE(starts_with(c.read_all(kWait), "HTTP/1.1 431"));
  }
  {
    Client c(port_);  // a body over 64 KiB, announced: refused before it is read
    c.send(
        "POST /api/processes/1/kill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n");
    EXPECT_TRUE(starts_with(c.read_all(kWait), "HTTP/1.1 413"));
  }
  {
    Client c(port_);  // and chunked, counted as it comes
    std::string chunked =
        "POST /api/node HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'b') + "\r\n";
    c.send(chunked + "0\r\n\r\n");
    EXPECT_TRUE(starts_with(c.read_all(kWait), "HTTP/1.1 413"));
  }
  for (const char* garbage :
       {"\x16\x03\x01garbage\r\n\r\n", "GET /\x01 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "BREW /pot HTTP/1.1\r\n\r\n"}) {
    Client c(port_);
    c.send(garbage);
    std::string r = c.read_all(kWait);
    EXPECT_TRUE(starts_with(r, "HTTP/1.1 400")) << garbage << ": " << r.substr(0, 60);
  }
  Client after(port_);  // and the server serves on
  after.send("GET /api/node HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_TRUE(starts_with(after.read_all(kWait), "HTTP/1.1 200"));
}

TEST_F(Server, SlowClientsAreClosedAtTheDeadline) {
  start({.request_timeout = milliseconds(300)});
  Client idle(port_);
  Client trickle(port_);
  const Clock::time_point begin = Clock::now();
  // A byte every 50 ms would take 5 s for this request: the deadline is for the whole of it.
  const std::string request =
      "GET /api/node HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + std::string(60, 'p') + "\r\n\r\n";
  bool cut = false;
  for (char c : request) {
    if (!trickle.send(std::string(1, c))) {
      cut = true;
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  bool closed = false;
  std::string r = trickle.read_all(kWait, &closed);
  EXPECT_TRUE(cut || closed);
  EXPECT_EQ(r.find("200 OK"), std::string::npos) << r;
  EXPECT_LT(Clock::now() - begin, milliseconds(4000));
  closed = false;
  EXPECT_EQ(idle.read_all(kWait, &closed), "");
  EXPECT_TRUE(closed) << "an idle connection outlived the deadline";
}

TEST_F(Server, ConnectionsPastTheBoundGet503ThenNothing) {
  start({.max_connections = 2, .request_timeout = milliseconds(10'000)});
  Client a(port_), b(port_);  // hold both slots, saying nothing
  {
    Client busy(port_);
    busy.send("GET /api/node HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string r = busy.read_all(kWait);
    EXPECT_TRUE(starts_with(r, "HTTP/1.1 503")) << r.substr(0, 60);
    EXPECT_NE(r.find("Retry-After: 1"), std::string::npos);
    EXPECT_NE(r.find("\"error\""), std::string::npos);
  }
  std::this_thread::sleep_for(milliseconds(200));  // the server saw it close
  // The overflow's own bound (as many again): past it, a connection is closed unanswered.
  Client c(port_), d(port_);
  c.send("GET /api/node HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // still sending its header
  d.send("GET /api/node HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  std::this_thread::sleep_for(milliseconds(200));  // accepted, in the overflow
  Client e(port_);
  e.send("GET /api/node HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  bool closed = false;
  EXPECT_EQ(e.read_all(kWait, &closed), "");
  EXPECT_TRUE(closed);
  // Slots free again: served.
  a.send("GET /api/node HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_TRUE(starts_with(a.read_all(kWait), "HTTP/1.1 200"));
}

TEST_F(Server, KeepsAliveAnswersHeadAndDecodesTheQuery) {
  start({.token = std::string("a b/c")});
  Client c(port_);
  c.send(
      "GET /api/node?x=1&token=a+b%2fc HTTP/1.1\r\n\r\n"
      "HEAD /metrics HTTP/1.1\r\nAuthorization: Bearer a b/c\r\n\r\n");  // pipelined
  std::string first = c.read_response(kWait);
  EXPECT_TRUE(starts_with(first, "HTTP/1.1 200")) << first.substr(0, 80);
  EXPECT_EQ(first.find("Connection: close"), std::string::npos);
  EXPECT_NE(first.find("\"processes\":0"), std::string::npos);
  std::string head = c.read_all(milliseconds(500));
  EXPECT_TRUE(starts_with(head, "HTTP/1.1 200")) << head;
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "") << "HEAD has no body";
  c.send("GET /api/node?token=wrong HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(starts_with(c.read_response(kWait), "HTTP/1.1 401"));
}

TEST_F(Server, StopsWithoutWaitingForIdleClients) {
  start({.request_timeout = milliseconds(30'000)});
  Client idle(port_);
  Client partial(port_);
  partial.send("GET / HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(100));
  const Clock::time_point begin = Clock::now();
  observer_.reset();
  EXPECT_LT(Clock::now() - begin, milliseconds(10'000));
  bool closed = false;
  idle.read_all(kWait, &closed);
  EXPECT_TRUE(closed);
}

TEST(Query, ParamsAreFoundAndDecoded) {
  EXPECT_EQ(query_param("token=abc&limit=5", "limit"), "5");
  EXPECT_EQ(query_param("limit=5&limit=6", "limit"), "5");
  EXPECT_EQ(query_param("x=1&t%6Fken=a%20b+c", "token"), "a b c");
  EXPECT_EQ(query_param("token", "token"), "");
  EXPECT_EQ(query_param("", "token"), "");
  EXPECT_EQ(query_param("tokens=1", "token"), "");
  EXPECT_EQ(percent_decode("/api/%70rocesses", false), "/api/processes");
  EXPECT_EQ(percent_decode("a+b%zz%4", false), "a+b%zz%4");
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
}

}  // namespace
}  // namespace lunatic::observer
