// The WASI functions of the minimal subset, as the linker binds them (internal to host/wasi).
// Each has the raw HostFunction shape plus the process's context; docs/guest-abi.md documents
// their Arguments / Returns / Traps.
#pragma once

#include "engine/host_function.hpp"
#include "host/wasi/wasi.hpp"

namespace lunatic::host::wasi {

using Impl = engine::HostStatus (*)(WasiContext&, engine::HostCall&);

// args_env.cpp
engine::HostStatus args_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus args_sizes_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus environ_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus environ_sizes_get(WasiContext& ctx, engine::HostCall& call);

// fd_stdio.cpp
engine::HostStatus fd_write(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus fd_close(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus fd_seek(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus fd_fdstat_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus fd_prestat_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus fd_prestat_dir_name(WasiContext& ctx, engine::HostCall& call);

// proc_clock.cpp
engine::HostStatus proc_exit(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus sched_yield(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus clock_time_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus clock_res_get(WasiContext& ctx, engine::HostCall& call);
engine::HostStatus random_get(WasiContext& ctx, engine::HostCall& call);
/// Every preview1 function outside the subset: returns ENOSYS.
engine::HostStatus not_implemented(WasiContext& ctx, engine::HostCall& call);

}  // namespace lunatic::host::wasi
