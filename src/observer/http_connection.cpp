// A connection of the observer's HTTP server: request, answer, again while keep-alive lasts,
// then a lingering close. Every wait has a deadline and every buffer a bound.
#include "observer/http_connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <string_view>

#include "observer/render.hpp"

namespace lunatic::observer {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

/// Lingering close: how long, and how much, a closing connection still reads and drops.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 1024 * 1024;

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

Response error_response(int status, std::string_view message) {
  return Response{status, "application/json", error_json(message), {}, true};
}

/// The methods HTTP/1.1 defines (RFC 9110 and PATCH); anything else is not a request to us.
bool known_method(http::verb verb) {
  switch (verb) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::connect:
    case http::verb::options:
    case http::verb::trace:
    case http::verb::patch: return true;
    default: return false;
  }
}

Request to_request(const http::request<http::string_body>& message) {
  Request request;
  request.method = std::string(view(message.method_string()));
  std::string_view target = view(message.target());
  const size_t question = target.find('?');
  request.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.host = std::string(view(message[http::field::host]));
  request.authorization = std::string(view(message[http::field::authorization]));
  if (auto origin = message.find(http::field::origin); origin != message.end()) {
    request.origin = std::string(view(origin->value()));
  }
  return request;
}

}  // namespace

Connection::Connection(ServerState& server, asio::ip::tcp::socket socket, bool overflow)
    : server_(server),
      stream_(std::move(socket)),
      buffer_(server.limits.max_header + 4096),
      overflow_(overflow) {
  server_.connections.insert(this);
}

Connection::~Connection() {
  server_.connections.erase(this);
  if (server_.stopping && server_.connections.empty() && server_.on_last_closed) {
    server_.on_last_closed();
  }
}

void Connection::stop(bool writers_too) {
  if (!writing_ || writers_too) stream_.close();
}

void Connection::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(server_.limits.max_header));
  parser_->body_limit(server_.limits.max_body);
  stream_.expires_after(server_.limits.request_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
}

std::optional<Response> Connection::parse_error_answer(error_code ec) const {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) {
    return std::nullopt;  // timeout, reset, aborted: nothing to answer
  }
  switch (static_cast<http::error>(ec.value())) {
    case http::error::end_of_stream:
    case http::error::partial_message: return std::nullopt;  // the client went away
    case http::error::body_limit: return error_response(413, "request body too large");
    case http::error::header_limit:
    case http::error::buffer_overflow:
      // The parser sets the target once the request line is whole: without one, the
      // request line alone is too long.
      if (parser_->get().target().empty()) return error_response(414, "request URI too long");
      return error_response(431, "request header fields too large");
    default: return error_response(400, "bad request");
  }
}

void Connection::on_read(error_code ec) {
  if (ec) {
    if (server_.stopping) return stream_.close();
    if (std::optional<Response> reply = parse_error_answer(ec)) {
      return answer(std::move(*reply), false);
    }
    return stream_.close();
  }
  ++requests_;
  const http::request<http::string_body>& message = parser_->get();
  const bool head = message.method() == http::verb::head;
  if (overflow_) {
    Response busy = error_response(503, "the observer is busy: try again");
    busy.headers.emplace_back("Retry-After", "1");
    return answer(std::move(busy), head);
  }
  if (!known_method(message.method())) return answer(error_response(400, "bad request"), head);
  if (message.target().size() > server_.limits.max_target) {
    return answer(error_response(414, "request URI too long"), head);
  }
  Response response;
  try {
    response = server_.handler(to_request(message));
  } catch (const std::exception&) {
    response = error_response(500, "internal error");
  }
  if (!message.keep_alive()) response.close = true;
  answer(std::move(response), head);
}

void Connection::answer(Response response, bool head) {
  keep_alive_ = !response.close && !server_.stopping && requests_ < server_.limits.max_requests;
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(http::field::cache_control, "no-store");
  response_.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) response_.set(name, value);
  response_.set(http::field::content_type, response.content_type);
  response_.content_length(response.body.size());
  // HEAD: the length GET would have, and no body.
  if (!head) response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive_);
  parser_.reset();
  writing_ = true;
  stream_.expires_after(server_.limits.write_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](error_code ec, size_t) { self->on_write(ec); });
}

void Connection::on_write(error_code ec) {
  writing_ = false;
  response_ = {};
  if (ec) return stream_.close();
  if (keep_alive_ && !server_.stopping) return read_request();
  linger();
}

void Connection::linger() {
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (server_.stopping) return stream_.close();
  stream_.expires_after(kLingerTime);
  stream_.async_read_some(
      asio::buffer(drain_),
      [self = shared_from_this()](error_code ec, size_t bytes) { self->on_linger(ec, bytes); });
}

void Connection::on_linger(error_code ec, size_t bytes) {
  drained_ += bytes;
  if (ec || drained_ >= kLingerBytes || server_.stopping) return stream_.close();
  stream_.async_read_some(
      asio::buffer(drain_),
      [self = shared_from_this()](error_code ec, size_t bytes) { self->on_linger(ec, bytes); });
}

}  // namespace lunatic::observer
