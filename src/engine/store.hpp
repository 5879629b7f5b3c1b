// The runtime entities of the spec's store (section 4.2): functions, tables, memories,
// globals and module instances. A Store owns them; a lunatic process has one Store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/memory_budget.hpp"
#include "common/result.hpp"
#include "engine/host_function.hpp"
#include "engine/value.hpp"
#include "wasm/module.hpp"
#include "wasm/types.hpp"

namespace lunatic::engine {

struct CompiledModule;
struct CompiledFunction;
struct Instance;
class MemoryPool;

/// A function instance: Wasm code of an instance, or a host function. Small and without
/// allocations of its own (an instance holds one per function of its module, per process):
/// the type is the module's (or, for a host function, the store's) and outlives it.
struct Function {
  const wasm::FuncType* type = nullptr;    ///< never null once the function is in a store
  Instance* instance = nullptr;            ///< null for host functions
  const CompiledFunction* code = nullptr;  ///< Wasm functions
  const HostEntry* host = nullptr;         ///< host functions (owned by their store)

  bool is_host() const { return instance == nullptr; }
  /// Slots of the arguments and results of a call through `host`: counted once for a host
  /// function; from the type for a Wasm function a native tier adopted (one entry serves every
  /// type there, native_tier.cpp).
  uint32_t host_param_slots() const {
    return is_host() ? host->param_slots : slot_count(type->params);
  }
  uint32_t host_result_slots() const {
    return is_host() ? host->result_slots : slot_count(type->results);
  }
};

/// A linear memory. Lives in a slot of a pooled reservation (memory_pool.hpp): never an mmap
/// or mprotect of its own, pages committed lazily on first touch.
class Memory {
 public:
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;
  ~Memory();

  /// Creates a memory of `type.limits.min` pages. `max_pages_limit` is the embedder's cap
  /// (environment limit), applied on top of the type's own maximum.
  /// `budget` (may be null; must outlive the memory) is charged 64 KiB per page while the
  /// memory lives: creation fails, and memory.grow returns -1, when it refuses.
  static Result<std::unique_ptr<Memory>> create(MemoryPool& pool, wasm::MemoryType type,
                                                uint32_t max_pages_limit = wasm::kMaxPages,
                                                const MemoryBudget* budget = nullptr);
  /// As create(), the memory made in `where` (sizeof(Memory) bytes of raw storage, aligned
  /// for it; an instance's block): on an error nothing is left constructed there.
  /// `charged`: the caller charged `budget` the initial size already (Store::instantiate's
  /// one charge per instance); the memory takes that charge over, and gives it back if it
  /// fails.
  static Result<Memory*> create_at(void* where, MemoryPool& pool, wasm::MemoryType type,
                                   uint32_t max_pages_limit, const MemoryBudget* budget,
                                   bool charged = false);

  uint8_t* data() const { return data_; }
  uint64_t size_bytes() const { return uint64_t{pages_} * wasm::kPageSize; }
  uint32_t pages() const { return pages_; }
  /// The current type: min is the current size (import matching uses it).
  wasm::MemoryType type() const;

  /// memory.grow: returns the old size in pages, or -1 if the new size would pass the type's
  /// maximum, the embedder's limit or budget, or cannot be reserved. May move data() (callers
  /// reload).
  int32_t grow(uint32_t delta_pages);

  /// The budget charged size_bytes() (null: none).
  const MemoryBudget* budget() const { return budget_; }
  /// Stops charging budget(): returns the bytes charged, for the caller to give back (an
  /// instance gives back its own memories', tables' and host bytes' charges in one release).
  uint64_t disown_charge();

 private:
  Memory(MemoryPool& pool) : pool_(pool) {}
  MemoryPool& pool_;
  uint8_t* data_ = nullptr;
  uint64_t slot_bytes_ = 0;  ///< reserved size of the current slot
  uint32_t pages_ = 0;
  std::optional<uint32_t> max_;  ///< from the type
  uint32_t limit_ = wasm::kMaxPages;
  const MemoryBudget* budget_ = nullptr;  ///< charged size_bytes()
};

class Table {
 public:
  /// Hard cap on the elements of any table, whatever its type allows.
  static constexpr uint32_t kMaxElements = 10'000'000;
  /// A table whose initial elements take this many bytes or more (16,384 elements) is an
  /// anonymous mapping of its own (table.cpp), whose null elements cost no write.
  static constexpr size_t kMappedBytes = size_t{128} << 10;

