// SignalTable (signal_table.hpp).
#include "dist/signal_table.hpp"

#include <algorithm>

namespace lunatic::dist {

SignalTable::Peer* SignalTable::find(const std::string& peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

const SignalTable::Peer* SignalTable::find(const std::string& peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

bool SignalTable::add_link(const std::string& peer, runtime::ProcessId local,
                           runtime::ProcessId remote) {
  std::lock_guard lock(mutex_);
  Peer& p = peers_[peer];
  if (p.links.contains({local, remote})) return true;
  if (p.size() >= max_per_peer_) return false;
  p.links.insert({local, remote});
  return true;
}

bool SignalTable::remove_link(const std::string& peer, runtime::ProcessId local,
                              runtime::ProcessId remote) {
  std::lock_guard lock(mutex_);
  Peer* p = find(peer);
  return p && p->links.erase({local, remote}) > 0;
}

std::optional<uint64_t> SignalTable::add_outgoing(const std::string& peer,
                                                  const OutgoingMonitor& monitor) {
  std::lock_guard lock(mutex_);
  Peer& p = peers_[peer];
  if (p.size() >= max_per_peer_) return std::nullopt;
  const uint64_t key = next_key_++;
  p.outgoing.emplace(key, monitor);
  p.outgoing_by[{monitor.watcher, monitor.target}].push_back(key);
  return key;
}

bool SignalTable::add_outgoing(const std::string& peer, const OutgoingMonitor& monitor,
                               uint64_t key) {
  std::lock_guard lock(mutex_);
  Peer& p = peers_[peer];
  if (p.size() >= max_per_peer_ || !p.outgoing.emplace(key, monitor).second) return false;
  p.outgoing_by[{monitor.watcher, monitor.target}].push_back(key);
  return true;
}

std::optional<std::pair<OutgoingMonitor, bool>> SignalTable::take_outgoing(const std::string& peer,
                                                                           uint64_t key) {
  std::lock_guard lock(mutex_);
  Peer* p = find(peer);
  if (!p) return std::nullopt;
  auto it = p->outgoing.find(key);
  if (it == p->outgoing.end()) return std::nullopt;
  const OutgoingMonitor monitor = it->second;
  p->outgoing.erase(it);
  auto by = p->outgoing_by.find({monitor.watcher, monitor.target});
  bool last = true;
  if (by != p->outgoing_by.end()) {
    std::erase(by->second, key);
    last = by->second.empty();
    if (last) p->outgoing_by.erase(by);
  }
  return std::pair{monitor, last};
}

std::vector<uint64_t> SignalTable::take_outgoing_of(const std::string& peer,
                                                    runtime::ProcessId watcher,
                                                    runtime::ProcessId target) {
  std::lock_guard lock(mutex_);
  Peer* p = find(peer);
  if (!p) return {};
  auto by = p->outgoing_by.find({watcher, target});
  if (by == p->outgoing_by.end()) return {};
  std::vector<uint64_t> keys = std::move(by->second);
  p->outgoing_by.erase(by);
  for (uint64_t key : keys) p->outgoing.erase(key);
  return keys;
}

std::optional<uint64_t> SignalTable::add_incoming(const std::string& peer,
                                                  IncomingMonitor monitor) {
  std::lock_guard lock(mutex_);
  Peer& p = peers_[peer];
  if (p.size() >= max_per_peer_) return std::nullopt;
  const uint64_t key = next_key_++;
  monitor.key = key;
  p.incoming_by[{monitor.watcher, monitor.ref}] = key;
  p.incoming.emplace(key, std::move(monitor));
  return key;
}

std::optional<IncomingMonitor> SignalTable::take_incoming(const std::string& peer, uint64_t key) {
  std::lock_guard lock(mutex_);
  Peer* p = find(peer);
  if (!p) return std::nullopt;
  auto it = p->incoming.find(key);
  if (it == p->incoming.end()) return std::nullopt;
  IncomingMonitor monitor = std::move(it->second);
  p->incoming.erase(it);
  p->incoming_by.erase({monitor.watcher, monitor.ref});
  return monitor;
}

std::optional<uint64_t> SignalTable::find_incoming(const std::string& peer,
                                                   runtime::ProcessId watcher,
                                                   std::span<const uint8_t> ref) const {
  std::lock_guard lock(mutex_);
  const Peer* p = find(peer);
  if (!p) return std::nullopt;
  auto it = p->incoming_by.find({watcher, std::vector<uint8_t>(ref.begin(), ref.end())});
  if (it == p->incoming_by.end()) return std::nullopt;
  return it->second;
}

SignalTable::Lost SignalTable::take_peer(const std::string& peer) {
  Lost lost;
  std::lock_guard lock(mutex_);
  auto it = peers_.find(peer);
  if (it == peers_.end()) return lost;
  Peer& p = it->second;
  lost.links.assign(p.links.begin(), p.links.end());
  for (auto& [key, monitor] : p.outgoing) lost.outgoing.push_back(monitor);
  for (auto& [key, monitor] : p.incoming) lost.incoming.push_back(std::move(monitor));
  peers_.erase(it);
  return lost;
}

size_t SignalTable::size(const std::string& peer) const {
  std::lock_guard lock(mutex_);
  const Peer* p = find(peer);
  return p ? p->size() : 0;
}

}  // namespace lunatic::dist
