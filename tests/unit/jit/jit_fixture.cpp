// The compiled tier's test harness (jit_fixture.hpp).
#include "jit_fixture.hpp"

#include <cmath>
#include <sstream>

#include "engine/thread.hpp"
#include "text/text.hpp"

namespace lunatic::jit::testing {

namespace {

constexpr uint32_t kMaxDepth = 500;

engine::Function* export_function(engine::Instance* instance, std::string_view name) {
  std::optional<engine::Extern> e = instance->find_export(name);
  return e ? e->func() : nullptr;
}

}  // namespace

std::string Outcome::to_string(bool any_quiet_nan) const {
  if (trapped) return "trap: " + trap;
  std::ostringstream out;
  // Exact bits: NaN payloads and signs of zero must match too.
  for (const engine::Value& v : results) {
    const bool quiet_nan =
        (v.type == wasm::ValType::F32 && std::isnan(v.as_f32()) && (v.bits & 0x400000) != 0) ||
        (v.type == wasm::ValType::F64 && std::isnan(v.as_f64()) && (v.bits >> 51 & 1) != 0);
    if (any_quiet_nan && quiet_nan) {
      out << wasm::val_type_name(v.type) << ":quiet-nan ";
      continue;
    }
    out << wasm::val_type_name(v.type) << ":0x" << std::hex << v.bits << std::dec << " ";
  }
  return out.str();
}

JitHarness::JitHarness(std::string_view wat, unsigned opt_level,
                       std::vector<engine::Extern> imports) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  if (!bytes.ok()) return;
  auto interpreted = engine::compile(*bytes);
  auto compiled = engine::compile(*bytes);
  EXPECT_TRUE(interpreted.ok() && compiled.ok());
  if (!interpreted.ok() || !compiled.ok()) return;
  module_ = *interpreted;
  native_module_ = *compiled;
  auto native = attach_native(*native_module_, CompileOptions{.opt_level = opt_level});
  EXPECT_TRUE(native.ok()) << native.error().to_string() << " " << native.error().context;
  if (!native.ok()) return;
  auto a = store_.instantiate(native_module_, imports);
  auto b = store_.instantiate(module_, imports);
  EXPECT_TRUE(a.ok() && b.ok());
  if (!a.ok() || !b.ok()) return;
  code_ = &native_tier_of(*native_module_)->code();
  jit_instance_ = *a;
  interp_instance_ = *b;
  // A context for direct calls of typed entries (no helpers: no runtime behind it).
  shadow_.assign(kMaxDepth + 1, 0);
  ctx_.instance = jit_instance_;
  ctx_.globals = jit_instance_->globals.data();
  ctx_.functions = jit_instance_->functions.data();
  ctx_.defined_base = jit_instance_->defined_functions.data();
  ctx_.defined_count = native_module_->wasm.functions.size();
  ctx_.typed_entries = code_->typed_table();
  ctx_.types = native_module_->wasm.types.data();
  ctx_.max_depth = kMaxDepth;
  ctx_.max_slots = engine::ThreadLimits{}.max_stack_slots;
  ctx_.shadow = shadow_.data();
  if (!jit_instance_->memories.empty()) {
    ctx_.memory_base = jit_instance_->memories[0]->data();
    ctx_.memory_size = jit_instance_->memories[0]->size_bytes();
  }
}

JitHarness::~JitHarness() = default;

Outcome JitHarness::run(engine::Instance* instance, std::string_view name,
                        const std::vector<engine::Value>& args, uint64_t fuel) {
  Outcome out;
  engine::Function* fn = export_function(instance, name);
  EXPECT_NE(fn, nullptr) << name;
  if (fn == nullptr) return out;
  engine::Thread thread(store_, engine::ThreadLimits{.max_call_depth = kMaxDepth});
  thread.set_fuel(fuel);
  auto results = thread.call(fn, args);
  if (!results.ok()) {
    out.trapped = true;
    out.trap = results.error().message;
    if (instance == jit_instance_) last_trap_ = thread.trap();
    return out;
  }
  out.results = *results;
  out.fuel = fuel - thread.fuel().value_or(0);
  return out;
}

Outcome JitHarness::run_compiled(std::string_view name, const std::vector<engine::Value>& args,
                                 uint64_t fuel) {
  return run(jit_instance_, name, args, fuel);
}

Outcome JitHarness::run_interpreted(std::string_view name, const std::vector<engine::Value>& args) {
  return run(interp_instance_, name, args, uint64_t{1} << 40);
}

void JitHarness::expect_same(std::string_view name, const std::vector<engine::Value>& args,
                             NanRule nans) {
  const Outcome compiled = run_compiled(name, args);
  const Outcome interpreted = run_interpreted(name, args);
  std::string call = std::string(name) + "(";
  for (const engine::Value& v : args) call += v.to_string() + " ";
  call += ")";
  if (interpreted.trapped && compiled.trapped) {
    EXPECT_EQ(compiled.trap, interpreted.trap) << call;
    return;
  }
  const bool any = nans == NanRule::AnyQuiet;
  EXPECT_EQ(compiled.to_string(any), interpreted.to_string(any)) << call;
  if (!compiled.trapped && !interpreted.trapped) {
    EXPECT_EQ(compiled.fuel, interpreted.fuel) << call << ": fuel";
  }
}

}  // namespace lunatic::jit::testing
