// The "name" custom section (spec 7.4.1): function names for backtraces. Read leniently: a
// custom section may be broken without making the module malformed, so errors drop the names.
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {
namespace {

constexpr uint8_t kFunctionNamesId = 1;

Result<void> read_function_names(ByteReader& r, wasm::Module& m) {
  const uint32_t count = TRY(read_count(r));
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t index = TRY(r.u32());
    std::string name = TRY(read_name(r));
    m.function_names.try_emplace(index, std::move(name));  // first name wins
  }
  if (!r.at_end()) return r.error("section size mismatch");
  return {};
}

Result<void> read_subsections(ByteReader& r, wasm::Module& m) {
  while (!r.at_end()) {
    const uint8_t id = TRY(r.u8());
    const uint32_t size = TRY(r.u32());
    ByteReader sub = TRY(r.sub_reader(size));
    if (id == kFunctionNamesId) TRY(read_function_names(sub, m));
  }
  return {};
}

}  // namespace

void read_name_section(std::span<const uint8_t> content, uint64_t base_offset, wasm::Module& m) {
  ByteReader r(content, base_offset);
  if (!read_subsections(r, m).ok()) m.function_names.clear();
}

}  // namespace lunatic::decoder::detail
