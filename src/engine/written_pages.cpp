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

bool WrittenPages::ioctl_runs(uint64_t start, uint64_t end, uint64_t max_pages, Run* runs,
                              size_t capacity, IoctlWalk& walk) const {
  std::array<PageRegion, kMaxSpanRuns> regions;
  PmScanArg arg{};
  arg.size = sizeof arg;
  arg.start = start;
  arg.end = end;
  arg.vec = reinterpret_cast<uint64_t>(regions.data());
  arg.vec_len = capacity < regions.size() ? capacity : regions.size();
  arg.max_pages = max_pages;
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
  if (n < 0) return false;
  walk = IoctlWalk{};
  for (long i = 0; i < n; ++i) {
    walk.swapped = walk.swapped || (regions[i].categories & kIsSwapped) != 0;
    runs[i] = {reinterpret_cast<uint8_t*>(regions[i].start),
               reinterpret_cast<uint8_t*>(regions[i].end)};
    walk.pages += (regions[i].end - regions[i].start) / kPageBytes;
  }
  walk.count = static_cast<size_t>(n);
  walk.walk_end = arg.walk_end;
  return true;
}

template <class Visitor>
bool WrittenPages::for_each_pagemap_entry(uint8_t* start, uint64_t pages, Visitor visit) const {
  std::array<uint64_t, kPagemapChunk> entries;
  for (uint64_t first = 0; first < pages; first += kPagemapChunk) {
    const uint64_t count = pages - first < kPagemapChunk ? pages - first : kPagemapChunk;
    const auto offset =
        static_cast<off_t>((reinterpret_cast<uintptr_t>(start) / kPageBytes + first) * 8);
    const auto want = static_cast<ssize_t>(count * sizeof(uint64_t));
    if (pread(pagemap_, entries.data(), static_cast<size_t>(want), offset) != want) return false;
    for (uint64_t i = 0; i < count; ++i) {
      switch (visit(start + (first + i) * kPageBytes, entries[i])) {
        case Visit::next: break;
        case Visit::stop: return true;
        case Visit::fail: return false;
      }
    }
  }
  return true;
}

bool WrittenPages::scan_ioctl(uint8_t* base, uint64_t bytes, uint64_t max_pages,
                              Result& out) const {
  const auto start = reinterpret_cast<uint64_t>(base);
  IoctlWalk walk;
  // One page past the limit: finding it is how we learn there are too many. The walk stops
  // early when the runs or max_pages run out: then there are too many.
  if (!ioctl_runs(start, start + bytes, max_pages + 1, out.runs.data(), kMaxRuns, walk)) {
    return false;
  }
  out.count = walk.count;
  out.pages = walk.pages;
  return walk.walk_end == start + bytes && !walk.swapped && out.pages <= max_pages;
}

bool WrittenPages::ioctl_step(uint8_t* start, uint8_t* end, Run* runs, size_t capacity,
                              IoctlWalk& walk, uint8_t*& resume) const {
  const auto from = reinterpret_cast<uint64_t>(start);
  const auto to = reinterpret_cast<uint64_t>(end);
  // Swapped pages count as data here.
  if (!ioctl_runs(from, to, 0, runs, capacity, walk)) return false;
  uint64_t next = walk.walk_end;
  // A full vector stops the walk; it goes on after the last run reported, so that no run the
  // vector had no room for is skipped.
  if (walk.count == capacity) {
    const auto last_end = reinterpret_cast<uint64_t>(runs[capacity - 1].end);
    if (last_end < next) next = last_end;
  }
  if (next <= from || next > to) return false;  // no progress: do not loop
  resume = reinterpret_cast<uint8_t*>(next);
  return true;
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
  IoctlWalk walk;
  if (!ioctl_step(start, end, out.runs.data(), kMaxRuns, walk, resume)) return false;
  out.count = walk.count;
  out.pages = walk.pages;
  return true;
}

bool WrittenPages::next_span_runs(uint8_t* start, uint8_t* end, SpanRuns& runs, size_t& count,
                                  uint8_t*& resume) const {
  count = 0;
  resume = start;
  if (pagemap_ < 0 || !ioctl_) return false;
  if (start >= end) {
    resume = end;
    return true;
  }
  IoctlWalk walk;
  if (!ioctl_step(start, end, runs.data(), runs.size(), walk, resume)) return false;
  count = walk.count;
  return true;
}

bool WrittenPages::next_runs_pagemap(uint8_t* start, uint8_t* end, Result& out,
                                     uint8_t*& resume) const {
  resume = end;
  const uint64_t pages = static_cast<uint64_t>(end - start) / kPageBytes;
  return for_each_pagemap_entry(start, pages, [&](uint8_t* page, uint64_t entry) {
    if ((entry & (kEntryPresent | kEntrySwapped)) == 0) return Visit::next;
    if (add_page(page, out)) return Visit::next;
    resume = page;  // the runs are full: this page starts the next step
    return Visit::stop;
  });
}

bool WrittenPages::scan_pagemap(uint8_t* base, uint64_t bytes, uint64_t max_pages,
                                Result& out) const {
  const uint64_t pages = bytes / kPageBytes;
  if (pages > kPagemapMaxPages) return false;
  return for_each_pagemap_entry(base, pages, [&](uint8_t* page, uint64_t entry) {
    if ((entry & kEntrySwapped) != 0) return Visit::fail;
    // Without CAP_SYS_ADMIN the frame number reads as 0, so the zero page cannot be told
    // apart here: it counts as written (zeroing it costs a page, never correctness).
    if ((entry & kEntryPresent) == 0) return Visit::next;
    return add_page(page, out) && out.pages <= max_pages ? Visit::next : Visit::fail;
  });
}

}  // namespace lunatic::engine
