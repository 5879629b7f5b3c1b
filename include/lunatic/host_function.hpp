// What an embedder's host function sees: the CallContext (the calling process, its memory),
// checked views of guest memory (GuestPtr, GuestSpan, GuestMutSpan, GuestString) and
// HostResult, the value-or-trap a host function may return. linker.hpp declares them.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <lunatic/trap.hpp>

namespace lunatic {

/// A process id: global to one Runtime, from 1, never reused while it lives. 0 is no process.
using ProcessId = uint64_t;

/// Passed as an optional first parameter `CallContext&` of a host function. Lives for one call:
/// never keep it, or a view made from it, beyond the call.
class CallContext {
 public:
  /// The calling process (Runtime), or 0 when the caller is not a process (an engine Thread).
  ProcessId process_id() const;
  /// "app::report": the function being called.
  std::string_view function_name() const;
  /// Bytes of the caller's memory 0 (0 if it has none).
  uint64_t memory_size() const;
  /// The caller's memory 0, or null. Moves when the guest grows its memory: prefer the views,
  /// which are checked and re-read it.
  uint8_t* memory_data() const;

  /// Whether `count` elements of `size` bytes at `address` lie inside the memory.
  bool in_bounds(uint64_t address, uint64_t count, uint64_t size) const;
  /// The trap for a range outside memory: "out of bounds memory access in host function NAME:
  /// WHAT (N bytes at 0xADDR) outside memory of M bytes".
  Trap out_of_bounds(std::string_view what, uint64_t address, uint64_t count, uint64_t size) const;
  /// The trap for bytes that are not UTF-8: "invalid UTF-8 string argument in host function
  /// NAME: WHAT (N bytes at 0xADDR)".
  Trap invalid_utf8(std::string_view what, uint64_t address, uint64_t bytes) const;

  /// Made by the implementation around its own context; `internal` is opaque.
  explicit CallContext(void* internal) : internal_(internal) {}
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;

 private:
  void* internal_;
};

namespace detail {
bool is_valid_utf8(std::string_view text);
}

/// A value of T (nothing for T = void) or a Trap that stops the calling guest.
template <class T> class [[nodiscard]] HostResult {
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

 public:
  /// Success; for T = void the only way to say "done".
  HostResult() requires std::is_void_v<T> : v_(std::in_place_index<0>) {}
  /// Success with a value.
  template <class U = Stored>
  requires(!std::is_void_v<T> && std::is_convertible_v<U&&, Stored>)
      HostResult(U&& value)  // NOLINT: implicit so that `return 42;` works
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  /// The guest traps with `trap`.
  HostResult(Trap trap)  // NOLINT: implicit so that `return Trap::host(...)` works
      : v_(std::in_place_index<1>, std::move(trap)) {}

  bool ok() const { return v_.index() == 0; }
  /// @pre ok() and T is not void.
  const Stored& value() const& { return std::get<0>(v_); }
  Stored&& value() && { return std::get<0>(std::move(v_)); }
  /// @pre !ok()
  const Trap& trap() const& { return std::get<1>(v_); }
  Trap&& trap() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<Stored, Trap> v_;
};

/// `count` elements of `size` bytes at `address`, checked against the caller's memory; what
/// the views are made of. Valid for the current call only.
class GuestRange {
 public:
  GuestRange() = default;
  uint32_t address() const { return address_; }
  /// Number of elements (the guest's length argument).
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 protected:
  GuestRange(const CallContext* ctx, uint32_t address, uint32_t size)
      : ctx_(ctx), address_(address), size_(size) {}
  uint8_t* base() const { return ctx_ == nullptr ? nullptr : ctx_->memory_data() + address_; }

  /// The view of `count` elements of T at `address`, or the out-of-bounds trap naming `what`.
  template <class View, class T>
  static HostResult<View> make(const CallContext& ctx, std::string_view what, uint32_t address,
                               uint32_t count) {
    if (!ctx.in_bounds(address, count, sizeof(T))) {
      return ctx.out_of_bounds(what, address, count, sizeof(T));
    }
    View view;
    static_cast<GuestRange&>(view) = GuestRange(&ctx, address, count);
    return view;
  }

 private:
  const CallContext* ctx_ = nullptr;
  uint32_t address_ = 0;
  uint32_t size_ = 0;
};

/// One T in guest memory (Wasm parameter: one i32 address), checked for sizeof(T) bytes. Reads
/// and writes copy bytes, so unaligned addresses are fine.
template <class T> class GuestPtr : public GuestRange {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_const_v<T>,
                "GuestPtr<T>: T must be a non-const trivially copyable type");

 public:
  /// A checked pointer to guest data the host found elsewhere (an address read from memory).
  static HostResult<GuestPtr> at(const CallContext& ctx, uint32_t address,
                                 std::string_view what = "guest data") {
    return make<GuestPtr, T>(ctx, what, address, 1);
  }
  T read() const {
    T value;
    std::memcpy(&value, base(), sizeof(T));
    return value;
  }
  void write(const T& value) const { std::memcpy(base(), &value, sizeof(T)); }
};

/// Read-only elements in guest memory (Wasm parameters: i32 address, i32 length in elements).
template <class T> class GuestSpan : public GuestRange {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_const_v<T>,
                "GuestSpan<T>: T must be a non-const trivially copyable type");

 public:
  static HostResult<GuestSpan> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                  std::string_view what = "guest data") {
    return make<GuestSpan, T>(ctx, what, address, size);
  }
  uint64_t size_bytes() const { return uint64_t{size()} * sizeof(T); }
  /// Element i. @pre i < size()
  T operator[](uint32_t i) const {
    T value;
    std::memcpy(&value, base() + uint64_t{i} * sizeof(T), sizeof(T));
    return value;
  }
  /// The bytes, valid until the memory grows.
  std::span<const uint8_t> bytes() const { return {base(), size_bytes()}; }
};

/// Writable elements in guest memory (Wasm parameters: i32 address, i32 length in elements).
template <class T> class GuestMutSpan : public GuestSpan<T> {
 public:
  static HostResult<GuestMutSpan> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                     std::string_view what = "guest data") {
    return GuestRange::make<GuestMutSpan, T>(ctx, what, address, size);
  }
  /// Sets element i. @pre i < size()
  void write(uint32_t i, const T& value) const {
    std::memcpy(this->base() + uint64_t{i} * sizeof(T), &value, sizeof(T));
  }
  /// The bytes, writable, valid until the memory grows.
  std::span<uint8_t> mut_bytes() const { return {this->base(), this->size_bytes()}; }
};

/// A UTF-8 string in guest memory (Wasm parameters: i32 address, i32 length in bytes), checked
/// for bounds and UTF-8 before the host function runs. Not NUL-terminated.
class GuestString : public GuestRange {
 public:
  /// A checked string the host found elsewhere; the trap on bounds or bad UTF-8.
  static HostResult<GuestString> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                    std::string_view what = "guest string") {
    HostResult<GuestString> s = make<GuestString, char>(ctx, what, address, size);
    if (s.ok() && !detail::is_valid_utf8(s.value().view())) {
      return ctx.invalid_utf8(what, address, size);
    }
    return s;
  }
  /// The text, valid until the memory grows.
  std::string_view view() const {
    if (empty()) return {};
    return {reinterpret_cast<const char*>(base()), size()};
  }
};

}  // namespace lunatic
