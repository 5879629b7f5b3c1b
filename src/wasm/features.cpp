// Feature names and messages from features.def, and which proposal each instruction and value
// type belongs to (from the binary encoding: the proposals took disjoint opcode ranges).
#include "wasm/features.hpp"

#include <array>

namespace lunatic::wasm {
namespace {

struct FeatureInfo {
  const char* name;
  const char* message;
};

constexpr std::array<FeatureInfo, kFeatureCount> kInfo = {{
#define WASM_FEATURE(name, text, default_on, message) {text, message},
#include "wasm/features.def"
#undef WASM_FEATURE
}};

constexpr uint8_t kMiscPrefix = 0xFC;
constexpr uint8_t kSimdPrefix = 0xFD;

// 0xFC sub-opcodes: 0..7 the saturating truncations, 8..14 bulk memory (memory.init to
// table.copy), 15..17 reference types (table.grow, table.size, table.fill).
constexpr uint32_t kFirstBulkMisc = 0x08;
constexpr uint32_t kFirstReferenceMisc = 0x0F;
constexpr uint32_t kLastReferenceMisc = 0x11;
// One-byte opcodes: the sign-extension operators; typed select, table.get/set and ref.*.
constexpr uint32_t kFirstSignExtension = 0xC0;
constexpr uint32_t kLastSignExtension = 0xC4;
constexpr uint32_t kSelectT = 0x1C;
constexpr uint32_t kTableGet = 0x25;
constexpr uint32_t kTableSet = 0x26;
constexpr uint32_t kFirstRef = 0xD0;
constexpr uint32_t kLastRef = 0xD2;

}  // namespace

const char* feature_name(Feature f) { return kInfo[static_cast<size_t>(f)].name; }

std::optional<Feature> feature_by_name(std::string_view name) {
  for (size_t i = 0; i < kInfo.size(); ++i) {
    if (name == kInfo[i].name) return static_cast<Feature>(i);
  }
  return std::nullopt;
}

std::string feature_names() {
  std::string out;
  for (const FeatureInfo& info : kInfo) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

std::optional<Feature> feature_of(Opcode op) {
  const OpcodeInfo& info = opcode_info(op);
  if (info.prefix == kSimdPrefix) return Feature::Simd;
  if (info.prefix == kMiscPrefix) {
    if (info.code < kFirstBulkMisc) return Feature::SaturatingFloatToInt;
    if (info.code < kFirstReferenceMisc) return Feature::BulkMemory;
    if (info.code <= kLastReferenceMisc) return Feature::ReferenceTypes;
    return std::nullopt;
  }
  if (info.code >= kFirstSignExtension && info.code <= kLastSignExtension) {
    return Feature::SignExtension;
  }
  if (info.code == kSelectT || info.code == kTableGet || info.code == kTableSet ||
      (info.code >= kFirstRef && info.code <= kLastRef)) {
    return Feature::ReferenceTypes;
  }
  return std::nullopt;
}

std::optional<Feature> feature_of(ValType t) {
  if (t == ValType::V128) return Feature::Simd;
  if (is_reference(t)) return Feature::ReferenceTypes;
  return std::nullopt;
}

namespace detail {

// feature_of() as a table (kInfo, which it reads, is constant-initialized: this may run first).
const std::array<uint8_t, kOpcodeCount> kFeatureOfOpcode = [] {
  std::array<uint8_t, kOpcodeCount> table{};
  for (uint16_t i = 0; i < kOpcodeCount; ++i) {
    const std::optional<Feature> f = feature_of(static_cast<Opcode>(i));
    table[i] = f ? static_cast<uint8_t>(*f) : kMvpOpcode;
  }
  return table;
}();

}  // namespace detail

Result<void> check_requirements(const Features& features) {
  if (features.has(Feature::ReferenceTypes) && !features.has(Feature::BulkMemory)) {
    return Error(Phase::Usage,
                 "reference-types needs bulk-memory: turn bulk-memory on or reference-types off");
  }
  return {};
}

Error feature_disabled(Feature f, Phase phase, uint64_t offset) {
  const FeatureInfo& info = kInfo[static_cast<size_t>(f)];
  return Error(phase, std::string(info.message) + " (feature " + info.name + ")", offset);
}

Result<void> require_for(const Features& features, ValType t, uint64_t offset) {
  if (std::optional<Feature> f = feature_of(t)) return require(features, *f, offset);
  return {};
}

}  // namespace lunatic::wasm
