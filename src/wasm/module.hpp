// The decoded module: the data model that the decoder produces and the validator and the
// engine consume (spec section 2.5). Function bodies are already split into instructions with
// decoded immediates, so later passes never read LEB128.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm/opcode.hpp"
#include "wasm/types.hpp"

namespace lunatic::wasm {

/// One instruction with its immediates decoded; which field holds what is documented per
/// Immediate kind in opcode.hpp.
struct Instr {
  Opcode op = Opcode::Nop;
  uint32_t offset = 0;  ///< byte offset of the opcode in the module, for errors
  uint32_t a = 0;
  uint32_t b = 0;
  uint64_t c = 0;
  BlockType block;  ///< for block, loop, if
};

/// The 16 bytes of a v128.const or i8x16.shuffle immediate, in binary (little-endian) order.
using V128Bytes = std::array<uint8_t, 16>;
/// Reads the 16 immediate bytes packed into `in` (Immediate::V128 and Shuffle in opcode.hpp).
V128Bytes v128_immediate(const Instr& in);
/// Packs 16 immediate bytes into `in`.
void set_v128_immediate(Instr& in, const V128Bytes& bytes);

/// A constant expression (global initialisers, segment offsets, element items), without its
/// final `end`. The validator checks that it is constant and of the right type.
struct ConstExpr {
  std::vector<Instr> instrs;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  ///< kind == Func: type index
  TableType table;         ///< kind == Table
  MemoryType memory;       ///< kind == Memory
  GlobalType global;       ///< kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table_index = 0;  ///< Active only
  ConstExpr offset;          ///< Active only
  ValType type = ValType::FuncRef;
  /// One constant expression per element; the forms with bare function indices are decoded
  /// as `ref.func i` expressions.
  std::vector<ConstExpr> items;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  ///< Active or Passive
  uint32_t memory_index = 0;               ///< Active only
  ConstExpr offset;                        ///< Active only
  std::vector<uint8_t> bytes;
};

struct LocalGroup {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

/// A function defined by the module (imports are in Module::imports).
struct Function {
  uint32_t type_index = 0;
  std::vector<LocalGroup> locals;         ///< as declared, run-length encoded
  uint32_t local_count = 0;               ///< sum of the groups, not counting parameters
  std::vector<Instr> body;                ///< includes the final `end`
  std::vector<uint32_t> br_table_labels;  ///< label lists of this body's br_table instructions
  uint32_t body_offset = 0;               ///< byte offset of the body in the module
};

struct Module {
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> functions;   ///< defined functions (function section + code section)
  std::vector<TableType> tables;     ///< defined tables
  std::vector<MemoryType> memories;  ///< defined memories
  std::vector<Global> globals;       ///< defined globals
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elements;
  std::vector<DataSegment> data;
  std::optional<uint32_t> data_count;  ///< from the data count section, if present

  /// Function names from the "name" custom section (index in the function index space).
  std::unordered_map<uint32_t, std::string> function_names;

  // Sizes of the imported part of each index space; imports come first in each space.
  uint32_t imported_functions = 0;
  uint32_t imported_tables = 0;
  uint32_t imported_memories = 0;
  uint32_t imported_globals = 0;
  /// imports_by_kind[kind][n]: position in `imports` of the n-th import of that kind, so
  /// index-space lookups are O(1). Filled by the decoder; a module built by hand may leave it
  /// empty (lookups then scan `imports`).
  std::array<std::vector<uint32_t>, 4> imports_by_kind;

  uint32_t total_functions() const { return imported_functions + uint32_t(functions.size()); }
  uint32_t total_tables() const { return imported_tables + uint32_t(tables.size()); }
  uint32_t total_memories() const { return imported_memories + uint32_t(memories.size()); }
  uint32_t total_globals() const { return imported_globals + uint32_t(globals.size()); }

  /// Type index of function `func_index` in the function index space. @pre in range.
  uint32_t function_type_index(uint32_t func_index) const;
  const FuncType& function_type(uint32_t func_index) const {
    return types[function_type_index(func_index)];
  }
  /// @pre index in range of the respective index space.
  TableType table_type(uint32_t index) const;
  MemoryType memory_type(uint32_t index) const;
  GlobalType global_type(uint32_t index) const;

  /// Finds an export by name.
  const Export* find_export(std::string_view name) const;
  /// Name of a function for backtraces: the name section's, else an export's, else empty.
  std::string function_name(uint32_t func_index) const;
};

}  // namespace lunatic::wasm
