// hostile: makes one WASI call, chosen by argv[1], with a pointer (or length) reaching past
// the end of memory. Each must trap with "out of bounds memory access"; if the call returns
// instead, this prints "returned N" and exits 1.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define PAST_END ((void*)0xfffffff0u)

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  __wasi_size_t size = 0;
  __wasi_errno_t r = 0;
  static uint8_t buf[16];
  if (strcmp(mode, "args_get") == 0) {
    r = __wasi_args_get(PAST_END, buf);
  } else if (strcmp(mode, "args_get_buf") == 0) {
    static uint8_t* table[8];
    r = __wasi_args_get(table, PAST_END);
  } else if (strcmp(mode, "args_sizes_get") == 0) {
    r = __wasi_args_sizes_get(&size, PAST_END);
  } else if (strcmp(mode, "environ_get") == 0) {
    r = __wasi_environ_get(PAST_END, buf);
  } else if (strcmp(mode, "environ_sizes_get") == 0) {
    r = __wasi_environ_sizes_get(PAST_END, &size);
  } else if (strcmp(mode, "random_get") == 0) {
    r = __wasi_random_get(buf, 0x7fffffffu);  // starts inside memory, ends far past it
  } else if (strcmp(mode, "clock_time_get") == 0) {
    r = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, PAST_END);
  } else if (strcmp(mode, "clock_res_get") == 0) {
    r = __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, PAST_END);
  } else if (strcmp(mode, "fd_fdstat_get") == 0) {
    r = __wasi_fd_fdstat_get(1, PAST_END);
  } else if (strcmp(mode, "fd_write_nwritten") == 0) {
    __wasi_ciovec_t iov = {(const uint8_t*)"x", 1};
    r = __wasi_fd_write(1, &iov, 1, PAST_END);
  } else if (strcmp(mode, "fd_write_buffer") == 0) {
    __wasi_ciovec_t iov = {(const uint8_t*)PAST_END, 100};
    r = __wasi_fd_write(1, &iov, 1, &size);
  } else {
    printf("unknown mode\n");
    return 2;
  }
  printf("returned %d\n", (int)r);
  return 1;
}
