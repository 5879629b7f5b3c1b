// The skip list: spec files or single commands the engine does not pass yet, each with a reason.
// It may only shrink: an entry for a command that passes again is reported as a failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace lunatic::spec {

/// One line `PATTERN  # reason`: PATTERN is a file glob (`simd_*.wast`) or `file.wast:LINE`.
struct SkipEntry {
  std::string pattern;           ///< as written, for messages
  std::string file_glob;         ///< matched against the .wast file's name (fnmatch)
  std::optional<uint32_t> line;  ///< set for an entry naming one command
  std::string reason;
};

class SkipList {
 public:
  /// Parses the list; blank lines and lines that are only a comment are ignored. Errors
  /// (Phase::Usage) name the list's line for an entry without a reason or with a bad line number.
  static Result<SkipList> parse(std::string_view text);
  static Result<SkipList> load(const std::filesystem::path& file);

  /// The whole-file entry matching `file_name` (a base name such as "simd_add.wast"), if any.
  const SkipEntry* match_file(std::string_view file_name) const;
  /// The entry for the command at `line` of `file_name`, if any.
  const SkipEntry* match_command(std::string_view file_name, uint32_t line) const;

  const std::vector<SkipEntry>& entries() const { return entries_; }

 private:
  std::vector<SkipEntry> entries_;
};

}  // namespace lunatic::spec
