// The perf map file: whether it is asked for, and appending a module's symbols to it.
#include "native/perf_map.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace lunatic::native {

bool perf_map_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("LUNATIC_PERF_MAP");
    return v != nullptr && *v != '\0' && std::string(v) != "0";
  }();
  return enabled;
}

void append_perf_map(const std::map<std::string, uint64_t>& sizes,
                     const std::function<uint64_t(const std::string&)>& address_of,
                     const std::function<std::string(const std::string&)>& label_of) {
  static std::mutex file_lock;
  const std::lock_guard hold(file_lock);
  const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) return;
  for (const auto& [name, size] : sizes) {
    const uint64_t at = address_of(name);
    if (at == 0 || size == 0) continue;
    std::fprintf(f, "%llx %llx %s\n", static_cast<unsigned long long>(at),
                 static_cast<unsigned long long>(size), label_of(name).c_str());
  }
  std::fclose(f);
}

}  // namespace lunatic::native
