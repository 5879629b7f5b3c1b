// Path resolution below a directory fd: openat2 and the fallback walk must give the same
// answers, refusing every escape.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/wasi/path.hpp"

namespace lunatic::host::wasi {
namespace {

namespace fs = std::filesystem;

using OpenFn = Opened (*)(int, std::string_view, int, mode_t, bool);

/// A temporary tree:  outside.txt, root/{file.txt, sub/inner.txt, in_link -> file.txt,
/// dir_link -> sub, abs_link -> <outside.txt>, up_link -> ../outside.txt,
/// up_dir -> .., loop_a <-> loop_b, deep/esc -> ../../outside.txt}
class PathTest : public ::testing::TestWithParam<OpenFn> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lunatic_path_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub");
    fs::create_directories(root_ / "deep");
    std::ofstream(base_ / "outside.txt") << "secret";
    std::ofstream(root_ / "file.txt") << "inside";
    std::ofstream(root_ / "sub" / "inner.txt") << "inner";
    fs::create_symlink("file.txt", root_ / "in_link");
    fs::create_symlink("sub", root_ / "dir_link");
    fs::create_symlink(base_ / "outside.txt", root_ / "abs_link");
    fs::create_symlink("../outside.txt", root_ / "up_link");
    fs::create_symlink("..", root_ / "up_dir");
    fs::create_symlink("loop_b", root_ / "loop_a");
    fs::create_symlink("loop_a", root_ / "loop_b");
    fs::create_symlink("../../outside.txt", root_ / "deep" / "esc");
    dir_ = UniqueFd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir_.valid());
  }
  void TearDown() override { fs::remove_all(base_); }

  Errno open_error(std::string_view path, int flags = O_RDONLY, bool follow = true) {
    return GetParam()(dir_.get(), path, flags, 0644, follow).error;
  }
  std::string read_all(std::string_view path) {
    Opened o = GetParam()(dir_.get(), path, O_RDONLY, 0, true);
    if (o.error != Errno::Success) return "<error " + std::to_string(code(o.error)) + ">";
    char buf[64];
    ssize_t n = ::read(o.fd.get(), buf, sizeof buf);
    return n < 0 ? "<read error>" : std::string(buf, static_cast<size_t>(n));
  }

  fs::path base_;
  fs::path root_;
  UniqueFd dir_;
};

TEST_P(PathTest, OpensInside) {
  EXPECT_EQ(read_all("file.txt"), "inside");
  EXPECT_EQ(read_all("sub/inner.txt"), "inner");
  EXPECT_EQ(read_all("./sub/../file.txt"), "inside");
  EXPECT_EQ(read_all("sub//inner.txt"), "inner");
  EXPECT_EQ(read_all("in_link"), "inside");
  EXPECT_EQ(read_all("dir_link/inner.txt"), "inner");
  EXPECT_EQ(read_all("dir_link/../file.txt"), "inside");
}

TEST_P(PathTest, RefusesEscapes) {
  EXPECT_EQ(open_error(".."), Errno::Notcapable);
  EXPECT_EQ(open_error("../outside.txt"), Errno::Notcapable);
  EXPECT_EQ(open_error("sub/../../outside.txt"), Errno::Notcapable);
  EXPECT_EQ(open_error("/etc/passwd"), Errno::Notcapable);
  EXPECT_EQ(open_error("abs_link"), Errno::Notcapable);
  EXPECT_EQ(open_error("up_link"), Errno::Notcapable);
  EXPECT_EQ(open_error("up_dir/outside.txt"), Errno::Notcapable);
  EXPECT_EQ(open_error("deep/esc"), Errno::Notcapable);
  EXPECT_EQ(open_error("up_link", O_WRONLY | O_CREAT | O_TRUNC), Errno::Notcapable);
  std::ifstream outside(base_ / "outside.txt");
  std::string content;
  outside >> content;
  EXPECT_EQ(content, "secret");  // the O_TRUNC attempt changed nothing
}

