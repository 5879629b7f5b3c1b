// The CLI's logger: level parsing, the stderr sink, and the one line logged per process end.
#include "cli/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace lunatic::cli {
namespace {

// A crash report's size is bounded whatever the guest did (a 10,000-frame recursion, long
// names in its name section, many registered names): reports wait in the log's queue while
// stderr is slow, so the queue's memory is bounded by kQueuedLogLines times this.
constexpr size_t kReportedFrames = 64;
constexpr size_t kReportedNames = 16;
constexpr size_t kReportedNameBytes = 200;

/// `name`, cut to kReportedNameBytes (marked with "...").
std::string clipped(const std::string& name) {
  if (name.size() <= kReportedNameBytes) return name;
  size_t cut = kReportedNameBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return name.substr(0, cut) + "...";
}

/// " (in f)": the innermost frame of `backtrace` that has a name, or "" if none has.
std::string innermost_named(const std::vector<engine::BacktraceFrame>& backtrace) {
  for (const engine::BacktraceFrame& frame : backtrace) {
    if (!frame.function_name.empty()) return " (in " + clipped(frame.function_name) + ")";
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

namespace {

/// Sets `log`'s format and level (see make_logger) and returns it.
std::shared_ptr<spdlog::logger> configure(std::shared_ptr<spdlog::logger> log, const char* setting,
                                          bool timestamps) {
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

/// The thread that writes the stderr logger's lines, and their queue: started by the first line
/// (most runs log nothing, and the 1,024-line queue and the thread cost a start ~1.7 ms:
/// docs/benchmarks.md, "Start-up: no HTTP or crypto library at load"). It lives until the
/// program's static objects are destroyed: that writes what is still queued, then joins.
std::atomic<spdlog::details::thread_pool*> writer_started{nullptr};

std::shared_ptr<spdlog::details::thread_pool> stderr_writer() {
  // A function's static, made after the stderr sink (and spdlog's console mutex, a static of
  // its own): destroyed before them, so its last lines are written while they exist.
  static const auto pool = [] {
    auto made = std::make_shared<spdlog::details::thread_pool>(kQueuedLogLines, 1);
    writer_started.store(made.get(), std::memory_order_release);
    return made;
  }();
  return pool;
}

/// The writer if a line has started it, else null (nothing was ever queued).
spdlog::details::thread_pool* started_writer() {
  return writer_started.load(std::memory_order_acquire);
}

/// Counts the lines the writer wrote: it follows the stderr sink in the async logger, so a
/// line is counted once stderr has it. It shares the count with the front sink: the writer
/// may still write a queued line after the front logger and its sink are gone (each queued
/// line holds the async logger, not the front sink).
class WrittenLines final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit WrittenLines(std::shared_ptr<std::atomic<uint64_t>> written)
      : written_(std::move(written)) {}

 private:
  void sink_it_(const spdlog::details::log_msg&) override {
    written_->fetch_add(1, std::memory_order_release);
  }
  void flush_() override {}
  std::shared_ptr<std::atomic<uint64_t>> written_;
};

/// The stderr logger's sink: hands each line, as it comes, to an async logger (the writer's
/// thread and queue), which it makes with the first line. Its flush is the stderr sink's own
/// (drain_log); lines are flushed one by one by the writer.
class DeferredStderrSink final : public spdlog::sinks::sink {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    queued_.fetch_add(1, std::memory_order_relaxed);
    async().log(msg.time, msg.source, msg.level, msg.payload);
  }
  /// Waits until every line queued so far was written or dropped (a full queue drops the
  /// oldest: `dropped`), or `deadline` passed. An empty queue is not enough: the writer takes
  /// a line off the queue before it writes it.
  void wait_written(size_t dropped, std::chrono::steady_clock::time_point deadline) const {
    const uint64_t queued = queued_.load(std::memory_order_relaxed);
    while (written_->load(std::memory_order_acquire) + dropped < queued &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  void flush() override {
    if (started_.load(std::memory_order_acquire)) stderr_->flush();
  }
  void set_pattern(const std::string& pattern) override {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    std::lock_guard lock(mutex_);
    formatter_ = std::move(formatter);
    if (async_) async_->set_formatter(formatter_->clone());
  }

 private:
  spdlog::async_logger& async() {
    std::call_once(once_, [this] {
      std::lock_guard lock(mutex_);
      stderr_ = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
      // The logging thread only queues the line (overrun_oldest: never waits for room), so a
      // stalled stderr cannot hold a worker that reports a crash.
      async_ = std::make_shared<spdlog::async_logger>(
          "lunatic", spdlog::sinks_init_list{stderr_, std::make_shared<WrittenLines>(written_)},
          stderr_writer(), spdlog::async_overflow_policy::overrun_oldest);
      if (formatter_) async_->set_formatter(formatter_->clone());
      async_->set_level(spdlog::level::trace);  // the front logger filters
      // Traps and failures are rare but matter: each line reaches stderr at once.
      async_->flush_on(spdlog::level::trace);
      started_.store(true, std::memory_order_release);
    });
    return *async_;
  }

  std::once_flag once_;
  std::mutex mutex_;  // formatter_, and async_'s formatter
  std::unique_ptr<spdlog::formatter> formatter_;
  std::shared_ptr<spdlog::sinks::sink> stderr_;
  std::shared_ptr<spdlog::async_logger> async_;
  std::atomic<bool> started_{false};
  std::atomic<uint64_t> queued_{0};
  std::shared_ptr<std::atomic<uint64_t>> written_ = std::make_shared<std::atomic<uint64_t>>(0);
};

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const char* setting,
                                            bool timestamps) {
  return configure(std::make_shared<spdlog::logger>("lunatic", std::move(sink)), setting,
                   timestamps);
}

std::shared_ptr<spdlog::logger> make_stderr_logger(const char* setting) {
  auto log =
      configure(std::make_shared<spdlog::logger>("lunatic", std::make_shared<DeferredStderrSink>()),
                setting, true);
  // The writer flushes each line; a flush here would take the stderr sink's lock, which a
  // stalled stderr holds.
  log->flush_on(spdlog::level::off);
  return log;
}

namespace {

/// Waits until the stderr logger's queue is empty or `deadline` passed.
void wait_for_writer(std::chrono::steady_clock::time_point deadline) {
  spdlog::details::thread_pool* writer = started_writer();
  while (writer != nullptr && writer->queue_size() > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

void drain_log(spdlog::logger& log, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  // First the queue empties: a full queue drops its oldest line when another is queued, so the
  // warning below, queued into a full queue, would drop one more line than it reports (tried:
  // integration.stdio_crash_flood_drops then counts one report short). Only then is the count
  // final, and the last wait below covers the warning.
  wait_for_writer(deadline);
  // Lines a full queue dropped since the last drain are counted, so a reader knows the log
  // has gaps (the count is the queue's: it covers every logger that shares the writer).
  static std::atomic<size_t> reported{0};
  spdlog::details::thread_pool* writer = started_writer();
  const size_t dropped = writer != nullptr ? writer->overrun_counter() : 0;
  const size_t before = reported.exchange(dropped);
  if (dropped > before) {
    log.warn("{} log lines were dropped: stderr did not take them as fast as they came",
             dropped - before);
    wait_for_writer(deadline);
  }
  // The line the writer took off the queue last may not be written yet.
  for (const spdlog::sink_ptr& sink : log.sinks()) {
    if (const auto* deferred = dynamic_cast<const DeferredStderrSink*>(sink.get()))
      deferred->wait_written(dropped, deadline);
    sink->flush();
  }
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
    const size_t shown = std::min(crash.names.size(), kReportedNames);
    for (size_t i = 0; i < shown; ++i) report += (i != 0 ? ", " : "") + clipped(crash.names[i]);
    if (shown < crash.names.size())
      report += fmt::format(" and {} more", crash.names.size() - shown);
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
    const size_t shown = std::min(crash.backtrace.size(), kReportedFrames);
    for (size_t i = 0; i < shown; ++i) {
      const engine::BacktraceFrame& frame = crash.backtrace[i];
      report +=
          fmt::format("\n    {:>2}: 0x{:06x} - func[{}] {}", i, frame.offset, frame.function_index,
                      frame.function_name.empty() ? "<unnamed>" : clipped(frame.function_name));
    }
    if (shown < crash.backtrace.size()) {
      report += fmt::format("\n    ... {} outer frames", crash.backtrace.size() - shown);
    }
  }
  log.log(level, "{}", report);
}

}  // namespace lunatic::cli
