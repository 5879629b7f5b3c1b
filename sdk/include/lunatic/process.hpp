// lunatic C++ SDK: Process, a handle to a process by id: spawning a function of this module
// with arguments (or an export), sending, links, monitors, request/reply, the name registry.
#ifndef LUNATIC_PROCESS_HPP
#define LUNATIC_PROCESS_HPP

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "lunatic/detail.hpp"
#include "lunatic/message.h"
#include "lunatic/process.h"
#include "lunatic/registry.h"
#include "lunatic/result.hpp"
#include "lunatic/serialize.hpp"
#include "lunatic/tag.hpp"
#include "lunatic/timer.h"

/// The export every Process::spawn of a function starts in: `invoker` (a table index, the
/// same in every instance of this module) decodes the arguments and calls `function`.
/// `used` keeps it in every module that includes this header.
extern "C" inline __attribute__((used, export_name("lunatic_sdk_entry"))) void lunatic_sdk_entry(
    int32_t invoker, int32_t function) {
  auto* invoke = reinterpret_cast<void (*)(void*)>(static_cast<uintptr_t>(invoker));
  invoke(reinterpret_cast<void*>(static_cast<uintptr_t>(function)));
}

namespace lunatic {

/// An argument of an exported Wasm function (Process::spawn_export, Module::spawn).
class Param {
 public:
  Param(int32_t v) : type_(0x7F) { std::memcpy(bits_, &v, sizeof v); }  // NOLINT: implicit
  Param(int64_t v) : type_(0x7E) { std::memcpy(bits_, &v, sizeof v); }  // NOLINT: implicit
  Param(float v) : type_(0x7D) { std::memcpy(bits_, &v, sizeof v); }    // NOLINT: implicit
  Param(double v) : type_(0x7C) { std::memcpy(bits_, &v, sizeof v); }   // NOLINT: implicit

  /// Appends the 17-byte record of lunatic::process::spawn: [type][value u128 LE].
  void encode(std::vector<uint8_t>& out) const {
    const size_t at = out.size();
    out.resize(at + kRecordBytes);
    encode(out.data() + at);
  }
  /// Writes the record at `out` (17 bytes); returns the byte after it.
  uint8_t* encode(uint8_t* out) const {
    out[0] = type_;
    std::memcpy(out + 1, bits_, sizeof bits_);
    return out + kRecordBytes;
  }
  static constexpr size_t kRecordBytes = 17;

