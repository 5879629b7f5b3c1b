// lunatic C++ SDK: how typed messages become bytes and back. Serializer<T> covers trivially
// copyable types, std::string, std::vector, std::optional, std::pair and std::tuple; users add
// their own types by specializing it (see docs/sdk.md). Host resources (sockets) travel beside
// the bytes, from rvalue messages only: the Writer holds them until the message is built, the
// Reader takes them back.
#ifndef LUNATIC_SERIALIZE_HPP
#define LUNATIC_SERIALIZE_HPP

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "lunatic/operator_new.hpp"

namespace lunatic {

/// A host resource (a socket) on its way into a message: its id in the sender and how to push
/// it into the message being built (or drop it if the message is never built).
struct PendingResource {
  uint64_t id;
  int64_t (*push)(uint64_t id);
  void (*drop)(uint64_t id);
};

/// Appends the bytes of a message being encoded. A Writer that takes resources (encoding an
/// rvalue message) owns the sockets that go with it until the message is built
/// (detail::build_message pushes them); destroyed before that, it drops them. One that refuses
/// them (encoding an lvalue: the default) leaves each socket in its object and only notes that
/// it met one (refused_resources()), so the message is not sent.
class Writer {
 public:
  enum class Resources { refuse, take };

  explicit Writer(Resources mode = Resources::refuse) : mode_(mode) {}
  Writer(Writer&& other) noexcept
      : bytes_(std::move(other.bytes_)),
        resources_(std::move(other.resources_)),
        mode_(other.mode_),
        refused_(other.refused_) {
    other.resources_.clear();
  }
  Writer& operator=(Writer&&) = delete;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    for (const PendingResource& r : resources_) r.drop(r.id);
  }

