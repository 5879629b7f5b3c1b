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
  auto compiled = engine::compile(*bytes);
  EXPECT_TRUE(compiled.ok()) << compiled.error().to_string();
  if (!compiled.ok()) return;
  EXPECT_TRUE(init(*compiled, opt_level, imports));
}

JitHarness::JitHarness(std::shared_ptr<const engine::CompiledModule> module, unsigned opt_level) {
  init(std::move(module), opt_level, {});
}

bool JitHarness::init(std::shared_ptr<const engine::CompiledModule> module, unsigned opt_level,
                      const std::vector<engine::Extern>& imports) {
  module_ = std::move(module);
  auto native = compile_native(*module_, CompileOptions{opt_level});
  EXPECT_TRUE(native.ok()) << native.error().to_string() << " " << native.error().context;
  if (!native.ok()) return false;
  auto a = store_.instantiate(module_, imports);
  auto b = store_.instantiate(module_, imports);
  if (!a.ok() || !b.ok()) return false;
  code_ = std::move(*native);
  jit_instance_ = *a;
  interp_instance_ = *b;
  shadow_.assign(kMaxDepth + 1, 0);
  ctx_.instance = jit_instance_;
  ctx_.defined_base = jit_instance_->defined_functions.get();
  ctx_.defined_count = module_->wasm.functions.size();
  ctx_.typed_entries = code_->typed_table();
  ctx_.types = module_->wasm.types.data();
  ctx_.max_depth = kMaxDepth;
  ctx_.shadow = shadow_.data();
  ctx_.stack_limit = 0;
  refresh_context(ctx_);
  return true;
}

JitHarness::~JitHarness() = default;

Outcome JitHarness::run_compiled(std::string_view name, const std::vector<engine::Value>& args,
                                 int64_t budget) {
  Outcome out;
  engine::Function* fn = export_function(jit_instance_, name);
  EXPECT_NE(fn, nullptr) << name;
  if (fn == nullptr) return out;
  const uint32_t defined = static_cast<uint32_t>(fn - jit_instance_->defined_functions.get());
  std::vector<Slot> slots(std::max(args.size(), fn->type->results.size()) + 1);
  for (size_t i = 0; i < args.size(); ++i) slots[i] = args[i].bits;
  ctx_.depth = 0;
  ctx_.budget = budget;
  // The native stack is this thread's: compiled code may use stack_room_ bytes of it.
  ctx_.stack_limit = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - stack_room_;
  refresh_context(ctx_);
  engine::TrapKind kind = engine::TrapKind::Unreachable;
  if (!run_guarded(&ctx_, code_->entry(defined), slots.data(), &kind)) {
    out.trapped = true;
    out.trap = engine::trap_message(kind);
    return out;
  }
  EXPECT_EQ(ctx_.depth, 0u);
  out.fuel = static_cast<uint64_t>(budget - ctx_.budget);
  for (size_t i = 0; i < fn->type->results.size(); ++i) {
    const wasm::ValType t = fn->type->results[i];
    Slot bits = slots[i];
    if (t == wasm::ValType::I32 || t == wasm::ValType::F32) bits &= 0xFFFF'FFFFu;
    out.results.push_back(engine::Value{t, bits});
  }
  return out;
}

Outcome JitHarness::run_interpreted(std::string_view name, const std::vector<engine::Value>& args) {
  Outcome out;
  engine::Function* fn = export_function(interp_instance_, name);
  EXPECT_NE(fn, nullptr) << name;
  if (fn == nullptr) return out;
  engine::Thread thread(store_, engine::ThreadLimits{.max_call_depth = kMaxDepth});
  constexpr uint64_t kFuel = uint64_t{1} << 40;
  thread.set_fuel(kFuel);
  auto results = thread.call(fn, args);
  if (!results.ok()) {
    out.trapped = true;
    out.trap = results.error().message;
    return out;
  }
  out.results = *results;
  out.fuel = kFuel - thread.fuel().value_or(0);
  return out;
}

void JitHarness::expect_same(std::string_view name, const std::vector<engine::Value>& args,
                             NanRule nans) {
  const Outcome compiled = run_compiled(name, args);
  const Outcome interpreted = run_interpreted(name, args);
  std::string call = std::string(name) + "(";
  for (const engine::Value& v : args) call += v.to_string() + " ";
  call += ")";
  if (interpreted.trapped && compiled.trapped) {
    // The interpreter may add detail ("uninitialized element 2") after the canonical message.
    EXPECT_EQ(interpreted.trap.rfind(compiled.trap, 0), 0u)
        << call << ": " << compiled.to_string() << " vs " << interpreted.to_string();
    return;
  }
  const bool any = nans == NanRule::AnyQuiet;
  EXPECT_EQ(compiled.to_string(any), interpreted.to_string(any)) << call;
  if (!compiled.trapped && !interpreted.trapped) {
    EXPECT_EQ(compiled.fuel, interpreted.fuel) << call << ": fuel";
  }
}

}  // namespace lunatic::jit::testing
