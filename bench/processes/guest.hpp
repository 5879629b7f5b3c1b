// The guest of the process benchmarks, in WAT: the same programs as bench/erlang/
// processes.erl (spawn and join, a ring, ping-pong, idle processes parked in receive, a failure
// propagated over many links, the deaths of many
// watchers of one process).
#pragma once

#include <string_view>

namespace lunatic::bench {

/// A minimal process: no imports, no memory, returns at once.
inline constexpr std::string_view kMinimal = R"((module (func (export "main"))))";

/// A guest-like module: a 1-page memory with data, and the "bench" imports.
inline constexpr std::string_view kGuest = R"((module
  (import "bench" "self" (func $self (result i64)))
  (import "bench" "spawn" (func $spawn (param i32 i32 i64) (result i64)))
  (import "bench" "send" (func $send (param i64 i64) (result i32)))
  (import "bench" "receive" (func $receive (result i64)))
  (import "bench" "link" (func $link (param i64)))
  (import "bench" "monitor" (func $monitor (param i64)))
  (import "bench" "mark" (func $mark (param i32)))
  (memory 1)
  (data (i32.const 0) "child")
  (data (i32.const 16) "node")
  (data (i32.const 32) "ponger")
  (data (i32.const 48) "idle")
  (data (i32.const 64) "linked_idle")
  (data (i32.const 80) "linked_watcher")

  ;; A process that does nothing (spawned from the embedder).
  (func (export "main") (param i64))

  ;; Sends 1 to its parent and ends.
  (func (export "child") (param $parent i64)
    (drop (call $send (local.get $parent) (i64.const 1))))

  ;; Spawns n children and receives their n messages, between mark 0 and mark 1.
  (func (export "spawn_join") (param $n i64)
    (call $mark (i32.const 0))
    (call $spawn_and_await (i32.const 0) (i32.const 5) (local.get $n))
    (call $mark (i32.const 1)))

  ;; A ring node: forwards every value to $next; after forwarding a 0 it ends.
  (func (export "node") (param $next i64)
    (local $v i64)
    (loop $l
      (local.set $v (call $receive))
      (drop (call $send (local.get $next) (local.get $v)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0)))))

  ;; A ring of n nodes and this process; the token goes 100 times around between mark 0 and
  ;; mark 1 (100 * (n + 1) messages), then a 0 ends the nodes.
  (func (export "ring") (param $n i64)
    (local $i i64) (local $prev i64)
    (local.set $prev (call $self))
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (local.set $prev (call $spawn (i32.const 16) (i32.const 4) (local.get $prev)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $mark (i32.const 0))
    (local.set $i (i64.const 0))
    (loop $round
      (drop (call $send (local.get $prev) (i64.const 1)))
      (drop (call $receive))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $round (i64.lt_u (local.get $i) (i64.const 100))))
    (call $mark (i32.const 1))
    (drop (call $send (local.get $prev) (i64.const 0)))
    (drop (call $receive)))

  ;; Echoes every value to $parent; ends after echoing a 0.
  (func (export "ponger") (param $parent i64)
    (local $v i64)
    (loop $l
      (local.set $v (call $receive))
      (drop (call $send (local.get $parent) (local.get $v)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0)))))

  ;; n round trips with a ponger between mark 0 and mark 1.
  (func (export "ping") (param $n i64)
    (local $i i64) (local $p i64)
    (local.set $p (call $spawn (i32.const 32) (i32.const 6) (call $self)))
    (call $mark (i32.const 0))
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $send (local.get $p) (i64.const 1)))
      (drop (call $receive))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $mark (i32.const 1))
    (drop (call $send (local.get $p) (i64.const 0)))
    (drop (call $receive)))

  ;; Tells its parent it runs, then waits in receive for ever.
  (func (export "idle") (param $parent i64)
    (drop (call $send (local.get $parent) (i64.const 1)))
    (drop (call $receive)))

  ;; Resident memory at mark 0, then n idle processes, each known to be parked (its message
  ;; came), at mark 1. Ends with them alive: the runtime kills them.
  (func (export "idle_many") (param $n i64)
    (call $mark (i32.const 0))
    (call $spawn_and_await (i32.const 48) (i32.const 4) (local.get $n))
    (call $mark (i32.const 1)))

  ;; Links itself to $parent, tells it so, then waits in receive for ever.
  (func (export "linked_idle") (param $parent i64)
    (call $link (local.get $parent))
    (drop (call $send (local.get $parent) (i64.const 1)))
    (drop (call $receive)))

  ;; n idle processes linked to this one, each known to be linked (its message came); mark 0,
  ;; then this process traps: the failure propagates over the n links and kills them all. The
  ;; embedder times mark 0 to the moment no process is alive.
  (func (export "link_hub") (param $n i64)
    (call $spawn_and_await (i32.const 64) (i32.const 11) (local.get $n))
    (call $mark (i32.const 0))
    (unreachable))

  ;; Monitors the process whose id is its first message, links itself to $parent, tells it
  ;; so, then waits in receive for ever.
  (func (export "linked_watcher") (param $parent i64)
    (call $monitor (call $receive))
    (call $link (local.get $parent))
    (drop (call $send (local.get $parent) (i64.const 1)))
    (drop (call $receive)))

  ;; A target idle for ever, and n idle processes that monitor it and are linked to this one,
  ;; each known to be set up (its message came); mark 0, then this process traps: the n
  ;; watchers die over their links, and each death removes its monitor from the target. The
  ;; embedder times mark 0 to the moment only the target is alive.
  (func (export "monitor_hub") (param $n i64)
    (local $i i64) (local $me i64) (local $target i64)
    (local.set $me (call $self))
    (local.set $target (call $spawn (i32.const 48) (i32.const 4) (local.get $me)))
    (drop (call $receive))
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $send (call $spawn (i32.const 80) (i32.const 14) (local.get $me))
                        (local.get $target)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $await (local.get $n))
    (call $mark (i32.const 0))
    (unreachable))

  ;; Receives n messages.
  (func $await (param $n i64)
    (local $i i64)
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $receive))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l))))

  ;; Spawns n processes of the export named by the `len` bytes at `name`, each given this
  ;; process's id, then receives one message from each.
  (func $spawn_and_await (param $name i32) (param $len i32) (param $n i64)
    (local $i i64) (local $me i64)
    (local.set $me (call $self))
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $spawn (local.get $name) (local.get $len) (local.get $me)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $await (local.get $n)))
))";

}  // namespace lunatic::bench
