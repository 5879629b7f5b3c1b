// Rendering the runtime's introspection (runtime/introspection.hpp) for the observer's
// clients: JSON documents (the /api endpoints, docs/observer.md) and the Prometheus text format
// (/metrics). Pure functions of the snapshots, so they are tested without a server.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "runtime/introspection.hpp"

namespace lunatic::observer {

/// One process, as GET /api/processes/ID returns it.
std::string process_json(const runtime::ProcessInfo& process);
/// A process that ended abnormally (state "crashed"), as GET /api/processes/ID returns it.
std::string crash_json(const runtime::CrashInfo& crash);
/// {"count": N, "processes": [...]} for GET /api/processes: `count` the live processes,
/// `processes` those listed (all, or the lowest ids up to a limit).
std::string processes_json(const std::vector<runtime::ProcessInfo>& processes, size_t count);
/// {"environments": [...]} for GET /api/environments.
std::string environments_json(const std::vector<runtime::EnvironmentInfo>& environments);
/// The node's totals and workers for GET /api/node.
std::string node_json(const runtime::NodeInfo& node);
/// {"crashes": [...]} for GET /api/crashes, oldest first.
std::string crashes_json(const std::vector<runtime::CrashInfo>& crashes);
/// {"error": message}: the body of every error response.
std::string error_json(std::string_view message);

/// Per-process series (lunatic_process_*) are written for at most this many processes (the
/// lowest ids), so that a node of a million processes does not make a million-line scrape.
inline constexpr size_t kMaxProcessSeries = 1000;

/// The Prometheus text exposition format (version 0.0.4) of the node, its environments and
/// its processes (see docs/observer.md for the metric names).
std::string metrics_text(const runtime::NodeInfo& node,
                         const std::vector<runtime::EnvironmentInfo>& environments,
                         const std::vector<runtime::ProcessInfo>& processes);

/// `text` as a Prometheus label value: backslash, double quote and newline escaped.
std::string escape_label(std::string_view text);

}  // namespace lunatic::observer
