// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace lunatic {

bool is_valid_utf8(std::span<const uint8_t> bytes);
inline bool is_valid_utf8(std::string_view s) {
  return is_valid_utf8(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

}  // namespace lunatic
