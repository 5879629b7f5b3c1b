// Socket: registration with the reactor on adoption, deregistration before close.
#include "host/shared/sockets.hpp"

#include <unistd.h>

#include <cerrno>

namespace lunatic::host::shared {

std::shared_ptr<Socket> Socket::adopt(runtime::IoReactor& reactor, int fd) {
  std::shared_ptr<runtime::IoSource> source = reactor.add(fd);
  if (!source) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return nullptr;
  }
  return std::make_shared<Socket>(reactor, fd, std::move(source));
}

Socket::~Socket() {
  reactor_.remove(fd_, *source_);
  ::close(fd_);
}

}  // namespace lunatic::host::shared
