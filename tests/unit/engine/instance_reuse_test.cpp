// The block of an instance that went serves the next instance of its module
// (CompiledModule::take_spare_block): its functions and index entries are what a fresh block
// would hold, and nothing else of the old instance (globals, table elements, memory) remains.
#include <gtest/gtest.h>

#include <algorithm>

#include <memory>
#include <vector>

#include "const_parts.hpp"
#include "engine/code.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/store.hpp"

namespace lunatic::engine {
namespace {

using wasm::ExternKind;
using wasm::ValType;

using test::i32;

constexpr size_t kDefined = 40;  // with the import, past Store's kReusedFunctions

// Imports one function; defines kDefined functions (from the prepared array, as compile()
// makes it), a table of 4, a memory of 1 page and a mutable global set to 7.
// `binary_bytes`: as if compile() had made it from a binary that long (what bounds the blocks
// it keeps).
std::shared_ptr<const CompiledModule> module_with_every_part(size_t binary_bytes = 64 << 10) {
  auto cm = std::make_shared<CompiledModule>();
  cm->binary_bytes = binary_bytes;
  wasm::Module& m = cm->wasm;
  m.types.push_back(wasm::FuncType{{ValType::I32}, {ValType::I32}});
  wasm::Import f;
  f.module = "env";
  f.name = "f";
  f.kind = ExternKind::Func;
  m.imports.push_back(f);
  m.imported_functions = 1;
  m.functions.resize(kDefined);
  m.tables.push_back(wasm::TableType{ValType::FuncRef, wasm::Limits{4, std::nullopt}});
  m.memories.push_back(wasm::MemoryType{wasm::Limits{1, std::nullopt}});
  m.globals.push_back(wasm::Global{wasm::GlobalType{ValType::I32, true}, i32(7)});
  cm->code.resize(kDefined);
  const auto* code = reinterpret_cast<const CompiledFunction*>(&cm->wasm);  // never run
  for (size_t i = 0; i < kDefined; ++i) {
    cm->defined.push_back({&m.types[0], i % 2 == 0 ? code : nullptr});
  }
  return cm;
}

// The import list of module_with_every_part(): `f`.
std::vector<Extern> importing(Function* f) { return {Extern{ExternKind::Func, f}}; }

class InstanceReuse : public ::testing::Test {
 protected:
  MemoryPool pool_;
  Store hosts_{pool_};
  wasm::FuncType type_{{ValType::I32}, {ValType::I32}};
  Function* host_a_ = hosts_.add_host_function(type_, [](HostCall&) { return HostStatus::Return; });
  Function* host_b_ = hosts_.add_host_function(type_, [](HostCall&) { return HostStatus::Return; });

  // Every function and index entry as a fresh instantiation writes them, and the parts the
  // module defines in their initial state.
  static void expect_fresh(const CompiledModule& cm, Instance& inst, Function* imported) {
    ASSERT_EQ(inst.functions.size(), 1 + kDefined);
    EXPECT_EQ(inst.functions[0], imported);
    ASSERT_EQ(inst.defined_functions.size(), kDefined);
    for (size_t i = 0; i < kDefined; ++i) {
      const Function& f = inst.defined_functions[i];
      EXPECT_EQ(inst.functions[1 + i], &f);
      EXPECT_EQ(f.type, cm.defined[i].type);
      EXPECT_EQ(f.code, cm.defined[i].code);
      EXPECT_EQ(f.instance, &inst);
      EXPECT_EQ(f.host, nullptr);
    }
    ASSERT_EQ(inst.globals.size(), 1u);
    EXPECT_EQ(inst.globals[0]->value, 7u);
    ASSERT_EQ(inst.tables.size(), 1u);
    for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(inst.tables[0]->data()[i], 0u);
    ASSERT_EQ(inst.memories.size(), 1u);
    for (uint64_t i = 0; i < inst.memories[0]->size_bytes(); ++i) {
      if (inst.memories[0]->data()[i] != 0) {
        ADD_FAILURE() << "memory byte " << i << " is not zero";
        break;
      }
    }
    EXPECT_FALSE(inst.adopted_by_native);
  }

