// The code cache's bound on disk (cache_trim.hpp).
#include "codecache/cache_trim.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <string>
#include <system_error>
#include <vector>

namespace lunatic::codecache {
namespace {

bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool lower_letter(char c) { return c >= 'a' && c <= 'z'; }
bool letter_or_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct Entry {
  std::filesystem::path path;
  uint64_t bytes;
  timespec modified;
};

bool older(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec;
}

}  // namespace

uint64_t cache_max_bytes() {
  const char* text = std::getenv("LUNATIC_CACHE_MAX_MB");
  if (text == nullptr || text[0] == '\0' || std::string_view(text).size() > 12) {
    return kDefaultCacheMaxBytes;
  }
  uint64_t mib = 0;
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return kDefaultCacheMaxBytes;
    mib = mib * 10 + static_cast<uint64_t>(*c - '0');
  }
  return mib << 20;  // at most 12 digits: no overflow
}

bool is_cache_entry_name(std::string_view name) {
  if (name.size() < 66 || name[64] != '.') return false;
  return std::all_of(name.begin(), name.begin() + 64, lower_hex) &&
         std::all_of(name.begin() + 65, name.end(), lower_letter);
}

bool is_cache_temporary_name(std::string_view name) {
  // ".<word>-XXXXXX"
  if (name.size() < 9 || name[0] != '.' || name[name.size() - 7] != '-') return false;
  const std::string_view word = name.substr(1, name.size() - 8);
  const std::string_view letters = name.substr(name.size() - 6);
  return !word.empty() && std::all_of(word.begin(), word.end(), lower_letter) &&
         std::all_of(letters.begin(), letters.end(), letter_or_digit);
}

TrimResult trim_cache(const std::filesystem::path& dir, uint64_t max_bytes,
                      const std::filesystem::path& keep) {
  TrimResult result;
  std::vector<Entry> entries;
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  const std::filesystem::directory_iterator end;
  const time_t stale_before =
      std::time(nullptr) -
      std::chrono::duration_cast<std::chrono::seconds>(kStaleTemporaryAge).count();
  for (; !error && it != end; it.increment(error)) {
    const std::filesystem::path& path = it->path();
    const std::string name = path.filename().string();
    const bool entry = is_cache_entry_name(name);
    if (!entry && !is_cache_temporary_name(name)) continue;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (entry) {
      entries.push_back({path, static_cast<uint64_t>(st.st_size), st.st_mtim});
      result.bytes_before += static_cast<uint64_t>(st.st_size);
    } else if (st.st_mtim.tv_sec < stale_before && ::unlink(path.c_str()) == 0) {
      ++result.temporaries_removed;
    }
  }
  result.bytes_after = result.bytes_before;
  if (max_bytes == 0 || result.bytes_before <= max_bytes) return result;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return older(a.modified, b.modified); });
  const uint64_t target = max_bytes / 4 * 3;
  for (const Entry& e : entries) {
    if (result.bytes_after <= target) break;
    if (e.path == keep) continue;
    // Gone already (another run trimmed it) counts as removed: its bytes are free either way.
    if (::unlink(e.path.c_str()) == 0 || errno == ENOENT) {
      result.bytes_after -= e.bytes;
      ++result.entries_removed;
    }
  }
  return result;
}

}  // namespace lunatic::codecache
