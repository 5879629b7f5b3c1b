// WasiContext: stdio and preopened directories, and fd lookup with rights.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "host/shared/sockets.hpp"
#include "host/wasi/abi.hpp"
#include "host/wasi/support.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {

void WasiContext::add_stdio(int in, int out, int err) {
  const int host[3] = {in, out, err};
  for (uint32_t i = 0; i < 3; ++i) {
    struct stat st {};
    add_stdio_fd(i, host[i], fstat(host[i], &st) == 0 ? st.st_mode : 0);
  }
}

void WasiContext::add_stdio_fd(uint32_t guest_fd, int host_fd, mode_t type) {
  auto e = std::make_unique<FdEntry>();
  e->host_fd = host_fd;
  e->owned = false;
  e->filetype = filetype_of_mode(type);  // 0: unknown
  uint64_t rights = (guest_fd == 0 ? abi::kRightFdRead : abi::kRightFdWrite) |
                    abi::kRightPollFdReadwrite | abi::kRightFdFdstatSetFlags |
                    abi::kRightFdFilestatGet;
  // Only a seekable stdio (a redirected file) gets seek and tell: wasi-libc's isatty()
  // is "a character device without seek rights".
  if (e->filetype == abi::kFiletypeRegularFile) {
    rights |= abi::kRightFdSeek | abi::kRightFdTell | abi::kRightFdAdvise | abi::kRightFdSync |
              abi::kRightFdDatasync;
  }
  e->rights_base = rights;
  e->rights_inheriting = 0;
  fds_.put(guest_fd, std::move(e));
}

Result<uint32_t> WasiContext::preopen(const std::string& host_path, std::string guest_name) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error(Phase::Host, "cannot open directory " + host_path + ": " + std::strerror(errno));
  }
  auto e = std::make_unique<FdEntry>();
  e->host_fd = fd;
  e->owned = true;
  e->filetype = abi::kFiletypeDirectory;
  e->rights_base = abi::kRightsDirectory;
  e->rights_inheriting = abi::kRightsAll;
  e->is_preopen = true;
  e->preopen_name = std::move(guest_name);
  uint32_t guest_fd = 0;
  if (fds_.insert(std::move(e), &guest_fd) != Errno::Success) {
    return Error(Phase::Host, "too many preopened directories");
  }
  return guest_fd;
}

Errno WasiContext::add_socket(std::shared_ptr<shared::Socket> socket, bool listener, bool nonblock,
                              uint32_t* fd_out) {
  auto e = std::make_unique<FdEntry>();
  e->host_fd = socket->fd();
  e->owned = false;  // the Socket closes it, after leaving the reactor
  e->socket = std::move(socket);
  e->nonblock = nonblock;
  e->filetype = abi::kFiletypeSocketStream;
  e->rights_base = listener ? abi::kRightsSocketListener : abi::kRightsSocketStream;
  e->rights_inheriting = 0;
  return fds_.insert(std::move(e), fd_out);
}

Errno WasiContext::lookup(uint32_t fd, uint64_t rights, FdEntry** out) const {
  FdEntry* e = fds_.get(fd);
  if (e == nullptr) return Errno::Badf;
  if (!e->has(rights)) return Errno::Notcapable;
  *out = e;
  return Errno::Success;
}

Errno WasiContext::lookup_dir(uint32_t fd, uint64_t rights, FdEntry** out) const {
  FdEntry* e = fds_.get(fd);
  if (e == nullptr) return Errno::Badf;
  if (e->filetype != abi::kFiletypeDirectory) return Errno::Notdir;
  if (!e->has(rights)) return Errno::Notcapable;
  *out = e;
  return Errno::Success;
}

Result<std::pair<std::string, std::string>> parse_dir_option(std::string_view value) {
  // wasmtime's HOST::GUEST first (a host path may hold single colons then), else the last ':'.
  const size_t pair = value.find("::");
  const size_t colon = pair != std::string_view::npos ? pair : value.rfind(':');
  const size_t guest_at = pair != std::string_view::npos ? pair + 2 : colon + 1;
  std::string host(value.substr(0, colon));
  std::string guest(colon == std::string_view::npos ? value : value.substr(guest_at));
  if (host.empty() || guest.empty()) {
    return Error(Phase::Host,
                 "--dir " + std::string(value) + ": expected HOST, HOST:GUEST or HOST::GUEST");
  }
  return std::make_pair(std::move(host), std::move(guest));
}

}  // namespace lunatic::host::wasi
