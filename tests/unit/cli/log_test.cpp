// The CLI's log: LUNATIC_LOG levels, and which process ends are logged at which level.
#include "cli/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <filesystem>
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

namespace lunatic::cli {
namespace {

runtime::CrashInfo crash_of_calculator() {
  runtime::CrashInfo crash;
  crash.id = 7;
  crash.names = {"calculator", "calc"};
  crash.module = "demo.wasm";
  crash.entry = "serve";
  crash.environment = 1;
  crash.reason = "trap: integer divide by zero";
  crash.backtrace = {{12, "", 0x1f3}, {10, "divide", 0x201}, {9, "serve", 0x2a0}};
  crash.links = {{3, 1}, {5, 2}};
  return crash;
}

TEST(CrashReport, NamesReasonModuleLinksAndTheWholeBacktrace) {
  Captured c(nullptr);
  log_crash_report(*c.log, crash_of_calculator(), false);
  EXPECT_EQ(c.text.str(),
            "lunatic: warning: process 7 failed: trap: integer divide by zero (in divide)\n"
            "  names: calculator, calc\n"
            "  module: demo.wasm, entry serve, environment 1\n"
            "  links: 3 (tag 1), 5 (tag 2)\n"
            "  wasm backtrace:\n"
            "     0: 0x0001f3 - func[12] <unnamed>\n"
            "     1: 0x000201 - func[10] divide\n"
            "     2: 0x0002a0 - func[9] serve\n");
}

TEST(CrashReport, NamesTheSupervisor) {
  runtime::CrashInfo crash = crash_of_calculator();
  crash.supervisor = 3;
  Captured c(nullptr);
  log_crash_report(*c.log, crash, false);
  EXPECT_NE(c.text.str().find("  links: 3 (tag 1), 5 (tag 2)\n  supervisor: 3\n  wasm backtrace:"),
            std::string::npos)
      << c.text.str();
}

TEST(CrashReport, KillsAndTheRootAtDebug) {
  runtime::CrashInfo crash = crash_of_calculator();
  crash.killed = true;
  crash.reason = "killed: by the observer";
  crash.backtrace.clear();
  crash.links.clear();
  crash.names.clear();
  Captured quiet(nullptr);
  log_crash_report(*quiet.log, crash, false);
  EXPECT_EQ(quiet.text.str(), "");
  Captured debug("debug");
  log_crash_report(*debug.log, crash, false);
  EXPECT_EQ(debug.text.str(),
            "lunatic: debug: process 7 ended: killed: by the observer\n"
            "  module: demo.wasm, entry serve, environment 1\n"
            "  links: none\n");
  Captured root(nullptr);
  log_crash_report(*root.log, crash_of_calculator(), true);
  EXPECT_EQ(root.text.str(), "");
}

TEST(CrashReport, ItsSizeIsBoundedWhateverTheGuestDid) {
  runtime::CrashInfo crash = crash_of_calculator();
  // A 10,000-frame recursion of a function whose name-section name is 100 KB of UTF-8 ("x"
  // then "é"s, two bytes each: byte 200 is inside one, which the cut must not split), and 40
  // registered names.
  std::string long_name = "x";
  for (int i = 0; i < 50'000; ++i) long_name += "\xc3\xa9";
  crash.backtrace.assign(10'000, engine::BacktraceFrame{4, long_name, 0x10});
  crash.names.assign(40, "n");
  Captured c(nullptr);
  log_crash_report(*c.log, crash, false);
  const std::string report = c.text.str();
  EXPECT_LT(report.size(), 64u * 260u) << report.size();
  EXPECT_NE(report.find("  names: n, n, n, n, n, n, n, n, n, n, n, n, n, n, n, n and 24 more\n"),
            std::string::npos);
  EXPECT_NE(report.find("    63: 0x000010 - func[4] "), std::string::npos);
  EXPECT_EQ(report.find("    64: "), std::string::npos);
  EXPECT_NE(report.find("\n    ... 9936 outer frames\n"), std::string::npos);
  // Each name is cut at a character boundary, 200 bytes at most (here 199), then "...".
  const std::string frame = "    0: 0x000010 - func[4] ";
  const size_t at = report.find(frame) + frame.size();
  const std::string cut = report.substr(at, report.find('\n', at) - at);
  EXPECT_EQ(cut, long_name.substr(0, 199) + "...");
}

TEST(CrashReport, StderrLinesCarryAUtcTimestamp) {
  std::ostringstream text;
  auto log = make_logger(std::make_shared<spdlog::sinks::ostream_sink_mt>(text), nullptr, true);
  log->warn("x");
  const std::string line = text.str();
  // 2026-01-31T12:00:00.123Z lunatic: warning: x
  ASSERT_EQ(line.size(), 24u + std::string(" lunatic: warning: x\n").size()) << line;
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line[10], 'T');
  EXPECT_EQ(line[23], 'Z');
  EXPECT_EQ(line.substr(24), " lunatic: warning: x\n");
}

/// The threads of this process now.
size_t threads() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

TEST(StderrLog, ItsWriterStartsWithTheFirstLine) {
  const size_t before = threads();
  auto log = make_stderr_logger("info");
  log->debug("filtered out");
  drain_log(*log, std::chrono::milliseconds(1000));
  EXPECT_EQ(threads(), before) << "a log that wrote nothing started its writer";
  testing::internal::CaptureStderr();
  log->info("first line");
  log->warn("second line");
  drain_log(*log, std::chrono::milliseconds(5000));
  const std::string text = testing::internal::GetCapturedStderr();
  EXPECT_EQ(threads(), before + 1) << "the writer";
  const size_t first = text.find("lunatic: info: first line\n");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text[23], 'Z') << "the stderr pattern, with its UTC timestamp";
  EXPECT_NE(text.find("lunatic: warning: second line\n", first), std::string::npos) << text;
}

// The writer may still be writing queued lines when the front logger (and its sink) is
// destroyed: a run ends that way. The lines still reach stderr, and under ASan the writer
// touches nothing of the destroyed sink (it once counted into it: a use after free).
TEST(StderrLog, LinesQueuedBeforeTheLoggerIsDestroyedAreStillWritten) {
  testing::internal::CaptureStderr();
  constexpr int kLines = 300;
  {
    auto log = make_stderr_logger("info");
    for (int i = 0; i < kLines; ++i) log->info("queued line {}", i);
  }  // destroyed without a drain, while the writer works through the queue
  auto after = make_stderr_logger("info");
  after->info("after the first logger");
  drain_log(*after, std::chrono::milliseconds(5000));  // one writer, lines in order
  const std::string text = testing::internal::GetCapturedStderr();
  size_t at = 0;
  for (int i = 0; i < kLines; ++i) {
    at = text.find("queued line " + std::to_string(i) + "\n", at);
    ASSERT_NE(at, std::string::npos) << "line " << i << " is missing";
  }
  EXPECT_NE(text.find("after the first logger\n", at), std::string::npos);
}

}  // namespace
}  // namespace lunatic::cli