 private:
  uint8_t type_;
  uint8_t bits_[16] = {};
};

/// How to spawn: linked under `link` (none: not linked), in environment `config` and from
/// module `module` (LUNATIC_SELF: the caller's own). Environment and Module fill these in.
struct SpawnOptions {
  Tag link;
  int64_t config = LUNATIC_SELF;
  int64_t module = LUNATIC_SELF;
};

class Process;

namespace detail {

/// Spawns `function` of the module in `options` with the `size` bytes of parameter records
/// at `params`.
inline Result<uint64_t> spawn_raw(const SpawnOptions& options, std::string_view function,
                                  const uint8_t* params, size_t size) {
  uint64_t id = 0;
  int32_t status = lunatic_spawn(options.link.value(), options.config, options.module,
                                 function.data(), function.size(), params, size, &id);
  if (status != 0) return Error::from_host(id);
  return id;
}

/// A spawned function's arguments whose encoding (Serializer) is at most this many bytes, and
/// holds no socket, travel with the spawn itself: as i64 parameters of the child's entry
/// (lunatic_sdk_entry_16 or lunatic_sdk_entry_64), not as a first message.
inline constexpr size_t kSpawnParameterBytes = 64;

/// Whether the arguments `Params...` encode as their bytes (kCopiedAsBytes), together at most
/// kSpawnParameterBytes: they are then copied straight into the spawn's parameters.
template <class... Params>
inline constexpr bool kBytewiseSpawnArguments = (kCopiedAsBytes<std::decay_t<Params>> && ...) &&
                                                (sizeof(std::decay_t<Params>) + ... +
                                                 0) <= kSpawnParameterBytes;

/// Runs in the child (through lunatic_sdk_entry_16/_64): decodes the `size` argument bytes at
/// `bytes`, calls `function`.
template <class... Params>
void invoke_with_bytes(void* function, const uint8_t* bytes, size_t size) {
  auto* fn = reinterpret_cast<void (*)(Params...)>(function);
  std::optional<std::tuple<std::decay_t<Params>...>> args =
      from_bytes<std::tuple<std::decay_t<Params>...>>(bytes, size);
  if (!args) __builtin_trap();  // only a forged spawn could do this
  std::apply(fn, std::move(*args));
}

/// The child's side of lunatic_sdk_entry_16/_64: `words` hold `capacity` bytes, of which the
/// first `size` are the arguments that `invoker` (a table index) decodes for `function`.
inline void enter_with_bytes(int32_t invoker, int32_t function, int32_t size, const int64_t* words,
                             size_t capacity) {
  if (static_cast<uint32_t>(size) > capacity) __builtin_trap();  // a forged spawn
  auto* invoke =
      reinterpret_cast<void (*)(void*, const uint8_t*, size_t)>(static_cast<uintptr_t>(invoker));
  invoke(reinterpret_cast<void*>(static_cast<uintptr_t>(function)),
         reinterpret_cast<const uint8_t*>(words), static_cast<uint32_t>(size));
}

/// Spawns `function(Params...)` with its `size` encoded argument bytes at `bytes` (at most
/// kSpawnParameterBytes) as parameters: [invoker, function, size, then 2 or 8 i64 words].
template <class... Params>
Result<uint64_t> spawn_with_bytes(const SpawnOptions& options, void (*function)(Params...),
                                  const uint8_t* bytes, size_t size) {
  constexpr size_t kWords = kSpawnParameterBytes / sizeof(int64_t);
  int64_t words[kWords] = {};
  std::memcpy(words, bytes, size);
  const size_t count = size <= 2 * sizeof(int64_t) ? 2 : kWords;
  uint8_t records[(3 + kWords) * Param::kRecordBytes];
  uint8_t* at = records;
  at = Param(static_cast<int32_t>(reinterpret_cast<uintptr_t>(&invoke_with_bytes<Params...>)))
           .encode(at);
  at = Param(static_cast<int32_t>(reinterpret_cast<uintptr_t>(function))).encode(at);
  at = Param(static_cast<int32_t>(size)).encode(at);
  for (size_t i = 0; i < count; ++i) at = Param(words[i]).encode(at);
  return spawn_raw(options, count == 2 ? "lunatic_sdk_entry_16" : "lunatic_sdk_entry_64", records,
                   static_cast<size_t>(at - records));
}

/// Whether argument `Arg&&` for parameter `Param` of a spawned function is fine: an rvalue,
/// or of a type that cannot hold a socket (which would move out of the caller's object).
template <class Param, class Arg>
inline constexpr bool kSocketArgumentMovable =
    kIsMovableRvalue<Arg> || !kHoldsResources<std::decay_t<Param>>;

/// Runs in the child (through lunatic_sdk_entry): receives the arguments (the first message),
/// calls `function`.
template <class... Params> void invoke_spawned(void* function) {
  auto* fn = reinterpret_cast<void (*)(Params...)>(function);
  if constexpr (sizeof...(Params) == 0) {
    fn();
  } else {
    int64_t tag = kSpawnArgumentsTag;
    if (lunatic_receive(&tag, 1, LUNATIC_NO_TIMEOUT) != LUNATIC_MESSAGE_DATA) __builtin_trap();
    Result<std::tuple<std::decay_t<Params>...>> args =
        decode_received<std::tuple<std::decay_t<Params>...>>();
    if (!args.ok()) __builtin_trap();  // only a forged message could do this
    std::apply(fn, std::move(args.value()));
  }
}

}  // namespace detail

}  // namespace lunatic

