// The state of lowering one function: the symbolic operand stack (where each value lives right
// now), the control stack (labels and their pending branches), and the code being emitted.
// Internal to lowering*.cpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "engine/code.hpp"
#include "wasm/module.hpp"

namespace lunatic::engine {

/// The fused form (i32.add into the address, code.hpp) of a v128 load or store with a memarg.
Op v128_access_add_form(Op access);

class Lowerer {
 public:
  Lowerer(const wasm::Module& module, uint32_t defined_index);
  Result<void> run(CompiledFunction& out);

 private:
  /// Where an operand-stack value is: in its home slot, still in a local (a deferred
  /// local.get) or in a constant slot.
  /// A v128 takes two consecutive slots (width 2): `slot` and `home` name the first.
  struct Entry {
    enum class Kind : uint8_t { Home, Local, Const };
    Kind kind = Kind::Home;
    uint8_t width = 1;
    uint32_t slot = 0;  ///< frame slot holding the value now
    uint32_t home = 0;  ///< this stack position's home slot
  };

  struct Ctrl {
    enum class Kind : uint8_t { Func, Block, Loop, If };
    Kind kind = Kind::Block;
    uint32_t height = 0;  ///< operand stack height at entry, below the params
    uint32_t params = 0;
    uint32_t results = 0;
    uint32_t start = 0;              ///< Loop: branch target (its safepoint)
    uint32_t else_fixup = kNoFixup;  ///< If: target word of the branch to the else arm
    bool has_else = false;
    bool dead = false;             ///< the code at this point is unreachable
    uint32_t cost_owner = 0;       ///< index of the enclosing Loop/Func ctrl that pays for fuel
    uint32_t cost = 0;             ///< Loop/Func: Wasm instructions in the region
    uint32_t cost_pos = 0;         ///< Loop/Func: word holding the safepoint's cost
    std::vector<uint32_t> fixups;  ///< target words to patch with the label's end position
    const wasm::ValType* param_types = nullptr;   ///< `params` of them (in the module)
    const wasm::ValType* result_types = nullptr;  ///< `results` of them (in the module)

    uint32_t arity() const { return kind == Kind::Loop ? params : results; }
  };
  static constexpr uint32_t kNoFixup = UINT32_MAX;

  // lowering.cpp: control flow and the driver.
  Result<void> lower_instr(const wasm::Instr& in);
  void enter_block(Ctrl::Kind kind, const wasm::BlockType& bt);
  /// The slot where the label's value i goes: above position target.height, the values
  /// before it packed by their widths (those of the top `arity` entries now).
  uint32_t label_slot(const Ctrl& target, uint32_t i) const;
  void lower_else();
  void lower_end();
  void lower_br(uint32_t depth);
  void lower_br_if(uint32_t depth);
  void lower_br_table(const wasm::Instr& in);
  void emit_return();
  void mark_dead();
  Ctrl& label(uint32_t depth) { return ctrls_[ctrls_.size() - 1 - depth]; }
  bool needs_copies(const Ctrl& target) const;
  void emit_copies(const Ctrl& target);
  void emit_jump(Ctrl& target);
  uint32_t emit_cond_branch(Entry cond, bool when_nonzero);
  /// Branch targets are stored relative to the word that holds them (code.hpp).
  void set_target(uint32_t word, uint32_t target) {
    code_[word] = target - word;
    label_pos_ = std::max(label_pos_, target);
  }
  void bind(uint32_t fixup_word) { set_target(fixup_word, pos()); }

  // lowering_ops.cpp: everything that is not control flow.
  Result<void> lower_op(const wasm::Instr& in);
  void lower_local_set(uint32_t local, bool tee);
  void lower_call(uint32_t func_index);
  void lower_call_indirect(uint32_t type_index, uint32_t table);
  void lower_numeric(const wasm::Instr& in);
  // lowering_simd.cpp: the v128 instructions and v128 constants.
  void lower_simd(const wasm::Instr& in);
  /// The constant of a v128.const as its two slots (bytes 0..7, 8..15).
  static std::pair<uint64_t, uint64_t> v128_slots(const wasm::Instr& in);
  void push_const128(const wasm::Instr& in);
  void add_constant128(const wasm::Instr& in);
  /// Emits a copy of a value of `width` slots.
  void emit_copy(uint32_t dst, uint32_t src, uint32_t width);

