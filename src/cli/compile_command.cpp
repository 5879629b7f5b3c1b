// `lunatic compile`: a tiering::Compiler fills the cache; this file reports where and how long.
#include "cli/compile_command.hpp"

#include <cstdio>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/load_error.hpp"
#include "cli/module_source.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::cli {

int compile_module(const std::string& file, unsigned opt_level, const wasm::Features& features) {
  Result<std::vector<uint8_t>> bytes = read_module_source(file, features);
  if (!bytes) return report_load_error(file, bytes.error(), kExitLoadError);
  tiering::Compiler compiler(tiering::CompilerConfig{
      .tier = tiering::Tier::Compiled,
      .opt_level = opt_level,
      .engine = engine::CompileConfig{.features = features},
  });
  Result<std::vector<native::CompileStats>> compiled = compiler.precompile(*bytes);
  if (!compiled) return report_load_error(file, compiled.error(), kExitLoadError);
  for (const native::CompileStats& stats : *compiled) {
    const char* how = stats.from_cache ? "already cached:" : "compiled";
    if (stats.cache_entry.empty()) {
      std::printf("%s: %s %zu functions in %.3f s (not cached: %s)\n", file.c_str(), how,
                  stats.functions, stats.total_seconds,
                  stats.cache_error.empty() ? "no cache directory" : stats.cache_error.c_str());
      continue;
    }
    std::printf("%s: %s %zu functions in %.3f s (cache entry %s, %llu bytes)\n", file.c_str(), how,
                stats.functions, stats.total_seconds, stats.cache_entry.c_str(),
                static_cast<unsigned long long>(stats.cache_entry_bytes));
  }
  return 0;
}

}  // namespace lunatic::cli
