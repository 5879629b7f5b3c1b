// lunatic C++ SDK, internal: the move-only owner of a host handle (sockets, modules) and the
// Serializer that moves such a handle inside a typed message.
#ifndef LUNATIC_RESOURCE_HANDLE_HPP
#define LUNATIC_RESOURCE_HANDLE_HPP

#include <cstdint>
#include <utility>

#include "lunatic/message.h"
#include "lunatic/serialize.hpp"

namespace lunatic::detail {

template <class Object, int32_t Kind, int64_t (*Push)(uint64_t), uint64_t (*Take)(uint64_t),
          void (*Drop)(uint64_t)>
struct ResourceSerializer;

/// A move-only owner of host handle `id_` (0: none) that `Drop` releases.
template <void (*Drop)(uint64_t)> class Handle {
 public:
  Handle() = default;
  explicit Handle(uint64_t id) : id_(id) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, 0);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  uint64_t id() const { return id_; }
  /// Gives the handle up (the caller owns it): what sending in a message does. Const because
  /// serializers see a const&; only a Writer encoding an rvalue calls it (Writer::Resources).
  uint64_t release() const { return std::exchange(id_, 0); }
  void reset() {
    if (id_ != 0) Drop(std::exchange(id_, 0));
  }

 private:
  mutable uint64_t id_ = 0;  // mutable: Serializer::write takes a const& (of an rvalue)
};

/// Resources in messages (sockets, modules): the handle moves into the message (the sent
/// object, an rvalue, is left empty); an empty object travels as "none" and arrives empty. Encoded
/// as [present u8] [index u32]. A Writer that refuses resources (an lvalue message) leaves the
/// handle alone. `Kind` (LUNATIC_RESOURCE_*) is checked before the take: a forged index is a decode
/// error.
template <class Object, int32_t Kind, int64_t (*Push)(uint64_t), uint64_t (*Take)(uint64_t),
          void (*Drop)(uint64_t)>
struct ResourceSerializer {
  static constexpr bool kHoldsResources = true;
  static void write(Writer& w, const Object& s) {
    uint8_t present = s.valid() ? 1 : 0;
    w.write_bytes(&present, 1);
    if (!present) return;
    if (w.takes_resources()) {
      w.write_resource(PendingResource{s.handle_.release(), Push, Drop});
    } else {
      w.refuse_resource();
    }
  }
  static bool read(Reader& r, Object& s) {
    uint8_t present = 0;
    if (!r.read_bytes(&present, 1) || present > 1) return false;
    if (present == 0) return true;
    uint64_t id = 0;
    if (!r.read_resource(Kind, &lunatic_resource_kind, Take, id)) return false;
    s = Object(id);
    return true;
  }
};

}  // namespace lunatic::detail

#endif
