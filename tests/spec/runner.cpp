// Executing script commands and judging them (see runner.hpp). Error texts are matched as
// prefixes: the engine may say more than the script expects, never something else.
#include "spec/runner.hpp"

#include <cstdio>
#include <string_view>

#include "spec/script_context.hpp"

namespace lunatic::spec {
namespace {

struct Verdict {
  Outcome outcome = Outcome::Pass;
  std::string why;      ///< for Fail and Skip
  std::string warning;  ///< a Pass that differs in detail (phase or message)
};

Verdict pass(std::string warning = {}) { return {Outcome::Pass, {}, std::move(warning)}; }
Verdict fail(std::string why) { return {Outcome::Fail, std::move(why), {}}; }
Verdict skip(std::string why) { return {Outcome::Skip, std::move(why), {}}; }

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
  auto compiled = ctx.compile_file(cmd.filename);
  if (!compiled) {
    ctx.define(nullptr, cmd.name);
    return fail("module did not compile: " + compiled.error().to_string());
  }
  auto instance = ctx.instantiate(std::move(*compiled));
  if (!instance) {
    ctx.define(nullptr, cmd.name);
    return fail("module did not instantiate: " + instance.error().to_string());
  }
  ctx.define(*instance, cmd.name);
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

/// assert_malformed / assert_invalid: the binary must not compile. Either phase passes; the
/// expected phase and message are checked only for a warning, since the decoder and validator
/// may reasonably split some checks differently from the reference interpreter.
Verdict run_assert_rejected(ScriptContext& ctx, const Command& cmd, Phase expected_phase) {
  if (cmd.text_module) return skip("text format");
  auto compiled = ctx.compile_file(cmd.filename);
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

/// assert_unlinkable (Phase::Link) and assert_uninstantiable (Phase::Instantiate, or a trap in
/// the start function): the module is valid, its instantiation must fail in that phase.
Verdict run_assert_not_instantiable(ScriptContext& ctx, const Command& cmd) {
  bool want_link = cmd.type == CommandType::AssertUnlinkable;
  auto compiled = ctx.compile_file(cmd.filename);
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
    case CommandType::AssertExhaustion: return run_assert_trap(ctx, cmd);
    case CommandType::AssertMalformed: return run_assert_rejected(ctx, cmd, Phase::Decode);
    case CommandType::AssertInvalid: return run_assert_rejected(ctx, cmd, Phase::Validate);
    case CommandType::AssertUnlinkable:
    case CommandType::AssertUninstantiable: return run_assert_not_instantiable(ctx, cmd);
    case CommandType::Unknown: break;
  }
  return fail("unknown command type " + in_quotes(cmd.type_name));
}

std::string describe_command(const Command& cmd) {
  std::string out = cmd.type == CommandType::Unknown ? cmd.type_name : command_type_name(cmd.type);
  if (cmd.action) out += " " + describe_action(*cmd.action);
  if (!cmd.filename.empty()) out += " " + cmd.filename;
  return out;
}

}  // namespace

void Tally::add(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass: ++passed; break;
    case Outcome::Fail: ++failed; break;
    case Outcome::Skip: ++skipped; break;
  }
}

Tally& Tally::operator+=(const Tally& other) {
  passed += other.passed;
  failed += other.failed;
  skipped += other.skipped;
  return *this;
}

std::string Tally::to_string() const {
  return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
         std::to_string(skipped) + " skipped";
}

ScriptRunner::ScriptRunner(MemoryPool& pool, const SkipList& skips, std::string file_name,
                           std::filesystem::path module_dir, const RunnerOptions& options,
                           Recorder record)
    : skips_(skips),
      file_name_(std::move(file_name)),
      module_dir_(std::move(module_dir)),
      options_(options),
      pool_(pool),
      record_(std::move(record)) {}

void ScriptRunner::run(const Script& script) {
  ScriptContext ctx(pool_, module_dir_, options_.action_timeout, /*echo_prints=*/false);
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
    record_(verdict.outcome);
  }
}

}  // namespace lunatic::spec