/// The exports Process::spawn starts in when the arguments travel with the spawn: their
/// `size` bytes in the words after it (little endian: w0's bytes first), 16 or 64 bytes.
extern "C" inline __attribute__((used, export_name("lunatic_sdk_entry_16"))) void
lunatic_sdk_entry_16(int32_t invoker, int32_t function, int32_t size, int64_t w0, int64_t w1) {
  const int64_t words[] = {w0, w1};
  lunatic::detail::enter_with_bytes(invoker, function, size, words, sizeof words);
}
extern "C" inline __attribute__((used, export_name("lunatic_sdk_entry_64"))) void
lunatic_sdk_entry_64(int32_t invoker, int32_t function, int32_t size, int64_t w0, int64_t w1,
                     int64_t w2, int64_t w3, int64_t w4, int64_t w5, int64_t w6, int64_t w7) {
  const int64_t words[] = {w0, w1, w2, w3, w4, w5, w6, w7};
  lunatic::detail::enter_with_bytes(invoker, function, size, words, sizeof words);
}

namespace lunatic {

/// A process, by id. Copyable and cheap: holding a Process keeps nothing alive.
class Process {
 public:
  constexpr Process() = default;
  constexpr explicit Process(uint64_t id) : id_(id) {}

  /// The calling process.
  static Process self() { return Process(lunatic_process_id()); }

  /// Spawns a process running `function(args...)` (a function of this module; a lambda
  /// without captures converts to one). The arguments are serialized (Serializer) and given
  /// to the child, which starts with fresh memory: pass it everything it needs. (Up to
  /// detail::kSpawnParameterBytes of them go with the spawn, more as its first message.)
  template <class... Params, class... Args>
  static Result<Process> spawn(void (*function)(Params...), Args&&... args) {
    return spawn_with(SpawnOptions{}, function, std::forward<Args>(args)...);
  }

  /// As spawn, linked to the caller under `tag` before the child runs.
  template <class... Params, class... Args>
  static Result<Process> spawn_link(Tag tag, void (*function)(Params...), Args&&... args) {
    return spawn_with(SpawnOptions{tag}, function, std::forward<Args>(args)...);
  }

  /// As spawn, with explicit options (link tag, environment).
  template <class... Params, class... Args>
  static Result<Process> spawn_with(const SpawnOptions& options, void (*function)(Params...),
                                    Args&&... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "spawn: wrong number of arguments");
    if constexpr (sizeof...(Params) == sizeof...(Args)) {
      static_assert(
          (detail::kSocketArgumentMovable<Params, Args> && ...),
          "lunatic: a spawn argument can hold a socket (TcpStream, TcpListener, UdpSocket) or a "
          "Module, which moves to the child: pass it as an rvalue (std::move(arg)), or a "
          "clone() of the socket");
    }
    if constexpr (sizeof...(Params) == 0) {
      return spawn_then_send(options, function, nullptr);
    } else {
      std::tuple<std::decay_t<Params>...> values(std::forward<Args>(args)...);
      if constexpr (detail::kBytewiseSpawnArguments<Params...>) {
        // Their encoding is their bytes: copied into the parameters, no Writer.
        uint8_t bytes[(sizeof(std::decay_t<Params>) + ... + 0)];
        size_t at = 0;
        std::apply(
            [&](const auto&... v) {
              ((std::memcpy(bytes + at, &v, sizeof v), at += sizeof v), ...);
            },
            values);
        return spawned(detail::spawn_with_bytes(options, function, bytes, sizeof bytes));
      } else {
        // `values` is ours: its sockets move into the Writer (refused_resources() is false).
        Writer w = detail::encode(std::move(values));
        if (w.resource_count() == 0 && w.bytes().size() <= detail::kSpawnParameterBytes) {
          return spawned(
              detail::spawn_with_bytes(options, function, w.bytes().data(), w.bytes().size()));
        }
        return spawn_then_send(options, function, &w);
      }
    }
  }

