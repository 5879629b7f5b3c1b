// The engine's own types under short names for the spec harness, which drives the engine
// directly (host functions on raw slots, Store and Thread internals): it is a test, not an
// embedder, so it uses the layers' headers rather than the public API (include/lunatic).
#pragma once

#include "common/result.hpp"
#include "engine/compiled_module.hpp"
#include "engine/memory_pool.hpp"
#include "engine/module_file.hpp"
#include "engine/store.hpp"
#include "engine/thread.hpp"
#include "engine/trap.hpp"
#include "engine/value.hpp"

namespace lunatic::spec {

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

}  // namespace lunatic::spec
