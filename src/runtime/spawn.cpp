// Runtime::spawn: count the process in its environment, link its imports under the
// environment's allow-list (once per module and environment: ImportCache), instantiate,
// check the entry, and queue it.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "binding/pending_call.hpp"
#include "runtime/process.hpp"
#include "runtime/runtime.hpp"
#include "runtime/scheduler.hpp"

namespace lunatic::runtime {

namespace {

/// "expects (i32, i64), got (i64)" when `args` do not fit `type`'s parameters.
std::optional<std::string> argument_mismatch(const wasm::FuncType& type,
                                             const std::vector<engine::Value>& args) {
  bool same = args.size() == type.params.size();
  for (size_t i = 0; same && i < args.size(); ++i) same = args[i].type == type.params[i];
  if (same) return std::nullopt;
  auto list = [](auto&& range, auto&& type_of) {
    std::string s = "(";
    for (size_t i = 0; i < range.size(); ++i) {
      if (i != 0) s += ", ";
      s += wasm::val_type_name(type_of(range[i]));
    }
    return s + ")";
  };
  return "expects " + list(type.params, [](wasm::ValType t) { return t; }) + ", got " +
         list(args, [](const engine::Value& v) { return v.type; });
}

}  // namespace

Result<ProcessId> Runtime::spawn_impl(SpawnOptions options, bool root) {
  if (!options.module) return Error(Phase::Usage, "spawn: no module");
  if (!options.environment) return Error(Phase::Usage, "spawn: no environment");
  const Environment& env = *options.environment;
  if (env.depth() > Environment::kMaxDepth) {
    return Error(Phase::Host, "environments nested too deeply: " + std::to_string(env.depth()) +
                                  " levels, at most " + std::to_string(Environment::kMaxDepth));
  }
  // Declared before `slot`, so destroyed after it: the process may hold the last reference
  // to the environment that `slot` gives its count back to.
  std::shared_ptr<Process> process;
  switch (env.enter()) {
    case Environment::Entry::Entered: break;
    case Environment::Entry::TooManyProcesses:
      return Error(Phase::Host, "too many processes: the environment allows " +
                                    std::to_string(env.config().max_processes) +
                                    " (counting those of environments inside it)");
    case Environment::Entry::OutOfMemory:
      return Error(Phase::Host,
                   "out of memory: a process would pass the environment's "
                   "max_memory_total (" +
                       std::to_string(env.budget().limit()) + " bytes, " +
                       std::to_string(env.budget().used()) + " in use)");
  }
  // Until the process is registered, a failure must give its slot back.
  struct Slot {
    const Environment* env;
    ~Slot() {
      if (env != nullptr) env->leave();
    }
  } slot{&env};

  const ProcessId id = registry_.next_id();
  // The process takes the options' references (an atomic count update fewer each, on
  // counts that every spawn and every end update, often on two workers): the environment
  // here, the module in its instance (Process::module), its only one.
  process = std::make_shared<Process>(Process::Key(), *this, id, std::move(options.environment));
  // Refers to options.module, which the instance takes below: read only before that (after
  // it, the instance's own, (*instance)->module).
  const std::shared_ptr<const engine::CompiledModule>& module = options.module;
  const std::shared_ptr<const Environment>& environment = process->environment_;

  ImportCache::Externs externs;
  // What the instance links: `externs`, or the spawner's own list (below), read in place:
  // copying its shared_ptr was two atomic count updates per spawn.
  const std::vector<engine::Extern>* links = nullptr;
  // A cached resolution was checked against the module's import types by the instantiate
  // that cached it, so later spawns skip the check; a fresh one is cached only once it passed.
  bool imports_checked = false;
  // A process spawning its own module in its own environment keeps the resolution it used
  // (checked, as the cache's): no lock shared by every spawn, no hash lookup.
  Process* const spawner = options.spawner != nullptr && options.spawner->module() == module &&
                                   options.spawner->environment_ == environment
                               ? options.spawner
                               : nullptr;
  if (spawner != nullptr && spawner->spawn_imports_) {
    links = spawner->spawn_imports_.get();  // the spawner is running this call: it stays
    imports_checked = true;
  } else if (!module->wasm.imports.empty()) {
    std::lock_guard lock(host_functions_mutex_);
    externs = imports_.find(module, environment);
    imports_checked = externs != nullptr;
    if (!externs) {
      Result<std::vector<engine::Extern>> resolved =
          linker_->resolve(host_functions_, module->wasm, env.config().allowed);
      if (!resolved.ok()) return std::move(resolved).error();
      externs = std::make_shared<const std::vector<engine::Extern>>(std::move(*resolved));
    }
  }
  if (externs) links = externs.get();
  Result<engine::Instance*> instance = process->store_.instantiate(
      std::move(options.module),
      links ? std::span<const engine::Extern>(*links) : std::span<const engine::Extern>(),
      imports_checked);
  if (!instance.ok()) return std::move(instance).error();
  if (externs && !imports_checked) {
    std::lock_guard lock(host_functions_mutex_);
    imports_.insert((*instance)->module, environment, externs);
  }
  if (spawner != nullptr && externs && !spawner->spawn_imports_) spawner->spawn_imports_ = externs;
  process->instance_ = *instance;
  process->memories_ = (*instance)->memories;

  std::optional<engine::Extern> entry = (*instance)->find_export(options.entry);
  engine::Function* fn = entry ? entry->func() : nullptr;
  if (fn == nullptr) {
    return Error(Phase::Usage,
                 "spawn: the module exports no function named '" + options.entry + "'");
  }
  if (auto mismatch = argument_mismatch(*fn->type, options.args)) {
    return Error(Phase::Usage, "spawn: function '" + options.entry + "' " + *mismatch);
  }

  binding::attach(process->thread_, *process);
  if (options.prepare) options.prepare(*process);
  if (env.config().max_fuel) process->thread_.set_fuel(*env.config().max_fuel);
  // A spawned process runs its first fuel interpreted, as its module says (the auto tier: a
  // spawned process is usually short-lived or waits), whoever spawns it: another process, a
  // peer node or the embedder (a server spawning a process per request). The root (a
  // program's main) begins in native code, where a program's compute usually is: a loop moved
  // there mid-call runs LLVM's OSR variant, slower than the function's own code.
  if (!root) {
    process->thread_.set_interpret_first((*instance)->module->interpreted_fuel);
  }
  if (engine::Function* start = (*instance)->start_function()) {
    process->pending_entry_ =
        std::make_unique<Process::PendingEntry>(Process::PendingEntry{fn, std::move(options.args)});
    TRY(process->thread_.begin_call(start, {}));
  } else {
    TRY(process->thread_.begin_call(fn, options.args));
  }

  process->module_name_ = std::move(options.module_name);
  process->entry_name_ = std::move(options.entry);
  process->start_time_ms_ = unix_time_ms();
  process->record_slice();  // its memory from the start (and one slice counted: the set-up)
  process->slices_.store(0, std::memory_order_relaxed);

  // From here on the process exists: finish() gives the environment slot back.
  slot.env = nullptr;
  scheduler_->count(Scheduler::Counter::Spawns);
  live_.fetch_add(1, std::memory_order_acq_rel);
  // The registry takes this reference: a copy was a count update here and another as this
  // function returned, by then often while the child ran on another worker, on the line of
  // the child's hot fields. Only finish() removes it, which no worker runs before the
  // process is queued below, so `child` stays valid until then.
  Process* const child = process.get();
  registry_.insert(id, std::move(process));
  if (root || options.joinable) {
    child->awaited_ = true;
    std::lock_guard lock(done_mutex_);
    if (root) root_ = id;
    if (options.joinable) joinable_.emplace(id, std::nullopt);
  }
  if (options.link_to != nullptr) options.link_to->link(options.link_tag, id);
  child->state_.store(Process::kQueued, std::memory_order_release);
  scheduler_->enqueue(child);
  return id;
}

}  // namespace lunatic::runtime
