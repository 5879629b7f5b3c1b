// define_standard_functions: the one place that lists the host namespaces of the runtime.
#include "host/standard/standard.hpp"

#include "host/error/error.hpp"
#include "host/message/message.hpp"
#include "host/networking/networking.hpp"
#include "host/process/process.hpp"
#include "host/registry/registry.hpp"
#include "host/timer/timer.hpp"
#include "host/version/version.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host {

void define_standard_functions(binding::Linker& linker) {
  wasi::define_functions(linker);
  process::define_functions(linker);
  message::define_functions(linker);
  error::define_functions(linker);
  timer::define_functions(linker);
  networking::define_functions(linker);
  registry::define_functions(linker);
  version::define_functions(linker);
}

std::shared_ptr<binding::Linker> standard_linker() {
  auto linker = std::make_shared<binding::Linker>();
  define_standard_functions(*linker);
  return linker;
}

}  // namespace lunatic::host
