// Every module of the official suite that the engine accepts also translates and compiles:
// the translator must handle all of Wasm 2.0 but SIMD (which the decoder rejects) without an
// error. LUNATIC_JIT_SPEC_OPT sets the optimisation level (default 0: the translation is the
// same at every level, and O0 keeps this test at seconds instead of a minute).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "jit_fixture.hpp"
#include "text/text.hpp"

namespace lunatic::jit::testing {
namespace {

namespace fs = std::filesystem;

TEST(JitSpecModules, EveryValidModuleCompiles) {
  const fs::path dir = LUNATIC_SPEC_DIR;
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no spec suite at " << dir;
  const char* opt_env = std::getenv("LUNATIC_JIT_SPEC_OPT");
  const unsigned opt = opt_env != nullptr ? static_cast<unsigned>(std::atoi(opt_env)) : 0;
  size_t compiled = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".wast") continue;
    std::ifstream in(e.path());
    const std::string wast{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto script = text::parse_script(wast);
    if (!script.ok()) continue;
    for (const text::Command& c : script->commands) {
      if (c.type != text::CommandType::Module || !c.module) continue;
      auto bytes = text::module_binary(*c.module);
      if (!bytes.ok()) continue;
      auto module = engine::compile(*bytes);
      if (!module.ok()) continue;
      auto code = compile_native(**module, CompileOptions{opt});
      EXPECT_TRUE(code.ok()) << e.path().filename() << ":" << c.line << ": "
                             << code.error().to_string() << " (" << code.error().context << ")";
      ++compiled;
    }
  }
  EXPECT_GT(compiled, 100u);
}

}  // namespace
}  // namespace lunatic::jit::testing
