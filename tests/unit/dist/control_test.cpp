// Control messages (dist/control.hpp): each signal read with its fields, the variants folded
// together, and what a hostile peer may send (wrong arity, wrong field types, trailing bytes,
// unknown operations) refused with a reason; the frames this node writes read back.
#include "dist/control.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace lunatic::dist {
namespace {

const ErlangPid kFrom{"peer@127.0.0.1", 7, 0, 3};
const ErlangPid kTo{"me@127.0.0.1", 42, 0, 9};

/// 'p', then the control tuple {Op, Fields...} with its version byte, then `after`; kept
/// until the tests end, as body()'s.
std::span<const uint8_t> frame(EtfWriter& control, std::span<const uint8_t> after = {}) {
  static std::deque<std::vector<uint8_t>> kept;
  std::vector<uint8_t>& f = kept.emplace_back(std::vector<uint8_t>{112});
  f.insert(f.end(), control.bytes().begin(), control.bytes().end());
  f.insert(f.end(), after.begin(), after.end());
  return f;
}

/// A frame this node wrote, without its 4-byte length (which must be right); kept until the
/// tests end: a parsed Control's spans point into it.
std::span<const uint8_t> body(const std::vector<uint8_t>& framed) {
  static std::deque<std::vector<uint8_t>> kept;
  EXPECT_GE(framed.size(), 5u);
  const size_t n =
      size_t{framed[0]} << 24 | size_t{framed[1]} << 16 | size_t{framed[2]} << 8 | framed[3];
  EXPECT_EQ(n, framed.size() - 4);
  return kept.emplace_back(framed.begin() + 4, framed.end());
}

std::vector<uint8_t> atom_term(std::string_view name) {
  EtfWriter w;
  w.atom(name);
  return std::move(w.bytes());
}

TEST(Control, LinksExitsAndUnlinks) {
  std::string why;
  auto link = parse_control(body(link_frame(kFrom, kTo)), why);
  ASSERT_TRUE(link) << why;
  EXPECT_EQ(link->signal, Signal::Link);
  EXPECT_EQ(*link->from, kFrom);
  EXPECT_EQ(*link->to, kTo);

  auto exit = parse_control(body(exit_frame(kFrom, kTo, atom_term("boom"))), why);
  ASSERT_TRUE(exit) << why;
  EXPECT_EQ(exit->signal, Signal::Exit);
  EXPECT_EQ(read_reason(exit->reason).text, "boom");

  EtfWriter id;
  id.integer(77);
  auto unlink = parse_control(body(unlink_id_frame(false, id.bytes(), kFrom, kTo)), why);
  ASSERT_TRUE(unlink) << why;
  EXPECT_EQ(unlink->signal, Signal::Unlink);
  EXPECT_EQ(std::vector<uint8_t>(unlink->unlink_id.begin(), unlink->unlink_id.end()), id.bytes());
  auto ack = parse_control(body(unlink_id_frame(true, id.bytes(), kFrom, kTo)), why);
  ASSERT_TRUE(ack) << why;
  EXPECT_EQ(ack->signal, Signal::UnlinkAck);

  // PAYLOAD_EXIT {24, From, To} carries its reason as the message.
  EtfWriter payload;
  payload.version().tuple(3).integer(24).pid(kFrom).pid(kTo);
  EtfWriter reason;
  reason.version().atom("normal");
  auto exit2 = parse_control(frame(payload, reason.bytes()), why);
  ASSERT_TRUE(exit2) << why;
  EXPECT_EQ(exit2->signal, Signal::Exit);
  EXPECT_TRUE(read_reason(exit2->reason).normal);
}

TEST(Control, MonitorsByPidAndByName) {
  std::string why;
  const ErlangRef ref{"peer@127.0.0.1", 3, {1, 2, 3}};
  auto monitor = parse_control(body(monitor_frame(false, kFrom, kTo, ref)), why);
  ASSERT_TRUE(monitor) << why;
  EXPECT_EQ(monitor->signal, Signal::Monitor);
  EXPECT_EQ(*monitor->to, kTo);
  ErlangRef back;
  ASSERT_TRUE(EtfReader(monitor->ref).reference(back));
  EXPECT_EQ(back.ids, ref.ids);

  EtfWriter by_name;
  by_name.version().tuple(4).integer(19).pid(kFrom).atom("echo").reference(ref);
  auto named = parse_control(frame(by_name), why);
  ASSERT_TRUE(named) << why;
  EXPECT_FALSE(named->to);
  EXPECT_EQ(named->to_name, "echo");

  // MONITOR_P_EXIT names the dead process as the monitor did (here by name).
  auto fired = parse_control(
      body(monitor_exit_frame(named->to_proc, kFrom, named->ref, atom_term("noproc"))), why);
  ASSERT_TRUE(fired) << why;
  EXPECT_EQ(fired->signal, Signal::MonitorExit);
  EXPECT_EQ(*fired->to, kFrom);
  EXPECT_EQ(read_reason(fired->reason).text, "noproc");
}

// A lunatic message that is not a bare term: {'$lunatic', Tag, <<Data>>} after SEND, read
// back as the tag and bytes sent; any other term is not one.
TEST(Control, TaggedMessagesTravelAsATupleAndReadBack) {
  std::string why;
  const std::vector<uint8_t> data = {0, 1, 2, 131, 255};  // not a term
  const int64_t tag = 0x1234567890;
  auto send = parse_control(body(send_tagged_frame(kTo, tag, data)), why);
  ASSERT_TRUE(send) << why;
  EXPECT_EQ(send->signal, Signal::Send);
  EXPECT_EQ(send->to, kTo);
  std::optional<TaggedData> tagged = read_tagged(send->payload);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->tag, tag);
  EXPECT_EQ(std::vector<uint8_t>(tagged->data.begin(), tagged->data.end()), data);
  // The empty message and a negative tag.
  auto empty = parse_control(body(send_tagged_frame(kTo, -1, {})), why);
  ASSERT_TRUE(empty) << why;
  tagged = read_tagged(empty->payload);
  ASSERT_TRUE(tagged);
  EXPECT_EQ(tagged->tag, -1);
  EXPECT_TRUE(tagged->data.empty());
  // Not ours: another atom, a list for the data, a fourth element, a float tag, trailing bytes.
  auto tuple = [](std::string_view atom, auto&& rest, uint32_t arity = 3) {
    EtfWriter w;
    w.version().tuple(arity).atom(atom);
    rest(w);
    return std::move(w.bytes());
  };
  const auto bin = [](EtfWriter& w) { w.integer(1).binary(std::vector<uint8_t>{7}); };
  EXPECT_TRUE(read_tagged(tuple("$lunatic", bin)));
  EXPECT_FALSE(read_tagged(tuple("$lunatik", bin)));
  EXPECT_FALSE(read_tagged(tuple("$lunatic", [](EtfWriter& w) { w.integer(1).nil(); })));
  EXPECT_FALSE(read_tagged(tuple(
      "$lunatic",
      [&](EtfWriter& w) {
        bin(w);
        w.nil();
      },
      4)));
  std::vector<uint8_t> trailing = tuple("$lunatic", bin);
  trailing.push_back(106);
  EXPECT_FALSE(read_tagged(trailing));
  EXPECT_FALSE(read_tagged(atom_term("$lunatic")));
}

