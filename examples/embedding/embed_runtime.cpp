// embed_runtime: lunatic's process runtime inside a C++ program (docs/embedding.md walks
// through it). The host adds a namespace of its own (`app`) to the standard host functions,
// runs jobs in processes under an environment's limits, sends them messages, joins them, kills
// one, and sees a sandbox refuse a module.
//
//   embed_runtime job.wasm
#include <lunatic/runtime.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

constexpr lunatic::Tag kJobTag = 1;  // job.c waits for this tag

/// What the processes told the host. Host functions run on the runtime's worker threads, so
/// every access takes the mutex.
class Board {
 public:
  void log(lunatic::ProcessId id, std::string_view text) {
    std::lock_guard lock(mutex_);
    logs_.push_back("process " + std::to_string(id) + ": " + std::string(text));
  }
  void report(lunatic::ProcessId id, int64_t n, int64_t result) {
    std::lock_guard lock(mutex_);
    results_[id] = "fib(" + std::to_string(n) + ") = " + std::to_string(result);
  }

  /// "fib(20) = 6765", or "no result".
  std::string result(lunatic::ProcessId id) const {
    std::lock_guard lock(mutex_);
    auto found = results_.find(id);
    return found == results_.end() ? std::string("no result") : found->second;
  }
  size_t log_lines() const {
    std::lock_guard lock(mutex_);
    return logs_.size();
  }
  std::string first_log() const {
    std::lock_guard lock(mutex_);
    return logs_.empty() ? std::string("(none)") : logs_.front();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::map<lunatic::ProcessId, std::string> results_;
};

/// The host's namespace `app`. Each function is a typed C++ lambda: the binding layer derives
/// its Wasm type ((i32 i32) -> () for log, (i64 i64) -> () for report), checks the guest's
/// string for bounds and UTF-8 before the lambda runs, and CallContext::process_id() is the
/// calling process.
void define_app(lunatic::Linker& linker, Board& board) {
  linker.ns("app")
      .define("log",
              [&board](lunatic::CallContext& ctx, lunatic::GuestString text) {
                board.log(ctx.process_id(), text.view());
              })
      .define("report", [&board](lunatic::CallContext& ctx, int64_t n, int64_t result) {
        board.report(ctx.process_id(), n, result);
      });
}

/// A data message with tag `tag` and the 8 bytes of `value`, as lunatic_receive_i64 reads it.
lunatic::Message int64_message(lunatic::Tag tag, int64_t value) {
  lunatic::Message message{.tag = tag, .data = std::vector<uint8_t>(sizeof value)};
  std::memcpy(message.data.data(), &value, sizeof value);
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_runtime job.wasm\n");
    return 2;
  }
  // 1. Compile the guest once; every process shares the compiled module.
  auto module = lunatic::compile_file(argv[1]);
  if (!module) {
    std::fprintf(stderr, "error: %s: %s\n", argv[1], module.error().to_string().c_str());
    return 1;
  }

  // 2. The host functions: WASI and lunatic::*, plus the namespace `app`. The board outlives
  //    the runtime, whose workers call into it.
  Board board;
  lunatic::Linker linker = lunatic::Linker::standard();
  define_app(linker, board);
  lunatic::Runtime runtime({.workers = 2, .linker = linker});

  // 3. The environment the jobs run in: 2 MiB of memory, 50 million fuel units each, only the
  //    namespaces they need (no lunatic::process: a job cannot spawn or kill), at most 8 jobs,
  //    no registered names, and at most 16 resources (sockets, modules...) per job.
  lunatic::Environment jobs = lunatic::Environment::create({
      .max_memory_pages = 32,
      .max_fuel = 50'000'000,
      .allowed = lunatic::AllowList({"app::", "lunatic::message::", "wasi_snapshot_preview1::"}),
      .max_processes = 8,
      .max_names = 0,
      .max_resources = 16,
  });

  // 4. Spawn one process per job, joinable so that the host can wait for each, then send each
  //    its number. fib(40) needs far more fuel than the environment gives.
  const std::vector<int64_t> numbers{10, 20, 25, 40};
  std::vector<lunatic::ProcessId> jobs_ids;
  for (int64_t n : numbers) {
    auto id = runtime.spawn(
        {.module = *module, .environment = jobs, .entry = "_start", .joinable = true});
    if (!id) {
      std::fprintf(stderr, "spawn failed: %s\n", id.error().to_string().c_str());
      return 1;
    }
    jobs_ids.push_back(*id);
    runtime.send(*id, int64_message(kJobTag, n));
  }

  // 5. join() returns each job's exit status once it ends by itself.
  for (size_t i = 0; i < jobs_ids.size(); ++i) {
    std::optional<lunatic::ExitStatus> status = runtime.join(jobs_ids[i]);
    std::printf("job %lld: %s, ended %s\n", static_cast<long long>(numbers[i]),
                board.result(jobs_ids[i]).c_str(), status->to_string().c_str());
  }

  // 6. A process that never gets a job would wait in receive forever: the host kills it, which
  //    unwinds it and frees what it held.
  auto idle =
      runtime.spawn({.module = *module, .environment = jobs, .entry = "_start", .joinable = true});
  if (!idle) return 1;
  runtime.kill(*idle, lunatic::Trap::killed("the host needs no more jobs"));
  std::printf("idle job: ended %s\n", runtime.join(*idle)->to_string().c_str());

  // 7. A sandbox that does not allow `app`: the spawn fails and names the import.
  auto sandbox = lunatic::Environment::create(
      {.allowed = lunatic::AllowList({"lunatic::message::", "wasi_snapshot_preview1::"})});
  auto refused = runtime.spawn({.module = *module, .environment = sandbox, .entry = "_start"});
  std::printf("in a sandbox without app: %s\n",
              refused ? "spawned (unexpected)" : refused.error().to_string().c_str());
  std::printf("the jobs logged %zu lines, the first: %s\n", board.log_lines(),
              board.first_log().c_str());
  return 0;
}
