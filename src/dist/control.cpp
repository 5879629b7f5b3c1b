// Control messages (control.hpp): the operations' numbers and fields are those of Erlang/OTP's
// "Distribution Protocol" (protocol between connected nodes); trace tokens are skipped.
#include "dist/control.hpp"

namespace lunatic::dist {
namespace {

constexpr uint8_t kPassThrough = 112;

enum Op : int64_t {
  kLink = 1,
  kSend = 2,
  kExit = 3,
  kUnlink = 4,
  kRegSend = 6,
  kExit2 = 8,
  kSendTT = 12,
  kExitTT = 13,
  kRegSendTT = 16,
  kExit2TT = 18,
  kMonitorP = 19,
  kDemonitorP = 20,
  kMonitorPExit = 21,
  kSendSender = 22,
  kSendSenderTT = 23,
  kPayloadExit = 24,
  kPayloadExitTT = 25,
  kPayloadExit2 = 26,
  kPayloadExit2TT = 27,
  kPayloadMonitorPExit = 28,
  kSpawnRequest = 29,
  kSpawnRequestTT = 30,
  kSpawnReply = 31,
  kSpawnReplyTT = 32,
  kUnlinkId = 35,
  kUnlinkIdAck = 36,
  kLastKnownOp = 40,
};

/// A pid, or (for monitors of a registered name) an atom; `raw` gets the field as sent.
bool pid_or_name(EtfReader& r, Control& c, std::span<const uint8_t>& raw, bool to_side) {
  uint8_t tag = 0;
  if (!r.peek(tag)) return false;
  EtfReader copy = r;
  if (!r.raw(raw)) return false;
  ErlangPid pid;
  if (copy.pid(pid)) {
    (to_side ? c.to : c.from) = pid;
    return true;
  }
  return to_side && EtfReader(raw).atom(c.to_name);
}

/// Reads the control tuple's fields after the operation; false if they are not its fields.
bool read_fields(EtfReader& r, uint32_t arity, Control& c) {
  ErlangPid from;
  ErlangPid to;
  auto pids = [&] {
    if (!r.pid(from) || !r.pid(to)) return false;
    c.from = from;
    c.to = to;
    return true;
  };
  switch (c.op) {
    case kSend:
      c.signal = Signal::Send;
      return arity == 3 && r.skip() && r.pid(to) && (c.to = to, true);
    case kSendTT:
      c.signal = Signal::Send;
      return arity == 4 && r.skip() && r.pid(to) && r.skip() && (c.to = to, true);
    case kSendSender: c.signal = Signal::Send; return arity == 3 && pids();
    case kSendSenderTT: c.signal = Signal::Send; return arity == 4 && pids() && r.skip();
    case kRegSend:
      c.signal = Signal::Send;
      return arity == 4 && r.pid(from) && r.skip() && r.atom(c.to_name) && (c.from = from, true);
    case kRegSendTT:
      c.signal = Signal::Send;
      return arity == 5 && r.pid(from) && r.skip() && r.atom(c.to_name) && r.skip() &&
             (c.from = from, true);
    case kLink: c.signal = Signal::Link; return arity == 3 && pids();
    case kUnlink: c.signal = Signal::Unlink; return arity == 3 && pids();
    case kUnlinkId:
    case kUnlinkIdAck:
      c.signal = c.op == kUnlinkId ? Signal::Unlink : Signal::UnlinkAck;
      // The id is any integer the peer chose (a bignum too): kept as sent, for the ack.
      return arity == 4 && r.raw(c.unlink_id) && pids();
    case kExit: c.signal = Signal::Exit; return arity == 4 && pids() && r.raw(c.reason);
    case kExitTT:
      c.signal = Signal::Exit;
      return arity == 5 && pids() && r.skip() && r.raw(c.reason);
    case kExit2: c.signal = Signal::Exit2; return arity == 4 && pids() && r.raw(c.reason);
    case kExit2TT:
      c.signal = Signal::Exit2;
      return arity == 5 && pids() && r.skip() && r.raw(c.reason);
    case kPayloadExit: c.signal = Signal::Exit; return arity == 3 && pids();
    case kPayloadExitTT: c.signal = Signal::Exit; return arity == 4 && pids() && r.skip();
    case kPayloadExit2: c.signal = Signal::Exit2; return arity == 3 && pids();
    case kPayloadExit2TT: c.signal = Signal::Exit2; return arity == 4 && pids() && r.skip();
    case kMonitorP:
    case kDemonitorP:
      c.signal = c.op == kMonitorP ? Signal::Monitor : Signal::Demonitor;
      if (arity != 4 || !r.pid(from)) return false;
      c.from = from;
      return pid_or_name(r, c, c.to_proc, true) && r.raw(c.ref);
    case kMonitorPExit:
    case kPayloadMonitorPExit: {
      c.signal = Signal::MonitorExit;
      const uint32_t want = c.op == kMonitorPExit ? 5 : 4;
      if (arity != want || !r.raw(c.from_proc) || !r.pid(to) || !r.raw(c.ref)) return false;
      c.to = to;
      return c.op == kPayloadMonitorPExit || r.raw(c.reason);
    }
    case kSpawnRequest:
    case kSpawnRequestTT:
      c.signal = Signal::SpawnRequest;
      if (arity != (c.op == kSpawnRequest ? 6u : 7u) || !r.raw(c.ref) || !r.pid(from) ||
          !r.skip() || !r.raw(c.mfa) || !r.raw(c.options)) {
        return false;
      }
      c.from = from;
      return c.op == kSpawnRequest || r.skip();
    case kSpawnReply:
    case kSpawnReplyTT:
      c.signal = Signal::SpawnReply;
      if (arity != (c.op == kSpawnReply ? 5u : 6u) || !r.raw(c.ref) || !r.pid(to) ||
          !r.integer(c.spawn_flags) || !r.raw(c.reason)) {
        return false;
      }
      c.to = to;
      return c.op == kSpawnReply || r.skip();
    default:
      // Alias sends, ...: Erlang's, read as a whole and dropped.
      c.signal = Signal::Ignored;
      for (uint32_t i = 1; i < arity; ++i) {
        if (!r.skip()) return false;
      }
      return true;
  }
}

bool is_payload_exit(int64_t op) { return op >= kPayloadExit && op <= kPayloadMonitorPExit; }

// The frame of `control`, then `after` and `tail` as they are.
std::vector<uint8_t> framed(EtfWriter& control, std::span<const uint8_t> after = {},
                            std::span<const uint8_t> tail = {}) {
  const std::vector<uint8_t>& body = control.bytes();
  const size_t length = 1 + body.size() + after.size() + tail.size();
  std::vector<uint8_t> frame;
  frame.reserve(4 + length);
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<uint8_t>(length >> shift));
  }
  frame.push_back(kPassThrough);
  frame.insert(frame.end(), body.begin(), body.end());
  frame.insert(frame.end(), after.begin(), after.end());
  frame.insert(frame.end(), tail.begin(), tail.end());
  return frame;
}

}  // namespace

