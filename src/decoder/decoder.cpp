// The module-level loop of the decoder: header, sections in their required order (custom
// sections anywhere), and the checks that span sections (spec 5.5.15).
#include "decoder/decoder.hpp"

#include <array>

#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder {
namespace {

using detail::DecodeState;

constexpr std::array<uint8_t, 4> kMagic = {0x00, 0x61, 0x73, 0x6D};
constexpr std::array<uint8_t, 4> kVersion = {0x01, 0x00, 0x00, 0x00};
constexpr uint8_t kCustomSectionId = 0;
constexpr uint8_t kMaxSectionId = 12;

struct SectionKind {
  const char* name;
  uint8_t rank;  ///< position in the required order (the data count section precedes code)
  Result<void> (*read)(ByteReader&, DecodeState&);
};

// Indexed by section id.
constexpr std::array<SectionKind, kMaxSectionId + 1> kSections = {{
    {"custom", 0, nullptr},
    {"type", 1, detail::read_type_section},
    {"import", 2, detail::read_import_section},
    {"function", 3, detail::read_function_section},
    {"table", 4, detail::read_table_section},
    {"memory", 5, detail::read_memory_section},
    {"global", 6, detail::read_global_section},
    {"export", 7, detail::read_export_section},
    {"start", 8, detail::read_start_section},
    {"element", 9, detail::read_element_section},
    {"code", 11, detail::read_code_section},
    {"data", 12, detail::read_data_section},
    {"data count", 10, detail::read_data_count_section},
}};

Result<void> read_header(ByteReader& r, size_t size) {
  if (size < kMagic.size()) return Error(Phase::Decode, "unexpected end", size);
  auto magic = TRY(r.bytes(kMagic.size()));
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) {
    return Error(Phase::Decode, "magic header not detected", 0);
  }
  if (size < kMagic.size() + kVersion.size()) return Error(Phase::Decode, "unexpected end", size);
  auto version = TRY(r.bytes(kVersion.size()));
  if (!std::equal(version.begin(), version.end(), kVersion.begin())) {
    return Error(Phase::Decode, "unknown binary version", kMagic.size());
  }
  return {};
}

/// A custom section: its name is checked; only "name" is interpreted.
Result<void> read_custom_section(ByteReader& r, size_t end, DecodeState& st) {
  const uint64_t start = r.offset();
  const std::string name = TRY(detail::read_name(r));
  if (r.position() > end) return Error(Phase::Decode, "unexpected end", start);
  const uint64_t content_offset = r.offset();
  auto content = TRY(r.bytes(end - r.position()));
  if (name == "name") detail::read_name_section(content, content_offset, st.module);
  return {};
}

/// Reads one section's content; `r` is just past the section id.
Result<void> read_section(ByteReader& r, uint8_t id, DecodeState& st) {
  const uint64_t size_offset = r.offset();
  const uint32_t size = TRY(r.u32());
  if (size > r.remaining()) return Error(Phase::Decode, "length out of bounds", size_offset);
  const size_t start = r.position();
  const size_t end = start + size;
  if (id == kCustomSectionId) return read_custom_section(r, end, st);

  auto done = kSections[id].read(r, st);
  if (!done) {
    Error e = std::move(done).error();
    // Inside a section the spec's decoder says where the input ended.
    if (e.message == "unexpected end") e.message = "unexpected end of section or function";
    if (e.context.empty()) e.context = std::string("in ") + kSections[id].name + " section";
    return e;
  }
  if (r.position() != end) {
    return Error(Phase::Decode, "section size mismatch", r.offset(),
                 std::string("in ") + kSections[id].name + " section");
  }
  return {};
}

/// Checks between sections, in the order the reference decoder makes them.
Result<void> check_consistency(const DecodeState& st, uint64_t end_offset) {
  if (st.function_types.size() != st.bodies.size()) {
    return Error(Phase::Decode, "function and code section have inconsistent lengths", end_offset);
  }
  if (st.module.data_count && *st.module.data_count != st.module.data.size()) {
    return Error(Phase::Decode, "data count and data section have inconsistent lengths",
                 end_offset);
  }
  // Without any data segment, a data index in code is invalid anyway: leave that to the
  // validator ("unknown data segment"), as the spec tests of text modules expect.
  if (!st.module.data_count && st.uses_data_index && !st.module.data.empty()) {
    return Error(Phase::Decode, "data count section required", end_offset);
  }
  return {};
}

}  // namespace

Result<wasm::Module> decode(std::span<const uint8_t> bytes, const wasm::Features& features) {
  ByteReader r(bytes);
  TRY(read_header(r, bytes.size()));

  DecodeState st;
  st.features = features;
  uint8_t last_rank = 0;
  while (!r.at_end()) {
    const uint64_t section_offset = r.offset();
    const uint8_t id = TRY(r.u8());
    if (id > kMaxSectionId) return Error(Phase::Decode, "malformed section id", section_offset);
    const uint8_t rank = kSections[id].rank;
    if (id != kCustomSectionId) {
      // Out of order or repeated: the spec's decoder stops and finds bytes it cannot place.
      if (rank <= last_rank) {
        return Error(Phase::Decode, "unexpected content after last section", section_offset);
      }
      last_rank = rank;
    }
    TRY(read_section(r, id, st));
  }
  TRY(check_consistency(st, r.offset()));

  wasm::Module& m = st.module;
  m.functions = std::move(st.bodies);
  for (size_t i = 0; i < m.functions.size(); ++i) m.functions[i].type_index = st.function_types[i];
  return std::move(st.module);
}

}  // namespace lunatic::decoder
