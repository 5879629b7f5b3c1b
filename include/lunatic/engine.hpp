// The public embedding API of lunatic's WebAssembly engine alone (no processes, no scheduler):
// compile a Module, instantiate it in a Store with host functions from a Linker, call exports
// on a Thread with typed Values, read Traps. Only standard and lunatic/ headers.
//
//   auto module = lunatic::compile(bytes);                     // Result<Module>
//   lunatic::Linker imports;
//   imports.ns("host").define("print", [](int32_t n) { std::printf("%d\n", n); });
//   lunatic::Engine engine;                                    // the memory pool Stores share
//   lunatic::Store store(engine);
//   auto instance = store.instantiate(*module, imports);       // Result<Instance>
//   lunatic::Thread thread(store);
//   auto results = thread.call(instance->find_function("f"), {lunatic::Value::i32(1)});
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <lunatic/linker.hpp>
#include <lunatic/module.hpp>
#include <lunatic/result.hpp>
#include <lunatic/trap.hpp>
#include <lunatic/value.hpp>

namespace lunatic {

class Store;
class Thread;

/// Where Stores take their linear memories from: large reservations of address space cut into
/// slots, reused from one Store to the next. Make one and give it to every Store: a Store made
/// without one reserves its own (at least 1 GiB of address space and a mapping of its own at
/// its first memory), which a program with thousands of Stores cannot afford. A copyable
/// handle; thread-safe; what it holds lives until its last Store and copy are gone.
class Engine {
 public:
  Engine();

  struct Impl;  ///< defined by the implementation

 private:
  friend class Store;
  std::shared_ptr<Impl> impl_;
};

/// A function of an instance. A handle valid while its Store lives; empty if not found.
class Function {
 public:
  Function() = default;
  explicit operator bool() const { return function_ != nullptr; }
  /// Its parameter and result types. @pre not empty
  std::vector<ValType> params() const;
  std::vector<ValType> results() const;

 private:
  friend class Instance;
  friend class Thread;
  Function(void* function, const void* store) : function_(function), store_(store) {}
  void* function_ = nullptr;
  const void* store_ = nullptr;  ///< its Store's Impl: a Thread refuses another Store's
};

/// An instance of a module in a Store. A handle valid while its Store lives.
class Instance {
 public:
  /// The exported function `name`, or an empty Function.
  Function find_function(std::string_view name) const;
  /// The module's start function, or an empty Function: instantiate() does not run it.
  Function start_function() const;

 private:
  friend class Store;
  Instance(void* instance, const void* store) : instance_(instance), store_(store) {}
  void* instance_;
  const void* store_;
};

/// Limits on what a Store's instances may allocate.
struct StoreLimits {
  uint32_t max_memory_pages = 65536;  ///< per linear memory, in 64 KiB pages
  uint32_t max_table_elements = 10'000'000;
};

/// Owns the functions, memories, tables, globals and instances of one program (a process's
/// worth). Used by one OS thread at a time; must outlive its Threads and Instances.
class Store {
 public:
  /// With the memory pool of `engine`, shared with its other Stores.
  explicit Store(const Engine& engine, StoreLimits limits = {});
  /// With a pool of its own (see Engine: fine for a few Stores).
  explicit Store(StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Resolves the module's imports against `imports`, allocates the instance and initialises
  /// its segments. Errors: Phase::Link ("unknown import: env::foo", "incompatible import
  /// type: ..."), Phase::Instantiate (segments out of bounds, memory past the limits).
  Result<Instance> instantiate(const Module& module, const Linker& imports = Linker());

  struct Impl;  ///< defined by the implementation

 private:
  friend class Thread;
  std::unique_ptr<Impl> impl_;
};

/// How Thread::run stopped.
enum class RunStatus : uint8_t {
  Done,     ///< the call returned; results() holds its results
  Yielded,  ///< the slice is used up; run() again to continue
  Trapped,  ///< trap() says why (including out of fuel, a kill, proc_exit)
};

/// The execution state of calls into a Store (frames, locals, operands), on a Wasm stack of
/// its own, never the native stack. Used by one OS thread at a time, except request_kill().
class Thread {
 public:
  explicit Thread(Store& store);
  ~Thread();
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  /// Calls `function` to the end. A trap is an Error{Phase::Trap} with the trap's message;
  /// wrong argument count or types, or a function of another Store, an Error{Phase::Usage}.
  Result<std::vector<Value>> call(const Function& function, std::span<const Value> args);
  /// Starts a call that run() drives, so that the Trap itself can be read.
  Result<void> begin_call(const Function& function, std::span<const Value> args);
  /// Runs the call begun, at most `slice` fuel units (stops with Yielded at a loop back-edge
  /// or a call past it).
  RunStatus run(uint64_t slice = UINT64_MAX);
  /// The results of the call that ended with Done.
  std::vector<Value> results() const;
  /// Why the last run() ended with Trapped: kind, message, exit code, Wasm backtrace.
  const Trap& trap() const;
  /// Caps the fuel all further calls may burn in total (they trap "out of fuel" past it).
  void set_fuel(std::optional<uint64_t> fuel);
  /// Stops the running call at its next safepoint (a Killed trap). Thread-safe.
  void request_kill();

  struct Impl;  ///< defined by the implementation

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunatic
