// `-W`/`--wasm`: the feature list's grammar, and which commands take it.
#include "cli/wasm_features.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/command_line.hpp"

namespace lunatic::cli {
namespace {

using wasm::Feature;
using wasm::Features;

TEST(WasmOption, NamesWithAndWithoutValues) {
  Features f;
  ASSERT_TRUE(apply_wasm_option("simd=n,bulk-memory=no", f).ok());
  EXPECT_FALSE(f.has(Feature::Simd));
  EXPECT_FALSE(f.has(Feature::BulkMemory));
  EXPECT_TRUE(f.has(Feature::ReferenceTypes));
  ASSERT_TRUE(apply_wasm_option("simd,bulk-memory=true", f).ok());  // NAME alone: on
  EXPECT_EQ(f, Features());
  ASSERT_TRUE(apply_wasm_option("mutable-globals=false,mutable-globals=y", f).ok());  // last wins
  EXPECT_TRUE(f.has(Feature::MutableGlobals));
}

TEST(WasmOption, Errors) {
  Features f;
  auto unknown = apply_wasm_option("simd=n,tail-call", f);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().phase, Phase::Usage);
  EXPECT_NE(unknown.error().message.find("unknown WebAssembly feature 'tail-call'"),
            std::string::npos);
  EXPECT_NE(unknown.error().message.find("sign-extension"), std::string::npos);  // the list
  auto value = apply_wasm_option("simd=maybe", f);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().message, "-W simd: expects =y or =n, got 'simd=maybe'");
  EXPECT_FALSE(apply_wasm_option("", f).ok());
  EXPECT_FALSE(apply_wasm_option("simd,", f).ok());  // an empty name
}

TEST(WasmOption, EveryModuleCommandTakesIt) {
  for (const char* command : {"run", "validate", "compile", "inspect"}) {
    std::vector<std::string> args = {command,         "-W",      "simd=n", "--wasm",
                                     "multi-value=n", "app.wasm"};
    Command c = parse_command_line(args);
    ASSERT_NE(c.kind, Command::Kind::Exit) << command << ": " << c.err;
    EXPECT_FALSE(c.run.features.has(Feature::Simd)) << command;
    EXPECT_FALSE(c.run.features.has(Feature::MultiValue)) << command;
    EXPECT_TRUE(c.run.features.has(Feature::BulkMemory)) << command;
  }
  std::vector<std::string> defaults = {"run", "app.wasm"};
  EXPECT_EQ(parse_command_line(defaults).run.features, Features());
}

TEST(WasmOption, RunKeepsTheFileAndGuestArgs) {
  std::vector<std::string> args = {"run", "-W", "simd=n", "app.wasm", "-W", "x"};
  Command c = parse_command_line(args);
  ASSERT_EQ(c.kind, Command::Kind::Run) << c.err;
  EXPECT_EQ(c.run.file, "app.wasm");
  EXPECT_EQ(c.run.guest_args, (std::vector<std::string>{"-W", "x"}));
}

TEST(WasmOption, BadValueIsAUsageError) {
  std::vector<std::string> args = {"validate", "-W", "threads", "app.wasm"};
  Command c = parse_command_line(args);
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("unknown WebAssembly feature 'threads'"), std::string::npos) << c.err;
}

TEST(WasmOption, ReferenceTypesNeedBulkMemory) {
  // Checked on the whole list, so the order of -W options does not matter.
  std::vector<std::string> alone = {"run", "-W", "bulk-memory=n", "app.wasm"};
  Command c = parse_command_line(alone);
  EXPECT_EQ(c.kind, Command::Kind::Exit);
  EXPECT_EQ(c.exit_code, kExitUsage);
  EXPECT_NE(c.err.find("-W: reference-types needs bulk-memory"), std::string::npos) << c.err;
  std::vector<std::string> both = {"validate",          "-W",      "bulk-memory=n", "-W",
                                   "reference-types=n", "app.wasm"};
  Command ok = parse_command_line(both);
  ASSERT_EQ(ok.kind, Command::Kind::Validate) << ok.err;
  EXPECT_FALSE(ok.run.features.has(Feature::ReferenceTypes));
  EXPECT_FALSE(ok.run.features.has(Feature::BulkMemory));
}

}  // namespace
}  // namespace lunatic::cli