  /// The bytes a new table of `elements` null elements writes: none for a mapped one (its
  /// pages are the kernel's zero pages), all of them for a malloc'ed one. What the spawn's
  /// fuel charges for it (host/process/spawn.cpp); a mapping that fails at run time falls
  /// back to a written malloc'ed table, which the rule still counts as a mapped one (the
  /// charge may not depend on the host's state).
  static constexpr uint64_t initial_write_bytes(uint32_t elements) {
    const uint64_t bytes = uint64_t{elements} * sizeof(Slot);
    return bytes >= kMappedBytes ? 0 : bytes;
  }

  /// A table of `type.limits.min` elements set to `init`. `max_elements_limit` is the
  /// embedder's cap (StoreLimits), applied on top of the type's maximum and kMaxElements.
  /// `budget` (may be null; must outlive the table) is charged sizeof(Slot) per element while
  /// the table lives; table.grow returns -1 when it refuses.
  /// @pre type.limits.min <= the effective cap, and `budget` was charged for those elements
  /// (Store::add_table does both).
  Table(wasm::TableType type, Slot init, uint32_t max_elements_limit = kMaxElements,
        const MemoryBudget* budget = nullptr);
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  wasm::ValType element_type() const { return element_; }
  uint32_t size() const { return size_; }
  wasm::TableType type() const;  ///< min is the current size
  Slot* data() { return elements_; }
  /// table.grow in one go: old size, or -1 as reserve_growth refuses.
  int32_t grow(uint32_t delta, Slot init);
  /// The first step of table.grow: makes room for `delta` more elements (charged to the
  /// budget before anything is allocated) without writing them. Returns the old size, or -1
  /// past the maximum (or the 10,000,000-element cap), when the budget refuses the room, or
  /// when the allocation fails. append() then writes the new elements, in as many steps as
  /// the caller likes (instance_ops writes them in pieces).
  int32_t reserve_growth(uint32_t delta);
  /// Appends `count` elements set to `init` (null ones cost no write in a mapped table).
  /// @pre reserve_growth made room for them.
  void append(uint32_t count, Slot init);
  /// Whether the elements are a mapping of their own (a big initial size: table.cpp), whose
  /// untouched pages are not resident.
  bool mapped() const { return mapped_; }

  /// The budget charged for the table's elements (null: none).
  const MemoryBudget* budget() const { return budget_; }
  /// Stops charging budget(): returns the bytes charged, for the caller to give back (as
  /// Memory::disown_charge).
  uint64_t disown_charge();

 private:
  /// elements_ moved to room for `elements`, or null (elements_ unchanged).
  void* resize(uint32_t elements);

  /// malloc'ed, growing by realloc (which remaps big blocks); or, for a big initial size, an
  /// anonymous mapping (mapped_), growing by mremap: either way no copy of a big table.
  Slot* elements_ = nullptr;
  bool mapped_ = false;
  uint32_t size_ = 0;
  uint32_t reserved_ = 0;  ///< elements made room for (size_ and a grow's pending ones)
  uint32_t capacity_ = 0;  ///< elements allocated (grows geometrically, as a vector's)
  wasm::ValType element_;
  std::optional<uint32_t> max_;
  uint32_t limit_ = kMaxElements;
  const MemoryBudget* budget_ = nullptr;  ///< charged reserved_ * sizeof(Slot)
};

struct Global {
  wasm::GlobalType type;
  Slot value = 0;
  Slot hi = 0;  ///< a v128 global's bytes 8..15 (`value` holds bytes 0..7)
};

/// An exported or importable entity.
struct Extern {
  wasm::ExternKind kind = wasm::ExternKind::Func;
  void* entity = nullptr;  ///< Function*, Table*, Memory* or Global* by kind

  Function* func() const {
    return kind == wasm::ExternKind::Func ? static_cast<Function*>(entity) : nullptr;
  }
  Table* table() const {
    return kind == wasm::ExternKind::Table ? static_cast<Table*>(entity) : nullptr;
  }
  Memory* memory() const {
    return kind == wasm::ExternKind::Memory ? static_cast<Memory*>(entity) : nullptr;
  }
  Global* global() const {
    return kind == wasm::ExternKind::Global ? static_cast<Global*>(entity) : nullptr;
  }
};

/// The host memory an instance holds in proportion to its module (Store::instantiate counts
/// it: its function index space and functions, its tables', memories' and globals' objects
/// and entries, its element segments, a passive one's references until elem.drop, and its
/// data segments' dropped flags), charged to the store's budget beyond
/// StoreLimits::uncharged_instance_bytes; given back as it shrinks and when the instance goes.
/// Owned by its instance, used by the thread that runs it.
class InstanceBytes {
 public:
  InstanceBytes() = default;
  InstanceBytes(const InstanceBytes&) = delete;
  InstanceBytes& operator=(const InstanceBytes&) = delete;
  ~InstanceBytes() { shrink(bytes_); }

