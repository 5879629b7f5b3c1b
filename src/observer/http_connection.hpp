// One client connection of the observer's HTTP server (http_server.hpp): reads requests with
// Beast's parser under the size and time limits, answers them, and closes politely. Private
// to the server: everything here runs on the server's one thread.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>

#include "observer/http_server.hpp"

namespace lunatic::observer {

class Connection;

/// What the server and its connections share (on the server's thread only).
struct ServerState {
  HttpLimits limits;
  Handler handler;
  std::unordered_set<Connection*> connections;  ///< the live ones, for counting and stopping
  bool stopping = false;
  std::function<void()> on_last_closed{};  ///< once stopping, when the last connection ends
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  /// `overflow`: the server is full; the request is read (so that closing does not reset
  /// it) and answered 503.
  Connection(ServerState& server, boost::asio::ip::tcp::socket socket, bool overflow);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() { read_request(); }
  /// The server stops: close now, unless an answer is being written (which then ends the
  /// connection) and not `writers_too`.
  void stop(bool writers_too);

 private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  /// The answer to a request the parser rejected, or nothing (just close) for I/O errors.
  std::optional<Response> parse_error_answer(boost::beast::error_code ec) const;
  void answer(Response response, bool head);
  void on_write(boost::beast::error_code ec);
  /// Shut down sending, then read and drop what the client still sends (bounded in bytes and
  /// time) before closing: closing with unread input would reset the connection and could
  /// destroy the answer before the client reads it.
  void linger();
  void on_linger(boost::beast::error_code ec, size_t bytes);

  ServerState& server_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  std::array<char, 4096> drain_{};
  size_t drained_ = 0;
  unsigned requests_ = 0;
  bool overflow_;
  bool writing_ = false;
  bool keep_alive_ = false;
};

}  // namespace lunatic::observer
