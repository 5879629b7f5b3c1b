// The chat server's processes (examples/chat, and act 4 of the demo): a room that broadcasts to
// every member's socket, and one session process per connection reading its lines.
#ifndef LUNATIC_EXAMPLES_CHAT_ROOM_HPP
#define LUNATIC_EXAMPLES_CHAT_ROOM_HPP

#include <cstdint>

#include "lunatic/lunatic.hpp"

namespace chat {

/// The room process: members join with a clone of their stream, and each line said, each
/// /nick and each departure is written to the others (a member whose session process dies
/// is noticed through a monitor). `log`: print what happens on stdout. Once `stop_after`
/// members have left (0: never), it sends that count to `owner` tagged `done_tag` and ends.
void room(lunatic::Process owner, int64_t done_tag, bool log, int stop_after);

/// A session process: reads `stream`'s lines and tells `room` (join, say, /nick, /quit).
void session(lunatic::Process room, lunatic::TcpStream stream);

/// Accepts `count` connections on `listener` (0: forever), a session process for each.
void acceptor(lunatic::Process room, lunatic::TcpListener listener, int count);

}  // namespace chat

#endif
