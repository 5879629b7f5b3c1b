// Test-only definitions of the runtime helpers of abi.hpp (the runtime's own replace them):
// traps longjmp back to run_guarded, safepoints charge nothing, memory and table helpers act
// on ctx->instance's entities, calls of imports and the slow call_indirect run the interpreter.
#include <csetjmp>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/memory_pool.hpp"
#include "engine/thread.hpp"
#include "jit_fixture.hpp"

namespace lunatic::jit::testing {

namespace {

thread_local std::jmp_buf* trap_target = nullptr;
thread_local uint32_t trap_kind = 0;

[[noreturn]] void trap_with(engine::TrapKind kind) {
  trap_kind = static_cast<uint32_t>(kind);
  std::longjmp(*trap_target, 1);
}

engine::Store& scratch_store() {
  static engine::MemoryPool pool;
  static engine::Store store(pool);
  return store;
}

// Calls `fn` with the interpreter; returns the trap kind if it trapped. No object of this frame
// outlives the return, so the caller may longjmp afterwards.
// The fuel it burns is charged to ctx->budget, as the runtime's calls would.
std::optional<engine::TrapKind> interpret(Context* ctx, engine::Function* fn, Slot* args_results) {
  engine::Thread thread(scratch_store());
  constexpr uint64_t kFuel = uint64_t{1} << 40;
  thread.set_fuel(kFuel);
  std::vector<engine::Value> args;
  for (size_t i = 0; i < fn->type->params.size(); ++i) {
    args.push_back(engine::Value{fn->type->params[i], args_results[i]});
  }
  const bool done = thread.begin_call(fn, args).ok() && thread.run() == engine::RunStatus::Done;
  ctx->budget -= static_cast<int64_t>(kFuel - thread.fuel().value_or(0));
  if (done) {
    std::vector<engine::Value> results = thread.results();
    for (size_t i = 0; i < results.size(); ++i) args_results[i] = results[i].bits;
    return std::nullopt;
  }
  return thread.trap().kind;
}

bool out_of_bounds(uint64_t start, uint64_t n, uint64_t size) { return start + n > size; }

}  // namespace

bool run_guarded(Context* ctx, NativeCode::SlotEntry entry, Slot* slots, engine::TrapKind* kind) {
  std::jmp_buf here;
  std::jmp_buf* outer = trap_target;
  trap_target = &here;
  if (setjmp(here) == 0) {
    entry(ctx, slots);
    trap_target = outer;
    return true;
  }
  trap_target = outer;
  *kind = static_cast<engine::TrapKind>(trap_kind);
  return false;
}

void refresh_context(Context& ctx) {
  engine::Instance* inst = ctx.instance;
  engine::Memory* memory = inst->memories.empty() ? nullptr : inst->memories[0];
  ctx.memory_base = memory != nullptr ? memory->data() : nullptr;
  ctx.memory_size = memory != nullptr ? memory->size_bytes() : 0;
  ctx.globals = inst->globals.data();
  ctx.functions = inst->functions.data();
  engine::Table* table = inst->tables.empty() ? nullptr : inst->tables[0];
  ctx.table0_data = table != nullptr ? table->data() : nullptr;
  ctx.table0_size = table != nullptr ? table->size() : 0;
}

}  // namespace lunatic::jit::testing

using lunatic::engine::Slot;
using lunatic::engine::TrapKind;
using lunatic::jit::Context;
using namespace lunatic::jit::testing;

