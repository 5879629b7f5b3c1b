// Observer: cpp-httplib serving api.hpp's routes on its own threads, with a bounded queue of
// connections (a flood gets 503s, not unbounded memory) and the access checks of access.hpp.
#include "observer/observer.hpp"

#include <httplib.h>

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "observer/access.hpp"
#include "observer/api.hpp"
#include "observer/render.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::observer {
namespace {

/// Set while the accept thread itself answers a connection the queue had no room for.
thread_local bool tl_overloaded = false;

/// httplib's connection queue: `threads` threads, at most `max_waiting` connections waiting.
/// A connection past that is answered on the accept thread with 503 and closed.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(unsigned threads, unsigned max_waiting) : max_waiting_(max_waiting) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { work(); });
  }
  ~BoundedPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() < max_waiting_ && !stopping_) {
        jobs_.push_back(std::move(fn));
        ready_.notify_one();
        return;
      }
    }
    tl_overloaded = true;
    fn();
    tl_overloaded = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and every accepted connection answered
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  const size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

void reply_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(error_json(message), "application/json");
}

std::string status_text(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "no such path";
    case 405: return "method not allowed";
    case 413: return "request body too large";
    case 414: return "request URI too long";
    case 431: return "request header fields too large";
    default: return "HTTP status " + std::to_string(status);
  }
}

}  // namespace

struct Observer::Impl {
  runtime::Runtime& runtime;
  ObserverConfig config;
  Endpoint endpoint;
  std::string token;
  int port = 0;
  httplib::Server server;
  std::thread thread;

  Impl(runtime::Runtime& rt, ObserverConfig c) : runtime(rt), config(std::move(c)) {}

  /// Every request: access checks, then the route.
  void answer(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (tl_overloaded) {
      res.set_header("Retry-After", "1");
      res.set_header("Connection", "close");
      return reply_error(res, 503, "the observer is busy: try again");
    }
    if (!token.empty()) {
      std::optional<std::string> presented =
          presented_token(req.get_header_value("Authorization"), req.get_param_value("token"));
      if (!presented || !same_token(*presented, token)) {
        res.set_header("WWW-Authenticate", "Bearer");
        return reply_error(res, 401, "a token is required: Authorization: Bearer TOKEN");
      }
    } else if (!loopback_host_header(req.get_header_value("Host"))) {
      // A page elsewhere resolving its own name to 127.0.0.1 (DNS rebinding) gets nothing.
      return reply_error(res, 403, "the Host header must name a loopback address");
    }
    if (req.method != "GET" && req.method != "HEAD" && req.has_header("Origin")) {
      // No cross-site kill from a page in the same browser: the Origin must be this server.
      const std::string origin = req.get_header_value("Origin");
      if (origin != "http://" + req.get_header_value("Host")) {
        return reply_error(res, 403, "cross-origin requests may only read");
      }
    }
    const std::string limit = req.get_param_value("limit");
    Reply reply = handle(runtime, req.method, req.path, limit);
    res.status = reply.status;
    if (reply.content_type.starts_with("text/html")) {
      res.set_header("Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                     "connect-src 'self'; img-src data:");
    }
    res.set_content(std::move(reply.body), reply.content_type.c_str());
  }
};

Result<std::unique_ptr<Observer>> Observer::start(runtime::Runtime& runtime,
                                                  ObserverConfig config) {
  Result<Endpoint> endpoint = parse_endpoint(config.address);
  if (!endpoint) return std::move(endpoint).error();
  auto impl = std::make_unique<Impl>(runtime, std::move(config));
  impl->endpoint = *endpoint;
  if (impl->config.token && !impl->config.token->empty()) {
    impl->token = *impl->config.token;
  } else if (!impl->endpoint.loopback) {
    impl->token = generate_token();
  }
  Impl* self = impl.get();
  httplib::Server& server = impl->server;
  const unsigned threads = impl->config.threads;
  const unsigned max_waiting = impl->config.max_waiting;
  server.new_task_queue = [threads, max_waiting] { return new BoundedPool(threads, max_waiting); };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second observer
  // share a port in use instead of failing.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_read_timeout(2, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_timeout(2);
  server.set_keep_alive_max_count(100);
  server.set_payload_max_length(64 * 1024);
  server.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    self->answer(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib finds itself (a malformed request line, a URI or header too long, a body
  // too large) get a JSON body like ours.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply_error(res, res.status, status_text(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) { reply_error(res, 500, "internal error"); });

  const std::string& host = impl->endpoint.host;
  errno = 0;
  if (impl->endpoint.port == 0) {
    impl->port = server.bind_to_any_port(host);
  } else {
    impl->port = server.bind_to_port(host, impl->endpoint.port) ? impl->endpoint.port : -1;
  }
  if (impl->port <= 0) {
    const int error = errno;
    return Error(Phase::Host, "--observe " + impl->config.address + ": cannot listen" +
                                  (error != 0 ? std::string(": ") + std::strerror(error) : ""));
  }
  impl->thread = std::thread([self] { self->server.listen_after_bind(); });
  // stop() does nothing to a server not yet listening: wait for it, so ~Observer cannot hang.
  for (int i = 0; i < 2000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<Observer>(new Observer(std::move(impl)));
}

Observer::Observer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Observer::~Observer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t Observer::port() const { return static_cast<uint16_t>(impl_->port); }

const std::string& Observer::token() const { return impl_->token; }

std::string Observer::url() const {
  const std::string& host = impl_->endpoint.host;
  std::string url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                    ":" + std::to_string(port()) + "/";
  if (!impl_->token.empty()) url += "?token=" + impl_->token;
  return url;
}

}  // namespace lunatic::observer
