// The CLI's log: LUNATIC_LOG levels, and which process ends are logged at which level.
#include "cli/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace lunatic::cli {
namespace {

struct Captured {
  std::ostringstream text;
  std::shared_ptr<spdlog::logger> log;
  explicit Captured(const char* setting)
      : log(make_logger(std::make_shared<spdlog::sinks::ostream_sink_mt>(text), setting)) {}
};

runtime::ExitStatus trapped(std::string message, std::string function) {
  runtime::ExitStatus status;
  status.kind = runtime::ExitStatus::Kind::Failed;
  engine::Trap trap = engine::Trap::of(engine::TrapKind::Unreachable);
  trap.message = std::move(message);
  engine::BacktraceFrame unnamed;
  engine::BacktraceFrame named;
  named.function_name = std::move(function);
  trap.backtrace = {unnamed, named};
  status.trap = trap;
  return status;
}

TEST(LogLevel, ParsesEveryNameCaseInsensitively) {
  EXPECT_EQ(parse_log_level("off"), spdlog::level::off);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_level("WARN"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("warning"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("Info"), spdlog::level::info);
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("trace"), spdlog::level::trace);
  EXPECT_EQ(parse_log_level("verbose"), std::nullopt);
  EXPECT_EQ(parse_log_level(""), std::nullopt);
}

TEST(LogLevel, DefaultIsWarnAndAnUnknownSettingIsReported) {
  EXPECT_EQ(Captured(nullptr).log->level(), spdlog::level::warn);
  EXPECT_EQ(Captured("").log->level(), spdlog::level::warn);
  Captured bad("loud");
  EXPECT_EQ(bad.log->level(), spdlog::level::warn);
  EXPECT_EQ(bad.text.str(),
            "lunatic: warning: LUNATIC_LOG=loud is not a level (off, error, warn, info, debug, "
            "trace): using warn\n");
  EXPECT_EQ(Captured("debug").log->level(), spdlog::level::debug);
}

TEST(LogProcessExit, AFailedProcessIsAWarningWithItsIdReasonAndPlace) {
  Captured c(nullptr);
  log_process_exit(*c.log, 7, trapped("integer divide by zero", "divide"), false);
  EXPECT_EQ(c.text.str(),
            "lunatic: warning: process 7 failed: trap: integer divide by zero (in divide)\n");
}

TEST(LogProcessExit, ANonZeroExitIsAFailureWithoutAPlace) {
  Captured c(nullptr);
  runtime::ExitStatus status;
  status.kind = runtime::ExitStatus::Kind::Failed;
  engine::Trap exit = engine::Trap::of(engine::TrapKind::Exit);
  exit.exit_code = 3;
  engine::BacktraceFrame frame;
  frame.function_name = "__wasi_proc_exit";
  exit.backtrace = {frame};
  status.trap = exit;
  log_process_exit(*c.log, 9, status, false);
  EXPECT_EQ(c.text.str(), "lunatic: warning: process 9 failed: exit(3)\n");
}

TEST(LogProcessExit, TheRootAndNormalOrKilledEndsAreDebugOnly) {
  runtime::ExitStatus normal;
  runtime::ExitStatus killed;
  killed.kind = runtime::ExitStatus::Kind::Killed;
  killed.trap = engine::Trap::of(engine::TrapKind::Killed);
  Captured quiet(nullptr);
  log_process_exit(*quiet.log, 1, trapped("unreachable", "main"), true);
  log_process_exit(*quiet.log, 2, normal, false);
  log_process_exit(*quiet.log, 3, killed, false);
  EXPECT_EQ(quiet.text.str(), "");

  Captured debug("debug");
  log_process_exit(*debug.log, 1, trapped("unreachable", "main"), true);
  log_process_exit(*debug.log, 2, normal, false);
  log_process_exit(*debug.log, 3, killed, false);
  EXPECT_EQ(debug.text.str(),
            "lunatic: debug: root process 1 failed: trap: unreachable (in main)\n"
            "lunatic: debug: process 2 ended: normal\n"
            "lunatic: debug: process 3 ended: killed\n");
}

TEST(LogProcessExit, OffSilencesFailuresToo) {
  Captured c("off");
  log_process_exit(*c.log, 7, trapped("unreachable", "f"), false);
  EXPECT_EQ(c.text.str(), "");
}

}  // namespace
}  // namespace lunatic::cli