extern "C" {

void lunatic_jit_safepoint(Context* /*ctx*/, uint32_t /*cost*/) {}

void lunatic_jit_trap(Context* /*ctx*/, uint32_t kind) { trap_with(static_cast<TrapKind>(kind)); }

uint32_t lunatic_jit_memory_grow(Context* ctx, uint32_t delta_pages) {
  const int32_t old = ctx->instance->memories[0]->grow(delta_pages);
  refresh_context(*ctx);
  return static_cast<uint32_t>(old);
}

void lunatic_jit_memory_fill(Context* ctx, uint32_t dst, uint32_t value, uint32_t n) {
  if (out_of_bounds(dst, n, ctx->memory_size)) trap_with(TrapKind::MemoryOutOfBounds);
  std::memset(ctx->memory_base + dst, static_cast<int>(value & 0xFF), n);
}

void lunatic_jit_memory_copy(Context* ctx, uint32_t dst, uint32_t src, uint32_t n) {
  if (out_of_bounds(dst, n, ctx->memory_size) || out_of_bounds(src, n, ctx->memory_size)) {
    trap_with(TrapKind::MemoryOutOfBounds);
  }
  std::memmove(ctx->memory_base + dst, ctx->memory_base + src, n);
}

void lunatic_jit_memory_init(Context* ctx, uint32_t data, uint32_t dst, uint32_t src, uint32_t n) {
  const lunatic::engine::Instance& inst = *ctx->instance;
  const bool dropped = data >= inst.data_dropped.size() || inst.data_dropped[data];
  const auto& segment = inst.module->wasm.data[data].bytes;
  const uint64_t length = dropped ? 0 : segment.size();
  if (out_of_bounds(src, n, length) || out_of_bounds(dst, n, ctx->memory_size)) {
    trap_with(TrapKind::MemoryOutOfBounds);
  }
  if (n != 0) std::memcpy(ctx->memory_base + dst, segment.data() + src, n);
}

void lunatic_jit_data_drop(Context* ctx, uint32_t data) {
  if (data < ctx->instance->data_dropped.size()) ctx->instance->data_dropped[data] = true;
}

Slot lunatic_jit_table_get(Context* ctx, uint32_t table, uint32_t index) {
  lunatic::engine::Table* t = ctx->instance->tables[table];
  if (index >= t->size()) trap_with(TrapKind::TableOutOfBounds);
  return t->data()[index];
}

void lunatic_jit_table_set(Context* ctx, uint32_t table, uint32_t index, Slot value) {
  lunatic::engine::Table* t = ctx->instance->tables[table];
  if (index >= t->size()) trap_with(TrapKind::TableOutOfBounds);
  t->data()[index] = value;
}

uint32_t lunatic_jit_table_size(Context* ctx, uint32_t table) {
  return ctx->instance->tables[table]->size();
}

uint32_t lunatic_jit_table_grow(Context* ctx, uint32_t table, Slot init, uint32_t n) {
  const int32_t old = ctx->instance->tables[table]->grow(n, init);
  refresh_context(*ctx);
  return static_cast<uint32_t>(old);
}

void lunatic_jit_table_fill(Context* ctx, uint32_t table, uint32_t i, Slot value, uint32_t n) {
  lunatic::engine::Table* t = ctx->instance->tables[table];
  if (out_of_bounds(i, n, t->size())) trap_with(TrapKind::TableOutOfBounds);
  for (uint32_t k = 0; k < n; ++k) t->data()[i + k] = value;
}

void lunatic_jit_table_copy(Context* ctx, uint32_t dst_table, uint32_t src_table, uint32_t d,
                            uint32_t s, uint32_t n) {
  lunatic::engine::Table* dt = ctx->instance->tables[dst_table];
  lunatic::engine::Table* st = ctx->instance->tables[src_table];
  if (out_of_bounds(d, n, dt->size()) || out_of_bounds(s, n, st->size())) {
    trap_with(TrapKind::TableOutOfBounds);
  }
  std::memmove(dt->data() + d, st->data() + s, n * sizeof(Slot));
}

void lunatic_jit_table_init(Context* ctx, uint32_t elem, uint32_t table, uint32_t d, uint32_t s,
                            uint32_t n) {
  lunatic::engine::Table* t = ctx->instance->tables[table];
  const std::vector<Slot>& items = ctx->instance->elements[elem];
  if (out_of_bounds(s, n, items.size()) || out_of_bounds(d, n, t->size())) {
    trap_with(TrapKind::TableOutOfBounds);
  }
  for (uint32_t k = 0; k < n; ++k) t->data()[d + k] = items[s + k];
}

void lunatic_jit_elem_drop(Context* ctx, uint32_t elem) { ctx->instance->elements[elem].clear(); }

void lunatic_jit_call(Context* ctx, uint32_t func_index, Slot* args_results) {
  std::optional<TrapKind> trapped =
      interpret(ctx, ctx->instance->functions[func_index], args_results);
  refresh_context(*ctx);
  if (trapped) trap_with(*trapped);
}

void lunatic_jit_call_indirect(Context* ctx, uint32_t type_index, uint32_t table, uint32_t index,
                               Slot* args_results) {
  lunatic::engine::Table* t = ctx->instance->tables[table];
  if (index >= t->size()) trap_with(TrapKind::UndefinedElement);
  auto* fn = reinterpret_cast<lunatic::engine::Function*>(t->data()[index]);
  if (fn == nullptr) trap_with(TrapKind::UninitializedElement);
  if (*fn->type != ctx->instance->module->wasm.types[type_index]) {
    trap_with(TrapKind::IndirectCallTypeMismatch);
  }
  std::optional<TrapKind> trapped = interpret(ctx, fn, args_results);
  refresh_context(*ctx);
  if (trapped) trap_with(*trapped);
}

}  // extern "C"
