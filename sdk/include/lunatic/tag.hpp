// lunatic C++ SDK: Tag (what selective receive filters on) and Timeout.
#ifndef LUNATIC_TAG_HPP
#define LUNATIC_TAG_HPP

#include <chrono>
#include <cstdint>

#include "lunatic/import.h"
#include "lunatic/operator_new.hpp"

namespace lunatic {

/// A message's tag. Any int64 is a tag; 0 means "none" (an untagged send, a receive of any
/// tag, an unlinked spawn). Tags from kReservedTagBase up and below 0 are the SDK's own
/// (spawn arguments, request replies, supervisor links): user code picks tags in between.
class Tag {
 public:
  static constexpr int64_t kReservedTagBase = int64_t{1} << 62;

  constexpr Tag() = default;
  constexpr explicit Tag(int64_t value) : value_(value) {}

  /// The "no tag" tag.
  static constexpr Tag none() { return Tag(); }
  /// A tag no other call of unique() in this process returned (from the reserved range).
  static Tag unique() {
    static int64_t next = kReservedTagBase + 0x10000;
    return Tag(next++);
  }

  constexpr int64_t value() const { return value_; }
  constexpr bool is_none() const { return value_ == 0; }
  friend constexpr bool operator==(Tag a, Tag b) { return a.value_ == b.value_; }
  friend constexpr bool operator!=(Tag a, Tag b) { return a.value_ != b.value_; }

 private:
  int64_t value_ = 0;
};

/// How long a receive waits: milliseconds, forever() or zero() (a poll).
class Timeout {
 public:
  /// Any duration (`receive(100ms)`, `receive(5s)`), rounded up to whole milliseconds.
  template <class Rep, class Period>
  constexpr Timeout(std::chrono::duration<Rep, Period> d)  // NOLINT: implicit on purpose
      : ms_(from_count(std::chrono::ceil<std::chrono::milliseconds>(d).count())) {}
  static constexpr Timeout forever() { return Timeout(LUNATIC_NO_TIMEOUT); }
  static constexpr Timeout zero() { return Timeout(uint64_t{0}); }
  static constexpr Timeout ms(uint64_t ms) { return Timeout(ms); }

  constexpr uint64_t milliseconds() const { return ms_; }

 private:
  constexpr explicit Timeout(uint64_t ms) : ms_(ms) {}
  static constexpr uint64_t from_count(int64_t ms) {
    return ms < 0 ? 0 : static_cast<uint64_t>(ms);
  }
  uint64_t ms_;
};

}  // namespace lunatic

#endif
