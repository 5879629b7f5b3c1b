// Spawns that Erlang processes ask for (remote_spawn.hpp): spawn(Node, Name, Function, Args)
// runs an export of the module the node offers under Name, its arguments read from Erlang
// terms by the export's parameter types. The request and its answer are remote_spawn.cpp's.
#include <cstdint>
#include <limits>

#include "dist/etf.hpp"
#include "dist/node.hpp"
#include "dist/remote_spawn.hpp"

namespace lunatic::dist {
namespace {

/// A number of an argument list: an integer, or a float.
struct Number {
  bool is_float = false;
  int64_t integer = 0;
  double real = 0;
};

/// The next term of `r` as a Number, or nullopt if it is neither.
std::optional<Number> read_number(EtfReader& r) {
  Number n;
  EtfReader as_integer = r;
  if (as_integer.integer(n.integer)) {
    r = as_integer;
    return n;
  }
  n.is_float = true;
  if (!r.float64(n.real)) return std::nullopt;
  return n;
}

/// `n` as a parameter of type `type`, or nullopt.
std::optional<engine::Value> argument(const Number& n, wasm::ValType type) {
  switch (type) {
    case wasm::ValType::I32:
      if (n.is_float || n.integer < std::numeric_limits<int32_t>::min() ||
          n.integer > std::numeric_limits<uint32_t>::max()) {
        return std::nullopt;
      }
      return engine::Value::i32(static_cast<int32_t>(static_cast<uint32_t>(n.integer)));
    case wasm::ValType::I64:
      if (n.is_float) return std::nullopt;
      return engine::Value::i64(n.integer);
    case wasm::ValType::F32:
    case wasm::ValType::F64: {
      const double real = n.is_float ? n.real : static_cast<double>(n.integer);
      if (type == wasm::ValType::F32) return engine::Value::f32(static_cast<float>(real));
      return engine::Value::f64(real);
    }
    default: return std::nullopt;  // v128 and references have no Erlang term
  }
}

}  // namespace

std::optional<std::vector<engine::Value>> erlang_arguments(const wasm::Module& module,
                                                           const std::string& function,
                                                           size_t arity,
                                                           std::span<const uint8_t> arg_list) {
  const wasm::Export* found = module.find_export(function);
  if (found == nullptr || found->kind != wasm::ExternKind::Func) return std::nullopt;
  const wasm::FuncType& type = module.function_type(found->index);
  if (type.params.size() != arity || arity > kMaxSpawnArgs) return std::nullopt;
  EtfReader r(arg_list);
  if (!r.version()) return std::nullopt;
  std::vector<Number> numbers;
  // Erlang writes a list of integers 0..255 as STRING_EXT.
  EtfReader as_string = r;
  std::span<const uint8_t> small;
  if (as_string.string(small)) {
    for (uint8_t byte : small) numbers.push_back(Number{.integer = byte});
    r = as_string;
  } else {
    uint32_t count = 0;
    bool nil = false;
    if (!r.list_header(count, nil) || count > kMaxSpawnArgs) return std::nullopt;
    for (uint32_t i = 0; i < count; ++i) {
      std::optional<Number> n = read_number(r);
      if (!n) return std::nullopt;
      numbers.push_back(*n);
    }
    if (!nil) {  // a proper list ends with NIL_EXT
      uint32_t tail = 0;
      bool tail_nil = false;
      if (!r.list_header(tail, tail_nil) || !tail_nil) return std::nullopt;
    }
  }
  if (!r.at_end() || numbers.size() != arity) return std::nullopt;
  std::vector<engine::Value> values;
  for (size_t i = 0; i < arity; ++i) {
    std::optional<engine::Value> v = argument(numbers[i], type.params[i]);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  return values;
}

void Node::set_home_module(std::string name, std::shared_ptr<const engine::CompiledModule> module) {
  std::lock_guard lock(mutex_);
  home_name_ = std::move(name);
  home_module_ = std::move(module);
}

std::shared_ptr<const engine::CompiledModule> Node::home_module(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return name == home_name_ && name != kSpawnModuleAtom ? home_module_ : nullptr;
}

}  // namespace lunatic::dist
