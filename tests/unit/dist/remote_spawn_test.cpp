// Remote spawn's pieces (dist/remote_spawn.hpp, control.hpp): the module hash, the bounded
// module cache, and SPAWN_REQUEST / SPAWN_REPLY read back from the frames this node writes.
#include "dist/remote_spawn.hpp"

#include <gtest/gtest.h>

#include "dist/control.hpp"

namespace lunatic::dist {
namespace {

std::vector<uint8_t> without_length(const std::vector<uint8_t>& framed) {
  return {framed.begin() + 4, framed.end()};
}

TEST(RemoteSpawn, Sha256OfTheStandardExample) {
  const std::string abc = "abc";  // FIPS 180-2, appendix B.1
  const ModuleHash hash = sha256({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()});
  const ModuleHash want = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                           0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                           0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(hash, want);
}

TEST(RemoteSpawn, TheModuleCacheKeepsAtMostItsBytes) {
  ModuleCache cache(100);
  auto module = std::make_shared<const engine::CompiledModule>();
  ModuleHash a{}, b{}, c{};
  a[0] = 1, b[0] = 2, c[0] = 3;
  cache.add(a, module, 60);
  cache.add(b, module, 30);
  EXPECT_EQ(cache.size(), 2u);
  cache.add(c, module, 50);  // a, the oldest, goes
  EXPECT_FALSE(cache.find(a));
  EXPECT_TRUE(cache.find(b));
  EXPECT_TRUE(cache.find(c));
  cache.add(a, module, 101);  // larger than the whole cache: not kept
  EXPECT_FALSE(cache.find(a));
}

TEST(RemoteSpawn, RequestAndReplyReadBack) {
  const ErlangPid from{"a@127.0.0.1", 3, 0, 1};
  const ErlangRef id{"a@127.0.0.1", 1, {7, 0, 1}};
  EtfWriter mfa;
  mfa.tuple(3).atom(kSpawnModuleAtom).atom("worker").integer(0);
  EtfWriter options;
  options.nil();
  EtfWriter args;
  args.version().nil();
  std::string why;
  const std::vector<uint8_t> request =
      without_length(spawn_request_frame(id, from, mfa.bytes(), options.bytes(), args.bytes()));
  std::optional<Control> c = parse_control(request, why);
  ASSERT_TRUE(c) << why;
  EXPECT_EQ(c->signal, Signal::SpawnRequest);
  EXPECT_EQ(*c->from, from);
  EXPECT_EQ(std::vector<uint8_t>(c->mfa.begin(), c->mfa.end()), mfa.bytes());
  EXPECT_EQ(std::vector<uint8_t>(c->payload.begin(), c->payload.end()), args.bytes());

  EtfWriter pid;
  pid.pid(from);
  const std::vector<uint8_t> reply = without_length(spawn_reply_frame(c->ref, from, pid.bytes()));
  std::optional<Control> r = parse_control(reply, why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->signal, Signal::SpawnReply);
  ErlangRef back;
  ASSERT_TRUE(EtfReader(r->ref).reference(back));
  EXPECT_EQ(back.ids, id.ids);
  ErlangPid result;
  EXPECT_TRUE(EtfReader(r->reason).pid(result));

  // A request without its argument list is malformed.
  std::vector<uint8_t> truncated(request.begin(),
                                 request.end() - static_cast<ptrdiff_t>(args.bytes().size()));
  EXPECT_FALSE(parse_control(truncated, why));
}

}  // namespace
}  // namespace lunatic::dist
