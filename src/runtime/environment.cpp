// Environment: clamping a child's configuration to its parent's, the live-process and name
// counts shared along the chain of ancestors, and name lookups along that chain.
#include "runtime/environment.hpp"

#include <algorithm>

namespace lunatic::runtime {
namespace {

/// Adds one to `count` of `env` and of each ancestor, unless one of them is at its `limit`:
/// then nothing is counted and the result is false.
template <class Count, class Limit>
bool count_along(const Environment* env, Count count, Limit limit) {
  for (const Environment* e = env; e != nullptr; e = e->parent().get()) {
    std::atomic<uint64_t>& n = count(*e);
    uint64_t seen = n.load(std::memory_order_relaxed);
    bool counted = false;
    while (seen < limit(*e)) {
      if (n.compare_exchange_weak(seen, seen + 1, std::memory_order_acq_rel)) {
        counted = true;
        break;
      }
    }
    if (!counted) {
      // Undo the levels already counted.
      for (const Environment* u = env; u != e; u = u->parent().get()) {
        count(*u).fetch_sub(1, std::memory_order_acq_rel);
      }
      return false;
    }
  }
  return true;
}

// Environments are created without a runtime (an embedder makes them before it, a process
// inside one): their introspection ids come from this one counter for the program, the only
// state shared by all runtimes, and only a number.
std::atomic<uint64_t> next_environment_id{1};

}  // namespace

Environment::Environment(EnvironmentConfig config, std::shared_ptr<const Environment> parent)
    : config_(std::move(config)),
      parent_(std::move(parent)),
      id_(next_environment_id.fetch_add(1, std::memory_order_relaxed)),
      depth_(parent_ ? parent_->depth_ + 1 : 0),
      budget_(config_.max_memory_total, parent_ ? &parent_->budget_ : nullptr) {}

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
  clamped.max_names = std::min(config.max_names, config_.max_names);
  clamped.max_resources = std::min(config.max_resources, config_.max_resources);
  clamped.max_memory_total = std::min(config.max_memory_total, config_.max_memory_total);
  if (config.max_memory_total == UINT64_MAX && config.max_processes != UINT64_MAX) {
    // Saturating: max_processes x (kHostBytesPerMemory x memory + kHostBytesPerProcess).
    const uint64_t per_process =
        kHostBytesPerMemory * uint64_t{clamped.max_memory_pages} * wasm::kPageSize +
        kHostBytesPerProcess;
    const uint64_t derived = clamped.max_processes > UINT64_MAX / per_process
                                 ? UINT64_MAX
                                 : clamped.max_processes * per_process;
    clamped.max_memory_total = std::min(clamped.max_memory_total, derived);
  }
  return std::make_shared<Environment>(std::move(clamped), shared_from_this());
}

Environment::Entry Environment::enter() const {
  if (!count_along(
          this, [](const Environment& e) -> std::atomic<uint64_t>& { return e.live_; },
          [](const Environment& e) { return e.config_.max_processes; })) {
    return Entry::TooManyProcesses;
  }
  if (!budget_.try_charge(kProcessBytes)) {
    for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
      e->live_.fetch_sub(1, std::memory_order_acq_rel);
    }
    return Entry::OutOfMemory;
  }
  return Entry::Entered;
}

void Environment::leave() const {
  budget_.release(kProcessBytes);
  for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
    e->live_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

Environment::~Environment() {
  // Names whose processes outlive this environment (it named a process of an ancestor).
  if (size_t left = names_.size(); left != 0 && parent_) parent_->uncount_names(left);
  if (uint64_t bytes = names_charged_.load(std::memory_order_relaxed); bytes != 0 && parent_) {
    parent_->budget_.release(bytes);
  }
}

NameTable::Put Environment::put_name(std::string_view name, ProcessId id) const {
  const uint64_t charge = name_charge(name);
  return names_.put(name, id, [this, charge] {
    if (!budget_.try_charge(charge)) return false;
    if (!count_along(
            this, [](const Environment& e) -> std::atomic<uint64_t>& { return e.names_counted_; },
            [](const Environment& e) { return e.config_.max_names; })) {
      budget_.release(charge);
      return false;
    }
    names_charged_.fetch_add(charge, std::memory_order_relaxed);
    return true;
  });
}

std::optional<ProcessId> Environment::find_name(std::string_view name) const {
  for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
    if (std::optional<ProcessId> id = e->names_.find(name)) return id;
  }
  return std::nullopt;
}

bool Environment::remove_name(std::string_view name) const {
  if (!names_.remove(name)) return false;
  release_names(1, name.size());
  return true;
}

void Environment::remove_names_of(ProcessId id) const {
  uint64_t bytes = 0;
  if (size_t removed = names_.remove_process(id, &bytes); removed != 0) {
    release_names(removed, bytes);
  }
}

void Environment::release_names(uint64_t count, uint64_t bytes) const {
  uncount_names(count);
  const uint64_t charge = bytes + count * name_charge("");
  names_charged_.fetch_sub(charge, std::memory_order_relaxed);
  budget_.release(charge);
}

void Environment::uncount_names(uint64_t count) const {
  for (const Environment* e = this; e != nullptr; e = e->parent_.get()) {
    e->names_counted_.fetch_sub(count, std::memory_order_acq_rel);
  }
}

}  // namespace lunatic::runtime
