// lunatic::message, sending side: create_data, write_data, push_module (and sockets), send,
// send_data (all of it in one call), and the namespace's definitions.
#include <algorithm>
#include <string>

#include "host/message/internal.hpp"
#include "host/message/message.hpp"
#include "host/shared/resources.hpp"
#include "host/shared/sockets.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::message {
namespace {

/// create_data reserves at most this much up front: capacity is only a hint, and a hostile
/// hint must not size a host allocation.
constexpr uint64_t kMaxReserve = 64 * 1024;

/// A message is at most as large as the sender's memory may become: message bytes are host
/// memory the environment's max_memory should bound.
uint64_t max_message_bytes(const Process& self) {
  return uint64_t{self.environment()->config().max_memory_pages} * wasm::kPageSize;
}

engine::Trap no_message(const CallContext& ctx) {
  return shared::misuse(ctx, "no message was created (create_data)");
}

/// Moves resource `id` of type T from the caller into the message being built; its index.
template <class T>
HostResult<int64_t> push_resource(CallContext& ctx, std::string_view kind, uint64_t id) {
  Process& self = ctx.host<Process>();
  if (!self.outgoing) return no_message(ctx);
  std::unique_ptr<T> resource = self.resources().take<T>(id);
  if (!resource) return shared::unknown_id(ctx, kind, id);
  self.outgoing->resources.push_back(std::move(resource));
  return static_cast<int64_t>(self.outgoing->resources.size() - 1);
}

}  // namespace

/// Arguments: the tag, a capacity hint in bytes. Starts a new data message in the scratch
/// slot, dropping one not sent. The message's node and buffer are charged to the caller's
/// environment until the message is received and dropped (Message::charge; a node the caller
/// recycled may hold up to kMessageSlack bytes more, runtime/message.hpp); past its
/// max_memory_total the caller is killed ("out of memory: ...").
HostResult<void> create_data(CallContext& ctx, int64_t tag, uint64_t capacity) {
  Process& self = ctx.host<Process>();
  self.outgoing.reset();  // its charge goes back before the new one is taken
  const uint64_t reserve = std::min(capacity, kMaxReserve);
  std::unique_ptr<runtime::Message> m = self.new_message(reserve);
  if (!m) return self.over_budget("a message of " + std::to_string(reserve) + " bytes");
  m->tag = tag;
  m->data.reserve(reserve);
  self.outgoing = std::move(m);
  return {};
}

/// Arguments: bytes. Appends them to the message being built. Returns the count appended
/// (fewer only past the size limit). Traps: no message, range outside memory; "out of fuel"
/// when the caller's fuel cannot pay for the copy (one unit per 16 bytes).
HostResult<int32_t> write_data(CallContext& ctx, GuestSpan<uint8_t> data) {
  Process& self = ctx.host<Process>();
  if (!self.outgoing) return no_message(ctx);
  std::vector<uint8_t>& buffer = self.outgoing->data;
  const uint64_t room =
      max_message_bytes(self) - std::min<uint64_t>(buffer.size(), max_message_bytes(self));
  const uint64_t count = std::min<uint64_t>(data.size(), room);
  if (!charge_copy(ctx, count)) return out_of_fuel();
  std::span<const uint8_t> bytes = data.bytes().first(count);
  const uint64_t size = buffer.size() + count;
  if (size > buffer.capacity()) {
    // The buffer grows as a vector would (doubling), reserved here so that the charge is its
    // capacity; while the bytes move, the old buffer and the new one are both charged. No
    // retry with a smaller step: near the limit that would copy the whole buffer on every
    // write.
    MemoryCharge& charge = self.outgoing->charge;
    const uint64_t old_capacity = buffer.capacity();
    const uint64_t capacity = std::min(std::max<uint64_t>(size, old_capacity * 2),
                                       std::max<uint64_t>(size, max_message_bytes(self)));
    if (!charge.resize(runtime::kMessageBytes + old_capacity + capacity)) {
      return self.over_budget("a message of " + std::to_string(size) + " bytes");
    }
    buffer.reserve(capacity);
    charge.resize(runtime::kMessageBytes + capacity);  // a decrease: cannot fail
  }
  buffer.insert(buffer.end(), bytes.begin(), bytes.end());
  return static_cast<int32_t>(count);
}

