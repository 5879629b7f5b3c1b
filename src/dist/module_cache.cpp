// Modules that peers send for remote spawns (remote_spawn.hpp): the check of their SHA-256, the
// bounded cache of the compiled ones, and the job that checks and compiles one on the runtime's
// HostWork threads.
#include "dist/crypto.hpp"
#include "dist/remote_spawn.hpp"
#include "runtime/runtime.hpp"

namespace lunatic::dist {

std::shared_ptr<const engine::CompiledModule> ModuleCache::find(const ModuleHash& hash) const {
  std::lock_guard lock(mutex_);
  auto it = modules_.find(hash);
  return it == modules_.end() ? nullptr : it->second.module;
}

void ModuleCache::add(const ModuleHash& hash, std::shared_ptr<const engine::CompiledModule> module,
                      size_t bytes) {
  std::lock_guard lock(mutex_);
  if (modules_.contains(hash) || bytes > max_bytes_) return;
  while (total_ + bytes > max_bytes_ && !order_.empty()) {
    auto oldest = modules_.find(order_.front());
    total_ -= oldest->second.bytes;
    modules_.erase(oldest);
    order_.pop_front();
  }
  modules_.emplace(hash, Entry{std::move(module), bytes});
  order_.push_back(hash);
  total_ += bytes;
}

size_t ModuleCache::size() const {
  std::lock_guard lock(mutex_);
  return modules_.size();
}

SpawnCompile::SpawnCompile(runtime::Runtime& runtime, ModuleHash hash,
                           std::shared_ptr<const std::vector<uint8_t>> frame,
                           std::span<const uint8_t> bytes, std::function<void()> done)
    : runtime_(runtime),
      hash_(hash),
      frame_(std::move(frame)),
      bytes_(bytes),
      done_(std::move(done)) {}

void SpawnCompile::run() {
  // The hash too (10-40 ms for the largest module): nothing proportional to what a peer sends
  // runs on its connection's thread.
  Compiled compiled =
      sha256(bytes_) == hash_
          ? runtime_.compile(bytes_)
          : Compiled(Error(Phase::Usage, "the module's bytes do not match its hash"));
  {
    std::lock_guard lock(mutex_);
    result_.emplace(std::move(compiled));
  }
  if (done_) done_();
}

bool SpawnCompile::done() const {
  std::lock_guard lock(mutex_);
  return result_.has_value();
}

const SpawnCompile::Compiled& SpawnCompile::result() const {
  std::lock_guard lock(mutex_);
  return *result_;
}

}  // namespace lunatic::dist
