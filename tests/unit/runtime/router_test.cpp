// The routing seam (runtime/router.hpp): Runtime::send hands messages for remote ids (bit 63)
// to the installed Router, and only those.
#include "runtime/router.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "runtime/runtime.hpp"

namespace lunatic::runtime::test {
namespace {

class RecordingRouter final : public Router {
 public:
  bool accept = true;
  std::mutex mutex;
  std::vector<std::pair<ProcessId, std::vector<uint8_t>>> sent;

  bool send_remote(ProcessId to, std::unique_ptr<Message> message) override {
    std::lock_guard lock(mutex);
    sent.emplace_back(to, message->data);
    return accept;
  }
};

std::unique_ptr<Message> message_of(uint8_t byte) {
  auto message = std::make_unique<Message>();
  message->data = {byte};
  return message;
}

TEST(Router, RemoteIdsGoToTheInstalledRouterOnly) {
  Runtime rt({.workers = 1});
  const ProcessId remote = kRemoteBit | 5;
  EXPECT_TRUE(is_remote(remote));
  EXPECT_FALSE(is_remote(5));
  EXPECT_FALSE(rt.send(remote, message_of(1)));  // no router: no such process

  auto router = std::make_shared<RecordingRouter>();
  rt.set_router(router);
  EXPECT_EQ(rt.router(), router);
  EXPECT_TRUE(rt.send(remote, message_of(2)));
  EXPECT_FALSE(rt.send(5, message_of(3)));  // a local id that is not alive: not routed
  router->accept = false;
  EXPECT_FALSE(rt.send(remote, message_of(4)));  // the router refused it
  ASSERT_EQ(router->sent.size(), 2u);
  EXPECT_EQ(router->sent[0], (std::pair<ProcessId, std::vector<uint8_t>>{remote, {2}}));
  EXPECT_EQ(router->sent[1].second, std::vector<uint8_t>{4});

  rt.set_router(nullptr);
  EXPECT_FALSE(rt.send(remote, message_of(5)));
  EXPECT_EQ(router->sent.size(), 2u);
}

}  // namespace
}  // namespace lunatic::runtime::test
