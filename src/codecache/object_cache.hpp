// ObjectCache: the compiled tier's code on disk, so that a second run of a module starts with
// native code. One file per (module, runtime version, host CPU, compile options), verified in
// full before use: any mismatch is a miss. Without LLVM: the runtime reads an entry (and
// loads its code, cached_code.hpp) without loading the LLVM tier.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "codecache/cache_trim.hpp"
#include "codecache/sha256.hpp"
#include "common/result.hpp"
#include "native/native_code.hpp"

namespace lunatic::codecache {

using native::OsrPoints;

/// SHA-256 of `bytes`: a module's key material (CompileOptions::module_digest).
Digest digest_of(std::span<const uint8_t> bytes);

/// Lower-case hex of `bytes` (a digest: the entry's file name; the binary's build ID).
std::string to_hex(std::span<const uint8_t> bytes);

/// What an entry holds besides its key.
struct CachedCode {
  std::string object;        ///< the relocatable object file LLVM emitted for the module
  OsrPoints osr_points;      ///< per defined function, which safepoints have an OSR entry
  uint64_t entry_bytes = 0;  ///< size of the whole entry file
};

/// A directory of cache entries. Thread-safe (entries are written to a temporary file and
/// renamed, so readers and other processes see whole entries or none).
class ObjectCache {
 public:
  /// Bumped whenever the ABI, the translation or the entry layout changes: entries of other
  /// versions are misses (and are replaced when the module is compiled again). The key also
  /// holds the GNU build IDs of the running executable and of the LLVM tier (its module,
  /// lunatic_llvm.so, read from the file when it is not loaded), so a rebuilt runtime (a
  /// developer's change without a bump) never runs code another build compiled.
  static constexpr uint32_t kFormatVersion = 3;
  /// No entry larger than this is read or written.
  static constexpr uint64_t kMaxEntryBytes = uint64_t{512} << 20;

  /// A cache in `dir` (created, mode 0700, by the first store), whose entries every store
  /// trims back under `max_bytes` (0: no limit; cache_trim.hpp).
  explicit ObjectCache(std::filesystem::path dir, uint64_t max_bytes = cache_max_bytes())
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  /// $LUNATIC_CACHE_DIR, else $XDG_CACHE_HOME/lunatic, else $HOME/.cache/lunatic; nullopt
  /// when none of them is set (no cache at all).
  static std::optional<std::filesystem::path> default_dir();

  /// What an entry holds: the whole module's code (compile_native), or its hot functions'
  /// (compile_functions: in the object's place, a bundle of objects, hot_entry.hpp); or the
  /// time earlier runs sampled in functions not yet hot (a small file of its own, read and
  /// written with read_small/store_small: hot_profile.hpp).
  enum class Kind : uint8_t { Module, Hot, Profile };

  /// The key of a module (`module_digest`) compiled with these options on this host by this
  /// runtime: SHA-256 of the module's digest, PROJECT_VERSION, kFormatVersion, the build IDs
  /// (the LLVM tier's covers LLVM's version), the host CPU's identity and features as CPUID
  /// reports them (host_cpu.hpp), the opt level and whether OSR entries are compiled; and the
  /// kind, so a module has one entry of each.
  static Digest key(const Digest& module_digest, unsigned opt_level, bool osr_entries,
                    Kind kind = Kind::Module);

  const std::filesystem::path& dir() const { return dir_; }
  /// Where the entry of `key` lives (whether or not it exists): `<hex key><suffix>`.
  std::filesystem::path path_of(const Digest& key, std::string_view suffix = ".obj") const;
  /// Whether an entry for `key` exists (not verified: load() may still miss).
  bool contains(const Digest& key) const;

  /// The entry of `key`, verified (magic, format version, key, sizes, checksum of the object
  /// and OSR table); nullopt on any mismatch, truncation or I/O error. Never reads past the
  /// file or more than kMaxEntryBytes.
  std::optional<CachedCode> load(const Digest& key) const;

  /// Writes the entry of `key` atomically (a temporary file in the directory, fsync, rename),
  /// replacing any older one. Returns the entry's size in bytes. Errors: Phase::Host, with the
  /// path and the reason.
  Result<uint64_t> store(const Digest& key, std::string_view object,
                         const OsrPoints& osr_points) const;

  /// The bytes of the file `path_of(key, suffix)`, a regular file of at most `max_bytes`;
  /// nullopt when it is missing, larger or unreadable. Unverified: the caller checks them.
  std::optional<std::string> read_small(const Digest& key, std::string_view suffix,
                                        size_t max_bytes) const;
  /// Writes `bytes` to `path_of(key, suffix)` atomically (a temporary file, renamed), without
  /// fsync: for data a crash may lose (a profile), never for code. Errors as store()'s.
  Result<void> store_small(const Digest& key, std::string_view suffix,
                           std::string_view bytes) const;

 private:
  std::filesystem::path dir_;
  uint64_t max_bytes_;
};

}  // namespace lunatic::codecache