  // The symbolic stack.
  uint32_t height() const { return static_cast<uint32_t>(stack_.size()); }
  /// The home slot of `position` (at most height()): entries below it packed by width.
  uint32_t home(uint32_t position) const {
    if (position < height()) return stack_[position].home;
    return stack_.empty() ? stack_base_ : stack_.back().home + stack_.back().width;
  }
  uint32_t push_home(uint32_t width = 1);
  void push_local(uint32_t local);
  void push_const(uint64_t bits);
  Entry pop();
  void pop_to(uint32_t h) {
    while (height() > h) pop();
  }
  void materialize(uint32_t position);
  void materialize_local(uint32_t local);
  void materialize_all_locals();
  void to_home_top(uint32_t n);

  // Emission.
  uint32_t pos() const { return static_cast<uint32_t>(code_.size()); }
  uint32_t emit(Op op, std::initializer_list<uint32_t> operands);
  /// Emits an instruction whose first operand is the destination: the home of a new top entry.
  void emit_result(Op op, std::initializer_list<uint32_t> sources, uint32_t width = 1);

  const wasm::Module& module_;
  const wasm::Function& func_;
  const wasm::FuncType& type_;
  uint32_t defined_index_;
  uint32_t local_total_ = 0;  ///< slots of params + declared locals
  uint32_t stack_base_ = 0;
  uint32_t max_height_ = 0;               ///< in slots above stack_base_
  std::vector<uint32_t> local_slot_;      ///< per local index: its first slot
  std::vector<uint8_t> local_width_;      ///< per local index: 1, or 2 for a v128
  std::vector<uint32_t> result_offsets_;  ///< per result: its slot when the function returns
  bool broken_ = false;                   ///< an impossible state for a validated body was met

  std::unordered_map<uint64_t, uint32_t> const_slots_;                ///< constant bits -> slot
  std::map<std::pair<uint64_t, uint64_t>, uint32_t> const128_slots_;  ///< v128 -> first slot
  std::vector<Slot> constants_;
  std::vector<bool> const_pair_;  ///< per constant: the first slot of a v128 (two slots)
  std::vector<Entry> stack_;
  std::vector<std::vector<uint32_t>> local_refs_;  ///< per local slot: deferred gets' positions
  uint32_t deferred_low_ = 0;                      ///< no deferred local.get below this position
  std::vector<Ctrl> ctrls_;
  uint32_t dead_depth_ = 0;  ///< blocks opened inside dead code

  std::vector<uint32_t> code_;
  std::vector<std::pair<uint32_t, uint32_t>> offsets_;
  uint32_t cur_offset_ = 0;
  bool last_patchable_ =
      false;  ///< last instruction wrote the top entry's home at code_[last_pos_+1]
  uint32_t last_pos_ = 0;
  // Superinstructions (lowering_fuse.cpp) look back at the code just emitted.
  uint32_t last_add_pos_ = UINT32_MAX;  ///< where the last i32.add [op, dst, a, b] starts
  uint32_t label_pos_ = 0;              ///< highest code position bound as a branch target
  bool is_const_slot(uint32_t slot) const { return slot >= local_total_ && slot < stack_base_; }
  uint64_t const_value(uint32_t slot) const { return constants_[slot - local_total_]; }
  bool add_operands(uint32_t pos, uint32_t& a, uint32_t& b) const;
  bool take_address_add(Entry address, uint32_t& a, uint32_t& b);
  /// Removes the instruction emitted last (at last_pos_), and its trap offset if it has one,
  /// so that a superinstruction takes its place.
  void drop_last_instruction();
  bool emit_with_immediate(Op op, Entry a, Entry b);
  void use_compare_immediate(uint32_t branch_pos);
  void compact_constants();
  uint32_t fuse_add_into_branch(uint32_t branch_pos);
  bool fuse_xor_shift(Op op, Entry a, Entry b);
  bool fuse_load_into_splat(Op splat);
  bool fuse_into_lane_add(Op op, Entry a, Entry b);
};

}  // namespace lunatic::engine
