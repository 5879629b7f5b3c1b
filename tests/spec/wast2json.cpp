// Running wast2json with posix_spawnp (no shell, so file names need no quoting) into a temp
// folder; its output goes to a log file in that folder so a failure can say why.
#include "spec/wast2json.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace lunatic::spec {
namespace {

/// The first non-empty line of wast2json's output: usually the parse error.
std::string first_line(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) return line;
  }
  return {};
}

}  // namespace

Result<TempDir> TempDir::create() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string templ = (base / "spec-runner.XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return Error(Phase::Host, "cannot create a temp folder: " + std::string(strerror(errno)));
  }
  return TempDir(std::filesystem::path(buf.data()));
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;  // best effort: a leftover temp folder is no reason to fail a run
  std::filesystem::remove_all(path_, ec);
}

Result<Conversion> convert_wast(const std::filesystem::path& wast) {
  TempDir dir = TRY(TempDir::create());
  std::filesystem::path json = dir.path() / (wast.stem().string() + ".json");
  std::filesystem::path log = dir.path() / "wast2json.log";

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);

  std::string arg0 = "wast2json", arg1 = wast.string(), arg2 = "-o", arg3 = json.string();
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "wast2json", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Error(Phase::Host, "cannot run wast2json: " + std::string(strerror(rc)));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error(Phase::Host, "waitpid: " + std::string(strerror(errno)));
  }
  if (WIFSIGNALED(status)) {
    std::string why = first_line(log);
    return Error(Phase::Host, "wast2json died of signal " + std::to_string(WTERMSIG(status)) +
                                  (why.empty() ? "" : ": " + why));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = first_line(log);
    return Error(Phase::Host, "wast2json failed" + (why.empty() ? "" : ": " + why));
  }
  return Conversion{std::move(dir), json};
}

}  // namespace lunatic::spec