TEST(Control, HostileControlMessagesAreRefused) {
  std::string why;
  EtfWriter wrong_arity;
  wrong_arity.version().tuple(2).integer(1).pid(kFrom);
  EXPECT_FALSE(parse_control(frame(wrong_arity), why));
  EXPECT_EQ(why, "malformed control message");

  EtfWriter not_a_pid;
  not_a_pid.version().tuple(3).integer(1).atom("x").pid(kTo);
  EXPECT_FALSE(parse_control(frame(not_a_pid), why));

  const std::span<const uint8_t> link = body(link_frame(kFrom, kTo));
  std::vector<uint8_t> trailing(link.begin(), link.end());
  trailing.push_back(0);
  EXPECT_FALSE(parse_control(trailing, why));
  EXPECT_EQ(why, "bytes after a control message");

  EtfWriter unknown;
  unknown.version().tuple(1).integer(99);
  EXPECT_FALSE(parse_control(frame(unknown), why));
  EXPECT_EQ(why, "unknown control message 99");

  EtfWriter send;
  send.version().tuple(3).integer(2).atom("").pid(kTo);
  const std::vector<uint8_t> half_term{131, 104, 3};  // a tuple of 3 that ends at once
  EXPECT_FALSE(parse_control(frame(send, half_term), why));
  EXPECT_EQ(why, "malformed message term");

  // A reference longer than Erlang's five words.
  std::vector<uint8_t> long_ref{90, 0, 6, 119, 1, 'n'};  // NEWER_REFERENCE_EXT, 6 words
  long_ref.resize(long_ref.size() + 4 + 6 * 4);
  ErlangRef ref;
  EXPECT_FALSE(EtfReader(long_ref).reference(ref));

  // Alias sends and other operations of Erlang's are read whole and ignored.
  EtfWriter spawn;
  spawn.version().tuple(3).integer(33).pid(kFrom).nil();
  auto ignored = parse_control(frame(spawn, atom_term("x")), why);
  EXPECT_FALSE(ignored);  // what follows must be a term with its version byte
  EtfWriter arg;
  arg.version().nil();
  ignored = parse_control(frame(spawn, arg.bytes()), why);
  ASSERT_TRUE(ignored) << why;
  EXPECT_EQ(ignored->signal, Signal::Ignored);
}

TEST(Control, ReasonsBothWays) {
  EXPECT_EQ(reason_term("normal"), atom_term("normal"));
  EXPECT_EQ(reason_term("noconnection"), atom_term("noconnection"));
  const std::vector<uint8_t> trap = reason_term("trap: unreachable");
  EXPECT_EQ(trap[0], 109);  // BINARY_EXT
  EXPECT_EQ(read_reason(trap).text, "trap: unreachable");
  EXPECT_TRUE(read_reason(atom_term("kill")).killed);
  EtfWriter tuple;
  tuple.tuple(2).atom("a").atom("b");
  EXPECT_EQ(read_reason(tuple.bytes()).text, "an Erlang term (external tag 104)");
}

}  // namespace
}  // namespace lunatic::dist
