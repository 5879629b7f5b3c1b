// FdTable: lowest-free reuse, the cap, renumbering, and that closing really closes.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>

#include "host/wasi/fd_table.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {
namespace {

TEST(DirOption, TakesHostHostColonGuestAndWasmtimesDoubleColon) {
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(parse_dir_option("data").value(), Pair("data", "data"));
  EXPECT_EQ(parse_dir_option("./data:/data").value(), Pair("./data", "/data"));
  EXPECT_EQ(parse_dir_option("./data::/data").value(), Pair("./data", "/data"));
  // A host path with a colon: the last one splits, or "::" does when there is one.
  EXPECT_EQ(parse_dir_option("a:b:/g").value(), Pair("a:b", "/g"));
  EXPECT_EQ(parse_dir_option("a:b::/g").value(), Pair("a:b", "/g"));
  for (const char* bad : {"", ":g", "h:", "::g", "h::"}) {
    Result<std::pair<std::string, std::string>> r = parse_dir_option(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("HOST::GUEST"), std::string::npos) << r.error().message;
  }
}

std::unique_ptr<FdEntry> owned_entry(int* host_fd_out = nullptr) {
  auto e = std::make_unique<FdEntry>();
  e->host_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  e->owned = true;
  if (host_fd_out != nullptr) *host_fd_out = e->host_fd;
  return e;
}

bool host_fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(FdTable, ReusesTheLowestFreeNumber) {
  FdTable t;
  uint32_t a = 0, b = 0, c = 0, d = 0;
  ASSERT_EQ(t.insert(owned_entry(), &a), Errno::Success);
  ASSERT_EQ(t.insert(owned_entry(), &b), Errno::Success);
  ASSERT_EQ(t.insert(owned_entry(), &c), Errno::Success);
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(c, 2u);
  EXPECT_EQ(t.close(b), Errno::Success);
  EXPECT_EQ(t.close(b), Errno::Badf);
  ASSERT_EQ(t.insert(owned_entry(), &d), Errno::Success);
  EXPECT_EQ(d, b);
}

TEST(FdTable, CloseClosesOwnedHostFds) {
  FdTable t;
  int host = -1;
  uint32_t fd = 0;
  ASSERT_EQ(t.insert(owned_entry(&host), &fd), Errno::Success);
  EXPECT_TRUE(host_fd_open(host));
  EXPECT_EQ(t.close(fd), Errno::Success);
  EXPECT_FALSE(host_fd_open(host));
  EXPECT_EQ(t.get(fd), nullptr);
}

TEST(FdTable, BorrowedHostFdsStayOpen) {
  FdTable t;
  int host = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto e = std::make_unique<FdEntry>();
  e->host_fd = host;
  e->owned = false;
  t.put(0, std::move(e));
  EXPECT_EQ(t.close(0), Errno::Success);
  EXPECT_TRUE(host_fd_open(host));
  ::close(host);
}

TEST(FdTable, CapsOpenFds) {
  FdTable t;
  uint32_t fd = 0;
  for (uint32_t i = 0; i < FdTable::kMaxFds; ++i) {
    auto e = std::make_unique<FdEntry>();  // no host fd: only the table's limit is tested
    ASSERT_EQ(t.insert(std::move(e), &fd), Errno::Success);
  }
  EXPECT_EQ(t.insert(std::make_unique<FdEntry>(), &fd), Errno::Mfile);
  EXPECT_EQ(t.open_count(), FdTable::kMaxFds);
}

TEST(FdTable, RenumberReplacesAndFrees) {
  FdTable t;
  int host_a = -1, host_b = -1;
  uint32_t a = 0, b = 0;
  ASSERT_EQ(t.insert(owned_entry(&host_a), &a), Errno::Success);
  ASSERT_EQ(t.insert(owned_entry(&host_b), &b), Errno::Success);
  EXPECT_EQ(t.renumber(b, a), Errno::Success);
  EXPECT_EQ(t.get(b), nullptr);
  ASSERT_NE(t.get(a), nullptr);
  EXPECT_EQ(t.get(a)->host_fd, host_b);
  EXPECT_FALSE(host_fd_open(host_a));  // the replaced entry was closed
  EXPECT_EQ(t.renumber(b, a), Errno::Badf);
  EXPECT_EQ(t.renumber(a, 7), Errno::Badf);
  EXPECT_EQ(t.renumber(a, a), Errno::Success);
}

}  // namespace
}  // namespace lunatic::host::wasi
