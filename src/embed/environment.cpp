// Environment: the public handle of a runtime::Environment.
#include <lunatic/environment.hpp>

#include "embed/access.hpp"

namespace lunatic {

Environment Environment::create(EnvironmentConfig config) {
  return detail::Access::environment(runtime::Environment::create(embed::to_internal(config)));
}

Environment Environment::create_child(const EnvironmentConfig& config) const {
  return detail::Access::environment(impl_->environment->create_child(embed::to_internal(config)));
}

EnvironmentConfig Environment::config() const {
  return embed::to_public(impl_->environment->config());
}

uint64_t Environment::id() const { return impl_->environment->id(); }

uint64_t Environment::live_processes() const { return impl_->environment->live_processes(); }

}  // namespace lunatic
