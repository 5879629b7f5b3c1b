// AllowList: prefix matching of "module::name" without building the string, and intersection.
#include "binding/linker.hpp"

#include <algorithm>

namespace lunatic::binding {
namespace {

/// Whether `prefix` is a prefix of module + "::" + name.
bool is_prefix_of(std::string_view prefix, std::string_view module, std::string_view name) {
  for (std::string_view part : {module, std::string_view("::"), name}) {
    const size_t n = std::min(prefix.size(), part.size());
    if (prefix.substr(0, n) != part.substr(0, n)) return false;
    prefix.remove_prefix(n);
    if (prefix.empty()) return true;
  }
  return false;
}

}  // namespace

bool AllowList::allows(std::string_view module, std::string_view name) const {
  return std::any_of(prefixes_.begin(), prefixes_.end(),
                     [&](const std::string& p) { return is_prefix_of(p, module, name); });
}

AllowList AllowList::intersect(const AllowList& other) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  for (const std::string& a : prefixes_) {
    for (const std::string& b : other.prefixes_) {
      // A name matching both starts with both, so with the longer; the longer one extends the
      // shorter or the two allow nothing in common.
      if (a.starts_with(b)) {
        add(a);
      } else if (b.starts_with(a)) {
        add(b);
      }
    }
  }
  return AllowList(std::move(out));
}

}  // namespace lunatic::binding
