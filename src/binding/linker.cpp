// Linker: resolution of a module's imports to host functions of one Store, with the
// environment's allow-list and the import's declared type checked.
#include "binding/linker.hpp"

namespace lunatic::binding {
namespace {

std::string import_name(const wasm::Import& imp) { return imp.module + "::" + imp.name; }

Error link_error(std::string message, size_t index) {
  return Error(Phase::Link, std::move(message), Error::kNoOffset,
               "import " + std::to_string(index));
}

}  // namespace

engine::Function* HostFunctionCache::get_or_add(const HostDefinition& def) {
  auto [it, inserted] = functions_.try_emplace(def.info.get(), nullptr);
  if (inserted) {
    it->second = store_->add_host_function(def.type, def.function);
    infos_.push_back(def.info);
  }
  return it->second;
}

Namespace& Linker::ns(std::string_view module) {
  auto it = namespaces_.find(module);
  if (it == namespaces_.end()) {
    it = namespaces_.emplace(std::string(module), Namespace(std::string(module))).first;
  }
  return it->second;
}

void Linker::add(Namespace ns) {
  std::string key = ns.module();
  namespaces_.insert_or_assign(std::move(key), std::move(ns));
}

const HostDefinition* Linker::find(std::string_view module, std::string_view name) const {
  auto it = namespaces_.find(module);
  return it == namespaces_.end() ? nullptr : it->second.find(name);
}

Result<std::vector<engine::Extern>> Linker::resolve(HostFunctionCache& functions,
                                                    const wasm::Module& module,
                                                    const AllowList& allowed) const {
  std::vector<engine::Extern> externs;
  externs.reserve(module.imports.size());
  for (size_t i = 0; i < module.imports.size(); ++i) {
    const wasm::Import& imp = module.imports[i];
    const HostDefinition* def = find(imp.module, imp.name);
    if (def == nullptr) return link_error("unknown import: " + import_name(imp), i);
    if (!allowed.allows(imp.module, imp.name)) {
      return link_error("import " + import_name(imp) + " is not allowed in this environment", i);
    }
    if (imp.kind != wasm::ExternKind::Func) {
      return link_error("incompatible import type: " + def->full_name() +
                            " is a function, module imports a " + wasm::extern_kind_name(imp.kind),
                        i);
    }
    if (imp.func_type >= module.types.size()) {
      return link_error("incompatible import type: " + def->full_name() + " expects " +
                            def->type.to_string() + ", module declares type index " +
                            std::to_string(imp.func_type) + " out of range",
                        i);
    }
    const wasm::FuncType& declared = module.types[imp.func_type];
    if (declared != def->type) {
      return link_error("incompatible import type: " + def->full_name() + " expects " +
                            def->type.to_string() + ", module declares " + declared.to_string(),
                        i);
    }
    externs.push_back(engine::Extern{wasm::ExternKind::Func, functions.get_or_add(*def)});
  }
  return externs;
}

Result<std::vector<engine::Extern>> Linker::resolve(engine::Store& store,
                                                    const wasm::Module& module,
                                                    const AllowList& allowed) const {
  HostFunctionCache functions(store);
  return resolve(functions, module, allowed);
}

}  // namespace lunatic::binding
