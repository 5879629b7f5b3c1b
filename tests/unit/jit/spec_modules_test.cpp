// Every module of the official suite that the engine accepts also translates and compiles
// (the translator must handle all of Wasm 2.0 but SIMD, which the decoder rejects, without an
// error); and for modules without imports, every action of the script runs compiled and
// interpreted with the same outcome and fuel. LUNATIC_JIT_SPEC_OPT sets the optimisation level
// (default 0: the translation is the same at every level, and O0 keeps this test at seconds instead
// of a minute).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "jit_fixture.hpp"
#include "text/text.hpp"

namespace lunatic::jit::testing {
namespace {

namespace fs = std::filesystem;

// A script argument as a Value (ref.extern N is N + 1: 0 is the null reference), or nullopt
// for what the engine cannot take (v128).
std::optional<std::vector<engine::Value>> arguments(const std::vector<text::ScriptValue>& args) {
  std::vector<engine::Value> out;
  for (const text::ScriptValue& v : args) {
    switch (v.kind) {
      case text::ValueKind::Exact: out.push_back(engine::Value{v.type, v.bits}); break;
      case text::ValueKind::RefNull: out.push_back(engine::Value{v.type, 0}); break;
      case text::ValueKind::RefExtern: out.push_back(engine::Value{v.type, v.bits + 1}); break;
      default: return std::nullopt;
    }
  }
  return out;
}

TEST(JitSpecModules, EveryValidModuleCompiles) {
  const fs::path dir = LUNATIC_SPEC_DIR;
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no spec suite at " << dir;
  const char* opt_env = std::getenv("LUNATIC_JIT_SPEC_OPT");
  const unsigned opt = opt_env != nullptr ? static_cast<unsigned>(std::atoi(opt_env)) : 0;
  size_t compiled = 0;
  size_t actions = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".wast") continue;
    std::ifstream in(e.path());
    const std::string wast{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto script = text::parse_script(wast);
    if (!script.ok()) continue;
    std::map<std::string, std::shared_ptr<JitHarness>> named;
    std::shared_ptr<JitHarness> last;
    for (const text::Command& c : script->commands) {
      if (c.action && c.action->type == text::Action::Type::Invoke &&
          (c.type == text::CommandType::Action || c.type == text::CommandType::AssertReturn ||
           c.type == text::CommandType::AssertTrap ||
           c.type == text::CommandType::AssertExhaustion)) {
        auto it = named.find(c.action->module);
        JitHarness* h = c.action->module.empty() ? last.get()
                        : it != named.end()      ? it->second.get()
                                                 : nullptr;
        std::optional<std::vector<engine::Value>> args = arguments(c.action->args);
        if (h != nullptr && h->ok() && args) {
          SCOPED_TRACE(e.path().filename().string() + ":" + std::to_string(c.line));
          if (std::getenv("LUNATIC_JIT_SPEC_TRACE") != nullptr) {
            std::fprintf(stderr, "%s:%u %s\n", e.path().filename().c_str(), c.line,
                         c.action->field.c_str());
          }
          h->expect_same(c.action->field, *args, NanRule::AnyQuiet);
          ++actions;
        }
        continue;
      }
      if (c.type != text::CommandType::Module || !c.module) continue;
      last = nullptr;
      auto bytes = text::module_binary(*c.module);
      if (!bytes.ok()) continue;
      auto module = engine::compile(*bytes);
      if (!module.ok()) continue;
      if ((*module)->wasm.imports.empty()) {
        last = std::make_shared<JitHarness>(*module, opt);
        if (!c.module->name.empty()) named[c.module->name] = last;
      } else {
        auto code = compile_native(**module, CompileOptions{opt});
        EXPECT_TRUE(code.ok()) << e.path().filename() << ":" << c.line << ": "
                               << code.error().to_string() << " (" << code.error().context << ")";
      }
      ++compiled;
    }
  }
  EXPECT_GT(compiled, 100u);
  EXPECT_GT(actions, 1000u);
}

}  // namespace
}  // namespace lunatic::jit::testing
