// Linear memory compiled vs interpreted: loads and stores of every width and extension, the
// bounds (last byte in, one past traps, offsets past 4 GiB), memory.size/grow (and accesses to
// the grown part), globals of every type, and bulk memory.
#include <cstdint>
#include <vector>

#include "jit_fixture.hpp"

namespace lunatic::jit::testing {
namespace {

using engine::Value;

constexpr const char* kMemory = R"((module
  (memory 1 4)
  (data (i32.const 16) "\01\82\03\84\05\86\07\88\09\8a\0b\8c")
  (data $passive "hello")
  (global $g32 (mut i32) (i32.const -2))
  (global $g64 (mut i64) (i64.const 1))
  (global $gf (mut f32) (f32.const 1.5))
  (global $gd (mut f64) (f64.const -2.25))
  (global $const i32 (i32.const 77))
  (func (export "i32.load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "i64.load") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "f32.load") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "f64.load") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "i32.load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "i32.load8_u") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "i32.load16_s") (param i32) (result i32) (i32.load16_s (local.get 0)))
  (func (export "i32.load16_u") (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "i64.load8_s") (param i32) (result i64) (i64.load8_s (local.get 0)))
  (func (export "i64.load8_u") (param i32) (result i64) (i64.load8_u (local.get 0)))
  (func (export "i64.load16_s") (param i32) (result i64) (i64.load16_s (local.get 0)))
  (func (export "i64.load16_u") (param i32) (result i64) (i64.load16_u (local.get 0)))
  (func (export "i64.load32_s") (param i32) (result i64) (i64.load32_s (local.get 0)))
  (func (export "i64.load32_u") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "load_offset") (param i32) (result i32) (i32.load offset=65532 (local.get 0)))
  (func (export "load_huge_offset") (param i32) (result i32)
    (i32.load8_u offset=4294967295 (local.get 0)))
  (func (export "store_all") (param i32 i64) (result i64)
    (i32.store8 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i32.store16 offset=1 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i32.store offset=3 (local.get 0) (i32.wrap_i64 (local.get 1)))
    (i64.store8 offset=7 (local.get 0) (local.get 1))
    (i64.store16 offset=8 (local.get 0) (local.get 1))
    (i64.store32 offset=10 (local.get 0) (local.get 1))
    (i64.store offset=14 (local.get 0) (local.get 1))
    (f32.store offset=22 (local.get 0) (f32.reinterpret_i32 (i32.wrap_i64 (local.get 1))))
    (f64.store offset=26 (local.get 0) (f64.reinterpret_i64 (local.get 1)))
    (i64.add (i64.load (local.get 0))
      (i64.add (i64.load offset=8 (local.get 0))
        (i64.add (i64.load offset=16 (local.get 0)) (i64.load offset=26 (local.get 0))))))
  (func (export "store_then_load") (param i32 i32) (result i32)
    (i32.store (local.get 0) (local.get 1))
    (i32.load (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_and_touch") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 131068) (i32.const 0x5a5a5a5a))
    (i32.add (memory.size) (i32.load (i32.const 131068))))
  (func (export "globals") (param i32) (result i32)
    (global.set $g32 (i32.add (global.get $g32) (local.get 0)))
    (global.set $g64 (i64.mul (global.get $g64) (i64.const -3)))
    (global.set $gf (f32.add (global.get $gf) (f32.const 0.25)))
    (global.set $gd (f64.neg (global.get $gd)))
    (i32.add (global.get $const)
      (i32.add (global.get $g32)
        (i32.add (i32.wrap_i64 (global.get $g64))
          (i32.add (i32.trunc_f32_s (global.get $gf)) (i32.trunc_f64_s (global.get $gd)))))))
  (func (export "g32") (result i32) (global.get $g32))
  (func (export "fill_copy") (param i32 i32 i32) (result i64)
    (memory.fill (local.get 0) (i32.const 0xAB) (local.get 2))
    (memory.copy (local.get 1) (local.get 0) (local.get 2))
    (i64.load (local.get 1)))
  (func (export "init") (param i32 i32 i32) (result i64)
    (memory.init $passive (local.get 0) (local.get 1) (local.get 2))
    (i64.load (local.get 0)))
  (func (export "drop_then_init") (result i32)
    (data.drop $passive)
    (memory.init $passive (i32.const 0) (i32.const 0) (i32.const 1))
    (i32.const 1))
))";

