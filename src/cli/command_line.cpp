// The command line grammar (run, validate, compile, inspect, version): CLI11 defines the options
// and the help; this file splits off the guest's arguments first, because CLI11 would otherwise
// parse options meant for the guest.
#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "cli/wasm_features.hpp"
#include "wasm/types.hpp"

#ifndef LUNATIC_VERSION
#define LUNATIC_VERSION "unknown"
#endif

namespace lunatic::cli {
namespace {

constexpr const char* kMainFooter = R"(Examples:
  lunatic run hello.wasm Ada             run a WASI command module as the root process
  lunatic run --env NAME=Ada app.wasm -- --verbose   pass --verbose to the guest
  lunatic run --max-memory 64MiB --max-fuel 1000000 app.wasm
  lunatic run --allow wasi_snapshot_preview1 --max-processes 100 --timeout 10s untrusted.wasm
                                         a sandbox: WASI only, 100 processes, 10 s
  lunatic inspect app.wasm               imports, exports, memories; what the runtime provides
  lunatic validate app.wasm              decode and validate only
  lunatic compile app.wasm               native code into the cache, for the runs that follow
  LUNATIC_LOG=debug lunatic run app.wasm
                                         log every process's end to stderr
  lunatic run --help                     options of `run` (and so on for each command)
  lunatic help run                       the same

Environment:
  LUNATIC_LOG=off|error|warn|info|debug|trace   what the runtime logs to stderr (default:
      warn: a process other than the root that fails is logged with its id and reason).
  LUNATIC_TIER=interp|compiled|auto|baseline   the default of `run --tier` (auto).
  LUNATIC_JIT_OPT=0|1|2|3   LLVM's optimisation level for compiled code (default 2; 0
      compiles about ten times faster, into slower code).
  LUNATIC_CACHE_DIR=DIR   the code cache (default $XDG_CACHE_HOME/lunatic, else
      $HOME/.cache/lunatic).
  LUNATIC_CACHE_MAX_MB=N   the code cache's size limit: each store removes the least
      recently used entries past it (default 1024; 0: no limit).
  LUNATIC_LLVM_DELAY_MS=N   --tier auto: start LLVM's background compile after N ms, whatever
      the module's size (default: 1 s, and while the baseline's code runs, once the program
      has used as much CPU time as the compile would).
  LUNATIC_HOT_TICKS=N   --tier auto: compile a function alone with LLVM once N time stamp
      counter ticks were sampled in it in the baseline, by this run and earlier ones (the
      cache keeps their samples; default: about the CPU time of its compile).)";

constexpr const char* kRunFooter =
    R"(Options of `run` come before FILE; every argument after FILE goes to the guest,
whose argv is [FILE, args...]. A `--` right after FILE is only a separator.

Exit status: the guest's exit code (proc_exit, or 0 when _start returns); 1 when the module
cannot be loaded, validated or linked; 2 for a bad command line; 134 when the guest traps;
124 when --timeout is reached (the root process, and with it the run, is killed; a root
that has not ended 1 s after its kill, e.g. blocked in a read of a hung file system, ends
lunatic at once; waiting on stdin or stdout it is parked and ends at once).

Sandbox: --max-memory, --max-memory-total, --max-fuel, --max-processes and --allow set the
limits of the root environment, which every process inherits (an environment a guest creates
is clamped to them). --max-memory-total bounds the host memory of all processes together
(linear memories, tables, queued messages, timers, names, modules, 32 KiB per process); its
default is 3/4 of the memory cgroup's limit, or of physical memory without one. Past it
memory.grow and table.grow return -1, a spawn fails, and a host call that would allocate
kills its process ("killed: out of memory: ... max_memory_total"). --allow PREFIX, repeatable, keeps only the host functions whose "module::name" starts
with one of the prefixes (e.g. wasi_snapshot_preview1, lunatic::message); a module importing
anything else does not link. Without --allow every host namespace is allowed.

