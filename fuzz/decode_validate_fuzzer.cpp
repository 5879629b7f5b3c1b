// libFuzzer target: the decoder and then the validator on arbitrary bytes. Each must return a
// value or an Error of its own phase, never crash, hang or allocate without bound; a decoded
// module must satisfy the invariants the validator relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "decoder/decoder.hpp"
#include "validator/validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto module = lunatic::decoder::decode(std::span<const uint8_t>(data, size));
  if (!module) {
    if (module.error().phase != lunatic::Phase::Decode) std::abort();
    return 0;
  }
  // Invariants the later passes rely on.
  for (const auto& f : module->functions) {
    if (f.body.empty() || f.body.back().op != lunatic::wasm::Opcode::End) std::abort();
    if (f.body_offset >= size) std::abort();
  }
  for (const auto& g : module->globals) {
    for (const auto& in : g.init.instrs) {
      if (in.offset >= size) std::abort();
    }
  }
  if (module->functions.size() > size || module->types.size() > size) std::abort();

  auto valid = lunatic::validator::validate(*module);
  if (!valid && valid.error().phase != lunatic::Phase::Validate) std::abort();
  return 0;
}