  /// Spawns export `function` of this module with Wasm arguments (i32, i64, f32, f64).
  static Result<Process> spawn_export(std::string_view function, std::initializer_list<Param> args,
                                      const SpawnOptions& options = {}) {
    std::vector<uint8_t> params;
    for (const Param& p : args) p.encode(params);
    return spawned(detail::spawn_raw(options, function, params.data(), params.size()));
  }

  /// The process registered under `name` (in this environment, else the nearest ancestor
  /// that has it), if it is alive.
  static Result<Process> lookup(std::string_view name) {
    uint64_t id = 0;
    // A name past the host's maximum (which would trap) can never be registered.
    if (name.size() > LUNATIC_MAX_NAME_BYTES ||
        lunatic_registry_get(name.data(), name.size(), &id) != 0) {
      return Error(ErrorKind::no_process, "no process named " + std::string(name));
    }
    return Process(id);
  }

  /// Registers this process under `name` in the caller's environment (replacing that
  /// environment's earlier registration; names of ancestors are only shadowed). The name
  /// goes when the process ends. Errors: no_process (it has ended), host (the environment
  /// is at its max_names), usage (a name longer than LUNATIC_MAX_NAME_BYTES).
  Result<void> register_as(std::string_view name) const {
    if (name.size() > LUNATIC_MAX_NAME_BYTES) {
      return Error(ErrorKind::usage, "register_as: a name of " + std::to_string(name.size()) +
                                         " bytes is longer than LUNATIC_MAX_NAME_BYTES");
    }
    switch (lunatic_registry_put(name.data(), name.size(), id_)) {
      case LUNATIC_NAME_REGISTERED: return {};
      case LUNATIC_NAME_NO_PROCESS:
        return Error(ErrorKind::no_process, "no process " + std::to_string(id_), id_);
      default:
        return Error(ErrorKind::host,
                     "register_as: the environment is at its limit of names (max_names)");
    }
  }

  uint64_t id() const { return id_; }
  bool exists() const { return lunatic_exists(id_) != 0; }
  /// What the process is doing (state, mailbox, memory, fuel; process.h's
  /// lunatic_process_info), or nullopt when it is not alive in this process's environment or
  /// one below it.
  std::optional<lunatic_process_info> info() const {
    lunatic_process_info out;
    if (lunatic_process_info_get(id_, &out) != 0) return std::nullopt;
    return out;
  }

  /// Sends `message` tagged `tag`; an error if the process does not exist. A message that
  /// can hold a socket (kHoldsResources) is sent as an rvalue, `send(std::move(message))`,
  /// and its sockets move with it (the objects are left empty; see networking.hpp); sent as
  /// an lvalue it does not compile. Error `usage`: an lvalue whose custom Serializer holds a
  /// socket without declaring it (nothing is sent, the socket stays).
  template <class T> Result<void> send(T&& message, Tag tag = Tag::none()) const {
    if constexpr (kCopiedAsBytes<std::decay_t<T>>) {
      // Its encoding is its bytes (an integer, a struct of them): sent from where it is, the
      // same bytes a Writer would hold, without one (no heap allocation).
      const std::decay_t<T>& bytes = message;
      return detail::sent(id_, lunatic_send_data(id_, tag.value(), &bytes, sizeof bytes));
    } else {
      Writer w = detail::encode(std::forward<T>(message));
      if (w.refused_resources()) return detail::refused_resources("send");
      return detail::send_bytes(id_, tag, w);
    }
  }

