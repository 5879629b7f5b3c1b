// Local copies in cache registers (value_stack.cpp, note_copy) and compares fused with select
// (emit_select): a local in its slot is read from the register its last write came from until
// that register is given out, the local changes, or a label, call or helper intervenes. Every
// shape where a stale copy would show: results, traps, fuel and backtraces as the
// interpreter's.
#include "same_as_interpreter.hpp"

namespace lunatic::tiering::testing {
namespace {

// Every function takes (p0 p1) and declares the same locals: 2-6 are ballast, weighted in a
// never-taken loop nest so that they, not the locals under test, get the local registers
// (local_registers.cpp); 7, 8, 9 (i32) and 10 (i64) live in slots and take copies. Each function
// writes a local from a register and reads it back after something that must end the copy, or
// must not.
TEST(BaselineLocalCopies, ComputeWhatTheInterpreterDoes) {
  const std::string head =
      "(param i32 i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i64)\n"
      "(if (i32.eq (local.get 0) (i32.const 0x7fffffff)) (then (loop (loop\n"
      "  (local.set 2 (i32.add (local.get 2) (local.get 3)))\n"
      "  (local.set 4 (i32.add (local.get 4) (local.get 5)))\n"
      "  (local.set 6 (i32.add (local.get 6) (local.get 2)))\n"
      "  (local.set 3 (i32.add (local.get 5) (local.get 6)))))))\n";
  auto fn = [&](const char* name, const char* body) {
    return std::string("(func (export \"") + name + "\") " + head + body + ")\n";
  };
  const std::string wat =
      "(module (memory 1) (global $g (mut i32) (i32.const 3))\n"
      "(func $bump (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))\n" +
      // six registers' worth of live values after the write: the copy's register is given out
      fn("pressure", R"(
        (local.set 7 (i32.mul (local.get 0) (i32.const 3)))
        (i32.add (local.get 0) (i32.const 1)) (i32.add (local.get 0) (i32.const 2))
        (i32.add (local.get 0) (i32.const 3)) (i32.add (local.get 0) (i32.const 4))
        (i32.add (local.get 0) (i32.const 5)) (i32.add (local.get 0) (i32.const 6))
        (i32.add (local.get 0) (i32.const 7))
        i32.xor i32.xor i32.xor i32.xor i32.xor i32.xor
        (local.get 7) i32.add)") +
      // a tee's entry is an operation's operand: the copy must not change with it
      fn("tee", R"(
        (i32.add (local.tee 7 (i32.mul (local.get 0) (i32.const 5))) (i32.const 9))
        (i32.shl (local.get 7) (i32.const 2))
        (i32.sub (local.tee 8 (i32.add (local.get 7) (local.get 0))) (local.get 8))
        i32.add i32.add (local.get 7) i32.xor)") +
      // rewritten while its old value is still on the stack, and from another local's copy
      fn("rewrite", R"(
        (local.set 7 (i32.add (local.get 0) (i32.const 10)))
        (local.get 7)
        (local.set 7 (i32.sub (local.get 7) (i32.const 3)))
        (local.set 8 (local.get 7))
        (local.set 7 (i32.const 1))
        (local.get 7) (local.get 8) i32.add i32.add)") +
      // across a call, memory.grow, a block entry, br_if's fall-through and if arms
      fn("control", R"(
        (local.set 7 (i32.add (local.get 0) (i32.const 1)))
        (local.set 8 (call $bump (local.get 7)))
        (local.set 9 (i32.add (local.get 8) (local.get 7)))
        (local.set 7 (i32.add (local.get 9) (i32.const 5)))
        (drop (memory.grow (i32.const 0)))
        (local.set 9 (i32.add (local.get 9) (local.get 7)))
        (block $b
          (local.set 7 (i32.mul (local.get 9) (i32.const 7)))
          (br_if $b (i32.lt_u (local.get 1) (i32.const 2)))
          (local.set 7 (i32.add (local.get 7) (local.get 1)))
          (if (i32.and (local.get 1) (i32.const 1))
            (then (local.set 7 (i32.add (local.get 7) (i32.const 100))))
            (else (local.set 8 (i32.add (local.get 7) (i32.const 1000))))))
        (i32.add (local.get 7) (local.get 8)))") +
      // written from a register before a loop and in it: the back edge brings the new value
      fn("loop", R"(
        (local.set 7 (i32.mul (local.get 0) (i32.const 2)))
        (local.set 8 (local.get 0))
        (loop $l
          ;; 8 - (0 - 7): the copy of 7 is read, not computed in, so the new value lands in
          ;; another register than the one the copy before the loop was in
          (local.set 7 (i32.sub (local.get 8) (i32.sub (i32.const 0) (local.get 7))))
          (global.set $g (i32.add (global.get $g) (local.get 7)))
          (br_if $l (local.tee 8 (i32.sub (local.get 8) (i32.const 1)))))
        (i32.add (local.get 7) (global.get $g)))") +
      // a copy as a load's address and a store's value, then accesses that trap at the edge
      fn("memory", R"(
        (local.set 7 (i32.add (local.get 0) (i32.const 8)))
        (i32.store (local.get 7) (local.get 7))
        (local.set 8 (i32.load (local.get 7)))
        (i32.store offset=4 (local.get 7) (i32.add (local.get 8) (i32.const 1)))
        (i32.add (i32.load offset=4 (local.get 7)) (local.get 8)))") +
      // compares fused with select: i32 and i64, eqz, operands in registers, slots, copies and
      // constants, a select of i64s
      fn("select", R"(
        (local.set 10 (i64.extend_i32_s (local.get 1)))
        (local.set 7 (i32.mul (local.get 0) (i32.const 3)))
        (select (local.get 0) (local.get 1) (i32.lt_s (local.get 0) (local.get 1)))
        (select (local.get 7) (i32.const 11) (i32.ge_u (local.get 7) (i32.const 40)))
        (select (i32.const 5) (local.get 0) (i32.eqz (local.get 1)))
        (i32.wrap_i64 (select (i64.const -1) (local.get 10)
                              (i64.gt_s (local.get 10) (i64.extend_i32_s (local.get 0)))))
        (select (i32.add (local.get 0) (i32.const 1)) (local.get 7)
                (i32.ne (local.get 7) (i32.add (local.get 1) (i32.const 2))))
        (select (local.get 1) (local.get 0) (i64.eqz (local.get 10)))
        i32.add i32.add i32.add i32.add i32.add)") +
      ")";
  expect_same(wat,
              {
                  {"pressure", i32s({7, 0})},
                  {"pressure", i32s({-40, 0})},
                  {"tee", i32s({6, 0})},
                  {"rewrite", i32s({20, 0})},
                  {"control", i32s({3, 0})},
                  {"control", i32s({3, 4})},
                  {"control", i32s({3, 5})},
                  {"loop", i32s({10, 0})},
                  {"memory", i32s({100, 0})},
                  {"memory", i32s({65520, 0})},
                  {"memory", i32s({65524, 0})},
                  {"memory", i32s({65528, 0})},
                  {"select", i32s({3, 9})},
                  {"select", i32s({20, 0})},
                  {"select", i32s({-4, -4})},
                  {"select", i32s({13, 41})},
              },
              {7, 60});
}

}  // namespace
}  // namespace lunatic::tiering::testing
