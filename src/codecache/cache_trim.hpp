// The code cache's bound on disk: every store trims the directory back under a size limit,
// least recently used entries first, and removes the temporary files of stores that never
// finished (a run killed while it wrote one). Without it the cache only grows: every module,
// and every build of the runtime (its entries' keys hold the build), adds entries that nothing
// removes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace lunatic::codecache {

/// The size limit of a cache directory: $LUNATIC_CACHE_MAX_MB MiB when it is set to a whole
/// number (0: no limit), else kDefaultCacheMaxBytes.
uint64_t cache_max_bytes();
inline constexpr uint64_t kDefaultCacheMaxBytes = uint64_t{1} << 30;

/// A temporary file this old belongs to a store that never finished (a store takes
/// milliseconds).
inline constexpr std::chrono::minutes kStaleTemporaryAge{10};

/// Whether `name` is one of the cache's own files: an entry (64 lower-case hex digits, a dot,
/// a lower-case suffix: `<key>.obj`) or a temporary file of a store (a dot, a lower-case word,
/// a dash and mkstemp's six letters or digits: `.entry-a1B2c3`). Nothing else in the directory
/// (it may be a directory the user chose) is ever removed.
bool is_cache_entry_name(std::string_view name);
bool is_cache_temporary_name(std::string_view name);

/// What trim_cache found and did.
struct TrimResult {
  uint64_t bytes_before = 0;  ///< the entries' total size before
  uint64_t bytes_after = 0;   ///< and after
  size_t entries_removed = 0;
  size_t temporaries_removed = 0;
};

/// Removes the temporary files of `dir` older than kStaleTemporaryAge, and when its entries
/// take more than `max_bytes` (0: no limit) removes the least recently used ones (oldest
/// modification time: a load refreshes it) until they take at most 3/4 of it, never `keep`
/// (the entry just stored). Never throws; a file another process removed first is skipped.
TrimResult trim_cache(const std::filesystem::path& dir, uint64_t max_bytes,
                      const std::filesystem::path& keep = {});

}  // namespace lunatic::codecache