  /// Sends `message` tagged `tag` after `delay` (dropped if the process is gone by then);
  /// sockets as in send. Returns the timer's id for cancel_timer, or 0 when nothing was sent
  /// (send's `usage` error).
  template <class T> uint64_t send_after(T&& message, Tag tag, Timeout delay) const {
    Writer w = detail::encode(std::forward<T>(message));
    if (w.refused_resources()) return 0;
    detail::build_message(tag, w);
    return static_cast<uint64_t>(lunatic_send_after(id_, delay.milliseconds()));
  }

  /// Sends `request` tagged `tag` and waits for the reply (Request<T>::reply in the
  /// receiver), searching only messages that arrive after the send; sockets as in send.
  /// Errors: timed_out (also when the process does not exist), decode, a link or monitor
  /// signal, or send's `usage` error.
  template <class Reply, class T>
  Result<Reply> request(T&& request, Tag tag = Tag::none(),
                        Timeout timeout = Timeout::forever()) const {
    Tag reply_tag = Tag::unique();
    Writer w = detail::writer_for<T>();
    serialize(w, reply_tag.value());
    serialize(w, request);
    if (w.refused_resources()) return detail::refused_resources("request");
    detail::build_message(tag, w);
    int32_t kind = lunatic_send_receive_skip_search(id_, reply_tag.value(), timeout.milliseconds());
    if (kind != LUNATIC_MESSAGE_DATA) return detail::receive_error(kind);
    return detail::decode_received<Reply>();
  }

  /// Links the caller and this process both ways: a failure of either reaches the other
  /// (it dies too, or gets a link_died message after die_when_link_dies(false)).
  void link(Tag tag) const { lunatic_link(tag.value(), id_); }
  void unlink() const { lunatic_unlink(id_); }
  /// One process_died message tagged `tag` when this process ends, however it ends.
  void monitor(Tag tag) const { lunatic_monitor(tag.value(), id_); }
  void stop_monitoring() const { lunatic_stop_monitoring(id_); }
  /// Kills the process (a failure: its links are notified).
  void kill() const { lunatic_kill(id_); }

  friend bool operator==(Process a, Process b) { return a.id_ == b.id_; }
  friend bool operator!=(Process a, Process b) { return a.id_ != b.id_; }

 private:
  static Result<Process> spawned(const Result<uint64_t>& id) {
    if (!id.ok()) return id.error();
    return Process(*id);
  }

  /// Spawns `function` in lunatic_sdk_entry, then sends it the arguments in `w` (none: no
  /// arguments) as the first message, which the child waits for.
  template <class... Params>
  static Result<Process> spawn_then_send(const SpawnOptions& options, void (*function)(Params...),
                                         Writer* w) {
    uint8_t params[2 * Param::kRecordBytes];
    uint8_t* at =
        Param(static_cast<int32_t>(reinterpret_cast<uintptr_t>(&detail::invoke_spawned<Params...>)))
            .encode(params);
    Param(static_cast<int32_t>(reinterpret_cast<uintptr_t>(function))).encode(at);
    Result<uint64_t> id = detail::spawn_raw(options, "lunatic_sdk_entry", params, sizeof params);
    if (!id.ok()) return id.error();
    // The child waits for this message first; it is alive (it waits), so this succeeds.
    if (w != nullptr) (void)detail::send_bytes(*id, Tag(detail::kSpawnArgumentsTag), *w);
    return Process(*id);
  }

  uint64_t id_ = 0;
};

/// false: a linked process's failure arrives as a link_died message instead of killing the
/// caller (Erlang's trap_exit). true is the default.
inline void die_when_link_dies(bool die) { lunatic_die_when_link_dies(die ? 1 : 0); }

/// Cancels a timer of send_after: true if it had not fired (its message is dropped).
inline bool cancel_timer(uint64_t timer_id) { return lunatic_cancel_timer(timer_id) == 1; }

/// Suspends the caller (parked: it holds no thread).
inline void sleep(Timeout duration) { lunatic_sleep_ms(duration.milliseconds()); }

}  // namespace lunatic

#endif
