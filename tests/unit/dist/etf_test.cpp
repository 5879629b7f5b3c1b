// The host's bounded reader of the external term format (dist/etf.hpp): every term the SDK
// writes and Erlang's own bytes are one term; cut, padded or hostile bytes are not.
#include "dist/etf.hpp"

#include <gtest/gtest.h>

#include <lunatic/term.hpp>

namespace lunatic::dist {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(Etf, AcceptsWhatTheSdkAndErlangWrite) {
  const Term term =
      Term::tuple({Term::atom("ok"), Term::integer(-5'000'000'000), Term::floating(2.5),
                   Term::list({Term::binary("x"),
                               Term::map({{Term::integer(1), Term::pid(Pid{"n@h", 1, 2, 3})}})})});
  const Bytes bytes = lunatic::encode(term);
  EXPECT_TRUE(is_one_term(bytes));
  // Every strict prefix is cut short; one more byte is two things.
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(is_one_term(std::span(bytes).first(n))) << n;
  }
  Bytes longer = bytes;
  longer.push_back(106);
  EXPECT_FALSE(is_one_term(longer));
  // Erlang's STRING_EXT of [1,2,3], and an EXPORT_EXT (fun m:f/2).
  EXPECT_TRUE(is_one_term(Bytes{131, 107, 0, 3, 1, 2, 3}));
  EXPECT_TRUE(is_one_term(Bytes{131, 113, 100, 0, 1, 'm', 100, 0, 1, 'f', 97, 2}));  // fun m:f/2
}

// Every int64_t reads back as written: SMALL_INTEGER_EXT, INTEGER_EXT, and SMALL_BIG_EXT past
// 32 bits (a lunatic message's tag, docs/distribution.md), which Erlang and the SDK read too.
TEST(Etf, IntegersOfEverySizeReadBack) {
  const int64_t values[] = {0,
                            255,
                            256,
                            -1,
                            INT32_MAX,
                            INT32_MIN,
                            int64_t{INT32_MAX} + 1,
                            int64_t{INT32_MIN} - 1,
                            0x45524C5445524D00,
                            INT64_MAX,
                            INT64_MIN,
                            -0x123456789};
  for (const int64_t v : values) {
    EtfWriter w;
    w.version().integer(v);
    EtfReader r(w.bytes());
    int64_t back = 0;
    EXPECT_TRUE(r.version() && r.integer(back) && r.at_end()) << v;
    EXPECT_EQ(back, v);
    const std::optional<Term> sdk = lunatic::decode(w.bytes().data(), w.bytes().size());
    ASSERT_TRUE(sdk.has_value()) << v;
    EXPECT_EQ(sdk->as_integer(), v);
  }
  EtfWriter big;
  big.integer(INT64_MIN);  // sign 1, magnitude 2^63: eight bytes, the last 0x80
  EXPECT_EQ(big.bytes(), (Bytes{110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80}));
}

TEST(Etf, RefusesHostileCountsAndDepth) {
  EXPECT_FALSE(is_one_term(Bytes{131, 105, 255, 255, 255, 255}));        // 4G-element tuple
  EXPECT_FALSE(is_one_term(Bytes{131, 116, 128, 0, 0, 0, 97, 1}));       // 2G-entry map
  EXPECT_FALSE(is_one_term(Bytes{131, 109, 255, 255, 255, 255, 1, 2}));  // binary past the end
  EXPECT_FALSE(is_one_term(Bytes{131, 80, 0, 0, 0, 10, 1, 2}));          // compressed: unsupported
  EXPECT_FALSE(is_one_term(Bytes{131, 82, 0}));                          // atom cache reference
  EXPECT_FALSE(is_one_term(Bytes{131, 112, 0, 0, 0, 2}));                // fun size below 4
  Bytes deep{131};
  for (uint32_t i = 0; i < kMaxTermDepth + 10; ++i) deep.insert(deep.end(), {104, 1});
  deep.push_back(106);
  EXPECT_FALSE(is_one_term(deep));
}

TEST(Etf, ReadsControlMessageFields) {
  // {6, From, '', echo}: a REG_SEND control message.
  Bytes control = {131, 104, 4, 97, 6};
  const Bytes pid = encode_pid(ErlangPid{"t@127.0.0.1", 87, 0, 42});
  control.insert(control.end(), pid.begin() + 1, pid.end());
  control.insert(control.end(), {100, 0, 0, 119, 4, 'e', 'c', 'h', 'o'});
  EtfReader reader(control);
  uint32_t arity = 0;
  int64_t op = 0;
  ErlangPid from;
  std::string name;
  ASSERT_TRUE(reader.version() && reader.tuple_header(arity) && reader.integer(op));
  EXPECT_EQ(arity, 4u);
  EXPECT_EQ(op, 6);
  ASSERT_TRUE(reader.pid(from) && reader.skip() && reader.atom(name));
  EXPECT_EQ(from, (ErlangPid{"t@127.0.0.1", 87, 0, 42}));
  EXPECT_EQ(name, "echo");
  EXPECT_TRUE(reader.at_end());
}

}  // namespace
}  // namespace lunatic::dist
