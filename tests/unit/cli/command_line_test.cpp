// The `lunatic` command line: which arguments belong to `run`, which to the guest, and the
// errors and help of the parser.
#include "cli/command_line.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lunatic::cli
