// The byte encodings the code cache's files share (an entry's OSR table, the hot entry's
// bundle, the hot profile): fixed-width values in the host's byte order appended to a string,
// and read back with a check of what is left before every read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace lunatic::codecache {

/// Appends the bytes of `value`.
template <typename T> void put(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

/// The T at byte `at` of `in`. @pre at + sizeof(T) <= in.size()
template <typename T> T load_at(std::string_view in, size_t at) {
  static_assert(std::is_trivially_copyable_v<T>);
  T value{};
  std::memcpy(&value, in.data() + at, sizeof value);
  return value;
}

/// Reads `in` front to back; every read checks what is left first.
struct ByteReader {
  std::string_view in;
  size_t at = 0;

  size_t left() const { return in.size() - at; }
  template <typename T> bool get(T& value) {
    if (left() < sizeof value) return false;
    value = load_at<T>(in, at);
    at += sizeof value;
    return true;
  }
};

/// `s` as bytes (for Sha256).
inline std::span<const uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace lunatic::codecache
