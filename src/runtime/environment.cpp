// Environment: clamping a child's configuration to its parent's, and the live-process count
// shared along the chain of ancestors.
#include "runtime/environment.hpp"

#include <algorithm>

namespace lunatic::runtime {

std::shared_ptr<Environment> Environment::create(EnvironmentConfig config) {
  return std::make_shared<Environment>(std::move(config), nullptr);
}

std::shared_ptr<Environment> Environment::create_child(const EnvironmentConfig& config) const {
  EnvironmentConfig clamped;
  clamped.max_memory_pages = std::min(config.max_memory_pages, config_.max_memory_pages);
  if (config.max_fuel && config_.max_fuel) {
    clamped.max_fuel = std::min(*config.max_fuel, *config_.max_fuel);
  } else {
    clamped.max_fuel = config.max_fuel ? config.max_fuel : config_.max_fuel;
  }
  clamped.allowed = config.allowed.intersect(config_.allowed);
  clamped.max_processes = std::min(config.max_processes, config_.max_processes);
  return std::make_shared<Environment>(std::move(clamped), shared_from_this());
}

bool Environment::try_enter() const {
  for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
    uint64_t live = e->live_.load(std::memory_order_relaxed);
    bool entered = false;
    while (live < e->config_.max_processes) {
      if (e->live_.compare_exchange_weak(live, live + 1, std::memory_order_acq_rel)) {
        entered = true;
        break;
      }
    }
    if (!entered) {
      // Undo the levels already counted.
      for (const Environment* u = this; u != e; u = u->parent_.get()) {
        u->live_.fetch_sub(1, std::memory_order_acq_rel);
      }
      return false;
    }
  }
  return true;
}

void Environment::leave() const {
  for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
    e->live_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace lunatic::runtime
