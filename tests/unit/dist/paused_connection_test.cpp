// A connection while a spawn request's module compiles on the runtime's HostWork (Connection,
// Node::spawn_request): the peer's later frames wait and are handled in order once the
// compile is done; the connection reads at most max_paused_bytes ahead meanwhile; one that
// ends during a compile leaves nothing behind. A real node (published through epmd) and a
// peer played here over the handshake; the compile waits on a gate the test opens.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "../runtime/runtime_fixture.hpp"
#include "dist/control.hpp"
#include "dist/handshake.hpp"
#include "dist/node.hpp"
#include "dist/remote_spawn.hpp"
#include "text/text.hpp"

namespace lunatic::dist {
namespace {

using namespace std::chrono_literals;
using runtime::ProcessId;
using runtime::test::reports;

constexpr const char* kCookie = "paused-connection-test";

/// Holds every compile until open() (the test's stand-in for a slow one).
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool opened = false;
  int entered = 0;
  void pass() {
    std::unique_lock lock(mutex);
    ++entered;
    changed.notify_all();
    changed.wait(lock, [this] { return opened; });
  }
  void open() {
    std::lock_guard lock(mutex);
    opened = true;
    changed.notify_all();
  }
  /// Waits until `n` compiles have started; false after 10 s.
  bool wait_entered(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return entered >= n; });
  }
  int count() {
    std::lock_guard lock(mutex);
    return entered;
  }
};

