// The state of one running script: its Store, the spectest module, the modules it defined
// (the last one, named ones, registered ones), and how it loads modules and performs actions.
// The engine through its own headers (spec/engine_api.hpp).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codecache/object_cache.hpp"
#include "common/result.hpp"
#include "spec/engine_api.hpp"
#include "spec/spectest_module.hpp"
#include "spec/values.hpp"
#include "text/text.hpp"
#include "tiering/compiler.hpp"

namespace lunatic::spec {

using text::Action;

/// What an action produced: results, or a trap (a trap is an outcome, not an error).
struct ActionResult {
  bool trapped = false;
  Trap trap;
  std::vector<Value> values;
};

class ScriptContext {
 public:
  /// `action_timeout` bounds one call. With `tier_notes`, the tier's notes (why a module
  /// stays in the interpreter) are printed. With `cache_dir` (compiled tier), each module's
  /// code is stored in that code cache and loaded back by codecache's loader, which then runs
  /// it (a module whose entry the loader declines fails to compile).
  ScriptContext(MemoryPool& pool, std::chrono::milliseconds action_timeout, bool echo_prints,
                tiering::Tier tier = tiering::Tier::Interp, bool tier_notes = false,
                std::optional<std::filesystem::path> cache_dir = {});
  ~ScriptContext();

  /// Encodes (text forms) and compiles a script module. Errors: the text parser's Decode error
  /// for a text module that does not parse, else the engine's Decode/Validate error.
  Result<std::shared_ptr<const CompiledModule>> compile_module(const text::ScriptModule& module);

  /// Resolves imports by (module, name) from registered instances and spectest ("unknown
  /// import" is a Phase::Link error), instantiates and runs the start function. A trap in the
  /// start function comes back as Error{Phase::Trap, message}.
  Result<Instance*> instantiate(std::shared_ptr<const CompiledModule> module);

  /// Makes `instance` the last module (and, with a "$name", a named one). A null instance
  /// records a module that failed to load, so later actions on it fail.
  void define(Instance* instance, const std::string& name);
  /// Registers the module `name` ("" = the last one) under `as` for later imports.
  Result<void> register_as(const std::string& name, const std::string& as);

  /// Invokes a function or reads a global. Errors (not traps) when the module is missing or
  /// failed to load, the export is missing or of the wrong kind, the arguments do not fit,
  /// or the call did not finish in time.
  Result<ActionResult> perform(const Action& action);

  /// The compiler of this script's modules (its baseline counters).
  const tiering::Compiler& compiler() const { return compiler_; }

 private:
  Result<Instance*> find_instance(const std::string& name) const;
  Result<std::vector<Extern>> resolve_imports(const CompiledModule& module) const;
  Result<ActionResult> call(Function* fn, const std::vector<Value>& args);

  std::chrono::milliseconds action_timeout_;
  std::optional<codecache::ObjectCache> cache_;
  tiering::Compiler compiler_;
  Store store_;
  std::unique_ptr<Thread> thread_;
  Result<ExportMap> spectest_;
  Instance* last_ = nullptr;
  bool have_last_ = false;  ///< whether any module was defined (vs one that failed to load)
  std::map<std::string, Instance*, std::less<>> named_;  ///< null: failed to load
  std::map<std::string, Instance*, std::less<>> registered_;
};

}  // namespace lunatic::spec
