// Guest: the small helper every WASI function of this folder uses to read its raw arguments
// and to touch the caller's memory with bounds checks (a typed binding layer replaces it later).
#pragma once

#include <cstdint>
#include <cstring>

#include "engine/host_function.hpp"
#include "host/wasi/errno.hpp"

namespace lunatic::host::wasi {

class Guest {
 public:
  explicit Guest(engine::HostCall& call);

  /// Argument `i` as the i32 the guest passed (pointers, lengths, fds are u32 in preview1).
  uint32_t u32(size_t i) const { return static_cast<uint32_t>(call_.args[i]); }
  /// Argument `i` as an i64.
  uint64_t u64(size_t i) const { return call_.args[i]; }

  /// The bytes [ptr, ptr + len) of memory 0, or null when any of them is outside it (or the
  /// caller has no memory). Valid until the guest runs again (memory.grow may move it).
  uint8_t* bytes(uint32_t ptr, uint64_t len) const {
    if (uint64_t{ptr} + len > size_) return nullptr;
    return base_ + ptr;
  }
  /// Little-endian stores and loads; false when out of bounds.
  bool store_u32(uint32_t ptr, uint32_t v) const { return store(ptr, &v, sizeof v); }
  bool store_u64(uint32_t ptr, uint64_t v) const { return store(ptr, &v, sizeof v); }
  bool load_u32(uint32_t ptr, uint32_t* out) const {
    const uint8_t* p = bytes(ptr, sizeof *out);
    if (p == nullptr) return false;
    std::memcpy(out, p, sizeof *out);
    return true;
  }

  /// Returns `e` as the function's i32 result.
  engine::HostStatus ret(Errno e) {
    call_.results[0] = static_cast<uint16_t>(e);
    return engine::HostStatus::Return;
  }
  /// Traps with "out of bounds memory access": the guest passed a bad pointer.
  engine::HostStatus out_of_bounds();

 private:
  bool store(uint32_t ptr, const void* v, size_t n) const {
    uint8_t* p = bytes(ptr, n);
    if (p == nullptr) return false;
    std::memcpy(p, v, n);  // the host is little-endian like Wasm (checked in guest.cpp)
    return true;
  }

  engine::HostCall& call_;
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace lunatic::host::wasi
