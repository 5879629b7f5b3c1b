// Every function of the project's C/C++ guests (examples, benchmark and test guests, when the
// build made them) translates and compiles without an error; LUNATIC_JIT_GUESTS adds more
// files (':'-separated); LUNATIC_JIT_GUEST_OPT sets the level (default 0: O2 takes minutes for
// all of them), LUNATIC_JIT_TIMING=1 compiles at O0, O1 and O2 and prints the times.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> guest_files() {
  std::vector<fs::path> out;
  for (const char* dir : {"examples", "bench/guests", "tests/guests"}) {
    const fs::path path = fs::path(LUNATIC_BUILD_DIR) / dir;
    if (!fs::is_directory(path)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(path)) {
      if (e.path().extension() == ".wasm") out.push_back(e.path());
    }
  }
  if (const char* extra = std::getenv("LUNATIC_JIT_GUESTS")) {
    std::string list = extra;
    for (size_t start = 0; start <= list.size();) {
      const size_t end = std::min(list.find(':', start), list.size());
      if (end > start) out.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(JitGuests, EveryFunctionCompiles) {
  const std::vector<fs::path> files = guest_files();
  if (files.empty()) GTEST_SKIP() << "no guest built";
  const bool timing = std::getenv("LUNATIC_JIT_TIMING") != nullptr;
  const char* opt_env = std::getenv("LUNATIC_JIT_GUEST_OPT");
  const unsigned level = opt_env != nullptr ? static_cast<unsigned>(std::atoi(opt_env)) : 0;
  for (const fs::path& file : files) {
    auto module = engine::compile(read_file(file));
    ASSERT_TRUE(module.ok()) << file << ": " << module.error().to_string();
    // Guests built with -msimd128 too: LLVM translates v128 (translate_simd*.cpp).
    for (unsigned opt : timing ? std::vector<unsigned>{0, 1, 2} : std::vector<unsigned>{level}) {
      auto code = compile_native(**module, CompileOptions{opt});
      ASSERT_TRUE(code.ok()) << file << ": " << code.error().to_string() << " ("
                             << code.error().context << ")";
      if (timing) {
        const CompileStats& s = (*code)->stats();
        std::printf(
            "%-24s O%u %5zu functions %8zu IR insts: translate %.3fs optimize %.3fs "
            "codegen %.3fs total %.3fs\n",
            file.filename().c_str(), opt, s.functions, s.ir_instructions, s.translate_seconds,
            s.optimize_seconds, s.codegen_seconds, s.total_seconds);
      }
    }
  }
}

}  // namespace
}  // namespace lunatic::jit::testing
