// define_functions: every wasi_snapshot_preview1 function, bound by name on the linker. The
// C++ signatures (functions.hpp) give the Wasm types, which match wasi-libc's imports.
#include "host/wasi/functions.hpp"

namespace lunatic::host::wasi {

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("args_get", &args_get)
      .define("args_sizes_get", &args_sizes_get)
      .define("environ_get", &environ_get)
      .define("environ_sizes_get", &environ_sizes_get)
      .define("clock_res_get", &clock_res_get)
      .define("clock_time_get", &clock_time_get)
      .define("fd_advise", &fd_advise)
      .define("fd_allocate", &fd_allocate)
      .define("fd_close", &fd_close)
      .define("fd_datasync", &fd_datasync)
      .define("fd_fdstat_get", &fd_fdstat_get)
      .define("fd_fdstat_set_flags", &fd_fdstat_set_flags)
      .define("fd_fdstat_set_rights", &fd_fdstat_set_rights)
      .define("fd_filestat_get", &fd_filestat_get)
      .define("fd_filestat_set_size", &fd_filestat_set_size)
      .define("fd_filestat_set_times", &fd_filestat_set_times)
      .define("fd_pread", &fd_pread)
      .define("fd_prestat_get", &fd_prestat_get)
      .define("fd_prestat_dir_name", &fd_prestat_dir_name)
      .define("fd_pwrite", &fd_pwrite)
      .define("fd_read", &fd_read)
      .define("fd_readdir", &fd_readdir)
      .define("fd_renumber", &fd_renumber)
      .define("fd_seek", &fd_seek)
      .define("fd_sync", &fd_sync)
      .define("fd_tell", &fd_tell)
      .define("fd_write", &fd_write)
      .define("path_create_directory", &path_create_directory)
      .define("path_filestat_get", &path_filestat_get)
      .define("path_filestat_set_times", &path_filestat_set_times)
      .define("path_link", &path_link)
      .define("path_open", &path_open)
      .define("path_readlink", &path_readlink)
      .define("path_remove_directory", &path_remove_directory)
      .define("path_rename", &path_rename)
      .define("path_symlink", &path_symlink)
      .define("path_unlink_file", &path_unlink_file)
      .define("poll_oneoff", &poll_oneoff)
      .define("proc_exit", &proc_exit)
      .define("proc_raise", &proc_raise)
      .define("random_get", &random_get)
      .define("sched_yield", &sched_yield)
      .define("sock_accept", &sock_accept)
      .define("sock_recv", &sock_recv)
      .define("sock_send", &sock_send)
      .define("sock_shutdown", &sock_shutdown);
}

}  // namespace lunatic::host::wasi
