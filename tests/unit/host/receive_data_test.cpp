// lunatic::message::receive_data run again after its wake-up takes the message a sender copied
// straight into its buffer by a fast path in front of its adapter (receive.cpp,
// receive_data_entry). These guests park in receive_data at nearly every message, so that path
// runs at nearly every one: selective receive still skips what does not match, and a timeout or
// a kill racing with the hand-overs loses nothing and delivers nothing twice.
#include <chrono>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "host_fixture.hpp"

namespace lunatic {
namespace {

// Memory: 0 the tag filter, 8 the receive buffer (an i64), 16 the size receive_data writes,
// 24 the value a send sends. `unreachable` on anything unexpected, so the test reads the exit.
constexpr std::string_view kGuest = R"((module
  (import "lunatic::message" "receive_data"
    (func $receive_data (param i32 i32 i64 i32 i32 i32) (result i32)))
  (import "lunatic::message" "send_data" (func $send_data (param i64 i64 i32 i32) (result i32)))
  (import "lunatic::message" "get_process_id" (func $sender (result i64)))
  (memory 1)
  ;; receive_data of one i64 tagged $tag (0: any) with $timeout; its kind.
  (func $receive (param $tag i64) (param $timeout i64) (result i32)
    (i64.store (i32.const 0) (local.get $tag))
    (call $receive_data (i32.const 0) (select (i32.const 1) (i32.const 0) (i64.ne (local.get $tag) (i64.const 0)))
      (local.get $timeout) (i32.const 8) (i32.const 8) (i32.const 16)))
  (func $send (param $to i64) (param $tag i64) (param $value i64)
    (i64.store (i32.const 24) (local.get $value))
    (drop (call $send_data (local.get $to) (local.get $tag) (i32.const 24) (i32.const 8))))
  ;; Expects 1..n tagged 7 while it waits for them, acknowledging each (tag 9) so that the next
  ;; one finds it waiting, then 1001..1000+n tagged 8 (queued all along, skipped by the
  ;; filter), then nothing.
  (func (export "consume_selective") (param $n i64)
    (local $i i64)
    (local.set $i (i64.const 1))
    (loop $next
      (i64.store (i32.const 16) (i64.const 0))
      (if (i32.ne (call $receive (i64.const 7) (i64.const -1)) (i32.const 0)) (then unreachable))
      (if (i64.ne (i64.load (i32.const 16)) (i64.const 8)) (then unreachable))
      (if (i64.ne (i64.load (i32.const 8)) (local.get $i)) (then unreachable))
      (call $send (call $sender) (i64.const 9) (local.get $i))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.le_s (local.get $i) (local.get $n))))
    (local.set $i (i64.const 1))
    (loop $next
      (if (i32.ne (call $receive (i64.const 8) (i64.const 0)) (i32.const 0)) (then unreachable))
      (if (i64.ne (i64.load (i32.const 8)) (i64.add (local.get $i) (i64.const 1000)))
        (then unreachable))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.le_s (local.get $i) (local.get $n))))
    (if (i32.ne (call $receive (i64.const 0) (i64.const 0)) (i32.const 9027)) (then unreachable)))
  ;; Sends 1000+i tagged 8, then i tagged 7, then waits for the acknowledgement of i, for
  ;; i = 1..n.
  (func (export "produce_selective") (param $to i64) (param $n i64)
    (local $i i64)
    (local.set $i (i64.const 1))
    (loop $next
      (call $send (local.get $to) (i64.const 8) (i64.add (local.get $i) (i64.const 1000)))
      (call $send (local.get $to) (i64.const 7) (local.get $i))
      (if (i32.ne (call $receive (i64.const 9) (i64.const 10000)) (i32.const 0)) (then unreachable))
      (if (i64.ne (i64.load (i32.const 8)) (local.get $i)) (then unreachable))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.le_s (local.get $i) (local.get $n)))))
  ;; Expects 1..n tagged 7, in order, each exactly once, receiving with a 1 ms timeout: a
  ;; timeout writes no size and goes round again; then nothing is left.
  (func (export "consume_with_timeouts") (param $n i64)
    (local $i i64) (local $kind i32)
    (local.set $i (i64.const 1))
    (loop $next
      (i64.store (i32.const 16) (i64.const 12345))
      (local.set $kind (call $receive (i64.const 7) (i64.const 1)))
      (if (i32.eq (local.get $kind) (i32.const 9027))
        (then (if (i64.ne (i64.load (i32.const 16)) (i64.const 12345)) (then unreachable)))
        (else
          (if (i32.ne (local.get $kind) (i32.const 0)) (then unreachable))
          (if (i64.ne (i64.load (i32.const 16)) (i64.const 8)) (then unreachable))
          (if (i64.ne (i64.load (i32.const 8)) (local.get $i)) (then unreachable))
          (local.set $i (i64.add (local.get $i) (i64.const 1)))))
      (br_if $next (i64.le_s (local.get $i) (local.get $n))))
    (if (i32.ne (call $receive (i64.const 0) (i64.const 0)) (i32.const 9027)) (then unreachable)))
  ;; Sends 1..n tagged 7 with a spin of a varying length (up to ~1.5 ms compiled) before
  ;; each, so sends land before, at and after the receiver's 1 ms deadlines.
  (func (export "produce_spaced") (param $to i64) (param $n i64)
    (local $i i64) (local $spin i64)
    (local.set $i (i64.const 1))
    (loop $next
      (local.set $spin (i64.rem_u (i64.mul (local.get $i) (i64.const 7919)) (i64.const 3000000)))
      (loop $wait
        (local.set $spin (i64.sub (local.get $spin) (i64.const 1)))
        (br_if $wait (i64.gt_s (local.get $spin) (i64.const 0))))
      (call $send (local.get $to) (i64.const 7) (local.get $i))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.le_s (local.get $i) (local.get $n)))))
  ;; Receives forever (until killed).
  (func (export "consume_forever") (param i64)
    (loop $next
      (drop (call $receive (i64.const 0) (i64.const -1)))
      (br $next)))
  ;; Sends 1..n tagged 7.
  (func (export "produce") (param $to i64) (param $n i64)
    (local $i i64)
    (local.set $i (i64.const 1))
    (loop $next
      (call $send (local.get $to) (i64.const 7) (local.get $i))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $next (i64.le_s (local.get $i) (local.get $n)))))
)
)";