/// Arguments: a module id. Moves the module handle from the caller into the message being
/// built. Returns its index among the message's resources (for take_module).
/// Traps: no message, unknown module id.
HostResult<int64_t> push_module(CallContext& ctx, uint64_t module_id) {
  return push_resource<shared::ModuleResource>(ctx, "module", module_id);
}

/// Arguments: a TCP stream id. Moves the stream handle into the message being built (the
/// caller no longer has it). Returns its index (for take_tcp_stream). Traps: no message,
/// unknown stream id.
HostResult<int64_t> push_tcp_stream(CallContext& ctx, uint64_t stream_id) {
  return push_resource<shared::TcpStreamResource>(ctx, "tcp stream", stream_id);
}

/// As push_tcp_stream, for a TCP listener (take_tcp_listener).
HostResult<int64_t> push_tcp_listener(CallContext& ctx, uint64_t listener_id) {
  return push_resource<shared::TcpListenerResource>(ctx, "tcp listener", listener_id);
}

/// As push_tcp_stream, for a UDP socket (take_udp_socket).
HostResult<int64_t> push_udp_socket(CallContext& ctx, uint64_t socket_id) {
  return push_resource<shared::UdpSocketResource>(ctx, "udp socket", socket_id);
}

/// Arguments: a process id. Sends the message being built (the slot is then empty). Returns 0
/// if it was delivered, 1 if no such process is alive (the message and its resources are
/// dropped). Traps: no message.
HostResult<int32_t> send(CallContext& ctx, uint64_t process_id) {
  Process& self = ctx.host<Process>();
  if (!self.outgoing) return no_message(ctx);
  return self.runtime().send(process_id, std::move(self.outgoing), &self) ? 0 : 1;
}

/// Arguments: a process id, a tag, bytes. Builds a data message of those bytes and sends it, in
/// one call (the building slot is not used: a message being built stays as it was). Returns 0
/// delivered, 1 no such process (dropped). The bytes are copied once: straight into the
/// receiver's buffer if it waits in receive_data with one they fit, else into the message. The
/// message is charged as create_data charges, the copy as write_data's. Traps: range outside
/// memory; "out of fuel"; killed past the environment's max_memory_total.
HostResult<int32_t> send_data(CallContext& ctx, uint64_t process_id, int64_t tag,
                              GuestSpan<uint8_t> data) {
  Process& self = ctx.host<Process>();
  // A span inside the caller's memory is never past its max_memory (the Store caps the
  // memory), so unlike write_data there is nothing to cut. Charged for its bytes before it is
  // known whether they go straight to the receiver (receive_data then gives them back).
  const uint64_t size = data.size();
  if (!charge_copy(ctx, size)) return out_of_fuel();
  // Usually the node of a message this process received earlier, whose charge covers a small
  // message already (Process::new_message): no allocation, no update of the budgets.
  std::unique_ptr<runtime::Message> m = self.new_message(size);
  if (!m) return self.over_budget("a message of " + std::to_string(size) + " bytes");
  m->tag = tag;
  return self.runtime().send_copying(process_id, std::move(m), data.bytes(), &self) ? 0 : 1;
}

void define_functions(binding::Linker& linker) {
  linker.ns(kModuleName)
      .define("send_data", &send_data)
      .define("receive_data", &receive_data)
      .define("create_data", &create_data)
      .define("write_data", &write_data)
      .define("push_module", &push_module)
      .define("send", &send)
      .define("receive", &receive)
      .define("send_receive_skip_search", &send_receive_skip_search)
      .define("read_data", &read_data)
      .define("seek_data", &seek_data)
      .define("get_tag", &get_tag)
      .define("get_process_id", &get_process_id)
      .define("data_size", &data_size)
      .define("resource_kind", &resource_kind)
      .define("take_module", &take_module)
      .define("push_tcp_stream", &push_tcp_stream)
      .define("take_tcp_stream", &take_tcp_stream)
      .define("push_tcp_listener", &push_tcp_listener)
      .define("take_tcp_listener", &take_tcp_listener)
      .define("push_udp_socket", &push_udp_socket)
      .define("take_udp_socket", &take_udp_socket)
      .front_entry("receive_data", &receive_data_entry);
}

}  // namespace lunatic::host::message
