// Conversions between the public value types (include/lunatic) and the layers' own, and the
// few functions of those value types that reuse the layers' (messages, names, to_string).
#include <lunatic/value.hpp>

#include <iterator>

#include "common/utf8.hpp"
#include "embed/access.hpp"

namespace lunatic {

// The public enums copy the layers' numbering, so that conversions are casts.
static_assert(static_cast<uint8_t>(ProcessState::Exited) ==
              static_cast<uint8_t>(runtime::ProcessState::Exited));
static_assert(static_cast<uint8_t>(ExitStatus::Kind::Killed) ==
              static_cast<uint8_t>(runtime::ExitStatus::Kind::Killed));

std::string Value::to_string() const { return embed::to_internal(*this).to_string(); }

std::string_view process_state_name(ProcessState state) {
  return runtime::process_state_name(static_cast<runtime::ProcessState>(state));
}

int32_t ExitStatus::exit_code() const { return embed::to_internal(*this).exit_code(); }
std::string ExitStatus::to_string() const { return embed::to_internal(*this).to_string(); }

bool detail::is_valid_utf8(std::string_view text) { return lunatic::is_valid_utf8(text); }

namespace embed {
namespace {

template <class To, class From, class F> std::vector<To> map(const std::vector<From>& in, F f) {
  std::vector<To> out;
  out.reserve(in.size());
  for (const From& x : in) out.push_back(f(x));
  return out;
}

std::vector<LinkEntry> links_of(const std::vector<runtime::LinkEntry>& links) {
  return map<LinkEntry>(links, [](const runtime::LinkEntry& l) {
    return LinkEntry{l.process, l.tag};
  });
}

}  // namespace

engine::Value to_internal(const Value& v) { return {v.type, v.bits, v.hi}; }
Value to_public(const engine::Value& v) { return {v.type, v.bits, v.hi}; }

runtime::ExitStatus to_internal(const ExitStatus& status) {
  runtime::ExitStatus out;
  out.kind = static_cast<runtime::ExitStatus::Kind>(status.kind);
  out.trap = status.trap;
  out.results = map<engine::Value>(status.results, [](const Value& v) { return to_internal(v); });
  return out;
}

ExitStatus to_public(const runtime::ExitStatus& status) {
  ExitStatus out;
  out.kind = static_cast<ExitStatus::Kind>(status.kind);
  out.trap = status.trap;
  out.results = map<Value>(status.results, [](const engine::Value& v) { return to_public(v); });
  return out;
}

binding::AllowList to_internal(const AllowList& allowed) {
  return binding::AllowList(allowed.prefixes);
}

runtime::EnvironmentConfig to_internal(const EnvironmentConfig& c) {
  return {.max_memory_pages = c.max_memory_pages,
          .max_fuel = c.max_fuel,
          .allowed = to_internal(c.allowed),
          .max_processes = c.max_processes,
          .max_names = c.max_names,
          .max_resources = c.max_resources,
          .max_memory_total = c.max_memory_total,
          .charge_linear_memory = c.charge_linear_memory};
}

EnvironmentConfig to_public(const runtime::EnvironmentConfig& c) {
  return {.max_memory_pages = c.max_memory_pages,
          .max_fuel = c.max_fuel,
          .allowed = AllowList(c.allowed.prefixes()),
          .max_processes = c.max_processes,
          .max_names = c.max_names,
          .max_resources = c.max_resources,
          .max_memory_total = c.max_memory_total,
          .charge_linear_memory = c.charge_linear_memory};
}

ProcessInfo to_public(const runtime::ProcessInfo& i) {
  return {.id = i.id,
          .names = i.names,
          .state = static_cast<ProcessState>(i.state),
          .mailbox_messages = i.mailbox_messages,
          .mailbox_bytes = i.mailbox_bytes,
          .memory_bytes = i.memory_bytes,
          .fuel_used = i.fuel_used,
          .fuel_left = i.fuel_left,
          .slices = i.slices,
          .environment = i.environment,
          .links = links_of(i.links),
          .monitored_by = i.monitored_by,
          .monitoring = i.monitoring,
          .die_when_link_dies = i.die_when_link_dies,
          .module = i.module,
          .entry = i.entry,
          .start_time_ms = i.start_time_ms};
}

CrashInfo to_public(const runtime::CrashInfo& i) {
  return {.id = i.id,
          .names = i.names,
          .module = i.module,
          .entry = i.entry,
          .environment = i.environment,
          .reason = i.reason,
          .killed = i.killed,
          .backtrace = i.backtrace,
          .links = links_of(i.links),
          .supervisor = i.supervisor,
          .start_time_ms = i.start_time_ms,
          .end_time_ms = i.end_time_ms};
}

EnvironmentInfo to_public(const runtime::EnvironmentInfo& i) {
  return {.id = i.id,
          .parent = i.parent,
          .max_memory_pages = i.max_memory_pages,
          .max_fuel = i.max_fuel,
          .max_processes = i.max_processes,
          .max_names = i.max_names,
          .max_resources = i.max_resources,
          .allowed = i.allowed,
          .live_processes = i.live_processes,
          .registered_names = i.registered_names,
          .memory_bytes = i.memory_bytes};
}

NodeInfo to_public(const runtime::NodeInfo& i) {
  return {.processes = i.processes,
          .spawns_total = i.spawns_total,
          .messages_sent_total = i.messages_sent_total,
          .crashes_total = i.crashes_total,
          .kills_total = i.kills_total,
          .memory_bytes = i.memory_bytes,
          .start_time_ms = i.start_time_ms,
          .uptime_ns = i.uptime_ns,
          .workers = map<WorkerInfo>(i.workers, [](const runtime::WorkerInfo& w) {
            return WorkerInfo{w.index, w.busy_ns, w.slices};
          })};
}

}  // namespace embed
}  // namespace lunatic
