// Two things the baseline's code leaves where the next instruction wants them: an operation
// followed by local.set/tee of a register local computes its result in that local's register
// (value_stack.cpp, result_local), and memory_base stays in rcx from one access to the next
// across integer arithmetic, compares, globals, br_if's fall-through and block and if entries
// (function_compiler.cpp, keeps_memory_base). Every shape where either would read a stale
// register: results, traps and fuel as the interpreter's.
#include "same_as_interpreter.hpp"

namespace lunatic::tiering::testing {
namespace {

// Every function takes (p0 p1) and has two more locals, 2 (i64) and 3 (i32); a never-taken loop
// reads all four often enough that each lives in a register (local_registers.cpp).
TEST(BaselineResultInLocal, ComputesWhatTheInterpreterDoes) {
  const std::string head =
      "(param i32 i32) (result i32) (local i64 i32)\n"
      "(if (i32.eq (local.get 0) (i32.const 0x7fffffff)) (then (loop\n"
      "  (drop (i32.add (local.get 0) (local.get 1))) (drop (i32.add (local.get 0) (local.get "
      "1)))\n"
      "  (drop (i64.add (local.get 2) (local.get 2))) (drop (i32.add (local.get 3) (local.get 3)))"
      ")))\n";
  auto fn = [&](const char* name, const char* body) {
    return std::string("(func (export \"") + name + "\") " + head + body + ")\n";
  };
  const std::string wat =
      "(module (memory 1) (global $g (mut i32) (i32.const 1234))\n" +
      // the operand that is the set's own local: in place as the lhs, swapped to the lhs of a
      // commutative operation, not for sub, nor as a shift's count
      fn("operands", R"(
        (local.set 3 (i32.add (local.get 0) (i32.const 1)))
        (local.set 3 (i32.mul (local.get 3) (i32.const 7)))
        (local.set 3 (i32.add (local.get 1) (local.get 3)))
        (local.set 3 (i32.sub (local.get 1) (local.get 3)))
        (local.set 3 (i32.xor (local.get 3) (local.get 3)))
        (local.set 3 (i32.or (local.get 3) (local.get 0)))
        (local.set 3 (i32.shl (local.get 0) (local.get 3)))
        (local.set 3 (i32.rotl (local.get 3) (local.get 1)))
        (local.set 3 (i32.shr_u (local.get 3) (i32.const 3)))
        (local.set 1 (i32.sub (i32.const 100) (local.get 1)))
        (i32.add (local.get 3) (local.get 1)))") +
      // i64: unary and binary operations, a wrap into an i32 register local
      fn("wide", R"(
        (local.set 2 (i64.extend_i32_s (local.get 0)))
        (local.set 2 (i64.mul (local.get 2) (i64.const 0x100000001)))
        (local.set 2 (i64.sub (local.get 2) (i64.extend_i32_u (local.get 1))))
        (local.set 3 (i32.wrap_i64 (i64.shr_u (local.get 2) (i64.const 17))))
        (local.set 0 (i32.wrap_i64 (local.get 2)))
        (local.set 3 (i32.extend8_s (local.get 3)))
        (i32.add (local.get 3) (local.get 0)))") +
      // the local's old value still on the stack below the operands: not computed in place
      fn("older", R"(
        local.get 0
        local.get 1 i32.const 1 i32.add local.set 0
        local.get 0 i32.sub
        local.get 0
        local.get 0 i32.const 5 i32.mul local.set 0
        local.get 0 i32.sub
        i32.add)") +
      // a tee's entry reads the local afterwards: rewriting the local must not change it
      fn("tee", R"(
        (i32.add (local.tee 3 (i32.mul (local.get 1) (i32.const 3)))
                 (local.tee 3 (i32.const 5)))
        (i32.add (local.tee 0 (i32.load (local.get 0))) (local.tee 0 (i32.const 9)))
        i32.add (local.get 3) i32.add (local.get 0) i32.add)") +
      // loads into the local, with the local as its own address, an i64 load, a global, and an
      // access that traps (the local keeps its value until the set)
      fn("loads", R"(
        (i32.store (i32.const 16) (i32.const 32))
        (i32.store (i32.const 32) (local.get 1))
        (i64.store (i32.const 40) (i64.const -3))
        (local.set 3 (i32.const 16))
        (local.set 3 (i32.load (local.get 3)))
        (local.set 3 (i32.load (local.get 3)))
        (local.set 2 (i64.load offset=8 (i32.const 32)))
        (local.set 0 (i32.load8_s (local.get 0)))
        (local.set 1 (global.get $g))
        (i32.add (i32.add (local.get 3) (i32.wrap_i64 (local.get 2)))
                 (i32.add (local.get 0) (local.get 1))))") +
      // lea_sum: a register local plus a constant or another register local into a fresh
      // register (i32 wrapping, i64 with constants at and past the imm32 range)
      fn("lea", R"(
        (local.set 2 (i64.extend_i32_s (local.get 1)))
        (i32.store (i32.const 0) (i32.add (local.get 0) (i32.const -5)))
        (i32.add (local.get 0) (i32.const 0x7fffffff))
        (i32.sub (local.get 1) (i32.const 0x80000000)) i32.xor
        (i32.sub (local.get 0) (i32.const -9)) i32.xor
        (i32.add (local.get 0) (local.get 1)) i32.xor
        (i64.add (local.get 2) (i64.const -7))
        (i64.sub (local.get 2) (i64.const 0x80000000)) i64.xor
        (i64.sub (local.get 2) (i64.const -0x80000000)) i64.xor
        (i64.sub (local.get 2) (i64.const 0x8000000000000000)) i64.xor
        (i64.add (local.get 2) (i64.const 0x7fffffff)) i64.xor
        (i64.add (local.get 2) (i64.extend_i32_u (local.get 0))) i64.xor
        (local.tee 2) i32.wrap_i64 i32.xor
        (i32.wrap_i64 (i64.shr_u (local.get 2) (i64.const 32))) i32.xor
        (i32.load (i32.const 0)) i32.xor)") +
      ")";
  expect_same(wat,
              {
                  {"lea", i32s({3, 10})},
                  {"lea", i32s({-2, 0x7ffffff0})},
                  {"lea", i32s({0x7fffffff, -0x7fffffff})},
                  {"operands", i32s({3, 10})},
                  {"operands", i32s({-7, 31})},
                  {"wide", i32s({5, 9})},
                  {"wide", i32s({-100000, -1})},
                  {"older", i32s({4, 11})},
                  {"tee", i32s({32, 6})},
                  {"tee", i32s({65533, 6})},
                  {"loads", i32s({33, 77})},
                  {"loads", i32s({65536, 77})},
              },
              {5, 40});
}

// Loads and stores between which rcx keeps memory_base, or must be loaded again: arithmetic
// whose constant needs a scratch register, compares of two locals in slots (the rhs through a
// scratch register), a global set from a slot, an if with params, br_if's fall-through; and
// the instructions that write rcx (a shift by a variable count, division, select) before the
// next access. Locals 2-6 are ballast that take the local registers, so 7-9 live in slots.
TEST(BaselineMemoryBase, KeptAcrossArithmeticAndBranches) {
  const std::string head =
      "(param i32 i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i64)\n"
      "(if (i32.eq (local.get 0) (i32.const 0x7fffffff)) (then (loop (loop\n"
      "  (local.set 2 (i32.add (local.get 2) (local.get 3)))\n"
      "  (local.set 4 (i32.add (local.get 4) (local.get 5)))\n"
      "  (local.set 3 (i32.add (local.get 5) (local.get 2)))))))\n";
  auto fn = [&](const char* name, const char* body) {
    return std::string("(func (export \"") + name + "\") " + head + body + ")\n";
  };
  const std::string wat =
      "(module (memory 1) (global $g (mut i32) (i32.const 0))\n"
      "(type $pp (func (param i32) (result i32)))\n"
      "(data (i32.const 0) "
      "\"\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10\")\n" +
      fn("kept", R"(
        (local.set 7 (i32.load8_u (local.get 0)))
        (local.set 9 (i64.add (i64.extend_i32_u (local.get 7)) (i64.const 0x123456789)))
        (local.set 8 (i32.load8_u offset=1 (local.get 0)))
        (i32.store8 offset=2 (local.get 0)
          (i32.add (local.get 8) (i32.wrap_i64 (i64.shr_u (local.get 9) (i64.const 32)))))
        (global.set $g (local.get 8))
        (local.set 7 (i32.lt_u (local.get 7) (local.get 8)))
        (local.set 8 (i32.load8_u offset=3 (local.get 0)))
        (block $b
          (br_if $b (i32.gt_s (local.get 8) (local.get 1)))
          (local.set 7 (i32.add (local.get 7) (i32.load8_u offset=4 (local.get 0)))))
        (i32.load8_u offset=5 (local.get 0))
        (if (param i32) (result i32) (i32.ge_u (local.get 7) (local.get 8))
          (then (i32.add (i32.load8_u offset=6 (local.get 0))))
          (else (i32.sub (i32.load8_u offset=7 (local.get 0)))))
        (i32.add (local.get 7)) (i32.add (global.get $g))
        (i32.add (i32.load8_u offset=2 (local.get 0))))") +
      fn("clobbered", R"(
        (local.set 7 (i32.load8_u (local.get 0)))
        (local.set 8 (i32.shl (local.get 7) (local.get 1)))
        (local.set 7 (i32.add (local.get 8) (i32.load8_u offset=1 (local.get 0))))
        (local.set 8 (i32.div_u (local.get 7) (i32.add (local.get 1) (i32.const 1))))
        (local.set 7 (i32.add (local.get 8) (i32.load8_u offset=2 (local.get 0))))
        (local.set 8 (select (local.get 7) (i32.const 0x7000) (local.get 1)))
        (i32.add (local.get 8) (i32.load8_u offset=3 (local.get 0))))") +
      ")";
  expect_same(wat,
              {
                  {"kept", i32s({0, 0})},
                  {"kept", i32s({4, 100})},
                  {"kept", i32s({8, 3})},
                  {"kept", i32s({65534, 3})},
                  {"clobbered", i32s({0, 1})},
                  {"clobbered", i32s({5, 0})},
                  {"clobbered", i32s({65533, 2})},
              },
              {5, 40});
}

// br_table reads its index where the cache has it: a cache register (a load, a wrapped i64
// with its high half set, a call's result), a register local, a slot local, a constant; in
// range, at the default, negative (a large unsigned index).
TEST(BaselineBrTable, IndexFromWhereverTheCacheHasIt) {
  const std::string wat = R"((module (memory 1)
    (func $id (param i32) (result i32) (local.get 0))
    (func $pick (param $i i32) (result i32)
      (block $d (block $c (block $b (block $a
        (br_table $a $b $c $d (local.get $i)))
        (return (i32.const 10)))
        (return (i32.const 20)))
        (return (i32.const 30)))
      (i32.const 40))
    (func (export "run") (param i32 i32) (result i32)
      (local i32 i32 i32 i32 i32 i64)
      (local.set 2 (local.get 0)) (local.set 3 (local.get 0)) (local.set 3 (local.get 2))
      (local.set 4 (local.get 3)) (local.set 2 (local.get 4)) (local.set 4 (local.get 2))
      (local.set 7 (i64.or (i64.shl (i64.const 0xdead) (i64.const 32))
                           (i64.extend_i32_u (local.get 1))))
      (i32.store (i32.const 8) (local.get 1))
      (block $r (result i32)
        (block $d (block $c (block $b (block $a
          (br_table $a $b $c $d (i32.load (i32.const 8))))
          (br $r (i32.const 1)))
          (br $r (i32.const 2)))
          (br $r (i32.const 3)))
        (i32.const 4))
      (block $r (result i32)
        (block $d (block $b (block $a
          (br_table $a $b $d (i32.wrap_i64 (local.get 7))))
          (br $r (i32.const 100)))
          (br $r (i32.const 200)))
        (i32.const 300))
      i32.add
      (block $r (result i32)
        (block $d (block $b (block $a
          (br_table $a $b $d (call $id (local.get 0))))
          (br $r (i32.const 1000)))
          (br $r (i32.const 2000)))
        (i32.const 3000))
      i32.add
      (block $r (result i32)
        (block $d (block $b (block $a
          (br_table $a $b $d (local.get 0)))
          (br $r (i32.const 10000)))
          (br $r (i32.const 20000)))
        (i32.const 30000))
      i32.add
      (block $r (result i32)
        (block $d (block $b (block $a
          (br_table $a $b $d (i32.const 1)))
          (br $r (i32.const 100000)))
          (br $r (i32.const 200000)))
        (i32.const 300000))
      i32.add
      (call $pick (local.get 1)) i32.add
      (call $pick (i32.const 7)) i32.add))
  )";
  expect_same(wat,
              {{"run", i32s({0, 0})},
               {"run", i32s({1, 1})},
               {"run", i32s({2, 2})},
               {"run", i32s({3, 3})},
               {"run", i32s({-1, -2})},
               {"run", i32s({0x7fffffff, 0x40000000})}},
              {5, 40});
}

}  // namespace
}  // namespace lunatic::tiering::testing
