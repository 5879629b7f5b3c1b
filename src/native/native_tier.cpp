// NativeTier: starting calls of native code on pooled stacks, handing modules over.
#include "native/native_tier.hpp"

#include <algorithm>
#include <typeinfo>

#include "native/execution.hpp"

namespace lunatic::native {

std::unique_ptr<engine::TierExecution> NativeTier::begin(engine::Thread& thread,
                                                         engine::Function& fn,
                                                         std::span<const engine::Slot> args) const {
  const auto index = static_cast<uint32_t>(&fn - fn.instance->defined_functions.data());
  return std::make_unique<Execution>(*this, thread,
                                     Execution::Start{fn.instance, index, args, std::nullopt});
}

std::unique_ptr<engine::TierExecution> NativeTier::begin_at(
    engine::Thread& thread, engine::Instance& instance, uint32_t defined_index, uint32_t safepoint,
    std::span<const engine::Slot> locals) const {
  if (code_->prepare_osr(defined_index, safepoint) == nullptr) return nullptr;
  return std::make_unique<Execution>(*this, thread,
                                     Execution::Start{&instance, defined_index, locals, safepoint});
}

namespace {

// The callable of an adopted function, as the interpreter calls it: the call runs as a nested
// Execution, which may stop (park, end of slice) and is continued when the interpreter
// re-executes the call.
engine::HostStatus call_native(const void* /*context*/, engine::HostCall& call) {
  engine::Thread& thread = call.thread;
  std::unique_ptr<engine::TierExecution>& nested = thread.nested();
  if (nested == nullptr) {
    auto& fn = const_cast<engine::Function&>(*call.callee);
    nested = native_tier_of(*fn.instance->module)->begin(thread, fn, call.args);
  }
  switch (nested->run(thread, thread.slice())) {
    case engine::RunStatus::Done: {
      std::span<const engine::Slot> results = nested->results();
      std::copy(results.begin(), results.begin() + static_cast<ptrdiff_t>(call.results.size()),
                call.results.begin());
      nested.reset();
      return engine::HostStatus::Return;
    }
    case engine::RunStatus::Trapped: nested.reset(); return call.fail(thread.trap());
    case engine::RunStatus::Parked: return engine::HostStatus::Park;
    case engine::RunStatus::Yielded: return engine::HostStatus::Preempt;
  }
  return engine::HostStatus::Trap;
}

// Shared by every adopted function, whatever its type: the tiers count its slots from the
// function's type (Function::host_param_slots).
const engine::HostEntry kCallNative{call_native, nullptr, 0, 0};

}  // namespace

void NativeTier::adopt(engine::Instance& instance) const {
  const size_t count = instance.module->wasm.functions.size();
  for (size_t i = 0; i < count; ++i) {
    engine::Function& f = instance.defined_functions[i];
    f.code = nullptr;
    f.host = &kCallNative;
  }
  instance.adopted_by_native = true;
}

// Every spawn asks (Execution::bind), and every call of an adopted function: the module's raw
// pointer, not native() (the atomic shared_ptr's spin lock and a count, on lines every worker
// writes), and the exact type, not a dynamic_cast (~130 instructions through two bases and a
// strcmp of type names; NativeTier is final, so the two agree).
const NativeTier* native_tier_of(const engine::CompiledModule& module) {
  const engine::CodeTier* tier = module.native_tier();
  if (tier == nullptr || typeid(*tier) != typeid(NativeTier)) return nullptr;
  return static_cast<const NativeTier*>(tier);
}

const NativeTier* NativeTier::newest() const {
  const NativeTier* tier = this;
  while (const NativeTier* next = tier->successor()) tier = next;
  return tier;
}

}  // namespace lunatic::native

namespace lunatic::native {

void attach_code(const engine::CompiledModule& module, std::unique_ptr<NativeCode> code) {
  std::shared_ptr<const engine::CodeTier> previous = module.native();
  auto tier = std::make_shared<NativeTier>(std::move(code), previous);
  module.set_native(tier);
  // Published after the module holds the new tier: whoever follows the link finds it alive.
  if (const auto* replaced = dynamic_cast<const NativeTier*>(previous.get())) {
    replaced->set_successor(tier.get());
  }
}

}  // namespace lunatic::native
