// Attaching a process's HostContext to the Thread that runs it.
#include "binding/pending_call.hpp"

#include "engine/thread.hpp"

namespace lunatic::binding {

void attach(engine::Thread& thread, HostContext& context) {
  // Stored as the HostContext base subobject, which is what CallContext casts back to.
  thread.host_context = static_cast<void*>(&context);
}

}  // namespace lunatic::binding
