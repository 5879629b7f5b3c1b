// Internal to host/process: the functions of each file, defined together in define.cpp.
#pragma once

#include <cstdint>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "host/process/info.hpp"

namespace lunatic::host::process {

using binding::CallContext;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::GuestString;
using binding::HostResult;

// self.cpp: identity, links, monitors, kill, sleep
int64_t process_id(CallContext& ctx);
void link(CallContext& ctx, int64_t tag, uint64_t process_id);
void unlink(CallContext& ctx, uint64_t process_id);
void monitor(CallContext& ctx, int64_t tag, uint64_t process_id);
void stop_monitoring(CallContext& ctx, uint64_t process_id);
void kill(CallContext& ctx, uint64_t process_id);
int32_t exists(CallContext& ctx, uint64_t process_id);
void die_when_link_dies(CallContext& ctx, int32_t die);
HostResult<void> sleep_ms(CallContext& ctx, uint64_t ms);

// info.cpp
int32_t info(CallContext& ctx, uint64_t process_id, GuestPtr<GuestProcessInfo> out);

// module.cpp: modules loaded at run time
HostResult<int32_t> compile_module(CallContext& ctx, GuestSpan<uint8_t> bytes,
                                   GuestPtr<uint64_t> id_out);
HostResult<void> drop_module(CallContext& ctx, uint64_t module_id);

// config.cpp: environment configurations
int64_t create_config(CallContext& ctx);
HostResult<void> drop_config(CallContext& ctx, uint64_t config_id);
HostResult<void> config_set_max_memory(CallContext& ctx, uint64_t config_id, uint64_t bytes);
HostResult<int64_t> config_get_max_memory(CallContext& ctx, uint64_t config_id);
HostResult<void> config_set_max_fuel(CallContext& ctx, uint64_t config_id, uint64_t fuel);
HostResult<int64_t> config_get_max_fuel(CallContext& ctx, uint64_t config_id);
HostResult<void> config_set_max_processes(CallContext& ctx, uint64_t config_id, uint64_t count);
HostResult<void> config_set_max_names(CallContext& ctx, uint64_t config_id, uint64_t count);
HostResult<void> config_set_max_resources(CallContext& ctx, uint64_t config_id, uint64_t count);
HostResult<void> config_set_max_memory_total(CallContext& ctx, uint64_t config_id, uint64_t bytes);
HostResult<void> allow_namespace(CallContext& ctx, uint64_t config_id, GuestString prefix);

// spawn.cpp
HostResult<int32_t> spawn(CallContext& ctx, int64_t link_tag, int64_t config_id, int64_t module_id,
                          GuestString function, GuestSpan<uint8_t> params,
                          GuestPtr<uint64_t> id_out);

}  // namespace lunatic::host::process