  /// What hold() charges for `bytes`: the bytes past `uncharged`.
  static uint64_t charge_for(uint64_t uncharged, uint64_t bytes) {
    return bytes > uncharged ? bytes - uncharged : 0;
  }
  /// Counts `bytes` from now on and charges `budget` (may be null; must outlive this) what
  /// passes `uncharged`. False, nothing counted, if the budget refuses. `charged`: the caller
  /// charged `budget` charge_for(uncharged, bytes) already, which this takes over (it
  /// cannot fail then). @pre bytes() == 0.
  bool hold(const MemoryBudget* budget, uint64_t uncharged, uint64_t bytes, bool charged = false);
  /// Counts `bytes` fewer and gives back what was charged of them. @pre bytes <= bytes().
  void shrink(uint64_t bytes);
  /// Takes over what `from` counts and charged (`from` then counts nothing).
  /// @pre bytes() == 0.
  void take(InstanceBytes& from);

  uint64_t bytes() const { return bytes_; }  ///< counted
  uint64_t charged() const { return charge_for(uncharged_, bytes_); }
  const MemoryBudget* budget() const { return budget_; }
  /// Counts nothing from now on and returns what was charged, for the caller to give back
  /// (Instance's destructor).
  uint64_t disown_charge() {
    const uint64_t c = charged();
    bytes_ = 0;
    return c;
  }

 private:
  const MemoryBudget* budget_ = nullptr;
  uint64_t uncharged_ = 0;
  uint64_t bytes_ = 0;
};

static_assert(std::is_trivially_destructible_v<Function>);
static_assert(std::is_trivially_destructible_v<Global>);

/// A module instance. Store::instantiate makes it and the parts whose sizes its module fixes
/// (the four index spaces, the module's functions, and the tables, memories and globals it
/// defines) in one allocation, its block: a spawn allocates once where it allocated once per
/// part. Owned by its store (which destroys it, the block with it); never moves.
struct Instance {
  Instance() = default;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  /// Destroys the tables and memories it defines (the memories give their slots back), and
  /// gives back what they and host_bytes held of the store's budget in one release.
  ~Instance();

  std::shared_ptr<const CompiledModule> module;
  /// The index spaces (imports first), arrays in the block. An index space holds what was
  /// made so far: a global's initialiser sees the globals before it, and a failed
  /// instantiation leaves the entities it made.
  std::span<Function*> functions;
  std::span<Table*> tables;
  std::span<Memory*> memories;
  std::span<Global*> globals;
  /// What the instance keeps of its module's segments for table.init, memory.init and the
  /// drops; null when the module has no passive segment (then every segment is dropped once
  /// the instance exists): nearly every module, whose instance stays small.
  struct Segments {
    /// Element segments as instantiated (resolved references); a dropped one is empty. A
    /// passive segment's references are counted in host_bytes until elem.drop. Empty when
    /// the module has no passive element segment.
    std::vector<std::vector<Slot>> elements;
    /// Whether each data segment was dropped (data.drop or after active initialisation).
    /// Empty when the module has no passive data segment.
    std::vector<bool> data_dropped;
  };
  std::unique_ptr<Segments> segments;
  /// The module's own functions (`functions` points into them), in the block.
  std::span<Function> defined_functions;
  /// The interpreter's calls to these functions run native code (CodeTier::adopt).
  bool adopted_by_native = false;
  /// Instantiation succeeded: every entity of the index spaces was made.
  bool complete = false;
  /// How many of the tables and memories the module defines were constructed in the block
  /// (all of them, but after a failed instantiation): the last ones of `tables` and
  /// `memories`, which the instance destroys.
  uint32_t own_tables = 0;
  uint32_t own_memories = 0;
  /// The bytes of the block, for its reuse (SpareBlock); 0 for a block past 4 GiB, never
  /// reused. In the padding after own_memories: the Instance stays 152 bytes.
  uint32_t block_bytes = 0;
  /// What the instance holds of host memory (above), charged to its store's budget.
  InstanceBytes host_bytes;
  /// The store's instance made before this one (the store's list, newest first).
  Instance* older = nullptr;

