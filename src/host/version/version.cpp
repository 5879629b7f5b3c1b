// lunatic::version: major(), minor(), patch() of this runtime (the CMake project version).
#include "host/version/version.hpp"

namespace lunatic::host::version {

void define_functions(binding::Linker& linker) {
  // () -> i32 each; never trap.
  linker.ns(kModuleName)
      .define("major", []() -> int32_t { return LUNATIC_VERSION_MAJOR; })
      .define("minor", []() -> int32_t { return LUNATIC_VERSION_MINOR; })
      .define("patch", []() -> int32_t { return LUNATIC_VERSION_PATCH; });
}

}  // namespace lunatic::host::version
