// Remote spawn's pieces (dist/remote_spawn.hpp, control.hpp): the module hash, the bounded
// module cache, and SPAWN_REQUEST / SPAWN_REPLY read back from the frames this node writes.
#include "dist/remote_spawn.hpp"

#include <gtest/gtest.h>

#include "dist/control.hpp"
#include "dist/etf.hpp"

#include <lunatic/term.hpp>

namespace lunatic::dist {
namespace {

std::vector<uint8_t> without_length(const std::vector<uint8_t>& framed) {
  return {framed.begin() + 4, framed.end()};
}

TEST(RemoteSpawn, Sha256OfTheStandardExample) {
  const std::string abc = "abc";  // FIPS 180-2, appendix B.1
  const std::optional<ModuleHash> hash =
      sha256({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()});
  const ModuleHash want = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                           0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                           0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(hash, want);
  EXPECT_TRUE(load_crypto().ok());
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

/// A module exporting "mixed" (i32 i64 f64 f32) -> (), "vector" (v128) -> () and a memory.
wasm::Module home() {
  wasm::Module m;
  m.types = {{{wasm::ValType::I32, wasm::ValType::I64, wasm::ValType::F64, wasm::ValType::F32}, {}},
             {{wasm::ValType::V128}, {}}};
  m.functions.resize(2);
  m.functions[1].type_index = 1;
  m.exports = {{"mixed", wasm::ExternKind::Func, 0},
               {"vector", wasm::ExternKind::Func, 1},
               {"mem", wasm::ExternKind::Memory, 0}};
  return m;
}

TEST(RemoteSpawn, ErlangArgumentsAreReadByTheExportsTypes) {
  const wasm::Module m = home();
  // [4294967295, -5000000000, 2.5, 3]: an i32 given as unsigned, a bignum i64, a float, and
  // an integer for an f32.
  const std::vector<uint8_t> args =
      lunatic::encode(Term::list({Term::integer(4'294'967'295), Term::integer(-5'000'000'000),
                                  Term::floating(2.5), Term::integer(3)}));
  std::optional<std::vector<engine::Value>> v = erlang_arguments(m, "mixed", 4, args);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), 4u);
  EXPECT_EQ((*v)[0].to_string(), engine::Value::i32(-1).to_string());
  EXPECT_EQ((*v)[1].to_string(), engine::Value::i64(-5'000'000'000).to_string());
  EXPECT_EQ((*v)[2].to_string(), engine::Value::f64(2.5).to_string());
  EXPECT_EQ((*v)[3].to_string(), engine::Value::f32(3.0f).to_string());
  // Erlang's STRING_EXT for [1, 2, 3, 4] (integers 0..255), read as the same four.
  const std::vector<uint8_t> small = {131, 107, 0, 4, 1, 2, 3, 4};
  v = erlang_arguments(m, "mixed", 4, small);
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)[1].to_string(), engine::Value::i64(2).to_string());
  EXPECT_EQ((*v)[3].to_string(), engine::Value::f32(4.0f).to_string());
}

TEST(RemoteSpawn, ErlangArgumentsThatDoNotFitAreRefused) {
  const wasm::Module m = home();
  auto list = [](std::vector<Term> items) { return lunatic::encode(Term::list(std::move(items))); };
  const std::vector<uint8_t> good =
      list({Term::integer(1), Term::integer(2), Term::floating(1), Term::floating(1)});
  EXPECT_TRUE(erlang_arguments(m, "mixed", 4, good));
  EXPECT_FALSE(erlang_arguments(m, "mixed", 3, good));    // the request's arity differs
  EXPECT_FALSE(erlang_arguments(m, "missing", 4, good));  // no such export
  EXPECT_FALSE(erlang_arguments(m, "mem", 4, good));      // not a function
  EXPECT_FALSE(erlang_arguments(m, "vector", 1, list({Term::integer(1)})));  // v128
  EXPECT_FALSE(erlang_arguments(m, "mixed", 4,
                                list({Term::integer(4'294'967'296), Term::integer(2),
                                      Term::floating(1), Term::floating(1)})));
  EXPECT_FALSE(erlang_arguments(
      m, "mixed", 4,
      list({Term::atom("x"), Term::integer(2), Term::floating(1), Term::floating(1)})));
  EXPECT_FALSE(erlang_arguments(  // a float for an i64
      m, "mixed", 4,
      list({Term::integer(1), Term::floating(2), Term::floating(1), Term::floating(1)})));
  EXPECT_FALSE(erlang_arguments(m, "mixed", 4, list({Term::integer(1)})));  // too few
  std::vector<uint8_t> cut = good;
  cut.pop_back();
  EXPECT_FALSE(erlang_arguments(m, "mixed", 4, cut));
  std::vector<uint8_t> longer = good;
  longer.push_back(106);
  EXPECT_FALSE(erlang_arguments(m, "mixed", 4, longer));
  // An improper list [1, 2, 1.0, 1.0 | 7].
  std::vector<uint8_t> improper = good;
  improper.back() = 97;
  improper.push_back(7);
  EXPECT_FALSE(erlang_arguments(m, "mixed", 4, improper));
}

TEST(RemoteSpawn, EtfIntegersAsBignumsWithinInt64) {
  auto read = [](std::vector<uint8_t> bytes) -> std::optional<int64_t> {
    EtfReader r(bytes);
    int64_t v = 0;
    if (!r.integer(v)) return std::nullopt;
    return v;
  };
  // SMALL_BIG_EXT: n, sign, n little-endian bytes.
  EXPECT_EQ(read({110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80}), INT64_MIN);
  EXPECT_EQ(read({110, 8, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}), INT64_MAX);
  EXPECT_FALSE(read({110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}));     // 2^63
  EXPECT_FALSE(read({110, 9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}));  // past 8 bytes
  EXPECT_FALSE(read({110, 4, 0, 1, 2}));                          // cut short
}

}  // namespace
}  // namespace lunatic::dist
