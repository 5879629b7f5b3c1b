// Control messages of Erlang's distribution (the tuple after the pass-through byte): reading
// what a peer sends, checked field by field, into one Control; and writing the frames this
// node sends (messages, links, exits, monitors). Erlang/OTP, "Distribution Protocol".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dist/etf.hpp"

namespace lunatic::dist {

/// What a control message asks, its variants (trace tokens, exit payloads) folded together.
enum class Signal : uint8_t {
  Send,          ///< a message to `to` (pid) or `to_name`; `payload` is it
  Link,          ///< `from` linked itself to `to`
  Unlink,        ///< `from` removed its link with `to` (UNLINK, or UNLINK_ID with `unlink_id`)
  UnlinkAck,     ///< the answer to our UNLINK_ID: nothing to do
  Exit,          ///< `from`, linked to `to`, ended with `reason`
  Exit2,         ///< `from` called exit(`to`, `reason`)
  Monitor,       ///< `from` monitors `to` (pid) or `to_name` under `ref`
  Demonitor,     ///< `from` cancels its monitor `ref` of `to` / `to_name`
  MonitorExit,   ///< the process `from_proc` (pid or name) that `to` monitored under `ref` ended
  SpawnRequest,  ///< `from` asks for a process running `mfa` with `options`; `payload`: the
                 ///< argument list; `ref`: the request's id
  SpawnReply,    ///< the answer to our request `ref` for `to`: `reason` is a pid or an error
  Ignored,       ///< Erlang's, not supported (spawn requests, alias sends): dropped
};

/// One control message and what travels with it. Spans point into the frame.
struct Control {
  Signal signal = Signal::Ignored;
  int64_t op = 0;
  std::optional<ErlangPid> from;
  std::optional<ErlangPid> to;
  std::string to_name;                 ///< REG_SEND, or a monitor of a registered name
  std::span<const uint8_t> from_proc;  ///< MONITOR_P_EXIT's first field, as sent
  std::span<const uint8_t> to_proc;    ///< MONITOR_P / DEMONITOR_P's target, as sent
  std::span<const uint8_t> ref;        ///< a monitor's reference, as sent
  std::span<const uint8_t> reason;     ///< an exit reason (one term, no version byte)
  std::span<const uint8_t> payload;    ///< a sent message, version byte first
  std::span<const uint8_t> mfa;        ///< SPAWN_REQUEST's {Module, Function, Arity}
  std::span<const uint8_t> options;    ///< SPAWN_REQUEST's option list
  std::span<const uint8_t> unlink_id;  ///< UNLINK_ID's id as sent (empty: the old UNLINK)
  int64_t spawn_flags = 0;             ///< SPAWN_REPLY's flags (kSpawnLinked, kSpawnMonitored)
};

/// SPAWN_REPLY's flags: the new process was linked to / is monitored by the requester.
inline constexpr int64_t kSpawnLinked = 1;
inline constexpr int64_t kSpawnMonitored = 2;

/// Reads `frame` (pass-through byte first). nullopt, with `why` set, if it is not a control
/// message of Erlang's with the fields its operation has, or what follows is not one term.
std::optional<Control> parse_control(std::span<const uint8_t> frame, std::string& why);

/// An exit reason as a lunatic death message carries it: whether it is Erlang's `normal`,
/// `kill`ed, and its text (an atom's name, a binary's bytes if printable UTF-8, else a
/// short description of the term).
struct ExitReason {
  bool normal = false;
  bool killed = false;
  std::string text;
};
ExitReason read_reason(std::span<const uint8_t> term);
/// The Erlang term for a lunatic death reason: the atoms normal, killed, noproc and
/// noconnection as atoms, any other text as a binary.
std::vector<uint8_t> reason_term(std::string_view text);

// Frames this node sends: the 4-byte length, the pass-through byte, the control message and
// (for messages and payload exits) what follows, each with its version byte.

/// SEND {2, '', To} + `term` (one term with its version byte).
std::vector<uint8_t> send_frame(const ErlangPid& to, std::span<const uint8_t> term);

/// A lunatic message that is not one bare term (a tag other than LUNATIC_TERM_TAG, any bytes)
/// travels as the term {'$lunatic', Tag, <<Data>>} (docs/distribution.md, "Messages and
/// terms"); a lunatic node delivers it as the message it was, an Erlang process gets the tuple.
inline constexpr std::string_view kTaggedMessageAtom = "$lunatic";
/// SEND {2, '', To} + {'$lunatic', Tag, <<Data>>}, the data copied once, into the frame.
std::vector<uint8_t> send_tagged_frame(const ErlangPid& to, int64_t tag,
                                       std::span<const uint8_t> data);
struct TaggedData {
  int64_t tag = 0;
  std::span<const uint8_t> data;  ///< within the term read
};
/// The tag and data of `term` (with its version byte) when it is exactly {'$lunatic', Tag,
/// <<Data>>}, Tag an integer of int64_t's range; nullopt for any other term.
std::optional<TaggedData> read_tagged(std::span<const uint8_t> term);
/// LINK {1, From, To}.
std::vector<uint8_t> link_frame(const ErlangPid& from, const ErlangPid& to);
/// UNLINK_ID {35, Id, From, To}, or its acknowledgement UNLINK_ID_ACK {36, Id, From, To};
/// `id` is one integer term (no version byte).
std::vector<uint8_t> unlink_id_frame(bool ack, std::span<const uint8_t> id, const ErlangPid& from,
                                     const ErlangPid& to);
/// EXIT {3, From, To, Reason} (Reason: one term, no version byte).
std::vector<uint8_t> exit_frame(const ErlangPid& from, const ErlangPid& to,
                                std::span<const uint8_t> reason);
/// EXIT2 {8, From, To, Reason}: exit(To, Reason) called by From.
std::vector<uint8_t> exit2_frame(const ErlangPid& from, const ErlangPid& to,
                                 std::span<const uint8_t> reason);
/// MONITOR_P {19, From, To, Ref} or DEMONITOR_P {20, From, To, Ref}.
std::vector<uint8_t> monitor_frame(bool demonitor, const ErlangPid& from, const ErlangPid& to,
                                   const ErlangRef& ref);
/// MONITOR_P_EXIT {21, FromProc, To, Ref, Reason}; `from_proc` and `ref` as the peer sent
/// them in its MONITOR_P.
std::vector<uint8_t> monitor_exit_frame(std::span<const uint8_t> from_proc, const ErlangPid& to,
                                        std::span<const uint8_t> ref,
                                        std::span<const uint8_t> reason);

/// SPAWN_REQUEST {29, ReqId, From, From (group leader), MFA, Options} + `args`; every part
/// one term written elsewhere (no version byte), `args` with its version byte.
std::vector<uint8_t> spawn_request_frame(const ErlangRef& id, const ErlangPid& from,
                                         std::span<const uint8_t> mfa,
                                         std::span<const uint8_t> options,
                                         std::span<const uint8_t> args);
/// SPAWN_REPLY {31, ReqId, To, Flags, Result}; `id` as the peer sent it, `result` a pid or
/// atom, `flags` kSpawnLinked | kSpawnMonitored.
std::vector<uint8_t> spawn_reply_frame(std::span<const uint8_t> id, const ErlangPid& to,
                                       std::span<const uint8_t> result, int64_t flags = 0);

}  // namespace lunatic::dist
