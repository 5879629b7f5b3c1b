// The adapter's out-of-line parts: pending-slot bookkeeping after an attempt, and trap texts.
#include "binding/adapter.hpp"

#include <string>

namespace lunatic::binding {

engine::HostStatus AdapterAccess::end_parked(CallContext& ctx, engine::Trap& trap) {
  PendingCall& slot = ctx.slot();
  if (ctx.host_ == nullptr && slot.has_state()) {
    slot.clear();
    trap = engine::Trap::host("host function " + std::string(ctx.function_name()) +
                              " parked with pending state, but no host context is attached "
                              "to keep it (binding::attach)");
    return engine::HostStatus::Trap;
  }
  return engine::HostStatus::Park;
}

bool AdapterAccess::fail_argument_out_of_bounds(const CallContext& ctx, uint32_t arg_no,
                                                uint64_t address, uint64_t count, uint64_t size,
                                                engine::Trap& trap) {
  trap = argument_out_of_bounds(ctx, arg_no, address, count, size);
  return false;
}

engine::Trap AdapterAccess::arity_mismatch(const CallContext& ctx, size_t args, size_t results,
                                           size_t want_args, size_t want_results) {
  return engine::Trap::host("host function " + std::string(ctx.function_name()) + " called with " +
                            std::to_string(args) + " arguments and " + std::to_string(results) +
                            " result slots, expects " + std::to_string(want_args) + " and " +
                            std::to_string(want_results));
}

engine::Trap AdapterAccess::threw(const CallContext& ctx, std::string_view what) {
  return engine::Trap::host("host function " + std::string(ctx.function_name()) +
                            " threw: " + std::string(what));
}

engine::Trap AdapterAccess::argument_out_of_bounds(const CallContext& ctx, uint32_t arg_no,
                                                   uint64_t address, uint64_t count,
                                                   uint64_t size) {
  return ctx.out_of_bounds("argument " + std::to_string(arg_no), address, count, size);
}

engine::Trap AdapterAccess::argument_invalid_utf8(const CallContext& ctx, uint32_t arg_no,
                                                  uint64_t address, uint64_t size) {
  return ctx.invalid_utf8("argument " + std::to_string(arg_no), address, size);
}

}  // namespace lunatic::binding
