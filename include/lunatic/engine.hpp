// The public embedding API of lunatic's WebAssembly engine: compile bytes into a module,
// instantiate it in a Store with imports, call exports with typed values, read traps.
//
//   lunatic::MemoryPool pool;
//   auto module = lunatic::compile(bytes);            // Result<shared_ptr<const CompiledModule>>
//   lunatic::Store store(pool);
//   auto instance = store.instantiate(*module, imports);
//   lunatic::Thread thread(store);
//   auto results = thread.call(instance->find_export("f")->func(), {lunatic::Value::i32(1)});
#pragma once

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/module_file.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic {

using engine::compile;
using engine::compile_file;
using engine::CompiledModule;
using engine::Extern;
using engine::Function;
using engine::Global;
using engine::HostCall;
using engine::HostFunction;
using engine::HostStatus;
using engine::Instance;
using engine::Memory;
using engine::MemoryPool;
using engine::read_module_file;
using engine::RunStatus;
using engine::Store;
using engine::Table;
using engine::Thread;
using engine::Trap;
using engine::TrapKind;
using engine::Value;

}  // namespace lunatic
