// The observer's routes, without HTTP: a request's method and path in, a status, content type
// and body out, read from a Runtime. The server (observer.cpp, http_server.hpp) adds transport and
// access checks; tests call handle() directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/ids.hpp"

namespace lunatic::runtime {
class Runtime;
}

namespace lunatic::observer {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// Answers `method` `path` (the path without its query) from `runtime`:
///   GET  /, /index.html                the live page
///   GET  /api/processes[?limit=N]      the live processes (the N lowest ids; "count": all)
///   GET  /api/processes/ID             one process (live, or among the recent crashes)
///   POST /api/processes/ID/kill        kills it ("killed: by the observer")
///   GET  /api/environments, /api/node, /api/crashes
///   GET  /metrics                      Prometheus text format
/// Errors, as JSON {"error": ...}: 400 a malformed id, 404 an unknown path or process, 405 a
/// known path with another method. Never throws for any input.
/// `limit`: the `?limit=` of GET /api/processes (the lowest ids first); others ignore it.
Reply handle(runtime::Runtime& runtime, std::string_view method, std::string_view path,
             std::string_view limit = {});

/// A process id in decimal (1 to 20 digits, no sign, no leading zero, within uint64), or
/// nullopt.
std::optional<runtime::ProcessId> parse_process_id(std::string_view text);

/// The page: index.html with observer.css and observer.js put in its placeholders, so that it
/// is one request (which the token, when required, covers).
const std::string& page_html();

}  // namespace lunatic::observer
