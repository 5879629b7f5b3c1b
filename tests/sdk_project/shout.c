/* A C part of the user's guest: upper-cases ASCII in place. */
#include <ctype.h>
#include <stddef.h>

void shout(char* text, size_t size) {
  for (size_t i = 0; i < size; ++i) text[i] = (char)toupper((unsigned char)text[i]);
}
