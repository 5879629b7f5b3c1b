// The Prometheus text exposition format of /metrics (docs/observer.md, "Metrics").
#include <cstdio>

#include "observer/render.hpp"

namespace lunatic::observer {
namespace {

/// Writes the HELP and TYPE lines of one metric family.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, uint64_t value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(std::to_string(value)).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(text).append("\n");
}

std::string label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label(value) + "\"";
}

}  // namespace

std::string escape_label(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string metrics_text(const runtime::NodeInfo& node,
                         const std::vector<runtime::EnvironmentInfo>& environments,
                         const std::vector<runtime::ProcessInfo>& processes) {
  std::string out;
  family(out, "lunatic_processes", "gauge", "Live processes.");
  sample(out, "lunatic_processes", "", node.processes);
  family(out, "lunatic_spawns_total", "counter", "Processes spawned.");
  sample(out, "lunatic_spawns_total", "", node.spawns_total);
  family(out, "lunatic_messages_sent_total", "counter",
         "Messages delivered to mailboxes (data, link and monitor signals).");
  sample(out, "lunatic_messages_sent_total", "", node.messages_sent_total);
  family(out, "lunatic_process_crashes_total", "counter",
         "Processes that failed (trap, out of fuel, exit with a non-zero code).");
  sample(out, "lunatic_process_crashes_total", "", node.crashes_total);
  family(out, "lunatic_process_kills_total", "counter", "Processes that ended killed.");
  sample(out, "lunatic_process_kills_total", "", node.kills_total);
  family(out, "lunatic_memory_bytes", "gauge", "Linear memory of the live processes.");
  sample(out, "lunatic_memory_bytes", "", node.memory_bytes);
  family(out, "lunatic_uptime_seconds", "gauge", "Time since the runtime started.");
  sample(out, "lunatic_uptime_seconds", "", static_cast<double>(node.uptime_ns) / 1e9);

  family(out, "lunatic_worker_busy_seconds_total", "counter",
         "Time each scheduler worker spent running processes.");
  for (const runtime::WorkerInfo& w : node.workers) {
    sample(out, "lunatic_worker_busy_seconds_total", label("worker", std::to_string(w.index)),
           static_cast<double>(w.busy_ns) / 1e9);
  }
  family(out, "lunatic_worker_slices_total", "counter", "Slices each scheduler worker ran.");
  for (const runtime::WorkerInfo& w : node.workers) {
    sample(out, "lunatic_worker_slices_total", label("worker", std::to_string(w.index)), w.slices);
  }

  family(out, "lunatic_environment_processes", "gauge",
         "Live processes per environment (counting environments inside it).");
  for (const runtime::EnvironmentInfo& e : environments) {
    sample(out, "lunatic_environment_processes", label("environment", std::to_string(e.id)),
           e.live_processes);
  }
  family(out, "lunatic_environment_memory_bytes", "gauge",
         "Linear memory of each environment's own processes.");
  for (const runtime::EnvironmentInfo& e : environments) {
    sample(out, "lunatic_environment_memory_bytes", label("environment", std::to_string(e.id)),
           e.memory_bytes);
  }

  const size_t shown = std::min(processes.size(), kMaxProcessSeries);
  auto process_labels = [](const runtime::ProcessInfo& p) {
    std::string labels = label("process", std::to_string(p.id));
    if (!p.names.empty()) labels += "," + label("name", p.names.front());
    return labels;
  };
  family(out, "lunatic_process_memory_bytes", "gauge", "Linear memory of a process.");
  for (size_t i = 0; i < shown; ++i) {
    sample(out, "lunatic_process_memory_bytes", process_labels(processes[i]),
           processes[i].memory_bytes);
  }
  family(out, "lunatic_process_mailbox_messages", "gauge", "Messages queued in a mailbox.");
  for (size_t i = 0; i < shown; ++i) {
    sample(out, "lunatic_process_mailbox_messages", process_labels(processes[i]),
           static_cast<uint64_t>(processes[i].mailbox_messages));
  }
  family(out, "lunatic_process_slices_total", "counter", "Slices a process has run.");
  for (size_t i = 0; i < shown; ++i) {
    sample(out, "lunatic_process_slices_total", process_labels(processes[i]), processes[i].slices);
  }
  return out;
}

}  // namespace lunatic::observer
