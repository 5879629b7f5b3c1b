// args_* and environ_*: the guest's argv and environment, copied out as NUL-terminated strings
// plus a table of pointers to them (the C layout wasi-libc expects).
#include <string>
#include <vector>

#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {
namespace {

uint64_t total_bytes(const std::vector<std::string>& list) {
  uint64_t n = 0;
  for (const std::string& s : list) n += s.size() + 1;
  return n;
}

// The lists come from the host, but the sums are 64-bit and checked so that a huge host
// environment gives Inval rather than a wrapped size.
WasiResult list_sizes(const std::vector<std::string>& list, GuestPtr<uint32_t> count,
                      GuestPtr<uint32_t> size) {
  uint64_t bytes = total_bytes(list);
  if (list.size() > UINT32_MAX || bytes > UINT32_MAX) return code(Errno::Inval);
  count.write(static_cast<uint32_t>(list.size()));
  size.write(static_cast<uint32_t>(bytes));
  return code(Errno::Success);
}

WasiResult list_get(CallContext& ctx, const std::vector<std::string>& list, uint32_t table_ptr,
                    uint32_t buf_ptr) {
  uint64_t bytes = total_bytes(list);
  if (list.size() > UINT32_MAX || bytes > UINT32_MAX) return code(Errno::Inval);
  // Both regions are checked whole before anything is written: a trap leaves memory as it was.
  auto table = GuestMutSpan<uint32_t>::at(ctx, table_ptr, static_cast<uint32_t>(list.size()),
                                          "pointer table");
  if (!table.ok()) return std::move(table).trap();
  auto buf = GuestMutSpan<uint8_t>::at(ctx, buf_ptr, static_cast<uint32_t>(bytes), "string buffer");
  if (!buf.ok()) return std::move(buf).trap();
  std::span<uint8_t> out = buf.value().mut_bytes();
  // buf_ptr + bytes <= memory size <= 4 GiB, so every string address fits in a u32.
  uint32_t offset = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    table.value().write(static_cast<uint32_t>(i), buf_ptr + offset);
    std::memcpy(out.data() + offset, list[i].data(), list[i].size());
    out[offset + list[i].size()] = 0;
    offset += static_cast<uint32_t>(list[i].size() + 1);
  }
  return code(Errno::Success);
}

}  // namespace

WasiResult args_get(CallContext& ctx, uint32_t argv, uint32_t argv_buf) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return list_get(ctx, w->args, argv, argv_buf);
}

WasiResult args_sizes_get(CallContext& ctx, GuestPtr<uint32_t> argc, GuestPtr<uint32_t> size) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return list_sizes(w->args, argc, size);
}

WasiResult environ_get(CallContext& ctx, uint32_t environ, uint32_t environ_buf) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return list_get(ctx, w->env, environ, environ_buf);
}

WasiResult environ_sizes_get(CallContext& ctx, GuestPtr<uint32_t> count, GuestPtr<uint32_t> size) {
  WasiContext* w = wasi_of(ctx);
  if (w == nullptr) return no_context(ctx);
  return list_sizes(w->env, count, size);
}

}  // namespace lunatic::host::wasi
