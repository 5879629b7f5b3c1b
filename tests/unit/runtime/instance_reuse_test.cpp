// A process's instance block serves the next process of its module (engine::SpareBlock): the
// next one starts with the module's initial globals, table and memory, whatever the one before
// did to them. Its mailbox, names and links are the Process's, never in the block.
#include <string>

#include "runtime_fixture.hpp"

namespace lunatic::runtime::test {
namespace {

using engine::Value;

// dirty: sets the global, both table elements and a word of memory, registers nothing else.
// check: reports the global, whether each table element is null, and the word of memory.
constexpr std::string_view kScribbler = R"(
  (global $g (mut i64) (i64.const 7))
  (table $t 2 funcref)
  (memory 1)
  (func $f)
  (elem (i32.const 0) $f)
  (func (export "dirty") (param i64)
    (global.set $g (i64.const 0x5A5A))
    (table.set $t (i32.const 0) (ref.null func))
    (table.set $t (i32.const 1) (ref.func $f))
    (i64.store (i32.const 64) (i64.const 0x5A5A)))
  (func (export "check") (param i64)
    (call $report (global.get $g))
    (call $report (i64.extend_i32_u (ref.is_null (table.get $t (i32.const 0)))))
    (call $report (i64.extend_i32_u (ref.is_null (table.get $t (i32.const 1)))))
    (call $report (i64.load (i32.const 64)))))";

class InstanceReuse : public RuntimeTest {};

TEST_F(InstanceReuse, TheNextProcessOfAModuleStartsFromItsInitialState) {
  start(1);  // one worker: each process ends before the next is spawned below
  std::string fields(kScribbler);
  for (int i = 0; i < 40; ++i) fields += "(func)";  // past kReusedFunctions: its block is kept
  auto guest = compile_wat(fields);
  auto env = Environment::create({});
  for (int round = 0; round < 20; ++round) {
    auto dirty = runtime_->spawn({guest, env, "dirty", {Value::i64(0)}, nullptr, 0});
    ASSERT_TRUE(dirty.ok()) << dirty.error().to_string();
    runtime_->wait_all();
    ASSERT_EQ(exit_of(*dirty).kind, ExitStatus::Kind::Normal) << exit_of(*dirty).to_string();
    auto check = runtime_->spawn({guest, env, "check", {Value::i64(0)}, nullptr, 0});
    ASSERT_TRUE(check.ok()) << check.error().to_string();
    runtime_->wait_all();
    ASSERT_EQ(exit_of(*check).kind, ExitStatus::Kind::Normal) << exit_of(*check).to_string();
    // The initial global, the element segment's function at 0, a null at 1, zero memory.
    ASSERT_EQ(reports().take(), (std::vector<int64_t>{7, 0, 1, 0})) << "round " << round;
  }
  EXPECT_EQ(env->budget().used(), 0u);
}

}  // namespace
}  // namespace lunatic::runtime::test
