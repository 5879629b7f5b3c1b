// trap: prints a line, then traps ("unreachable") two named calls deep, so the backtrace shows
// crash_here <- middle_frame <- main.
#include <stdio.h>

__attribute__((noinline)) static void crash_here(int depth) {
  if (depth >= 0) __builtin_trap();
}

__attribute__((noinline)) static void middle_frame(int depth) {
  crash_here(depth + 1);
  printf("not reached\n");
}

int main(int argc, char** argv) {
  (void)argv;
  printf("about to trap\n");
  fflush(stdout);
  middle_frame(argc);
  return 0;
}
