// Shared helpers of the WASI functions.
#include "host/wasi/support.hpp"

#include <algorithm>

#include "runtime/process.hpp"

namespace lunatic::host::wasi {

WasiContext* wasi_of(CallContext& ctx) {
  if (!ctx.has_host()) return nullptr;
  binding::HostContext& host = ctx.host<binding::HostContext>();
  if (auto* wasi_host = dynamic_cast<WasiHost*>(&host)) return &wasi_host->wasi();
  if (auto* process = dynamic_cast<runtime::Process*>(&host)) return &process_wasi(*process);
  return nullptr;
}

engine::Trap no_context(const CallContext& ctx) {
  return engine::Trap::host("host function " + std::string(ctx.function_name()) +
                            " called without a WASI context");
}

HostResult<Errno> host_iovecs(CallContext& ctx, const GuestSpan<abi::Iovec>& iovs,
                              std::vector<iovec>& out) {
  if (iovs.size() > kMaxIovecs) return Errno::Inval;
  out.clear();
  out.reserve(iovs.size());
  for (uint32_t i = 0; i < iovs.size(); ++i) {
    abi::Iovec iov = iovs[i];
    auto buf = GuestMutSpan<uint8_t>::at(ctx, iov.buf, iov.buf_len, "iovec buffer");
    if (!buf.ok()) return std::move(buf).trap();
    if (iov.buf_len != 0) out.push_back(iovec{buf.value().mut_bytes().data(), iov.buf_len});
  }
  return Errno::Success;
}

std::vector<iovec> iovec_window(const std::vector<iovec>& iovs, size_t skip, size_t limit) {
  std::vector<iovec> rest;
  for (const iovec& v : iovs) {
    if (limit == 0) break;
    if (skip >= v.iov_len) {
      skip -= v.iov_len;
      continue;
    }
    const size_t length = std::min(v.iov_len - skip, limit);
    rest.push_back({static_cast<char*>(v.iov_base) + skip, length});
    limit -= length;
    skip = 0;
  }
  return rest;
}

size_t total_length(const std::vector<iovec>& iovs) {
  size_t n = 0;
  for (const iovec& v : iovs) n += v.iov_len;
  return n;
}

uint8_t filetype_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return abi::kFiletypeRegularFile;
  if (S_ISDIR(mode)) return abi::kFiletypeDirectory;
  if (S_ISCHR(mode)) return abi::kFiletypeCharacterDevice;
  if (S_ISBLK(mode)) return abi::kFiletypeBlockDevice;
  if (S_ISSOCK(mode)) return abi::kFiletypeSocketStream;
  if (S_ISLNK(mode)) return abi::kFiletypeSymbolicLink;
  return abi::kFiletypeUnknown;  // FIFOs have no preview1 file type
}

uint64_t to_nanoseconds(const timespec& ts) {
  if (ts.tv_sec < 0) return 0;
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

abi::Filestat to_filestat(const struct stat& st) {
  abi::Filestat out{};
  out.dev = st.st_dev;
  out.ino = st.st_ino;
  out.filetype = filetype_of_mode(st.st_mode);
  out.nlink = st.st_nlink;
  out.size = static_cast<uint64_t>(st.st_size);
  out.atim = to_nanoseconds(st.st_atim);
  out.mtim = to_nanoseconds(st.st_mtim);
  out.ctim = to_nanoseconds(st.st_ctim);
  return out;
}

bool to_utimens(uint64_t atim, uint64_t mtim, uint32_t fst_flags, timespec times[2]) {
  auto one = [](uint64_t ns, bool set, bool now, timespec& out) {
    if (set && now) return false;
    if (now) {
      out = timespec{0, UTIME_NOW};
    } else if (set) {
      out = timespec{static_cast<time_t>(ns / 1'000'000'000u),
                     static_cast<long>(ns % 1'000'000'000u)};
    } else {
      out = timespec{0, UTIME_OMIT};
    }
    return true;
  };
  if ((fst_flags & ~abi::kFstflagsAll) != 0) return false;
  return one(atim, fst_flags & abi::kFstAtim, fst_flags & abi::kFstAtimNow, times[0]) &&
         one(mtim, fst_flags & abi::kFstMtim, fst_flags & abi::kFstMtimNow, times[1]);
}

}  // namespace lunatic::host::wasi
