// check_resumable(): the differential test of resumability. The same module runs in two
// stores, whole in one and in slices in the other; any difference in results, traps, fuel
// or final state means that stopping at a safepoint lost or changed something.
#include "harness.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "engine/thread.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"
#include "module_generator.hpp"

namespace lunatic::fuzz {
namespace {

using engine::Extern;
using engine::Function;
using engine::HostCall;
using engine::HostStatus;
using engine::Instance;
using engine::RunStatus;
using engine::Slot;
using engine::Value;

// One of the two stores with its thread and instance.
struct Side {
  Side(engine::MemoryPool& pool, const engine::StoreLimits& limits)
      : store(pool, limits), thread(store) {}

  engine::Store store;
  engine::Thread thread;
  Instance* instance = nullptr;
  std::unordered_map<Slot, uint32_t> function_ids;  ///< Function* -> position in the instance

  // Funcrefs are Function* pointers, different in each store: compare their positions in the
  // instance's function index space instead.
  Slot normalize(wasm::ValType type, Slot bits) const {
    if (type != wasm::ValType::FuncRef || bits == 0) return bits;
    auto it = function_ids.find(bits);
    return it == function_ids.end() ? ~Slot{0} : Slot{it->second} + 1;
  }
};

// What one call did.
struct Outcome {
  std::string usage_error;  ///< begin_call refused the call
  RunStatus status = RunStatus::Done;
  bool ended = true;  ///< false: still Yielded after more runs than the fuel allows
  engine::TrapKind kind = engine::TrapKind::Unreachable;
  std::string message;
  std::vector<Value> results;
  std::optional<uint64_t> fuel_left;

