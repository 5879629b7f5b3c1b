// wasi_snapshot_preview1 for lunatic: the per-process WasiContext (arguments, environment, the
// fd table with its preopened directories) and the definition of every preview1 function on
// the typed binding layer (docs/guest-abi.md documents each).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binding/linker.hpp"
#include "binding/pending_call.hpp"
#include "common/result.hpp"
#include "host/wasi/errno.hpp"
#include "host/wasi/fd_table.hpp"

namespace lunatic::runtime {
class Process;
}

namespace lunatic::host::wasi {

/// The name of the namespace modules import from.
inline constexpr std::string_view kModuleName = "wasi_snapshot_preview1";

/// The WASI state of one process: what it was started with and the files it holds open.
/// Each process owns one; a spawned process gets a new one (its own fd table: it never sees
/// its parent's open files unless the runtime passes them explicitly). Not thread safe: one
/// process runs one host call at a time.
class WasiContext {
 public:
  WasiContext() = default;
  WasiContext(const WasiContext&) = delete;
  WasiContext& operator=(const WasiContext&) = delete;

  std::vector<std::string> args;  ///< argv as the guest sees it, argv[0] included
  std::vector<std::string> env;   ///< "KEY=VALUE" entries, in order

  FdTable& fds() { return fds_; }
  const FdTable& fds() const { return fds_; }

  /// Installs guest fds 0, 1 and 2, borrowing host fds `in`, `out`, `err` (never closed by
  /// the guest: its fd_close only drops its own view). Rights follow the host file type.
  void add_stdio(int in = 0, int out = 1, int err = 2);
  /// Installs guest fd `guest_fd` (0, 1 or 2) as add_stdio() does, borrowing `host_fd` whose
  /// file type the caller already knows: `type` is its st_mode (only S_IFMT counts), or 0 for
  /// unknown. For a caller that looked the type up once for many contexts (the runtime's
  /// processes: StdioStreams), so that a context costs no fstat.
  void add_stdio_fd(uint32_t guest_fd, int host_fd, mode_t type);

  /// Opens host directory `host_path` and installs it at the lowest free guest fd as a
  /// preopen named `guest_name` (what fd_prestat_dir_name reports: wasi-libc resolves the
  /// guest's paths against these names). Returns the guest fd, or a Phase::Host error naming
  /// the path (missing, not a directory, table full).
  Result<uint32_t> preopen(const std::string& host_path, std::string guest_name);

  /// Installs `socket` (a listening socket when `listener`, else a connected stream) at the
  /// lowest free guest fd, filetype SOCKET_STREAM, FDFLAGS_NONBLOCK as `nonblock`. Returns the
  /// guest fd, or Mfile when the table is full (the socket is then released).
  Errno add_socket(std::shared_ptr<shared::Socket> socket, bool listener, bool nonblock,
                   uint32_t* fd_out);

  /// The entry of guest fd `fd` holding all of `rights`: Badf if `fd` is not open,
  /// Notcapable if it lacks a right. `rights` may be 0 (any open fd).
  Errno lookup(uint32_t fd, uint64_t rights, FdEntry** out) const;

  /// The entry of directory fd `fd` for a path_* call needing `rights`, checked in the order
  /// preview1 implementations report: Badf if `fd` is not open, Notdir if it is open but not
  /// a directory (as openat(2) answers for a file fd), Notcapable if it lacks a right.
  Errno lookup_dir(uint32_t fd, uint64_t rights, FdEntry** out) const;

 private:
  FdTable fds_;
};

/// What the WASI functions need of the embedder's per-process object: it derives from
/// WasiHost (a binding::HostContext) and is attached to the process's engine::Thread with
/// binding::attach(). A call from a thread with no host context attached traps
/// ("... called without a WASI context").
class WasiHost : public binding::HostContext {
 public:
  virtual WasiContext& wasi() = 0;

 protected:
  ~WasiHost() = default;
};

/// The simplest WasiHost: a process that owns its WasiContext (tests', an embedder's that runs
/// WASI code on engine::Thread::call). It has no scheduler: a poll_oneoff that must wait for a
/// clock sleeps the calling thread instead of parking, and sched_yield returns at once.
class WasiProcess final : public WasiHost {
 public:
  WasiContext& wasi() override { return context_; }

 private:
  WasiContext context_;
};

/// The WASI state of a runtime process (kept in Process::local), created on its first use
/// with stdio at fds 0, 1 and 2 and nothing else: a spawned process has no arguments, no
/// environment and no preopened directories. The CLI fills the root's in the `prepare`
/// hook of Runtime::spawn_root.
/// Owner-only, like Process::local.
WasiContext& process_wasi(runtime::Process& process);

/// Defines every wasi_snapshot_preview1 function in `linker.ns(kModuleName)`.
void define_functions(binding::Linker& linker);

/// Parses a `--dir` value: "HOST" (the guest sees it as HOST), "HOST:GUEST" or wasmtime's
/// "HOST::GUEST". The split is at the first "::" if there is one, else at the last ':' (host
/// paths may contain ':'; guest names may not). Empty parts are an error.
Result<std::pair<std::string, std::string>> parse_dir_option(std::string_view value);

/// Parses a `--tcplisten` value "HOST:PORT" (HOST a name, an IPv4 address or a bracketed
/// IPv6 address "[::1]"; PORT 0..65535) and binds a listening, non-blocking, close-on-exec
/// TCP socket there (SO_REUSEADDR, the first address HOST resolves to). Returns its host fd
/// (the caller owns it) or a Phase::Host error naming the value.
Result<int> bind_tcp_listener(std::string_view value);

}  // namespace lunatic::host::wasi
