// The observer's HTTP server: binding, the accept loop with its bound on connections, the
// thread and its orderly stop; the connections themselves are http_connection.cpp.
#include "observer/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <thread>
#include <vector>

#include "observer/http_connection.hpp"

namespace lunatic::observer {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

/// After an accept error other than the stop (out of file descriptors, say): wait this long
/// before the next accept, rather than spinning.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
/// How long answers being written may take to finish once the server stops.
constexpr std::chrono::milliseconds kStopGrace{1000};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

struct HttpServer::Impl {
  // Declared before the io_context: its handlers own the connections, which unregister from
  // the state when the io_context destroys them.
  ServerState state;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer backoff{io};
  asio::steady_timer grace{io};
  std::thread thread;
  uint16_t port = 0;  // read before the thread starts: the acceptor is the thread's

  void accept() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
      if (state.stopping || ec == asio::error::operation_aborted) return;
      if (ec) {
        backoff.expires_after(kAcceptBackoff);
        backoff.async_wait([this](error_code wait) {
          if (!wait && !state.stopping) accept();
        });
        return;
      }
      const size_t open = state.connections.size();
      const HttpLimits& limits = state.limits;
      if (open < size_t{limits.max_connections} + limits.max_overflow) {
        const bool overflow = open >= limits.max_connections;
        std::make_shared<Connection>(state, std::move(socket), overflow)->start();
      }  // else the socket closes here: past both bounds, not even a 503
      accept();
    });
  }

  void stop() {
    state.stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    backoff.cancel();
    close_connections(false);
    if (state.connections.empty()) return;
    // The last connection to end cancels the grace; past it, writers are closed as well.
    state.on_last_closed = [this] { grace.cancel(); };
    grace.expires_after(kStopGrace);
    grace.async_wait([this](error_code ec) {
      if (!ec) close_connections(true);
    });
  }

  void close_connections(bool writers_too) {
    // A copy: a connection closed here may end (and unregister) before the loop is done.
    std::vector<Connection*> open(state.connections.begin(), state.connections.end());
    for (Connection* connection : open) connection->stop(writers_too);
  }

  void run() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception&) {
        // A handler threw (memory, say): that connection is gone; serve the others.
      }
    }
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::start(const Endpoint& endpoint, HttpLimits limits,
                                                      Handler handler, const std::string& what) {
  auto impl = std::make_unique<Impl>();
  impl->state.limits = limits;
  impl->state.handler = std::move(handler);
  error_code ec;
  tcp::resolver resolver(impl->io);
  auto addresses = resolver.resolve(endpoint.host, std::to_string(endpoint.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (!ec) {
    ec = make_error_code(boost::system::errc::address_not_available);
    for (const auto& entry : addresses) {
      error_code ignored;
      impl->acceptor.close(ignored);
      // SO_REUSEADDR only (no SO_REUSEPORT): a second observer on a port in use must fail.
      if (!impl->acceptor.open(entry.endpoint().protocol(), ec) &&
          !impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec) &&
          !impl->acceptor.bind(entry.endpoint(), ec) &&
          !impl->acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
        break;
      }
    }
  }
  if (ec) return Error(Phase::Host, what + ": cannot listen: " + ec.message());
  impl->port = impl->acceptor.local_endpoint(ec).port();
  impl->accept();
  Impl* self = impl.get();
  impl->thread = std::thread([self] { self->run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Impl* self = impl_.get();
  asio::post(impl_->io, [self] { self->stop(); });
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->state.on_last_closed = nullptr;  // the grace timer goes before the io_context
}

uint16_t HttpServer::port() const { return impl_->port; }

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
        hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && c == '+' ? ' ' : c;
    }
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t equals = pair.find('=');
    if (percent_decode(pair.substr(0, equals), true) == name) {
      return equals == std::string_view::npos ? "" : percent_decode(pair.substr(equals + 1), true);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

}  // namespace lunatic::observer