std::optional<Control> parse_control(std::span<const uint8_t> frame, std::string& why) {
  if (frame.empty() || frame[0] != kPassThrough) {
    return why = "frame without the pass-through byte", std::nullopt;
  }
  EtfReader r(frame.subspan(1));
  Control c;
  uint32_t arity = 0;
  if (!r.version() || !r.tuple_header(arity) || arity < 1 || !r.integer(c.op)) {
    return why = "malformed control message", std::nullopt;
  }
  if (c.op < kLink || c.op > kLastKnownOp) {
    return why = "unknown control message " + std::to_string(c.op), std::nullopt;
  }
  if (!read_fields(r, arity, c)) return why = "malformed control message", std::nullopt;
  std::span<const uint8_t> rest = frame.subspan(1 + r.position());
  const bool carries_term = c.signal == Signal::Send || c.signal == Signal::SpawnRequest ||
                            is_payload_exit(c.op) || (c.signal == Signal::Ignored && !rest.empty());
  if (!carries_term) {
    if (!rest.empty()) return why = "bytes after a control message", std::nullopt;
    return c;
  }
  if (!is_one_term(rest)) return why = "malformed message term", std::nullopt;
  if (c.signal == Signal::Send || c.signal == Signal::SpawnRequest) c.payload = rest;
  if (is_payload_exit(c.op)) c.reason = rest.subspan(1);
  return c;
}

ExitReason read_reason(std::span<const uint8_t> term) {
  ExitReason reason;
  EtfReader r(term);
  std::string name;
  if (EtfReader(term).atom(name)) {
    reason.normal = name == "normal";
    reason.killed = name == "kill" || name == "killed";
    reason.text = name;
    return reason;
  }
  // A binary of printable text (what a lunatic node sends for a trap) reads as that text.
  constexpr uint8_t kBinaryTag = 109;
  if (term.size() >= 5 && term[0] == kBinaryTag) {
    const size_t n = size_t{term[1]} << 24 | size_t{term[2]} << 16 | size_t{term[3]} << 8 | term[4];
    bool printable = n == term.size() - 5;
    for (size_t i = 5; printable && i < term.size(); ++i) printable = term[i] >= 0x20;
    if (printable) {
      reason.text.assign(term.begin() + 5, term.end());
      return reason;
    }
  }
  uint8_t tag = 0;
  r.peek(tag);
  reason.text = "an Erlang term (external tag " + std::to_string(tag) + ")";
  return reason;
}

