// `lunatic-disasm app.wasm [FUNC...]`: compiles a module and prints the internal code of its
// functions (all, or the given function indices): what the interpreter runs, for tuning.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "engine/code.hpp"
#include "engine/compiled_module.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lunatic-disasm FILE.wasm [FUNC_INDEX...]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto module = lunatic::engine::compile(bytes);
  if (!module.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], module.error().message.c_str());
    return 1;
  }
  if (auto lowered = module.value()->lower_all(); !lowered.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], lowered.error().message.c_str());
    return 1;
  }
  std::set<uint32_t> wanted;
  for (int i = 2; i < argc; ++i)
    wanted.insert(static_cast<uint32_t>(std::strtoul(argv[i], nullptr, 10)));
  for (const auto& fn : module.value()->code) {
    if (!wanted.empty() && !wanted.count(fn->func_index)) continue;
    std::fputs(lunatic::engine::disassemble(*fn).c_str(), stdout);
  }
  return 0;
}