  std::string to_string(const Side& side) const {
    if (!usage_error.empty()) return "usage error: " + usage_error;
    if (!ended) return "did not end";
    switch (status) {
      case RunStatus::Done: {
        std::string s = "done [";
        for (const Value& v : results) {
          s += wasm::val_type_name(v.type);
          s += ":" + std::to_string(side.normalize(v.type, v.bits));
          if (v.type == wasm::ValType::V128) s += ":" + std::to_string(v.hi);  // bytes 8..15
          s += " ";
        }
        return s + "] fuel " + (fuel_left ? std::to_string(*fuel_left) : "none");
      }
      case RunStatus::Trapped:
        return "trap " + std::to_string(static_cast<int>(kind)) + " \"" + message + "\" fuel " +
               (fuel_left ? std::to_string(*fuel_left) : "none");
      case RunStatus::Yielded: return "yielded";
      case RunStatus::Parked: return "parked";
    }
    return "?";
  }
};

Outcome run_call(Side& side, Function* fn, uint64_t slice, uint64_t fuel) {
  Outcome out;
  std::vector<Value> args;
  for (wasm::ValType t : fn->type->params) args.push_back(Value{t, 0});
  side.thread.set_fuel(fuel);
  Result<void> begun = side.thread.begin_call(fn, args);
  if (!begun) {
    out.usage_error = begun.error().message;
    return out;
  }
  // A run of a slice that yields has burned at least `slice` fuel, so a call can yield at most
  // fuel / slice times; one more run than the fuel allows can only mean a lost step.
  uint64_t runs_left = fuel + 2;
  out.status = side.thread.run(slice);
  while (out.status == RunStatus::Yielded && slice != UINT64_MAX && --runs_left > 0) {
    out.status = side.thread.run(slice);
  }
  out.ended = out.status != RunStatus::Yielded;
  out.fuel_left = side.thread.fuel();
  if (out.status == RunStatus::Done) out.results = side.thread.results();
  if (out.status == RunStatus::Trapped) {
    out.kind = side.thread.trap().kind;
    out.message = side.thread.trap().message;
  }
  return out;
}

bool same(const Outcome& a, const Side& sa, const Outcome& b, const Side& sb) {
  if (a.usage_error != b.usage_error || a.ended != b.ended || a.status != b.status ||
      a.fuel_left != b.fuel_left) {
    return false;
  }
  if (a.status == RunStatus::Trapped) return a.kind == b.kind && a.message == b.message;
  if (a.results.size() != b.results.size()) return false;
  for (size_t i = 0; i < a.results.size(); ++i) {
    const Value& x = a.results[i];
    const Value& y = b.results[i];
    if (x.type != y.type || sa.normalize(x.type, x.bits) != sb.normalize(y.type, y.bits) ||
        x.hi != y.hi) {
      return false;
    }
  }
  return true;
}

// Memories, globals and tables after all calls; empty when equal.
std::string compare_state(const Side& a, const Side& b) {
  const Instance& x = *a.instance;
  const Instance& y = *b.instance;
  for (size_t i = 0; i < x.memories.size(); ++i) {
    if (x.memories[i]->pages() != y.memories[i]->pages())
      return "memory " + std::to_string(i) + " size";
    if (std::memcmp(x.memories[i]->data(), y.memories[i]->data(), x.memories[i]->size_bytes()) !=
        0) {
      return "memory " + std::to_string(i) + " contents";
    }
  }
  for (size_t i = 0; i < x.globals.size(); ++i) {
    const wasm::ValType t = x.globals[i]->type.type;
    if (a.normalize(t, x.globals[i]->value) != b.normalize(t, y.globals[i]->value) ||
        x.globals[i]->hi != y.globals[i]->hi) {
      return "global " + std::to_string(i);
    }
  }
  for (size_t i = 0; i < x.tables.size(); ++i) {
    engine::Table& tx = *x.tables[i];
    engine::Table& ty = *y.tables[i];
    if (tx.size() != ty.size()) return "table " + std::to_string(i) + " size";
    for (uint32_t e = 0; e < tx.size(); ++e) {
      if (a.normalize(tx.element_type(), tx.data()[e]) !=
          b.normalize(ty.element_type(), ty.data()[e])) {
        return "table " + std::to_string(i) + " element " + std::to_string(e);
      }
    }
  }
  return {};
}

// Instantiates into `side`; the error message, or empty on success.
std::string instantiate(Side& side, const std::shared_ptr<const engine::CompiledModule>& module,
                        bool& satisfiable) {
  std::optional<std::vector<Extern>> imports = dummy_imports(side.store, module->wasm);
  satisfiable = imports.has_value();
  if (!imports) return "imports cannot be satisfied";
  Result<Instance*> instance = side.store.instantiate(module, *imports);
  if (!instance) return instance.error().to_string();
  side.instance = *instance;
  for (uint32_t i = 0; i < side.instance->functions.size(); ++i) {
    side.function_ids.emplace(reinterpret_cast<Slot>(side.instance->functions[i]), i);
  }
  return {};
}

}  // namespace

std::optional<std::vector<Extern>> dummy_imports(engine::Store& store, const wasm::Module& module) {
  std::vector<Extern> externs;
  externs.reserve(module.imports.size());
  for (const wasm::Import& import : module.imports) {
    Extern ext{import.kind, nullptr};
    switch (import.kind) {
      case wasm::ExternKind::Func: {
        if (import.func_type >= module.types.size()) return std::nullopt;
        ext.entity = store.add_host_function(module.types[import.func_type], [](HostCall& call) {
          for (Slot& r : call.results) r = 0;
          return HostStatus::Return;
        });
        break;
      }
      case wasm::ExternKind::Table: ext.entity = store.add_table(import.table, 0); break;
      case wasm::ExternKind::Memory: {
        Result<engine::Memory*> memory = store.add_memory(import.memory);
        if (!memory) return std::nullopt;
        ext.entity = *memory;
        break;
      }
      case wasm::ExternKind::Global: ext.entity = store.add_global(import.global, 0); break;
    }
    if (ext.entity == nullptr) return std::nullopt;
    externs.push_back(ext);
  }
  return externs;
}

namespace {

// `first` runs whole in one store, `second` (the same module, maybe another tier) in slices
// in another.
HarnessReport compare(engine::MemoryPool& pool,
                      const std::shared_ptr<const engine::CompiledModule>& first,
                      const std::shared_ptr<const engine::CompiledModule>& second, uint64_t slice,
                      const HarnessLimits& limits) {
  const std::shared_ptr<const engine::CompiledModule>& module = first;
  HarnessReport report;
  Side whole(pool, limits.store);
  Side sliced(pool, limits.store);
  bool satisfiable_whole = false;
  bool satisfiable_sliced = false;
  const std::string error_whole = instantiate(whole, first, satisfiable_whole);
  const std::string error_sliced = instantiate(sliced, second, satisfiable_sliced);
  if (error_whole != error_sliced) {
    report.difference =
        "instantiation differs: \"" + error_whole + "\" vs \"" + error_sliced + "\"";
    return report;
  }
  if (!error_whole.empty()) return report;
  report.instantiated = true;

  std::vector<uint32_t> calls;  // function indices: start, then the exports
  const wasm::Module& m = module->wasm;
  if (m.start) calls.push_back(*m.start);
  for (const wasm::Export& e : m.exports) {
    if (calls.size() >= limits.max_calls) break;
    if (e.kind == wasm::ExternKind::Func) calls.push_back(e.index);
  }
  for (size_t n = 0; n < calls.size(); ++n) {
    const uint32_t index = calls[n];
    if (index >= whole.instance->functions.size()) {
      report.difference = "export of function " + std::to_string(index) + " out of range";
      return report;
    }
    const Outcome a = run_call(whole, whole.instance->functions[index], UINT64_MAX, limits.fuel);
    const Outcome b = run_call(sliced, sliced.instance->functions[index], slice, limits.fuel);
    ++report.calls;
    if (a.status == RunStatus::Trapped) ++report.traps;
    if (!same(a, whole, b, sliced)) {
      report.difference = "call of function " + std::to_string(index) + ": whole run " +
                          a.to_string(whole) + ", sliced (" + std::to_string(slice) + ") " +
                          b.to_string(sliced);
      return report;
    }
    if (a.status != RunStatus::Done && a.status != RunStatus::Trapped) {
      report.difference = "call of function " + std::to_string(index) + " " + a.to_string(whole);
      return report;
    }
    // A trapping start function fails the instantiation: nothing else is called (spec 4.5.4).
    if (n == 0 && m.start && a.status == RunStatus::Trapped) break;
  }
  std::string state = compare_state(whole, sliced);
  if (!state.empty()) report.difference = "final state differs: " + state;
  return report;
}

}  // namespace

HarnessReport check_resumable(engine::MemoryPool& pool,
                              const std::shared_ptr<const engine::CompiledModule>& module,
                              uint64_t slice, const HarnessLimits& limits) {
  return compare(pool, module, module, slice, limits);
}

int run_tiers_input(const uint8_t* data, size_t size, const char* tier,
                    const std::function<Result<void>(const engine::CompiledModule&)>& attach,
                    bool simd) {
  static engine::MemoryPool pool;  // outlives every Store of every input
  const std::vector<uint8_t> wasm =
      generate_module_for_input(data, size, /*canonical_nans=*/true, simd);
  auto interpreted = engine::compile(wasm);
  auto compiled = engine::compile(wasm);
  if (!interpreted || !compiled) {
    std::fprintf(stderr, "generated module does not compile: %s\n",
                 (interpreted ? compiled : interpreted).error().to_string().c_str());
    std::abort();
  }
  if (Result<void> native = attach(**compiled); !native) {
    std::fprintf(stderr, "the %s tier refused a valid module: %s\n", tier,
                 native.error().to_string().c_str());
    std::abort();
  }
  const uint64_t slice = 1 + (size > 0 ? data[size - 1] % 24 : 0);
  const HarnessReport report = check_tiers(pool, *interpreted, *compiled, slice);
  if (!report.instantiated || !report.difference.empty()) {
    std::fprintf(stderr, "generated module: %s\n",
                 report.instantiated ? report.difference.c_str() : "did not instantiate");
    std::abort();
  }
  return 0;
}

HarnessReport check_tiers(engine::MemoryPool& pool,
                          const std::shared_ptr<const engine::CompiledModule>& interpreted,
                          const std::shared_ptr<const engine::CompiledModule>& compiled,
                          uint64_t slice, const HarnessLimits& limits) {
  return compare(pool, interpreted, compiled, slice, limits);
}

}  // namespace lunatic::fuzz
