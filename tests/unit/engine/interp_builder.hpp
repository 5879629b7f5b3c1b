// A small builder of wasm::Module values for the interpreter's tests: functions written as
// instruction lists (already "decoded"), lowered and instantiated in a Store, run on a Thread.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/lowering.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"

namespace lunatic::engine::testing {

using wasm::Opcode;
using wasm::ValType;

/// An instruction sequence; offsets are assigned in order (100, 101, ...) so backtraces can be
/// checked against the index of an instruction.
class Body {
 public:
  Body& op(Opcode o, uint32_t a = 0, uint32_t b = 0, uint64_t c = 0) {
    wasm::Instr in;
    in.op = o;
    in.a = a;
    in.b = b;
    in.c = c;
    in.offset = kFirstOffset + static_cast<uint32_t>(instrs.size());
    instrs.push_back(in);
    return *this;
  }
  Body& i32(int32_t v) { return op(Opcode::I32Const, 0, 0, static_cast<uint32_t>(v)); }
  Body& i64(int64_t v) { return op(Opcode::I64Const, 0, 0, static_cast<uint64_t>(v)); }
  Body& f32(float v) { return op(Opcode::F32Const, 0, 0, std::bit_cast<uint32_t>(v)); }
  Body& f64(double v) { return op(Opcode::F64Const, 0, 0, std::bit_cast<uint64_t>(v)); }
  Body& get(uint32_t local) { return op(Opcode::LocalGet, local); }
  Body& set(uint32_t local) { return op(Opcode::LocalSet, local); }
  Body& tee(uint32_t local) { return op(Opcode::LocalTee, local); }
  Body& call(uint32_t func) { return op(Opcode::Call, func); }
  Body& br(uint32_t depth) { return op(Opcode::Br, depth); }
  Body& br_if(uint32_t depth) { return op(Opcode::BrIf, depth); }
  Body& end() { return op(Opcode::End); }
  /// block/loop/if with no type, one result type, or a type index.
  Body& open(Opcode o) { return open_typed(o, wasm::BlockType{}); }
  Body& open(Opcode o, ValType result) {
    return open_typed(o, wasm::BlockType{wasm::BlockType::Kind::Value, result, 0});
  }
  Body& open_type(Opcode o, uint32_t type_index) {
    return open_typed(o,
                      wasm::BlockType{wasm::BlockType::Kind::TypeIndex, ValType::I32, type_index});
  }
  Body& br_table(std::vector<uint32_t> labels, uint32_t default_label) {
    const uint32_t first = static_cast<uint32_t>(br_labels.size());
    br_labels.insert(br_labels.end(), labels.begin(), labels.end());
    return op(Opcode::BrTable, first, static_cast<uint32_t>(labels.size()), default_label);
  }
  Body& load(Opcode o, uint32_t offset = 0) { return op(o, 0, offset); }

  static constexpr uint32_t kFirstOffset = 100;
  std::vector<wasm::Instr> instrs;
  std::vector<uint32_t> br_labels;