const char* const kLoads[] = {"i32.load",     "i64.load",    "f32.load",     "f64.load",
                              "i32.load8_s",  "i32.load8_u", "i32.load16_s", "i32.load16_u",
                              "i64.load8_s",  "i64.load8_u", "i64.load16_s", "i64.load16_u",
                              "i64.load32_s", "i64.load32_u"};

TEST(JitMemory, LoadsMatchTheInterpreterUpToTheBounds) {
  for (unsigned opt : {0u, 2u}) {
    JitHarness h(kMemory, opt);
    ASSERT_TRUE(h.ok());
    for (const char* f : kLoads) {
      for (uint32_t addr : {0u, 15u, 16u, 17u, 19u, 24u, 65528u, 65529u, 65532u, 65533u, 65534u,
                            65535u, 65536u, 0xFFFFFFFFu, 0x80000000u}) {
        h.expect_same(f, {Value::i32(static_cast<int32_t>(addr))});
      }
    }
    for (uint32_t addr : {0u, 1u, 2u, 4u, 5u, 0xFFFFFFFFu}) {
      h.expect_same("load_offset", {Value::i32(static_cast<int32_t>(addr))});
      h.expect_same("load_huge_offset", {Value::i32(static_cast<int32_t>(addr))});
    }
  }
}

TEST(JitMemory, TheLastByteIsInAndOnePastTraps) {
  JitHarness h(kMemory);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h.run_compiled("i32.load8_u", {Value::i32(65535)}).trapped);
  EXPECT_FALSE(h.run_compiled("i32.load", {Value::i32(65532)}).trapped);
  EXPECT_EQ(h.run_compiled("i32.load", {Value::i32(65533)}).trap, "out of bounds memory access");
  EXPECT_EQ(h.run_compiled("i32.load8_u", {Value::i32(65536)}).trap, "out of bounds memory access");
}

TEST(JitMemory, StoresMatchTheInterpreter) {
  JitHarness h(kMemory);
  ASSERT_TRUE(h.ok());
  for (uint32_t addr : {0u, 100u, 65502u, 65503u, 65535u}) {
    h.expect_same("store_all",
                  {Value::i32(static_cast<int32_t>(addr)), Value::i64(0x0123456789abcdefLL)});
    h.expect_same("store_then_load", {Value::i32(static_cast<int32_t>(addr)), Value::i32(-9)});
  }
}

TEST(JitMemory, GrowsAndSeesTheNewPages) {
  JitHarness h(kMemory);
  ASSERT_TRUE(h.ok());
  h.expect_same("size", {});
  h.expect_same("grow_and_touch", {});
  h.expect_same("size", {});
  h.expect_same("grow", {Value::i32(1)});
  h.expect_same("grow", {Value::i32(5)});  // past the maximum: -1
  h.expect_same("size", {});
  h.expect_same("i32.load", {Value::i32(3 * 65536 - 4)});
  h.expect_same("i32.load", {Value::i32(3 * 65536 - 3)});
}

TEST(JitMemory, GlobalsOfEveryType) {
  JitHarness h(kMemory);
  ASSERT_TRUE(h.ok());
  for (int32_t a : {1, -5, 1000}) h.expect_same("globals", {Value::i32(a)});
  h.expect_same("g32", {});
}

TEST(JitMemory, BulkMemory) {
  JitHarness h(kMemory);
  ASSERT_TRUE(h.ok());
  h.expect_same("fill_copy", {Value::i32(100), Value::i32(200), Value::i32(8)});
  h.expect_same("fill_copy", {Value::i32(65530), Value::i32(200), Value::i32(8)});
  h.expect_same("init", {Value::i32(300), Value::i32(0), Value::i32(5)});
  h.expect_same("init", {Value::i32(300), Value::i32(1), Value::i32(5)});
  h.expect_same("drop_then_init", {});
}

}  // namespace
}  // namespace lunatic::jit::testing
