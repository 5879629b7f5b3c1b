// lunatic::process::spawn's parameter records with a v128 (type byte 0x7B): the child gets all
// 16 bytes, lane 0 first, beside a scalar record.
#include <string_view>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// parent: spawns child(own id, v128 0x00..0x0F) and receives what the child sends back: the
// v128 it got, 16 bytes, which must be the bytes sent (else unreachable). child(parent, v):
// sends v to parent.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::message" "create_data" (func $create (param i64 i64)))
  (import "lunatic::message" "write_data" (func $write (param i32 i32) (result i32)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::message" "read_data" (func $read (param i32 i32) (result i32)))
  (import "lunatic::process" "process_id" (func $self (result i64)))
  (import "lunatic::process" "spawn"
    (func $spawn (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 0) "child")
  (func (export "parent")
    (i32.store8 (i32.const 100) (i32.const 0x7E))
    (i64.store (i32.const 101) (call $self))
    (i64.store (i32.const 109) (i64.const 0))
    (i32.store8 (i32.const 117) (i32.const 0x7B))
    (v128.store (i32.const 118) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
    (if (call $spawn (i64.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 5)
                     (i32.const 100) (i32.const 34) (i32.const 200))
      (then unreachable))
    (drop (call $receive (i32.const 0) (i32.const 0) (i64.const -1)))
    (if (i32.ne (call $read (i32.const 300) (i32.const 16)) (i32.const 16)) (then unreachable))
    (if (i32.eqz (i8x16.all_true (i8x16.eq (v128.load (i32.const 300))
                                            (v128.load (i32.const 118)))))
      (then unreachable)))
  (func (export "child") (param $parent i64) (param $v v128)
    (call $create (i64.const 1) (i64.const 16))
    (v128.store (i32.const 0) (local.get $v))
    (drop (call $write (i32.const 0) (i32.const 16)))
    (drop (call $send (local.get $parent)))))
)";

TEST(SpawnParams, AV128ParameterReachesTheChildWhole) {
  Runtime runtime({.workers = 2, .linker = standard_linker()});
  std::shared_ptr<const CompiledModule> module = test::compile_wat(kGuest);
  ASSERT_NE(module, nullptr);
  ExitStatus status =
      test::run_to_end(runtime, module, Environment::create({}), "parent", std::vector<Value>{});
  EXPECT_EQ(status.kind, ExitStatus::Kind::Normal) << status.to_string();
}

}  // namespace
}  // namespace lunatic
