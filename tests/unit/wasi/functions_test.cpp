// The preview1 functions called one attempt at a time with explicit memory and process:
// linking, rights, iovec caps, readdir's partial entries and cookies, fd reuse, no context.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "host/wasi/abi.hpp"
#include "host/wasi/wasi.hpp"
#include "wasi_fixture.hpp"

namespace lunatic::host::wasi {
namespace {

using test::WasiFunctions;

TEST_F(WasiFunctions, EveryPreviewOneFunctionIsDefined) {
  const char* names[] = {"args_get",
                         "args_sizes_get",
                         "environ_get",
                         "environ_sizes_get",
                         "clock_res_get",
                         "clock_time_get",
                         "fd_advise",
                         "fd_allocate",
                         "fd_close",
                         "fd_datasync",
                         "fd_fdstat_get",
                         "fd_fdstat_set_flags",
                         "fd_fdstat_set_rights",
                         "fd_filestat_get",
                         "fd_filestat_set_size",
                         "fd_filestat_set_times",
                         "fd_pread",
                         "fd_prestat_get",
                         "fd_prestat_dir_name",
                         "fd_pwrite",
                         "fd_read",
                         "fd_readdir",
                         "fd_renumber",
                         "fd_seek",
                         "fd_sync",
                         "fd_tell",
                         "fd_write",
                         "path_create_directory",
                         "path_filestat_get",
                         "path_filestat_set_times",
                         "path_link",
                         "path_open",
                         "path_readlink",
                         "path_remove_directory",
                         "path_rename",
                         "path_symlink",
                         "path_unlink_file",
                         "poll_oneoff",
                         "proc_exit",
                         "proc_raise",
                         "sched_yield",
                         "random_get",
                         "sock_accept",
                         "sock_recv",
                         "sock_send",
                         "sock_shutdown"};
  for (const char* n : names) EXPECT_NE(linker_.find(kModuleName, n), nullptr) << n;
  using wasm::ValType;
  const ValType i = ValType::I32, I = ValType::I64;
  EXPECT_EQ(linker_.find(kModuleName, "path_open")->type,
            (wasm::FuncType{{i, i, i, i, i, I, I, i, i}, {i}}));
  EXPECT_EQ(linker_.find(kModuleName, "fd_seek")->type, (wasm::FuncType{{i, I, i, i}, {i}}));
  EXPECT_EQ(linker_.find(kModuleName, "proc_exit")->type, (wasm::FuncType{{i}, {}}));
  EXPECT_EQ(linker_.find(kModuleName, "fd_readdir")->type, (wasm::FuncType{{i, i, i, I, i}, {i}}));
}

TEST_F(WasiFunctions, NoContextTraps) {
  Outcome o = call("fd_close", {1}, nullptr);
  EXPECT_EQ(o.status, engine::HostStatus::Trap);
  EXPECT_NE(o.trap.message.find("without a WASI context"), std::string::npos);
}

TEST_F(WasiFunctions, IovecCountIsCapped) {
  // 2000 iovecs (16000 bytes, in bounds) is more than IOV_MAX: Inval, nothing written.
  EXPECT_EQ(errno_of("fd_write", {1, 0x1000, 2000, 0x10}), code(Errno::Inval));
  EXPECT_EQ(errno_of("fd_read", {0, 0x1000, 2000, 0x10}), code(Errno::Inval));
}

TEST_F(WasiFunctions, ReadOnlyFdCannotWrite) {
  std::ofstream(dir_ / "f.txt") << "data";
  ASSERT_EQ(open_path("f.txt", 0, abi::kRightFdRead | abi::kRightFdSeek), 0);
  uint32_t fd = peek_u32(0x10);
  EXPECT_EQ(fd, 4u);
  abi::Iovec iov{0x200, 4};
  poke(0x20, &iov, sizeof iov);
  EXPECT_EQ(errno_of("fd_write", {fd, 0x20, 1, 0x30}), code(Errno::Badf));
  EXPECT_EQ(errno_of("fd_read", {fd, 0x20, 1, 0x30}), 0);
  EXPECT_EQ(peek_u32(0x30), 4u);
  EXPECT_EQ(std::memcmp(memory_->data() + 0x200, "data", 4), 0);
  // Rights the preopen can hand on but the open did not ask for are missing.
  EXPECT_EQ(errno_of("fd_filestat_set_size", {fd, 0}), code(Errno::Notcapable));
}

TEST_F(WasiFunctions, FdNumbersAreReusedButNotTheirFiles) {
  std::ofstream(dir_ / "a") << "A";
  std::ofstream(dir_ / "b") << "B";
  ASSERT_EQ(open_path("a", 0, abi::kRightFdRead), 0);
  uint32_t a = peek_u32(0x10);
  ASSERT_EQ(errno_of("fd_close", {a}), 0);
  EXPECT_EQ(errno_of("fd_close", {a}), code(Errno::Badf));
  ASSERT_EQ(open_path("b", 0, abi::kRightFdRead), 0);
  EXPECT_EQ(peek_u32(0x10), a);  // lowest free number again
  abi::Iovec iov{0x200, 1};
  poke(0x20, &iov, sizeof iov);
  ASSERT_EQ(errno_of("fd_read", {a, 0x20, 1, 0x30}), 0);
  EXPECT_EQ(memory_->data()[0x200], 'B');  // the new file, never the closed one
}

TEST_F(WasiFunctions, ReaddirWritesPartialEntriesAndResumesByCookie) {
  for (int k = 0; k < 5; ++k) std::ofstream(dir_ / ("entry" + std::to_string(k)));
  // Read with a buffer too small for two entries (24 + 6 bytes each, plus . and ..).
  std::vector<std::string> names;
  uint64_t cookie = 0;
  for (int guard = 0; guard < 100; ++guard) {
    ASSERT_EQ(errno_of("fd_readdir", {3, 0x400, 40, cookie, 0x10}), 0);
    uint32_t used = peek_u32(0x10);
    ASSERT_LE(used, 40u);
    abi::Dirent d;
    std::memcpy(&d, memory_->data() + 0x400, sizeof d);
    if (used < sizeof d) break;  // end of directory (an empty read)
    // The first entry is whole when the buffer holds header + name.
    ASSERT_LE(sizeof d + d.d_namlen, 40u);
    names.emplace_back(reinterpret_cast<const char*>(memory_->data() + 0x400 + sizeof d),
                       d.d_namlen);
    if (used < 40) {
      // Everything fit: the last entry of the directory (and only one, as 2 * 30 > 40).
      break;
    }
    // A full buffer: the second entry was cut; resume after the first.
    cookie = d.d_next;
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".", "..", "entry0", "entry1", "entry2", "entry3",
                                             "entry4"}));
}