TEST_P(PathTest, SymlinkLoopsAndNoFollow) {
  EXPECT_EQ(open_error("loop_a"), Errno::Loop);
  EXPECT_EQ(open_error("loop_a/x"), Errno::Loop);
  // Not following the last component: an error for a plain open...
  EXPECT_EQ(open_error("in_link", O_RDONLY, false), Errno::Loop);
  // ...and the link itself with O_PATH, even when it points outside.
  Opened link = GetParam()(dir_.get(), "abs_link", O_PATH, 0, false);
  ASSERT_EQ(link.error, Errno::Success);
  struct stat st {};
  ASSERT_EQ(fstat(link.fd.get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_P(PathTest, ErrorsOfOrdinaryPaths) {
  EXPECT_EQ(open_error("missing"), Errno::Noent);
  EXPECT_EQ(open_error("file.txt/x"), Errno::Notdir);
  EXPECT_EQ(open_error("file.txt", O_RDONLY | O_DIRECTORY), Errno::Notdir);
  EXPECT_EQ(open_error(std::string(5000, 'a')), Errno::Nametoolong);
  EXPECT_EQ(open_error(std::string_view("file.txt\0x", 10)), Errno::Inval);
}

TEST_P(PathTest, PathHandlesGiveTheSameAnswers) {
  // O_PATH (path_open with no data rights), with and without O_DIRECTORY: the errors of a
  // plain open, never openat2's INVAL for flags it does not take with O_PATH.
  EXPECT_EQ(open_error("missing", O_PATH), Errno::Noent);
  EXPECT_EQ(open_error("missing", O_PATH | O_DIRECTORY), Errno::Noent);
  EXPECT_EQ(open_error("loop_a", O_PATH), Errno::Loop);
  EXPECT_EQ(open_error("up_link", O_PATH), Errno::Notcapable);
  EXPECT_EQ(open_error("../outside.txt", O_PATH), Errno::Notcapable);
  EXPECT_EQ(open_error("file.txt", O_PATH | O_DIRECTORY), Errno::Notdir);
  EXPECT_EQ(open_error("file.txt/", O_PATH), Errno::Notdir);
  EXPECT_EQ(open_error("sub/", O_PATH), Errno::Success);
  EXPECT_EQ(open_error("dir_link", O_PATH | O_DIRECTORY), Errno::Success);
  // Not following: a symlink as a directory is NOTDIR (the link itself is not one).
  EXPECT_EQ(open_error("dir_link", O_PATH | O_DIRECTORY, false), Errno::Notdir);
  EXPECT_EQ(open_error("dir_link", O_RDONLY | O_DIRECTORY, false), Errno::Notdir);
}

TEST_P(PathTest, CreatesInside) {
  EXPECT_EQ(open_error("sub/new.txt", O_WRONLY | O_CREAT | O_EXCL), Errno::Success);
  EXPECT_TRUE(fs::exists(root_ / "sub" / "new.txt"));
  EXPECT_EQ(open_error("sub/new.txt", O_WRONLY | O_CREAT | O_EXCL), Errno::Exist);
}

INSTANTIATE_TEST_SUITE_P(Openat2AndWalk, PathTest,
                         ::testing::Values(&open_beneath, &open_beneath_walk));

class ParentTest : public PathTest {};

TEST_P(ParentTest, SplitsAtTheLastComponent) {
  ParentAndLeaf p = resolve_parent(dir_.get(), "sub/inner.txt");
  ASSERT_EQ(p.error, Errno::Success);
  EXPECT_EQ(p.leaf, "inner.txt");
  struct stat st {};
  EXPECT_EQ(fstatat(p.dir.get(), p.leaf.c_str(), &st, 0), 0);

  p = resolve_parent(dir_.get(), "file.txt");
  ASSERT_EQ(p.error, Errno::Success);
  EXPECT_EQ(p.leaf, "file.txt");

  p = resolve_parent(dir_.get(), "sub/");  // trailing slash kept: "must be a directory"
  ASSERT_EQ(p.error, Errno::Success);
  EXPECT_EQ(p.leaf, "sub/");

  // A leaf symlink is not followed: the link itself is named, even one pointing outside.
  p = resolve_parent(dir_.get(), "abs_link");
  ASSERT_EQ(p.error, Errno::Success);
  EXPECT_EQ(p.leaf, "abs_link");
}

TEST_P(ParentTest, NeverHandsOutDotDot) {
  ParentAndLeaf p = resolve_parent(dir_.get(), "sub/..");
  ASSERT_EQ(p.error, Errno::Success);
  EXPECT_EQ(p.leaf, ".");
  EXPECT_EQ(resolve_parent(dir_.get(), "..").error, Errno::Notcapable);
  EXPECT_EQ(resolve_parent(dir_.get(), "sub/../..").error, Errno::Notcapable);
  EXPECT_EQ(resolve_parent(dir_.get(), "../x").error, Errno::Notcapable);
  EXPECT_EQ(resolve_parent(dir_.get(), "/tmp/x").error, Errno::Notcapable);
  EXPECT_EQ(resolve_parent(dir_.get(), "up_dir/x").error, Errno::Notcapable);
  EXPECT_EQ(resolve_parent(dir_.get(), "").error, Errno::Noent);
}

INSTANTIATE_TEST_SUITE_P(Openat2, ParentTest, ::testing::Values(&open_beneath));

}  // namespace
}  // namespace lunatic::host::wasi
