// What a node is called and how it authenticates: parsing --name / --sname and finding the
// cookie (--cookie, else ~/.erlang.cookie, as Erlang does).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace lunatic::dist {

/// A node's name split as epmd and the handshake need it.
struct NodeName {
  std::string alive;  ///< before the '@': what epmd registers
  std::string host;   ///< after the '@'
  std::string full() const { return alive + "@" + host; }
};

/// Parses `--name NAME@HOST` (`short_name` false: HOST required) or `--sname NAME[@HOST]`
/// (HOST defaults to this machine's host name up to its first dot). NAME is letters, digits,
/// '_' and '-'; the whole name at most 255 bytes. Errors with Phase::Usage.
Result<NodeName> parse_node_name(std::string_view value, bool short_name);

/// The cookie: `given` if not empty, else the first line of $HOME/.erlang.cookie. At most 255
/// bytes of printable ASCII. Errors with Phase::Usage when neither gives one.
Result<std::string> find_cookie(std::string_view given);

}  // namespace lunatic::dist
