// The WebAssembly text format (spec chapter 6) and the .wast script format of the spec suite:
// text modules are encoded straight to the binary format, so the decoder and validator treat
// text and binary modules identically.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "wasm/features.hpp"
#include "wasm/types.hpp"

namespace lunatic::text {

/// Encodes a text module to the binary format. Accepts `(module ...)` (also the `binary` and
/// `quote` forms) or a bare list of module fields. Errors are Phase::Decode with the spec
/// interpreter's wording ("unexpected token", "unknown operator", "alignment", ...) and
/// "line:column" in `context`. Index and type checks that the validator makes are left to it.
/// An instruction, value type or block type of a proposal that `features` lacks is an error
/// at its token ("SIMD is disabled (feature simd)"); what only the binary shows (segment forms,
/// several results of a function type, several tables) is left to the decoder and validator,
/// given the same features.
Result<std::vector<uint8_t>> parse_module(std::string_view wat,
                                          const wasm::Features& features = {});

/// What an argument or expected result of a script stands for.
enum class ValueKind : uint8_t {
  Exact,          ///< `bits` must match exactly (numbers)
  NanCanonical,   ///< f32/f64 `nan:canonical`
  NanArithmetic,  ///< f32/f64 `nan:arithmetic`
  RefNull,        ///< `ref.null func|extern`
  RefExtern,      ///< `ref.extern N`: `bits` = N
  RefFunc,        ///< `ref.func` (expected only): any non-null funcref
  Unsupported,    ///< never matches (kept for values a runner cannot express)
};

/// One value of a script: numbers as raw bits (f32 in the low 32 bits), as in the JSON of
/// wast2json.
struct ScriptValue {
  wasm::ValType type = wasm::ValType::I32;
  ValueKind kind = ValueKind::Exact;
  uint64_t bits = 0;
  uint64_t hi = 0;  ///< v128: bytes 8..15 (`bits` holds bytes 0..7, little-endian)
  /// v128 with `nan:canonical`/`nan:arithmetic` lanes (expected only, f32x4 or f64x2): the
  /// lane count and each lane's kind, an Exact lane's bits in place in bits/hi. 0: all 128
  /// bits are exact.
  uint8_t pattern_lanes = 0;
  std::array<ValueKind, 4> lane_kinds{};
};

/// A module definition of a script.
struct ScriptModule {
  enum class Form : uint8_t {
    Binary,  ///< `bytes` hold the module (text modules outside assert_malformed/invalid are
             ///< encoded when the script is parsed, and `(module binary ...)` is this too)
    Text,    ///< `text` is the unparsed `(module ...)` source (assert_malformed/invalid, or
             ///< a module that did not encode: module_binary gives its error)
    Quote,   ///< `text` is the concatenation of the `(module quote ...)` strings
  };
  Form form = Form::Binary;
  std::string name;  ///< "$name", or empty
  std::vector<uint8_t> bytes;
  std::string text;
};

/// The binary of a script module: `bytes`, or the result of parse_module on `text`.
Result<std::vector<uint8_t>> module_binary(const ScriptModule& module);

/// `(invoke $M? "name" const*)` or `(get $M? "name")`.
struct Action {
  enum class Type : uint8_t { Invoke, Get };
  Type type = Type::Invoke;
  std::string module;  ///< "$name" of the target module; empty: the last module
  std::string field;   ///< the export's name
  std::vector<ScriptValue> args;
};

enum class CommandType : uint8_t {
  Module,
  Register,
  Action,
  AssertReturn,
  AssertTrap,
  AssertExhaustion,
  AssertMalformed,
  AssertInvalid,
  AssertUnlinkable,
  AssertUninstantiable,
};

/// The name of a command type as the script spells it ("assert_return").
const char* command_type_name(CommandType type);

/// One command, shaped like the JSON of wast2json.
struct Command {
  CommandType type = CommandType::Module;
  uint32_t line = 0;                   ///< 1-based line in the .wast file
  std::string name;                    ///< register: the module registered ("$M", "" = last)
  std::string as;                      ///< register: the name imports use
  std::optional<ScriptModule> module;  ///< module, assert_malformed/invalid/unlinkable/...,
                                       ///< assert_trap on a module
  std::optional<Action> action;        ///< action, assert_return/trap/exhaustion
  std::string text;                    ///< the expected error or trap message
  std::vector<ScriptValue> expected;   ///< assert_return
};

struct Script {
  std::vector<Command> commands;
};

/// Parses a .wast script. Errors (Phase::Decode, "line:column" in context) for malformed
/// script syntax (unbalanced parentheses, bad values, unknown commands) or a bare-module script
/// that does not encode. A `(module ...)` command that does not encode is kept as Form::Text,
/// so that one bad module fails its own command, not the whole script.
Result<Script> parse_script(std::string_view wast);

}  // namespace lunatic::text
