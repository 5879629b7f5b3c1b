// hello: the first lunatic guest. Prints a greeting and its arguments, then exits with 0.
//   lunatic run hello.wasm Ada Lovelace
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello from a lunatic process!\n");
  printf("I was started with %d argument%s:\n", argc, argc == 1 ? "" : "s");
  for (int i = 0; i < argc; ++i) printf("  argv[%d] = %s\n", i, argv[i]);
  return 0;
}
