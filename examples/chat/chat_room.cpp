// The chat room and its sessions: a session turns its socket's lines into messages to the
// room; the room owns a clone of every member's stream and is the only writer to it (so what
// a member sees is in the room's order: its welcome before any answer to its commands).
#include "chat_room.hpp"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

using namespace lunatic;
using namespace std::chrono_literals;

namespace chat {
namespace {

// What a session tells the room: (text, the member's stream for a join), by tag. A pair that
// can hold a stream: each is sent as a temporary, so the stream visibly moves with it.
using Event = std::pair<std::string, TcpStream>;
constexpr Tag kJoin(1);
constexpr Tag kSay(2);
constexpr Tag kNick(3);
constexpr Tag kLeave(4);       // text: a farewell for the member (or none)
constexpr Tag kTell(5);        // text: a line for the member only
constexpr Tag kMemberDied(6);  // the room's monitors

constexpr size_t kMaxLine = 1024;  // longer lines are cut
constexpr size_t kMaxNick = 24;

struct Member {
  Process session;
  std::string nick;
  TcpStream out;
};

class Room {
 public:
  Room(bool log) : log_(log) {}

  void join(Process session, TcpStream out) {
    Member m{session, "guest" + std::to_string(++joined_), std::move(out)};
    m.out.set_write_timeout(2s);  // a member that stops reading is dropped, not waited for
    session.monitor(kMemberDied);
    if (log_) {
      Result<SocketAddr> peer = m.out.peer_addr();
      std::printf("chat: %s joined from %s\n", m.nick.c_str(),
                  peer ? peer->to_string().c_str() : "?");
    }
    std::string welcome = "* welcome " + m.nick + ", " + std::to_string(members_.size() + 1) +
                          " online (/nick NAME to rename, /quit to leave)\n";
    members_.push_back(std::move(m));
    write(members_.back(), welcome);
    broadcast("* " + members_.back().nick + " joined", session);
  }

  void say(Process from, const std::string& text) {
    Member* m = find(from);
    if (m != nullptr) broadcast("<" + m->nick + "> " + text, from);
  }

  void rename(Process from, const std::string& nick) {
    Member* m = find(from);
    if (m == nullptr) return;
    const char* refusal = nullptr;
    if (nick.empty() || nick.size() > kMaxNick || nick.find_first_of(" \t<>*") != std::string::npos)
      refusal = "* a nick is 1 to 24 characters, without spaces or <>*\n";
    for (const Member& other : members_)
      if (other.nick == nick) refusal = "* that nick is taken\n";
    if (refusal != nullptr) return write(*m, refusal);
    std::string line = "* " + m->nick + " is now " + nick;
    if (log_) std::printf("chat: %s\n", line.c_str() + 2);
    m->nick = nick;
    broadcast(line, Process());  // everyone, the renamed one too
  }

  /// Writes `text` (and a newline) to the member of `from` only.
  void tell(Process from, const std::string& text) {
    Member* m = find(from);
    if (m != nullptr) write(*m, text + "\n");
  }

  /// Removes the member of `session` (if it still is one), after writing it `farewell` (if
  /// any); returns whether it was one.
  bool leave(Process session, const char* why, const std::string& farewell = "") {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].session != session) continue;
      if (!farewell.empty()) (void)members_[i].out.write_all(farewell + "\n");
      std::string line = "* " + members_[i].nick + " left" + why;
      session.stop_monitoring();
      members_.erase(members_.begin() + static_cast<long>(i));
      ++left_;
      if (log_) std::printf("chat: %s\n", line.c_str() + 2);
      broadcast(line, Process());
      return true;
    }
    return false;
  }

  int left() const { return left_; }

 private:
  Member* find(Process session) {
    for (Member& m : members_)
      if (m.session == session) return &m;
    return nullptr;
  }

  /// Writes `text` to one member; one whose socket fails is dropped.
  void write(Member& m, const std::string& text) {
    if (!m.out.write_all(text)) m.out.close();
    drop_failed();
  }

  /// Writes `line` to every member but `except`; members whose socket fails are dropped.
  void broadcast(const std::string& line, Process except) {
    std::string text = line + "\n";
    for (Member& m : members_) {
      if (m.session != except && !m.out.write_all(text)) m.out.close();
    }
    drop_failed();
  }

  /// Members whose stream was closed by a failed write leave (their session is killed).
  void drop_failed() {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].out.valid()) continue;
      Process session = members_[i].session;
      session.kill();
      leave(session, " (not reading)");
      return drop_failed();
    }
  }

  bool log_;
  std::vector<Member> members_;
  int joined_ = 0;
  int left_ = 0;
};

// One line of a client: "/nick NAME", "/quit" (returns false) or something to say.
bool handle_line(Process room, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return true;
  if (line == "/quit") return false;
  if (line.rfind("/nick ", 0) == 0) {
    (void)room.send(Event(line.substr(6), TcpStream()), kNick);
  } else if (line[0] == '/') {
    (void)room.send(Event("* unknown command (/nick NAME, /quit)", TcpStream()), kTell);
  } else {
    (void)room.send(Event(line, TcpStream()), kSay);
  }
  return true;
}

}  // namespace

void room(Process owner, int64_t done_tag, bool log, int stop_after) {
  Room room(log);
  Mailbox<Event> mailbox;
  while (stop_after == 0 || room.left() < stop_after) {
    Message<Event> m = mailbox.receive_message();
    if (m.kind() == MessageKind::process_died) {
      room.leave(m.process(), " (connection lost)");
      continue;
    }
    if (!m.is_data() || !m.value().ok()) continue;
    Event& event = m.value().value();
    if (m.tag() == kJoin) room.join(m.process(), std::move(event.second));
    if (m.tag() == kSay) room.say(m.process(), event.first);
    if (m.tag() == kNick) room.rename(m.process(), event.first);
    if (m.tag() == kTell) room.tell(m.process(), event.first);
    if (m.tag() == kLeave) room.leave(m.process(), "", event.first);
  }
  (void)owner.send(room.left(), Tag(done_tag));
}

void session(Process room, TcpStream stream) {
  (void)room.send(Event("", stream.clone()), kJoin);  // a clone: the session still reads ours
  std::string pending;
  char buf[512];
  bool open = true;
  while (open) {
    Result<size_t> n = stream.read(buf, sizeof buf);
    if (!n || *n == 0) break;
    pending.append(buf, *n);
    size_t start = 0, newline;
    while (open && (newline = pending.find('\n', start)) != std::string::npos) {
      open = handle_line(room, pending.substr(start, newline - start));
      start = newline + 1;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {  // a line too long: what we have of it is said
      open = open && handle_line(room, pending.substr(0, kMaxLine));
      pending.clear();
    }
  }
  // /quit gets a farewell; a closed connection, none.
  (void)room.send(Event(open ? "" : "* bye", TcpStream()), kLeave);
}

void acceptor(Process room, TcpListener listener, int count) {
  for (int i = 0; count == 0 || i < count; ++i) {
    Result<std::pair<TcpStream, SocketAddr>> accepted = listener.accept();
    if (!accepted) {
      std::printf("chat: accept failed: %s\n", accepted.error().message().c_str());
      return;
    }
    (void)Process::spawn(session, room, std::move(accepted->first));  // the stream moves
  }
}

}  // namespace chat
