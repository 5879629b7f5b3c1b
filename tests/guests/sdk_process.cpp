// C++ SDK processes and messages: spawn with typed arguments (in the spawn's parameters or a
// first message, by size), typed and selective receive,
// timeouts, request/reply, links and monitors as messages (with why the process died),
// environments and modules
// (`sdk_process.wasm load`: Module::load, with the guests folder preopened as /guests).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "lunatic/lunatic.hpp"
#include "lunatic_check.h"

using namespace lunatic;
using namespace std::chrono_literals;

namespace {

constexpr Tag kReport(10);
constexpr Tag kFirst(11);
constexpr Tag kSecond(12);
constexpr Tag kLink(13);
constexpr Tag kMonitor(14);
constexpr Tag kAdd(15);

// A child with arguments of several kinds: reports their summary to `parent`.
void describe(Process parent, std::string name, std::vector<int> numbers) {
  int sum = 0;
  for (int n : numbers) sum += n;
  (void)parent.send(name + ":" + std::to_string(sum), kReport);
}

// Sends two messages, second first, so the parent's selective receive has to skip one.
void send_out_of_order(Process parent) {
  (void)parent.send(std::string("second"), kSecond);
  (void)parent.send(std::string("first"), kFirst);
}

// Answers `count` requests to add two numbers.
void adder(int count) {
  Mailbox<Request<std::pair<int, int>>> mailbox;
  for (int i = 0; i < count; ++i) {
    Result<Request<std::pair<int, int>>> request = mailbox.receive(kAdd);
    if (!request.ok()) return;
    (void)request->reply(request->value().first + request->value().second);
  }
}

void crash() { __builtin_trap(); }
void finish() {}
void wait_forever() { (void)Mailbox<int>().receive(Tag(999)); }
// Wait for a message tagged kFirst, then return / exit(3).
void finish_when_told() { (void)Mailbox<int>().receive(kFirst); }
void exit3_when_told() {
  (void)Mailbox<int>().receive(kFirst);
  std::exit(3);
}

// Reports whether it could allocate 8 MiB.
void allocate(Process parent) {
  static void* volatile keep;
  keep = std::malloc(8u << 20);
  (void)parent.send(keep != nullptr, kReport);
}

constexpr Tag kEcho(17);
using Bytes56 = std::array<uint8_t, 56>;  // with a Process: 64 bytes, the most in parameters
using Bytes57 = std::array<uint8_t, 57>;  // with a Process: 65 bytes, one too many

void echo_none() {
  Result<Process> parent = Process::lookup("spawn_arguments");
  if (parent.ok()) (void)parent->send(std::string("none"), kEcho);
}
void echo_number(Process parent, int64_t n) { (void)parent.send(std::to_string(n), kEcho); }
void echo_flag(Process parent, bool flag) {
  (void)parent.send(std::string(flag ? "yes" : "no"), kEcho);
}
template <class Array> void echo_array(Process parent, Array bytes) {
  std::string text;
  for (uint8_t b : bytes) text += static_cast<char>('a' + b % 26);
  (void)parent.send(text, kEcho);
}
void echo_string(Process parent, std::string text) { (void)parent.send(text, kEcho); }
void crash_with(int64_t) { __builtin_trap(); }

// Arguments of every size reach the child intact, whichever way they go: none, a few bytes
// (in the spawn's parameters: lunatic_sdk_entry_16 or _64, copied as bytes or encoded),
// exactly detail::kSpawnParameterBytes (still parameters), one byte more and 100 KiB (the
// first message); and a forged spawn of the parameters' entry traps in the child.
void check_spawn_argument_sizes() {
  static_assert(detail::kSpawnParameterBytes == 64);
  static_assert(detail::kBytewiseSpawnArguments<Process, int64_t>);
  static_assert(detail::kBytewiseSpawnArguments<Process, Bytes56>);
  static_assert(!detail::kBytewiseSpawnArguments<Process, Bytes57>);
  static_assert(!detail::kBytewiseSpawnArguments<Process, bool>);  // bool is checked
  Process self = Process::self();
  CHECK(self.register_as("spawn_arguments").ok());
  Mailbox<std::string> echoes;
  auto echo = [&echoes] {
    Result<std::string> got = echoes.receive(kEcho, Timeout(5s));
    return got.ok() ? *got : "error: " + got.error().message();
  };
  auto letters = [](size_t n) {
    std::string text;
    for (size_t i = 0; i < n; ++i) text += static_cast<char>('a' + i % 26);
    return text;
  };
  Bytes56 b56;
  Bytes57 b57;
  for (size_t i = 0; i < b57.size(); ++i) {
    b57[i] = static_cast<uint8_t>(i);
    if (i < b56.size()) b56[i] = static_cast<uint8_t>(i);
  }

  CHECK(Process::spawn(echo_none).ok());
  CHECK(echo() == "none");
  CHECK(Process::spawn(echo_number, self, int64_t{-1234567890123}).ok());
  CHECK(echo() == "-1234567890123");
  CHECK(Process::spawn(echo_flag, self, true).ok());  // 9 bytes, encoded
  CHECK(echo() == "yes");
  CHECK(Process::spawn(echo_array<Bytes56>, self, b56).ok());
  CHECK(echo() == letters(56));
  CHECK(Process::spawn(echo_array<Bytes57>, self, b57).ok());
  CHECK(echo() == letters(57));
  // A Process, a length and 52 bytes: 64; with 53, 65.
  CHECK(to_bytes(std::make_tuple(self, letters(52))).size() == 64);
  CHECK(Process::spawn(echo_string, self, letters(52)).ok());
  CHECK(echo() == letters(52));
  CHECK(Process::spawn(echo_string, self, letters(53)).ok());
  CHECK(echo() == letters(53));
  CHECK(Process::spawn(echo_string, self, std::string()).ok());
  CHECK(echo().empty());
  std::string big = letters(100 * 1024);
  CHECK(Process::spawn(echo_string, self, big).ok());
  CHECK(echo() == big);

  // Linked with arguments in the parameters: the link is made before the child runs.
  die_when_link_dies(false);
  Mailbox<int> signals;
  Result<Process> crashed = Process::spawn_link(kLink, crash_with, int64_t{1});
  CHECK(crashed.ok());
  Message<int> m = signals.receive_message({kLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::link_died && m.process() == *crashed);

  // A forged spawn of the entry claiming 17 bytes in 16: the child traps, nothing else.
  auto invoker = static_cast<int32_t>(
      reinterpret_cast<uintptr_t>(&detail::invoke_with_bytes<Process, int64_t>));
  auto function = static_cast<int32_t>(reinterpret_cast<uintptr_t>(&echo_number));
  for (int32_t size : {17, -1}) {
    Result<Process> forged = Process::spawn_export(
        "lunatic_sdk_entry_16", {invoker, function, size, int64_t{0}, int64_t{0}},
        SpawnOptions{kLink});
    CHECK(forged.ok());
    m = signals.receive_message({kLink}, Timeout(5s));
    CHECK(m.kind() == MessageKind::link_died && m.process() == *forged &&
          m.reason() == "trap: unreachable");
  }
  // The real thing through the same export: 16 bytes, a Process and a number.
  int64_t self_id = static_cast<int64_t>(self.id());
  CHECK(Process::spawn_export("lunatic_sdk_entry_16",
                              {invoker, function, int32_t{16}, self_id, int64_t{42}})
            .ok());
  CHECK(echo() == "42");
  Result<std::string> none = echoes.receive(Timeout(20ms));
  CHECK(!none.ok() && none.error().kind() == ErrorKind::timed_out);
}

void check_spawn_and_receive() {
  Mailbox<std::string> mailbox;
  Result<Process> child =
      Process::spawn(describe, Process::self(), std::string("ada"), std::vector<int>{1, 2, 3, 4});
  CHECK(child.ok());
  Result<std::string> got = mailbox.receive(kReport, Timeout(5s));
  CHECK(got.ok() && *got == "ada:10");

  // A lambda without captures is a function too.
  CHECK(Process::spawn(
            +[](Process parent) { (void)parent.send(std::string("lambda"), kReport); },
            Process::self())
            .ok());
  got = mailbox.receive(kReport, Timeout(5s));
  CHECK(got.ok() && *got == "lambda");

  CHECK(Process::spawn(send_out_of_order, Process::self()).ok());
  got = mailbox.receive(kFirst, Timeout(5s));
  CHECK(got.ok() && *got == "first");
  got = mailbox.receive({kFirst, kSecond}, Timeout(5s));
  CHECK(got.ok() && *got == "second");

  // Nothing left: a timeout, as an error of that kind.
  got = mailbox.receive(Timeout(20ms));
  CHECK(!got.ok() && got.error().kind() == ErrorKind::timed_out);

  // A message of another type does not decode: an error, not a crash.
  CHECK(Process::self().send(int16_t{7}, kReport).ok());
  got = mailbox.receive(kReport, Timeout(5s));
  CHECK(!got.ok() && got.error().kind() == ErrorKind::decode);

  // Sending to a process that does not exist.
  Result<void> sent = Process(999999999).send(1);
  CHECK(!sent.ok() && sent.error().kind() == ErrorKind::no_process);

  // info(): this process, running, with its (now empty) mailbox; nothing for a dead id.
  std::optional<lunatic_process_info> info = Process::self().info();
  CHECK(info && info->state == LUNATIC_PROCESS_RUNNING && info->mailbox_messages == 0);
  CHECK(!Process(999999999).info());
}

// Receives one message in a 2 MiB environment and reports what receive said.
void receive_big(Process parent) {
  Result<std::string> big = Mailbox<std::string>().receive(kReport, Timeout(5s));
  std::string what = big.ok() ? "received" : big.error().message();
  (void)parent.send(what, kReport);
}

void check_big_message() {
  Environment small;
  small.allow("").max_memory(2u << 20);
  Result<Process> child = small.spawn(receive_big, Process::self());
  CHECK(child.ok());
  // Too big for the child's memory: an error for it, not a crash.
  CHECK(child.ok() && child->send(std::string(3u << 20, 'x'), kReport).ok());
  Result<std::string> what = Mailbox<std::string>().receive(kReport, Timeout(5s));
  CHECK(what.ok() && what->find("does not fit in memory") != std::string::npos);
}

void check_timers() {
  Mailbox<int> mailbox;
  Process self = Process::self();
  uint64_t cancelled = self.send_after(1, kFirst, Timeout(30ms));
  self.send_after(2, kFirst, Timeout(10ms));
  CHECK(cancel_timer(cancelled));
  Result<int> got = mailbox.receive(kFirst, Timeout(5s));
  CHECK(got.ok() && *got == 2);
  got = mailbox.receive(kFirst, Timeout(60ms));
  CHECK(!got.ok() && got.error().kind() == ErrorKind::timed_out);
}

void check_request_reply() {
  Result<Process> server = Process::spawn(adder, 2);
  CHECK(server.ok());
  Result<int> sum = server->request<int>(std::make_pair(40, 2), kAdd, Timeout(5s));
  CHECK(sum.ok() && *sum == 42);
  sum = server->request<int>(std::make_pair(-1, 1), kAdd, Timeout(5s));
  CHECK(sum.ok() && *sum == 0);
  // The server has ended: nobody answers.
  sum = server->request<int>(std::make_pair(1, 1), kAdd, Timeout(50ms));
  CHECK(!sum.ok() && sum.error().kind() == ErrorKind::timed_out);
}

void check_links_and_monitors() {
  die_when_link_dies(false);
  Mailbox<int> mailbox;
  Result<Process> child = Process::spawn_link(kLink, crash);
  CHECK(child.ok());
  Message<int> m = mailbox.receive_message({kLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::link_died && m.tag() == kLink && m.process() == *child);

  child = Process::spawn(finish);
  CHECK(child.ok());
  child->monitor(kMonitor);
  m = mailbox.receive_message({kMonitor}, Timeout(5s));
  CHECK(m.kind() == MessageKind::process_died && m.process() == *child);

  // unlink: the kill of an unlinked process is not reported.
  child = Process::spawn_link(kLink, wait_forever);
  CHECK(child.ok() && child->exists());
  child->unlink();
  child->kill();
  Result<int> none = mailbox.receive(kLink, Timeout(50ms));
  CHECK(!none.ok() && none.error().kind() == ErrorKind::timed_out);
}

// Why a linked or monitored process died: Message::reason(), and in a signal's Error.
void check_death_reasons() {
  die_when_link_dies(false);
  Mailbox<int> mailbox;
  Result<Process> child = Process::spawn_link(kLink, crash);
  CHECK(child.ok());
  Message<int> m = mailbox.receive_message({kLink}, Timeout(5s));
  CHECK(m.kind() == MessageKind::link_died && m.reason() == "trap: unreachable");
  CHECK(!m.ended_normally());

  child = Process::spawn_link(kLink, exit3_when_told);
  CHECK(child.ok() && child->send(0, kFirst).ok());
  Result<int> error = mailbox.receive(kLink, Timeout(5s));
  CHECK(!error.ok() && error.error().kind() == ErrorKind::link_died);
  CHECK(!error.ok() && error.error().message() ==
                           "linked process " + std::to_string(child->id()) + " failed (exit(3))");

  child = Process::spawn(finish_when_told);
  CHECK(child.ok());
  child->monitor(kMonitor);
  CHECK(child->send(0, kFirst).ok());
  m = mailbox.receive_message({kMonitor}, Timeout(5s));
  CHECK(m.kind() == MessageKind::process_died && m.reason() == "normal" && m.ended_normally());

  child = Process::spawn(wait_forever);
  CHECK(child.ok());
  child->monitor(kMonitor);
  child->kill();
  m = mailbox.receive_message({kMonitor}, Timeout(5s));
  CHECK(m.kind() == MessageKind::process_died && m.reason() == "killed" && !m.ended_normally());

  Process(987654321).monitor(kMonitor);  // no such process: noproc, at once
  m = mailbox.receive_message({kMonitor}, Timeout(5s));
  CHECK(m.kind() == MessageKind::process_died && m.reason() == "noproc");
}

void check_environment() {
  Mailbox<bool> mailbox;
  Environment small;
  small.allow("").max_memory(2u << 20);
  CHECK(small.memory_limit() == (2u << 20));
  CHECK(small.spawn(allocate, Process::self()).ok());
  Result<bool> allocated = mailbox.receive(kReport, Timeout(5s));
  CHECK(allocated.ok() && !*allocated);

  Environment wasi_only;
  wasi_only.allow("wasi_snapshot_preview1::");
  Result<Process> refused = wasi_only.spawn(finish);
  CHECK(!refused.ok() && refused.error().kind() == ErrorKind::host);
  if (!refused.ok()) std::printf("wasi only: %s\n", refused.error().message().c_str());
  CHECK(!refused.ok() && refused.error().message().find("is not allowed") != std::string::npos);

  Result<Module> garbage = Module::compile("not wasm", 8);
  CHECK(!garbage.ok() && garbage.error().message().find("magic") != std::string::npos);
}

constexpr Tag kModule(16);

// The smallest valid module exporting run(i64).
const uint8_t kEmptyRun[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x01, 0x7e, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 'r',
    'u',  'n',  0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

// Receives two messages that should hold a Module; reports "decode" for one that does not
// decode, "spawned" for a module it could spawn from.
void module_receiver(Process parent) {
  for (int i = 0; i < 2; ++i) {
    Result<Module> got = Mailbox<Module>().receive(kModule, 5s);
    std::string what = "other";
    if (!got.ok() && got.error().kind() == ErrorKind::decode) what = "decode";
    if (got.ok()) {
      Environment any;
      any.allow("");
      if (got->spawn(any, "run", {int64_t{0}}).ok()) what = "spawned";
    }
    (void)parent.send(what, kReport);
  }
}

// A Module moves in a typed message; a forged message claiming one is a decode error in the
// receiver, which keeps running.
void check_module_messages() {
  Result<Process> receiver = Process::spawn(module_receiver, Process::self());
  CHECK(receiver.ok());
  if (!receiver) return;
  uint8_t forged[5] = {1, 0, 0, 0, 0};  // [present][index 0], and no resource
  CHECK(lunatic_send_bytes(receiver->id(), kModule.value(), forged, sizeof forged) == 0);
  Result<Module> module = Module::compile(kEmptyRun, sizeof kEmptyRun);
  CHECK(module.ok());
  if (!module) return;
  CHECK(receiver->send(std::move(*module), kModule).ok());
  CHECK(!module->valid());  // it moved
  Mailbox<std::string> reports;
  for (const char* expected : {"decode", "spawned"}) {
    Result<std::string> report = reports.receive(kReport, 5s);
    CHECK(report.ok() && *report == expected);
  }
}

// Module::load, run with the guests folder preopened as /guests: a missing file, a folder, a
// file past the cap and no preopen at all are io errors naming the path; a .wasm loads.
void check_load() {
  Result<Module> missing = Module::load("/guests/does_not_exist.wasm");
  CHECK(!missing.ok() && missing.error().kind() == ErrorKind::io);
  if (!missing.ok()) std::printf("missing: %s\n", missing.error().message().c_str());

  Result<Module> outside = Module::load("/nowhere/plugin.wasm");
  CHECK(!outside.ok() && outside.error().kind() == ErrorKind::io);
  CHECK(!outside.ok() && outside.error().message().find("/nowhere/plugin.wasm") == 14);
  if (!outside.ok()) std::printf("outside: %s\n", outside.error().message().c_str());

  Result<Module> folder = Module::load("/guests");
  CHECK(!folder.ok() && folder.error().kind() == ErrorKind::io);
  if (!folder.ok()) std::printf("folder: %s\n", folder.error().message().c_str());

  Result<Module> capped = Module::load("/guests/sdk_process.wasm", 1000);
  CHECK(!capped.ok() && capped.error().kind() == ErrorKind::io);
  if (!capped.ok()) std::printf("capped: %s\n", capped.error().message().c_str());

  Result<Module> itself = Module::load("/guests/sdk_process.wasm");
  CHECK(itself.ok() && itself->id() != 0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "load") == 0) {
    check_load();
    return check_result("sdk_process load");
  }
  check_spawn_and_receive();
  check_spawn_argument_sizes();
  check_request_reply();
  check_big_message();
  check_timers();
  check_links_and_monitors();
  check_death_reasons();
  check_environment();
  check_module_messages();
  return check_result("sdk_process");
}
