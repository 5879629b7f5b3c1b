// fd_readdir: directory entries in preview1's dirent format, resumable by cookie.
//
// Each entry is a 24-byte header (d_next, d_ino, d_namlen, d_type) followed by the name. The
// buffer is filled to the last byte: an entry that does not fit is written partially and
// bufused == buf_len, which tells wasi-libc to retry with a bigger buffer from the cookie of
// the last whole entry. d_next is the host's d_off (the position after the entry, which
// seekdir accepts); cookie 0 is the start.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {
namespace {

uint8_t filetype_of_dirent(DIR* dir, const dirent& de) {
  switch (de.d_type) {
    case DT_REG: return abi::kFiletypeRegularFile;
    case DT_DIR: return abi::kFiletypeDirectory;
    case DT_LNK: return abi::kFiletypeSymbolicLink;
    case DT_CHR: return abi::kFiletypeCharacterDevice;
    case DT_BLK: return abi::kFiletypeBlockDevice;
    case DT_SOCK: return abi::kFiletypeSocketStream;
    case DT_FIFO: return abi::kFiletypeUnknown;
    default: break;
  }
  // Some file systems do not fill d_type: ask (without following a symlink).
  struct stat st {};
  if (fstatat(dirfd(dir), de.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return abi::kFiletypeUnknown;
  return filetype_of_mode(st.st_mode);
}

/// The entry's directory stream, opened on first use on a new open file description (so the
/// guest's own offset on the fd is not disturbed).
DIR* stream_of(FdEntry& e) {
  if (e.dir_stream != nullptr) return e.dir_stream;
  int fd = openat(e.host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  e.dir_stream = fdopendir(fd);
  if (e.dir_stream == nullptr) {
    int saved = errno;
    ::close(fd);
    errno = saved;
  }
  return e.dir_stream;
}

}  // namespace

WasiResult fd_readdir(CallContext& ctx, uint32_t fd, GuestMutSpan<uint8_t> buf, uint64_t cookie,
                      GuestPtr<uint32_t> bufused) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  FdEntry* e = nullptr;
  if (Errno err = w->lookup(fd, abi::kRightFdReaddir, &e); err != Errno::Success) {
    return code(err);
  }
  if (cookie > static_cast<uint64_t>(LONG_MAX)) return code(Errno::Inval);
  DIR* dir = stream_of(*e);
  if (dir == nullptr) return code(errno_from_host(errno));
  if (cookie == 0) {
    rewinddir(dir);
  } else {
    seekdir(dir, static_cast<long>(cookie));
  }
  std::span<uint8_t> out = buf.mut_bytes();
  size_t used = 0;
  while (used < out.size()) {
    errno = 0;
    const dirent* de = readdir(dir);
    if (de == nullptr) {
      if (errno != 0) return code(errno_from_host(errno));
      break;
    }
    abi::Dirent header{};
    header.d_next = static_cast<uint64_t>(de->d_off);
    header.d_ino = de->d_ino;
    size_t name_len = std::strlen(de->d_name);
    header.d_namlen = static_cast<uint32_t>(name_len);
    header.d_type = filetype_of_dirent(dir, *de);
    size_t n = std::min(sizeof header, out.size() - used);
    std::memcpy(out.data() + used, &header, n);
    used += n;
    n = std::min(name_len, out.size() - used);
    std::memcpy(out.data() + used, de->d_name, n);
    used += n;
  }
  bufused.write(static_cast<uint32_t>(used));
  return code(Errno::Success);
}

}  // namespace lunatic::host::wasi
