// The section table of a module binary (id, offset, size; the name of each custom section),
// without decoding the contents: what `lunatic inspect` shows besides the decoded module.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace lunatic::decoder {

struct SectionInfo {
  uint8_t id = 0;       ///< 0 custom, 1 type, ... 12 data count
  std::string name;     ///< a custom section's name; else the section's ("type", "code", ...)
  uint64_t offset = 0;  ///< of the section id byte in the module
  uint32_t size = 0;    ///< of the contents (custom: including its name)
};

/// The sections of `bytes` in file order. Checks the header and each section's bounds only
/// (decode() does the rest); errors (Phase::Decode) carry the offset.
Result<std::vector<SectionInfo>> list_sections(std::span<const uint8_t> bytes);

/// "type", "import", ... for ids 1..12; "custom" for 0; "unknown" past 12.
const char* section_name(uint8_t id);

}  // namespace lunatic::decoder
