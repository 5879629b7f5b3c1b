// make_host_linker: one place lists the host namespaces that the `lunatic` binary links.
#include "cli/host_linker.hpp"

#include "host/error/error.hpp"
#include "host/message/message.hpp"
#include "host/networking/networking.hpp"
#include "host/process/process.hpp"
#include "host/registry/registry.hpp"
#include "host/timer/timer.hpp"
#include "host/version/version.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::cli {

std::shared_ptr<const binding::Linker> make_host_linker() {
  auto linker = std::make_shared<binding::Linker>();
  host::wasi::define_functions(*linker);
  host::process::define_functions(*linker);
  host::message::define_functions(*linker);
  host::error::define_functions(*linker);
  host::timer::define_functions(*linker);
  host::networking::define_functions(*linker);
  host::registry::define_functions(*linker);
  host::version::define_functions(*linker);
  return linker;
}

}  // namespace lunatic::cli
