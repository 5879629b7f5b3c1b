// A TCP chat server: a room process broadcasts, each connection gets its own session process.
//   lunatic run build/examples/chat.wasm [PORT (default 4000; 0: any free port)] [--serve N]
// then `nc localhost PORT` from several terminals. --serve N: end once N clients have left.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chat_room.hpp"
#include "lunatic/lunatic.hpp"

using namespace lunatic;

int main(int argc, char** argv) {
  long port = 4000, serve = 0;
  for (int i = 1; i < argc; ++i) {
    char* end = nullptr;
    if (std::strcmp(argv[i], "--serve") == 0 && i + 1 < argc) {
      serve = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || serve < 1) serve = -1;
    } else {
      port = std::strtol(argv[i], &end, 10);
      if (*end != '\0' || port < 0 || port > 65535) serve = -1;
    }
  }
  if (serve < 0) {
    std::fprintf(stderr, "usage: chat [PORT (0-65535, default 4000)] [--serve N>=1]\n");
    return 2;
  }
  Result<TcpListener> listener =
      TcpListener::bind(SocketAddr::localhost(static_cast<uint16_t>(port)));
  if (!listener) {
    std::fprintf(stderr, "chat: cannot listen on port %ld: %s\n", port,
                 listener.error().message().c_str());
    return 1;
  }
  uint16_t bound = listener->local_addr().value_or(SocketAddr()).port();
  constexpr Tag kRoomDone(1);
  Result<Process> room =
      Process::spawn(chat::room, Process::self(), kRoomDone.value(), true, static_cast<int>(serve));
  if (!room) {
    std::fprintf(stderr, "chat: %s\n", room.error().message().c_str());
    return 1;
  }
  std::printf("chat: listening on 127.0.0.1:%u (connect with: nc localhost %u)\n", bound, bound);
  std::fflush(stdout);
  Result<Process> acceptor =
      Process::spawn(chat::acceptor, *room, std::move(*listener), static_cast<int>(serve));
  if (!acceptor) return 1;
  // The room ends after --serve N departures (never without it); the acceptor after N accepts.
  Result<int> left = Mailbox<int>().receive(kRoomDone);
  int count = left.value_or(0);
  std::printf("chat: %d client%s came and went, closing\n", count, count == 1 ? "" : "s");
  return 0;
}
