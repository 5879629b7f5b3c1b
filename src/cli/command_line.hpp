// Parsing of the `lunatic` command line into a command (CLI11 underneath), kept apart from
// running it so the argument rules are unit-testable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "tiering/compiler.hpp"
#include "wasm/features.hpp"

namespace lunatic::cli {

/// Exit codes of `lunatic` itself (the guest's own code passes through, see docs).
inline constexpr int kExitLoadError = 1;  ///< unreadable, invalid or unlinkable module
inline constexpr int kExitUsage = 2;      ///< bad command line
inline constexpr int kExitTimeout = 124;  ///< --timeout reached (as GNU timeout(1))
inline constexpr int kExitTrap = 134;     ///< the guest trapped (128 + SIGABRT, like abort())

/// `lunatic run` options.
struct RunOptions {
  std::string file;                     ///< the .wasm module; the guest's argv[0]
  std::vector<std::string> guest_args;  ///< everything after the file (a leading "--" dropped)
  /// --invoke NAME: call this export with guest_args as its arguments instead of _start, and
  /// print its results (cli/invoke.hpp); empty: run _start.
  std::string invoke;
  std::vector<std::string> dirs;             ///< --dir HOST[:GUEST] (preopened directories)
  std::vector<std::string> env;              ///< --env K=V, in order
  std::vector<std::string> tcp_listen;       ///< --tcplisten HOST:PORT (listening sockets)
  std::optional<uint64_t> max_memory_bytes;  ///< --max-memory, per linear memory
  std::optional<uint64_t> max_fuel;          ///< --max-fuel
  std::optional<uint64_t> max_processes;     ///< --max-processes: the root environment's cap
  /// --max-memory-total: host memory of the whole run; default: default_memory_total().
  std::optional<uint64_t> max_memory_total;
  std::vector<std::string> allow;  ///< --allow PREFIX; empty: every host namespace
  std::optional<std::chrono::milliseconds> timeout;  ///< --timeout: wall clock for the run
  unsigned threads = 0;       ///< --threads: scheduler workers; 0 = one per core
  std::string observe;        ///< --observe HOST:PORT (the observer's address); empty: off
  std::string observe_token;  ///< --observe-token; empty: none given
  std::string node_name;      ///< --name NAME@HOST or --sname NAME[@HOST]; empty: not a node
  bool short_name = false;    ///< node_name came from --sname
  std::string cookie;         ///< --cookie; empty: ~/.erlang.cookie
  bool remote_spawn = true;   ///< false: --no-remote-spawn
  tiering::Tier tier = tiering::Tier::Auto;  ///< --tier
  unsigned jit_opt_level = 2;                ///< LUNATIC_JIT_OPT: LLVM's -O level, 0..3
  /// -W/--wasm: the proposals a module may use (also of validate, compile and inspect).
  wasm::Features features{};
};

struct Command {
  enum class Kind : uint8_t {
    Run,       ///< run `run`
    Validate,  ///< validate `validate_file`
    Compile,   ///< compile `compile_file` into the code cache
    Inspect,   ///< describe `inspect_file`
    Version,   ///< print the version
    Exit,      ///< print `out` to stdout and `err` to stderr, exit with `exit_code` (help, errors)
  };
  Kind kind = Kind::Exit;
  RunOptions run;
  std::string validate_file;
  std::string compile_file;
  std::string inspect_file;
  std::string out;
  std::string err;
  int exit_code = 0;
};

/// The version string printed by `lunatic version` ("lunatic 0.1.0").
std::string version_string();

/// Parses the arguments after argv[0]. Options of `run` come before the module file; every
/// argument after the file belongs to the guest, and a "--" right after the file is only a
/// separator. Never throws.
Command parse_command_line(std::span<const std::string> args);

/// Parses a size such as "64MiB", "512K", "1G" or "65536" into bytes. K, M, G, with or without
/// "B"/"iB", are binary units (1 K = 1024 bytes). Errors with Phase::Usage.
Result<uint64_t> parse_size(std::string_view text);

/// The longest --timeout: 365 days.
inline constexpr std::chrono::milliseconds kMaxTimeout{uint64_t{365} * 24 * 3600 * 1000};

/// Parses a duration such as "500ms", "10s", "2m" or "1h" (a non-negative integer and a unit,
/// which is required) into milliseconds, at most kMaxTimeout. Errors with Phase::Usage.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace lunatic::cli
