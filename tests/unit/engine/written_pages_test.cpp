// WrittenPages and PageReturner: the written pages of a range as the page tables tell them,
// and giving ranges back in one batch.
#include "engine/written_pages.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "engine/page_returner.hpp"

namespace lunatic::engine {
namespace {

constexpr uint64_t kPage = WrittenPages::kPageBytes;

class Region {
 public:
  explicit Region(uint64_t pages) : bytes_(pages * kPage) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~Region() {
    if (base_ != nullptr) munmap(base_, bytes_);
  }
  uint8_t* page(uint64_t i) const { return base_ + i * kPage; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_;
  uint8_t* base_;
};

class WrittenPagesBothWays : public ::testing::TestWithParam<bool> {};

TEST_P(WrittenPagesBothWays, FindsTheWrittenRunsOfARange) {
  WrittenPages written(GetParam());
  Region r(64);
  ASSERT_NE(r.page(0), nullptr);
  r.page(2)[0] = 1;
  r.page(3)[100] = 1;
  r.page(40)[4095] = 1;
  WrittenPages::Result out;
  ASSERT_TRUE(written.scan(r.page(0), r.bytes(), 64, out));
  ASSERT_EQ(out.count, 2u);
  EXPECT_EQ(out.pages, 3u);
  EXPECT_EQ(out.runs[0].start, r.page(2));
  EXPECT_EQ(out.runs[0].end, r.page(4));
  EXPECT_EQ(out.runs[1].start, r.page(40));
  EXPECT_EQ(out.runs[1].end, r.page(41));
}

TEST_P(WrittenPagesBothWays, SaysUnknownPastTheLimit) {
  WrittenPages written(GetParam());
  Region r(64);
  for (uint64_t i = 0; i < 10; ++i) r.page(i)[0] = 1;
  WrittenPages::Result out;
  EXPECT_FALSE(written.scan(r.page(0), r.bytes(), 9, out));
  EXPECT_TRUE(written.scan(r.page(0), r.bytes(), 10, out));
  EXPECT_EQ(out.pages, 10u);
  // More separate runs than kMaxRuns: unknown too.
  Region sparse(2 * WrittenPages::kMaxRuns + 2);
  for (uint64_t i = 0; i <= WrittenPages::kMaxRuns; ++i) sparse.page(2 * i)[0] = 1;
  EXPECT_FALSE(written.scan(sparse.page(0), sparse.bytes(), 1000, out));
}

// true: the PAGEMAP_SCAN ioctl where the kernel has it; false: pagemap entries.
// next_runs walks a range of any size in steps of at most kMaxRuns runs: every written page
// is in exactly one step's runs, whatever the number of runs.
TEST_P(WrittenPagesBothWays, WalksARangeWithMoreRunsThanAStepHolds) {
  WrittenPages written(GetParam());
  constexpr uint64_t kPages = 4 * WrittenPages::kMaxRuns * 2 + 8;
  Region r(kPages);
  ASSERT_NE(r.page(0), nullptr);
  std::vector<bool> want(kPages, false);
  for (uint64_t i = 1; i < kPages; i += 2) {  // 4 * kMaxRuns + 3 runs of one page
    r.page(i)[17] = 1;
    want[i] = true;
  }
  r.page(kPages - 2)[0] = 1;  // joins the last page's run
  want[kPages - 2] = true;
  std::vector<int> seen(kPages, 0);
  uint8_t* at = r.page(0);
  uint8_t* const end = r.page(0) + r.bytes();
  int steps = 0;
  while (at < end) {
    WrittenPages::Result out;
    uint8_t* resume = nullptr;
    ASSERT_TRUE(written.next_runs(at, end, out, resume));
    ASSERT_GT(resume, at);
    ASSERT_LE(out.count, WrittenPages::kMaxRuns);
    for (size_t i = 0; i < out.count; ++i) {
      ASSERT_GE(out.runs[i].start, at);
      ASSERT_LE(out.runs[i].end, resume);
      for (uint8_t* p = out.runs[i].start; p < out.runs[i].end; p += kPage) {
        ++seen[static_cast<size_t>((p - r.page(0)) / static_cast<ptrdiff_t>(kPage))];
      }
    }
    at = resume;
    ++steps;
  }
  EXPECT_GE(steps, 5);
  for (uint64_t i = 0; i < kPages; ++i) EXPECT_EQ(seen[i], want[i] ? 1 : 0) << "page " << i;
}

INSTANTIATE_TEST_SUITE_P(IoctlOrPagemap, WrittenPagesBothWays, ::testing::Bool());

// Whether the page at `p` is mapped exclusively by this process (pagemap's bit 56): a page of
// its own, not the shared zero page.
bool page_of_its_own(const uint8_t* p) {
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  uint64_t entry = 0;
  const off_t at = static_cast<off_t>(reinterpret_cast<uintptr_t>(p) / kPage * sizeof entry);
  const bool read_ok = fd >= 0 && pread(fd, &entry, sizeof entry, at) == sizeof entry;
  if (fd >= 0) close(fd);
  EXPECT_TRUE(read_ok);
  return (entry >> 56) & 1;
}

// A read fault maps the shared zero page on most kernels, and then the page is not written;
// some kernels (the 6.18 of these VMs among them) give the page a frame of its own instead,
// and then it is reported, as any page that could hold data must be.
TEST(WrittenPages, APageOnlyReadIsNotWrittenWhereTheKernelTells) {
  WrittenPages written;
  if (!written.uses_ioctl()) GTEST_SKIP() << "no PAGEMAP_SCAN (Linux < 6.7)";
  Region r(8);
  EXPECT_EQ(static_cast<volatile uint8_t*>(r.page(1))[0], 0);
  WrittenPages::Result out;
  ASSERT_TRUE(written.scan(r.page(0), r.bytes(), 8, out));
  EXPECT_EQ(out.pages, page_of_its_own(r.page(1)) ? 1u : 0u);
}

TEST(PageReturner, GivesBackEveryRangeOfABatch) {
  PageReturner returner;
  Region r(32);
  std::fill(r.page(0), r.page(32), uint8_t{7});
  iovec ranges[3] = {{r.page(0), 4 * kPage}, {r.page(10), kPage}, {r.page(20), 12 * kPage}};
  returner.give_back(ranges, 3);
  unsigned char resident[32];
  ASSERT_EQ(mincore(r.page(0), r.bytes(), resident), 0);
  for (uint64_t i = 0; i < 32; ++i) {
    const bool returned = i < 4 || i == 10 || (i >= 20 && i < 32);
    EXPECT_EQ((resident[i] & 1) == 0, returned) << "page " << i;
    EXPECT_EQ(r.page(i)[5], returned ? 0 : 7) << "page " << i;
  }
}

}  // namespace
}  // namespace lunatic::engine
