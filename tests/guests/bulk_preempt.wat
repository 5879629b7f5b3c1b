;; bulk_preempt (run with --threads 1): a long memory.fill ends its slice between two of its
;; 4 MiB pieces, so another process on the same worker runs meanwhile, and a kill ends it
;; there. The root spawns a filler, which tells it (tag 3) that it starts, fills 1 GiB (256
;; pieces), sends tag 1, and fills for ever. Once the filler has started, the root spawns a
;; pinger that sends tag 2 at once, and takes the first of tags 1 and 2: the pinger's comes
;; first only if the filler's fill was cut (before, the whole fill ran first: "the filler's
;; fill ended first"). The root then kills the filler, inside a fill, and waits for its death.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "lunatic::message" "create_data" (func $create_data (param i64 i64)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::message" "get_tag" (func $get_tag (result i64)))
  (import "lunatic::process" "process_id" (func $process_id (result i64)))
  (import "lunatic::process" "monitor" (func $monitor (param i64 i64)))
  (import "lunatic::process" "kill" (func $kill (param i64)))
  (import "lunatic::process" "spawn" (func $spawn (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 16384)
  (data (i32.const 1100) "filler")
  (data (i32.const 1116) "pinger")
  (data (i32.const 1200) "pinger answered during the filler's fill\n")
  (data (i32.const 1300) "the filler's fill ended first\n")
  (data (i32.const 1400) "filler killed\n")
  (data (i32.const 1500) "spawn failed\n")

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))

  ;; Spawns export `name` of this module with i64 argument a; its id, or traps.
  (func $spawn1 (param $name i32) (param $len i32) (param $a i64) (result i64)
    (i32.store8 (i32.const 2000) (i32.const 0x7E))
    (i64.store (i32.const 2001) (local.get $a))
    (i64.store (i32.const 2009) (i64.const 0))
    (if (call $spawn (i64.const 0) (i64.const -1) (i64.const -1) (local.get $name)
                     (local.get $len) (i32.const 2000) (i32.const 17) (i32.const 2100))
      (then (call $print (i32.const 1500) (i32.const 13)) (unreachable)))
    (i64.load (i32.const 2100)))

  (func $tell (param $to i64) (param $tag i64)
    (call $create_data (local.get $tag) (i64.const 0))
    (drop (call $send (local.get $to))))

  (func (export "filler") (param $parent i64)
    (call $tell (local.get $parent) (i64.const 3))
    (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x40000000))
    (call $tell (local.get $parent) (i64.const 1))
    (loop $l
      (memory.fill (i32.const 0) (i32.const 2) (i32.const 0x40000000))
      (br $l)))

  (func (export "pinger") (param $parent i64)
    (call $tell (local.get $parent) (i64.const 2)))

  (func (export "_start")
    (local $filler i64)
    (local.set $filler (call $spawn1 (i32.const 1100) (i32.const 6) (call $process_id)))
    (call $monitor (i64.const 9) (local.get $filler))
    ;; Tag 3: the filler is about to fill.
    (i64.store (i32.const 2300) (i64.const 3))
    (drop (call $receive (i32.const 2300) (i32.const 1) (i64.const -1)))
    (drop (call $spawn1 (i32.const 1116) (i32.const 6) (call $process_id)))
    (i64.store (i32.const 2300) (i64.const 1))
    (i64.store (i32.const 2308) (i64.const 2))
    (drop (call $receive (i32.const 2300) (i32.const 2) (i64.const -1)))
    (if (i64.eq (call $get_tag) (i64.const 2))
      (then (call $print (i32.const 1200) (i32.const 41)))
      (else (call $print (i32.const 1300) (i32.const 30))))
    ;; The kill takes effect between two pieces of the filler's fill: its death notice comes.
    (call $kill (local.get $filler))
    (i64.store (i32.const 2300) (i64.const 9))
    (drop (call $receive (i32.const 2300) (i32.const 1) (i64.const -1)))
    (call $print (i32.const 1400) (i32.const 14))))
