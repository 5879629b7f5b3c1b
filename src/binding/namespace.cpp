// Namespace: lookup and insertion of definitions (define() itself is a template in the header).
#include "binding/namespace.hpp"

namespace lunatic::binding {

const HostDefinition* Namespace::find(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

void Namespace::insert(HostDefinition def) {
  std::string key = def.name;
  functions_.insert_or_assign(std::move(key), std::move(def));
}

}  // namespace lunatic::binding
