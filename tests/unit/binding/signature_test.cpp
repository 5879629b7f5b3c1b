// The C++ signature of a host function determines its Wasm type: checked at compile time
// (static_assert) and in the FuncType a definition carries.
#include <gtest/gtest.h>

#include <array>

#include "binding/namespace.hpp"
#include "binding/signature.hpp"

namespace lunatic::binding {
namespace {

using wasm::ValType;
using V = ValType;

struct Pair {
  int32_t a;
  int64_t b;
};

int32_t scalars(int32_t, uint32_t, int64_t, uint64_t, float, double) { return 0; }
void views(GuestPtr<Pair>, GuestSpan<uint64_t>, GuestMutSpan<uint8_t>, GuestString) {}
HostResult<int64_t> with_context(CallContext&, int64_t, const GuestString&) { return 1; }
HostResult<void> nothing() { return {}; }
double returns_f64(float) noexcept { return 0; }

// ---- compile-time mapping ----
static_assert(Signature<decltype(&scalars)>::kParams ==
              std::array{V::I32, V::I32, V::I64, V::I64, V::F32, V::F64});
static_assert(Signature<decltype(&scalars)>::kResults == std::array{V::I32});
static_assert(Signature<decltype(&views)>::kParams ==
              std::array{V::I32, V::I32, V::I32, V::I32, V::I32, V::I32, V::I32});
static_assert(Signature<decltype(&views)>::kResults.empty());
static_assert(Signature<decltype(&with_context)>::kHasContext);
static_assert(Signature<decltype(&with_context)>::kParams == std::array{V::I64, V::I32, V::I32});
static_assert(Signature<decltype(&with_context)>::kResults == std::array{V::I64});
static_assert(Signature<decltype(&nothing)>::kParams.empty());
static_assert(Signature<decltype(&nothing)>::kResults.empty());
static_assert(Signature<decltype(&returns_f64)>::kResults == std::array{V::F64});

static_assert(!WasmParam<HostResult<float>*>);

constexpr auto good_lambda = [](CallContext&, uint64_t, GuestSpan<int32_t>) -> uint32_t {
  return 0;
};
static_assert(Signature<decltype(good_lambda)>::kParams == std::array{V::I64, V::I32, V::I32});
static_assert(Signature<decltype(good_lambda)>::kResults == std::array{V::I32});

// Types without a mapping: what define() rejects with a static_assert.
static_assert(WasmParam<int32_t> && WasmParam<const GuestString&> && WasmParam<GuestPtr<Pair>>);
static_assert(!WasmParam<bool>);
static_assert(!WasmParam<char>);
static_assert(!WasmParam<long long>);  // not a fixed-width type: its size is the platform's
static_assert(!WasmParam<int16_t>);
static_assert(!WasmParam<void*>);
static_assert(!WasmParam<std::string_view>);
static_assert(!WasmParam<int32_t&>);  // out-parameters go through GuestPtr
static_assert(!WasmParam<CallContext&>);
static_assert(WasmReturn<void> && WasmReturn<uint64_t> && WasmReturn<HostResult<void>> &&
              WasmReturn<HostResult<double>>);
static_assert(!WasmReturn<bool>);
static_assert(!WasmReturn<GuestString>);
static_assert(!WasmReturn<HostResult<GuestString>>);
static_assert(!WasmReturn<HostResult<HostResult<int32_t>>>);
static_assert(!Callable<decltype([](auto) {})>::kFixed);  // generic lambdas have no signature
static_assert(!Callable<int>::kFixed);
static_assert(check_host_function<decltype(&scalars)>());
static_assert(check_host_function<decltype(good_lambda)>());

// ---- runtime FuncType of definitions ----
TEST(Signature, DefinitionsCarryTheirWasmType) {
  Namespace ns("lunatic::test");
  ns.define("scalars", &scalars)
      .define("views", views)  // a function name decays to a pointer
      .define("with_context", &with_context)
      .define("nothing", &nothing)
      .define("lambda", good_lambda);
  ASSERT_EQ(ns.size(), 5u);

  EXPECT_EQ(ns.find("scalars")->type.to_string(), "(i32 i32 i64 i64 f32 f64) -> (i32)");
  EXPECT_EQ(ns.find("views")->type.to_string(), "(i32 i32 i32 i32 i32 i32 i32) -> ()");
  EXPECT_EQ(ns.find("with_context")->type.to_string(), "(i64 i32 i32) -> (i64)");
  EXPECT_EQ(ns.find("nothing")->type.to_string(), "() -> ()");
  EXPECT_EQ(ns.find("lambda")->type.to_string(), "(i64 i32 i32) -> (i32)");
  EXPECT_EQ(ns.find("scalars")->full_name(), "lunatic::test::scalars");
  EXPECT_EQ(ns.find("missing"), nullptr);
  EXPECT_EQ(func_type_of<decltype(&scalars)>(), ns.find("scalars")->type);
}

TEST(Signature, RedefiningReplaces) {
  Namespace ns("m");
  ns.define("f", [](int32_t) {});
  ns.define("f", [](int64_t) -> int64_t { return 0; });
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns.find("f")->type.to_string(), "(i64) -> (i64)");
}

}  // namespace
}  // namespace lunatic::binding
