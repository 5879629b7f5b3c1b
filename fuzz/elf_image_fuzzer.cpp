// libFuzzer target: the code cache's ELF loader (codecache::ElfImage) on arbitrary bytes, as a
// damaged or hostile cache entry would hand it an object. It must link the object or decline it
// (Phase::Unsupported, context "code cache": a miss), never crash, read outside the input, or
// map more than its limit; a linked image's symbols must lie inside the image.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "codecache/elf_image.hpp"
#include "codecache/symbol_names.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using lunatic::codecache::ElfImage;
  auto image =
      ElfImage::load(std::span<const uint8_t>(data, size), &lunatic::codecache::runtime_symbol);
  if (!image) {
    if (image.error().phase != lunatic::Phase::Unsupported) std::abort();
    return 0;
  }
  const ElfImage& linked = **image;
  if (linked.size() == 0 || linked.size() > ElfImage::kMaxImageBytes + 4096) std::abort();
  for (const auto& [name, symbol] : linked.symbols()) {
    if (name.empty() || linked.find(name) != &symbol) std::abort();
    if (symbol.address < linked.base() || symbol.address - linked.base() > linked.size() ||
        symbol.size > linked.size() - (symbol.address - linked.base())) {
      std::abort();
    }
  }
  return 0;
}
