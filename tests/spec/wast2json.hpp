// Converting a .wast script with wabt's wast2json into a temporary folder of JSON + .wasm files,
// removed again when the conversion object goes away.
#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace lunatic::spec {

/// A folder created with mkdtemp, removed with everything in it on destruction.
class TempDir {
 public:
  static Result<TempDir> create();
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

struct Conversion {
  TempDir dir;                 ///< holds the JSON and the module files it names
  std::filesystem::path json;  ///< dir/NAME.json
};

/// Runs `wast2json WAST -o DIR/NAME.json` (found on PATH) in a new temp folder. Errors
/// (Phase::Host) carry the first line wast2json printed, or how it died.
Result<Conversion> convert_wast(const std::filesystem::path& wast);

}  // namespace lunatic::spec
