// list_sections: walks the section headers of a module binary (spec 5.5.2), reading only the
// names of custom sections.
#include "decoder/section_list.hpp"

#include <algorithm>
#include <array>

#include "common/byte_reader.hpp"
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder {

const char* section_name(uint8_t id) {
  static constexpr std::array<const char*, 13> kNames = {
      "custom", "type",  "import",  "function", "table", "memory",    "global",
      "export", "start", "element", "code",     "data",  "data count"};
  return id < kNames.size() ? kNames[id] : "unknown";
}

Result<std::vector<SectionInfo>> list_sections(std::span<const uint8_t> bytes) {
  static constexpr std::array<uint8_t, 8> kHeader = {0x00, 0x61, 0x73, 0x6D,
                                                     0x01, 0x00, 0x00, 0x00};
  ByteReader r(bytes);
  auto header = TRY(r.bytes(kHeader.size()));
  if (!std::equal(header.begin(), header.end(), kHeader.begin())) {
    return Error(Phase::Decode, "not a WebAssembly 1.0 binary (bad magic or version)", 0);
  }
  std::vector<SectionInfo> sections;
  while (!r.at_end()) {
    SectionInfo info;
    info.offset = r.offset();
    info.id = TRY(r.u8());
    const uint64_t size_offset = r.offset();
    info.size = TRY(r.u32());
    if (info.size > r.remaining()) return Error(Phase::Decode, "length out of bounds", size_offset);
    ByteReader content = TRY(r.sub_reader(info.size));
    if (info.id == 0) {
      info.name = TRY(detail::read_name(content));
    } else {
      info.name = section_name(info.id);
    }
    sections.push_back(std::move(info));
  }
  return sections;
}

}  // namespace lunatic::decoder