TEST_F(WasiFunctions, PrestatNamesThePreopen) {
  ASSERT_EQ(errno_of("fd_prestat_get", {3, 0x10}), 0);
  EXPECT_EQ(memory_->data()[0x10], abi::kPreopenDir);
  EXPECT_EQ(peek_u32(0x14), 8u);
  EXPECT_EQ(errno_of("fd_prestat_dir_name", {3, 0x20, 4}), code(Errno::Nametoolong));
  ASSERT_EQ(errno_of("fd_prestat_dir_name", {3, 0x20, 8}), 0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory_->data() + 0x20), 8), "/sandbox");
  EXPECT_EQ(errno_of("fd_prestat_get", {4, 0x10}), code(Errno::Badf));
  EXPECT_EQ(errno_of("fd_prestat_get", {1, 0x10}), code(Errno::Badf));
}

TEST_F(WasiFunctions, PollOnClockAndFiles) {
  abi::Subscription subs[2]{};
  subs[0].userdata = 7;
  subs[0].tag = abi::kEventClock;
  subs[0].u.clock.id = 1;
  subs[0].u.clock.timeout = 1'000'000;  // 1 ms
  poke(0x100, subs, sizeof subs[0]);
  ASSERT_EQ(errno_of("poll_oneoff", {0x100, 0x400, 1, 0x10}), 0);
  EXPECT_EQ(peek_u32(0x10), 1u);
  abi::Event ev;
  std::memcpy(&ev, memory_->data() + 0x400, sizeof ev);
  EXPECT_EQ(ev.userdata, 7u);
  EXPECT_EQ(ev.type, abi::kEventClock);
  EXPECT_EQ(ev.error, 0);
  // A file subscription is ready at once; the hour-long clock does not fire.
  subs[0].u.clock.timeout = 3'600'000'000'000ull;
  subs[1].userdata = 9;
  subs[1].tag = abi::kEventFdWrite;
  subs[1].u.fd_readwrite.fd = 1;
  poke(0x100, subs, sizeof subs);
  ASSERT_EQ(errno_of("poll_oneoff", {0x100, 0x400, 2, 0x10}), 0);
  EXPECT_EQ(peek_u32(0x10), 1u);
  std::memcpy(&ev, memory_->data() + 0x400, sizeof ev);
  EXPECT_EQ(ev.userdata, 9u);
  EXPECT_EQ(errno_of("poll_oneoff", {0x100, 0x400, 0, 0x10}), code(Errno::Inval));
}

TEST_F(WasiFunctions, ArgsAndEnvironment) {
  process_.wasi().args = {"prog", "x y"};
  ASSERT_EQ(errno_of("args_sizes_get", {0x10, 0x14}), 0);
  EXPECT_EQ(peek_u32(0x10), 2u);
  EXPECT_EQ(peek_u32(0x14), 9u);
  ASSERT_EQ(errno_of("args_get", {0x20, 0x100}), 0);
  EXPECT_EQ(peek_u32(0x20), 0x100u);
  EXPECT_EQ(peek_u32(0x24), 0x105u);
  EXPECT_STREQ(reinterpret_cast<const char*>(memory_->data() + 0x105), "x y");
  // A table past the end traps before anything is written.
  Outcome o = call("args_get", {0xfffe, 0x100}, &process_);
  EXPECT_EQ(o.status, engine::HostStatus::Trap);
  EXPECT_EQ(o.trap.kind, engine::TrapKind::MemoryOutOfBounds);
}

}  // namespace
}  // namespace lunatic::host::wasi
