// Traps shared by the lunatic::* namespaces.
#include "host/shared/resources.hpp"

namespace lunatic::host::shared {

engine::Trap unknown_id(const binding::CallContext& ctx, std::string_view kind, uint64_t id) {
  return misuse(ctx, "unknown " + std::string(kind) + " id " + std::to_string(id));
}

engine::Trap misuse(const binding::CallContext& ctx, std::string_view what) {
  return engine::Trap::host(std::string(ctx.function_name()) + ": " + std::string(what));
}

}  // namespace lunatic::host::shared
