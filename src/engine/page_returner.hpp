// PageReturner: gives ranges of anonymous pages back to the system (MADV_DONTNEED), many ranges
// in one system call, so that the TLB shootdown each release costs (an interrupt to every other
// CPU running this process) is paid once per batch rather than once per range.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <cstddef>

namespace lunatic::engine {

/// Thread-safe.
class PageReturner {
 public:
  PageReturner();
  ~PageReturner();
  PageReturner(const PageReturner&) = delete;
  PageReturner& operator=(const PageReturner&) = delete;

  /// MADV_DONTNEED over each of `ranges[0..count)` (page-aligned private anonymous memory of
  /// this process): afterwards they read as zero and hold no pages. One process_madvise for
  /// them all where the kernel allows it on our own process (Linux 6.13+ batches the TLB
  /// flush), else an madvise each; a range neither call could reset is zeroed by hand.
  void give_back(const iovec* ranges, size_t count);

  /// True while give_back() uses process_madvise (false once the kernel refused it).
  bool batched() const { return pidfd_ >= 0 && batched_.load(std::memory_order_relaxed); }

 private:
  int pidfd_ = -1;  ///< a pidfd of this process, or -1 (no pidfd_open: madvise each)
  std::atomic<bool> batched_{true};
};

}  // namespace lunatic::engine
