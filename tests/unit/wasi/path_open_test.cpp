// path_open, fd_seek and the path_* calls at the host level, for what a C guest cannot pass
// through wasi-libc's api.h (a NUL inside a path, rights at every bit) and what only the host
// sees (the host fd's mode): the preview1 rules of path_open.cpp, one test per rule.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/wasi/abi.hpp"
#include "host/wasi/wasi.hpp"
#include "wasi_fixture.hpp"

namespace lunatic::host::wasi {
namespace {

namespace fs = std::filesystem;

class PathOpen : public test::WasiFunctions {
 protected:
  void SetUp() override {
    test::WasiFunctions::SetUp();
    std::ofstream(dir_ / "file.txt") << "data";
    fs::create_directory(dir_ / "dir");
    fs::create_symlink("file.txt", dir_ / "link");
    fs::create_symlink("missing", dir_ / "dangling");
    fs::create_symlink("self", dir_ / "self");
  }
  /// path_open(fd, lookup, path, oflags, base, inheriting, fdflags): the errno; the new fd is
  /// at 0x10.
  int32_t open_at(uint32_t fd, uint32_t lookup, std::string_view path, uint32_t oflags,
                  uint64_t base, uint64_t inheriting = 0, uint32_t fdflags = 0) {
    poke_str(0x100, path);
    return errno_of("path_open",
                    {fd, lookup, 0x100, path.size(), oflags, base, inheriting, fdflags, 0x10});
  }
  FdEntry* entry(uint32_t fd) { return process_.wasi().fds().get(fd); }
  static int32_t err(Errno e) { return code(e); }
};

TEST_F(PathOpen, NoRightsGivesAPathHandleThatOpensAnything) {
  // Rights 0: an O_PATH handle. It opens a missing name's answer exactly (NOENT, not the
  // INVAL openat2 gives for O_PATH with other flags), and a file with mode 000.
  EXPECT_EQ(open_at(3, 0, "missing", 0, 0), err(Errno::Noent));
  EXPECT_EQ(open_at(3, 0, "missing", 0, 0, 0, abi::kFdflagNonblock), err(Errno::Noent));
  std::ofstream(dir_ / "locked") << "secret";
  fs::permissions(dir_ / "locked", fs::perms::none);
  ASSERT_EQ(open_at(3, 0, "locked", 0, 0), 0);
  FdEntry* e = entry(peek_u32(0x10));
  ASSERT_NE(e, nullptr);
  EXPECT_NE(fcntl(e->host_fd, F_GETFL) & O_PATH, 0);
  EXPECT_EQ(e->rights_base, 0u);
  EXPECT_EQ(e->filetype, abi::kFiletypeRegularFile);
  // A FIFO opened without data rights does not wait for a writer.
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(open_at(3, 0, "fifo", 0, 0), 0);
  // Any right that needs an open file gives a real open (read-only when no write right).
  ASSERT_EQ(open_at(3, 0, "file.txt", 0, abi::kRightFdSeek), 0);
  e = entry(peek_u32(0x10));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(fcntl(e->host_fd, F_GETFL) & (O_PATH | O_ACCMODE), O_RDONLY);
  EXPECT_EQ(e->rights_base, abi::kRightFdSeek);
}

TEST_F(PathOpen, PathHandlesServeStatAndPathCalls) {
  // A file asked for FD_FILESTAT_GET only: an O_PATH handle that fstat()s.
  ASSERT_EQ(open_at(3, 0, "file.txt", 0, abi::kRightFdFilestatGet), 0);
  uint32_t f = peek_u32(0x10);
  EXPECT_NE(fcntl(entry(f)->host_fd, F_GETFL) & O_PATH, 0);
  ASSERT_EQ(errno_of("fd_filestat_get", {f, 0x400}), 0);
  abi::Filestat st;
  std::memcpy(&st, memory_->data() + 0x400, sizeof st);
  EXPECT_EQ(st.size, 4u);
  EXPECT_EQ(st.filetype, abi::kFiletypeRegularFile);
  ASSERT_EQ(errno_of("fd_fdstat_get", {f, 0x400}), 0);
  // A directory asked for path rights only: an O_PATH handle below which the path_* calls
  // and further opens work.
  constexpr uint64_t kPathRights = abi::kRightPathOpen | abi::kRightPathCreateFile |
                                   abi::kRightPathCreateDirectory | abi::kRightPathFilestatGet |
                                   abi::kRightPathUnlinkFile;
  ASSERT_EQ(open_at(3, 0, "dir", abi::kOflagDirectory, kPathRights, abi::kRightFdWrite), 0);
  uint32_t d = peek_u32(0x10);
  EXPECT_NE(fcntl(entry(d)->host_fd, F_GETFL) & O_PATH, 0);
  EXPECT_EQ(entry(d)->rights_base, kPathRights);
  ASSERT_EQ(open_at(d, 0, "new", abi::kOflagCreat, abi::kRightFdWrite), 0);
  poke_str(0x200, "new");
  EXPECT_EQ(errno_of("path_filestat_get", {d, 0, 0x200, 3, 0x400}), 0);
  poke_str(0x200, "made");
  EXPECT_EQ(errno_of("path_create_directory", {d, 0x200, 4}), 0);
  EXPECT_TRUE(fs::is_directory(dir_ / "dir" / "made"));
  poke_str(0x200, "new");
  EXPECT_EQ(errno_of("path_unlink_file", {d, 0x200, 3}), 0);
  EXPECT_FALSE(fs::exists(dir_ / "dir" / "new"));
  EXPECT_EQ(errno_of("fd_readdir", {d, 0x400, 64, 0, 0x10}), err(Errno::Notcapable));
}

TEST_F(PathOpen, AFifoOpensWithoutWaiting) {
  // open(2) of a FIFO waits for the other end; path_open must not hold the thread: reading
  // opens at once, writing with no reader is NXIO, and the fd blocks again unless NONBLOCK.
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  ASSERT_EQ(open_at(3, 0, "fifo", 0, abi::kRightFdRead), 0);
  FdEntry* e = entry(peek_u32(0x10));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(fcntl(e->host_fd, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(e->filetype, abi::kFiletypeUnknown);
  ASSERT_EQ(open_at(3, 0, "fifo", 0, abi::kRightFdRead, 0, abi::kFdflagNonblock), 0);
  EXPECT_NE(fcntl(entry(peek_u32(0x10))->host_fd, F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(mkfifo((dir_ / "fifo2").c_str(), 0600), 0);
  EXPECT_EQ(open_at(3, 0, "fifo2", 0, abi::kRightFdWrite), err(Errno::Nxio));
}

TEST_F(PathOpen, AFinalSymlinkNotFollowedIsLoop) {
  for (uint64_t rights : {uint64_t{0}, abi::kRightFdRead}) {
    EXPECT_EQ(open_at(3, 0, "link", 0, rights), err(Errno::Loop)) << rights;
    EXPECT_EQ(open_at(3, 0, "dangling", 0, rights), err(Errno::Loop)) << rights;
    EXPECT_EQ(open_at(3, 0, "self", 0, rights), err(Errno::Loop)) << rights;
    EXPECT_EQ(open_at(3, abi::kLookupSymlinkFollow, "self", 0, rights), err(Errno::Loop));
    EXPECT_EQ(open_at(3, abi::kLookupSymlinkFollow, "dangling", 0, rights), err(Errno::Noent));
    EXPECT_EQ(open_at(3, abi::kLookupSymlinkFollow, "link", 0, rights), 0);
  }
}

TEST_F(PathOpen, RightsAskedForMustBeInheritable) {
  // A directory that may hand on FD_READ only.
  ASSERT_EQ(open_at(3, 0, "dir", abi::kOflagDirectory, abi::kRightPathOpen | abi::kRightFdReaddir,
                    abi::kRightFdRead),
            0);
  uint32_t sub = peek_u32(0x10);
  std::ofstream(dir_ / "dir" / "f") << "x";
  EXPECT_EQ(open_at(sub, 0, "f", 0, abi::kRightFdRead), 0);
  // Every other bit, one at a time, in base or inheriting: NOTCAPABLE.
  for (int bit = 0; bit < 30; ++bit) {
    uint64_t r = uint64_t{1} << bit;
    if (r == abi::kRightFdRead) continue;
    EXPECT_EQ(open_at(sub, 0, "f", 0, r), err(Errno::Notcapable)) << bit;
    EXPECT_EQ(open_at(sub, 0, "f", 0, 0, r), err(Errno::Notcapable)) << bit;
  }
  // Bits no right has: INVAL, whatever the directory.
  for (int bit = 30; bit < 64; ++bit) {
    EXPECT_EQ(open_at(sub, 0, "f", 0, uint64_t{1} << bit), err(Errno::Inval)) << bit;
    EXPECT_EQ(open_at(3, 0, "f", 0, 0, uint64_t{1} << bit), err(Errno::Inval)) << bit;
  }
}

TEST_F(PathOpen, NewFdsKeepTheRightsOfTheirType) {
  // Everything asked for a file: file rights, no inheriting ones.
  ASSERT_EQ(open_at(3, 0, "file.txt", 0, abi::kRightsAll, abi::kRightsAll), 0);
  FdEntry* e = entry(peek_u32(0x10));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rights_base, abi::kRightsFile);
  EXPECT_EQ(e->rights_inheriting, 0u);
  EXPECT_EQ(fcntl(e->host_fd, F_GETFL) & O_ACCMODE, O_RDWR);
  // ... and for a directory: directory rights, inheriting ones as asked.
  ASSERT_EQ(open_at(3, 0, "dir", 0, abi::kRightsAll, abi::kRightsAll), err(Errno::Isdir));
  ASSERT_EQ(open_at(3, 0, "dir", 0, abi::kRightsAll & ~abi::kRightsWriting, abi::kRightsAll), 0);
  e = entry(peek_u32(0x10));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->rights_base, abi::kRightsDirectory);
  EXPECT_EQ(e->rights_inheriting, abi::kRightsAll);
}

TEST_F(PathOpen, ErrorsComeInTheSpecifiedOrder) {
  // Unknown flag bits first, then the fd, then rights, then flag combinations, then the path.
  EXPECT_EQ(open_at(77, 0, "missing", 1u << 4, 0), err(Errno::Inval));
  EXPECT_EQ(open_at(77, 4, "missing", 0, 0), err(Errno::Inval));
  EXPECT_EQ(open_at(77, 0, "missing", 0, 0, 0, 1u << 6), err(Errno::Inval));
  EXPECT_EQ(open_at(77, 0, std::string_view("a\0b", 3), 0, 0), err(Errno::Badf));
  ASSERT_EQ(open_at(3, 0, "file.txt", 0, abi::kRightFdRead), 0);
  uint32_t file = peek_u32(0x10);
  EXPECT_EQ(open_at(file, 0, "missing", 0, 0), err(Errno::Notdir));
  EXPECT_EQ(open_at(1, 0, "missing", 0, 0), err(Errno::Notdir));
  ASSERT_EQ(errno_of("fd_fdstat_set_rights",
                     {3, abi::kRightsDirectory & ~abi::kRightPathOpen, abi::kRightsAll}),
            0);
  EXPECT_EQ(open_at(3, 0, "missing", abi::kOflagDirectory | abi::kOflagCreat, 0),
            err(Errno::Notcapable));
  ASSERT_EQ(errno_of("fd_fdstat_set_rights",
                     {3, abi::kRightsDirectory & ~abi::kRightPathCreateFile, abi::kRightsAll}),
            err(Errno::Notcapable));  // rights never widen again
}

TEST_F(PathOpen, FlagCombinationsAndPathsAfterRights) {
  EXPECT_EQ(open_at(3, 0, "../x", abi::kOflagDirectory | abi::kOflagTrunc, 0), err(Errno::Inval));
  EXPECT_EQ(open_at(3, 0, std::string_view("file.txt\0", 9), 0, 0), err(Errno::Inval));
  EXPECT_EQ(open_at(3, 0, std::string(5000, 'a'), 0, 0), err(Errno::Nametoolong));
  EXPECT_EQ(open_at(3, 0, "../x", 0, 0), err(Errno::Notcapable));
  EXPECT_EQ(open_at(3, 0, "/etc", 0, 0), err(Errno::Notcapable));
  // A directory asked for with write rights: the host's ISDIR; CREAT | EXCL on an existing
  // file: EXIST; bytes that are not UTF-8 are a name like any other.
  EXPECT_EQ(open_at(3, 0, "dir", abi::kOflagDirectory, abi::kRightFdWrite), err(Errno::Isdir));
  EXPECT_EQ(open_at(3, 0, "file.txt", abi::kOflagCreat | abi::kOflagExcl, 0), err(Errno::Exist));
  EXPECT_EQ(open_at(3, 0, "\xff\xfe", abi::kOflagCreat, 0), 0);
  EXPECT_TRUE(fs::exists(dir_ / "\xff\xfe"));
}

TEST_F(PathOpen, SeekAndTellOnWhatCannotSeek) {
  // A directory never has FD_SEEK: NOTCAPABLE (the preopen, and one opened asking for it).
  poke(0x40, "\0\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(errno_of("fd_seek", {3, 0, abi::kWhenceCur, 0x40}), err(Errno::Notcapable));
  EXPECT_EQ(errno_of("fd_tell", {3, 0x40}), err(Errno::Notcapable));
  ASSERT_EQ(open_at(3, 0, "dir", abi::kOflagDirectory, abi::kRightFdSeek | abi::kRightFdTell), 0);
  uint32_t d = peek_u32(0x10);
  EXPECT_EQ(entry(d)->rights_base & (abi::kRightFdSeek | abi::kRightFdTell), 0u);
  EXPECT_EQ(errno_of("fd_seek", {d, 0, abi::kWhenceSet, 0x40}), err(Errno::Notcapable));
  EXPECT_EQ(errno_of("fd_seek", {d, 5, 9, 0x40}), err(Errno::Inval));  // whence first
  EXPECT_EQ(errno_of("fd_seek", {99, 0, abi::kWhenceSet, 0x40}), err(Errno::Badf));
  // A file with FD_SEEK only may tell too (FD_SEEK implies FD_TELL).
  ASSERT_EQ(open_at(3, 0, "file.txt", 0, abi::kRightFdSeek), 0);
  uint32_t f = peek_u32(0x10);
  EXPECT_EQ(errno_of("fd_seek", {f, 2, abi::kWhenceSet, 0x40}), 0);
  EXPECT_EQ(errno_of("fd_tell", {f, 0x40}), 0);
  EXPECT_EQ(peek_u32(0x40), 2u);
}

TEST_F(PathOpen, TwoFdCallsCheckBothFdsBeforeAnyPath) {
  poke_str(0x200, "missing");
  poke_str(0x300, "x");
  EXPECT_EQ(errno_of("path_rename", {3, 0x200, 7, 55, 0x300, 1}), err(Errno::Badf));
  EXPECT_EQ(errno_of("path_link", {3, 0, 0x200, 7, 55, 0x300, 1}), err(Errno::Badf));
  EXPECT_EQ(errno_of("path_rename", {3, 0x200, 7, 3, 0x300, 1}), err(Errno::Noent));
  poke_str(0x200, std::string_view("a\0b", 3));
  EXPECT_EQ(errno_of("path_symlink", {0x200, 3, 55, 0x300, 1}), err(Errno::Badf));
  EXPECT_EQ(errno_of("path_symlink", {0x200, 3, 3, 0x300, 1}), err(Errno::Inval));
  EXPECT_FALSE(fs::is_symlink(dir_ / "x"));
}

TEST_F(PathOpen, ReadlinkIntoAnEmptyBufferPlacesNothing) {
  // readlink(2) refuses a size of 0 (EINVAL); preview1 answers "0 bytes placed" for a symlink,
  // and still INVAL for what is not one, NOENT for a missing name.
  poke_str(0x200, "link");
  poke(0x40, "\x63\0\0\0", 4);
  EXPECT_EQ(errno_of("path_readlink", {3, 0x200, 4, 0x300, 0, 0x40}), 0);
  EXPECT_EQ(peek_u32(0x40), 0u);
  EXPECT_EQ(errno_of("path_readlink", {3, 0x200, 4, 0x300, 3, 0x40}), 0);
  EXPECT_EQ(peek_u32(0x40), 3u);
  poke_str(0x200, "file.txt");
  EXPECT_EQ(errno_of("path_readlink", {3, 0x200, 8, 0x300, 0, 0x40}), err(Errno::Inval));
  poke_str(0x200, "missing");
  EXPECT_EQ(errno_of("path_readlink", {3, 0x200, 7, 0x300, 0, 0x40}), err(Errno::Noent));
}

}  // namespace
}  // namespace lunatic::host::wasi
