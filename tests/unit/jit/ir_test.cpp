// The shape of the IR the translator emits: the ABI's names, TBAA on Context and memory
// accesses, the intrinsics chosen for Wasm's semantics, and no absolute host address baked in.
#include <string>

#include "../support/tier_modules.hpp"
#include "engine/compiled_module.hpp"
#include "jit_fixture.hpp"
#include "native/abi.hpp"
#include "text/text.hpp"

namespace lunatic::jit::testing {
namespace {

constexpr const char* kSample = R"((module
  (memory 1)
  (func $sum (export "sum") (param i32 i32) (result i32) (local i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get 0) (local.get 1)))
        (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
        (i32.store offset=4 (local.get 0) (local.get 2))
        (local.set 0 (i32.add (local.get 0) (i32.const 8)))
        (br $next)))
    (local.get 2))
  (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "nearest32") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "call") (param i32) (result i32) (call $sum (local.get 0) (i32.const 64)))
))";

std::string optimized_ir(const char* wat, unsigned opt_level) {
  auto bytes = text::parse_module(wat);
  EXPECT_TRUE(bytes.ok());
  auto module = engine::compile(*bytes);
  EXPECT_TRUE(module.ok());
  std::string ir;
  auto code = compile_native(**module, CompileOptions{.opt_level = opt_level, .optimized_ir = &ir});
  EXPECT_TRUE(code.ok()) << code.error().to_string();
  if (const char* dump = std::getenv("LUNATIC_JIT_DUMP_IR")) {
    FILE* f = std::fopen(dump, "w");
    std::fputs(ir.c_str(), f);
    std::fclose(f);
  }
  return ir;
}

TEST(JitIr, NamesTbaaAndIntrinsics) {
  const std::string ir = optimized_ir(kSample, 2);
  EXPECT_NE(ir.find("define { i64, i32 } @wf0(i8*"), std::string::npos);  // {budget, result}
  EXPECT_NE(ir.find("define void @we0(i8*"), std::string::npos);
  EXPECT_NE(ir.find("!\"linear memory\""), std::string::npos);
  EXPECT_NE(ir.find("!\"context\""), std::string::npos);
  EXPECT_NE(ir.find("llvm.roundeven.f64"), std::string::npos);
  EXPECT_NE(ir.find("lunatic_jit_safepoint"), std::string::npos);
  EXPECT_NE(ir.find("read_register"), std::string::npos);
  // Only ctx-relative addresses and named symbols: no integer constant turned into a pointer.
  EXPECT_EQ(ir.find("inttoptr (i64"), std::string::npos);
}

TEST(JitIr, EveryOptimisationLevelCompiles) {
  for (unsigned opt : {0u, 1u, 2u, 3u}) EXPECT_FALSE(optimized_ir(kSample, opt).empty());
}

// jit/partial_inline.cpp: each function of kRecursionWat (the tier tests' module) has a way
// out without a call, which is inlined into its self-calls, and the rest of it is wf<F>.rest; a
// recursion without such a way out is left whole.
TEST(JitIr, RecursionWithAWayOutIsPartiallyInlined) {
  const std::string wat(lunatic::testing::kRecursionWat);
  const std::string ir = optimized_ir(wat.c_str(), 2);
  for (const char* rest : {"@wf0.rest(", "@wf1.rest(", "@wf2.rest("}) {
    EXPECT_NE(ir.find(rest), std::string::npos) << rest;
  }
  constexpr const char* kForever = R"((module
    (func $forever (export "forever") (param i32) (result i32)
      (call $forever (i32.add (local.get 0) (i32.const 1))))))";
  EXPECT_EQ(optimized_ir(kForever, 2).find(".rest("), std::string::npos);
  // At -O0 nothing is inlined: the functions stay as translated.
  EXPECT_EQ(optimized_ir(wat.c_str(), 0).find(".rest("), std::string::npos);
}

// The text of the function `name`'s definition in optimised IR ("" when there is none).
std::string function_body(const std::string& ir, const std::string& name) {
  for (size_t at = ir.find("\ndefine "); at != std::string::npos;) {
    const size_t end = ir.find("\n}\n", at);
    const size_t line_end = ir.find('\n', at + 1);
    if (ir.substr(at, line_end - at).find(" @" + name + "(") != std::string::npos) {
      return ir.substr(at, end - at);
    }
    at = ir.find("\ndefine ", end);
  }
  return "";
}

// What stays in F, to be inlined into F.rest's calls of F, is the checks, the entry safepoint
// and the test that ends the recursion, not the checks alone: the prologue's way out when a
// check fails (the `ret` of its musttail call of wg<F>) is no return of the recursion. So F
// keeps its entry safepoint (the slow path's helper call).
TEST(JitIr, PartialInliningLeavesTheEntrySafepointAndTheWayOutInF) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  for (const char* f : {"wf0", "wf1", "wf2"}) {
    const std::string body = function_body(ir, f);
    ASSERT_FALSE(body.empty()) << f;
    EXPECT_NE(body.find("@lunatic_jit_safepoint("), std::string::npos) << body;
    EXPECT_NE(body.find(std::string("@") + f + ".rest("), std::string::npos) << body;
  }
}

