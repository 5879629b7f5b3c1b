// WrittenPages: the pages of a slot that hold data, from the page tables. The ioctl returns
// runs of pages in one call however big the range (the kernel skips empty page tables); the
// pagemap fallback reads 8 bytes per page, so it gives up on big ranges.
#include "engine/written_pages.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace lunatic::engine {
namespace {

// PAGEMAP_SCAN (Documentation/admin-guide/mm/pagemap.rst, PAGEMAP_SCAN(2const)), declared here
// because the C library's kernel headers may predate Linux 6.7.
struct PageRegion {
  uint64_t start;
  uint64_t end;
  uint64_t categories;
};
struct PmScanArg {
  uint64_t size;
  uint64_t flags;
  uint64_t start;
  uint64_t end;
  uint64_t walk_end;
  uint64_t vec;
  uint64_t vec_len;
  uint64_t max_pages;
  uint64_t category_inverted;
  uint64_t category_mask;
  uint64_t category_anyof_mask;
  uint64_t return_mask;
};
constexpr unsigned long kPagemapScan = _IOWR('f', 16, PmScanArg);
constexpr uint64_t kIsPresent = uint64_t{1} << 3;
constexpr uint64_t kIsSwapped = uint64_t{1} << 4;
constexpr uint64_t kIsPfnZero = uint64_t{1} << 5;

// /proc/PID/pagemap entries, one 64-bit word per page.
constexpr uint64_t kEntryPresent = uint64_t{1} << 63;
constexpr uint64_t kEntrySwapped = uint64_t{1} << 62;  // any swap-type entry (also migration)
constexpr uint64_t kPagemapChunk = 512;                // entries per pread
constexpr uint64_t kPagemapMaxPages = 8 * kPagemapChunk;

// Appends page [p, p + kPageBytes) to `out`, merging it with the last run when adjacent.
bool add_page(uint8_t* p, WrittenPages::Result& out) {
  if (out.count != 0 && out.runs[out.count - 1].end == p) {
    out.runs[out.count - 1].end = p + WrittenPages::kPageBytes;
  } else {
    if (out.count == WrittenPages::kMaxRuns) return false;
    out.runs[out.count++] = {p, p + WrittenPages::kPageBytes};
  }
  ++out.pages;
  return true;
}

}  // namespace

WrittenPages::WrittenPages(bool allow_ioctl)
    : pagemap_(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) {
  if (pagemap_ < 0 || !allow_ioctl) return;
  // Probe the ioctl on a page of our own: an old kernel says ENOTTY (or EINVAL), and then
  // every scan reads pagemap entries.
  alignas(kPageBytes) static uint8_t probe[kPageBytes];
  Result r;
  ioctl_ = true;
  ioctl_ = scan_ioctl(probe, kPageBytes, 1, r);
}

WrittenPages::~WrittenPages() {
  if (pagemap_ >= 0) close(pagemap_);
}

bool WrittenPages::scan(uint8_t* base, uint64_t bytes, uint64_t max_pages, Result& out) const {
  out.count = 0;
  out.pages = 0;
  if (pagemap_ < 0) return false;
  return ioctl_ ? scan_ioctl(base, bytes, max_pages, out)
                : scan_pagemap(base, bytes, max_pages, out);
}

bool WrittenPages::scan_ioctl(uint8_t* base, uint64_t bytes, uint64_t max_pages,
                              Result& out) const {
  std::array<PageRegion, kMaxRuns> regions;
  PmScanArg arg{};
  arg.size = sizeof arg;
  arg.start = reinterpret_cast<uint64_t>(base);
  arg.end = arg.start + bytes;
  arg.vec = reinterpret_cast<uint64_t>(regions.data());
  arg.vec_len = regions.size();
  // One page past the limit: finding it is how we learn there are too many.
  arg.max_pages = max_pages + 1;
  // Present or swapped, and not the shared zero page (a page only ever read maps it, and it
  // needs no zeroing: writing it would commit a page for nothing).
  arg.category_anyof_mask = kIsPresent | kIsSwapped;
  arg.category_inverted = kIsPfnZero;
  arg.category_mask = kIsPfnZero;
  arg.return_mask = kIsPresent | kIsSwapped;
  long n = 0;
  do {
    n = ioctl(pagemap_, kPagemapScan, &arg);
  } while (n < 0 && errno == EINTR);
  // The walk stops early when the runs or max_pages run out: then there are too many.
  if (n < 0 || arg.walk_end != arg.end) return false;
  for (long i = 0; i < n; ++i) {
    if ((regions[i].categories & kIsSwapped) != 0) return false;
    out.runs[i] = {reinterpret_cast<uint8_t*>(regions[i].start),
                   reinterpret_cast<uint8_t*>(regions[i].end)};
    out.pages += (regions[i].end - regions[i].start) / kPageBytes;
  }
  out.count = static_cast<size_t>(n);
  return out.pages <= max_pages;
}

