// args_* and environ_*: the guest's argv and environment, copied out as NUL-terminated strings
// plus a table of pointers to them (the C layout wasi-libc expects).
#include <string>
#include <vector>

#include "host/wasi/functions.hpp"
#include "host/wasi/guest.hpp"

namespace lunatic::host::wasi {
namespace {

using engine::HostCall;
using engine::HostStatus;

// Sizes of a string list: count, and bytes of all strings with their NULs. The lists come from
// the host (the command line), but the sums are 64-bit and checked so a huge host environment
// gives EINVAL rather than a wrapped size.
HostStatus list_sizes(const std::vector<std::string>& list, HostCall& call) {
  Guest g(call);
  uint64_t buf_size = 0;
  for (const std::string& s : list) buf_size += s.size() + 1;
  if (list.size() > UINT32_MAX || buf_size > UINT32_MAX) return g.ret(Errno::Inval);
  if (!g.store_u32(g.u32(0), static_cast<uint32_t>(list.size()))) return g.out_of_bounds();
  if (!g.store_u32(g.u32(1), static_cast<uint32_t>(buf_size))) return g.out_of_bounds();
  return g.ret(Errno::Success);
}

HostStatus list_get(const std::vector<std::string>& list, HostCall& call) {
  Guest g(call);
  uint32_t table_ptr = g.u32(0);
  uint32_t buf_ptr = g.u32(1);
  uint64_t buf_size = 0;
  for (const std::string& s : list) buf_size += s.size() + 1;
  // Check both regions whole before writing anything: a trap leaves memory untouched.
  if (g.bytes(table_ptr, uint64_t{4} * list.size()) == nullptr) return g.out_of_bounds();
  uint8_t* buf = g.bytes(buf_ptr, buf_size);
  if (buf == nullptr) return g.out_of_bounds();
  // buf_ptr + buf_size <= memory size <= 4 GiB, so every string address fits in a u32.
  uint32_t offset = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    (void)g.store_u32(table_ptr + static_cast<uint32_t>(4 * i), buf_ptr + offset);
    std::memcpy(buf + offset, list[i].data(), list[i].size());
    buf[offset + list[i].size()] = 0;
    offset += static_cast<uint32_t>(list[i].size() + 1);
  }
  return g.ret(Errno::Success);
}

}  // namespace

/// args_get(argv: u32*, argv_buf: u8*) -> errno. Traps on a pointer outside memory.
HostStatus args_get(WasiContext& ctx, HostCall& call) { return list_get(ctx.args, call); }

/// args_sizes_get(argc_out: u32*, argv_buf_size_out: u32*) -> errno.
HostStatus args_sizes_get(WasiContext& ctx, HostCall& call) { return list_sizes(ctx.args, call); }

/// environ_get(environ: u32*, environ_buf: u8*) -> errno.
HostStatus environ_get(WasiContext& ctx, HostCall& call) { return list_get(ctx.env, call); }

/// environ_sizes_get(count_out: u32*, buf_size_out: u32*) -> errno.
HostStatus environ_sizes_get(WasiContext& ctx, HostCall& call) { return list_sizes(ctx.env, call); }

}  // namespace lunatic::host::wasi
