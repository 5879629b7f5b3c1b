// The WebAssembly type system: value types, function types, limits, and the types of
// tables, memories and globals (spec section 2.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <lunatic/val_type.hpp>

namespace lunatic::wasm {

/// Value types, with their binary encoding as the enumerator value (lunatic/val_type.hpp).
using ::lunatic::ValType;

inline bool is_reference(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool is_number(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}
/// Decodes a value-type byte; nullopt for any other byte.
std::optional<ValType> val_type_from_byte(uint8_t byte);
const char* val_type_name(ValType t);  ///< "i32", "funcref", ...

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  bool operator==(const FuncType&) const = default;
  std::string to_string() const;  ///< "(i32 i64) -> (f32)"
};

struct Limits {
  uint32_t min = 0;
  std::optional<uint32_t> max;

  bool operator==(const Limits&) const = default;
};

struct TableType {
  ValType element = ValType::FuncRef;
  Limits limits;

  bool operator==(const TableType&) const = default;
};

struct MemoryType {
  Limits limits;  ///< in pages of 64 KiB

  bool operator==(const MemoryType&) const = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool is_mutable = false;

  bool operator==(const GlobalType&) const = default;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* extern_kind_name(ExternKind k);

constexpr uint32_t kPageSize = 65536;
constexpr uint32_t kMaxPages = 65536;  ///< 4 GiB, the wasm32 address space

/// The type of a block: no results, one value type, or a function type index (multi-value).
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex };
  Kind kind = Kind::Empty;
  ValType value = ValType::I32;  ///< when kind == Value
  uint32_t type_index = 0;       ///< when kind == TypeIndex
};

}  // namespace lunatic::wasm
