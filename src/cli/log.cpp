// The CLI's logger: level parsing, the stderr sink, and the one line logged per process end.
#include "cli/log.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

namespace lunatic::cli {
namespace {

/// " (in f)": the innermost frame of `backtrace` that has a name, or "" if none has.
std::string innermost_named(const std::vector<engine::BacktraceFrame>& backtrace) {
  for (const engine::BacktraceFrame& frame : backtrace) {
    if (!frame.function_name.empty()) return " (in " + frame.function_name + ")";
  }
  return "";
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 7> kLevels = {
      {
          {"off", spdlog::level::off},
          {"error", spdlog::level::err},
          {"warn", spdlog::level::warn},
          {"warning", spdlog::level::warn},
          {"info", spdlog::level::info},
          {"debug", spdlog::level::debug},
          {"trace", spdlog::level::trace},
      }};
  for (const auto& [name, level] : kLevels) {
    if (lower == name) return level;
  }
  return std::nullopt;
}

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const char* setting,
                                            bool timestamps) {
  auto log = std::make_shared<spdlog::logger>("lunatic", std::move(sink));
  if (timestamps) {
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ lunatic: %^%l%$: %v", spdlog::pattern_time_type::utc);
  } else {
    log->set_pattern("lunatic: %^%l%$: %v");
  }
  std::optional<spdlog::level::level_enum> level =
      setting != nullptr && *setting != '\0' ? parse_log_level(setting) : kDefaultLogLevel;
  log->set_level(level.value_or(kDefaultLogLevel));
  // Traps and failures are rare but matter: each line reaches stderr at once.
  log->flush_on(spdlog::level::trace);
  if (!level) {
    log->warn("{}={} is not a level (off, error, warn, info, debug, trace): using warn",
              kLogVariable, setting);
  }
  return log;
}

std::shared_ptr<spdlog::logger> make_stderr_logger(const char* setting) {
  return make_logger(std::make_shared<spdlog::sinks::stderr_color_sink_mt>(), setting, true);
}

void log_process_exit(spdlog::logger& log, runtime::ProcessId id, const runtime::ExitStatus& status,
                      bool is_root) {
  const bool failed = status.kind == runtime::ExitStatus::Kind::Failed;
  const spdlog::level::level_enum level =
      failed && !is_root ? spdlog::level::warn : spdlog::level::debug;
  if (!log.should_log(level)) return;
  const char* who = is_root ? "root process" : "process";
  if (!failed) {
    log.log(level, "{} {} ended: {}", who, id, status.to_string());
    return;
  }
  std::string where;
  if (status.trap && status.trap->kind != engine::TrapKind::Exit) {
    where = innermost_named(status.trap->backtrace);
  }
  log.log(level, "{} {} failed: {}{}", who, id, status.to_string(), where);
}

void log_crash_report(spdlog::logger& log, const runtime::CrashInfo& crash, bool is_root) {
  const spdlog::level::level_enum level =
      !crash.killed && !is_root ? spdlog::level::warn : spdlog::level::debug;
  if (!log.should_log(level)) return;
  std::string report = std::string(is_root ? "root process " : "process ") +
                       std::to_string(crash.id) + (crash.killed ? " ended: " : " failed: ") +
                       crash.reason + innermost_named(crash.backtrace);
  if (!crash.names.empty()) {
    report += "\n  names: ";
    for (size_t i = 0; i < crash.names.size(); ++i) {
      report += (i != 0 ? ", " : "") + crash.names[i];
    }
  }
  report += "\n  module: " + (crash.module.empty() ? std::string("-") : crash.module) + ", entry " +
            crash.entry + ", environment " + std::to_string(crash.environment);
  report += "\n  links: ";
  if (crash.links.empty()) report += "none";
  for (size_t i = 0; i < crash.links.size(); ++i) {
    report += (i != 0 ? ", " : "") + std::to_string(crash.links[i].process) + " (tag " +
              std::to_string(crash.links[i].tag) + ")";
  }
  if (crash.supervisor) report += "\n  supervisor: " + std::to_string(*crash.supervisor);
  if (!crash.backtrace.empty()) {
    report += "\n  wasm backtrace:";
    for (size_t i = 0; i < crash.backtrace.size(); ++i) {
      const engine::BacktraceFrame& frame = crash.backtrace[i];
      report +=
          fmt::format("\n    {:>2}: 0x{:06x} - func[{}] {}", i, frame.offset, frame.function_index,
                      frame.function_name.empty() ? "<unnamed>" : frame.function_name);
    }
  }
  log.log(level, "{}", report);
}

}  // namespace lunatic::cli
