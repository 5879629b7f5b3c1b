// The `lunatic` entry point: parse the command line, run the command, print what the library
// reports. The only place that prints.
#include "cli/cli.hpp"

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/compile_command.hpp"
#include "cli/inspect_command.hpp"
#include "cli/run_command.hpp"

namespace lunatic::cli {

int run(int argc, char** argv) {
  // A guest writing to a closed pipe gets EPIPE from fd_write instead of killing the runtime.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  Command command = parse_command_line(args);
  switch (command.kind) {
    case Command::Kind::Run: return run_module(command.run);
    case Command::Kind::Validate:
      return validate_module(command.validate_file, command.run.features);
    case Command::Kind::Compile:
      return compile_module(command.compile_file, command.run.jit_opt_level, command.run.features);
    case Command::Kind::Inspect: return inspect_module(command.inspect_file, command.run.features);
    case Command::Kind::Version: std::printf("%s\n", version_string().c_str()); return 0;
    case Command::Kind::Exit: break;
  }
  std::fputs(command.out.c_str(), stdout);
  std::fputs(command.err.c_str(), stderr);
  return command.exit_code;
}

}  // namespace lunatic::cli