// jit/self_inline.cpp: the frames our inlining puts into a function read its stack pointer
// once, so each F.rest of kRecursionWat, with the frames inlined into it, holds one read. ($pad
// keeps more: LLVM's own inliner copies $down's entry into it, read and all.)
TEST(JitIr, InlinedFramesShareOneStackPointerRead) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  size_t functions = 0;
  for (size_t at = ir.find("\ndefine "); at != std::string::npos;) {
    const size_t next = ir.find("\ndefine ", at + 1);
    const std::string body = ir.substr(at, next == std::string::npos ? next : next - at);
    size_t reads = 0;
    for (size_t r = body.find("@llvm.read_register"); r != std::string::npos;
         r = body.find("@llvm.read_register", r + 1)) {
      ++reads;
    }
    const std::string name = body.substr(0, body.find('('));
    at = next;
    if (name.find(".rest") == std::string::npos) continue;
    EXPECT_EQ(reads, 1u) << name;
    ++functions;
  }
  EXPECT_EQ(functions, 3u);
}

// The one read sits before the loop whose inlined checks need it (in its preheader), not inside
// it: with the limits loaded from the dereferenceable Context, those checks are one
// loop-invariant condition, and LLVM unswitches the loop on it (jit/native_code.cpp), so $fib's
// F.rest (the loop form of fib that clang emits) runs a copy of its loop (LLVM names its blocks
// `.us`) without them while no limit is near.
TEST(JitIr, SharedStackPointerReadIsBeforeTheUnswitchedLoop) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  const std::string body = function_body(ir, "wf0.rest");
  ASSERT_FALSE(body.empty());
  const size_t read = body.find("@llvm.read_register");
  ASSERT_NE(read, std::string::npos);
  const size_t loop = body.find("\nloop");
  ASSERT_NE(loop, std::string::npos) << body;
  EXPECT_LT(read, loop) << body;
  EXPECT_NE(body.find("\nloop.us"), std::string::npos) << body;
}

// jit/frame_headroom.cpp: $fib's F.rest holds four inlined frames, each with its own limit
// checks; it first checks the deepest one's depth and slot end and its stack pointer, and when
// no limit is near runs the copy of itself without the frames' checks (inlined back, so no
// `.headroom` function is left). Its depth comes in one below the first inlined frame's, so the
// headroom check adds 4 (unswitched_checks_test.cpp runs the limits at every level).
TEST(JitIr, InlinedFramesShareOneHeadroomCheck) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  const std::string body = function_body(ir, "wf0.rest");
  ASSERT_FALSE(body.empty());
  // The copy, inlined: its blocks keep its name.
  EXPECT_NE(body.find("wf0.rest.headroom.exit"), std::string::npos) << body;
  EXPECT_EQ(ir.find("@wf0.rest.headroom("), std::string::npos);
  // The deepest frame's depth, in the entry block.
  const size_t deepest = body.find(", 4\n");
  ASSERT_NE(deepest, std::string::npos) << body;
  EXPECT_LT(deepest, body.find("\n\n")) << body;
  // Without our inlining (-O0) there is nothing to version.
  EXPECT_EQ(optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 0).find("headroom"),
            std::string::npos);
}

// The caller's depth travels in 64 bits (zero-extended), so the shadow-stack entries of the
// frames inlined into one native frame are one register plus a displacement apart: in $fib's
// F.rest every entry's index is the incoming depth plus a constant, with no 32-bit sum between.
TEST(JitIr, TheDepthTravelsIn64Bits) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  // The Context pointer is dereferenceable over the whole Context.
  const std::string signature = "@wf0(i8* nonnull align 8 dereferenceable(" +
                                std::to_string(sizeof(native::Context)) +
                                ") %0, i64 %1, i32 %2, i64 %3";
  EXPECT_NE(ir.find(signature), std::string::npos) << ir;
  const std::string body = function_body(ir, "wf0.rest");
  ASSERT_FALSE(body.empty());
  // The entries of the frames inlined three levels down: the incoming depth (%3) + 3.
  EXPECT_NE(body.find("= add nuw i64 %3, 3\n"), std::string::npos) << body;
}

// jit/merge_safepoints.cpp: in $fib's F.rest, the loop header's safepoint and the inlined
// callee's entry safepoint (nothing between them can trap in the unswitched copy) get one merged
// check, `budget - (c1 + c2)`, in front of the two (the fuel stays exact: unit_tiering's
// PartialInline.OutOfFuelAtTheSameSafepointForEveryBudget runs every budget up to 400).
TEST(JitIr, AdjacentSafepointsShareOneCheck) {
  const std::string ir = optimized_ir(std::string(lunatic::testing::kRecursionWat).c_str(), 2);
  const std::string body = function_body(ir, "wf0.rest");
  ASSERT_FALSE(body.empty());
  EXPECT_NE(body.find(".both_fast:"), std::string::npos) << body;
  EXPECT_NE(body.find(".one_by_one:"), std::string::npos) << body;
  EXPECT_NE(body.find(", -26\n"), std::string::npos) << body;  // the two costs, 15 + 11
}

}  // namespace
}  // namespace lunatic::jit::testing
