// The guest module of the runtime tests: one module with an export per role, spawned by name.
#pragma once

#include <string_view>

namespace lunatic::runtime::test {

// Entry names live in memory for test::spawn (address, length).
inline constexpr std::string_view kGuest = R"(
  (memory 1)
  (data (i32.const 0) "crash")
  (data (i32.const 16) "wait_forever")
  (data (i32.const 32) "exit0")
  (data (i32.const 48) "hold_then_wait")
  (data (i32.const 64) "spin")
  (data (i32.const 80) "hello")
  (data (i32.const 96) "node")
  (data (i32.const 112) "child")
  (data (i32.const 128) "grow")
  (data (i32.const 144) "yielder")
  (data (i32.const 160) "bounce")
  (data (i32.const 176) "echo_once")
  (data (i32.const 192) "wake_then_spin")
  (data (i32.const 208) "ponger")
  (data (i32.const 224) "pinger")

  (func (export "crash") (param i64) unreachable)
  (func (export "wait_forever") (param i64) (drop (call $receive (i64.const 99) (i64.const -1))))
  (func (export "exit0") (param i64) (call $exit (i32.const 0)))
  (func (export "exit3") (param i64) (call $exit (i32.const 3)))
  (func (export "spin") (param i64) (loop $l (br $l)))
  (func (export "hello") (param $parent i64)
    (drop (call $send (local.get $parent) (i64.const 0) (i64.const 42))))
  (func (export "child") (param $parent i64)
    (drop (call $send (local.get $parent) (i64.const 1) (i64.const 1))))
  (func (export "grow") (param $parent i64)
    (call $report (i64.extend_i32_s (memory.grow (i32.const 1)))))
  (func (export "hold_then_wait") (param $parent i64)
    (call $hold (i64.const 5))
    (drop (call $send (local.get $parent) (i64.const 0) (i64.const 1)))
    (drop (call $receive (i64.const 99) (i64.const -1))))

  ;; Spawns n children that each send 1 back, then receives n messages; returns their sum.
  (func (export "spawn_join") (param $n i64) (result i64)
    (call $spawn_and_sum (i32.const 112) (i32.const 5) (local.get $n)))
  ;; Spawns n processes of the entry named at $name (given this process's id), then receives
  ;; n messages; returns their sum.
  (func $spawn_and_sum (param $name i32) (param $len i32) (param $n i64) (result i64)
    (local $i i64) (local $sum i64)
    (block $done (loop $spawn
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $spawn (local.get $name) (local.get $len) (call $self) (i64.const 0)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $spawn)))
    (local.set $i (i64.const 0))
    (block $done (loop $recv
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (i64.add (local.get $sum) (call $receive (i64.const 0) (i64.const -1))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $recv)))
    (local.get $sum))

