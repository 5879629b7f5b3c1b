// Loading wast2json's command list (see script_loader.hpp). nlohmann-json is used in its
// non-throwing mode: parse errors are values and every field is type-checked before use.
#include "spec/script_loader.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace lunatic::spec {
namespace {

using nlohmann::json;

struct TypeName {
  const char* name;
  CommandType type;
};
constexpr TypeName kCommandTypes[] = {
    {"module", CommandType::Module},
    {"register", CommandType::Register},
    {"action", CommandType::Action},
    {"assert_return", CommandType::AssertReturn},
    {"assert_trap", CommandType::AssertTrap},
    {"assert_exhaustion", CommandType::AssertExhaustion},
    {"assert_malformed", CommandType::AssertMalformed},
    {"assert_invalid", CommandType::AssertInvalid},
    {"assert_unlinkable", CommandType::AssertUnlinkable},
    {"assert_uninstantiable", CommandType::AssertUninstantiable},
};

Error bad(uint32_t line, const std::string& message) {
  return Error(Phase::Usage, "line " + std::to_string(line) + ": " + message);
}

/// An optional string field: "" when absent, an error when present with another type.
Result<std::string> string_field(const json& object, const char* key, uint32_t line) {
  auto it = object.find(key);
  if (it == object.end()) return std::string();
  if (!it->is_string()) return bad(line, std::string("field '") + key + "' is not a string");
  return it->get<std::string>();
}

Result<std::vector<ScriptValue>> value_list(const json& object, const char* key, uint32_t line) {
  std::vector<ScriptValue> out;
  auto it = object.find(key);
  if (it == object.end()) return out;
  if (!it->is_array()) return bad(line, std::string("field '") + key + "' is not a list");
  out.reserve(it->size());
  for (const json& item : *it) {
    Result<ScriptValue> v = parse_value(item);
    if (!v) return bad(line, v.error().message);
    out.push_back(*v);
  }
  return out;
}

Result<Action> parse_action(const json& object, uint32_t line) {
  if (!object.is_object()) return bad(line, "action is not an object");
  Action action;
  std::string type = TRY(string_field(object, "type", line));
  if (type == "invoke") {
    action.type = Action::Type::Invoke;
  } else if (type == "get") {
    action.type = Action::Type::Get;
  } else {
    return bad(line, "unknown action type '" + type + "'");
  }
  action.module = TRY(string_field(object, "module", line));
  action.field = TRY(string_field(object, "field", line));
  action.args = TRY(value_list(object, "args", line));
  return action;
}

Result<Command> parse_command(const json& object) {
  if (!object.is_object()) return bad(0, "command is not an object");
  Command command;
  auto line_it = object.find("line");
  if (line_it != object.end() && line_it->is_number_unsigned() &&
      line_it->get<uint64_t>() <= UINT32_MAX) {
    command.line = static_cast<uint32_t>(line_it->get<uint64_t>());
  }
  uint32_t line = command.line;
  command.type_name = TRY(string_field(object, "type", line));
  for (const TypeName& t : kCommandTypes) {
    if (command.type_name == t.name) command.type = t.type;
  }
  command.name = TRY(string_field(object, "name", line));
  command.as = TRY(string_field(object, "as", line));
  command.filename = TRY(string_field(object, "filename", line));
  command.text = TRY(string_field(object, "text", line));
  command.text_module = TRY(string_field(object, "module_type", line)) == "text";
  // Only assert_return's expectations are values; wast2json gives assert_trap result types
  // without values, which the runner does not need.
  if (command.type == CommandType::AssertReturn || command.type == CommandType::Action) {
    command.expected = TRY(value_list(object, "expected", line));
  }
  auto action_it = object.find("action");
  if (action_it != object.end()) command.action = TRY(parse_action(*action_it, line));

  // The fields each kind needs, so the runner can rely on them.
  bool needs_action =
      command.type == CommandType::Action || command.type == CommandType::AssertReturn ||
      command.type == CommandType::AssertTrap || command.type == CommandType::AssertExhaustion;
  if (needs_action && !command.action) return bad(line, command.type_name + " without an action");
  bool needs_file =
      command.type == CommandType::Module || command.type == CommandType::AssertMalformed ||
      command.type == CommandType::AssertInvalid || command.type == CommandType::AssertUnlinkable ||
      command.type == CommandType::AssertUninstantiable;
  if (needs_file && command.filename.empty()) {
    return bad(line, command.type_name + " without a filename");
  }
  if (command.type == CommandType::Register && command.as.empty()) {
    return bad(line, "register without 'as'");
  }
  return command;
}

}  // namespace

const char* command_type_name(CommandType type) {
  for (const TypeName& t : kCommandTypes) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

Result<Script> parse_script(std::string_view json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Error(Phase::Usage, "not valid JSON");
  if (!root.is_object()) return Error(Phase::Usage, "the script is not a JSON object");
  Script script;
  script.source_filename = TRY(string_field(root, "source_filename", 0));
  auto commands = root.find("commands");
  if (commands == root.end() || !commands->is_array()) {
    return Error(Phase::Usage, "the script has no command list");
  }
  script.commands.reserve(commands->size());
  for (const json& item : *commands) script.commands.push_back(TRY(parse_command(item)));
  return script;
}

Result<Script> load_script(const std::filesystem::path& json_file) {
  std::ifstream in(json_file, std::ios::binary);
  if (!in) return Error(Phase::Host, "cannot open " + json_file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return Error(Phase::Host, "cannot read " + json_file.string());
  return parse_script(text.str());
}

}  // namespace lunatic::spec
