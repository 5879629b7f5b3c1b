// The WASI contexts of a runtime's processes: guest fds 0-2 report the file types of host fds
// 0-2 as the runtime first found them (one lookup per runtime, not three fstats per process),
// while WasiContext::add_stdio, for embedders' own fds, still looks each one up.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "host/wasi/abi.hpp"
#include "host/wasi/wasi.hpp"
#include "runtime/process.hpp"
#include "support/redirect_fd.hpp"
#include "support/socket_fixture.hpp"

namespace lunatic::host::wasi {
namespace {

constexpr std::string_view kGuest = R"((module (func (export "main"))))";

using ::lunatic::testing::Redirect;

void define_nothing(binding::Linker&) {}

class StdioContextTest : public test::SocketGuestTest {
 protected:
  void SetUp() override { start(define_nothing, kGuest); }

  /// The file types guest fds 0-2 have in the WASI context of a new root process.
  std::array<uint8_t, 3> types_of_a_new_process() {
    std::array<uint8_t, 3> types{255, 255, 255};
    runtime::SpawnOptions options;
    options.module = module_;
    options.environment = env_;
    options.entry = "main";
    options.prepare = [&](runtime::Process& process) {
      WasiContext& context = process_wasi(process);
      for (uint32_t fd = 0; fd < 3; ++fd) types[fd] = context.fds().get(fd)->filetype;
    };
    auto id = runtime_->spawn_root(std::move(options));
    EXPECT_TRUE(id.ok());
    runtime_->wait_all();
    return types;
  }
};

TEST_F(StdioContextTest, ChildrenSeeTheTypesTheRuntimeFoundOnce) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  char path[] = "/tmp/lunatic-stdio-ctx-XXXXXX";
  const int file = mkstemp(path);
  ASSERT_GE(file, 0);
  unlink(path);
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  ASSERT_GE(null, 0);
  {
    // Stdin a socket, stderr a regular file (stdout stays gtest's).
    Redirect in(0, pair[0]);
    Redirect err(2, file);
    std::array<uint8_t, 3> first = types_of_a_new_process();
    EXPECT_EQ(first[0], abi::kFiletypeSocketStream);
    EXPECT_EQ(first[2], abi::kFiletypeRegularFile);
    {
      // The runtime looks each fd up once: a later process gets the types found then, though
      // host fd 2 is now /dev/null (a context made no fstat of its own).
      Redirect err_null(2, null);
      std::array<uint8_t, 3> second = types_of_a_new_process();
      EXPECT_EQ(second, first);
      // A context built by add_stdio (an embedder's own fds) looks them up itself.
      WasiContext own;
      own.add_stdio(0, 1, 2);
      EXPECT_EQ(own.fds().get(0)->filetype, abi::kFiletypeSocketStream);
      EXPECT_EQ(own.fds().get(2)->filetype, abi::kFiletypeCharacterDevice);
      EXPECT_FALSE(own.fds().get(2)->has(abi::kRightFdSeek));
    }
    EXPECT_TRUE(first[2] == abi::kFiletypeRegularFile &&
                runtime_->stdio().lookup(2).type == S_IFREG);
    runtime_.reset();  // the runtime's streams go before the fds they duplicated
  }
  ::close(pair[0]);
  ::close(pair[1]);
  ::close(file);
  ::close(null);
}

}  // namespace
}  // namespace lunatic::host::wasi
