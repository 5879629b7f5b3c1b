// Internal to host/message: the two halves of the namespace (building and sending; receiving
// and reading) and what they share (the received message, its read position in it).
#pragma once

#include <cstdint>

#include "binding/call_context.hpp"
#include "binding/guest_memory.hpp"
#include "binding/host_result.hpp"
#include "runtime/process.hpp"

namespace lunatic::host::message {

using binding::CallContext;
using binding::GuestMutSpan;
using binding::GuestPtr;
using binding::GuestSpan;
using binding::HostResult;
using runtime::Process;

/// Charges the caller's fuel for copying `bytes` between its memory and a message, at the rate
/// of the bulk memory instructions (engine/fuel_meter.hpp): false when its fuel cannot pay; the
/// call then traps with "out of fuel" before copying anything (out_of_fuel()).
bool charge_copy(const CallContext& ctx, uint64_t bytes);
engine::Trap out_of_fuel();

/// Makes `m` the received message (the one read_data, get_tag, take_module... see) and returns
/// receive's code for its kind: 0 data, 1 link died, 2 process died.
int32_t accept(Process& self, std::unique_ptr<runtime::Message> m);

// build.cpp
HostResult<void> create_data(CallContext& ctx, int64_t tag, uint64_t capacity);
HostResult<int32_t> write_data(CallContext& ctx, GuestSpan<uint8_t> data);
HostResult<int64_t> push_module(CallContext& ctx, uint64_t module_id);
HostResult<int32_t> send(CallContext& ctx, uint64_t process_id);
HostResult<int64_t> push_tcp_stream(CallContext& ctx, uint64_t stream_id);
HostResult<int64_t> push_tcp_listener(CallContext& ctx, uint64_t listener_id);
HostResult<int64_t> push_udp_socket(CallContext& ctx, uint64_t socket_id);
HostResult<int32_t> send_data(CallContext& ctx, uint64_t process_id, int64_t tag,
                              GuestSpan<uint8_t> data);

// receive.cpp
HostResult<int32_t> receive(CallContext& ctx, GuestSpan<int64_t> tags, uint64_t timeout_ms);
HostResult<int32_t> send_receive_skip_search(CallContext& ctx, uint64_t process_id,
                                             int64_t wait_on_tag, uint64_t timeout_ms);
HostResult<int32_t> receive_data(CallContext& ctx, GuestSpan<int64_t> tags, uint64_t timeout_ms,
                                 GuestMutSpan<uint8_t> buffer, GuestPtr<uint64_t> size_out);
/// The entry the tiers call for receive_data (Namespace::front_entry): a fast path for the
/// parked call run again after a sender copied its message straight into the buffer, else the
/// adapter of receive_data. `adapter` is that adapter.
engine::HostStatus receive_data_entry(const void* adapter, engine::HostCall& call);

// read.cpp
HostResult<int32_t> read_data(CallContext& ctx, GuestMutSpan<uint8_t> buffer);
HostResult<void> seek_data(CallContext& ctx, uint64_t position);
HostResult<int64_t> get_tag(CallContext& ctx);
HostResult<int64_t> get_process_id(CallContext& ctx);
HostResult<int64_t> data_size(CallContext& ctx);
HostResult<int32_t> resource_kind(CallContext& ctx, uint64_t index);
HostResult<int64_t> take_module(CallContext& ctx, uint64_t index);
HostResult<int64_t> take_tcp_stream(CallContext& ctx, uint64_t index);
HostResult<int64_t> take_tcp_listener(CallContext& ctx, uint64_t index);
HostResult<int64_t> take_udp_socket(CallContext& ctx, uint64_t index);

}  // namespace lunatic::host::message