std::vector<uint8_t> reason_term(std::string_view text) {
  EtfWriter w;
  if (text == "normal" || text == "killed" || text == "noproc" || text == "noconnection") {
    w.atom(text);
  } else {
    w.binary({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }
  return std::move(w.bytes());
}

std::vector<uint8_t> send_frame(const ErlangPid& to, std::span<const uint8_t> term) {
  EtfWriter w;
  w.version().tuple(3).integer(kSend).atom("").pid(to);
  return framed(w, term);
}

std::vector<uint8_t> send_tagged_frame(const ErlangPid& to, int64_t tag,
                                       std::span<const uint8_t> data) {
  EtfWriter w;
  w.version().tuple(3).integer(kSend).atom("").pid(to);
  // The binary's header here, its bytes appended by framed(): the data is copied once.
  EtfWriter head;
  head.version()
      .tuple(3)
      .atom(kTaggedMessageAtom)
      .integer(tag)
      .binary_header(static_cast<uint32_t>(data.size()));
  return framed(w, head.bytes(), data);
}

std::optional<TaggedData> read_tagged(std::span<const uint8_t> term) {
  EtfReader r(term);
  uint32_t arity = 0;
  if (!r.version() || !r.tuple_header(arity) || arity != 3) return std::nullopt;
  std::string atom;
  TaggedData tagged;
  if (!r.atom(atom) || atom != kTaggedMessageAtom || !r.integer(tagged.tag) ||
      !r.binary(tagged.data) || !r.at_end()) {
    return std::nullopt;
  }
  return tagged;
}

std::vector<uint8_t> link_frame(const ErlangPid& from, const ErlangPid& to) {
  EtfWriter w;
  w.version().tuple(3).integer(kLink).pid(from).pid(to);
  return framed(w);
}

std::vector<uint8_t> unlink_id_frame(bool ack, std::span<const uint8_t> id, const ErlangPid& from,
                                     const ErlangPid& to) {
  EtfWriter w;
  w.version().tuple(4).integer(ack ? kUnlinkIdAck : kUnlinkId).raw(id).pid(from).pid(to);
  return framed(w);
}

std::vector<uint8_t> exit_frame(const ErlangPid& from, const ErlangPid& to,
                                std::span<const uint8_t> reason) {
  EtfWriter w;
  w.version().tuple(4).integer(kExit).pid(from).pid(to).raw(reason);
  return framed(w);
}

std::vector<uint8_t> exit2_frame(const ErlangPid& from, const ErlangPid& to,
                                 std::span<const uint8_t> reason) {
  EtfWriter w;
  w.version().tuple(4).integer(kExit2).pid(from).pid(to).raw(reason);
  return framed(w);
}

std::vector<uint8_t> monitor_frame(bool demonitor, const ErlangPid& from, const ErlangPid& to,
                                   const ErlangRef& ref) {
  EtfWriter w;
  w.version().tuple(4).integer(demonitor ? kDemonitorP : kMonitorP).pid(from).pid(to);
  w.reference(ref);
  return framed(w);
}

std::vector<uint8_t> monitor_exit_frame(std::span<const uint8_t> from_proc, const ErlangPid& to,
                                        std::span<const uint8_t> ref,
                                        std::span<const uint8_t> reason) {
  EtfWriter w;
  w.version().tuple(5).integer(kMonitorPExit).raw(from_proc).pid(to).raw(ref).raw(reason);
  return framed(w);
}

std::vector<uint8_t> spawn_request_frame(const ErlangRef& id, const ErlangPid& from,
                                         std::span<const uint8_t> mfa,
                                         std::span<const uint8_t> options,
                                         std::span<const uint8_t> args) {
  EtfWriter w;
  w.version().tuple(6).integer(kSpawnRequest).reference(id).pid(from).pid(from);
  w.raw(mfa).raw(options);
  return framed(w, args);
}

std::vector<uint8_t> spawn_reply_frame(std::span<const uint8_t> id, const ErlangPid& to,
                                       std::span<const uint8_t> result, int64_t flags) {
  EtfWriter w;
  w.version().tuple(5).integer(kSpawnReply).raw(id).pid(to).integer(flags).raw(result);
  return framed(w);
}

}  // namespace lunatic::dist
