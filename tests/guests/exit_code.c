// exit_code: exits through exit() (proc_exit) with the code given as argv[1]; with no argument,
// main returns 0 and _start returns normally.
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc > 1) exit(atoi(argv[1]));
  return 0;
}
