// libFuzzer target: the code cache's hot entry bundle (codecache::decode_hot_parts) on arbitrary
// bytes, as a damaged or hostile entry would hand it over past the entry's own checks. The
// first two bytes are the module's defined function count (little-endian), the rest the
// bundle. A bundle is declined (nullopt) or decoded into parts that keep every promise of
// hot_entry.hpp, and encoding them gives back exactly the bytes read: never a crash, a read
// outside the input, or an allocation the input's size does not bound.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "codecache/hot_entry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using lunatic::codecache::HotPart;
  if (size < 2) return 0;
  const uint32_t function_count = data[0] | (static_cast<uint32_t>(data[1]) << 8);
  const std::string_view bundle(reinterpret_cast<const char*>(data + 2), size - 2);
  auto parts = lunatic::codecache::decode_hot_parts(bundle, function_count);
  if (!parts) return 0;
  if (parts->empty()) std::abort();
  std::vector<bool> seen(function_count);
  for (const HotPart& part : *parts) {
    if (part.functions.empty() || part.object.empty()) std::abort();
    for (size_t i = 0; i < part.functions.size(); ++i) {
      const uint32_t f = part.functions[i];
      if (f >= function_count || seen[f]) std::abort();
      if (i > 0 && part.functions[i - 1] >= f) std::abort();
      seen[f] = true;
    }
  }
  if (lunatic::codecache::encode_hot_parts(*parts) != bundle) std::abort();
  return 0;
}