class ReceiveDataResume : public ::testing::Test {
 protected:
  ProcessId spawn(const char* entry, std::vector<Value> args) {
    return test::spawn_joinable(runtime_, module_, env_, entry, std::move(args));
  }
  ExitStatus join(ProcessId id) {
    std::optional<ExitStatus> status = runtime_.join(id);
    EXPECT_TRUE(status.has_value());
    return status ? *status : ExitStatus{};
  }
  // The consumer first, so that it waits before the producer's first send.
  void run_pair(const char* consumer, const char* producer, int64_t n) {
    ProcessId c = spawn(consumer, {Value::i64(n)});
    ProcessId p = spawn(producer, {Value::i64(static_cast<int64_t>(c)), Value::i64(n)});
    ExitStatus pe = join(p);
    EXPECT_EQ(pe.kind, ExitStatus::Kind::Normal) << pe.to_string();
    ExitStatus ce = join(c);
    EXPECT_EQ(ce.kind, ExitStatus::Kind::Normal) << ce.to_string();
  }

  std::shared_ptr<const CompiledModule> module_ = test::compile_wat(kGuest);
  std::shared_ptr<Environment> env_ = Environment::create({});
  Runtime runtime_{{.workers = 2, .linker = standard_linker()}};
};

TEST_F(ReceiveDataResume, SelectiveReceiveStillSkipsWhatDoesNotMatch) {
  run_pair("consume_selective", "produce_selective", 2000);
}

TEST_F(ReceiveDataResume, TimeoutsRacingWithHandOversLoseNothingAndRepeatNothing) {
  run_pair("consume_with_timeouts", "produce_spaced", 300);
}

TEST_F(ReceiveDataResume, AKillRacingWithHandOversEndsTheReceiverCleanly) {
  for (int round = 0; round < 20; ++round) {
    ProcessId c = spawn("consume_forever", {Value::i64(0)});
    ProcessId p = spawn("produce", {Value::i64(static_cast<int64_t>(c)), Value::i64(100000)});
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (round % 5)));
    runtime_.kill(c);
    EXPECT_EQ(join(c).kind, ExitStatus::Kind::Killed);
    // Sends to the dead receiver are dropped (send_data returns 1): the producer ends normally.
    ExitStatus pe = join(p);
    EXPECT_EQ(pe.kind, ExitStatus::Kind::Normal) << pe.to_string();
  }
}

}  // namespace
}  // namespace lunatic
