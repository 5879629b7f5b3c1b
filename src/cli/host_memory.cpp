// Reads the cgroup limits of this process from /proc/self/cgroup and /sys/fs/cgroup; falls
// back to sysconf for physical memory.
#include "cli/host_memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>

namespace lunatic::cli {
namespace {

/// v1 reports "no limit" as a huge number (PAGE_COUNTER_MAX pages); anything past 2^62 is
/// taken as that.
constexpr uint64_t kNoLimitAbove = uint64_t{1} << 62;

std::optional<uint64_t> read_limit(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  return parse_cgroup_limit(text);
}

/// The limit set on this process's cgroup or any cgroup above it (the smallest), read from
/// `root` + the path /proc/self/cgroup gives for the hierarchy, + `file`.
std::optional<uint64_t> cgroup_limit(const std::string& root, std::string path,
                                     const std::string& file) {
  std::optional<uint64_t> best;
  for (;;) {
    if (std::optional<uint64_t> limit = read_limit(root + path + "/" + file)) {
      best = best ? std::min(*best, *limit) : *limit;
    }
    if (path.empty() || path == "/") break;
    path.erase(path.rfind('/'));
  }
  return best;
}

}  // namespace

std::optional<uint64_t> parse_cgroup_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // "max"
  if (value >= kNoLimitAbove) return std::nullopt;
  return value;
}

uint64_t available_host_memory() {
  std::optional<uint64_t> limit;
  std::ifstream cgroups("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroups, line)) {
    // "hierarchy-id:controllers:path": v2 is "0::/path", v1 memory is "N:memory:/path".
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    std::optional<uint64_t> found;
    if (controllers.empty()) {
      found = cgroup_limit("/sys/fs/cgroup", path, "memory.max");
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      found = cgroup_limit("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes");
    }
    if (found) limit = limit ? std::min(*limit, *found) : *found;
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  const uint64_t physical = pages > 0 && page_size > 0 ? uint64_t(pages) * uint64_t(page_size) : 0;
  if (limit && (physical == 0 || *limit < physical)) return *limit;
  return physical;
}

}  // namespace lunatic::cli
