// The code section (spec 5.5.13): per function its size, local declarations and body, which
// is decoded into instructions here, once.
#include "decoder/decoder_internal.hpp"

namespace lunatic::decoder::detail {
namespace {

/// Local declarations; their total is capped so a body cannot ask for billions of locals.
Result<void> read_locals(ByteReader& r, const wasm::Features& features, wasm::Function& f) {
  const uint32_t groups = TRY(read_count(r));
  uint64_t total = 0;
  for (uint32_t i = 0; i < groups; ++i) {
    const uint64_t start = r.offset();
    wasm::LocalGroup group;
    group.count = TRY(r.u32());
    group.type = TRY(read_val_type(r, features));
    total += group.count;
    if (total > kMaxLocals) return Error(Phase::Decode, "too many locals", start);
    // Empty groups carry nothing; keeping them out saves later passes a check.
    if (group.count != 0) f.locals.push_back(group);
  }
  f.local_count = static_cast<uint32_t>(total);
  return {};
}

Result<wasm::Function> read_body(ByteReader& r, const wasm::Features& features,
                                 bool& uses_data_index) {
  const uint64_t size_offset = r.offset();
  const uint32_t size = TRY(r.u32());
  if (size > r.remaining()) return Error(Phase::Decode, "length out of bounds", size_offset);
  const size_t start = r.position();
  wasm::Function f;
  f.body_offset = static_cast<uint32_t>(r.offset());
  TRY(read_locals(r, features, f));
  // Real code averages 2.2 bytes per instruction (SQLite's 1.14 MB, 516,000 instructions):
  // room for that, so a body's vector rarely grows (each growth copied every instruction).
  // (Its locals may already have run past the body's declared end: the mismatch is found after
  // the instructions, as it always was.)
  const size_t end = start + size;
  f.body.reserve((r.position() < end ? end - r.position() : 0) * 10 / 22 + 1);
  TRY(read_instructions(r, features, f.body, f.br_table_labels, uses_data_index));
  if (r.position() != start + size) {
    return Error(Phase::Decode, "section size mismatch", f.body_offset);
  }
  return f;
}

}  // namespace

Result<void> read_code_section(ByteReader& r, DecodeState& st) {
  const uint32_t count = TRY(read_count(r));
  st.bodies.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    auto body = read_body(r, st.features, st.uses_data_index);
    if (!body) {
      Error e = std::move(body).error();
      if (e.context.empty()) e.context = "in function body " + std::to_string(i);
      return e;
    }
    st.bodies.push_back(std::move(*body));
  }
  return {};
}

}  // namespace lunatic::decoder::detail