  void write_bytes(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  /// A length or count (u32).
  void write_size(size_t size) {
    uint32_t n = static_cast<uint32_t>(size);
    write_bytes(&n, sizeof n);
  }
  /// Whether a resource may move into this Writer (else call refuse_resource()).
  bool takes_resources() const { return mode_ == Resources::take; }
  /// Takes ownership of a resource for the message; writes its index among the message's
  /// resources (u32), which the Reader checks. @pre takes_resources().
  void write_resource(PendingResource resource) {
    write_size(resources_.size());
    resources_.push_back(resource);
  }
  /// Notes a resource left in its object (a refusing Writer); its index is written as 0.
  void refuse_resource() {
    write_size(0);
    refused_ = true;
  }
  /// How many resources this Writer holds for its message.
  size_t resource_count() const { return resources_.size(); }
  /// Whether a resource was refused: these bytes must not become a message.
  bool refused_resources() const { return refused_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t>& bytes() { return bytes_; }
  /// The resources, in index order; the caller takes them over (the Writer forgets them).
  std::vector<PendingResource> release_resources() { return std::exchange(resources_, {}); }

 private:
  std::vector<uint8_t> bytes_;
  std::vector<PendingResource> resources_;
  Resources mode_;
  bool refused_ = false;
};

/// Reads the bytes of a received message. A read past the end fails, and stays failed: the
/// bytes come from another process (possibly a hostile one), so every size is checked
/// against what is left before anything is allocated.
class Reader {
 public:
  /// `in_message`: the bytes are the received message's, so its resources can be taken.
  Reader(const uint8_t* data, size_t size, bool in_message = false)
      : data_(data), size_(size), in_message_(in_message) {}

  bool read_bytes(void* out, size_t size) {
    if (!ok_ || size > size_ - position_) return ok_ = false;
    if (size != 0) std::memcpy(out, data_ + position_, size);
    position_ += size;
    return true;
  }
  /// A length or count written by Writer::write_size, refused if it exceeds what is left
  /// divided by `min_element_size` (so a forged count cannot make us allocate).
  bool read_size(size_t& size, size_t min_element_size) {
    uint32_t n = 0;
    if (!read_bytes(&n, sizeof n)) return false;
    if (min_element_size != 0 && n > remaining() / min_element_size) return ok_ = false;
    size = n;
    return true;
  }
  /// The next resource of the received message, moved into this process by `take` (as
  /// lunatic_take_tcp_stream). Fails outside a received message, when the index written by
  /// the sender is not the next one (resources are taken in order, each once), and when the
  /// message has no resource of `kind` at that index: `kind_of` (lunatic_resource_kind) is
  /// asked first, so a forged message is a decode error, never a trap in `take`.
  bool read_resource(int32_t kind, int32_t (*kind_of)(uint64_t index),
                     uint64_t (*take)(uint64_t index), uint64_t& id) {
    size_t index = 0;
    if (!read_size(index, 0)) return false;
    if (!in_message_ || index != next_resource_ || kind_of(index) != kind) return ok_ = false;
    ++next_resource_;
    id = take(index);
    return true;
  }
  size_t remaining() const { return size_ - position_; }
  bool ok() const { return ok_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
  bool ok_ = true;
  bool in_message_;
  size_t next_resource_ = 0;
};

/// True when T is copied as its bytes: trivially copyable and not a pointer (an address
/// means nothing in another process's memory).
template <class T>
inline constexpr bool kIsBytewise =
    std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> && !std::is_member_pointer_v<T>;

/// Serializer<T>::write(Writer&, const T&) encodes a T; read(Reader&, T&) decodes into a
/// default-constructed T and returns false on malformed bytes. This primary template copies
/// bytewise types as their bytes; specialize it for other types (any specialization wins
/// over it, also for trivially copyable types that want another encoding).
template <class T, class Enable = void> struct Serializer {
  static_assert(kIsBytewise<T>,
                "lunatic: no Serializer for this type; specialize lunatic::Serializer<T> "
                "(docs/sdk.md)");
  /// Marks the bytewise encoding (specializations do not have it): see kCopiedAsBytes.
  static constexpr bool kBytewiseEncoding = true;
  static void write(Writer& w, const T& value) { w.write_bytes(&value, sizeof value); }
  static bool read(Reader& r, T& value) { return r.read_bytes(&value, sizeof value); }
};

template <class T, class = void> inline constexpr bool kCopiedAsBytes = false;
/// True when T's encoding is its bytes (the primary Serializer): arrays of it are copied in
/// one go.
template <class T>
inline constexpr bool kCopiedAsBytes<T, std::void_t<decltype(Serializer<T>::kBytewiseEncoding)>> =
    kIsBytewise<T>;

template <class T, class = void> inline constexpr bool kHoldsResources = false;
/// True when a T can hold a host resource (a socket), which moves with the message it is
/// sent in, so a T is sent as an rvalue (Process::send). Built-in Serializers say so for
/// their element types; a specialization for a type holding a socket declares
/// `static constexpr bool kHoldsResources = true;` (if it does not, sending an lvalue T that
/// holds a socket is a `usage` error at run time instead of a compile error).
template <class T>
inline constexpr bool kHoldsResources<T, std::void_t<decltype(Serializer<T>::kHoldsResources)>> =
    Serializer<T>::kHoldsResources;

template <class T> void serialize(Writer& w, const T& value) { Serializer<T>::write(w, value); }

template <class T> bool deserialize(Reader& r, T& value) {
  return Serializer<T>::read(r, value) && r.ok();
}

/// bool is checked: a byte other than 0 or 1 from another process is malformed, not UB.
template <> struct Serializer<bool> {
  static void write(Writer& w, bool b) {
    uint8_t byte = b ? 1 : 0;
    w.write_bytes(&byte, 1);
  }
  static bool read(Reader& r, bool& b) {
    uint8_t byte = 0;
    if (!r.read_bytes(&byte, 1) || byte > 1) return false;
    b = byte == 1;
    return true;
  }
};

template <> struct Serializer<std::string> {
  static void write(Writer& w, const std::string& s) {
    w.write_size(s.size());
    w.write_bytes(s.data(), s.size());
  }
  static bool read(Reader& r, std::string& s) {
    size_t n = 0;
    if (!r.read_size(n, 1)) return false;
    s.resize(n);
    return r.read_bytes(s.data(), n);
  }
};

template <class T, class A> struct Serializer<std::vector<T, A>> {
  static constexpr bool kHoldsResources = lunatic::kHoldsResources<T>;
  static void write(Writer& w, const std::vector<T, A>& v) {
    w.write_size(v.size());
    if constexpr (kCopiedAsBytes<T>) {
      w.write_bytes(v.data(), v.size() * sizeof(T));
    } else {
      for (const T& item : v) serialize(w, item);
    }
  }
  static bool read(Reader& r, std::vector<T, A>& v) {
    size_t n = 0;
    // Counts that cannot fit in the bytes left are refused before allocating (so an element
    // type that encodes to no bytes at all cannot be sent in a vector).
    if (!r.read_size(n, kCopiedAsBytes<T> ? sizeof(T) : 1)) return false;
    v.clear();
    if constexpr (kCopiedAsBytes<T>) {
      v.resize(n);
      return r.read_bytes(v.data(), n * sizeof(T));
    } else {
      v.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        T item{};  // not v.back(): std::vector<bool> has no bool& to read into
        if (!deserialize(r, item)) return false;
        v.push_back(std::move(item));
      }
      return true;
    }
  }
};

template <class T> struct Serializer<std::optional<T>> {
  static constexpr bool kHoldsResources = lunatic::kHoldsResources<T>;
  static void write(Writer& w, const std::optional<T>& o) {
    uint8_t has = o.has_value() ? 1 : 0;
    w.write_bytes(&has, 1);
    if (o) serialize(w, *o);
  }
  static bool read(Reader& r, std::optional<T>& o) {
    uint8_t has = 0;
    if (!r.read_bytes(&has, 1) || has > 1) return false;
    o.reset();
    if (has == 0) return true;
    o.emplace();
    return deserialize(r, *o);
  }
};

template <class A, class B> struct Serializer<std::pair<A, B>> {
  static constexpr bool kHoldsResources =
      lunatic::kHoldsResources<A> || lunatic::kHoldsResources<B>;
  static void write(Writer& w, const std::pair<A, B>& p) {
    serialize(w, p.first);
    serialize(w, p.second);
  }
  static bool read(Reader& r, std::pair<A, B>& p) {
    return deserialize(r, p.first) && deserialize(r, p.second);
  }
};

template <class... Ts> struct Serializer<std::tuple<Ts...>> {
  static constexpr bool kHoldsResources = (lunatic::kHoldsResources<Ts> || ...);
  static void write(Writer& w, const std::tuple<Ts...>& t) {
    std::apply([&w](const Ts&... items) { (serialize(w, items), ...); }, t);
  }
  static bool read(Reader& r, std::tuple<Ts...>& t) {
    return std::apply([&r](Ts&... items) { return (deserialize(r, items) && ...); }, t);
  }
};

namespace detail {

/// Whether a value passed as `T&&` (a forwarding reference) may give up its sockets: an
/// rvalue of a non-const type.
template <class T>
inline constexpr bool kIsMovableRvalue =
    !std::is_lvalue_reference_v<T> && !std::is_const_v<std::remove_reference_t<T>>;

/// The Writer for encoding a value passed as `T&&`: one that takes its sockets for an
/// rvalue, one that refuses them for an lvalue. An lvalue of a type that can hold a socket
/// does not compile: the socket would be taken out of an object the caller still names.
template <class T> Writer writer_for() {
  static_assert(
      kIsMovableRvalue<T> || !kHoldsResources<std::remove_cv_t<std::remove_reference_t<T>>>,
      "lunatic: this value can hold a socket (TcpStream, TcpListener, UdpSocket) or a Module, "
      "which moves into the message: pass it as an rvalue (std::move(value)), or "
      "send a clone() of the socket");
  return Writer(kIsMovableRvalue<T> ? Writer::Resources::take : Writer::Resources::refuse);
}

}  // namespace detail

/// The bytes of `value`. Bytes alone cannot carry a socket: an rvalue's sockets are closed,
/// and an lvalue of a type that can hold one does not compile (as Process::send).
template <class T> std::vector<uint8_t> to_bytes(T&& value) {
  Writer w = detail::writer_for<T>();
  serialize(w, value);
  return std::move(w.bytes());
}

/// Decodes a whole T from `bytes` (trailing bytes are an error), or nothing. `in_message`:
/// the bytes are the received message's (its resources can be taken; see Reader).
template <class T>
std::optional<T> from_bytes(const uint8_t* bytes, size_t size, bool in_message = false) {
  Reader r(bytes, size, in_message);
  T value{};
  if (!deserialize(r, value) || r.remaining() != 0) return std::nullopt;
  return value;
}

}  // namespace lunatic

#endif
