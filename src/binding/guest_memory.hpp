// Checked views of guest linear memory: GuestPtr<T>, GuestSpan<T>, GuestMutSpan<T> and
// GuestString. A view exists only after its range was checked against the memory; it keeps the
// Memory and an offset, never a raw pointer, so a memory.grow that moves the data is harmless.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

#include "binding/call_context.hpp"
#include "binding/host_result.hpp"
#include "engine/store.hpp"

namespace lunatic::binding {

// Wasm memory is little endian; views copy T's bytes as they are.
static_assert(std::endian::native == std::endian::little,
              "guest views assume a little-endian host");

/// Whether `count` elements of `element_size` bytes starting at `address` lie inside `memory`
/// (false if memory is null). Overflow-safe for any count and size. A zero-length range is in
/// bounds up to and including the end of memory, as for the spec's bulk memory instructions.
/// Inline: every view argument of every host call passes here (the message path's send_data
/// and receive_data decode four).
inline bool in_bounds(const engine::Memory* memory, uint64_t address, uint64_t count,
                      uint64_t element_size) {
  if (memory == nullptr) return false;
  uint64_t bytes = 0;
  // A guest length times the element size can exceed 64 bits only for absurd element sizes,
  // but the check costs nothing and keeps the rule "no unchecked arithmetic on guest input".
  if (__builtin_mul_overflow(count, element_size, &bytes)) return false;
  const uint64_t size = memory->size_bytes();
  return bytes <= size && address <= size - bytes;
}

/// Builds a checked view, or the out-of-bounds trap naming `what` and the host function.
/// `View` needs a constructor (Memory*, address, count). Used by the adapter and by the
/// views' at() factories.
template <class View>
HostResult<View> make_view(const CallContext& ctx, std::string_view what, uint32_t address,
                           uint32_t count, uint64_t element_size) {
  if (!in_bounds(ctx.memory(), address, count, element_size)) {
    return ctx.out_of_bounds(what, address, count, element_size);
  }
  return View(ctx.memory(), address, count);
}

/// The adapter's form of make_view: writes a checked view to `out` and returns true, or
/// returns false (the caller builds the trap). No HostResult (a variant holding a Trap) is
/// built and destroyed on the fast path.
template <class View>
bool make_view_into(engine::Memory* memory, uint32_t address, uint32_t count, uint64_t element_size,
                    View& out) {
  if (!in_bounds(memory, address, count, element_size)) return false;
  out = View(memory, address, count);
  return true;
}

/// One T in guest memory (Wasm parameter: one i32 address). Checked for sizeof(T) bytes; reads
/// and writes copy bytes, so unaligned addresses are fine. Valid for the current call only.
template <class T> class GuestPtr {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_const_v<T>,
                "GuestPtr<T>: T must be a non-const trivially copyable type");

 public:
  GuestPtr() = default;
  /// A checked pointer to guest data the host found elsewhere (an address read from memory).
  static HostResult<GuestPtr> at(const CallContext& ctx, uint32_t address,
                                 std::string_view what = "guest data") {
    return make_view<GuestPtr>(ctx, what, address, 1, sizeof(T));
  }

  uint32_t address() const { return static_cast<uint32_t>(address_); }
  T read() const {
    T value;
    std::memcpy(&value, memory_->data() + address_, sizeof(T));
    return value;
  }
  void write(const T& value) const { std::memcpy(memory_->data() + address_, &value, sizeof(T)); }

 private:
  template <class View>
  friend HostResult<View> make_view(const CallContext&, std::string_view, uint32_t, uint32_t,
                                    uint64_t);
  template <class View>
  friend bool make_view_into(engine::Memory*, uint32_t, uint32_t, uint64_t, View&);
  GuestPtr(engine::Memory* memory, uint32_t address, uint32_t /*count*/)
      : memory_(memory), address_(address) {}

  engine::Memory* memory_ = nullptr;
  // 64 bits for a 32-bit address: the view is written whole, so its later copy (a host
  // function's argument passed on the stack) reads two full 8-byte stores. A 4-byte field
  // with 4 bytes of padding made that 8-byte read of a 4-byte store a store-forwarding stall
  // (~15 cycles), on every call that takes one (receive_data's size).
  uint64_t address_ = 0;
};

/// A span view's address and length in one 64-bit word, written by one store. Two 32-bit
/// fields were two 4-byte stores, and the view's next copy (the adapter passes the views to
/// the host function by value, on the stack past the sixth register) reads them as one 8-byte
/// load: a store-forwarding stall (~15 cycles) per view and call, a tenth of a ping-pong's
/// samples in send_data's and receive_data's adapters.
class ViewExtent {
 public:
  ViewExtent() = default;
  ViewExtent(uint32_t address, uint32_t size) : bits_(uint64_t{address} | uint64_t{size} << 32) {}
  uint32_t address() const { return static_cast<uint32_t>(bits_); }
  uint32_t size() const { return static_cast<uint32_t>(bits_ >> 32); }

