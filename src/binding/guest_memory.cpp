// Bounds checks of guest memory views, and GuestString's checked factory.
#include "binding/guest_memory.hpp"

#include "common/utf8.hpp"

namespace lunatic::binding {

bool in_bounds(const engine::Memory* memory, uint64_t address, uint64_t count,
               uint64_t element_size) {
  if (memory == nullptr) return false;
  uint64_t bytes = 0;
  // A guest length times the element size can exceed 64 bits only for absurd element sizes,
  // but the check costs nothing and keeps the rule "no unchecked arithmetic on guest input".
  if (__builtin_mul_overflow(count, element_size, &bytes)) return false;
  const uint64_t size = memory->size_bytes();
  return bytes <= size && address <= size - bytes;
}

HostResult<GuestString> GuestString::at(const CallContext& ctx, uint32_t address, uint32_t size,
                                        std::string_view what) {
  HostResult<GuestString> s = make_view<GuestString>(ctx, what, address, size, 1);
  if (s.ok() && !is_valid_utf8(s.value().view())) return ctx.invalid_utf8(what, address, size);
  return s;
}

}  // namespace lunatic::binding
