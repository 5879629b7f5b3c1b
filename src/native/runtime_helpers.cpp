// The runtime helpers compiled code calls (abi.hpp): thin adapters from the C ABI to the
// Execution running the code and to the tier-neutral instance_ops.
#include <string>

#include "engine/instance_ops.hpp"
#include "native/abi.hpp"
#include "native/execution.hpp"

using lunatic::engine::Instance;
using lunatic::engine::TrapKind;
using lunatic::native::Context;
using lunatic::native::Execution;
using lunatic::native::Slot;
namespace ops = lunatic::engine::instance_ops;

namespace {

Instance& instance(Context* ctx) { return *ctx->instance; }

// A bulk operation's outcome: trap, or refresh the context (it may have changed a table).
void check(Context* ctx, bool ok, TrapKind kind) {
  if (!ok) Execution::of(ctx).trap(kind);
  Execution::of(ctx).refresh();
}

// A bulk operation that charges its size to the Execution's meter (instance_ops.hpp), run as
// op(meter, kind); then check().
template <typename Op> void bulk(Context* ctx, TrapKind kind, Op op) {
  Execution& e = Execution::of(ctx);
  lunatic::engine::FuelMeter meter = e.meter();
  const bool ok = op(meter, kind);
  e.set_meter(meter);
  check(ctx, ok, kind);
}

}  // namespace

extern "C" {

void lunatic_jit_safepoint(Context* ctx, uint32_t cost) { Execution::of(ctx).safepoint(cost); }

void* lunatic_jit_safepoint_osr(Context* ctx, uint32_t cost, uint32_t defined_index,
                                uint32_t safepoint) {
  return reinterpret_cast<void*>(
      Execution::of(ctx).safepoint_or_osr(cost, defined_index, safepoint));
}

void lunatic_jit_grow_stack(Context* ctx, lunatic::native::SlotEntryFn entry, Slot* args_results) {
  Execution::of(ctx).grow(entry, args_results);
}

void lunatic_jit_grow_stack_osr(Context* ctx, lunatic::native::OsrEntryFn entry, const Slot* locals,
                                uint32_t safepoint, Slot* results) {
  Execution::of(ctx).grow_osr(entry, locals, safepoint, results);
}

void lunatic_jit_trap(Context* ctx, uint32_t kind) {
  Execution::of(ctx).trap(static_cast<TrapKind>(kind));
}

uint32_t lunatic_jit_memory_grow(Context* ctx, uint32_t delta_pages) {
  const int32_t old = instance(ctx).memories[0]->grow(delta_pages);
  Execution::of(ctx).refresh();
  return static_cast<uint32_t>(old);
}

void lunatic_jit_memory_fill(Context* ctx, uint32_t dst, uint32_t value, uint32_t n) {
  bulk(ctx, TrapKind::MemoryOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::memory_fill(instance(ctx), dst, static_cast<uint8_t>(value), n, meter, kind);
  });
}

void lunatic_jit_memory_copy(Context* ctx, uint32_t dst, uint32_t src, uint32_t n) {
  bulk(ctx, TrapKind::MemoryOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::memory_copy(instance(ctx), dst, src, n, meter, kind);
  });
}

void lunatic_jit_memory_init(Context* ctx, uint32_t data, uint32_t dst, uint32_t src, uint32_t n) {
  bulk(ctx, TrapKind::MemoryOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::memory_init(instance(ctx), data, dst, src, n, meter, kind);
  });
}

void lunatic_jit_data_drop(Context* ctx, uint32_t data) { ops::data_drop(instance(ctx), data); }

Slot lunatic_jit_table_get(Context* ctx, uint32_t table, uint32_t index) {
  TrapKind kind = TrapKind::TableOutOfBounds;
  Slot out = 0;
  check(ctx, ops::table_get(instance(ctx), table, index, out, kind), kind);
  return out;
}

void lunatic_jit_table_set(Context* ctx, uint32_t table, uint32_t index, Slot value) {
  TrapKind kind = TrapKind::TableOutOfBounds;
  check(ctx, ops::table_set(instance(ctx), table, index, value, kind), kind);
}

uint32_t lunatic_jit_table_size(Context* ctx, uint32_t table) {
  return instance(ctx).tables[table]->size();
}

uint32_t lunatic_jit_table_grow(Context* ctx, uint32_t table, Slot init, uint32_t n) {
  uint32_t old = 0;
  bulk(ctx, TrapKind::OutOfFuel, [&](auto& meter, TrapKind& kind) {
    return ops::table_grow(instance(ctx), table, init, n, meter, old, kind);
  });
  return old;
}

void lunatic_jit_table_fill(Context* ctx, uint32_t table, uint32_t i, Slot value, uint32_t n) {
  bulk(ctx, TrapKind::TableOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::table_fill(instance(ctx), table, i, value, n, meter, kind);
  });
}

void lunatic_jit_table_copy(Context* ctx, uint32_t dst_table, uint32_t src_table, uint32_t d,
                            uint32_t s, uint32_t n) {
  bulk(ctx, TrapKind::TableOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::table_copy(instance(ctx), dst_table, src_table, d, s, n, meter, kind);
  });
}

void lunatic_jit_table_init(Context* ctx, uint32_t elem, uint32_t table, uint32_t d, uint32_t s,
                            uint32_t n) {
  bulk(ctx, TrapKind::TableOutOfBounds, [&](auto& meter, TrapKind& kind) {
    return ops::table_init(instance(ctx), elem, table, d, s, n, meter, kind);
  });
}

void lunatic_jit_elem_drop(Context* ctx, uint32_t elem) { ops::elem_drop(instance(ctx), elem); }

void lunatic_jit_call(Context* ctx, uint32_t func_index, Slot* args_results) {
  Execution::of(ctx).call(*ctx->functions[func_index], args_results);
}

void lunatic_jit_call_indirect(Context* ctx, uint32_t type_index, uint32_t table, uint32_t index,
                               Slot* args_results) {
  TrapKind kind = TrapKind::UndefinedElement;
  lunatic::engine::Function* f =
      ops::indirect_callee(instance(ctx), type_index, table, index, kind);
  if (f == nullptr) {
    // As the interpreter: a null entry names its index ("uninitialized element 2").
    lunatic::engine::Trap trap = lunatic::engine::Trap::of(kind);
    // Appended in two steps: GCC 12 at -O3 warns (stringop-overflow, a false positive) on
    // `" " + std::to_string(index)` here.
    if (kind == TrapKind::UninitializedElement) {
      trap.message += ' ';
      trap.message += std::to_string(index);
    }
    Execution::of(ctx).trap(std::move(trap));
  }
  Execution::of(ctx).call(*f, args_results);
}

}  // extern "C"
