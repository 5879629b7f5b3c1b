// Executing script commands and judging them (see runner.hpp). Error texts are matched as
// prefixes: the engine may say more than the script expects, never something else.
#include "spec/runner.hpp"

#include <cstdio>
#include <string_view>

#include "spec/script_context.hpp"

namespace lunatic::spec {
namespace {

using text::Command;
using text::CommandType;

struct Verdict {
  Outcome outcome = Outcome::Pass;
  std::string why;      ///< for Fail
  std::string warning;  ///< a Pass that differs in detail (phase or message)
};

Verdict pass(std::string warning = {}) { return {Outcome::Pass, {}, std::move(warning)}; }
Verdict fail(std::string why) { return {Outcome::Fail, std::move(why), {}}; }

bool message_matches(std::string_view actual, std::string_view expected) {
  return actual.starts_with(expected);
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string describe_values(const std::vector<Value>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + describe(values[i]);
  return out + ")";
}

std::string describe_action(const Action& action) {
  std::string out = action.type == Action::Type::Get ? "get " : "invoke ";
  if (!action.module.empty()) out += action.module + " ";
  out += in_quotes(action.field);
  if (action.type == Action::Type::Invoke) {
    out += "(";
    for (size_t i = 0; i < action.args.size(); ++i) {
      out += (i ? ", " : "") + describe(action.args[i]);
    }
    out += ")";
  }
  return out;
}

Verdict run_module(ScriptContext& ctx, const Command& cmd) {
  const std::string& name = cmd.module->name;
  auto compiled = ctx.compile_module(*cmd.module);
  if (!compiled) {
    ctx.define(nullptr, name);
    return fail("module did not compile: " + compiled.error().to_string());
  }
  auto instance = ctx.instantiate(std::move(*compiled));
  if (!instance) {
    ctx.define(nullptr, name);
    return fail("module did not instantiate: " + instance.error().to_string());
  }
  ctx.define(*instance, name);
  return pass();
}

Verdict run_assert_return(ScriptContext& ctx, const Command& cmd) {
  auto result = ctx.perform(*cmd.action);
  if (!result) return fail(result.error().message);
  if (result->trapped) return fail("trapped: " + result->trap.message);
  const std::vector<Value>& got = result->values;
  if (cmd.type == CommandType::Action) return pass();
  if (got.size() != cmd.expected.size()) {
    return fail("expected " + std::to_string(cmd.expected.size()) + " results, got " +
                describe_values(got));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!matches(cmd.expected[i], got[i])) {
      return fail("result " + std::to_string(i) + ": expected " + describe(cmd.expected[i]) +
                  ", got " + describe(got[i]));
    }
  }
  return pass();
}

Verdict run_assert_trap(ScriptContext& ctx, const Command& cmd) {
  auto result = ctx.perform(*cmd.action);
  if (!result) return fail(result.error().message);
  if (!result->trapped) {
    return fail("returned " + describe_values(result->values) + ", expected trap " +
                in_quotes(cmd.text));
  }
  if (!message_matches(result->trap.message, cmd.text)) {
    return fail("trapped with " + in_quotes(result->trap.message) + ", expected " +
                in_quotes(cmd.text));
  }
  return pass();
}

/// A module the engine had to reject: either phase passes; the expected phase and message are
/// checked only for a warning, since the decoder and validator may reasonably split some
/// checks differently from the reference interpreter.
Verdict judge_rejection(const Result<std::shared_ptr<const CompiledModule>>& compiled,
                        const Command& cmd, Phase expected_phase) {
  if (compiled) {
    return fail("module compiled, expected " + std::string(phase_name(expected_phase)) + " " +
                in_quotes(cmd.text));
  }
  const Error& e = compiled.error();
  if (e.phase != Phase::Decode && e.phase != Phase::Validate) return fail(e.to_string());
  if (e.phase != expected_phase || !message_matches(e.message, cmd.text)) {
    return pass("got " + e.to_string() + ", expected " + phase_name(expected_phase) + ": " +
                in_quotes(cmd.text));
  }
  return pass();
}

/// assert_malformed. A binary module must not compile (see judge_rejection). A text or quote
/// module is malformed text: it must fail to parse, or its binary fail to decode; one the
/// validator is first to reject got through the text parser, which is a failure.
Verdict run_assert_malformed(ScriptContext& ctx, const Command& cmd) {
  const text::ScriptModule& module = *cmd.module;
  if (module.form == text::ScriptModule::Form::Binary) {
    return judge_rejection(ctx.compile_module(module), cmd, Phase::Decode);
  }
  auto bytes = text::module_binary(module);
  if (!bytes) {
    if (message_matches(bytes.error().message, cmd.text)) return pass();
    return pass("text parser said " + in_quotes(bytes.error().message) + " at " +
                bytes.error().context + ", expected " + in_quotes(cmd.text));
  }
  auto compiled = compile(*bytes);
  if (!compiled && compiled.error().phase == Phase::Decode) {
    return pass("the text parsed; the decoder rejected it: " + compiled.error().to_string() +
                ", expected " + in_quotes(cmd.text));
  }
  std::string got = compiled ? "it compiled" : "got " + compiled.error().to_string();
  return fail("malformed text module parsed (" + got + "), expected " + in_quotes(cmd.text));
}

/// assert_invalid: the module (text modules are parsed first, which must succeed) must not
/// compile (see judge_rejection).
Verdict run_assert_invalid(const Command& cmd) {
  auto bytes = text::module_binary(*cmd.module);
  if (!bytes) {
    return fail("invalid module does not parse: " + bytes.error().to_string() + ", expected " +
                in_quotes(cmd.text));
  }
  return judge_rejection(compile(*bytes), cmd, Phase::Validate);
}

/// assert_unlinkable (Phase::Link), and assert_uninstantiable or assert_trap on a module
/// (Phase::Instantiate, or a trap in the start function): the module is valid, its
/// instantiation must fail in that phase.
Verdict run_assert_not_instantiable(ScriptContext& ctx, const Command& cmd) {
  bool want_link = cmd.type == CommandType::AssertUnlinkable;
  auto compiled = ctx.compile_module(*cmd.module);
  if (!compiled) return fail("module did not compile: " + compiled.error().to_string());
  auto instance = ctx.instantiate(std::move(*compiled));
  std::string expected =
      std::string(want_link ? "link error" : "instantiation error") + " " + in_quotes(cmd.text);
  if (instance) return fail("module instantiated, expected " + expected);
  const Error& e = instance.error();
  bool phase_ok = want_link ? e.phase == Phase::Link
                            : (e.phase == Phase::Instantiate || e.phase == Phase::Trap);
  if (!phase_ok) return fail("got " + e.to_string() + ", expected " + expected);
  if (!message_matches(e.message, cmd.text))
    return pass("got " + e.to_string() + ", expected " + expected);
  return pass();
}

Verdict execute(ScriptContext& ctx, const Command& cmd) {
  switch (cmd.type) {
    case CommandType::Module: return run_module(ctx, cmd);
    case CommandType::Register: {
      auto r = ctx.register_as(cmd.name, cmd.as);
      return r ? pass() : fail(r.error().message);
    }
    case CommandType::Action:
    case CommandType::AssertReturn: return run_assert_return(ctx, cmd);
    case CommandType::AssertTrap:
      // On a module (wast2json calls it assert_uninstantiable): its instantiation must trap.
      if (cmd.module) return run_assert_not_instantiable(ctx, cmd);
      return run_assert_trap(ctx, cmd);
    case CommandType::AssertExhaustion: return run_assert_trap(ctx, cmd);
    case CommandType::AssertMalformed: return run_assert_malformed(ctx, cmd);
    case CommandType::AssertInvalid: return run_assert_invalid(cmd);
    case CommandType::AssertUnlinkable:
    case CommandType::AssertUninstantiable: return run_assert_not_instantiable(ctx, cmd);
  }
  return fail("unknown command type");
}

std::string describe_command(const Command& cmd) {
  std::string out = text::command_type_name(cmd.type);
  if (cmd.action) out += " " + describe_action(*cmd.action);
  if (cmd.module && !cmd.module->name.empty()) out += " " + cmd.module->name;
  return out;
}

}  // namespace

bool is_assertion(CommandType type) {
  switch (type) {
    case CommandType::Module:
    case CommandType::Register:
    case CommandType::Action: return false;
    default: return true;
  }
}

uint64_t count_assertions(const text::Script& script) {
  uint64_t n = 0;
  for (const Command& cmd : script.commands) n += is_assertion(cmd.type) ? 1 : 0;
  return n;
}

void Tally::add(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: ++passed; break;
    case Outcome::Fail: ++failed; break;
    case Outcome::Skip: ++skipped; break;
    case Outcome::NativeModule: ++native_modules; break;
    case Outcome::InterpretedModule: ++interpreted_modules; break;
  }
}

