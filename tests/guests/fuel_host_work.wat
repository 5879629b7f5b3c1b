;; fuel_host_work MODE: host work a guest starts is charged to its fuel. The root spawns an
;; attacker (monitored) in a sandbox with max_fuel 100,000 that asks the host for work in a
;; loop, and prints why it ended ("attacker: trap: out of fuel"), then that a new process
;; still runs ("carried on").
;;   c  compile_module of a valid (empty) module, dropped, for ever (256 fuel units a byte)
;;   p  spawn of a process that returns at once, for ever: 10,000 units a spawn and one per 16
;;      bytes instantiation writes (the module's table of 1,000,000 slots is a mapping whose
;;      slots are never written, so it adds nothing: 10 spawns; uncharged, 100,000 units paid
;;      for some 10,000 spawns, each of which wrote 8 MB of table before it became a mapping)
;;   w  write_data of its 128 KiB memory into a new message, for ever (8,192 units a copy),
;;      printing "copied 100 messages" to stderr at the 100th (uncharged, it got to ~10,000)
;;   f  memory.fill of 1 GiB, for ever (one unit per 16 bytes: 67,108,864 units a fill;
;;      uncharged, each fill took ~0.3 s and 100,000 units paid for some 10,000 of them)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "lunatic::message" "create_data" (func $create_data (param i64 i64)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::message" "write_data" (func $write_data (param i32 i32) (result i32)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::message" "read_data" (func $read_data (param i32 i32) (result i32)))
  (import "lunatic::process" "process_id" (func $process_id (result i64)))
  (import "lunatic::process" "monitor" (func $monitor (param i64 i64)))
  (import "lunatic::process" "create_config" (func $create_config (result i64)))
  (import "lunatic::process" "allow_namespace" (func $allow_namespace (param i64 i32 i32)))
  (import "lunatic::process" "config_set_max_fuel" (func $config_set_max_fuel (param i64 i64)))
  (import "lunatic::process" "compile_module" (func $compile_module (param i32 i32 i32) (result i32)))
  (import "lunatic::process" "drop_module" (func $drop_module (param i64)))
  (import "lunatic::process" "spawn" (func $spawn (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (table 1000000 funcref)
  (data (i32.const 1000) "\00asm\01\00\00\00")  ;; an empty module
  (data (i32.const 1100) "attack")
  (data (i32.const 1116) "noop")
  (data (i32.const 1132) "echo")
  (data (i32.const 1200) "attacker: ")
  (data (i32.const 1216) "\n")
  (data (i32.const 1232) "carried on\n")
  (data (i32.const 1248) "spawn failed\n")
  (data (i32.const 1264) "compile failed\n")
  (data (i32.const 1280) "grow failed\n")
  (data (i32.const 1296) "copied 100 messages\n")

  (func $print (param $ptr i32) (param $len i32)
    (call $print_to (i32.const 1) (local.get $ptr) (local.get $len)))
  (func $print_to (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16))))

  ;; Spawns export `name` of this module in `config` with i64 argument a; its id, or traps.
  (func $spawn1 (param $config i64) (param $name i32) (param $len i32) (param $a i64) (result i64)
    (i32.store8 (i32.const 2000) (i32.const 0x7E))
    (i64.store (i32.const 2001) (local.get $a))
    (i64.store (i32.const 2009) (i64.const 0))
    (if (call $spawn (i64.const 0) (local.get $config) (i64.const -1) (local.get $name)
                     (local.get $len) (i32.const 2000) (i32.const 17) (i32.const 2100))
      (then (call $print (i32.const 1248) (i32.const 13)) (unreachable)))
    (i64.load (i32.const 2100)))

  (func (export "attack") (param $mode i64)
    (local $n i32)
    ;; Waits for the root's go (tag 5): it monitors first, so the death cannot come before.
    (i64.store (i32.const 2400) (i64.const 5))
    (drop (call $receive (i32.const 2400) (i32.const 1) (i64.const -1)))
    (if (i64.eq (local.get $mode) (i64.const 0x63))  ;; 'c'
      (then (loop $l
        (if (call $compile_module (i32.const 1000) (i32.const 8) (i32.const 2200))
          (then (call $print (i32.const 1264) (i32.const 15)) (unreachable)))
        (call $drop_module (i64.load (i32.const 2200)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x70))  ;; 'p'
      (then (loop $l
        (drop (call $spawn1 (i64.const -1) (i32.const 1116) (i32.const 4) (i64.const 0)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x77))  ;; 'w'
      (then (loop $l
        (call $create_data (i64.const 1) (i64.const 0))
        (drop (call $write_data (i32.const 0) (i32.const 131072)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (if (i32.eq (local.get $n) (i32.const 100))
          (then (call $print_to (i32.const 2) (i32.const 1296) (i32.const 20))))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x66))  ;; 'f'
      (then
        (if (i32.eq (memory.grow (i32.const 16384)) (i32.const -1))
          (then (call $print (i32.const 1280) (i32.const 12)) (unreachable)))
        (loop $l
          (memory.fill (i32.const 131072) (i32.const 1) (i32.const 0x40000000))
          (br $l)))))

  (func (export "noop") (param i64))

  (func (export "echo") (param $parent i64)
    (call $create_data (i64.const 7) (i64.const 0))
    (drop (call $send (local.get $parent))))

  (func (export "_start")
    (local $config i64) (local $attacker i64) (local $len i32)
    ;; argv[1][0]: sizes at 3000, pointers at 3100, strings at 3200.
    (drop (call $args_sizes_get (i32.const 3000) (i32.const 3004)))
    (if (i32.lt_u (i32.load (i32.const 3000)) (i32.const 2)) (then (unreachable)))
    (drop (call $args_get (i32.const 3100) (i32.const 3200)))
    (local.set $config (call $create_config))
    (call $allow_namespace (local.get $config) (i32.const 0) (i32.const 0))
    (call $config_set_max_fuel (local.get $config) (i64.const 100000))
    (local.set $attacker (call $spawn1 (local.get $config) (i32.const 1100) (i32.const 6)
                                       (i64.load8_u (i32.load (i32.const 3104)))))
    (call $monitor (i64.const 9) (local.get $attacker))
    (call $create_data (i64.const 5) (i64.const 0))
    (drop (call $send (local.get $attacker)))
    ;; The ProcessDied notice of monitor 9: its reason at 4000.
    (i64.store (i32.const 2300) (i64.const 9))
    (drop (call $receive (i32.const 2300) (i32.const 1) (i64.const -1)))
    (local.set $len (call $read_data (i32.const 4000) (i32.const 1024)))
    (call $print (i32.const 1200) (i32.const 10))
    (call $print (i32.const 4000) (local.get $len))
    (call $print (i32.const 1216) (i32.const 1))
    (drop (call $spawn1 (i64.const -1) (i32.const 1132) (i32.const 4) (call $process_id)))
    (i64.store (i32.const 2300) (i64.const 7))
    (if (i32.eqz (call $receive (i32.const 2300) (i32.const 1) (i64.const 10000)))
      (then (call $print (i32.const 1232) (i32.const 11))))))
