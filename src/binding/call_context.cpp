// CallContext: construction from the interpreter's HostCall or from pieces, and the texts of
// the traps for bad guest memory arguments.
#include "binding/call_context.hpp"

#include <cinttypes>
#include <cstdio>

namespace lunatic::binding {

CallContext::CallContext(const FunctionInfo& function, engine::Memory* memory, HostContext* host)
    : function_(&function), memory_(memory), host_(host) {}

engine::Trap CallContext::out_of_bounds(std::string_view what, uint64_t address, uint64_t count,
                                        uint64_t element_size) const {
  std::string msg = engine::trap_message(engine::TrapKind::MemoryOutOfBounds);
  msg += " in host function ";
  msg += function_name();
  msg += ": ";
  msg += what;
  char buf[160];
  engine::Memory* memory = this->memory();
  if (memory == nullptr) {
    msg += ", but the caller has no memory";
  } else {
    if (element_size == 1) {
      std::snprintf(buf, sizeof buf, " (%" PRIu64 " bytes at 0x%" PRIx64 ")", count, address);
    } else {
      std::snprintf(buf, sizeof buf, " (%" PRIu64 " x %" PRIu64 " bytes at 0x%" PRIx64 ")", count,
                    element_size, address);
    }
    msg += buf;
    std::snprintf(buf, sizeof buf, " outside memory of %" PRIu64 " bytes", memory->size_bytes());
    msg += buf;
  }
  return engine::Trap{engine::TrapKind::MemoryOutOfBounds, std::move(msg), 0, {}};
}

engine::Trap CallContext::invalid_utf8(std::string_view what, uint64_t address,
                                       uint64_t bytes) const {
  std::string msg = "invalid UTF-8 string argument in host function ";
  msg += function_name();
  msg += ": ";
  msg += what;
  char buf[96];
  std::snprintf(buf, sizeof buf, " (%" PRIu64 " bytes at 0x%" PRIx64 ")", bytes, address);
  msg += buf;
  return engine::Trap::host(std::move(msg));
}

}  // namespace lunatic::binding
