// Bulk memory, table instructions and call_indirect's checks over operand values.
#include "engine/instance_ops.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/compiled_module.hpp"
#include "engine/thread.hpp"

namespace lunatic::engine::instance_ops {
namespace {

// True if [start, start + n) lies within `length`; 64-bit sums of 32-bit values cannot wrap.
bool in_bounds(uint64_t start, uint64_t n, uint64_t length) { return start + n <= length; }

// Charges writing `bytes`: false with `trap` set when the fuel left cannot pay.
bool charge(FuelMeter& meter, uint64_t bytes, TrapKind& trap) {
  if (meter.charge(bulk_fuel(bytes))) return true;
  trap = TrapKind::OutOfFuel;
  return false;
}

// The start of a bulk instruction that writes `n` items of `unit` bytes: a fresh one charges
// its whole size (false with `trap` set: out of fuel); one run again after it stopped at a
// slice's end (FuelMeter::resume_at) was charged by its first run, and takes what it has left
// to write from the slice only, so its fuel is charged once.
bool begin(FuelMeter& meter, uint64_t n, uint64_t unit, TrapKind& trap) {
  if (meter.resume_at == 0) return charge(meter, n * unit, trap);
  meter.use_slice(static_cast<int64_t>(bulk_fuel((n - meter.resume_at) * unit)));
  return true;
}

enum class Next : uint8_t { Go, Stop, Killed };

// Between two pieces, `unwritten` units of the instruction's charge not yet written: a pending
// kill ends it; a used-up slice (its share of the charge counted as used) ends there, unless
// the embedder extends it: the tier pauses in place (FuelMeter::pause), or the instruction
// stops (Next::Stop) to be run again.
Next between_pieces(FuelMeter& meter, uint64_t unwritten) {
  Thread* t = meter.thread;
  if (t == nullptr) return Next::Go;
  if (t->take_kill_request()) return Next::Killed;
  if (meter.slice_left_but(unwritten) > 0) return Next::Go;
  // The unwritten pieces were charged to this slice in advance: they go to the next ones.
  meter.use_slice(-static_cast<int64_t>(unwritten));
  if (t->fuel()) t->set_fuel(meter.fuel_left);  // a slice's end is where the runtime reads it
  if (const uint64_t next = t->extend_slice(static_cast<uint64_t>(meter.slice))) {
    meter.slice_left = meter.slice = static_cast<int64_t>(next);
  } else if (meter.pause != nullptr) {
    meter.pause(meter.pause_context, meter);
    if (t->take_kill_request()) return Next::Killed;
  } else {
    return Next::Stop;
  }
  meter.use_slice(static_cast<int64_t>(unwritten));
  return Next::Go;
}

// Runs piece(offset, count) over [0, n) in pieces of kBulkPieceBytes (`unit` bytes an item),
// front to back, or back to front when `backward` (a copy to a higher address, whose ranges
// may overlap), from item meter.resume_at on. Between pieces (between_pieces): false with
// `trap` Killed if a kill came, the pieces before it written; false with meter.stopped_at
// set if the slice ended and the tier cannot pause in place. Charged before (begin).
template <typename Piece>
bool in_pieces(uint64_t n, uint64_t unit, bool backward, FuelMeter& meter, TrapKind& trap,
               Piece piece) {
  const uint64_t step = kBulkPieceBytes / unit;
  const uint64_t first = meter.resume_at;
  meter.resume_at = 0;
  for (uint64_t done = first; done < n;) {
    if (done != first) {
      switch (between_pieces(meter, bulk_fuel((n - done) * unit))) {
        case Next::Go: break;
        case Next::Killed: return trap = TrapKind::Killed, false;
        case Next::Stop: return meter.stopped_at = done, false;
      }
    }
    const uint64_t count = std::min(step, n - done);
    piece(backward ? n - done - count : done, count);
    done += count;
  }
  return true;
}

struct Bytes {
  uint8_t* base = nullptr;
  uint64_t size = 0;
};
Bytes memory0(const Instance& inst) {
  if (inst.memories.empty() || inst.memories[0] == nullptr) return {};
  return {inst.memories[0]->data(), inst.memories[0]->size_bytes()};
}

}  // namespace

bool memory_fill(const Instance& inst, uint32_t d, uint8_t value, uint32_t n, FuelMeter& meter,
                 TrapKind& trap) {
  const Bytes mem = memory0(inst);
  if (!in_bounds(d, n, mem.size)) return trap = TrapKind::MemoryOutOfBounds, false;
  if (!begin(meter, n, 1, trap)) return false;
  return in_pieces(n, 1, false, meter, trap, [&](uint64_t at, uint64_t count) {
    std::memset(mem.base + d + at, value, count);
  });
}

bool memory_copy(const Instance& inst, uint32_t d, uint32_t s, uint32_t n, FuelMeter& meter,
                 TrapKind& trap) {
  const Bytes mem = memory0(inst);
  if (!in_bounds(d, n, mem.size) || !in_bounds(s, n, mem.size)) {
    return trap = TrapKind::MemoryOutOfBounds, false;
  }
  if (!begin(meter, n, 1, trap)) return false;
  // The ranges may overlap: each piece is a memmove, and a copy to a higher address goes back
  // to front, so no piece reads bytes an earlier one wrote.
  return in_pieces(n, 1, d > s, meter, trap, [&](uint64_t at, uint64_t count) {
    std::memmove(mem.base + d + at, mem.base + s + at, count);
  });
}

bool memory_init(const Instance& inst, uint32_t segment, uint32_t d, uint32_t s, uint32_t n,
                 FuelMeter& meter, TrapKind& trap) {
  const Bytes mem = memory0(inst);
  const auto& data = inst.module->wasm.data;
  const std::vector<bool>* dropped_ones = inst.segments ? &inst.segments->data_dropped : nullptr;
  const bool dropped =
      dropped_ones == nullptr || segment >= dropped_ones->size() || (*dropped_ones)[segment];
  const uint64_t length = dropped || segment >= data.size() ? 0 : data[segment].bytes.size();
  if (!in_bounds(s, n, length) || !in_bounds(d, n, mem.size)) {
    return trap = TrapKind::MemoryOutOfBounds, false;
  }
  if (!begin(meter, n, 1, trap)) return false;
  return in_pieces(n, 1, false, meter, trap, [&](uint64_t at, uint64_t count) {
    std::memcpy(mem.base + d + at, data[segment].bytes.data() + s + at, count);
  });
}

void data_drop(Instance& inst, uint32_t segment) {
  if (inst.segments && segment < inst.segments->data_dropped.size()) {
    inst.segments->data_dropped[segment] = true;
  }
}

bool table_get(const Instance& inst, uint32_t table, uint32_t i, Slot& out, TrapKind& trap) {
  Table& t = *inst.tables[table];
  if (i >= t.size()) return trap = TrapKind::TableOutOfBounds, false;
  out = t.data()[i];
  return true;
}

bool table_set(const Instance& inst, uint32_t table, uint32_t i, Slot value, TrapKind& trap) {
  Table& t = *inst.tables[table];
  if (i >= t.size()) return trap = TrapKind::TableOutOfBounds, false;
  t.data()[i] = value;
  return true;
}

bool table_grow(const Instance& inst, uint32_t table, Slot init, uint32_t n, FuelMeter& meter,
                uint32_t& old, TrapKind& trap) {
  Table& t = *inst.tables[table];
  if (meter.resume_at == 0) {
    const int32_t grown = t.reserve_growth(n);
    old = static_cast<uint32_t>(grown);
    if (grown < 0) return true;
  } else {
    old = t.size() - static_cast<uint32_t>(meter.resume_at);
  }
  if (!begin(meter, n, sizeof(Slot), trap)) return false;
  return in_pieces(n, sizeof(Slot), false, meter, trap,
                   [&](uint64_t, uint64_t count) { t.append(static_cast<uint32_t>(count), init); });
}

bool table_fill(const Instance& inst, uint32_t table, uint32_t i, Slot value, uint32_t n,
                FuelMeter& meter, TrapKind& trap) {
  Table& t = *inst.tables[table];
  if (!in_bounds(i, n, t.size())) return trap = TrapKind::TableOutOfBounds, false;
  if (!begin(meter, n, sizeof(Slot), trap)) return false;
  return in_pieces(n, sizeof(Slot), false, meter, trap, [&](uint64_t at, uint64_t count) {
    std::fill_n(t.data() + i + at, count, value);
  });
}

bool table_copy(const Instance& inst, uint32_t dst_table, uint32_t src_table, uint32_t d,
                uint32_t s, uint32_t n, FuelMeter& meter, TrapKind& trap) {
  Table& dst = *inst.tables[dst_table];
  Table& src = *inst.tables[src_table];
  if (!in_bounds(d, n, dst.size()) || !in_bounds(s, n, src.size())) {
    return trap = TrapKind::TableOutOfBounds, false;
  }
  if (!begin(meter, n, sizeof(Slot), trap)) return false;
  // As memory_copy: back to front when the ranges may overlap that way.
  const bool backward = &dst == &src && d > s;
  return in_pieces(n, sizeof(Slot), backward, meter, trap, [&](uint64_t at, uint64_t count) {
    std::memmove(dst.data() + d + at, src.data() + s + at, count * sizeof(Slot));
  });
}

bool table_init(const Instance& inst, uint32_t segment, uint32_t table, uint32_t d, uint32_t s,
                uint32_t n, FuelMeter& meter, TrapKind& trap) {
  Table& t = *inst.tables[table];
  static const std::vector<Slot> kEmpty;
  const std::vector<Slot>& elems = inst.segments && segment < inst.segments->elements.size()
                                       ? inst.segments->elements[segment]
                                       : kEmpty;
  if (!in_bounds(s, n, elems.size()) || !in_bounds(d, n, t.size())) {
    return trap = TrapKind::TableOutOfBounds, false;
  }
  if (!begin(meter, n, sizeof(Slot), trap)) return false;
  return in_pieces(n, sizeof(Slot), false, meter, trap, [&](uint64_t at, uint64_t count) {
    std::copy_n(elems.data() + s + at, count, t.data() + d + at);
  });
}

void elem_drop(Instance& inst, uint32_t segment) {
  // A passive segment's references were counted at instantiation (an active or declarative
  // one, or a dropped one, is empty and counted nothing; a module without passive segments
  // keeps none).
  if (!inst.segments || segment >= inst.segments->elements.size()) return;
  std::vector<Slot>& elems = inst.segments->elements[segment];
  inst.host_bytes.shrink(elems.size() * sizeof(Slot));
  std::vector<Slot>().swap(elems);
}

// The common case, a function of the same module declared with the very type, is one pointer
// compare; otherwise the types are compared structurally, as the spec requires.
Function* indirect_callee(const Instance& inst, uint32_t type_index, uint32_t table, uint32_t i,
                          TrapKind& trap) {
  Table& t = *inst.tables[table];
  if (i >= t.size()) return trap = TrapKind::UndefinedElement, nullptr;
  auto* f = reinterpret_cast<Function*>(t.data()[i]);
  if (f == nullptr) return trap = TrapKind::UninitializedElement, nullptr;
  const wasm::FuncType& want = inst.module->wasm.types[type_index];
  if (f->type != &want && *f->type != want) {
    return trap = TrapKind::IndirectCallTypeMismatch, nullptr;
  }
  return f;
}

}  // namespace lunatic::engine::instance_ops
