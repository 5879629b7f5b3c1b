// Placeholder until the decoder lands.
#include "decoder/decoder.hpp"

namespace lunatic::decoder {

Result<wasm::Module> decode(std::span<const uint8_t>) {
  return Error(Phase::Decode, "decoder not implemented yet");
}

}  // namespace lunatic::decoder
