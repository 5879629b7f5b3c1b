// lunatic::networking, DNS: resolve ("host:port", numeric hosts at once, names on the runtime's
// resolver threads while the process parks), resolve_next, drop_dns_iterator.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "host/networking/internal.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::host::networking {
namespace {

/// Longer names are refused (a DNS name is at most 253 bytes; a port and brackets add a few).
constexpr size_t kMaxName = 512;

/// Splits "host:port" / "[v6]:port" at the last ':'; false if there is no port.
bool split_host_port(std::string_view name, std::string& host, std::string& port) {
  const size_t colon = name.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == name.size()) return false;
  std::string_view h = name.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return false;
  port = std::string(name.substr(colon + 1));
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  host = std::string(h);
  return true;
}

bool is_numeric_host(const std::string& host) {
  in6_addr scratch{};
  return inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
}

/// What survives a Park of resolve.
struct DnsPending {
  std::optional<runtime::Clock::time_point> deadline;
  runtime::WakeTimer timer;
  std::shared_ptr<runtime::ResolveJob> job;
};

int32_t finish(CallContext& ctx, const GuestPtr<uint64_t>& out, const std::string& name,
               std::vector<SocketAddress> addresses, const std::string& error) {
  if (!error.empty()) return failure(out, plain_error(ctx, "'" + name + "': " + error));
  if (addresses.empty()) return failure(out, plain_error(ctx, "'" + name + "': no addresses"));
  return success(out, ctx.host<Process>().resources().insert(
                          std::make_unique<shared::DnsIteratorResource>(std::move(addresses))));
}

}  // namespace

/// Arguments: a name "host:port" (a host name, an IPv4 address or a bracketed IPv6 address), a
/// timeout in ms (u64::MAX: none), an out-pointer. Looks the name up: numeric addresses at once,
/// names on the runtime's resolver threads while the process parks. Returns 0 and a DNS
/// iterator id, 1 and an error id (no port, unknown host, too many lookups in progress), or
/// 9027 (timed out; the lookup is abandoned). Traps: name or out-pointer outside memory, bad
/// UTF-8.
HostResult<int32_t> resolve(CallContext& ctx, GuestString name, uint64_t timeout_ms,
                            GuestPtr<uint64_t> id_out) {
  Process& self = ctx.host<Process>();
  DnsPending& pending = ctx.pending<DnsPending>(DnsPending{deadline_after(timeout_ms), {}, {}});
  if (!pending.job) {
    const std::string_view text = name.view();
    if (text.size() > kMaxName) {
      return failure(id_out, plain_error(ctx, "name longer than " + std::to_string(kMaxName)));
    }
    std::string host, port;
    if (!split_host_port(text, host, port)) {
      return failure(id_out, plain_error(ctx, "'" + std::string(text) +
                                                  "' is not host:port (invalid socket address)"));
    }
    if (is_numeric_host(host)) {
      std::vector<SocketAddress> addresses;
      std::string error;
      runtime::resolve_now(host, port, true, addresses, error);
      return finish(ctx, id_out, std::string(text), std::move(addresses), error);
    }
    auto job = std::make_shared<runtime::ResolveJob>();
    job->host = std::move(host);
    job->service = std::move(port);
    std::weak_ptr<Process> weak = self.weak_from_this();
    job->wake = [weak] {
      if (std::shared_ptr<Process> p = weak.lock()) p->wake();
    };
    if (!self.runtime().resolver().submit(job)) {
      return failure(id_out, plain_error(ctx, "too many DNS lookups in progress"));
    }
    pending.job = std::move(job);
  }
  runtime::ResolveJob& job = *pending.job;
  {
    std::lock_guard lock(job.mutex);
    if (job.done) {
      return finish(ctx, id_out, job.host + ":" + job.service, std::move(job.addresses), job.error);
    }
  }
  if (pending.deadline && runtime::Clock::now() >= *pending.deadline) return shared::kTimedOut;
  if (pending.deadline && !pending.timer.armed()) pending.timer = self.wake_at(*pending.deadline);
  return HostResult<int32_t>::park();
}

/// Arguments: a DNS iterator id, out-pointers for the address type (u32: 4 or 6), the address
/// (16 bytes; an IPv4 address fills the first 4), the port (u16), the IPv6 flow info and scope
/// id (u32 each; 0 for IPv4). Returns 0 and writes the next address, or 1 when none is left.
/// Traps: unknown iterator id, an out-pointer outside memory.
HostResult<int32_t> resolve_next(CallContext& ctx, uint64_t iterator_id,
                                 GuestPtr<uint32_t> addr_type_out, GuestPtr<AddressBytes> addr_out,
                                 GuestPtr<uint16_t> port_out, GuestPtr<uint32_t> flow_info_out,
                                 GuestPtr<uint32_t> scope_id_out) {
  auto it = shared::lookup<shared::DnsIteratorResource>(ctx, "dns iterator", iterator_id);
  if (!it.ok()) return std::move(it).trap();
  const SocketAddress* a = it.value()->next();
  if (a == nullptr) return 1;
  AddressBytes bytes{};
  if (a->storage.ss_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &a->storage, sizeof v4);
    std::memcpy(bytes.data(), &v4.sin_addr, 4);
    addr_type_out.write(4);
    port_out.write(ntohs(v4.sin_port));
    flow_info_out.write(0);
    scope_id_out.write(0);
  } else {
    sockaddr_in6 v6;
    std::memcpy(&v6, &a->storage, sizeof v6);
    std::memcpy(bytes.data(), &v6.sin6_addr, 16);
    addr_type_out.write(6);
    port_out.write(ntohs(v6.sin6_port));
    flow_info_out.write(ntohl(v6.sin6_flowinfo));
    scope_id_out.write(v6.sin6_scope_id);
  }
  addr_out.write(bytes);
  return 0;
}

/// Arguments: a DNS iterator id. Drops it. Traps: unknown id.
HostResult<void> drop_dns_iterator(CallContext& ctx, uint64_t iterator_id) {
  return shared::drop<shared::DnsIteratorResource>(ctx, "dns iterator", iterator_id);
}

}  // namespace lunatic::host::networking
