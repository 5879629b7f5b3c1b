// The minimal wasi_snapshot_preview1 of the engine issue: what a WASI command needs to start,
// print, read its arguments and environment, read clocks and random bytes, and exit.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "engine/store.hpp"
#include "wasm/module.hpp"

namespace lunatic::host::wasi {

/// The name of the namespace modules import from.
inline constexpr std::string_view kModuleName = "wasi_snapshot_preview1";

/// Per-process WASI state. The host functions of one instance share one context (they hold a
/// shared_ptr to it), so it lives as long as the longest-lived of them.
struct WasiContext {
  std::vector<std::string> args;  ///< argv as the guest sees it, argv[0] included
  std::vector<std::string> env;   ///< "KEY=VALUE" entries, in order
  /// Host file descriptors behind guest fds 0, 1 and 2. Never closed by the guest: fd_close
  /// only marks the guest's fd closed.
  std::array<int, 3> stdio_fds{0, 1, 2};
  std::array<bool, 3> closed{};  ///< guest fd 0..2 closed with fd_close
};

/// Produces one Extern per import of `module`, in order, for Store::instantiate: each
/// wasi_snapshot_preview1 function import becomes a host function added to `store` (the
/// functions outside the minimal subset return ENOSYS, so programs still instantiate).
/// Errors (Phase::Link, naming the import in `context`): "unknown import" for an import from
/// another module, a non-function import or an unknown WASI name; "incompatible import type"
/// for a WASI import whose signature is not the preview1 one.
Result<std::vector<engine::Extern>> link_imports(engine::Store& store, const wasm::Module& module,
                                                 std::shared_ptr<WasiContext> context);

}  // namespace lunatic::host::wasi
