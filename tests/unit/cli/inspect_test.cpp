// describe_module (`lunatic inspect`): every part of the listing, and each import's verdict
// against a Linker (provided, unknown, type mismatch, a non-function import).
#include "cli/inspect_command.hpp"

#include <gtest/gtest.h>

#include "binding/linker.hpp"
#include "decoder/decoder.hpp"
#include "text/text.hpp"

namespace lunatic::cli {
namespace {

int32_t host_add(int32_t a, int32_t b) { return a + b; }

std::string describe(std::vector<uint8_t> bytes, const binding::Linker& linker) {
  Result<wasm::Module> module = decoder::decode(bytes);
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  if (!module.ok()) return "";
  Result<std::string> text = describe_module(*module, bytes, linker);
  EXPECT_TRUE(text.ok()) << text.error().to_string();
  return text.ok() ? *text : "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The line of `text` that starts with `start` (after its indentation), or "".
std::string line_of(const std::string& text, const std::string& start) {
  size_t at = text.find("\n  " + start);
  if (at == std::string::npos) return "";
  size_t end = text.find('\n', at + 1);
  return text.substr(at + 3, end - at - 3);
}

bool ends_with(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

class Inspect : public ::testing::Test {
 protected:
  Inspect() { linker_.ns("host").define("add", &host_add); }
  binding::Linker linker_;
};

TEST_F(Inspect, ImportsAreCheckedAgainstTheLinker) {
  Result<std::vector<uint8_t>> bytes = text::parse_module(R"(
    (module
      (import "host" "add" (func (param i32 i32) (result i32)))
      (import "host" "add" (func $wrong (param i64)))
      (import "host" "nothing" (func))
      (import "host" "add" (memory 1))
      (import "env" "table" (table 2 funcref)))
  )");
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  std::string text = describe(*bytes, linker_);
  EXPECT_TRUE(has(text, "Imports (5):\n")) << text;
  EXPECT_TRUE(has(text, "host::add      func (i32 i32) -> (i32)")) << text;
  EXPECT_TRUE(has(text, "  provided\n")) << text;
  EXPECT_TRUE(has(text, "func (i64) -> ()")) << text;
  EXPECT_TRUE(has(text, "type mismatch (the runtime's is (i32 i32) -> (i32))")) << text;
  EXPECT_TRUE(ends_with(line_of(text, "host::nothing  func () -> () "), " unknown")) << text;
  EXPECT_TRUE(ends_with(line_of(text, "env::table"), " unknown")) << text;
  EXPECT_TRUE(ends_with(line_of(text, "host::add      func (i32 i32) -> (i32) "), " provided"))
      << text;
  EXPECT_TRUE(has(text, "memory initial 1 pages (64 KiB), no max")) << text;
  EXPECT_TRUE(has(text, "type mismatch (the runtime's is a function)")) << text;
  EXPECT_TRUE(has(text, "env::table")) << text;
  EXPECT_TRUE(has(text, "table funcref, initial 2, no max")) << text;
  EXPECT_TRUE(has(text,
                  "Host namespaces needed (2):\n  env: 1 import, 1 not provided by this "
                  "runtime\n  host: 4 imports, 3 not provided by this runtime\n"))
      << text;
  EXPECT_TRUE(has(text, "Linking: 4 import(s) not provided")) << text;
  EXPECT_TRUE(has(text, "Memories (1):\n  memory 0: initial 1 pages (64 KiB), no max (imported)"))
      << text;
  EXPECT_TRUE(has(text, "Tables (1):\n  table 0: funcref, initial 2, no max (imported)")) << text;
  EXPECT_TRUE(has(text, "Entry: no _start export")) << text;
}

TEST_F(Inspect, DefinitionsExportsStartAndSections) {
  Result<std::vector<uint8_t>> bytes = text::parse_module(R"(
    (module
      (memory (export "mem") 2 10)
      (table 1 3 externref)
      (global (mut i64) (i64.const -5))
      (global i32 (i32.const 7))
      (func $init)
      (func (export "_start"))
      (start $init)
      (data (i32.const 0) "abc"))
  )");
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  // A custom section of our own at the end: id 0, size, name "note", one byte.
  std::vector<uint8_t> with_custom = *bytes;
  const std::vector<uint8_t> note = {0x00, 0x06, 0x04, 'n', 'o', 't', 'e', 0x2A};
  with_custom.insert(with_custom.end(), note.begin(), note.end());
  std::string text = describe(with_custom, linker_);
  EXPECT_TRUE(has(text, "Imports (0):\nHost namespaces needed (0):\n")) << text;
  EXPECT_TRUE(has(text, "Linking: every import is provided by this runtime")) << text;
  EXPECT_TRUE(has(text, "  mem     memory 0\n  _start  func 1 () -> ()\n")) << text;
  EXPECT_TRUE(has(text, "Entry: _start (a WASI command")) << text;
  EXPECT_TRUE(has(text, "memory 0: initial 2 pages (128 KiB), max 10 pages\n")) << text;
  EXPECT_TRUE(has(text, "table 0: externref, initial 1, max 3\n")) << text;
  EXPECT_TRUE(has(text, "global 0: mut i64 = -5\n  global 1: i32 = 7\n")) << text;
  EXPECT_TRUE(has(text, "Functions: 0 imported, 2 defined\n")) << text;
  EXPECT_TRUE(has(text, "Start function: func 0\n")) << text;
  EXPECT_TRUE(has(text, "Data segments: 1 (3 bytes)\n")) << text;
  EXPECT_TRUE(has(text, "  custom \"note\": 6 bytes\n")) << text;
  EXPECT_TRUE(has(text, "Name section: absent")) << text;
}

}  // namespace
}  // namespace lunatic::cli
