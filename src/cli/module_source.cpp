// read_module_source: binary or text.
#include "cli/module_source.hpp"

#include <algorithm>
#include <string_view>

#include "engine/module_file.hpp"
#include "text/text.hpp"

namespace lunatic::cli {

Result<std::vector<uint8_t>> read_module_source(const std::string& path,
                                                const wasm::Features& features) {
  std::vector<uint8_t> bytes = TRY(engine::read_module_file(path));
  // The text format starts, after white space, with a parenthesis or a comment (";;", "(;");
  // anything else is left to the decoder, whose error for a file that is no module at all is
  // the spec's "magic header not detected".
  auto first = std::find_if(bytes.begin(), bytes.end(), [](uint8_t c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r';
  });
  if (first == bytes.end() || (*first != '(' && *first != ';')) return bytes;
  return text::parse_module(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), features);
}

}  // namespace lunatic::cli
