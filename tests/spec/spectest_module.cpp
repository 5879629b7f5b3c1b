// The spectest host module (see spectest_module.hpp), built from the Store's public API.
#include "spec/spectest_module.hpp"

#include <bit>
#include <cstdio>
#include <vector>

#include "spec/values.hpp"

namespace lunatic::spec {
namespace {

using wasm::ValType;

Extern as_extern(wasm::ExternKind kind, void* entity) { return Extern{kind, entity}; }

/// A print function of the given parameter types: returns nothing, echoes its arguments.
HostFunction make_print(std::string name, std::vector<ValType> params, bool echo) {
  return [name = std::move(name), params = std::move(params), echo](HostCall& call) {
    if (echo) {
      std::string line = "spectest." + name + "(";
      for (size_t i = 0; i < params.size() && i < call.args.size(); ++i) {
        line += (i ? ", " : "") + describe(engine::Value{params[i], call.args[i]});
      }
      std::printf("%s)\n", line.c_str());
    }
    return HostStatus::Return;
  };
}

}  // namespace

Result<ExportMap> make_spectest(Store& store, bool echo) {
  ExportMap exports;
  auto global = [&](const char* name, ValType type, engine::Slot bits) {
    Global* g = store.add_global(wasm::GlobalType{type, false}, bits);
    exports[name] = as_extern(wasm::ExternKind::Global, g);
  };
  global("global_i32", ValType::I32, 666);
  global("global_i64", ValType::I64, 666);
  global("global_f32", ValType::F32, std::bit_cast<uint32_t>(666.6f));
  global("global_f64", ValType::F64, std::bit_cast<uint64_t>(666.6));

  Table* table = store.add_table(wasm::TableType{ValType::FuncRef, wasm::Limits{10, 20}}, 0);
  exports["table"] = as_extern(wasm::ExternKind::Table, table);
  Memory* memory = TRY(store.add_memory(wasm::MemoryType{wasm::Limits{1, 2}}));
  exports["memory"] = as_extern(wasm::ExternKind::Memory, memory);

  struct PrintSignature {
    const char* name;
    std::vector<ValType> params;
  };
  const PrintSignature prints[] = {
      {"print", {}},
      {"print_i32", {ValType::I32}},
      {"print_i64", {ValType::I64}},
      {"print_f32", {ValType::F32}},
      {"print_f64", {ValType::F64}},
      {"print_i32_f32", {ValType::I32, ValType::F32}},
      {"print_f64_f64", {ValType::F64, ValType::F64}},
  };
  for (const PrintSignature& p : prints) {
    wasm::FuncType type{p.params, {}};
    Function* fn = store.add_host_function(type, make_print(p.name, p.params, echo));
    exports[p.name] = as_extern(wasm::ExternKind::Func, fn);
  }
  return exports;
}

}  // namespace lunatic::spec