  ;; A ring node: forwards each token + 1 to $next; forwards a 0 and ends.
  (func (export "node") (param $next i64)
    (local $v i64)
    (loop $l
      (local.set $v (call $receive (i64.const 0) (i64.const -1)))
      (drop (call $send (local.get $next) (i64.const 0)
        (select (i64.const 0) (i64.add (local.get $v) (i64.const 1)) (i64.eqz (local.get $v)))))
      (br_if $l (i64.ne (local.get $v) (i64.const 0)))))
  ;; Builds a ring of n nodes and the root, passes a token 10 times around; returns it.
  (func (export "ring") (param $n i64) (result i64)
    (local $i i64) (local $prev i64) (local $v i64) (local $r i64)
    (local.set $prev (call $self))
    (block $done (loop $spawn
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (local.set $prev (call $spawn (i32.const 96) (i32.const 4) (local.get $prev) (i64.const 0)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $spawn)))
    (local.set $v (i64.const 1))
    (loop $round
      (drop (call $send (local.get $prev) (i64.const 0) (local.get $v)))
      (local.set $v (call $receive (i64.const 0) (i64.const -1)))
      (local.set $r (i64.add (local.get $r) (i64.const 1)))
      (br_if $round (i64.lt_u (local.get $r) (i64.const 10))))
    (drop (call $send (local.get $prev) (i64.const 0) (i64.const 0)))
    (drop (call $receive (i64.const 0) (i64.const -1)))
    (local.get $v))

  ;; Sends itself tagged messages, then receives selectively.
  (func (export "selective") (param i64)
    (local $me i64)
    (local.set $me (call $self))
    (drop (call $send (local.get $me) (i64.const 1) (i64.const 10)))
    (drop (call $send (local.get $me) (i64.const 2) (i64.const 20)))
    (drop (call $send (local.get $me) (i64.const 1) (i64.const 11)))
    (drop (call $send (local.get $me) (i64.const 3) (i64.const 30)))
    (call $report (call $receive (i64.const 2) (i64.const -1)))
    (call $report (call $receive (i64.const 3) (i64.const -1)))
    (call $report (call $receive (i64.const 0) (i64.const -1)))
    (call $report (call $receive (i64.const 0) (i64.const -1)))
    (call $report (call $receive (i64.const 0) (i64.const 0))))
  (func (export "timeout") (param $ms i64) (result i64)
    (call $receive (i64.const 7) (local.get $ms)))

  ;; Links.
  (func (export "parent_of_crash") (param i64)
    (drop (call $spawn (i32.const 0) (i32.const 5) (i64.const 0) (i64.const 5)))
    (drop (call $receive (i64.const 99) (i64.const -1))))
  (func (export "trap_as_message") (param i64) (result i64)
    (call $die_when_link_dies (i32.const 0))
    (drop (call $spawn (i32.const 0) (i32.const 5) (i64.const 0) (i64.const 7)))
    (call $receive (i64.const 0) (i64.const -1)))
  (func (export "crash_with_child") (param i64)
    (call $report (call $spawn (i32.const 16) (i32.const 12) (i64.const 0) (i64.const 3)))
    unreachable)
  (func (export "normal_exits") (param i64) (result i64)
    (drop (call $spawn (i32.const 32) (i32.const 5) (i64.const 0) (i64.const 4)))
    (drop (call $spawn (i32.const 80) (i32.const 5) (call $self) (i64.const 4)))
    (drop (call $receive (i64.const 0) (i64.const -1)))
    (call $receive (i64.const 0) (i64.const 100)))
  (func (export "link_to_dead") (param $id i64) (result i64)
    (call $die_when_link_dies (i32.const 0))
    (call $link (i64.const 9) (local.get $id))
    (call $receive (i64.const 0) (i64.const -1)))

  ;; Kill.
  (func (export "killer") (param i64) (result i64)
    (local $c i64)
    (local.set $c (call $spawn (i32.const 48) (i32.const 14) (call $self) (i64.const 0)))
    (drop (call $receive (i64.const 0) (i64.const -1)))
    (drop (call $receive (i64.const 5) (i64.const 30)))
    (call $kill (local.get $c))
    (local.get $c))
  ;; One of a pair that passes messages back and forth for ever: with $peer 0 it first
  ;; receives its peer's id; each then sends and receives in turn.
  (func (export "bounce") (param $peer i64)
    (if (i64.eqz (local.get $peer))
      (then (local.set $peer (call $receive (i64.const 0) (i64.const -1)))))
    (loop $l
      (drop (call $send (local.get $peer) (i64.const 0) (call $self)))
      (drop (call $receive (i64.const 0) (i64.const -1)))
      (br $l)))
  ;; A bouncing pair, then a process that sends 42 back; returns what came back, after
  ;; killing the pair (on one worker the pair's wake-ups must not keep the other from running).
  (func (export "bounce_main") (param i64) (result i64)
    (local $a i64) (local $b i64) (local $v i64)
    (local.set $a (call $spawn (i32.const 160) (i32.const 6) (i64.const 0) (i64.const 0)))
    (local.set $b (call $spawn (i32.const 160) (i32.const 6) (local.get $a) (i64.const 0)))
    (drop (call $spawn (i32.const 80) (i32.const 5) (call $self) (i64.const 0)))
    (local.set $v (call $receive (i64.const 0) (i64.const -1)))
    (call $kill (local.get $a))
    (call $kill (local.get $b))
    (local.get $v))
  ;; Takes one message and sends 42 to $parent.
  (func (export "echo_once") (param $parent i64)
    (drop (call $receive (i64.const 0) (i64.const -1)))
    (drop (call $send (local.get $parent) (i64.const 0) (i64.const 42))))
  ;; Wakes $peer with a message (it runs next on this worker, its runnext), then computes
  ;; for ever instead of waiting.
  (func (export "wake_then_spin") (param $peer i64)
    (drop (call $send (local.get $peer) (i64.const 0) (i64.const 1)))
    (loop $l (br $l)))
  ;; An echo_once woken by a process that keeps computing: what it sends back arrives, on
  ;; one worker (the waker's slice must end, not be extended) as on two (a steal).
  (func (export "runnext_of_spinner") (param i64) (result i64)
    (local $e i64) (local $s i64) (local $v i64)
    (local.set $e (call $spawn (i32.const 176) (i32.const 9) (call $self) (i64.const 0)))
    (local.set $s (call $spawn (i32.const 192) (i32.const 14) (local.get $e) (i64.const 0)))
    (local.set $v (call $receive (i64.const 0) (i64.const -1)))
    (call $kill (local.get $s))
    (local.get $v))
  ;; Echoes every value to $parent; ends after echoing a 0.
  (func (export "ponger") (param $parent i64)
    (local $v i64)
    (loop $l
      (local.set $v (call $receive (i64.const 0) (i64.const -1)))
      (drop (call $send (local.get $parent) (i64.const 0) (local.get $v)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0)))))
  ;; Plays 1,000 round trips with a ponger of its own (values 1000 down to 1, then 0), then
  ;; sends $root the sum of what came back.
  (func (export "pinger") (param $root i64)
    (local $p i64) (local $i i64) (local $sum i64)
    (local.set $p (call $spawn (i32.const 208) (i32.const 6) (call $self) (i64.const 0)))
    (local.set $i (i64.const 1000))
    (loop $l
      (drop (call $send (local.get $p) (i64.const 0) (local.get $i)))
      (local.set $sum (i64.add (local.get $sum) (call $receive (i64.const 0) (i64.const -1))))
      (local.set $i (i64.sub (local.get $i) (i64.const 1)))
      (br_if $l (i64.ne (local.get $i) (i64.const 0))))
    (drop (call $send (local.get $p) (i64.const 0) (i64.const 0)))
    (drop (call $receive (i64.const 0) (i64.const -1)))
    (drop (call $send (local.get $root) (i64.const 0) (local.get $sum))))
  ;; $n pingers at once; returns the sum of their sums (n * 500,500 when nothing is lost).
  (func (export "pingpong_pairs") (param $n i64) (result i64)
    (call $spawn_and_sum (i32.const 224) (i32.const 6) (local.get $n)))
  (func (export "spin_main") (param i64) (result i64)
    (local $s i64) (local $v i64)
    (local.set $s (call $spawn (i32.const 64) (i32.const 4) (i64.const 0) (i64.const 0)))
    (drop (call $spawn (i32.const 80) (i32.const 5) (call $self) (i64.const 0)))
    (local.set $v (call $receive (i64.const 0) (i64.const -1)))
    (call $kill (local.get $s))
    (local.get $v))

  ;; Monitors.
  (func (export "monitor_then_exit") (param $target i64)
    (call $monitor (i64.const 1) (local.get $target)))
  ;; Monitors $target again and again (each monitor is one more entry).
  (func (export "monitor_forever") (param $target i64)
    (loop $l (call $monitor (i64.const 1) (local.get $target)) (br $l)))
  ;; Spawns n children that exit at once, monitoring each, and takes each one's ProcessDied
  ;; (or its noproc) before the next; then reports 1 and waits forever.
  (func (export "monitor_children") (param $n i64)
    (local $i i64)
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $monitor (i64.const 5)
        (call $spawn (i32.const 32) (i32.const 5) (i64.const 0) (i64.const 0)))
      (drop (call $receive (i64.const 5) (i64.const -1)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $report (i64.const 1))
    (drop (call $receive (i64.const 99) (i64.const -1))))

  ;; Yield: reports $who * 1000 + step for 20 steps, yielding after each.
  (func (export "yielder") (param $who i64)
    (local $i i64)
    (loop $l
      (call $report (i64.add (i64.mul (local.get $who) (i64.const 1000)) (local.get $i)))
      (call $yield)
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.const 20)))))
  ;; Spawns two yielders, queued on this worker before either runs.
  (func (export "yield_pair") (param i64)
    (drop (call $spawn (i32.const 144) (i32.const 7) (i64.const 1) (i64.const 0)))
    (drop (call $spawn (i32.const 144) (i32.const 7) (i64.const 2) (i64.const 0))))

  ;; Environments.
  (func (export "spawn_many") (param $n i64) (result i64)
    (local $i i64) (local $ok i64)
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (if (i64.ne (call $spawn (i32.const 16) (i32.const 12) (i64.const 0) (i64.const 0))
                  (i64.const -1))
        (then (local.set $ok (i64.add (local.get $ok) (i64.const 1)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (local.get $ok))
  (func (export "grow_in_child") (param i64)
    (drop (call $spawn (i32.const 128) (i32.const 4) (i64.const 0) (i64.const 0))))
)";

}  // namespace lunatic::runtime::test
