// The observer's routes: the JSON API, the metrics and the page, over runtime introspection.
#include "observer/api.hpp"

#include <charconv>

#include "observer/page.hpp"
#include "observer/render.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::observer {
namespace {

constexpr std::string_view kProcesses = "/api/processes";

Reply json(std::string body) { return Reply{200, "application/json", std::move(body)}; }

Reply error(int status, std::string_view message) {
  return Reply{status, "application/json", error_json(message)};
}

/// A GET route answered by `answer`, else 405.
template <class Answer> Reply get(std::string_view method, Answer&& answer) {
  if (method != "GET" && method != "HEAD") return error(405, "method not allowed: use GET");
  return answer();
}

Reply process_route(runtime::Runtime& runtime, std::string_view method, std::string_view rest) {
  // rest: "ID" or "ID/kill"
  std::string_view id_text = rest;
  bool kill = false;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/kill") return error(404, "no such path");
    id_text = rest.substr(0, slash);
    kill = true;
  }
  std::optional<runtime::ProcessId> id = parse_process_id(id_text);
  if (!id) return error(400, "bad process id: expected a decimal number");
  if (kill) {
    if (method != "POST") return error(405, "method not allowed: use POST");
    if (!runtime.kill(*id, engine::Trap::killed("by the observer"))) {
      return error(404, "no such process: " + std::to_string(*id));
    }
    return json(R"({"killed":)" + std::to_string(*id) + "}");
  }
  return get(method, [&] {
    if (std::optional<runtime::ProcessInfo> info = runtime.process_info(*id)) {
      return json(process_json(*info));
    }
    // Not alive: perhaps one of the recent abnormal ends (the latest one with this id).
    std::vector<runtime::CrashInfo> crashes = runtime.crashes();
    for (auto it = crashes.rbegin(); it != crashes.rend(); ++it) {
      if (it->id == *id) return json(crash_json(*it));
    }
    return error(404, "no such process: " + std::to_string(*id));
  });
}

}  // namespace

std::optional<runtime::ProcessId> parse_process_id(std::string_view text) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  runtime::ProcessId id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

const std::string& page_html() {
  static const std::string page = [] {
    std::string html(page_file("index.html").value_or("<!doctype html><p>page missing"));
    auto put = [&](std::string_view placeholder, std::string_view file) {
      if (size_t at = html.find(placeholder); at != std::string::npos) {
        html.replace(at, placeholder.size(), page_file(file).value_or(""));
      }
    };
    put("/*OBSERVER_CSS*/", "observer.css");
    put("/*OBSERVER_JS*/", "observer.js");
    return html;
  }();
  return page;
}

Reply handle(runtime::Runtime& runtime, std::string_view method, std::string_view path,
             std::string_view limit) {
  if (path == "/" || path == "/index.html") {
    return get(method, [] { return Reply{200, "text/html; charset=utf-8", page_html()}; });
  }
  if (path == "/metrics") {
    return get(method, [&] {
      return Reply{200, "text/plain; version=0.0.4; charset=utf-8",
                   metrics_text(runtime.node_info(), runtime.environments(),
                                runtime.processes(kMaxProcessSeries))};
    });
  }
  if (path == kProcesses || path == "/api/processes/") {
    size_t max = SIZE_MAX;
    if (!limit.empty()) {
      std::optional<runtime::ProcessId> n = parse_process_id(limit);
      if (!n) return error(400, "bad limit: expected a decimal number");
      max = static_cast<size_t>(*n);
    }
    return get(method, [&] {
      // The count is read before the list: a list of all is never longer than its count.
      const size_t count = runtime.live_processes();
      return json(processes_json(runtime.processes(max), count));
    });
  }
  if (path.starts_with(kProcesses) && path[kProcesses.size()] == '/') {
    return process_route(runtime, method, path.substr(kProcesses.size() + 1));
  }
  if (path == "/api/environments") {
    return get(method, [&] { return json(environments_json(runtime.environments())); });
  }
  if (path == "/api/node") {
    return get(method, [&] { return json(node_json(runtime.node_info())); });
  }
  if (path == "/api/crashes") {
    return get(method, [&] { return json(crashes_json(runtime.crashes())); });
  }
  return error(404, "no such path");
}

}  // namespace lunatic::observer
