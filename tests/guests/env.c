// env: prints every environment variable, then the value of GREETING (or "(unset)").
#include <stdio.h>
#include <stdlib.h>

extern char** environ;

int main(void) {
  int count = 0;
  for (char** e = environ; *e != NULL; ++e, ++count) printf("%s\n", *e);
  const char* greeting = getenv("GREETING");
  printf("count=%d GREETING=%s\n", count, greeting != NULL ? greeting : "(unset)");
  return 0;
}
