// ObjectCache: the entry file's layout, its verification, the key, and atomic writes.
// An entry is [header][OSR table][object]; the header's checksum covers the last two.
#include "codecache/object_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "codecache/build_identity.hpp"
#include "codecache/byte_codec.hpp"

#ifndef LUNATIC_VERSION
#define LUNATIC_VERSION "unknown"
#endif

namespace lunatic::codecache {
namespace {

constexpr char kMagic[8] = {'L', 'U', 'N', 'A', 'T', 'I', 'C', 'O'};

/// The fixed-size start of an entry, in the host's byte order (the key pins the host).
struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t header_size;
  Digest key;
  uint64_t osr_size;     ///< bytes of the OSR table, right after the header
  uint64_t object_size;  ///< bytes of the object file, right after the OSR table
  Digest checksum;       ///< SHA-256 of the OSR table and the object
};
static_assert(sizeof(Header) == 96);

/// Closes its descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

bool read_exactly(int fd, void* out, size_t size) {
  auto* p = static_cast<uint8_t*>(out);
  while (size > 0) {
    ssize_t n = ::read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool write_all(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// u32 function count, then per function: u32 safepoint count and one bit per safepoint.
std::string encode_osr(const OsrPoints& points) {
  std::string out;
  put(out, static_cast<uint32_t>(points.size()));
  for (const std::vector<bool>& fn : points) {
    put(out, static_cast<uint32_t>(fn.size()));
    for (size_t i = 0; i < fn.size(); i += 8) {
      uint8_t bits = 0;
      for (size_t b = 0; b < 8 && i + b < fn.size(); ++b) bits |= uint8_t(fn[i + b] ? 1 : 0) << b;
      out.push_back(static_cast<char>(bits));
    }
  }
  return out;
}

std::optional<OsrPoints> decode_osr(std::string_view in) {
  ByteReader r{in};
  uint32_t count = 0;
  if (!r.get(count) || count > r.left() / sizeof(uint32_t)) return std::nullopt;
  OsrPoints points(count);
  for (std::vector<bool>& fn : points) {
    uint32_t safepoints = 0;
    if (!r.get(safepoints)) return std::nullopt;
    const size_t bytes = (size_t{safepoints} + 7) / 8;
    if (r.left() < bytes) return std::nullopt;
    fn.resize(safepoints);
    for (uint32_t i = 0; i < safepoints; ++i) {
      fn[i] = (static_cast<uint8_t>(in[r.at + i / 8]) >> (i % 8)) & 1;
    }
    r.at += bytes;
  }
  if (r.left() != 0) return std::nullopt;
  return points;
}

// mkdir -p, every directory it creates private to the user.
bool make_dirs(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const std::filesystem::path& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  struct stat st {};
  return ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Error store_error(const std::filesystem::path& path, const char* what) {
  return Error(Phase::Host, std::string("code cache: ") + what + " " + path.string() + ": " +
                                std::strerror(errno));
}

// Writes `parts` one after another to a new file of `dir` (mkstemp of `temp_name`, a dot name
// cache_trim.hpp recognises) and renames it over `target`, so readers and other writers see
// the whole file or the old one. `durable`: the file and then the directory are fsynced, so
// the entry survives a crash (code); without, a crash may lose it (a profile).
Result<void> replace_file(const std::filesystem::path& dir, const char* temp_name,
                          const std::filesystem::path& target,
                          std::initializer_list<std::string_view> parts, bool durable) {
  if (!make_dirs(dir)) return store_error(dir, "cannot create");
  std::string temp = (dir / temp_name).string();
  Fd file(::mkstemp(temp.data()));
  if (file.fd < 0) return store_error(temp, "cannot create");
  bool written = true;
  for (std::string_view part : parts)
    written = written && write_all(file.fd, part.data(), part.size());
  written = written && (!durable || ::fsync(file.fd) == 0);
  if (!written || ::rename(temp.c_str(), target.c_str()) != 0) {
    Error error = store_error(written ? target : std::filesystem::path(temp),
                              written ? "cannot rename to" : "cannot write");
    ::unlink(temp.c_str());
    return error;
  }
  if (durable) {  // the rename itself survives a crash once the directory is synced too
    Fd synced(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (synced.fd >= 0) (void)::fsync(synced.fd);
  }
  return {};
}
}  // namespace

Digest digest_of(std::span<const uint8_t> bytes) { return Sha256::hash(bytes); }

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::filesystem::path> ObjectCache::default_dir() {
  auto set = [](const char* name) -> const char* {
    const char* value = std::getenv(name);
    return value != nullptr && value[0] != '\0' ? value : nullptr;
  };
  if (const char* dir = set("LUNATIC_CACHE_DIR")) return std::filesystem::path(dir);
  if (const char* xdg = set("XDG_CACHE_HOME")) return std::filesystem::path(xdg) / "lunatic";
  if (const char* home = set("HOME")) return std::filesystem::path(home) / ".cache" / "lunatic";
  return std::nullopt;
}

Digest ObjectCache::key(const Digest& module_digest, unsigned opt_level, bool osr_entries,
                        Kind kind) {
  // Every field is terminated, so no two different keys share a byte string.
  std::string material = "lunatic " LUNATIC_VERSION "\n";
  material += "format " + std::to_string(kFormatVersion) + "\n";
  material += "build " + build_identity() + "\n";
  material += "module " + to_hex(module_digest) + "\n";
  material += "cpu" + host_cpu_identity() + "\n";
  material += "opt " + std::to_string(opt_level) + " osr " + (osr_entries ? "1" : "0") + "\n";
  // A module's key stays what it was.
  if (kind == Kind::Hot) material += "kind hot\n";
  if (kind == Kind::Profile) material += "kind profile\n";
  return Sha256::hash(bytes_of(material));
}

std::filesystem::path ObjectCache::path_of(const Digest& key, std::string_view suffix) const {
  return dir_ / (to_hex(key) + std::string(suffix));
}

bool ObjectCache::contains(const Digest& key) const {
  return ::access(path_of(key).c_str(), R_OK) == 0;
}

std::optional<CachedCode> ObjectCache::load(const Digest& key) const {
  Fd file(::open(path_of(key).c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  const auto file_size = static_cast<uint64_t>(st.st_size);
  if (file_size < sizeof(Header) || file_size > kMaxEntryBytes) return std::nullopt;
  Header header{};
  if (!read_exactly(file.fd, &header, sizeof header)) return std::nullopt;
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 ||
      header.format_version != kFormatVersion || header.header_size != sizeof(Header) ||
      header.key != key) {
    return std::nullopt;
  }
  // Each size alone is below the file's, so their sum cannot wrap.
  const uint64_t payload = file_size - sizeof(Header);
  if (header.osr_size > payload || header.object_size > payload ||
      header.osr_size + header.object_size != payload || header.object_size == 0) {
    return std::nullopt;
  }
  std::string osr(header.osr_size, '\0');
  CachedCode code;
  code.object.resize(header.object_size);
  if (!read_exactly(file.fd, osr.data(), osr.size()) ||
      !read_exactly(file.fd, code.object.data(), code.object.size())) {
    return std::nullopt;
  }
  Sha256 sha;
  sha.update(bytes_of(osr));
  sha.update(bytes_of(code.object));
  if (sha.final() != header.checksum) return std::nullopt;
  std::optional<OsrPoints> points = decode_osr(osr);
  if (!points) return std::nullopt;
  code.osr_points = std::move(*points);
  code.entry_bytes = file_size;
  (void)::futimens(file.fd, nullptr);  // used now: the last an LRU trim removes
  return code;
}

Result<uint64_t> ObjectCache::store(const Digest& key, std::string_view object,
                                    const OsrPoints& osr_points) const {
  const std::string osr = encode_osr(osr_points);
  const uint64_t size = sizeof(Header) + osr.size() + object.size();
  if (object.empty() || size > kMaxEntryBytes) {
    return Error(Phase::Host, "code cache: an entry of " + std::to_string(size) +
                                  " bytes is not stored (limit " + std::to_string(kMaxEntryBytes) +
                                  ")");
  }
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.format_version = kFormatVersion;
  header.header_size = sizeof(Header);
  header.key = key;
  header.osr_size = osr.size();
  header.object_size = object.size();
  Sha256 sha;
  sha.update(bytes_of(osr));
  sha.update(bytes_of(object));
  header.checksum = sha.final();
  const std::filesystem::path target = path_of(key);
  TRY(replace_file(
      dir_, ".entry-XXXXXX", target,
      {std::string_view(reinterpret_cast<const char*>(&header), sizeof header), osr, object},
      true));
  (void)trim_cache(dir_, max_bytes_, target);
  return size;
}

std::optional<std::string> ObjectCache::read_small(const Digest& key, std::string_view suffix,
                                                   size_t max_bytes) const {
  Fd file(::open(path_of(key, suffix).c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) > max_bytes) {
    return std::nullopt;
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  if (!read_exactly(file.fd, bytes.data(), bytes.size())) return std::nullopt;
  return bytes;
}

Result<void> ObjectCache::store_small(const Digest& key, std::string_view suffix,
                                      std::string_view bytes) const {
  return replace_file(dir_, ".small-XXXXXX", path_of(key, suffix), {bytes}, false);
}

}  // namespace lunatic::codecache
