// Node (node.hpp): publishing through epmd, the acceptor thread, the peers, and routing
// messages between lunatic processes and Erlang pids.
#include "dist/node.hpp"

#include <arpa/inet.h>
#include <ei.h>
#include <poll.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "dist/connection.hpp"
#include "dist/crypto.hpp"
#include "dist/handshake.hpp"
#include "runtime/message.hpp"
#include "runtime/process.hpp"

extern char** environ;

namespace lunatic::dist {

struct Node::Ei {
  ei_cnode cnode{};
};

namespace {

/// Runs `epmd -daemon` (it detaches itself; the command returns at once) and waits for it.
/// The daemon outlives this process, so it inherits none of its descriptors beyond stdio (a
/// listening socket it held would stay bound after the node ended).
bool start_epmd() {
  char arg0[] = "epmd";
  char arg1[] = "-daemon";
  char* argv[] = {arg0, arg1, nullptr};
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return false;
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, "epmd", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return false;
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

Node::Node(runtime::Runtime& runtime, NodeConfig config)
    : runtime_(runtime),
      config_(std::move(config)),
      name_(config_.name.full()),
      ei_(std::make_unique<Ei>()),
      signals_(config_.max_signals_per_peer),
      modules_(config_.module_cache_bytes) {}

Result<std::shared_ptr<Node>> Node::start(runtime::Runtime& runtime, NodeConfig config) {
  static const int ei_ready = ei_init();
  if (ei_ready != 0) return Error(Phase::Host, "erl_interface could not be initialised");
  if (Result<void> crypto = load_crypto(); !crypto) return crypto.error();
  std::shared_ptr<Node> node(new Node(runtime, std::move(config)));
  if (Result<void> ok = node->listen_and_publish(); !ok) return ok.error();
  node->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (node->stop_fd_ < 0) return Error(Phase::Host, "eventfd: " + std::string(strerror(errno)));
  node->acceptor_ = std::thread([raw = node.get()] { raw->accept_loop(); });
  return node;
}

Result<void> Node::listen_and_publish() {
  const NodeName& name = config_.name;
  in_addr address{};
  const bool literal = inet_pton(AF_INET, name.host.c_str(), &address) == 1;
  if (!literal) address.s_addr = htonl(INADDR_ANY);
  // Creation 0: epmd gives the node its creation when it is published.
  if (ei_connect_xinit(&ei_->cnode, name.host.c_str(), name.alive.c_str(), name_.c_str(),
                       reinterpret_cast<Erl_IpAddr>(&address), config_.cookie.c_str(), 0) < 0) {
    return Error(Phase::Host, "node " + name_ + ": erl_interface refused the node name");
  }
  int port = 0;
  listen_fd_ = ei_xlisten(&ei_->cnode, reinterpret_cast<Erl_IpAddr>(&address), &port, 16);
  if (listen_fd_ < 0) {
    return Error(Phase::Host,
                 "node " + name_ + ": cannot listen on " + name.host + ": " + std::strerror(errno));
  }
  port_ = static_cast<uint16_t>(port);
  epmd_fd_ = ei_publish_tmo(&ei_->cnode, port, kIoTimeoutMs);
  if (epmd_fd_ < 0) {
    // No epmd answers: start one, as `erl` does, and try for up to 3 s while it comes up.
    if (!start_epmd()) {
      return Error(Phase::Host, "node " + name_ + ": no epmd answers and `epmd -daemon` failed");
    }
    for (int attempt = 0; attempt < 30 && epmd_fd_ < 0; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      epmd_fd_ = ei_publish_tmo(&ei_->cnode, port, kIoTimeoutMs);
    }
  }
  if (epmd_fd_ < 0) {
    return Error(Phase::Host,
                 "node " + name_ + ": epmd refused to publish it (is the name in use already?)");
  }
  pids_ =
      std::make_unique<PidTable>(name_, ei_self(&ei_->cnode)->creation, config_.max_remote_pids);
  return {};
}

Node::~Node() { stop(); }

void Node::stop() {
  std::vector<std::shared_ptr<Connection>> connections;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    connections = std::move(connections_);
    peers_.clear();
  }
  if (stop_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
  }
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& connection : connections) connection->stop();
  for (auto& connection : connections) connection->join();
  if (epmd_fd_ >= 0) close(epmd_fd_);  // epmd forgets the node when this closes
  if (listen_fd_ >= 0) close(listen_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  epmd_fd_ = listen_fd_ = stop_fd_ = -1;
}

void Node::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, 1000);
    if (fds[1].revents & POLLIN) return;
    if (ready > 0 && (fds[0].revents & POLLIN)) accept_one();
    reap();
  }
}

