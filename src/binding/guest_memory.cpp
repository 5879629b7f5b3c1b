// GuestString's checked factory: bounds (in_bounds, inline in the header), then UTF-8.
#include "binding/guest_memory.hpp"

#include "common/utf8.hpp"

namespace lunatic::binding {

HostResult<GuestString> GuestString::at(const CallContext& ctx, uint32_t address, uint32_t size,
                                        std::string_view what) {
  HostResult<GuestString> s = make_view<GuestString>(ctx, what, address, size, 1);
  if (s.ok() && !is_valid_utf8(s.value().view())) return ctx.invalid_utf8(what, address, size);
  return s;
}

}  // namespace lunatic::binding
