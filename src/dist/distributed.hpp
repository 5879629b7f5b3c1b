// lunatic::distributed: the host namespace of distribution (docs/guest-abi.md). Guests turn
// Erlang pids (as terms) into process ids they can send to, and process ids into pids.
#pragma once

#include <string_view>

#include "binding/linker.hpp"

namespace lunatic::dist {

inline constexpr std::string_view kModuleName = "lunatic::distributed";

/// Defines node_name, pid_to_id and id_to_pid in `linker.ns("lunatic::distributed")`. They
/// answer "not distributed" unless a Node is the runtime's Router.
void define_functions(binding::Linker& linker);

}  // namespace lunatic::dist