Logging (stderr), set by LUNATIC_LOG=off|error|warn|info|debug|trace (default warn):
  warn   a process other than the root fails (trap, out of fuel, exit(n != 0)): a crash
         report (its id, names, reason, links and Wasm backtrace)
  info   the run starting and ending (workers, the root's exit status)
  debug  every process's end (normal, killed, ...), and how long compiling took

Tiers (--tier, or LUNATIC_TIER): `interp` runs the interpreter; `compiled` compiles the module
to native code with LLVM before it starts (the fastest code, but the compile takes seconds for
big modules); `auto` (default) starts with LLVM's code when the code cache holds it, else in
the baseline compiler's (milliseconds to compile) and, once the program has used about as much
CPU time as LLVM's compile would (1 s for a module the baseline refuses), compiles with LLVM in
the background: new calls, and running ones at their next loop header, continue in its code.

Examples:
  lunatic run hello.wasm Ada Lovelace
  lunatic run --env GREETING=hi --max-memory 64MiB app.wasm -- --flag-for-the-guest
  lunatic run --max-fuel 1000000 loop.wasm
  lunatic run -W simd=n,reference-types=n app.wasm    refuse SIMD and reference types
  lunatic run --timeout 500ms --max-processes 10 --allow lunatic::message app.wasm
  lunatic run --dir ./data:/data --threads 2 app.wasm   the guest opens /data/...
  lunatic run --tcplisten 127.0.0.1:8080 server.wasm    the guest accept()s on fd 3
  lunatic run --observe 127.0.0.1:9000 app.wasm         open http://127.0.0.1:9000/
  LUNATIC_LOG=debug lunatic run app.wasm)";

constexpr const char* kValidateFooter =
    R"(Prints "FILE: valid" and exits 0, or prints the decode or validation
error (with its byte offset) and exits 1.

-W NAME[=y|n],... turns WebAssembly proposals off (or on again): a module
that uses a disabled one is not valid here.

Examples:
  lunatic validate app.wasm
  lunatic validate -W simd=n,bulk-memory=n app.wasm
  lunatic validate app.wasm && lunatic run app.wasm)";

constexpr const char* kCompileFooter =
    R"(Compiles the module's native code as `run --tier compiled` and `run --tier auto` need
it (LLVM -O2, or LUNATIC_JIT_OPT's level as `run` reads it: seconds to minutes for a large
module) and stores both in the code cache,
so that runs of the same file on this machine start with native code. Prints each cache
entry and its size; exits 1, with the error, when the file cannot be read, is not a valid
module, or the code generator fails on it.

The cache is the directory LUNATIC_CACHE_DIR, else $XDG_CACHE_HOME/lunatic, else
$HOME/.cache/lunatic; an entry is keyed by the module's bytes, the runtime's version, the
host CPU and the compile options, and checked in full before it is used. Each store keeps
the cache under LUNATIC_CACHE_MAX_MB MiB (default 1024) by removing the entries used least
recently.

Examples:
  lunatic compile app.wasm
  lunatic compile app.wasm && lunatic run --tier compiled app.wasm
  LUNATIC_CACHE_DIR=/tmp/cache lunatic compile app.wasm)";

constexpr const char* kInspectFooter =
    R"(Lists the imports (each marked provided / unknown / type mismatch against the host
functions of this runtime), the host namespaces needed, exports, memories, tables, globals,
the start function and the sections (custom sections by name). Exits 1, with the error,
when the file cannot be read or is not a valid module.

Examples:
  lunatic inspect app.wasm
  lunatic inspect app.wasm | grep unknown     imports `run` would fail to link)";

constexpr const char* kVersionFooter = R"(Examples:
  lunatic version
  lunatic --version)";

// Where the guest's arguments start: the index of the module file in `args` (the first
// argument of `run` that is neither an option nor an option's value), or args.size().
size_t find_run_file(std::span<const std::string> args, size_t run_index, CLI::App& run) {
  for (size_t i = run_index + 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (arg.size() < 2 || arg[0] != '-') return i;
    if (arg.find('=') != std::string::npos) continue;  // --opt=value
    const CLI::Option* option = run.get_option_no_throw(arg);
    if (option != nullptr && option->get_items_expected_min() > 0) ++i;  // skip its value
  }
  return args.size();
}

