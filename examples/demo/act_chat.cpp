// Act 4: a TCP chat server (examples/chat's room and sessions) with scripted clients, all in
// this module: client processes connect over loopback, chat, one is killed mid-session, the
// room notices and the server carries on.
#include <string>
#include <utility>

#include "../chat/chat_room.hpp"
#include "demo.hpp"
#include "lunatic/lunatic.hpp"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kRoomDone(401);
constexpr Tag kType(402);        // narrator -> client: a line to type
constexpr Tag kScreenBase(410);  // client i's screen -> narrator: a line it received
constexpr Tag kReady(420);       // client -> narrator: connected (or why not)

// A client's screen: forwards each line its socket receives to the narrator.
void screen(Process narrator, int64_t tag, TcpStream stream) {
  std::string pending;
  char buf[512];
  while (true) {
    Result<size_t> n = stream.read(buf, sizeof buf);
    if (!n || *n == 0) break;
    pending.append(buf, *n);
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      (void)narrator.send(pending.substr(0, newline), Tag(tag));
      pending.erase(0, newline + 1);
    }
  }
  (void)narrator.send(std::string("(connection closed)"), Tag(tag));
}

// A scripted client: connects, shows what arrives on a linked screen process, and types what
// the narrator tells it to. Killing it kills its screen too (the link), closing the socket.
void client(Process narrator, int64_t screen_tag, SocketAddr server) {
  Result<TcpStream> stream = TcpStream::connect(server, 5s);
  if (!stream) {
    (void)narrator.send(stream.error().message(), kReady);
    return;
  }
  // The screen reads a clone of the stream; this process keeps writing on its own.
  (void)Process::spawn_link(Tag(1), screen, narrator, screen_tag, stream->clone());
  (void)narrator.send(std::string(), kReady);
  Mailbox<std::string> mailbox;
  while (true) {
    Result<std::string> line = mailbox.receive(kType);
    if (!line || line->empty() || !stream->write_all(*line + "\n")) return;  // "": done
  }
}

struct Client {
  const char* name;
  Process process;
  Tag screen;
};

// Waits until `c`'s screen shows `text` (lines before it are passed over), and tells it.
bool expect(const Client& c, const std::string& text) {
  Mailbox<std::string> mailbox;
  while (true) {
    Result<std::string> line = mailbox.receive(c.screen, 5s);
    if (!line) {
      demo::say("   (%s's screen never showed \"%s\": %s)", c.name, text.c_str(),
                line.error().message().c_str());
      return false;
    }
    if (*line == text) {
      demo::say("   %-6s sees  %s", c.name, line->c_str());
      return true;
    }
  }
}

void type(const Client& c, const std::string& line) {
  demo::say("   %-6s types %s", c.name, line.c_str());
  (void)c.process.send(line, kType);
}

bool start_client(Client& c, int index, const SocketAddr& server) {
  c.screen = Tag(kScreenBase.value() + index);
  Result<Process> p = Process::spawn(client, Process::self(), c.screen.value(), server);
  if (!p) return false;
  c.process = *p;
  Result<std::string> ready = Mailbox<std::string>().receive(kReady, 5s);
  if (!ready || !ready->empty()) {
    demo::say("   (%s could not connect: %s)", c.name, ready ? ready->c_str() : "no word");
    return false;
  }
  return true;
}

bool chat_act(const demo::Options&) {
  Result<TcpListener> listener = TcpListener::bind(SocketAddr::localhost(0));
  if (!listener) {
    demo::say("   Cannot listen on loopback: %s", listener.error().message().c_str());
    return false;
  }
  SocketAddr addr = listener->local_addr().value_or(SocketAddr());
  Result<Process> room =
      Process::spawn(chat::room, Process::self(), kRoomDone.value(), false, /*stop_after=*/3);
  if (!room) return false;
  Result<Process> acceptor = Process::spawn(chat::acceptor, *room, std::move(*listener), 3);
  if (!acceptor) return false;
  demo::say("   The chat server listens on %s: an acceptor process hands each connection",
            addr.to_string().c_str());
  demo::say("   (its TcpStream, inside a message) to a new session process; a room process");
  demo::say("   broadcasts. Three client processes connect over loopback:");

  Client ada{"ada", {}, {}}, bob{"bob", {}, {}}, eve{"eve", {}, {}};
  bool ok = start_client(ada, 0, addr) &&
            expect(ada, "* welcome guest1, 1 online (/nick NAME to rename, /quit to leave)");
  if (ok) type(ada, "/nick ada");
  ok = ok && expect(ada, "* guest1 is now ada") && start_client(bob, 1, addr) &&
       expect(ada, "* guest2 joined");
  if (ok) type(bob, "/nick bob");
  ok = ok && expect(ada, "* guest2 is now bob") && start_client(eve, 2, addr) &&
       expect(bob, "* guest3 joined");
  if (ok) type(eve, "/nick eve");
  ok = ok && expect(bob, "* guest3 is now eve");
  if (ok) type(ada, "hello, everyone");
  ok = ok && expect(bob, "<ada> hello, everyone") && expect(eve, "<ada> hello, everyone");
  if (!ok) return false;

  demo::say("   eve's client process is killed mid-session (its screen dies with it, a link):");
  eve.process.kill();
  ok = expect(ada, "* eve left") && expect(bob, "* eve left");
  demo::say("   The runtime closed the killed process's socket; the room noticed. It carries on:");
  if (ok) type(bob, "still here?");
  ok = ok && expect(ada, "<bob> still here?");
  if (ok) type(ada, "/quit");
  ok = ok && expect(ada, "* bye") && expect(bob, "* ada left");
  if (ok) type(bob, "/quit");
  ok = ok && expect(bob, "* bye");
  Result<int> left = Mailbox<int>().receive(kRoomDone, 5s);
  (void)ada.process.send(std::string(), kType);  // their clients end
  (void)bob.process.send(std::string(), kType);
  if (!ok || !left) return false;
  demo::say("   All %d clients came and went, and the room and the server stayed up throughout.",
            *left);
  return true;
}

}  // namespace

LUNATIC_DEMO_ACT(4, "a chat server over TCP", chat_act);
