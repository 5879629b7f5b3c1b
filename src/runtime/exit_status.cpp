// ExitStatus: the exit code and the one-line description of how a process ended.
#include "runtime/ids.hpp"

namespace lunatic::runtime {

int32_t ExitStatus::exit_code() const {
  if (trap && trap->kind == engine::TrapKind::Exit) return trap->exit_code;
  return kind == Kind::Normal ? 0 : 1;
}

std::string ExitStatus::to_string() const {
  if (trap && trap->kind == engine::TrapKind::Exit) {
    return "exit(" + std::to_string(trap->exit_code) + ")";
  }
  switch (kind) {
    case Kind::Normal: return "normal";
    case Kind::Failed: return "trap: " + (trap ? trap->message : std::string("unknown"));
    case Kind::Killed:
      return trap && trap->message != "killed" ? "killed: " + trap->message : "killed";
  }
  return "unknown";
}

}  // namespace lunatic::runtime
