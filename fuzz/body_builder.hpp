// Internal to the generator: the state of one function body being built (labels, locals,
// budget) and the operand helpers, shared by body_generator.cpp (control, expressions,
// statements) and body_operands.cpp (constants, addresses, references, tables).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "body_generator.hpp"
#include "wasm/opcode.hpp"

namespace lunatic::fuzz {

inline constexpr std::array<wasm::ValType, 4> kNumeric = {wasm::ValType::I32, wasm::ValType::I64,
                                                          wasm::ValType::F32, wasm::ValType::F64};
inline constexpr uint8_t kEmptyBlock = 0x40;
inline constexpr uint8_t kFuncRef = static_cast<uint8_t>(wasm::ValType::FuncRef);
inline constexpr uint32_t kMaxLabels = 6;     // block nesting
inline constexpr uint32_t kMaxExprDepth = 8;  // operand nesting
inline constexpr int kBudget = 300;           // constructs per function
inline constexpr uint32_t kLoopCounters = 3;  // nested counted loops

/// A fixed-signature instruction of opcodes.def.
struct OpSig {
  wasm::Opcode op;
  wasm::ValType in1;
  wasm::ValType in2;  ///< binary operators and stores
  uint8_t access_bytes;
};

/// The fixed-signature instructions by result type (stores: by stored type), in kNumeric order.
struct OpTables {
  std::array<std::vector<OpSig>, 4> unary, binary, loads, stores;
};
const OpTables& op_tables();
size_t type_slot(wasm::ValType t);  ///< position of a numeric type in kNumeric

class BodyGenerator {
 public:
  BodyGenerator(ByteSource& src, const ModuleShape& shape, const wasm::FuncType& type,
                WasmWriter& out)
      : src_(src), shape_(shape), type_(type), out_(out) {}

  /// Local declarations, the body, the final `end`.
  void generate();

 private:
  enum class Label : uint8_t { Empty, Loop, Values };  ///< what a branch to the label needs

  wasm::ValType numeric() { return kNumeric[src_.below(4)]; }
  bool spend() {
    if (budget_ <= 0) return false;
    --budget_;
    return true;
  }
  bool can_nest() const { return labels_.size() < kMaxLabels; }
  void block_start(wasm::Opcode op, Label label, uint8_t block_type) {
    out_.op(op);
    out_.u8(block_type);
    labels_.push_back(label);
  }
  void block_end() {
    out_.op(wasm::Opcode::End);
    labels_.pop_back();
  }
  void small_i32(uint32_t below) {
    out_.op(wasm::Opcode::I32Const);
    out_.sleb(src_.below(below));
  }
  void statements(uint32_t max) {
    const uint32_t n = src_.below(max + 1);
    for (uint32_t i = 0; i < n; ++i) statement();
  }

  // body_generator.cpp
  void expr(wasm::ValType t);       ///< exactly one value of type t
  bool construct(wasm::ValType t);  ///< one construct of type t; false if none fits here
  void statement();                 ///< leaves the operand stack as it found it

  // body_operands.cpp
  std::optional<uint32_t> local_of(wasm::ValType t);
  std::optional<uint32_t> global_of(wasm::ValType t);
  std::optional<uint32_t> empty_label();
  std::optional<uint32_t> type_with_result(wasm::ValType t);
  void drop_extra_results(const wasm::FuncType& ft);
  void args(const wasm::FuncType& ft);
  void leaf(wasm::ValType t);
  void address();
  void memarg(uint8_t access_bytes);
  void funcref();
  void reference_i32();
  void table_statement();
  void canonicalize_nan(wasm::Opcode op, wasm::ValType result);  ///< see ModuleShape

  // body_simd.cpp (ModuleShape::simd)
  void simd_expr();                              ///< exactly one v128
  void simd_scalar(wasm::ValType t);             ///< one value of numeric type t out of a v128
  void simd_statement();                         ///< v128 stores, or a v128 computed and dropped
  void canonicalize_v128_nans(wasm::Opcode op);  ///< canonicalize_nan, lane by lane

  ByteSource& src_;
  const ModuleShape& shape_;
  const wasm::FuncType& type_;
  WasmWriter& out_;
  std::vector<wasm::ValType> locals_;  ///< parameters and general-purpose locals
  uint32_t counter_base_ = 0;          ///< first of the kLoopCounters loop-counter locals
  uint32_t nan_scratch_ = 0;           ///< an f32 then an f64 local for canonicalize_nan
  uint32_t v128_scratch_ = 0;          ///< a v128 local for canonicalize_v128_nans
  uint32_t open_loops_ = 0;            ///< counted loops open (each owns one counter)
  std::vector<Label> labels_;          ///< innermost last; [0] is the function body
  uint32_t expr_depth_ = 0;
  int budget_ = kBudget;
};

}  // namespace lunatic::fuzz
