// The test program's resident memory, for tests that many cycles of something keep it flat.
#pragma once

#include <cstdio>

namespace lunatic::testing {

/// Resident set size in KiB (from /proc/self/statm), or -1 if it cannot be read.
inline long resident_kib() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident < 0 ? -1 : resident * 4;
}

}  // namespace lunatic::testing