Tally& Tally::operator+=(const Tally& other) {
  passed += other.passed;
  failed += other.failed;
  skipped += other.skipped;
  native_modules += other.native_modules;
  interpreted_modules += other.interpreted_modules;
  return *this;
}

std::string Tally::to_string() const {
  std::string out = std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
                    std::to_string(skipped) + " skipped";
  if (native_modules + interpreted_modules != 0) {
    out += ", " + std::to_string(native_modules) + " modules native, " +
           std::to_string(interpreted_modules) + " interpreted";
  }
  return out;
}

ScriptRunner::ScriptRunner(MemoryPool& pool, const SkipList& skips, std::string file_name,
                           const RunnerOptions& options, Recorder record)
    : skips_(skips),
      file_name_(std::move(file_name)),
      options_(options),
      pool_(pool),
      record_(std::move(record)) {}

void ScriptRunner::run(const text::Script& script) {
  ScriptContext ctx(pool_, options_.action_timeout, /*echo_prints=*/false, options_.tier,
                    options_.verbose, options_.cache_dir);
  for (const Command& cmd : script.commands) {
    Verdict verdict = execute(ctx, cmd);
    std::string where = file_name_ + ":" + std::to_string(cmd.line) + ": ";
    if (const SkipEntry* entry = skips_.match_command(file_name_, cmd.line)) {
      // Commands the list names still run, so a fix is noticed and the entry removed.
      if (verdict.outcome == Outcome::Pass) {
        std::printf("%sskip list entry %s passes now: remove it\n", where.c_str(),
                    entry->pattern.c_str());
        record_(Outcome::Fail);
      } else {
        record_(Outcome::Skip);
      }
      continue;
    }
    if (options_.verbose) {
      if (verdict.outcome == Outcome::Fail) {
        std::printf("%sFAIL %s: %s\n", where.c_str(), describe_command(cmd).c_str(),
                    verdict.why.c_str());
      } else if (!verdict.warning.empty()) {
        std::printf("%swarning: %s: %s\n", where.c_str(), describe_command(cmd).c_str(),
                    verdict.warning.c_str());
      }
    }
    // A module, register or action that works is a step, not an assertion: not counted.
    if (is_assertion(cmd.type) || verdict.outcome == Outcome::Fail) record_(verdict.outcome);
  }
  const tiering::Compiler& compiler = ctx.compiler();
  const bool baseline = options_.tier == tiering::Tier::Baseline;
  if (baseline || options_.tier == tiering::Tier::Compiled) {
    const uint64_t native = baseline ? compiler.baseline_compiled() : compiler.llvm_compiled();
    const uint64_t refused = baseline ? compiler.baseline_refused() : compiler.llvm_refused();
    for (uint64_t i = 0; i < native; ++i) record_(Outcome::NativeModule);
    for (uint64_t i = 0; i < refused; ++i) record_(Outcome::InterpretedModule);
  }
}

}  // namespace lunatic::spec
