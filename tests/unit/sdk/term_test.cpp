// The SDK's term codec (sdk/include/lunatic/term.hpp) against bytes Erlang/OTP 25's
// term_to_binary/1 produced, round trips, and hostile input.
#include <gtest/gtest.h>

#include <lunatic/term.hpp>

#include <cstdint>
#include <vector>

namespace lunatic {
namespace {

using Bytes = std::vector<uint8_t>;

// term_to_binary({ok, <<"hi">>, 300, -5, 1.5, #{a => 1}, 5000000000, -5000000000, []})
const Bytes kErlangTuple = {
    131, 104, 9,   100, 0,  2,  111, 107, 109, 0,  0, 0,   2, 104, 105, 98,  0, 0,  1,   44, 98,
    255, 255, 255, 251, 70, 63, 248, 0,   0,   0,  0, 0,   0, 116, 0,   0,   0, 1,  100, 0,  1,
    97,  97,  1,   110, 5,  0,  0,   242, 5,   42, 1, 110, 5, 1,   0,   242, 5, 42, 1,   106};

Term expected_tuple() {
  return Term::tuple({Term::atom("ok"), Term::binary("hi"), Term::integer(300), Term::integer(-5),
                      Term::floating(1.5), Term::map({{Term::atom("a"), Term::integer(1)}}),
                      Term::integer(5'000'000'000), Term::integer(-5'000'000'000), Term::list({})});
}

TEST(Term, DecodesWhatErlangEncodes) {
  std::optional<Term> term = decode(kErlangTuple);
  ASSERT_TRUE(term);
  EXPECT_EQ(*term, expected_tuple());
  EXPECT_EQ(term->elements()[5].find(Term::atom("a"))->as_integer(), 1);
}

TEST(Term, StringsAndListsDecodeAsLists) {
  // term_to_binary([1,2,3]) is a STRING_EXT; [{a,1}, 300] a LIST_EXT.
  EXPECT_EQ(*decode(Bytes{131, 107, 0, 3, 1, 2, 3}),
            Term::list({Term::integer(1), Term::integer(2), Term::integer(3)}));
  const Bytes list = {131, 108, 0, 0, 0, 2, 104, 2, 100, 0, 1, 97, 97, 1, 98, 0, 0, 1, 44, 106};
  EXPECT_EQ(*decode(list),
            Term::list({Term::tuple({Term::atom("a"), Term::integer(1)}), Term::integer(300)}));
}

TEST(Term, EncodesIntegersFloatsAndBinariesAsErlangDoes) {
  EXPECT_EQ(encode(Term::integer(300)), (Bytes{131, 98, 0, 0, 1, 44}));
  EXPECT_EQ(encode(Term::integer(-5)), (Bytes{131, 98, 255, 255, 255, 251}));
  EXPECT_EQ(encode(Term::integer(7)), (Bytes{131, 97, 7}));
  EXPECT_EQ(encode(Term::integer(5'000'000'000)), (Bytes{131, 110, 5, 0, 0, 242, 5, 42, 1}));
  EXPECT_EQ(encode(Term::floating(1.5)), (Bytes{131, 70, 63, 248, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(encode(Term::binary("hi")), (Bytes{131, 109, 0, 0, 0, 2, 104, 105}));
  EXPECT_EQ(encode(Term::atom("ok")), (Bytes{131, 119, 2, 111, 107}));  // UTF-8 atom
}

TEST(Term, RoundTripsEveryKind) {
  const Term pid = Term::pid(Pid{"t@127.0.0.1", 87, 0, 1733355000});
  const Term all = Term::tuple({expected_tuple(), pid, Term::integer(INT64_MIN),
                                Term::integer(INT64_MAX), Term::atom("\xC3\xA9t\xC3\xA9"),
                                Term::list({Term::binary(""), Term::map({}), Term::tuple({})})});
  std::optional<Term> back = decode(encode(all));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, all);
}

TEST(Term, DecodesOldPidsAndLatin1Atoms) {
  // PID_EXT with an ATOM_EXT node: creation is one byte; ATOM_EXT is Latin-1 ("é" = 0xE9).
  const Bytes old = {131, 103, 100, 0, 1, 110, 0, 0, 0, 5, 0, 0, 0, 1, 3};
  EXPECT_EQ(*decode(old), Term::pid(Pid{"n", 5, 1, 3}));
  EXPECT_EQ(*decode(Bytes{131, 100, 0, 1, 0xE9}), Term::atom("\xC3\xA9"));
}

TEST(Term, RefusesMalformedAndUnsupportedInput) {
  EXPECT_FALSE(decode(Bytes{}));
  EXPECT_FALSE(decode(Bytes{130, 97, 1}));                                 // wrong version
  EXPECT_FALSE(decode(Bytes{131, 97, 1, 0}));                              // trailing bytes
  EXPECT_FALSE(decode(Bytes{131, 109, 0, 0, 0, 9, 1}));                    // binary past the end
  EXPECT_FALSE(decode(Bytes{131, 104, 3, 97, 1}));                         // tuple cut short
  EXPECT_FALSE(decode(Bytes{131, 108, 255, 255, 255, 255, 106}));          // count past the bytes
  EXPECT_FALSE(decode(Bytes{131, 108, 0, 0, 0, 1, 97, 1, 97, 2}));         // improper list
  EXPECT_FALSE(decode(Bytes{131, 110, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));  // bignum > 64 bits
  EXPECT_FALSE(decode(Bytes{131, 101, 100, 0, 1, 110, 0, 0, 0, 1, 0}));    // a reference
  // Nesting past the limit: [[[[...]]]] 1000 deep, well formed, refused without a crash.
  Bytes deep{131};
  for (int i = 0; i < 1000; ++i) deep.insert(deep.end(), {108, 0, 0, 0, 1});
  deep.push_back(106);
  for (int i = 0; i < 1000; ++i) deep.push_back(106);
  EXPECT_FALSE(decode(deep));
}

}  // namespace
}  // namespace lunatic
