// read_module_source: `lunatic run|compile|inspect` take a binary module or the text format;
// anything else is the decoder's to refuse, with the spec's message.
#include "cli/module_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "text/text.hpp"

namespace lunatic::cli {
namespace {

class ModuleSource : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/lunatic-module-source-XXXXXX";
    const int fd = ::mkstemp(pattern);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = pattern;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::string& content) { std::ofstream(path_, std::ios::binary) << content; }

  std::string path_;
};

constexpr const char* kText = R"((module (func (export "f") (result i32) (i32.const 7))))";

TEST_F(ModuleSource, TextBecomesTheBinaryTheTextLayerMakes) {
  auto expected = text::parse_module(kText);
  ASSERT_TRUE(expected.ok());
  for (std::string prefix : {"", "\n  \t", ";; a comment\n", "(; a block comment ;) "}) {
    write(prefix + kText);
    auto bytes = read_module_source(path_);
    ASSERT_TRUE(bytes.ok()) << prefix << ": " << bytes.error().to_string();
    EXPECT_EQ(*bytes, *expected) << prefix;
  }
}

TEST_F(ModuleSource, ABinaryModuleIsReadAsItIs) {
  auto binary = text::parse_module(kText);
  ASSERT_TRUE(binary.ok());
  write(std::string(binary->begin(), binary->end()));
  auto bytes = read_module_source(path_);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, *binary);
}

TEST_F(ModuleSource, BadTextSaysWhereAndAnythingElseIsLeftToTheDecoder) {
  write("(module (func");
  auto bad = read_module_source(path_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().to_string().find("1:14"), std::string::npos) << bad.error().to_string();
  write(
      std::string("\x7f"
                  "ELF\x02\x01\x01\0\0\0",
                  10));
  auto elf = read_module_source(path_);  // not text: the bytes go to the decoder unchanged
  ASSERT_TRUE(elf.ok());
  EXPECT_EQ(elf->size(), 10u);
  EXPECT_FALSE(read_module_source(path_ + ".missing").ok());
}

TEST(ModuleSourceErrors, ADirectorySaysItIsADirectory) {
  char pattern[] = "/tmp/lunatic-module-dir-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  Result<std::vector<uint8_t>> bytes = read_module_source(pattern);
  ::rmdir(pattern);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().message, "is a directory");
}

}  // namespace
}  // namespace lunatic::cli
