// spec-runner: runs the official WebAssembly spec scripts (.wast files or folders of them)
// against lunatic's engine and prints one line of counts per file and a total.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "spec/file_job.hpp"
#include "spec/skiplist.hpp"
#include "tiering/compiler.hpp"

namespace {

using lunatic::spec::JobOptions;
using lunatic::spec::SkipList;
using lunatic::spec::Tally;

constexpr const char* kUsage =
    "usage: spec-runner [--skiplist FILE] [--verbose] [--no-fork] [--timeout SECONDS]\n"
    "                   [--tier interp|compiled|baseline] [--cache DIR] PATH...\n"
    "  PATH          a .wast file, or a folder whose *.wast files are run in name order\n"
    "  --skiplist    files (glob) or commands (file.wast:LINE) to skip, each '# reason'\n"
    "  --verbose     print each failure and warning with file:line and why\n"
    "  --no-fork     run in this process (for a debugger) instead of a child per file\n"
    "  --timeout     seconds one file may take before it counts as failed (default 600)\n"
    "  --tier        interp (default), compiled or baseline: which tier runs the modules\n"
    "  --cache       compiled: store each module's code in the code cache DIR and run it as\n"
    "                the cache's loader (without LLVM) loads it back\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "spec-runner: %s\n%s", message.c_str(), kUsage);
  return 2;
}

/// The .wast files named by `paths`, folders expanded (sorted), in the order given.
bool collect(const std::vector<std::string>& paths, std::vector<std::filesystem::path>& out) {
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
        if (entry.path().extension() == ".wast") found.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "spec-runner: cannot read %s: %s\n", p.c_str(), ec.message().c_str());
        return false;
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      out.emplace_back(p);
    } else {
      std::fprintf(stderr, "spec-runner: no such file or folder: %s\n", p.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  JobOptions options;
  SkipList skips;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--verbose" || arg == "-v") {
      options.runner.verbose = true;
    } else if (arg == "--no-fork") {
      options.isolate = false;
    } else if (arg == "--skiplist" || arg == "--timeout" || arg == "--tier" || arg == "--cache") {
      if (i + 1 >= argc) return usage_error(std::string(arg) + " needs a value");
      std::string_view value = argv[++i];
      if (arg == "--cache") {
        options.runner.cache_dir = std::filesystem::path(value);
        continue;
      }
      if (arg == "--tier") {
        std::optional<lunatic::tiering::Tier> tier = lunatic::tiering::parse_tier(value);
        if (!tier || *tier == lunatic::tiering::Tier::Auto) {
          return usage_error("--tier expects interp, compiled or baseline, got " +
                             std::string(value));
        }
        options.runner.tier = *tier;
        continue;
      }
      if (arg == "--timeout") {
        unsigned seconds = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc() || end != value.data() + value.size() || seconds == 0) {
          return usage_error("bad --timeout " + std::string(value));
        }
        options.file_timeout_seconds = seconds;
        continue;
      }
      auto loaded = SkipList::load(std::string(value));
      if (!loaded) return usage_error(loaded.error().message);
      skips = std::move(*loaded);
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg.starts_with("-")) {
      return usage_error("unknown option " + std::string(arg));
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) return usage_error("no .wast files or folders given");
  std::vector<std::filesystem::path> files;
  if (!collect(paths, files)) return 2;

  Tally total;
  for (const std::filesystem::path& file : files) {
    Tally tally = lunatic::spec::run_file(file, skips, options);
    std::printf("%s: %s\n", file.filename().c_str(), tally.to_string().c_str());
    std::fflush(stdout);
    total += tally;
  }
  std::printf("spec: %s\n", total.to_string().c_str());
  return total.failed == 0 ? 0 : 1;
}
