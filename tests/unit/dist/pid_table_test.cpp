// The mapping between lunatic process ids and Erlang pids (dist/pid_table.hpp) and the pid
// encoding, against what Erlang writes.
#include "dist/pid_table.hpp"

#include <gtest/gtest.h>

#include "runtime/router.hpp"

namespace lunatic::dist {
namespace {

TEST(PidTable, LocalIdsAreSpelledIntoThePid) {
  PidTable table("a@127.0.0.1", 1733355000);
  const runtime::ProcessId id = (uint64_t{3} << 32) | 17;
  const ErlangPid pid = table.local_pid(id);
  EXPECT_EQ(pid, (ErlangPid{"a@127.0.0.1", 17, 3, 1733355000}));
  EXPECT_EQ(table.id_of(pid), id);
  EXPECT_EQ(table.size(), 0u);  // local pids take no entry
}

TEST(PidTable, PidsOfAnEarlierRunOrIdZeroHaveNoId) {
  PidTable table("a@127.0.0.1", 7);
  EXPECT_FALSE(table.id_of(ErlangPid{"a@127.0.0.1", 17, 0, 6}));
  EXPECT_FALSE(table.id_of(ErlangPid{"a@127.0.0.1", 0, 0, 7}));
  // Bit 63 of a local id would be a remote id: never a local process.
  EXPECT_FALSE(table.id_of(ErlangPid{"a@127.0.0.1", 0, 0x80000000u, 7}));
}

TEST(PidTable, RemotePidsGetStableRemoteIds) {
  PidTable table("a@127.0.0.1", 7);
  const ErlangPid t1{"t@127.0.0.1", 87, 0, 42};
  const ErlangPid t2{"t@127.0.0.1", 88, 0, 42};
  std::optional<runtime::ProcessId> a = table.id_of(t1);
  std::optional<runtime::ProcessId> b = table.id_of(t2);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(runtime::is_remote(*a));
  EXPECT_NE(*a, *b);
  EXPECT_EQ(table.id_of(t1), a);  // the same pid, the same id
  EXPECT_EQ(table.remote_pid(*a), t1);
  EXPECT_EQ(table.remote_pid(*b), t2);
  EXPECT_FALSE(table.remote_pid(runtime::kRemoteBit | 99));  // never given
  EXPECT_FALSE(table.remote_pid(5));                         // a local id
  EXPECT_EQ(table.size(), 2u);
}

TEST(PidTable, AFullTableRefusesNewPids) {
  PidTable table("a@127.0.0.1", 7, 2);
  EXPECT_TRUE(table.id_of(ErlangPid{"t@h", 1, 0, 1}));
  EXPECT_TRUE(table.id_of(ErlangPid{"t@h", 2, 0, 1}));
  EXPECT_FALSE(table.id_of(ErlangPid{"t@h", 3, 0, 1}));
  EXPECT_TRUE(table.id_of(ErlangPid{"t@h", 1, 0, 1}));  // known ones still resolve
}

TEST(PidEncoding, MatchesErlangAndRoundTrips) {
  // What Erlang/OTP 25 reads as <8791.4294967295.4294967295> (a NEW_PID_EXT, node as a
  // SMALL_ATOM_UTF8_EXT).
  const std::vector<uint8_t> erlang = {131, 88,  119, 11,  'a', '@', '1', '2', '7',
                                       '.', '0', '.', '0', '.', '1', 255, 255, 255,
                                       255, 255, 255, 255, 255, 0,   0,   0,   7};
  const ErlangPid pid{"a@127.0.0.1", 0xFFFFFFFF, 0xFFFFFFFF, 7};
  EXPECT_EQ(encode_pid(pid), erlang);
  EXPECT_EQ(decode_pid(erlang), pid);
  std::vector<uint8_t> longer = erlang;
  longer.push_back(0);
  EXPECT_FALSE(decode_pid(longer));
  EXPECT_FALSE(decode_pid(std::span(erlang).first(erlang.size() - 1)));
}

}  // namespace
}  // namespace lunatic::dist