  // What a process does to its instance: a global, table elements, memory.
  static void scribble(Instance& inst) {
    inst.globals[0]->value = 0x5A5A;
    inst.tables[0]->data()[1] = reinterpret_cast<Slot>(inst.functions[2]);
    inst.memories[0]->data()[100] = 0x5A;
  }
};

TEST_F(InstanceReuse, TheNextInstanceOfTheModuleTakesTheBlockAndNothingElse) {
  auto cm = module_with_every_part();
  const Instance* first = nullptr;
  {
    Store store(pool_);
    Instance* inst = store.instantiate(cm, importing(host_a_)).value();
    expect_fresh(*cm, *inst, host_a_);
    scribble(*inst);
    first = inst;
  }
  // Another resolution of the import (another environment's): its entry is written anew.
  Store store(pool_);
  Instance* inst = store.instantiate(cm, importing(host_b_)).value();
  EXPECT_EQ(inst, first);  // the same block
  expect_fresh(*cm, *inst, host_b_);
}

TEST_F(InstanceReuse, ABlockWhoseFunctionsNativeCodeAdoptedIsNotReused) {
  auto cm = module_with_every_part();
  {
    Store store(pool_);
    Instance* inst = store.instantiate(cm, importing(host_a_)).value();
    // As NativeTier::adopt: the functions call native code through a host entry.
    static const HostEntry kAdopted{nullptr, nullptr, 0, 0};
    for (Function& f : inst->defined_functions) {
      f.code = nullptr;
      f.host = &kAdopted;
    }
    inst->adopted_by_native = true;
  }
  Store store(pool_);
  Instance* inst = store.instantiate(cm, importing(host_a_)).value();
  expect_fresh(*cm, *inst, host_a_);
}

TEST_F(InstanceReuse, AFailedInstancesBlockIsNotReused) {
  // Its memory is past the store's limit: the instance stays in the store, incomplete.
  auto cm = module_with_every_part();
  {
    Store store(pool_, StoreLimits{.max_memory_pages = 0});
    auto r = store.instantiate(cm, importing(host_a_));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "memory size exceeds the limit");
  }
  Store store(pool_);
  Instance* inst = store.instantiate(cm, importing(host_a_)).value();
  expect_fresh(*cm, *inst, host_a_);
}

TEST_F(InstanceReuse, InstancesOfOneModuleAtOnceEachHaveTheirOwnBlock) {
  // Many instances going and coming: each live one has a block of its own, all fresh.
  auto cm = module_with_every_part();
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<Store>> stores;
    std::vector<Instance*> live;
    for (int i = 0; i < 50; ++i) {
      stores.push_back(std::make_unique<Store>(pool_));
      Instance* inst = stores.back()->instantiate(cm, importing(host_a_)).value();
      expect_fresh(*cm, *inst, host_a_);
      for (Instance* other : live) ASSERT_NE(other, inst);
      live.push_back(inst);
      scribble(*inst);
    }
  }
}

TEST_F(InstanceReuse, AModuleKeepsBlocksInProportionToItsBinary) {
  // A guest that compiles small modules at run time is charged 8 bytes per byte of each: the
  // blocks a module keeps stay within that however many of its instances end at once.
  for (size_t binary : {size_t{2} << 10, size_t{64} << 10}) {
    auto cm = module_with_every_part(binary);
    size_t block = 0;
    {
      std::vector<std::unique_ptr<Store>> stores;
      for (int i = 0; i < 50; ++i) {
        stores.push_back(std::make_unique<Store>(pool_));
        block = stores.back()->instantiate(cm, importing(host_a_)).value()->block_bytes;
      }
    }
    ASSERT_GT(block, 0u);
    const size_t most = std::min(CompiledModule::kSpareBlockBytes,
                                 binary * CompiledModule::kSpareBytesPerBinaryByte);
    EXPECT_EQ(cm->spare_blocks(), std::min<size_t>(50, most / block)) << binary;
  }
}

}  // namespace
}  // namespace lunatic::engine
