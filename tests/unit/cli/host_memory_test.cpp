// The default of --max-memory-total: cgroup limit files parsed, and the share of the memory
// available that the root environment gets.
#include "cli/host_memory.hpp"

#include <gtest/gtest.h>

namespace lunatic::cli {
namespace {

TEST(HostMemory, CgroupLimitFiles) {
  EXPECT_EQ(parse_cgroup_limit("536870912\n"), std::optional<uint64_t>(536870912));
  EXPECT_EQ(parse_cgroup_limit("max\n"), std::nullopt);                  // v2: no limit
  EXPECT_EQ(parse_cgroup_limit("9223372036854771712\n"), std::nullopt);  // v1: no limit
  EXPECT_EQ(parse_cgroup_limit(""), std::nullopt);
  EXPECT_EQ(parse_cgroup_limit("12ab"), std::nullopt);
}

TEST(HostMemory, DefaultIsThreeQuartersOfWhatIsAvailable) {
  EXPECT_EQ(default_memory_total(uint64_t{4} << 30), uint64_t{3} << 30);
  EXPECT_EQ(default_memory_total(0), UINT64_MAX);  // nothing known: no limit
  // This machine has some memory, and the answer is no more than physical memory.
  EXPECT_GT(available_host_memory(), 0u);
}

}  // namespace
}  // namespace lunatic::cli
