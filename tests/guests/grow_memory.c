// grow_memory: allocates argv[1] MiB (default 32) and touches it; prints "allocated N MiB" and
// exits 0, or prints "allocation failed" and exits 3 (what --max-memory should cause).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The pointer escapes through this global, so the compiler cannot elide the allocation.
char* volatile keep;

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 32;
  char* p = malloc(mib << 20);
  keep = p;
  if (p == NULL) {
    printf("allocation failed\n");
    return 3;
  }
  memset(p, 1, mib << 20);
  printf("allocated %zu MiB, last byte %d\n", mib, keep[(mib << 20) - 1]);
  return 0;
}
