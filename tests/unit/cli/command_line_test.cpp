// The `lunatic` command line: which arguments belong to `run`, which to the guest, and the
// errors and help of the parser.
#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace lunatic::cli {
namespace {

Command parse(std::vector<std::string> args) { return parse_command_line(args); }

using Args = std::vector<std::string>;

TEST(RunArgs, FileAloneHasNoGuestArgs) {
  Command c = parse({"run", "app.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_TRUE(c.run.guest_args.empty());
}

TEST(RunArgs, ObserveAndItsToken) {
  Command c = parse({"run", "app.wasm"});
  EXPECT_EQ(c.run.observe, "");  // off unless asked
  EXPECT_EQ(c.run.observe_token, "");
  c = parse({"run", "--observe", "127.0.0.1:9000", "--observe-token", "t0k", "app.wasm", "x"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.observe, "127.0.0.1:9000");
  EXPECT_EQ(c.run.observe_token, "t0k");
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_EQ(c.run.guest_args, Args{"x"});
  c = parse({"run", "app.wasm", "--observe", "127.0.0.1:9000"});  // after the file: the guest's
  EXPECT_EQ(c.run.observe, "");
  EXPECT_EQ(c.run.guest_args, (Args{"--observe", "127.0.0.1:9000"}));
}

TEST(RunArgs, DistributionNodeNameAndCookie) {
  Command c = parse({"run", "--name", "a@127.0.0.1", "--cookie", "SECRET", "app.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_EQ(c.run.node_name, "a@127.0.0.1");
  EXPECT_FALSE(c.run.short_name);
  EXPECT_EQ(c.run.cookie, "SECRET");
  c = parse({"run", "--sname", "a", "app.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_EQ(c.run.node_name, "a");
  EXPECT_TRUE(c.run.short_name);
  EXPECT_EQ(c.run.cookie, "");  // ~/.erlang.cookie, read when the run starts
  c = parse({"run", "--name", "a@h", "--sname", "b", "app.wasm"});
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_NE(c.exit_code, 0);
  c = parse({"run", "--cookie", "SECRET", "app.wasm"});  // a cookie without a node
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_NE(c.err.find("--cookie needs --name or --sname"), std::string::npos);
}

TEST(RunArgs, SeparatorAfterFileIsDropped) {
  Command c = parse({"run", "app.wasm", "--", "--foo"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.guest_args, Args{"--foo"});
}

TEST(RunArgs, OptionAfterFileGoesToTheGuest) {
  Command c = parse({"run", "app.wasm", "--foo"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.guest_args, Args{"--foo"});
}

TEST(RunArgs, RunOptionsAfterFileGoToTheGuest) {
  Command c = parse({"run", "app.wasm", "--env", "A=1", "--help", "x"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_TRUE(c.run.env.empty());
  EXPECT_EQ(c.run.guest_args, (Args{"--env", "A=1", "--help", "x"}));
}

TEST(RunArgs, OnlyTheFirstSeparatorIsDropped) {
  Command c = parse({"run", "app.wasm", "--", "--", "a"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.guest_args, (Args{"--", "a"}));
}

TEST(RunArgs, SeparatorLaterIsAGuestArgument) {
  Command c = parse({"run", "app.wasm", "a", "--", "b"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.guest_args, (Args{"a", "--", "b"}));
}

TEST(RunArgs, OptionsBeforeFile) {
  Command c = parse({"run", "--env", "A=1", "--env=B=2", "--max-memory", "64MiB", "--max-fuel",
                     "1000", "--threads", "4", "app.wasm", "x", "y"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_EQ(c.run.env, (Args{"A=1", "B=2"}));
  EXPECT_EQ(c.run.max_memory_bytes, uint64_t{64} << 20);
  EXPECT_EQ(c.run.max_fuel, 1000u);
  EXPECT_EQ(c.run.threads, 4u);
  EXPECT_EQ(c.run.guest_args, (Args{"x", "y"}));
}

TEST(RunArgs, RepeatedOptionDoesNotSwallowTheFile) {
  Command c = parse({"run", "--env", "A=1", "app.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.env, Args{"A=1"});
  EXPECT_EQ(c.run.file, "app.wasm");
}

TEST(RunArgs, OptionValueThatLooksLikeAFileIsAValue) {
  Command c = parse({"run", "--dir", "data", "app.wasm", "--x"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.dirs, Args{"data"});
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_EQ(c.run.guest_args, Args{"--x"});
}

TEST(RunArgs, SeparatorBeforeFile) {
  Command c = parse({"run", "--", "-weird.wasm", "a"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.file, "-weird.wasm");
  EXPECT_EQ(c.run.guest_args, Args{"a"});
}

TEST(RunArgs, MissingFileIsAUsageError) {
  Command c = parse({"run", "--env", "A=1"});
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("file"), std::string::npos) << c.err;
}

TEST(RunArgs, UnknownOptionBeforeFileIsAUsageError) {
  Command c = parse({"run", "--bogus", "app.wasm"});
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("--bogus"), std::string::npos) << c.err;
}

TEST(RunArgs, BadEnvIsAUsageError) {
  Command c = parse({"run", "--env", "NOEQUALS", "app.wasm"});
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("KEY=VALUE"), std::string::npos) << c.err;
  EXPECT_EQ(parse({"run", "--env", "=v", "app.wasm"}).exit_code, kExitUsage);
}

TEST(RunArgs, BadSizesAndCountsAreUsageErrors) {
  EXPECT_EQ(parse({"run", "--max-memory", "64XB", "app.wasm"}).exit_code, kExitUsage);
  EXPECT_EQ(parse({"run", "--max-fuel", "-5", "app.wasm"}).exit_code, kExitUsage);
  EXPECT_EQ(parse({"run", "--threads", "0", "app.wasm"}).exit_code, kExitUsage);
  EXPECT_EQ(parse({"run", "--max-fuel", "lots", "app.wasm"}).exit_code, kExitUsage);
}

TEST(RunArgs, HelpBeforeFilePrintsRunHelp) {
  Command c = parse({"run", "--help"});
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.out.find("--max-memory"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("Examples"), std::string::npos) << c.out;
}

TEST(Commands, TopLevelHelpHasExamples) {
  Command c = parse({"--help"});
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.out.find("lunatic run hello.wasm"), std::string::npos) << c.out;
}

TEST(Commands, NoCommandIsAUsageError) {
  Command c = parse({});
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("run"), std::string::npos);
}

TEST(Commands, Version) {
  EXPECT_EQ(parse({"version"}).kind, Command::Kind::Version);
  EXPECT_EQ(parse({"--version"}).kind, Command::Kind::Version);
  EXPECT_EQ(version_string().rfind("lunatic ", 0), 0u);
}

TEST(Commands, Validate) {
  Command c = parse({"validate", "m.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Validate) << c.err;
  EXPECT_EQ(c.validate_file, "m.wasm");
  EXPECT_EQ(parse({"validate"}).exit_code, kExitUsage);
  EXPECT_EQ(parse({"validate", "a.wasm", "b.wasm"}).exit_code, kExitUsage);
}

TEST(Commands, Compile) {
  Command c = parse({"compile", "m.wasm"});
  ASSERT_EQ(c.kind, Command::Kind::Compile) << c.err;
  EXPECT_EQ(c.compile_file, "m.wasm");
  EXPECT_EQ(parse({"compile"}).exit_code, kExitUsage);
  EXPECT_EQ(parse({"compile", "a.wasm", "b.wasm"}).exit_code, kExitUsage);
}

// `compile` reads LUNATIC_JIT_OPT as `run` does: the level is part of the cache's key, so
// `LUNATIC_JIT_OPT=1 lunatic compile` fills the entries `LUNATIC_JIT_OPT=1 lunatic run` looks up.
TEST(Commands, CompileAndRunReadTheSameOptimisationLevel) {
  ::setenv("LUNATIC_JIT_OPT", "1", 1);
  Command compile = parse({"compile", "m.wasm"});
  Command run = parse({"run", "m.wasm"});
  ::setenv("LUNATIC_JIT_OPT", "7", 1);
  Command bad = parse({"compile", "m.wasm"});
  ::unsetenv("LUNATIC_JIT_OPT");
  ASSERT_EQ(compile.kind, Command::Kind::Compile) << compile.err;
  EXPECT_EQ(compile.run.jit_opt_level, 1u);
  EXPECT_EQ(run.run.jit_opt_level, 1u);
  EXPECT_EQ(bad.exit_code, kExitUsage);
  EXPECT_NE(bad.err.find("LUNATIC_JIT_OPT expects 0, 1, 2 or 3, got '7'"), std::string::npos);
  EXPECT_EQ(parse({"compile", "m.wasm"}).run.jit_opt_level, 2u);  // unset: -O2
}

TEST(Commands, UnknownCommand) { EXPECT_EQ(parse({"frobnicate"}).exit_code, kExitUsage); }

TEST(ParseSize, Units) {
  EXPECT_EQ(*parse_size("65536"), 65536u);
  EXPECT_EQ(*parse_size("10B"), 10u);
  EXPECT_EQ(*parse_size("512K"), 512u << 10);
  EXPECT_EQ(*parse_size("64MiB"), uint64_t{64} << 20);
  EXPECT_EQ(*parse_size("64mb"), uint64_t{64} << 20);
  EXPECT_EQ(*parse_size("4GiB"), uint64_t{4} << 30);
}

TEST(ParseSize, Rejects) {
  for (const char* bad :
       {"", "MiB", "-1", "12 MiB", "1.5G", "1T", "99999999999999999999", "17179869184G"}) {
    Result<uint64_t> r = parse_size(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().phase, Phase::Usage);
    }
  }
}

TEST(RunArgs, SandboxOptions) {
  Command c =
      parse({"run", "--max-processes", "10", "--allow", "wasi_snapshot_preview1",
             "--allow=lunatic::message", "--timeout", "1500ms", "app.wasm", "--allow", "x"});
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_EQ(c.run.max_processes, std::optional<uint64_t>(10));
  EXPECT_EQ(c.run.allow, (Args{"wasi_snapshot_preview1", "lunatic::message"}));
  EXPECT_EQ(c.run.timeout, std::optional<std::chrono::milliseconds>(1500));
  EXPECT_EQ(c.run.guest_args, (Args{"--allow", "x"}));
  Command plain = parse({"run", "app.wasm"});
  ASSERT_EQ(plain.kind, Command::Kind::Run) << plain.err;
  EXPECT_FALSE(plain.run.max_processes);
  EXPECT_TRUE(plain.run.allow.empty());
  EXPECT_FALSE(plain.run.timeout);
}

/// The usage error of `args`, or a failure when they parse.
std::string usage_error_of(std::vector<std::string> args) {
  Command c = parse(std::move(args));
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  return c.err;
}

TEST(RunArgs, BadSandboxValuesAreUsageErrors) {
  for (const char* bad : {"0", "-1", "", "ten", "1e3", "99999999999999999999"}) {
    EXPECT_NE(usage_error_of({"run", "--max-processes", bad, "a.wasm"}).find("--max-processes"),
              std::string::npos)
        << bad;
  }
  for (const char* bad : {"", "has space", "tab\there"}) {
    EXPECT_NE(usage_error_of({"run", "--allow", bad, "a.wasm"}).find("--allow"), std::string::npos)
        << bad;
  }
  for (const char* bad : {"", "10", "ms", "-5s", "1.5s", "10 s", "3d", "0s", "0ms", "9000h"}) {
    EXPECT_NE(usage_error_of({"run", "--timeout", bad, "a.wasm"}).find("--timeout"),
              std::string::npos)
        << bad;
  }
}

TEST(RunArgs, MaxMemoryBounds) {
  EXPECT_NE(usage_error_of({"run", "--max-memory", "", "a.wasm"}).find("invalid size ''"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"run", "--max-memory", "65535", "a.wasm"}).find("64 KiB page"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"run", "--max-memory", "0", "a.wasm"}).find("64 KiB page"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"run", "--max-memory", "4294967297", "a.wasm"}).find("4 GiB"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"run", "--max-memory", "5G", "a.wasm"}).find("4 GiB"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"run", "--max-fuel", "", "a.wasm"}).find("--max-fuel"),
            std::string::npos);
  for (const char* good : {"64K", "4GiB", "1M"}) {
    Command c = parse({"run", "--max-memory", good, "a.wasm"});
    ASSERT_EQ(c.kind, Command::Kind::Run) << good << c.err;
    EXPECT_EQ(c.run.max_memory_bytes, parse_size(good).value());
  }
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("500ms").value(), std::chrono::milliseconds(500));
  EXPECT_EQ(parse_duration("10s").value(), std::chrono::seconds(10));
  EXPECT_EQ(parse_duration("2m").value(), std::chrono::minutes(2));
  EXPECT_EQ(parse_duration("1h").value(), std::chrono::hours(1));
  EXPECT_EQ(parse_duration("8760h").value(), kMaxTimeout);
  Result<std::chrono::milliseconds> too_long = parse_duration("8761h");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().phase, Phase::Usage);
  EXPECT_FALSE(parse_duration("18446744073709551615h").ok());
}

TEST(Errors, EveryUsageErrorStartsWithError) {
  for (const Args& args : {Args{"frobnicate"}, Args{"run"}, Args{"run", "--bogus", "a.wasm"},
                           Args{"run", "--threads", "0", "a.wasm"}, Args{"validate"}, Args{},
                           Args{"run", "--env", "X", "a.wasm"}, Args{"help", "nothing"}}) {
    Command c = parse(args);
    EXPECT_EQ(c.exit_code, kExitUsage);
    EXPECT_EQ(c.err.rfind("error: ", 0), 0u) << c.err;
  }
}

TEST(Commands, HelpCommand) {
  Command all = parse({"help"});
  EXPECT_EQ(all.kind, Command::Kind::Exit);
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_NE(all.out.find("lunatic run hello.wasm"), std::string::npos) << all.out;
  Command run = parse({"help", "run"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--max-processes"), std::string::npos) << run.out;
  EXPECT_NE(usage_error_of({"help", "frobnicate"}).find("frobnicate"), std::string::npos);
}

TEST(Commands, ShortVersionFlag) { EXPECT_EQ(parse({"-V"}).kind, Command::Kind::Version); }

}  // namespace
}  // namespace lunatic::cli
