// The feature set: which WebAssembly proposals a module may use. The decoder, the validator and
// the text parser each reject a construct of a disabled proposal where they first meet it, with
// an error that names the proposal ("SIMD is disabled") and the feature that enables it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::wasm {

enum class Feature : uint8_t {
#define WASM_FEATURE(name, text, default_on, message) name,
#include "wasm/features.def"
#undef WASM_FEATURE
};

inline constexpr uint8_t kFeatureCount = 0
#define WASM_FEATURE(name, text, default_on, message) +1
#include "wasm/features.def"
#undef WASM_FEATURE
    ;
static_assert(kFeatureCount <= 64, "Features keeps one bit per feature in a uint64_t");

/// A set of enabled proposals; a small value, copied freely. Default: Wasm 2.0 (every proposal
/// whose features.def line says default_on).
class Features {
 public:
  constexpr Features() = default;
  /// Nothing beyond the Wasm 1.0 MVP.
  static constexpr Features mvp() { return Features(0); }

  constexpr bool has(Feature f) const { return (bits_ >> static_cast<unsigned>(f)) & 1u; }
  constexpr Features& set(Feature f, bool on) {
    const uint64_t bit = uint64_t{1} << static_cast<unsigned>(f);
    bits_ = on ? (bits_ | bit) : (bits_ & ~bit);
    return *this;
  }
  /// Bit i is Feature i (features.def's order, which only grows): stable across versions, for
  /// keys of what was compiled under a feature set.
  constexpr uint64_t bits() const { return bits_; }

  constexpr bool operator==(const Features&) const = default;

 private:
  constexpr explicit Features(uint64_t bits) : bits_(bits) {}
  static constexpr uint64_t kDefaultBits = 0
#define WASM_FEATURE(name, text, default_on, message) \
  | ((default_on) ? uint64_t{1} << static_cast<unsigned>(Feature::name) : 0)
#include "wasm/features.def"
#undef WASM_FEATURE
      ;
  uint64_t bits_ = kDefaultBits;
};

/// The feature's user-facing name ("simd", "bulk-memory").
const char* feature_name(Feature f);
/// The feature called `name`, or nullopt.
std::optional<Feature> feature_by_name(std::string_view name);
/// Every feature name, comma-separated, for usage messages.
std::string feature_names();

/// Ok unless `features` turns on a proposal without one it builds on: reference-types extends
/// bulk-memory's table instructions (table.init, elem.drop, table.copy), so it needs it on.
/// The error (Phase::Usage) names both.
Result<void> check_requirements(const Features& features);

/// The proposal that introduced instruction `op`, or nullopt for the MVP's instructions.
std::optional<Feature> feature_of(Opcode op);
/// The proposal that introduced value type `t` (v128: simd; funcref and externref as values:
/// reference-types), or nullopt for the MVP's number types.
std::optional<Feature> feature_of(ValType t);

/// The error for a use of disabled feature `f` ("SIMD is disabled (feature simd)"), in `phase`
/// at byte `offset`.
Error feature_disabled(Feature f, Phase phase, uint64_t offset = Error::kNoOffset);

/// Ok if `features` has `f`, else feature_disabled(f, Phase::Decode, offset).
inline Result<void> require(const Features& features, Feature f, uint64_t offset) {
  if (features.has(f)) return {};
  return feature_disabled(f, Phase::Decode, offset);
}
namespace detail {
inline constexpr uint8_t kMvpOpcode = 0xFF;
/// feature_of(op) by opcode (kMvpOpcode: none), for require_for's check of every instruction.
extern const std::array<uint8_t, kOpcodeCount> kFeatureOfOpcode;
}  // namespace detail

/// require() for the feature of `op` or `t`, if it has one.
inline Result<void> require_for(const Features& features, Opcode op, uint64_t offset) {
  const uint8_t f = detail::kFeatureOfOpcode[static_cast<uint16_t>(op)];
  if (f == detail::kMvpOpcode || features.has(static_cast<Feature>(f))) [[likely]]
    return {};
  return feature_disabled(static_cast<Feature>(f), Phase::Decode, offset);
}
Result<void> require_for(const Features& features, ValType t, uint64_t offset);

}  // namespace lunatic::wasm
