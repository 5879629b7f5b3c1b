// Running one spec file (see file_job.hpp). The child parses and runs the script, writing one
// character per outcome to a pipe as it goes, so the parent still knows the counts up to a
// crash; the parser runs there too, under the same timeout, since it is under test as well.
#include "spec/file_job.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <sstream>

#include "text/text.hpp"

namespace lunatic::spec {
namespace {

using text::Script;

Result<Script> load_script(const std::filesystem::path& wast) {
  std::ifstream in(wast, std::ios::binary);
  if (!in) return Error(Phase::Host, "cannot open " + wast.string());
  std::ostringstream source;
  source << in.rdbuf();
  if (in.bad()) return Error(Phase::Host, "cannot read " + wast.string());
  return text::parse_script(source.str());
}

/// Parses and runs one file, or counts its assertions as skipped when the skip list names it.
void run_job(const std::filesystem::path& wast, const std::string& name, const SkipList& skips,
             const JobOptions& options, const ScriptRunner::Recorder& record) {
  auto script = load_script(wast);
  if (const SkipEntry* entry = skips.match_file(name)) {
    uint64_t n = script ? count_assertions(*script) : 1;
    for (uint64_t i = 0; i < n; ++i) record(Outcome::Skip);
    if (options.runner.verbose) {
      std::printf("%s: skipped (%s): %s\n", name.c_str(), entry->pattern.c_str(),
                  entry->reason.c_str());
    }
    return;
  }
  if (!script) {
    // The script itself does not parse (a module that does not encode fails only its own
    // command): one failure, with the parser's error.
    std::printf("%s: FAIL %s\n", name.c_str(), script.error().to_string().c_str());
    record(Outcome::Fail);
    return;
  }
  MemoryPool pool;
  ScriptRunner runner(pool, skips, name, options.runner, record);
  runner.run(*script);
}

/// Forks; the child runs the job and reports outcomes through a pipe.
Tally run_isolated(const std::filesystem::path& wast, const std::string& name,
                   const SkipList& skips, const JobOptions& options) {
  Tally tally;
  int fds[2];
  std::fflush(stdout);  // or the child would print the parent's buffered output again
  if (pipe(fds) != 0) {
    std::printf("%s: pipe: %s\n", name.c_str(), strerror(errno));
    tally.add(Outcome::Fail);
    return tally;
  }
  pid_t pid = fork();
  if (pid < 0) {
    std::printf("%s: fork: %s\n", name.c_str(), strerror(errno));
    close(fds[0]);
    close(fds[1]);
    tally.add(Outcome::Fail);
    return tally;
  }
  if (pid == 0) {
    close(fds[0]);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep what was printed before a crash
    alarm(options.file_timeout_seconds);
    int out = fds[1];
    run_job(wast, name, skips, options, [out](Outcome o) {
      char c = static_cast<char>(o);
      while (write(out, &c, 1) < 0 && errno == EINTR) {
      }
    });
    std::fflush(stdout);
    _exit(0);  // no destructors or atexit handlers of the parent's state
  }

  close(fds[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) tally.add(static_cast<Outcome>(buf[i]));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) {
      std::printf("%s: timed out after %u s\n", name.c_str(), options.file_timeout_seconds);
    } else {
      std::printf("%s: crashed with signal %d (%s) after %llu commands\n", name.c_str(), sig,
                  strsignal(sig),
                  static_cast<unsigned long long>(tally.passed + tally.failed + tally.skipped));
    }
    tally.add(Outcome::Fail);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("%s: the runner exited with status %d\n", name.c_str(), WEXITSTATUS(status));
    tally.add(Outcome::Fail);
  }
  return tally;
}

}  // namespace

Tally run_file(const std::filesystem::path& wast, const SkipList& skips,
               const JobOptions& options) {
  std::string name = wast.filename().string();
  if (options.isolate) return run_isolated(wast, name, skips, options);
  Tally tally;
  run_job(wast, name, skips, options, [&tally](Outcome o) { tally.add(o); });
  return tally;
}

}  // namespace lunatic::spec
