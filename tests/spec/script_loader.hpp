// A spec script as wast2json writes it: the JSON command list, loaded into plain structs so the
// runner never touches JSON.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "spec/values.hpp"

namespace lunatic::spec {

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
  Unknown,  ///< a command kind this runner does not know; it counts as failed
};

/// The name of a command type as the JSON spells it ("assert_return").
const char* command_type_name(CommandType type);

/// An invoke of an exported function or a get of an exported global.
struct Action {
  enum class Type : uint8_t { Invoke, Get };
  Type type = Type::Invoke;
  std::string module;  ///< "$name" of the target module; empty: the last module
  std::string field;   ///< the export's name
  std::vector<ScriptValue> args;
};

struct Command {
  CommandType type = CommandType::Unknown;
  std::string type_name;     ///< as written in the JSON (for Unknown)
  uint32_t line = 0;         ///< in the .wast file
  std::string name;          ///< module: its "$name"; register: the module registered ("" = last)
  std::string as;            ///< register: the name imports use
  std::string filename;      ///< module files, relative to the JSON's folder
  bool text_module = false;  ///< assert_malformed/invalid on a .wat file (module_type "text")
  std::string text;          ///< the expected error or trap message
  std::optional<Action> action;
  std::vector<ScriptValue> expected;
};

struct Script {
  std::string source_filename;
  std::vector<Command> commands;
};

/// Parses wast2json output. Errors (Phase::Usage) for JSON that is not a command list or has
/// a command with missing or mistyped fields.
Result<Script> parse_script(std::string_view json_text);

/// Reads and parses a JSON file.
Result<Script> load_script(const std::filesystem::path& json_file);

}  // namespace lunatic::spec
