// The preview1 functions as typed host functions (internal to host/wasi; define.cpp binds
// them). docs/guest-abi.md documents each one's Arguments / Returns / Traps.
#pragma once

#include "host/wasi/support.hpp"

namespace lunatic::host::wasi {

// args_env.cpp
WasiResult args_get(CallContext& ctx, uint32_t argv, uint32_t argv_buf);
WasiResult args_sizes_get(CallContext& ctx, GuestPtr<uint32_t> argc, GuestPtr<uint32_t> size);
WasiResult environ_get(CallContext& ctx, uint32_t environ, uint32_t environ_buf);
WasiResult environ_sizes_get(CallContext& ctx, GuestPtr<uint32_t> count, GuestPtr<uint32_t> size);

// clock_proc.cpp
WasiResult clock_res_get(CallContext& ctx, uint32_t id, GuestPtr<uint64_t> out);
WasiResult clock_time_get(CallContext& ctx, uint32_t id, uint64_t precision,
                          GuestPtr<uint64_t> out);
WasiResult random_get(CallContext& ctx, GuestMutSpan<uint8_t> buf);
HostResult<void> proc_exit(CallContext& ctx, uint32_t code);
WasiResult proc_raise(CallContext& ctx, uint32_t signal);
WasiResult sched_yield(CallContext& ctx);

// fd_io.cpp
WasiResult fd_read(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs,
                   GuestPtr<uint32_t> nread);
WasiResult fd_write(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs,
                    GuestPtr<uint32_t> nwritten);
WasiResult fd_pread(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs, uint64_t offset,
                    GuestPtr<uint32_t> nread);
WasiResult fd_pwrite(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> iovs, uint64_t offset,
                     GuestPtr<uint32_t> nwritten);
WasiResult fd_seek(CallContext& ctx, uint32_t fd, int64_t offset, uint32_t whence,
                   GuestPtr<uint64_t> newoffset);
WasiResult fd_tell(CallContext& ctx, uint32_t fd, GuestPtr<uint64_t> offset);
WasiResult fd_close(CallContext& ctx, uint32_t fd);
WasiResult fd_sync(CallContext& ctx, uint32_t fd);
WasiResult fd_datasync(CallContext& ctx, uint32_t fd);
WasiResult fd_advise(CallContext& ctx, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice);
WasiResult fd_allocate(CallContext& ctx, uint32_t fd, uint64_t offset, uint64_t len);
WasiResult fd_renumber(CallContext& ctx, uint32_t from, uint32_t to);

// fd_stat.cpp
WasiResult fd_fdstat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Fdstat> out);
WasiResult fd_fdstat_set_flags(CallContext& ctx, uint32_t fd, uint32_t flags);
WasiResult fd_fdstat_set_rights(CallContext& ctx, uint32_t fd, uint64_t base, uint64_t inheriting);
WasiResult fd_filestat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Filestat> out);
WasiResult fd_filestat_set_size(CallContext& ctx, uint32_t fd, uint64_t size);
WasiResult fd_filestat_set_times(CallContext& ctx, uint32_t fd, uint64_t atim, uint64_t mtim,
                                 uint32_t fst_flags);
WasiResult fd_prestat_get(CallContext& ctx, uint32_t fd, GuestPtr<abi::Prestat> out);
WasiResult fd_prestat_dir_name(CallContext& ctx, uint32_t fd, GuestMutSpan<uint8_t> path);

// fd_readdir.cpp
WasiResult fd_readdir(CallContext& ctx, uint32_t fd, GuestMutSpan<uint8_t> buf, uint64_t cookie,
                      GuestPtr<uint32_t> bufused);

// path_open.cpp
WasiResult path_open(CallContext& ctx, uint32_t fd, uint32_t dirflags, GuestSpan<uint8_t> path,
                     uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting,
                     uint32_t fdflags, GuestPtr<uint32_t> opened);

// path_ops.cpp
WasiResult path_create_directory(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path);
WasiResult path_remove_directory(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path);
WasiResult path_unlink_file(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path);
WasiResult path_rename(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> old_path, uint32_t new_fd,
                       GuestSpan<uint8_t> new_path);
