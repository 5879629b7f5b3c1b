// The host errno -> WASI errno table.
#include <gtest/gtest.h>

#include <cerrno>

#include "host/wasi/errno.hpp"

namespace lunatic::host::wasi {
namespace {

TEST(WasiErrno, PreviewOneValues) {
  // Spot checks against the witx numbering: guests compare against these numbers.
  EXPECT_EQ(code(Errno::Success), 0);
  EXPECT_EQ(code(Errno::TooBig), 1);
  EXPECT_EQ(code(Errno::Badf), 8);
  EXPECT_EQ(code(Errno::Inval), 28);
  EXPECT_EQ(code(Errno::Loop), 32);
  EXPECT_EQ(code(Errno::Noent), 44);
  EXPECT_EQ(code(Errno::Nosys), 52);
  EXPECT_EQ(code(Errno::Notempty), 55);
  EXPECT_EQ(code(Errno::Perm), 63);
  EXPECT_EQ(code(Errno::Xdev), 75);
  EXPECT_EQ(code(Errno::Notcapable), 76);
}

TEST(WasiErrno, MapsHostCodes) {
  struct Case {
    int host;
    Errno wasi;
  };
  const Case cases[] = {
      {0, Errno::Success},
      {EPERM, Errno::Perm},
      {ENOENT, Errno::Noent},
      {EINTR, Errno::Intr},
      {EIO, Errno::Io},
      {EBADF, Errno::Badf},
      {EAGAIN, Errno::Again},
      {EWOULDBLOCK, Errno::Again},
      {ENOMEM, Errno::Nomem},
      {EACCES, Errno::Acces},
      {EEXIST, Errno::Exist},
      {EXDEV, Errno::Xdev},
      {ENOTDIR, Errno::Notdir},
      {EISDIR, Errno::Isdir},
      {EINVAL, Errno::Inval},
      {EMFILE, Errno::Mfile},
      {ENFILE, Errno::Nfile},
      {EFBIG, Errno::Fbig},
      {ENOSPC, Errno::Nospc},
      {ESPIPE, Errno::Spipe},
      {EROFS, Errno::Rofs},
      {EMLINK, Errno::Mlink},
      {EPIPE, Errno::Pipe},
      {ENAMETOOLONG, Errno::Nametoolong},
      {ENOSYS, Errno::Nosys},
      {ENOTEMPTY, Errno::Notempty},
      {ELOOP, Errno::Loop},
      {ENOTSUP, Errno::Notsup},
      {EOPNOTSUPP, Errno::Notsup},
      {ENOTSOCK, Errno::Notsock},
      {ECONNRESET, Errno::Connreset},
      {ETIMEDOUT, Errno::Timedout},
      {ETXTBSY, Errno::Txtbsy},
      {EDQUOT, Errno::Dquot},
      {EOVERFLOW, Errno::Overflow},
      {EILSEQ, Errno::Ilseq},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(errno_from_host(c.host), c.wasi) << "host errno " << c.host;
  }
}

TEST(WasiErrno, UnknownHostCodesAreIo) {
  EXPECT_EQ(errno_from_host(EREMOTE), Errno::Io);
  EXPECT_EQ(errno_from_host(-1), Errno::Io);
  EXPECT_EQ(errno_from_host(100000), Errno::Io);
}

TEST(WasiErrno, ResolutionEscapesAreNotCapable) {
  // openat2 reports "would leave the directory" as EXDEV: for a path, that is a capability
  // refusal, not a cross-device error.
  EXPECT_EQ(errno_from_resolve(EXDEV), Errno::Notcapable);
  EXPECT_EQ(errno_from_resolve(ENOENT), Errno::Noent);
  EXPECT_EQ(errno_from_resolve(ELOOP), Errno::Loop);
}

}  // namespace
}  // namespace lunatic::host::wasi