 private:
  Body& open_typed(Opcode o, wasm::BlockType bt) {
    op(o);
    instrs.back().block = bt;
    return *this;
  }
};

/// Builds a module, then a CompiledModule and an Instance in its own Store.
class ModuleBuilder {
 public:
  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    wasm::FuncType t{std::move(params), std::move(results)};
    for (uint32_t i = 0; i < m.types.size(); ++i) {
      if (m.types[i] == t) return i;
    }
    m.types.push_back(std::move(t));
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  /// Imports a function (call before defining functions: imports come first).
  uint32_t import_func(uint32_t type_index, const char* name) {
    wasm::Import imp;
    imp.module = "env";
    imp.name = name;
    imp.kind = wasm::ExternKind::Func;
    imp.func_type = type_index;
    m.imports.push_back(imp);
    return m.imported_functions++;
  }
  /// Defines a function; `body` must end with `end`. Returns its function index.
  uint32_t func(uint32_t type_index, std::vector<ValType> locals, Body body,
                const char* name = nullptr) {
    wasm::Function f;
    f.type_index = type_index;
    for (ValType t : locals) f.locals.push_back({1, t});
    f.local_count = static_cast<uint32_t>(locals.size());
    f.body = std::move(body.instrs);
    f.br_table_labels = std::move(body.br_labels);
    m.functions.push_back(std::move(f));
    const uint32_t index = m.imported_functions + static_cast<uint32_t>(m.functions.size() - 1);
    if (name != nullptr) m.exports.push_back({name, wasm::ExternKind::Func, index});
    return index;
  }
  void memory(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    m.memories.push_back(wasm::MemoryType{wasm::Limits{min, max}});
  }
  void table(uint32_t min, std::optional<uint32_t> max = std::nullopt,
             ValType t = ValType::FuncRef) {
    m.tables.push_back(wasm::TableType{t, wasm::Limits{min, max}});
  }
  void global(ValType t, bool is_mutable, uint64_t init_bits) {
    wasm::Instr in;
    in.op = t == ValType::I32   ? Opcode::I32Const
            : t == ValType::I64 ? Opcode::I64Const
            : t == ValType::F32 ? Opcode::F32Const
                                : Opcode::F64Const;
    in.c = init_bits;
    m.globals.push_back(wasm::Global{wasm::GlobalType{t, is_mutable}, wasm::ConstExpr{{in}}});
  }
  /// An active element segment of function indices at `offset` of table 0.
  void elements(uint32_t offset, std::vector<uint32_t> funcs,
                wasm::SegmentMode mode = wasm::SegmentMode::Active) {
    wasm::ElemSegment seg;
    seg.mode = mode;
    wasm::Instr off;
    off.op = Opcode::I32Const;
    off.c = offset;
    seg.offset = wasm::ConstExpr{{off}};
    for (uint32_t f : funcs) {
      wasm::Instr in;
      in.op = Opcode::RefFunc;
      in.a = f;
      seg.items.push_back(wasm::ConstExpr{{in}});
    }
    m.elements.push_back(std::move(seg));
  }
  void data(uint32_t offset, std::string bytes,
            wasm::SegmentMode mode = wasm::SegmentMode::Active) {
    wasm::DataSegment seg;
    seg.mode = mode;
    wasm::Instr off;
    off.op = Opcode::I32Const;
    off.c = offset;
    seg.offset = wasm::ConstExpr{{off}};
    seg.bytes.assign(bytes.begin(), bytes.end());
    m.data.push_back(std::move(seg));
    m.data_count = static_cast<uint32_t>(m.data.size());
  }

  /// Lowers every function (failing the test on error).
  std::shared_ptr<const CompiledModule> compile() {
    auto cm = std::make_shared<CompiledModule>();
    for (uint32_t i = 0; i < m.functions.size(); ++i) {
      auto code = lower(m, i);
      EXPECT_TRUE(code.ok()) << "lowering function " << i << ": " << code.error().to_string();
      cm->code.push_back(code.ok() ? std::move(code).value()
                                   : std::make_unique<CompiledFunction>());
    }
    cm->wasm = m;
    return cm;
  }

  wasm::Module m;
};

/// A store, an instance and a thread for one module.
struct Harness {
  explicit Harness(ModuleBuilder& b, std::vector<Extern> imports = {}, ThreadLimits limits = {})
      : thread(store, limits) {
    auto r = store.instantiate(b.compile(), imports);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    instance = r.ok() ? r.value() : nullptr;
  }
  Function* fn(const char* name) {
    auto e = instance->find_export(name);
    EXPECT_TRUE(e.has_value()) << name;
    return e ? e->func() : nullptr;
  }
  /// Calls export `name`; the results, or the trap message as the only string.
  Result<std::vector<Value>> call(const char* name, std::vector<Value> args = {}) {
    return thread.call(fn(name), args);
  }
  int32_t call_i32(const char* name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() && !r->empty() ? (*r)[0].as_i32() : INT32_MIN;
  }
  std::string trap_of(const char* name, std::vector<Value> args = {}) {
    auto r = call(name, std::move(args));
    return r.ok() ? "no trap" : r.error().message;
  }

  MemoryPool pool;
  Store store{pool};
  Thread thread;
  Instance* instance = nullptr;
};

/// The opcodes of function `defined` of `b`, in order (the lowered code, superinstructions
/// included).
inline std::vector<Op> ops_of(ModuleBuilder& b, uint32_t defined) {
  auto fn = lower(b.m, defined);
  EXPECT_TRUE(fn.ok());
  std::vector<Op> out;
  if (!fn.ok()) return out;
  const std::vector<uint32_t>& code = fn.value()->code;
  for (size_t i = 0; i < code.size(); i += instruction_words(&code[i]))
    out.push_back(static_cast<Op>(code[i]));
  return out;
}

inline bool contains(const std::vector<Op>& ops, Op op) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

}  // namespace lunatic::engine::testing
