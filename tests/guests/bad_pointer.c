// bad_pointer: calls fd_write with an iovec array past the end of memory: the host must trap
// with "out of bounds memory access" instead of reading outside the guest.
#include <wasi/api.h>

int main(void) {
  __wasi_size_t written = 0;
  const __wasi_ciovec_t* bad = (const __wasi_ciovec_t*)0xfffffff0u;
  return (int)__wasi_fd_write(1, bad, 1, &written);
}