void Node::accept_one() {
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    full = connections_.size() >= kMaxConnections;
  }
  if (full) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd >= 0) close(fd);
    log(true, "refused a connection: " + std::to_string(kMaxConnections) + " peers already");
    return;
  }
  const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  std::string why;
  std::optional<std::string> peer = accept_handshake(fd, handshake_self(), kIoTimeoutMs, why);
  if (!peer) {
    close(fd);
    log(true, "refused a connection: the handshake failed: " + why);
    return;
  }
  const std::string name = std::move(*peer);
  auto connection = std::make_shared<Connection>(*this, name, fd);
  std::shared_ptr<Connection> replaced;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;  // the connection's destructor closes it
    if (auto old = peers_.find(name); old != peers_.end()) replaced = old->second;
    peers_[name] = connection;
    connections_.push_back(connection);
  }
  if (replaced) replaced->stop();  // the peer reconnected: the newer connection wins
  connection->start();
  log(false, "node " + name + " connected");
}

void Node::reap() {
  std::vector<std::shared_ptr<Connection>> ended;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(connections_, [&](const std::shared_ptr<Connection>& c) {
      if (!c->finished()) return false;
      ended.push_back(c);
      if (auto peer = peers_.find(c->peer()); peer != peers_.end() && peer->second == c) {
        peers_.erase(peer);
      }
      return true;
    });
  }
  for (auto& connection : ended) connection->join();
}

std::shared_ptr<Connection> Node::connection_to(const std::string& peer) {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return nullptr;
    if (auto found = peers_.find(peer); found != peers_.end() && !found->second->finished()) {
      return found->second;
    }
    if (connections_.size() >= kMaxConnections) return nullptr;
    connection = std::make_shared<Connection>(*this, peer, -1);
    peers_[peer] = connection;
    connections_.push_back(connection);
    connection->start();
  }
  return connection;
}

int Node::connect(const std::string& peer, std::string& why) {
  return connect_handshake(peer, handshake_self(), kIoTimeoutMs, why);
}

HandshakeSelf Node::handshake_self() const {
  return HandshakeSelf{name_, config_.cookie, pids_->creation()};
}

bool Node::send_remote(runtime::ProcessId to, std::unique_ptr<runtime::Message> message) {
  std::optional<ErlangPid> pid = pids_->remote_pid(to);
  if (!pid || !message || pid->node == name_) return false;
  // Sockets, modules and other resources are local to this node: they cannot travel.
  if (message->kind != runtime::MessageKind::Data || !message->resources.empty()) return false;
  if (message->data.size() > kMaxFrame - 1024) return false;
  // A term goes as it is (what Erlang receives); data that says it is a term must be one. Any
  // other message goes as {'$lunatic', Tag, <<Data>>}, which a lunatic node delivers as sent.
  const bool term = message->tag == kTermTag;
  if (term && !is_one_term(message->data)) return false;
  std::vector<uint8_t> frame =
      term ? send_frame(*pid, message->data) : send_tagged_frame(*pid, message->tag, message->data);
  // The message's charge (its sender's environment: create_data) now stands for the frame
  // until the socket takes it: a process flooding a peer that does not read exhausts its own
  // environment, as it would flooding a local process that does not receive. The message is
  // gone first, so a frame as large as the budget allows is not counted twice.
  MemoryCharge charge = std::move(message->charge);
  message.reset();
  if (!charge.resize(frame.size() + kQueuedFrameBytes)) return false;
  return enqueue_to(pid->node, std::move(frame), std::move(charge));
}

bool Node::enqueue_to(const std::string& peer, std::vector<uint8_t> frame, MemoryCharge charge) {
  std::shared_ptr<Connection> connection = connection_to(peer);
  return connection && connection->enqueue(std::move(frame), std::move(charge));
}

Node::Delivery Node::deliver(const std::optional<ErlangPid>& from,
                             const std::optional<ErlangPid>& to, const std::string& to_name,
                             std::span<const uint8_t> term) {
  std::optional<runtime::ProcessId> target;
  if (to) {
    target = pids_->id_of(*to);
  } else if (config_.names) {
    target = config_.names->find_name(to_name);
  }
  if (!target || runtime::is_remote(*target)) return Delivery::NoProcess;
  std::shared_ptr<runtime::Process> process = runtime_.find(*target);
  if (!process) return Delivery::NoProcess;
  // The charge is taken before the bytes are copied: a full budget costs no allocation.
  MemoryCharge charge = process->new_charge();
  if (!charge.resize(runtime::kMessageBytes + term.size())) return Delivery::OverBudget;
  auto message = std::make_unique<runtime::Message>();
  message->tag = kTermTag;
  std::span<const uint8_t> data = term;
  if (std::optional<TaggedData> tagged = read_tagged(term)) {  // a lunatic message, as sent
    message->tag = tagged->tag;
    data = tagged->data;
  }
  if (from) message->process = pids_->id_of(*from).value_or(0);
  message->data.assign(data.begin(), data.end());
  message->charge = std::move(charge);
  process->deliver(std::move(message));
  return Delivery::Delivered;
}

void Node::log(bool warning, const std::string& text) const {
  if (config_.log) config_.log(warning, "node " + name_ + ": " + text);
}

}  // namespace lunatic::dist
