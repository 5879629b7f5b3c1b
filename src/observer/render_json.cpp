// The JSON documents of the observer's API (docs/observer.md, "JSON"), with nlohmann-json.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "observer/render.hpp"

namespace lunatic::observer {
namespace {

using nlohmann::json;

/// Never throws: text that is not UTF-8 (a module's file name) is written with U+FFFD.
std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json optional_number(const std::optional<uint64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

/// A limit: null when unlimited (UINT64_MAX).
json limit(uint64_t value) { return value == UINT64_MAX ? json(nullptr) : json(value); }

json links_json(const std::vector<runtime::LinkEntry>& links) {
  json out = json::array();
  for (const runtime::LinkEntry& link : links) {
    out.push_back({{"process", link.process}, {"tag", link.tag}});
  }
  return out;
}

json backtrace_json(const std::vector<engine::BacktraceFrame>& frames) {
  json out = json::array();
  for (const engine::BacktraceFrame& frame : frames) {
    out.push_back({{"function_index", frame.function_index},
                   {"function_name", frame.function_name},
                   {"offset", frame.offset}});
  }
  return out;
}

json process_value(const runtime::ProcessInfo& p) {
  return {
      {"id", p.id},
      {"names", p.names},
      {"state", std::string(runtime::process_state_name(p.state))},
      {"mailbox", {{"messages", p.mailbox_messages}, {"bytes", p.mailbox_bytes}}},
      {"memory_bytes", p.memory_bytes},
      {"fuel_used", optional_number(p.fuel_used)},
      {"fuel_left", optional_number(p.fuel_left)},
      {"slices", p.slices},
      {"environment", p.environment},
      {"links", links_json(p.links)},
      {"monitored_by", p.monitored_by},
      {"monitoring", p.monitoring},
      {"die_when_link_dies", p.die_when_link_dies},
      {"module", p.module},
      {"entry", p.entry},
      {"start_time_ms", p.start_time_ms},
  };
}

json crash_value(const runtime::CrashInfo& c) {
  return {
      {"id", c.id},
      {"names", c.names},
      {"state", c.killed ? "killed" : "crashed"},
      {"reason", c.reason},
      {"backtrace", backtrace_json(c.backtrace)},
      {"links", links_json(c.links)},
      {"supervisor", c.supervisor ? json(*c.supervisor) : json(nullptr)},
      {"environment", c.environment},
      {"module", c.module},
      {"entry", c.entry},
      {"start_time_ms", c.start_time_ms},
      {"end_time_ms", c.end_time_ms},
  };
}

}  // namespace

std::string process_json(const runtime::ProcessInfo& process) {
  return dump(process_value(process));
}

std::string crash_json(const runtime::CrashInfo& crash) { return dump(crash_value(crash)); }

std::string processes_json(const std::vector<runtime::ProcessInfo>& processes, size_t count) {
  json list = json::array();
  for (const runtime::ProcessInfo& p : processes) list.push_back(process_value(p));
  return dump({{"count", std::max(count, processes.size())}, {"processes", std::move(list)}});
}

std::string environments_json(const std::vector<runtime::EnvironmentInfo>& environments) {
  json list = json::array();
  for (const runtime::EnvironmentInfo& e : environments) {
    list.push_back({
        {"id", e.id},
        {"parent", optional_number(e.parent)},
        {"limits",
         {{"max_memory_bytes", uint64_t{e.max_memory_pages} * 65536},
          {"max_fuel", optional_number(e.max_fuel)},
          {"max_processes", limit(e.max_processes)},
          {"max_names", limit(e.max_names)},
          {"max_resources", limit(e.max_resources)},
          {"allowed", e.allowed}}},
        {"usage",
         {{"processes", e.live_processes},
          {"names", e.registered_names},
          {"memory_bytes", e.memory_bytes}}},
    });
  }
  return dump({{"environments", std::move(list)}});
}

std::string node_json(const runtime::NodeInfo& node) {
  json workers = json::array();
  for (const runtime::WorkerInfo& w : node.workers) {
    workers.push_back({{"index", w.index},
                       {"busy_seconds", static_cast<double>(w.busy_ns) / 1e9},
                       {"slices", w.slices}});
  }
  return dump({
      {"processes", node.processes},
      {"spawns_total", node.spawns_total},
      {"messages_sent_total", node.messages_sent_total},
      {"crashes_total", node.crashes_total},
      {"kills_total", node.kills_total},
      {"memory_bytes", node.memory_bytes},
      {"start_time_ms", node.start_time_ms},
      {"uptime_seconds", static_cast<double>(node.uptime_ns) / 1e9},
      {"workers", std::move(workers)},
  });
}

std::string crashes_json(const std::vector<runtime::CrashInfo>& crashes) {
  json list = json::array();
  for (const runtime::CrashInfo& c : crashes) list.push_back(crash_value(c));
  return dump({{"crashes", std::move(list)}});
}

std::string error_json(std::string_view message) { return dump({{"error", std::string(message)}}); }

}  // namespace lunatic::observer