WasiResult path_filestat_get(CallContext& ctx, uint32_t fd, uint32_t flags, GuestSpan<uint8_t> path,
                             GuestPtr<abi::Filestat> out);
WasiResult path_filestat_set_times(CallContext& ctx, uint32_t fd, uint32_t flags,
                                   GuestSpan<uint8_t> path, uint64_t atim, uint64_t mtim,
                                   uint32_t fst_flags);
WasiResult path_symlink(CallContext& ctx, GuestSpan<uint8_t> old_path, uint32_t fd,
                        GuestSpan<uint8_t> new_path);
WasiResult path_readlink(CallContext& ctx, uint32_t fd, GuestSpan<uint8_t> path,
                         GuestMutSpan<uint8_t> buf, GuestPtr<uint32_t> bufused);
WasiResult path_link(CallContext& ctx, uint32_t old_fd, uint32_t old_flags,
                     GuestSpan<uint8_t> old_path, uint32_t new_fd, GuestSpan<uint8_t> new_path);

// poll_sock.cpp
WasiResult poll_oneoff(CallContext& ctx, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                       GuestPtr<uint32_t> nevents);
// sock_io.cpp. Socket fds come from --tcplisten and sock_accept; a blocking fd parks the
// process on the reactor where a NONBLOCK one returns AGAIN (docs/guest-abi.md, Sockets).
/// sock_accept. Arguments: a listening socket fd, the new fd's fdflags (NONBLOCK only: it also
/// makes this call return AGAIN instead of parking), the new fd's out-pointer. Returns errno
/// (BADF, NOTSOCK, NOTCAPABLE, INVAL, MFILE, AGAIN). Traps: `out` outside memory.
WasiResult sock_accept(CallContext& ctx, uint32_t fd, uint32_t flags, GuestPtr<uint32_t> out);
/// sock_recv. Arguments: a connected socket fd, iovecs (at most 1024), riflags (RECV_PEEK,
/// RECV_WAITALL), out-pointers for the byte count and roflags. Returns errno (BADF, NOTSOCK,
/// NOTCAPABLE, INVAL, AGAIN, CONNRESET ...). Traps: an iovec or out-pointer outside memory.
WasiResult sock_recv(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> ri_data,
                     uint32_t ri_flags, GuestPtr<uint32_t> ro_datalen, GuestPtr<uint16_t> ro_flags);
/// sock_send. Arguments: a connected socket fd, ciovecs (at most 1024), siflags (must be 0),
/// the byte count's out-pointer. Returns errno (BADF, NOTSOCK, NOTCAPABLE, INVAL, AGAIN, PIPE
/// ...). Traps: a ciovec or the out-pointer outside memory.
WasiResult sock_send(CallContext& ctx, uint32_t fd, GuestSpan<abi::Iovec> si_data,
                     uint32_t si_flags, GuestPtr<uint32_t> so_datalen);
/// sock_shutdown. Arguments: a socket fd, how (RD 1, WR 2, both 3). Returns errno (BADF,
/// NOTSOCK, NOTCAPABLE, INVAL, NOTCONN). Never traps.
WasiResult sock_shutdown(CallContext& ctx, uint32_t fd, uint32_t how);

// sock_io.cpp: the data path of socket fds, shared by sock_recv/sock_send and fd_read/fd_write
// (`e` is a socket entry whose rights the caller checked).
WasiResult socket_recv(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       uint32_t flags, GuestPtr<uint32_t> datalen,
                       const GuestPtr<uint16_t>* roflags);
WasiResult socket_send(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       GuestPtr<uint32_t> datalen);

// stdio_io.cpp: fd_read/fd_write on a stdio entry with a stream (`e.stream` set; the caller
// checked the rights). Park while the stream would block, unless `e.nonblock`.
WasiResult stream_read(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                       GuestPtr<uint32_t> nread);
WasiResult stream_write(CallContext& ctx, FdEntry& e, const GuestSpan<abi::Iovec>& iovs,
                        GuestPtr<uint32_t> nwritten);

}  // namespace lunatic::host::wasi
