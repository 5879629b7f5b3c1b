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
  } else if (strcmp(mode, "fd_read_buffer") == 0) {
    __wasi_iovec_t iov = {(uint8_t*)PAST_END, 100};
    r = __wasi_fd_read(0, &iov, 1, &size);
  } else if (strcmp(mode, "fd_read_iovs") == 0) {
    r = __wasi_fd_read(0, (const __wasi_iovec_t*)buf, 0x10000000u, &size);
  } else if (strcmp(mode, "fd_pwrite_buffer") == 0) {
    __wasi_ciovec_t iov = {(const uint8_t*)buf, 0x7fffffffu};
    r = __wasi_fd_pwrite(1, &iov, 1, 0, &size);
  } else if (strcmp(mode, "path_open_path") == 0) {
    __wasi_fd_t fd = 0;
    r = __wasi_path_open(3, 0, (const char*)PAST_END, 0, 0, 0, 0, &fd);
  } else if (strcmp(mode, "path_open_fd_out") == 0) {
    r = __wasi_path_open(3, 0, ".", 0, 0, 0, 0, PAST_END);
  } else if (strcmp(mode, "fd_readdir_buf") == 0) {
    r = __wasi_fd_readdir(3, (uint8_t*)buf, 0x7fffffffu, 0, &size);
  } else if (strcmp(mode, "fd_prestat_dir_name") == 0) {
    r = __wasi_fd_prestat_dir_name(3, (uint8_t*)PAST_END, 100);
  } else if (strcmp(mode, "path_filestat_get") == 0) {
    r = __wasi_path_filestat_get(3, 0, ".", PAST_END);
  } else if (strcmp(mode, "path_readlink_buf") == 0) {
    r = __wasi_path_readlink(3, "x", (uint8_t*)PAST_END, 100, &size);
  } else if (strcmp(mode, "poll_oneoff_in") == 0) {
    static __wasi_event_t ev[1];
    r = __wasi_poll_oneoff(PAST_END, ev, 1, &size);
  } else if (strcmp(mode, "poll_oneoff_out") == 0) {
    static __wasi_subscription_t sub[1];
    r = __wasi_poll_oneoff(sub, PAST_END, 1, &size);
  } else if (strcmp(mode, "fd_filestat_get") == 0) {
    r = __wasi_fd_filestat_get(1, PAST_END);
  } else {
    printf("unknown mode\n");
    return 2;
  }
  printf("returned %d\n", (int)r);
  return 1;
}