/// LUNATIC_JIT_OPT into `level` when it is set; the usage error when it is not 0..3.
std::optional<std::string> read_jit_opt_level(unsigned& level) {
  const char* opt = std::getenv("LUNATIC_JIT_OPT");
  if (opt == nullptr) return std::nullopt;
  const std::string_view text(opt);
  if (text.size() != 1 || text[0] < '0' || text[0] > '3') {
    return "LUNATIC_JIT_OPT expects 0, 1, 2 or 3, got '" + std::string(text) + "'";
  }
  level = static_cast<unsigned>(text[0] - '0');
  return std::nullopt;
}

Command exit_with(std::string out, std::string err, int code) {
  Command c;
  c.kind = Command::Kind::Exit;
  c.out = std::move(out);
  c.err = std::move(err);
  c.exit_code = code;
  return c;
}

Command usage_error(const std::string& message) {
  return exit_with("", "error: " + message + "\nRun with --help for more information.\n",
                   kExitUsage);
}

/// A non-negative integer option (from_chars, not CLI11's conversion, which wraps "-5" around
/// to a huge unsigned value); nullopt when `text` is anything else.
std::optional<uint64_t> parse_count(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// Why `prefix` is no --allow value (nullopt when it is one): a prefix of "module::name".
std::optional<std::string> bad_allow_prefix(const std::string& prefix) {
  if (prefix.empty()) {
    return std::string(
        "--allow expects a host namespace prefix such as wasi_snapshot_preview1 "
        "or lunatic::message, got an empty value");
  }
  for (unsigned char c : prefix) {
    if (c <= ' ' || c >= 0x7f) {
      return "--allow expects a host namespace prefix (printable ASCII, no spaces), got '" +
             prefix + "'";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string version_string() { return std::string("lunatic ") + LUNATIC_VERSION; }

Result<uint64_t> parse_size(std::string_view text) {
  uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  Error bad(Phase::Usage,
            "invalid size '" + std::string(text) +
                "' (expected a number with an optional K, M or G suffix, e.g. 64MiB)");
  if (ec != std::errc() || rest == begin) return bad;
  std::string suffix(rest, end);
  std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  unsigned shift = 0;
  if (suffix.empty() || suffix == "b") {
    shift = 0;
  } else if (suffix == "k" || suffix == "kb" || suffix == "kib") {
    shift = 10;
  } else if (suffix == "m" || suffix == "mb" || suffix == "mib") {
    shift = 20;
  } else if (suffix == "g" || suffix == "gb" || suffix == "gib") {
    shift = 30;
  } else {
    return bad;
  }
  if (shift != 0 && number > (UINT64_MAX >> shift)) return bad;
  return number << shift;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  Error bad(Phase::Usage, "invalid duration '" + std::string(text) +
                              "' (expected a whole number and a unit: ms, s, m or h, e.g. 500ms, "
                              "10s, 2m)");
  uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || rest == begin) return bad;
  const std::string_view unit(rest, static_cast<size_t>(end - rest));
  uint64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else {
    return bad;
  }
  const auto most = static_cast<uint64_t>(kMaxTimeout.count());
  if (number > most / scale) {
    return Error(Phase::Usage, "duration '" + std::string(text) + "' is longer than 365 days");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(number * scale));
}

Command parse_command_line(std::span<const std::string> args) {
  CLI::App app{"lunatic: an Erlang-inspired runtime for WebAssembly", "lunatic"};
  app.footer(kMainFooter);
  // Every error line of the CLI starts with "error: ", CLI11's own included.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("error: ") + e.what() + "\nRun with --help for more information.\n";
  });
  bool want_version = false;
  app.add_flag("-V,--version", want_version, "Print the version and exit");

  Command command;
  RunOptions& opts = command.run;
  std::string max_memory;
  CLI::App* run = app.add_subcommand("run", "Run a WASI command module (its _start export)");
  run->description(
      "Run a WASI command module (its _start export):\n"
      "  lunatic run [OPTIONS] FILE.wasm [--] [ARGS...]");
  run->footer(kRunFooter);
  // allow_extra_args(false): each occurrence takes exactly one value, so a repeated option
  // never swallows the module file that follows it.
  run->add_option("--dir", opts.dirs,
                  "Preopen HOST directory, seen by the guest as GUEST (default: HOST)")
      ->type_name("HOST[:GUEST]")  // or wasmtime's HOST::GUEST
      ->allow_extra_args(false);
  run->add_option("--invoke", opts.invoke,
                  "Call the exported function NAME with ARGS (read by its parameter types: "
                  "integers, floats) instead of _start, and print its results, one per line")
      ->type_name("NAME");
  run->add_option("--tcplisten", opts.tcp_listen,
                  "Listen on HOST:PORT; the root gets the socket as a preopened fd (after "
                  "stdio and the --dir preopens) for sock_accept")
      ->type_name("HOST:PORT")
      ->allow_extra_args(false);
  run->add_option("--observe", opts.observe,
                  "Serve the live observer page, a JSON API and Prometheus metrics on "
                  "HOST:PORT (docs/observer.md); an address other than loopback requires a "
                  "token")
      ->type_name("HOST:PORT");
  run->add_option("--observe-token", opts.observe_token,
                  "The token --observe requires (Authorization: Bearer TOKEN, or ?token=); "
                  "default: none on loopback, a generated one (printed) elsewhere")
      ->type_name("TOKEN");
  run->add_option("--env", opts.env, "Set an environment variable of the guest")
      ->type_name("K=V")
      ->allow_extra_args(false);
  run->add_option("--max-memory", max_memory,
                  "Cap each linear memory (e.g. 64MiB; from 64K, one page, to 4GiB)")
      ->type_name("SIZE");
  std::string max_memory_total;
  run->add_option("--max-memory-total", max_memory_total,
                  "Cap the host memory of the whole run (e.g. 2GiB; default: 3/4 of the "
                  "cgroup's memory limit or of physical memory)")
      ->type_name("SIZE");
  std::string max_fuel;
  run->add_option("--max-fuel", max_fuel, "Trap with 'out of fuel' after N fuel units")
      ->type_name("N");
  std::string max_processes;
  run->add_option("--max-processes", max_processes,
                  "Cap the live processes of the run (the root and every process it spawns, "
                  "however nested), N >= 1; a spawn past it fails")
      ->type_name("N");
  run->add_option("--allow", opts.allow,
                  "Allow only host functions whose module::name starts with PREFIX "
                  "(repeatable; default: every host namespace)")
      ->type_name("PREFIX")
      ->allow_extra_args(false);
  std::string timeout;
  run->add_option("--timeout", timeout,
                  "Kill the run after this wall-clock time (e.g. 500ms, 10s, 2m, 1h); exit "
                  "status 124")
      ->type_name("DURATION");
  run->add_option("--threads", opts.threads,
                  "Worker threads of the scheduler (default: one per core)")
      ->type_name("N")
      ->check(CLI::Range(1u, 4096u));
  std::string long_name;
  std::string short_name;
  auto* name_option =
      run->add_option("--name", long_name,
                      "Be an Erlang distribution node named NAME@HOST, published through epmd "
                      "(started if none runs; docs/distribution.md)")
          ->type_name("NAME@HOST");
  run->add_option("--sname", short_name, "As --name, with a short name (HOST: this machine's name)")
      ->type_name("NAME[@HOST]")
      ->excludes(name_option);
  run->add_option("--cookie", opts.cookie,
                  "The distribution cookie (default: the first line of ~/.erlang.cookie)")
      ->type_name("COOKIE");
  bool no_remote_spawn = false;
  run->add_flag("--no-remote-spawn", no_remote_spawn,
                "As a node, refuse the processes other nodes ask to spawn here (by default they "
                "run in a restrictive environment; docs/distribution.md)");
  std::string tier;
  run->add_option("--tier", tier,
                  "Who runs the code: interp (the interpreter), compiled (native code, compiled "
                  "before the start), baseline (native code of the single-pass baseline "
                  "compiler, compiled before the start, never cached), auto (LLVM's code from the "
                  "code cache, else the baseline's at once and LLVM's from a background "
                  "compile for the runs that last; the default, unless the environment "
                  "variable LUNATIC_TIER names another)")
      ->type_name("interp|compiled|auto|baseline");
  // -W as wasmtime spells it; every command that compiles a module takes it.
  std::vector<std::string> wasm_features;
  const std::string wasm_help =
      "WebAssembly proposals: NAME[=y|n],... (repeatable; all of Wasm 2.0 is on by default), "
      "NAME one of " +
      wasm::feature_names();
  auto add_wasm_option = [&](CLI::App* sub) {
    sub->add_option("-W,--wasm", wasm_features, wasm_help)->type_name("NAME[=y|n],...");
  };
  add_wasm_option(run);
  run->add_option("file", opts.file, "The module to run (argv[0] of the guest)")
      ->type_name("FILE.wasm")
      ->required();

  CLI::App* validate = app.add_subcommand("validate", "Decode and validate a module");
  validate->add_option("file", command.validate_file, "The module to check")
      ->type_name("FILE.wasm")
      ->required();
  add_wasm_option(validate);
  validate->footer(kValidateFooter);
  CLI::App* compile = app.add_subcommand(
      "compile", "Compile a module's native code into the code cache, ahead of its runs");
  compile->add_option("file", command.compile_file, "The module to compile")
      ->type_name("FILE.wasm")
      ->required();
  add_wasm_option(compile);
  compile->footer(kCompileFooter);
  CLI::App* inspect = app.add_subcommand(
      "inspect", "Show a module's imports, exports, memories and what this runtime provides");
  inspect->add_option("file", command.inspect_file, "The module to describe")
      ->type_name("FILE.wasm")
      ->required();
  add_wasm_option(inspect);
  inspect->footer(kInspectFooter);
  CLI::App* version = app.add_subcommand("version", "Print the version");
  version->footer(kVersionFooter);
  CLI::App* help = app.add_subcommand("help", "Print the help of lunatic or of one command");
  (void)help;  // listed in the help; `lunatic help [COMMAND]` is handled before CLI11 parses,
               // which would take `help run` for the command `run`.
  if (!args.empty() && args[0] == "help") {
    if (args.size() == 1) return exit_with(app.help(), "", 0);
    if (args.size() > 2) return usage_error("help takes one command, e.g. `lunatic help run`");
    for (CLI::App* topic : {run, validate, compile, inspect, version}) {
      if (topic->get_name() == args[1]) return exit_with(topic->help("lunatic"), "", 0);
    }
    return usage_error("help: no command named '" + args[1] +
                       "' (commands: run, validate, compile, inspect, version)");
  }

  // Split off the guest's arguments before CLI11 sees them.
  std::vector<std::string> ours(args.begin(), args.end());
  auto run_it = std::find_if(args.begin(), args.end(),
                             [](const std::string& a) { return a.empty() || a[0] != '-'; });
  if (run_it != args.end() && *run_it == "run") {
    size_t file = find_run_file(args, static_cast<size_t>(run_it - args.begin()), *run);
    if (file < args.size()) {
      size_t first_guest = file + 1;
      if (first_guest < args.size() && args[first_guest] == "--") ++first_guest;
      opts.guest_args.assign(args.begin() + static_cast<std::ptrdiff_t>(first_guest), args.end());
      ours.assign(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(file) + 1);
      // A "--" before the file must reach CLI11 so that a file named "-x" stays positional.
    }
  }

  std::ostringstream out;
  std::ostringstream err;
  try {
    std::reverse(ours.begin(), ours.end());  // CLI11 expects the arguments reversed
    app.parse(ours);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return exit_with(out.str(), err.str(), code == 0 ? 0 : kExitUsage);
  }

  if (want_version || version->parsed()) {
    command.kind = Command::Kind::Version;
    return command;
  }
  for (const std::string& value : wasm_features) {
    if (Result<void> ok = apply_wasm_option(value, opts.features); !ok) {
      return usage_error(ok.error().message);
    }
  }
  if (Result<void> ok = wasm::check_requirements(opts.features); !ok) {
    return usage_error("-W: " + ok.error().message);
  }
  if (validate->parsed()) {
    command.kind = Command::Kind::Validate;
    return command;
  }
  if (compile->parsed()) {
    // The same level as `run` uses: the cache's key holds it, so runs find these entries.
    if (std::optional<std::string> bad = read_jit_opt_level(command.run.jit_opt_level)) {
      return usage_error(*bad);
    }
    command.kind = Command::Kind::Compile;
    return command;
  }
  if (inspect->parsed()) {
    command.kind = Command::Kind::Inspect;
    return command;
  }
  if (!run->parsed()) return exit_with("", "error: no command given\n\n" + app.help(), kExitUsage);

  for (const std::string& kv : opts.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return usage_error("--env expects KEY=VALUE, got '" + kv + "'");
    }
  }
  // count(), not empty(): `--max-memory ""` is an error, not the default.
  if (run->count("--max-memory") != 0) {
    Result<uint64_t> bytes = parse_size(max_memory);
    if (!bytes) return usage_error("--max-memory: " + bytes.error().message);
    if (*bytes < wasm::kPageSize) {
      return usage_error("--max-memory: '" + max_memory +
                         "' is less than one 64 KiB page, the smallest memory limit");
    }
    if (*bytes > uint64_t{wasm::kMaxPages} * wasm::kPageSize) {
      return usage_error("--max-memory: '" + max_memory +
                         "' is more than 4 GiB, the most a 32-bit memory can hold");
    }
    opts.max_memory_bytes = *bytes;
  }
  if (run->count("--max-memory-total") != 0) {
    Result<uint64_t> bytes = parse_size(max_memory_total);
    if (!bytes) return usage_error("--max-memory-total: " + bytes.error().message);
    if (*bytes < wasm::kPageSize) {
      return usage_error("--max-memory-total: '" + max_memory_total +
                         "' is less than one 64 KiB page");
    }
    opts.max_memory_total = *bytes;
  }
  if (run->count("--max-fuel") != 0) {
    opts.max_fuel = parse_count(max_fuel);
    if (!opts.max_fuel) {
      return usage_error("--max-fuel expects a non-negative integer, got '" + max_fuel + "'");
    }
  }
  if (run->count("--max-processes") != 0) {
    opts.max_processes = parse_count(max_processes);
    if (!opts.max_processes || *opts.max_processes == 0) {
      return usage_error(
          "--max-processes expects an integer of at least 1 (the root is one), "
          "got '" +
          max_processes + "'");
    }
  }
  for (const std::string& prefix : opts.allow) {
    if (std::optional<std::string> why = bad_allow_prefix(prefix)) return usage_error(*why);
  }
  if (run->count("--timeout") != 0) {
    Result<std::chrono::milliseconds> limit = parse_duration(timeout);
    if (!limit) return usage_error("--timeout: " + limit.error().message);
    if (limit->count() == 0) return usage_error("--timeout: '" + timeout + "' is zero");
    opts.timeout = *limit;
  }
  if (const char* from_env = std::getenv("LUNATIC_TIER"); tier.empty() && from_env != nullptr) {
    tier = from_env;
  }
  if (std::optional<std::string> bad = read_jit_opt_level(opts.jit_opt_level)) {
    return usage_error(*bad);
  }
  if (!tier.empty()) {
    std::optional<tiering::Tier> parsed = tiering::parse_tier(tier);
    if (!parsed) {
      return usage_error(
          "--tier (or LUNATIC_TIER) expects interp, compiled, auto or baseline, got '" + tier +
          "'");
    }
    opts.tier = *parsed;
  }
  opts.short_name = !short_name.empty();
  opts.node_name = opts.short_name ? short_name : long_name;
  opts.remote_spawn = !no_remote_spawn;
  if (run->count("--cookie") != 0 && opts.node_name.empty()) {
    return usage_error("--cookie needs --name or --sname");
  }
  command.kind = Command::Kind::Run;
  return command;
}

}  // namespace lunatic::cli
