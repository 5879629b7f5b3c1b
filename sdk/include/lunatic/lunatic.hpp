// lunatic C++ SDK: everything in one include. C++17, header-only, for guests built with
// -fno-exceptions (failures are Result values). See docs/sdk.md.
#ifndef LUNATIC_LUNATIC_HPP
#define LUNATIC_LUNATIC_HPP

#include "lunatic/distributed.hpp"
#include "lunatic/environment.hpp"
#include "lunatic/mailbox.hpp"
#include "lunatic/networking.hpp"
#include "lunatic/process.hpp"
#include "lunatic/result.hpp"
#include "lunatic/serialize.hpp"
#include "lunatic/socket_addr.hpp"
#include "lunatic/supervisor.hpp"
#include "lunatic/tag.hpp"

#endif