  const wasm::Module& wasm() const;
  std::optional<Extern> find_export(std::string_view name) const;
  Function* start_function() const;  ///< null if the module has no start function
};

/// What a kept instance block (CompiledModule::take_spare_block) holds in place of its
/// destroyed Instance: the layout it was cut for. Store::instantiate reuses it for an instance
/// of the same module with the same layout only, whose functions and defined functions' index
/// entries are then what it would write (the same module, the same block).
struct SpareBlock {
  size_t bytes, functions, tables, memories, globals;
  bool operator==(const SpareBlock&) const = default;
};

/// Limits a Store applies to what it creates.
struct StoreLimits {
  uint32_t max_memory_pages = wasm::kMaxPages;  ///< per memory
  uint32_t max_table_elements = 10'000'000;
  /// Host memory the store's memories and tables are charged to (null: none); must outlive
  /// the store. The runtime passes the process's environment's budget.
  const MemoryBudget* budget = nullptr;
  /// False: linear memories are not charged to `budget` (tables still are). Their pages are
  /// the host's only once touched, so charging the declared size would cap a program of a
  /// million small processes far below what the host holds (EnvironmentConfig).
  bool charge_memories = true;
  /// The bytes of each instance's own host state (InstanceBytes) that are not charged to
  /// `budget`, because the embedder's own charge per instance covers them (the runtime's
  /// flat charge per process, measured with a small guest's instance in it). Past them, the
  /// whole excess is charged: instantiation fails when the budget refuses it.
  uint64_t uncharged_instance_bytes = 0;

  /// Whether a table of `min` elements may be made at all (its charge aside).
  bool table_fits(uint32_t min) const {
    return min <= max_table_elements && min <= Table::kMaxElements;
  }
  /// The most pages a memory may have: the limit, and never past Wasm's.
  uint32_t memory_page_cap() const { return std::min(max_memory_pages, wasm::kMaxPages); }
};

inline Memory* HostCall::memory() const {
  if (memory0 != nullptr || caller == nullptr || caller->memories.empty()) return memory0;
  return caller->memories[0];
}

/// Owner of all entities of one process (or one spec script). Not thread-safe: a Store is used
/// by one thread at a time (a process runs on one worker at a time).
class Store {
 public:
  explicit Store(MemoryPool& pool, StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  MemoryPool& memory_pool() { return pool_; }
  const StoreLimits& limits() const { return limits_; }

  /// Adds a host function of type `type`. An empty `fn` (or a null entry) adds a function
  /// that traps when called ("host function has no implementation").
  Function* add_host_function(wasm::FuncType type, DirectHostFunction fn);
  Function* add_host_function(wasm::FuncType type, HostFunction fn);
  Result<Memory*> add_memory(wasm::MemoryType type);
  /// Null if `type.limits.min` is past limits().max_table_elements or the budget refuses it.
  Table* add_table(wasm::TableType type, Slot init);
  Global* add_global(wasm::GlobalType type, Slot value);

  /// Links `imports` (one per module import, in order) and allocates the instance, then
  /// initialises active element and data segments in order (spec 4.5.4). Does not run the
  /// start function: call it with a Thread (see instance->start_function()).
  /// Errors: Phase::Link "incompatible import type" / "unknown import" are the resolver's;
  /// this checks kinds and types. Phase::Instantiate for out-of-bounds segments
  /// ("out of bounds table access", "out of bounds memory access"), in which case the
  /// segments written before the failing one stay written, as the spec requires.
  /// `imports_checked`: the caller vouches that these very externs (the same entities) were
  /// checked against this module's imports by an earlier instantiate, so the check is
  /// skipped (the runtime caches a module's resolved imports: 63 type comparisons per spawn
  /// of an SDK guest otherwise).
  Result<Instance*> instantiate(std::shared_ptr<const CompiledModule> module,
                                std::span<const Extern> imports, bool imports_checked = false);

 private:
  /// A table made in `where` (sizeof(Table) bytes of raw storage): null, nothing left
  /// constructed there, if `type.limits.min` is past the limits or the budget refuses it.
  /// `charged`: the caller charged the budget for the initial elements already and checked
  /// the limits; the table takes the charge over (and gives it back if it fails).
  Table* make_table(void* where, wasm::TableType type, Slot init, bool charged = false);

  MemoryPool& pool_;
  StoreLimits limits_;
  // Vectors of owning pointers (entities never move): an empty vector allocates nothing,
  // where each std::deque allocated ~600 bytes at construction (a process makes one Store).
  /// A host function with the entry and type it points to, in one allocation: the function
  /// and its entry (what a call reads) first, together.
  struct HostEntity {
    Function function;
    HostEntry entry;
    wasm::FuncType type;
    std::shared_ptr<const void> context;  ///< keeps entry.context alive
  };
  std::vector<std::unique_ptr<HostEntity>> host_functions_;
  std::vector<std::unique_ptr<Memory>> memories_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<Global>> globals_;
  /// The instances, newest first (Instance::older); each in its block.
  Instance* newest_ = nullptr;
};

}  // namespace lunatic::engine
