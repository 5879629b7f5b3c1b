// The CLI's logger: level parsing, the stderr sink, and the one line logged per process end.
#include "cli/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace lunatic::cli {

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

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const char* setting) {
  auto log = std::make_shared<spdlog::logger>("lunatic", std::move(sink));
  log->set_pattern("lunatic: %^%l%$: %v");
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
  return make_logger(std::make_shared<spdlog::sinks::stderr_color_sink_mt>(), setting);
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
  // Where it trapped: the innermost frame that has a name (an exit is no place worth naming).
  std::string where;
  if (status.trap && status.trap->kind != engine::TrapKind::Exit) {
    for (const engine::BacktraceFrame& frame : status.trap->backtrace) {
      if (!frame.function_name.empty()) {
        where = " (in " + frame.function_name + ")";
        break;
      }
    }
  }
  log.log(level, "{} {} failed: {}{}", who, id, status.to_string(), where);
}

}  // namespace lunatic::cli
