// Helpers shared by the WASI function files (internal to host/wasi): finding the caller's
// WasiContext, guest iovecs as host iovecs, and host stat/time values in preview1 form.
#pragma once

#include <sys/stat.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "host/wasi/abi.hpp"
#include "host/wasi/errno.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {

using binding::CallContext;
using binding::GuestMutSpan;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::HostResult;
/// What every WASI function but proc_exit returns: an errno, or a trap.
using WasiResult = HostResult<int32_t>;

/// Linux's IOV_MAX (and wasi-libc's): more iovecs in one call is Inval, so a hostile count
/// never sizes a host allocation.
inline constexpr uint32_t kMaxIovecs = 1024;

/// The caller's WasiContext, or null when no WasiHost is attached to the thread.
WasiContext* wasi_of(CallContext& ctx);
/// The trap for a call without a WASI context.
engine::Trap no_context(const CallContext& ctx);

/// Checks every guest iovec of `iovs` and points `out` at the guest buffers (zero-length ones
/// are skipped). Returns Inval past kMaxIovecs, a trap if a buffer is outside memory.
/// The pointers are valid until the guest's memory grows: use them at once.
HostResult<Errno> host_iovecs(CallContext& ctx, const GuestSpan<abi::Iovec>& iovs,
                              std::vector<iovec>& out);

/// The most one read or write moves on Linux: a count up to it fits the guest's u32.
inline constexpr size_t kMaxTransfer = 0x7ffff000;

/// `iovs` without their first `skip` bytes, cut to at most `limit` bytes.
std::vector<iovec> iovec_window(const std::vector<iovec>& iovs, size_t skip,
                                size_t limit = SIZE_MAX);
/// The bytes `iovs` hold (past 4 GiB when the guest's buffers overlap).
size_t total_length(const std::vector<iovec>& iovs);

/// A path argument's bytes.
inline std::string_view path_view(const GuestSpan<uint8_t>& path) {
  return {reinterpret_cast<const char*>(path.bytes().data()), path.size()};
}

uint8_t filetype_of_mode(mode_t mode);
abi::Filestat to_filestat(const struct stat& st);
/// Nanoseconds since the epoch (saturating at 0 for times before it).
uint64_t to_nanoseconds(const timespec& ts);
/// The `times` argument of futimens/utimensat for preview1's (atim, mtim, fst_flags):
/// false for an invalid combination (both a time and "now" for the same stamp, or a bit
/// outside `fstflags`).
bool to_utimens(uint64_t atim, uint64_t mtim, uint32_t fst_flags, timespec times[2]);

}  // namespace lunatic::host::wasi
