// Loading modules, linking their imports and performing actions for one script (see
// script_context.hpp).
#include <cstdio>

#include "spec/script_context.hpp"

#include "codecache/cached_code.hpp"
#include "native/native_tier.hpp"

namespace lunatic::spec {
namespace {

// Fuel units per run() slice: small enough that a hung call is noticed within a fraction of
// a second, large enough that slicing costs nothing measurable.
constexpr uint64_t kSlice = uint64_t{1} << 22;

Error action_error(std::string message) { return Error(Phase::Usage, std::move(message)); }

}  // namespace

ScriptContext::ScriptContext(MemoryPool& pool, std::chrono::milliseconds action_timeout,
                             bool echo_prints, tiering::Tier tier, bool tier_notes,
                             std::optional<std::filesystem::path> cache_dir)
    : action_timeout_(action_timeout),
      cache_(cache_dir ? std::optional<codecache::ObjectCache>(*cache_dir) : std::nullopt),
      compiler_(tiering::CompilerConfig{
          .tier = tier,
          .note = tier_notes ? [](const std::string& note) { std::printf("%s\n", note.c_str()); }
                             : std::function<void(const std::string&)>{},
          .use_cache = cache_dir.has_value(),  // else one-off modules
          .cache_dir = cache_dir}),
      store_(pool),
      thread_(std::make_unique<Thread>(store_)),
      spectest_(make_spectest(store_, echo_prints)) {}

ScriptContext::~ScriptContext() = default;

Result<std::shared_ptr<const CompiledModule>> ScriptContext::compile_module(
    const text::ScriptModule& module) {
  std::vector<uint8_t> bytes = TRY(text::module_binary(module));
  std::shared_ptr<const CompiledModule> compiled = TRY(compiler_.compile(bytes));
  if (!cache_ || compiled->native() == nullptr) return compiled;
  // The compile stored the entry (or found it): load it back without LLVM, and run that.
  const codecache::Digest key =
      codecache::ObjectCache::key(codecache::digest_of(bytes), tiering::CompilerConfig{}.opt_level,
                                  /*osr_entries=*/false);
  std::unique_ptr<native::NativeCode> code = TRY(codecache::load_cached(*compiled, *cache_, key));
  native::attach_code(*compiled, std::move(code));
  return compiled;
}

Result<std::vector<Extern>> ScriptContext::resolve_imports(const CompiledModule& module) const {
  std::vector<Extern> externs;
  externs.reserve(module.wasm.imports.size());
  for (const wasm::Import& import : module.wasm.imports) {
    std::optional<Extern> found;
    if (auto it = registered_.find(import.module); it != registered_.end()) {
      found = it->second->find_export(import.name);
    } else if (import.module == "spectest") {
      if (!spectest_) return spectest_.error();
      if (auto e = spectest_->find(import.name); e != spectest_->end()) found = e->second;
    }
    if (!found) {
      return Error(Phase::Link, "unknown import", Error::kNoOffset,
                   import.module + "." + import.name);
    }
    externs.push_back(*found);
  }
  return externs;
}

Result<Instance*> ScriptContext::instantiate(std::shared_ptr<const CompiledModule> module) {
  std::vector<Extern> imports = TRY(resolve_imports(*module));
  Instance* instance = TRY(store_.instantiate(std::move(module), imports));
  if (Function* start = instance->start_function()) {
    ActionResult r = TRY(call(start, {}));
    if (r.trapped) return Error(Phase::Trap, r.trap.message, Error::kNoOffset, "start function");
  }
  return instance;
}

void ScriptContext::define(Instance* instance, const std::string& name) {
  last_ = instance;
  have_last_ = true;
  if (!name.empty()) named_[name] = instance;
}

Result<void> ScriptContext::register_as(const std::string& name, const std::string& as) {
  Instance* instance = TRY(find_instance(name));
  registered_[as] = instance;
  return {};
}

Result<Instance*> ScriptContext::find_instance(const std::string& name) const {
  if (name.empty()) {
    if (!have_last_) return action_error("no module defined yet");
    if (last_ == nullptr) return action_error("the module failed to load");
    return last_;
  }
  auto it = named_.find(name);
  if (it == named_.end()) return action_error("unknown module " + name);
  if (it->second == nullptr) return action_error("module " + name + " failed to load");
  return it->second;
}

Result<ActionResult> ScriptContext::perform(const Action& action) {
  Instance* instance = TRY(find_instance(action.module));
  std::optional<Extern> exported = instance->find_export(action.field);
  if (!exported) return action_error("no export \"" + action.field + "\"");

  if (action.type == Action::Type::Get) {
    Global* global = exported->global();
    if (global == nullptr) return action_error("export \"" + action.field + "\" is not a global");
    ActionResult result;
    result.values.push_back(Value{global->type.type, global->value, global->hi});
    return result;
  }
  Function* fn = exported->func();
  if (fn == nullptr) return action_error("export \"" + action.field + "\" is not a function");
  std::vector<Value> args;
  args.reserve(action.args.size());
  for (const ScriptValue& arg : action.args) args.push_back(TRY(to_argument(arg)));
  return call(fn, args);
}

Result<ActionResult> ScriptContext::call(Function* fn, const std::vector<Value>& args) {
  TRY(thread_->begin_call(fn, args));
  auto deadline = std::chrono::steady_clock::now() + action_timeout_;
  RunStatus status = thread_->run(kSlice);
  while (status == RunStatus::Yielded && std::chrono::steady_clock::now() < deadline) {
    status = thread_->run(kSlice);
  }
  ActionResult result;
  switch (status) {
    case RunStatus::Done: result.values = thread_->results(); return result;
    case RunStatus::Trapped:
      result.trapped = true;
      result.trap = thread_->trap();
      return result;
    case RunStatus::Yielded:
    case RunStatus::Parked: break;
  }
  // The thread is mid-call: replace it, since a call cannot be abandoned otherwise.
  thread_ = std::make_unique<Thread>(store_);
  if (status == RunStatus::Parked) return action_error("the call parked (nobody can wake it)");
  return action_error("timed out after " + std::to_string(action_timeout_.count()) + " ms");
}

}  // namespace lunatic::spec
