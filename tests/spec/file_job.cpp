// Running one spec file (see file_job.hpp). The child writes one character per outcome to a
// pipe as it goes, so the parent still knows the counts up to a crash.
#include "spec/file_job.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "spec/script_loader.hpp"
#include "spec/wast2json.hpp"

namespace lunatic::spec {
namespace {

void run_script(const Script& script, const Conversion& conversion, const std::string& name,
                const SkipList& skips, const JobOptions& options,
                const ScriptRunner::Recorder& record) {
  MemoryPool pool;
  ScriptRunner runner(pool, skips, name, conversion.dir.path(), options.runner, record);
  runner.run(script);
}

/// Forks; the child runs the script and reports outcomes through a pipe.
Tally run_isolated(const Script& script, const Conversion& conversion, const std::string& name,
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
    run_script(script, conversion, name, skips, options, [out](Outcome o) {
      char c = static_cast<char>(o);
      while (write(out, &c, 1) < 0 && errno == EINTR) {
      }
    });
    std::fflush(stdout);
    _exit(0);  // no destructors: the temp folder belongs to the parent
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
  Tally tally;
  auto conversion = convert_wast(wast);
  auto script = conversion ? load_script(conversion->json) : Result<Script>(conversion.error());

  if (const SkipEntry* entry = skips.match_file(name)) {
    tally.skipped = script ? script->commands.size() : 1;
    if (options.runner.verbose) {
      std::printf("%s: skipped (%s): %s\n", name.c_str(), entry->pattern.c_str(),
                  entry->reason.c_str());
    }
    return tally;
  }
  if (!script) {
    std::printf("%s: FAIL %s\n", name.c_str(), script.error().message.c_str());
    tally.add(Outcome::Fail);
    return tally;
  }
  if (options.isolate) return run_isolated(*script, *conversion, name, skips, options);
  run_script(*script, *conversion, name, skips, options, [&tally](Outcome o) { tally.add(o); });
  return tally;
}

}  // namespace lunatic::spec
