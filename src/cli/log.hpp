// The CLI's log (spdlog, to stderr): its level from LUNATIC_LOG, and what the runtime's hooks
// report through it (a failed process at warn, every exit at debug). Only the CLI logs.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/ids.hpp"
#include "runtime/introspection.hpp"

namespace lunatic::cli {

/// The environment variable that sets the level: off, error, warn, info, debug or trace.
inline constexpr const char* kLogVariable = "LUNATIC_LOG";
inline constexpr spdlog::level::level_enum kDefaultLogLevel = spdlog::level::warn;

/// Parses a level name (case-insensitive; "warning" too); nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);

/// How many lines the stderr logger holds while stderr does not take them (a stalled pipe):
/// past that the oldest waiting lines are dropped.
inline constexpr size_t kQueuedLogLines = 1024;

/// A logger to stderr ("2026-01-31T12:00:00.123Z lunatic: warning: ...", UTC), coloured when
/// stderr is a terminal, at the level `setting` names (the value of LUNATIC_LOG, or null for
/// the default). An unknown setting gives the default level and a warning through the logger
/// itself. Thread-safe. A call only queues its line (at most kQueuedLogLines wait; a full
/// queue drops its oldest, and drain_log says how many it dropped): a thread of the log's own
/// (started by the first line that passes the level) writes them, so a stderr nobody reads
/// never blocks the worker that logs. Queued lines are written before the program exits.
std::shared_ptr<spdlog::logger> make_stderr_logger(const char* setting);

/// Waits until the lines queued by the stderr logger are written (at most `limit`), then
/// flushes `log`'s sinks: call it before writing to stderr directly, so lines keep their order.
/// If a full queue dropped lines since the last call, first logs how many (a warning).
void drain_log(spdlog::logger& log, std::chrono::milliseconds limit);

/// A logger for tests and embedders: the same format and level rules, to `sink`; the
/// timestamp only if `timestamps`.
std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const char* setting,
                                            bool timestamps = false);

/// Logs the end of process `id` (RuntimeConfig::on_exit): a failure (trap, out of fuel,
/// exit(n != 0)) at warn, unless `is_root` (the CLI reports the root's failure itself); every
/// other end (normal, killed) at debug. Cheap when the level filters it out.
void log_process_exit(spdlog::logger& log, runtime::ProcessId id, const runtime::ExitStatus& status,
                      bool is_root);

/// Logs a crash report (RuntimeConfig::on_crash), as Erlang's: the line log_process_exit
/// writes for a failure ("process 7 failed: trap: ... (in f)"), then the process's names, its
/// module and entry, its links (the processes its failure reaches) and the whole Wasm
/// backtrace with function names. A failure of a process other than the root at warn; the
/// root's (the CLI reports it itself) and kills at debug. At most 64 frames and 16 names are
/// listed, and names are cut at 200 bytes, so a report's size does not depend on the guest.
void log_crash_report(spdlog::logger& log, const runtime::CrashInfo& crash, bool is_root);

}  // namespace lunatic::cli
