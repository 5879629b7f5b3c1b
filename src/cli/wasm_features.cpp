// apply_wasm_option: `-W NAME[=y|n],...` onto a feature set.
#include "cli/wasm_features.hpp"

#include <optional>
#include <string>

namespace lunatic::cli {
namespace {

std::optional<bool> parse_switch(std::string_view text) {
  if (text == "y" || text == "yes" || text == "true") return true;
  if (text == "n" || text == "no" || text == "false") return false;
  return std::nullopt;
}

}  // namespace

Result<void> apply_wasm_option(std::string_view value, wasm::Features& features) {
  if (value.empty()) return Error(Phase::Usage, "-W expects NAME[=y|n], got ''");
  while (true) {
    const size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    const size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    std::optional<bool> on = true;
    if (eq != std::string_view::npos) on = parse_switch(item.substr(eq + 1));
    if (!on) {
      return Error(Phase::Usage, "-W " + std::string(name) + ": expects =y or =n, got '" +
                                     std::string(item) + "'");
    }
    std::optional<wasm::Feature> feature = wasm::feature_by_name(name);
    if (!feature) {
      return Error(Phase::Usage, "-W: unknown WebAssembly feature '" + std::string(name) +
                                     "' (features: " + wasm::feature_names() + ")");
    }
    features.set(*feature, *on);
    if (comma == std::string_view::npos) return {};
    value.remove_prefix(comma + 1);
  }
}

}  // namespace lunatic::cli