bool WrittenPages::next_runs(uint8_t* start, uint8_t* end, Result& out, uint8_t*& resume) const {
  out.count = 0;
  out.pages = 0;
  resume = start;
  if (pagemap_ < 0) return false;
  if (start >= end) {
    resume = end;
    return true;
  }
  if (!ioctl_) return next_runs_pagemap(start, end, out, resume);
  std::array<PageRegion, kMaxRuns> regions;
  PmScanArg arg{};
  arg.size = sizeof arg;
  arg.start = reinterpret_cast<uint64_t>(start);
  arg.end = reinterpret_cast<uint64_t>(end);
  arg.vec = reinterpret_cast<uint64_t>(regions.data());
  arg.vec_len = regions.size();
  arg.category_anyof_mask = kIsPresent | kIsSwapped;  // max_pages 0: no limit
  arg.category_inverted = kIsPfnZero;
  arg.category_mask = kIsPfnZero;
  arg.return_mask = kIsPresent | kIsSwapped;
  long n = 0;
  do {
    n = ioctl(pagemap_, kPagemapScan, &arg);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return false;
  for (long i = 0; i < n; ++i) {
    out.runs[i] = {reinterpret_cast<uint8_t*>(regions[i].start),
                   reinterpret_cast<uint8_t*>(regions[i].end)};
    out.pages += (regions[i].end - regions[i].start) / kPageBytes;
  }
  out.count = static_cast<size_t>(n);
  // A full vector stops the walk; it goes on after the last run reported, so that no run the
  // vector had no room for is skipped.
  uint64_t next = arg.walk_end;
  if (out.count == kMaxRuns && regions[kMaxRuns - 1].end < next) next = regions[kMaxRuns - 1].end;
  if (next <= arg.start || next > arg.end) return false;  // no progress: do not loop
  resume = reinterpret_cast<uint8_t*>(next);
  return true;
}

bool WrittenPages::next_runs_pagemap(uint8_t* start, uint8_t* end, Result& out,
                                     uint8_t*& resume) const {
  const uint64_t pages = static_cast<uint64_t>(end - start) / kPageBytes;
  std::array<uint64_t, kPagemapChunk> entries;
  for (uint64_t first = 0; first < pages; first += kPagemapChunk) {
    const uint64_t count = pages - first < kPagemapChunk ? pages - first : kPagemapChunk;
    const auto offset =
        static_cast<off_t>((reinterpret_cast<uintptr_t>(start) / kPageBytes + first) * 8);
    const auto want = static_cast<ssize_t>(count * sizeof(uint64_t));
    if (pread(pagemap_, entries.data(), static_cast<size_t>(want), offset) != want) return false;
    for (uint64_t i = 0; i < count; ++i) {
      if ((entries[i] & (kEntryPresent | kEntrySwapped)) == 0) continue;
      uint8_t* page = start + (first + i) * kPageBytes;
      if (!add_page(page, out)) {
        resume = page;  // the runs are full: this page starts the next step
        return true;
      }
    }
  }
  resume = end;
  return true;
}

bool WrittenPages::scan_pagemap(uint8_t* base, uint64_t bytes, uint64_t max_pages,
                                Result& out) const {
  const uint64_t pages = bytes / kPageBytes;
  if (pages > kPagemapMaxPages) return false;
  std::array<uint64_t, kPagemapChunk> entries;
  for (uint64_t first = 0; first < pages; first += kPagemapChunk) {
    const uint64_t count = pages - first < kPagemapChunk ? pages - first : kPagemapChunk;
    const auto offset =
        static_cast<off_t>((reinterpret_cast<uintptr_t>(base) / kPageBytes + first) * 8);
    const auto want = static_cast<ssize_t>(count * sizeof(uint64_t));
    if (pread(pagemap_, entries.data(), static_cast<size_t>(want), offset) != want) return false;
    for (uint64_t i = 0; i < count; ++i) {
      if ((entries[i] & kEntrySwapped) != 0) return false;
      // Without CAP_SYS_ADMIN the frame number reads as 0, so the zero page cannot be told
      // apart here: it counts as written (zeroing it costs a page, never correctness).
      if ((entries[i] & kEntryPresent) == 0) continue;
      if (!add_page(base + (first + i) * kPageBytes, out) || out.pages > max_pages) return false;
    }
  }
  return true;
}

}  // namespace lunatic::engine