 private:
  uint64_t bits_ = 0;
};

/// Common part of the span views: `size()` elements of T at `address()`, checked for
/// size() * sizeof(T) bytes. Element access copies bytes (unaligned-safe).
template <class T> class GuestSpanBase {
  static_assert(std::is_trivially_copyable_v<T> && !std::is_const_v<T>,
                "GuestSpan<T>: T must be a non-const trivially copyable type");

 public:
  uint32_t address() const { return extent_.address(); }
  /// Number of elements (the guest's length argument).
  uint32_t size() const { return extent_.size(); }
  bool empty() const { return size() == 0; }
  uint64_t size_bytes() const { return uint64_t{size()} * sizeof(T); }

  /// Element i. @pre i < size()
  T read(uint32_t i) const {
    T value;
    std::memcpy(&value, base() + uint64_t{i} * sizeof(T), sizeof(T));
    return value;
  }
  T operator[](uint32_t i) const { return read(i); }
  /// The bytes, valid until the memory grows.
  std::span<const uint8_t> bytes() const { return {base(), size_bytes()}; }

 protected:
  GuestSpanBase() = default;
  GuestSpanBase(engine::Memory* memory, uint32_t address, uint32_t size)
      : memory_(memory), extent_(address, size) {}
  uint8_t* base() const { return memory_ == nullptr ? nullptr : memory_->data() + address(); }

 private:
  engine::Memory* memory_ = nullptr;
  ViewExtent extent_;
};

/// Read-only elements in guest memory (Wasm parameters: i32 address, i32 length in elements).
template <class T> class GuestSpan : public GuestSpanBase<T> {
 public:
  GuestSpan() = default;
  static HostResult<GuestSpan> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                  std::string_view what = "guest data") {
    return make_view<GuestSpan>(ctx, what, address, size, sizeof(T));
  }

 private:
  template <class View>
  friend HostResult<View> make_view(const CallContext&, std::string_view, uint32_t, uint32_t,
                                    uint64_t);
  template <class View>
  friend bool make_view_into(engine::Memory*, uint32_t, uint32_t, uint64_t, View&);
  GuestSpan(engine::Memory* memory, uint32_t address, uint32_t size)
      : GuestSpanBase<T>(memory, address, size) {}
};

/// Writable elements in guest memory (Wasm parameters: i32 address, i32 length in elements).
template <class T> class GuestMutSpan : public GuestSpanBase<T> {
 public:
  GuestMutSpan() = default;
  static HostResult<GuestMutSpan> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                     std::string_view what = "guest data") {
    return make_view<GuestMutSpan>(ctx, what, address, size, sizeof(T));
  }

  /// Sets element i. @pre i < size()
  void write(uint32_t i, const T& value) const {
    std::memcpy(this->base() + uint64_t{i} * sizeof(T), &value, sizeof(T));
  }
  /// The bytes, writable, valid until the memory grows.
  std::span<uint8_t> mut_bytes() const { return {this->base(), this->size_bytes()}; }

 private:
  template <class View>
  friend HostResult<View> make_view(const CallContext&, std::string_view, uint32_t, uint32_t,
                                    uint64_t);
  template <class View>
  friend bool make_view_into(engine::Memory*, uint32_t, uint32_t, uint64_t, View&);
  GuestMutSpan(engine::Memory* memory, uint32_t address, uint32_t size)
      : GuestSpanBase<T>(memory, address, size) {}
};

/// A UTF-8 string in guest memory (Wasm parameters: i32 address, i32 length in bytes), checked
/// for bounds and UTF-8 before the host function runs. Not NUL-terminated.
class GuestString {
 public:
  GuestString() = default;
  /// A checked string the host found elsewhere; traps on bounds or bad UTF-8.
  static HostResult<GuestString> at(const CallContext& ctx, uint32_t address, uint32_t size,
                                    std::string_view what = "guest string");

  uint32_t address() const { return extent_.address(); }
  uint32_t size() const { return extent_.size(); }
  /// The text, valid until the memory grows.
  std::string_view view() const {
    if (size() == 0) return {};
    return {reinterpret_cast<const char*>(memory_->data()) + address(), size()};
  }

 private:
  template <class View>
  friend HostResult<View> make_view(const CallContext&, std::string_view, uint32_t, uint32_t,
                                    uint64_t);
  template <class View>
  friend bool make_view_into(engine::Memory*, uint32_t, uint32_t, uint64_t, View&);
  GuestString(engine::Memory* memory, uint32_t address, uint32_t size)
      : memory_(memory), extent_(address, size) {}

  engine::Memory* memory_ = nullptr;
  ViewExtent extent_;
};

}  // namespace lunatic::binding
