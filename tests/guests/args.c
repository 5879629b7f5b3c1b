// args: prints argc and each argument on its own line, bracketed to show empty arguments.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; ++i) printf("[%s]\n", argv[i]);
  return 0;
}
