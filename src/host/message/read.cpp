// lunatic::message, reading side: the received message's bytes, tag, sender and resources.
#include <algorithm>

#include "engine/fuel_meter.hpp"
#include "host/message/internal.hpp"
#include "host/shared/resources.hpp"
#include "host/shared/sockets.hpp"

namespace lunatic::host::message {
namespace {

engine::Trap nothing_received(const CallContext& ctx) {
  return shared::misuse(ctx, "no message was received");
}

}  // namespace

bool charge_copy(const CallContext& ctx, uint64_t bytes) {
  return ctx.host_call()->charge_fuel(engine::bulk_fuel(bytes));
}

engine::Trap out_of_fuel() { return engine::Trap::of(engine::TrapKind::OutOfFuel); }

/// Arguments: a buffer. Copies the next bytes of the received message there, from the read
/// position, and advances it. Returns the count copied (0 at the end).
/// Traps: nothing received, buffer outside memory; "out of fuel" when the caller's fuel cannot
/// pay for the copy (one unit per 16 bytes).
HostResult<int32_t> read_data(CallContext& ctx, GuestMutSpan<uint8_t> buffer) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  const std::vector<uint8_t>& data = self.incoming->data;
  uint64_t& position = self.incoming->read_position;
  const uint64_t start = std::min<uint64_t>(position, data.size());
  const uint64_t count = std::min<uint64_t>(buffer.size(), data.size() - start);
  if (!charge_copy(ctx, count)) return out_of_fuel();
  std::copy_n(data.begin() + static_cast<ptrdiff_t>(start), count, buffer.mut_bytes().begin());
  position = start + count;
  return static_cast<int32_t>(count);
}

/// Arguments: a byte offset. Moves the read position of the received message there (past the
/// end: read_data returns 0). Traps: nothing received.
HostResult<void> seek_data(CallContext& ctx, uint64_t position) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  self.incoming->read_position = position;
  return {};
}

/// Returns the received message's tag (for a link death: the link's tag; for a monitored
/// process's death: the monitor's tag). Traps: nothing received.
HostResult<int64_t> get_tag(CallContext& ctx) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  return self.incoming->tag;
}

/// Returns the sender of a data message (0 if sent by the host, e.g. a timer of a process that
/// has ended keeps the sender's id) or the process that died for a signal. Traps: nothing
/// received.
HostResult<int64_t> get_process_id(CallContext& ctx) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  return static_cast<int64_t>(self.incoming->process);
}

/// Returns the byte size of the received message (also when receive_data copied its bytes
/// out). Traps: nothing received.
HostResult<int64_t> data_size(CallContext& ctx) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  const runtime::Message& in = *self.incoming;
  return static_cast<int64_t>(in.delivered != 0 ? in.delivered : in.data.size());
}

/// Arguments: an index among the received message's resources. Returns what is there, so a
/// receiver can check a sender's claim before a take that would trap: 0 nothing (out of
/// range, or taken already), 1 a module, 2 a TCP stream, 3 a TCP listener, 4 a UDP socket.
/// Traps: nothing received.
HostResult<int32_t> resource_kind(CallContext& ctx, uint64_t index) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  const auto& resources = self.incoming->resources;
  if (index >= resources.size() || !resources[index]) return 0;
  const runtime::Resource* r = resources[index].get();
  if (dynamic_cast<const shared::ModuleResource*>(r) != nullptr) return 1;
  if (dynamic_cast<const shared::TcpStreamResource*>(r) != nullptr) return 2;
  if (dynamic_cast<const shared::TcpListenerResource*>(r) != nullptr) return 3;
  if (dynamic_cast<const shared::UdpSocketResource*>(r) != nullptr) return 4;
  return 0;  // no other kind can be pushed into a message
}

/// Moves resource `index` of the received message, which must be a T, into the caller's table.
template <class T>
HostResult<int64_t> take_resource(CallContext& ctx, std::string_view kind, uint64_t index) {
  Process& self = ctx.host<Process>();
  if (!self.incoming) return nothing_received(ctx);
  auto& resources = self.incoming->resources;
  if (index >= resources.size() || dynamic_cast<T*>(resources[index].get()) == nullptr) {
    return shared::misuse(ctx, "the received message has no " + std::string(kind) + " at index " +
                                   std::to_string(index));
  }
  return static_cast<int64_t>(self.resources().insert(std::move(resources[index])));
}

/// Arguments: an index from the sender's push_module. Moves that module into the caller's
/// table. Returns its new module id. Traps: nothing received, no module at that index (or
/// already taken).
HostResult<int64_t> take_module(CallContext& ctx, uint64_t index) {
  return take_resource<shared::ModuleResource>(ctx, "module", index);
}

/// Arguments: an index from the sender's push_tcp_stream. Moves that stream into the caller's
/// table. Returns its new stream id. Traps: nothing received, no stream at that index (or
/// already taken).
HostResult<int64_t> take_tcp_stream(CallContext& ctx, uint64_t index) {
  return take_resource<shared::TcpStreamResource>(ctx, "tcp stream", index);
}

/// As take_tcp_stream, for a TCP listener.
HostResult<int64_t> take_tcp_listener(CallContext& ctx, uint64_t index) {
  return take_resource<shared::TcpListenerResource>(ctx, "tcp listener", index);
}

/// As take_tcp_stream, for a UDP socket.
HostResult<int64_t> take_udp_socket(CallContext& ctx, uint64_t index) {
  return take_resource<shared::UdpSocketResource>(ctx, "udp socket", index);
}

}  // namespace lunatic::host::message
