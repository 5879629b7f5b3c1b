// WrittenPages: which OS pages of a range of our own anonymous memory hold data, read from the
// kernel's page tables (the PAGEMAP_SCAN ioctl where the kernel has it, else /proc/self/pagemap
// entries), so a released memory slot can be zeroed page by page instead of given back.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace lunatic::engine {

/// Finds the pages of a range that may hold nonzero bytes. Thread-safe after construction
/// (scan() only reads the page tables through a file descriptor opened once).
class WrittenPages {
 public:
  static constexpr uint64_t kPageBytes = 4096;
  /// At most this many separate runs of pages are reported; a range with more is "unknown".
  static constexpr size_t kMaxRuns = 32;

  /// A run [start, end) of pages with data.
  struct Run {
    uint8_t* start;
    uint8_t* end;
  };
  /// What scan() found: `runs[0..count)`, and their total in pages.
  struct Result {
    std::array<Run, kMaxRuns> runs;
    size_t count = 0;
    uint64_t pages = 0;
  };

  /// `allow_ioctl` false reads pagemap entries even where the ioctl works (for tests).
  explicit WrittenPages(bool allow_ioctl = true);
  ~WrittenPages();
  WrittenPages(const WrittenPages&) = delete;
  WrittenPages& operator=(const WrittenPages&) = delete;

  /// Fills `out` with the pages of [base, base + bytes) that may hold data: present pages
  /// other than the shared zero page (where the kernel can tell). False when that cannot be
  /// said cheaply and exactly: more than `max_pages` such pages or more than kMaxRuns runs, a
  /// page swapped out (or moving), no page tables to read. @pre base and bytes are multiples
  /// of kPageBytes and the range is private anonymous memory of this process.
  bool scan(uint8_t* base, uint64_t bytes, uint64_t max_pages, Result& out) const;

  /// One step of a walk over a range of any size: fills `out` with up to kMaxRuns runs of
  /// pages of [start, end) that may hold data (present or swapped out, not the shared zero
  /// page where the kernel can tell) and sets `resume` to where the walk goes on (`end` when
  /// it is done); no page of [start, resume) outside the runs holds data. False if the page
  /// tables cannot be read. @pre as scan().
  bool next_runs(uint8_t* start, uint8_t* end, Result& out, uint8_t*& resume) const;

  /// Runs one span_runs() step reports at most.
  static constexpr size_t kMaxSpanRuns = 256;
  using SpanRuns = std::array<Run, kMaxSpanRuns>;

  /// As next_runs(), with room for kMaxSpanRuns runs in `runs` (`count` of them filled): one
  /// system call finds the written pages of many slots side by side. Only with the ioctl: false
  /// where uses_ioctl() is.
  bool next_span_runs(uint8_t* start, uint8_t* end, SpanRuns& runs, size_t& count,
                      uint8_t*& resume) const;

  /// True if scan() uses the PAGEMAP_SCAN ioctl (Linux 6.7+) rather than pagemap reads.
  bool uses_ioctl() const { return ioctl_; }

 private:
  /// What a pagemap visitor tells the walk: go on, stop here (done), or give up.
  enum class Visit { next, stop, fail };

  bool scan_ioctl(uint8_t* base, uint64_t bytes, uint64_t max_pages, Result& out) const;
  bool scan_pagemap(uint8_t* base, uint64_t bytes, uint64_t max_pages, Result& out) const;
  bool next_runs_pagemap(uint8_t* start, uint8_t* end, Result& out, uint8_t*& resume) const;
  /// What one PAGEMAP_SCAN found: `count` runs of `pages` pages in all, `walk_end` where the
  /// kernel stopped, and whether a page was swapped out.
  struct IoctlWalk {
    size_t count = 0;
    uint64_t pages = 0;
    uint64_t walk_end = 0;
    bool swapped = false;
  };
  /// One PAGEMAP_SCAN of [start, end) for pages with data, at most `max_pages` (0: no limit),
  /// into `runs[0..capacity)` (capacity <= kMaxSpanRuns). False if the ioctl failed.
  bool ioctl_runs(uint64_t start, uint64_t end, uint64_t max_pages, Run* runs, size_t capacity,
                  IoctlWalk& walk) const;
  /// One step of a walk with the ioctl into `runs[0..capacity)`: fills `walk` and sets `resume`
  /// (see next_runs()). False if the ioctl failed or made no progress.
  bool ioctl_step(uint8_t* start, uint8_t* end, Run* runs, size_t capacity, IoctlWalk& walk,
                  uint8_t*& resume) const;
  /// Reads the pagemap entries of `pages` pages from `start`, chunk by chunk, and calls
  /// `visit(page, entry)` for each until it says stop or fail. False on fail or a short read.
  template <class Visitor>
  bool for_each_pagemap_entry(uint8_t* start, uint64_t pages, Visitor visit) const;

  int pagemap_ = -1;  ///< /proc/self/pagemap, or -1 (unreadable: scan() is always false)
  bool ioctl_ = false;
};

}  // namespace lunatic::engine