/// The guests' module: `two` reports two messages; `idle` waits for one; `count` reports
/// messages until none comes for 5 s. `salt` makes modules of different hashes.
std::vector<uint8_t> guest_bytes(int salt) {
  std::string wat = "(module ";
  wat += runtime::test::kImports;
  wat += R"(
    (func (export "two")
      (call $report (call $receive (i64.const 0) (i64.const 10000)))
      (call $report (call $receive (i64.const 0) (i64.const 10000))))
    (func (export "idle") (drop (call $receive (i64.const 0) (i64.const -1))))
    (func (export "count") (local $v i64)
      (loop $next
        (local.set $v (call $receive (i64.const 0) (i64.const 5000)))
        (if (i64.ne (local.get $v) (i64.const -1))
          (then (call $report (local.get $v)) (br $next)))))
    (global i32 (i32.const )" +
         std::to_string(salt) + ")))";
  Result<std::vector<uint8_t>> bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

std::string unique(const std::string& stem) { return stem + std::to_string(getpid()); }

class PausedConnection : public ::testing::Test {
 protected:
  void start(size_t max_paused_bytes = size_t{16} << 20) {
    reports().take();
    runtime::RuntimeConfig config;
    config.workers = 2;
    config.linker = runtime::test::make_test_linker();
    config.on_exit = [this](ProcessId id, const runtime::ExitStatus& status) {
      std::lock_guard lock(exits_mutex_);
      exits_[id] = status;
    };
    config.compile = [gate = gate_](std::span<const uint8_t> bytes) {
      gate->pass();
      return engine::compile(bytes);
    };
    runtime_ = std::make_unique<runtime::Runtime>(std::move(config));
    NodeConfig node;
    node.name = NodeName{unique("pausednode"), "127.0.0.1"};
    node.cookie = kCookie;
    node.remote_spawn = runtime::Environment::create({});
    node.max_paused_bytes = max_paused_bytes;
    node.log = [this](bool, const std::string& text) {
      std::lock_guard lock(exits_mutex_);
      log_ += text + "\n";
    };
    Result<std::shared_ptr<Node>> started = Node::start(*runtime_, std::move(node));
    ASSERT_TRUE(started.ok()) << started.error().to_string();
    node_ = *started;
    runtime_->set_router(node_);
  }
  void TearDown() override {
    gate_->open();
    for (int fd : peers_) close(fd);
    if (node_) {
      runtime_->set_router(nullptr);
      node_->stop();
    }
    node_.reset();
    runtime_.reset();
  }

  /// A peer called `name`, connected and past the handshake.
  int connect_peer(const std::string& name) {
    std::string why;
    const int fd =
        connect_handshake(node_->name(), HandshakeSelf{name + "@127.0.0.1", kCookie, 7}, 5000, why);
    EXPECT_GE(fd, 0) << why;
    if (fd >= 0) peers_.push_back(fd);
    return fd;
  }
  ErlangPid pid_of(ProcessId id) { return node_->pids().local_pid(id); }
  std::optional<runtime::ExitStatus> exit_of(ProcessId id, std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    do {
      {
        std::lock_guard lock(exits_mutex_);
        if (auto it = exits_.find(id); it != exits_.end()) return it->second;
      }
      std::this_thread::sleep_for(5ms);
    } while (std::chrono::steady_clock::now() < until);
    return std::nullopt;
  }

  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::unique_ptr<runtime::Runtime> runtime_;
  std::shared_ptr<Node> node_;
  std::vector<int> peers_;
  std::mutex exits_mutex_;
  std::map<ProcessId, runtime::ExitStatus> exits_;
  std::string log_;
};

void send_all(int fd, const std::vector<uint8_t>& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
}

/// The next frame from the node (empty: a tick), or nullopt after `timeout_ms`.
std::optional<std::vector<uint8_t>> read_frame(int fd, int timeout_ms) {
  auto exact = [&](uint8_t* out, size_t n) {
    size_t done = 0;
    while (done < n) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      const ssize_t got = recv(fd, out + done, n - done, 0);
      if (got <= 0) return false;
      done += size_t(got);
    }
    return true;
  };
  uint8_t header[4];
  if (!exact(header, 4)) return std::nullopt;
  std::vector<uint8_t> frame(uint32_t{header[0]} << 24 | uint32_t{header[1]} << 16 |
                             uint32_t{header[2]} << 8 | header[3]);
  if (!exact(frame.data(), frame.size())) return std::nullopt;
  return frame;
}

/// The next control message (ticks skipped); its frame is kept in `frame`.
std::optional<Control> next_control(int fd, std::vector<uint8_t>& frame) {
  while (std::optional<std::vector<uint8_t>> f = read_frame(fd, 10'000)) {
    if (f->empty()) continue;
    frame = std::move(*f);
    std::string why;
    std::optional<Control> c = parse_control(frame, why);
    EXPECT_TRUE(c) << why;
    return c;
  }
  return std::nullopt;
}

/// SPAWN_REQUEST of `function` (no arguments) of `module` (its bytes carried if `carry`), as
/// Node::spawn_remote writes it.
std::vector<uint8_t> spawn_request(const ErlangPid& from, uint32_t id, const std::string& function,
                                   const std::vector<uint8_t>& module, bool carry, bool link,
                                   bool monitor) {
  EtfWriter mfa;
  mfa.tuple(3).atom(kSpawnModuleAtom).atom(function).integer(0);
  EtfWriter options;
  options.bytes() = {108, 0, 0, 0, uint8_t(1 + link + monitor)};
  options.tuple(carry ? 3 : 2).atom("lunatic_module").binary(*sha256(module));
  if (carry) options.binary(module);
  if (link) options.atom("link");
  if (monitor) options.atom("monitor");
  options.nil();
  EtfWriter args;
  args.version().nil();
  return spawn_request_frame(ErlangRef{from.node, 7, {id, 0, 0}}, from, mfa.bytes(),
                             options.bytes(), args.bytes());
}

std::vector<uint8_t> message(const ErlangPid& to, int64_t value) {
  uint8_t data[8];
  std::memcpy(data, &value, sizeof value);
  return send_tagged_frame(to, 5, data);
}

ErlangPid reply_pid(const Control& c) {
  ErlangPid pid;
  EXPECT_TRUE(EtfReader(c.reason).pid(pid));
  return pid;
}

TEST_F(PausedConnection, FramesAfterASpawnRequestWaitForItsCompileAndKeepTheirOrder) {
  start();
  const std::string peer = unique("pausedpeer");
  const int fd = connect_peer(peer);
  ASSERT_GE(fd, 0);
  const ErlangPid requester{peer + "@127.0.0.1", 40, 0, 7};
  // The first processes of a fresh runtime: ids 1 and 2 (the peer guesses them, as a fast
  // peer may; the answers below say it guessed right).
  const ErlangPid first = pid_of(1), second = pid_of(2);
  const std::vector<uint8_t> a = guest_bytes(1), b = guest_bytes(2);
  EtfWriter unlink_id;
  unlink_id.integer(99);
  std::vector<uint8_t> burst;
  for (const std::vector<uint8_t>& f : {
           spawn_request(requester, 1, "two", a, true, true, false), message(first, 42),
           unlink_id_frame(false, unlink_id.bytes(), requester, first),
           exit_frame(requester, first, reason_term("boom")),  // unlinked by now: no effect
           message(first, 43), spawn_request(requester, 2, "idle", b, true, true, true),
           exit_frame(requester, second, reason_term("boom")),
           std::vector<uint8_t>{0, 0, 0, 0},  // a tick
       }) {
    burst.insert(burst.end(), f.begin(), f.end());
  }
  send_all(fd, burst);

  // The first module's compile has started and waits; the thread still reads: the tick is
  // answered, and nothing else, and nothing was spawned. The second request waits behind
  // the first (one compile a connection at a time).
  ASSERT_TRUE(gate_->wait_entered(1));
  std::optional<std::vector<uint8_t>> tock = read_frame(fd, 5000);
  ASSERT_TRUE(tock);
  EXPECT_TRUE(tock->empty()) << "a frame before the compile was done";
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(gate_->count(), 1);
  EXPECT_FALSE(runtime_->exists(1));
  EXPECT_TRUE(reports().take().empty());

  gate_->open();
  std::vector<uint8_t> frame;
  std::optional<Control> c = next_control(fd, frame);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->signal, Signal::SpawnReply);
  EXPECT_EQ(reply_pid(*c), first);
  EXPECT_EQ(c->spawn_flags, kSpawnLinked);
  c = next_control(fd, frame);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->signal, Signal::UnlinkAck);
  c = next_control(fd, frame);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->signal, Signal::SpawnReply);
  EXPECT_EQ(reply_pid(*c), second);
  EXPECT_EQ(c->spawn_flags, kSpawnLinked | kSpawnMonitored);
  // The second process dies of the exit that followed its request, and its monitor says so.
  c = next_control(fd, frame);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->signal, Signal::MonitorExit);
  const std::optional<ProcessId> requester_id = node_->pids().id_of(requester);
  ASSERT_TRUE(requester_id);
  EXPECT_EQ(read_reason(c->reason).text,
            "killed: linked process " + std::to_string(*requester_id) + " failed");

  // The first got both messages, in order, and the exit after the unlink changed nothing.
  std::optional<runtime::ExitStatus> done = exit_of(1, 10s);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->kind, runtime::ExitStatus::Kind::Normal) << done->to_string();
  EXPECT_EQ(reports().take(), (std::vector<int64_t>{42, 43}));
  std::optional<runtime::ExitStatus> killed = exit_of(2, 10s);
  ASSERT_TRUE(killed);
  EXPECT_NE(killed->kind, runtime::ExitStatus::Kind::Normal);
  EXPECT_EQ(gate_->count(), 2);
}

