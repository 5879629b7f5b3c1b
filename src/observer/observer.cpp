// Observer: api.hpp's routes behind the access checks of access.hpp, served by the Beast
// server of http_server.hpp on a thread of its own.
#include "observer/observer.hpp"

#include <string>

#include "observer/access.hpp"
#include "observer/api.hpp"
#include "observer/http_server.hpp"
#include "observer/render.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::observer {
namespace {

Response error_reply(int status, std::string_view message) {
  return Response{status, "application/json", error_json(message)};
}

}  // namespace

struct Observer::Impl {
  runtime::Runtime& runtime;
  ObserverConfig config;
  Endpoint endpoint;
  std::string token;
  std::unique_ptr<HttpServer> server;

  Impl(runtime::Runtime& rt, ObserverConfig c) : runtime(rt), config(std::move(c)) {}

  /// Every request: access checks, then the route.
  Response answer(const Request& req) const {
    if (!token.empty()) {
      std::optional<std::string> presented =
          presented_token(req.authorization, query_param(req.query, "token"));
      if (!presented || !same_token(*presented, token)) {
        Response denied = error_reply(401, "a token is required: Authorization: Bearer TOKEN");
        denied.headers.emplace_back("WWW-Authenticate", "Bearer");
        return denied;
      }
    } else if (!loopback_host_header(req.host)) {
      // A page elsewhere resolving its own name to 127.0.0.1 (DNS rebinding) gets nothing.
      return error_reply(403, "the Host header must name a loopback address");
    }
    if (req.method != "GET" && req.method != "HEAD" && req.origin) {
      // No cross-site kill from a page in the same browser: the Origin must be this server.
      if (*req.origin != "http://" + req.host) {
        return error_reply(403, "cross-origin requests may only read");
      }
    }
    Reply reply = handle(runtime, req.method, req.path, query_param(req.query, "limit"));
    Response response{reply.status, std::move(reply.content_type), std::move(reply.body)};
    if (response.content_type.starts_with("text/html")) {
      response.headers.emplace_back(
          "Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
          "connect-src 'self'; img-src data:");
    }
    return response;
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
  HttpLimits limits;
  limits.max_connections = impl->config.max_connections;
  limits.max_overflow = impl->config.max_connections;
  limits.request_timeout = impl->config.request_timeout;
  const Impl* self = impl.get();
  Result<std::unique_ptr<HttpServer>> server = HttpServer::start(
      impl->endpoint, limits, [self](const Request& req) { return self->answer(req); },
      "--observe " + impl->config.address);
  if (!server) return std::move(server).error();
  impl->server = std::move(*server);
  return std::unique_ptr<Observer>(new Observer(std::move(impl)));
}

Observer::Observer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Observer::~Observer() { impl_->server.reset(); }

uint16_t Observer::port() const { return impl_->server->port(); }

const std::string& Observer::token() const { return impl_->token; }

std::string Observer::url() const {
  const std::string& host = impl_->endpoint.host;
  std::string url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                    ":" + std::to_string(port()) + "/";
  if (!impl_->token.empty()) url += "?token=" + impl_->token;
  return url;
}

}  // namespace lunatic::observer
