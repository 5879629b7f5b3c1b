// stderr: writes one line to stdout and one to stderr, then exits with 3.
#include <stdio.h>

int main(void) {
  printf("to stdout\n");
  fprintf(stderr, "to stderr\n");
  return 3;
}