TEST_F(PausedConnection, ReadsAtMostItsBoundAheadThenEverythingInOrder) {
  start(64 * 1024);
  const std::string peer = unique("boundpeer");
  const int fd = connect_peer(peer);
  ASSERT_GE(fd, 0);
  const ErlangPid requester{peer + "@127.0.0.1", 41, 0, 7};
  send_all(fd, spawn_request(requester, 1, "count", guest_bytes(3), true, false, false));
  ASSERT_TRUE(gate_->wait_entered(1));
  // 64 MiB behind the paused request: counted messages to the new process, each followed by
  // 16 KiB to a process that does not exist (dropped once handled). The node reads 64 KiB
  // ahead and then stops, so the writer is stuck once the kernel's socket buffers are full.
  constexpr int kMessages = 4096;
  const std::vector<uint8_t> bulk =
      send_tagged_frame(pid_of(1'000'000), 5, std::vector<uint8_t>(16 * 1024));
  std::atomic<int> sent{0};
  std::thread writer([&] {
    for (int i = 0; i < kMessages; ++i) {
      std::vector<uint8_t> pair = message(pid_of(1), i);
      pair.insert(pair.end(), bulk.begin(), bulk.end());
      if (send(fd, pair.data(), pair.size(), MSG_NOSIGNAL) != ssize_t(pair.size())) return;
      sent.store(i + 1);
    }
  });
  int last = -1;
  for (int quiet = 0; quiet < 10 && sent.load() < kMessages;) {
    std::this_thread::sleep_for(100ms);
    quiet = sent.load() == last ? quiet + 1 : 0;
    last = sent.load();
  }
  EXPECT_LT(sent.load(), kMessages) << "the node read everything while paused";
  EXPECT_FALSE(runtime_->exists(1));
  gate_->open();
  writer.join();
  ASSERT_EQ(sent.load(), kMessages);
  // Every message reached the new process, in the order sent.
  std::optional<runtime::ExitStatus> done = exit_of(1, 60s);
  ASSERT_TRUE(done);
  const std::vector<int64_t> got = reports().take();
  ASSERT_EQ(got.size(), size_t(kMessages));
  for (int i = 0; i < kMessages; ++i) ASSERT_EQ(got[size_t(i)], i);
}

TEST_F(PausedConnection, AConnectionThatEndsDuringACompileLeavesNothingBehind) {
  start();
  // One connection per HostWork thread, whose compiles run (and wait on the gate), and one
  // more, whose compile waits in HostWork's queue.
  const unsigned threads = runtime_->host_work().threads();
  std::vector<int> fds;
  for (unsigned i = 0; i <= threads; ++i) {
    const std::string peer = unique("endpeer" + std::to_string(i) + "x");
    const int fd = connect_peer(peer);
    ASSERT_GE(fd, 0);
    const ErlangPid requester{peer + "@127.0.0.1", 42, 0, 7};
    std::vector<uint8_t> burst =
        spawn_request(requester, 1, "idle", guest_bytes(10 + int(i)), true, true, true);
    const std::vector<uint8_t> after = message(pid_of(1), 1);
    burst.insert(burst.end(), after.begin(), after.end());
    send_all(fd, burst);
    if (i < threads) {
      ASSERT_TRUE(gate_->wait_entered(int(i) + 1));
    }
    fds.push_back(fd);
  }
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (runtime_->host_work().pending() < threads + 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(runtime_->host_work().pending(), threads + 1);
  // Every peer goes: the queued compile is dropped at once, the running ones end later and
  // find their connections gone.
  for (int fd : fds) shutdown(fd, SHUT_RDWR);
  while (runtime_->host_work().pending() > threads && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(runtime_->host_work().pending(), threads);
  while (!node_->nodes().empty() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(node_->nodes().empty());
  gate_->open();
  while (runtime_->host_work().pending() != 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(runtime_->host_work().pending(), 0u);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(runtime_->exists(1)) << "a spawn for a peer that is gone";
  EXPECT_EQ(gate_->count(), int(threads));
}

}  // namespace
}  // namespace lunatic::dist
