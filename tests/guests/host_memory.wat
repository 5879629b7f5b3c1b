;; host_memory MODE: a process floods host memory while the root watches. The attacker is
;; spawned (monitored) in modes s and n in a sandbox (max_memory 2 MiB, max_processes 1), else
;; in the root environment; the root prints why it ended ("attacker: killed: out of memory: ...
;; max_memory_total ..."), then checks that a new process still runs ("carried on").
;;   s  64 KiB messages to itself          m  10,000,000 empty messages to a sleeper
;;   b  512 MiB messages to a sleeper      t  10,000,000 timers (1e9 ms)
;;   d  64 KiB send_data messages to a sleeper, for ever
;;   g  table.grow by 1M elements until it returns -1 ("table.grow returned -1")
;;   f  a fork bomb: linked sleepers until a spawn fails ("spawn failed: " and the error's
;;      text), then it traps and its sleepers die with it
;;   n  monitors of a sleeper (outside the sandbox), a new tag each, for ever
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "lunatic::message" "create_data" (func $create_data (param i64 i64)))
  (import "lunatic::message" "write_data" (func $write_data (param i32 i32) (result i32)))
  (import "lunatic::message" "send" (func $send (param i64) (result i32)))
  (import "lunatic::message" "send_data" (func $send_data (param i64 i64 i32 i32) (result i32)))
  (import "lunatic::message" "receive" (func $receive (param i32 i32 i64) (result i32)))
  (import "lunatic::message" "data_size" (func $data_size (result i64)))
  (import "lunatic::message" "read_data" (func $read_data (param i32 i32) (result i32)))
  (import "lunatic::timer" "send_after" (func $send_after (param i64 i64) (result i64)))
  (import "lunatic::process" "process_id" (func $process_id (result i64)))
  (import "lunatic::process" "monitor" (func $monitor (param i64 i64)))
  (import "lunatic::process" "kill" (func $kill (param i64)))
  (import "lunatic::process" "sleep_ms" (func $sleep_ms (param i64)))
  (import "lunatic::process" "create_config" (func $create_config (result i64)))
  (import "lunatic::process" "allow_namespace" (func $allow_namespace (param i64 i32 i32)))
  (import "lunatic::process" "config_set_max_memory" (func $config_set_max_memory (param i64 i64)))
  (import "lunatic::process" "config_set_max_processes" (func $config_set_max_processes (param i64 i64)))
  (import "lunatic::process" "spawn" (func $spawn (param i64 i64 i64 i32 i32 i32 i32 i32) (result i32)))
  (import "lunatic::error" "string_size" (func $error_size (param i64) (result i32)))
  (import "lunatic::error" "to_string" (func $error_text (param i64 i32)))
  (memory (export "memory") 2)
  (table $t 0 funcref)
  (global $link_tag (mut i64) (i64.const 0))  ;; the spawns' link tag (mode f links them)
  ;; Page 0 is the (zero) message buffer; page 1 scratch.
  (data (i32.const 69000) "attack")
  (data (i32.const 69016) "sleeper")
  (data (i32.const 69032) "echo")
  (data (i32.const 70000) "attacker: ")
  (data (i32.const 70016) "\n")
  (data (i32.const 70032) "carried on\n")
  (data (i32.const 70048) "spawn failed: ")
  (data (i32.const 70064) "table.grow returned -1\n")

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 65536) (local.get $ptr))
    (i32.store (i32.const 65540) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 1) (i32.const 65600))))

  ;; Spawns export `name` of this module in `config` with i64 arguments a and b.
  (func $spawn2 (param $config i64) (param $name i32) (param $len i32) (param $a i64) (param $b i64)
                (result i64)
    (i32.store8 (i32.const 69200) (i32.const 0x7E))
    (i64.store (i32.const 69201) (local.get $a))
    (i64.store (i32.const 69209) (i64.const 0))
    (i32.store8 (i32.const 69217) (i32.const 0x7E))
    (i64.store (i32.const 69218) (local.get $b))
    (i64.store (i32.const 69226) (i64.const 0))
    (if (call $spawn (global.get $link_tag) (local.get $config) (i64.const -1) (local.get $name)
                     (local.get $len) (i32.const 69200) (i32.const 34) (i32.const 69100))
      (then
        (call $print (i32.const 70048) (i32.const 14))
        ;; The error's text (at most 1 KiB of it) at 71000.
        (call $error_text (i64.load (i32.const 69100)) (i32.const 71000))
        (call $print (i32.const 71000)
                     (select (call $error_size (i64.load (i32.const 69100))) (i32.const 1024)
                             (i32.lt_u (call $error_size (i64.load (i32.const 69100))) (i32.const 1024))))
        (call $print (i32.const 70016) (i32.const 1))
        (unreachable)))
    (i64.load (i32.const 69100)))

  ;; Waits for the ProcessDied message of monitor `tag`; returns the reason's length (at 67000).
  (func $wait_death (param $tag i64) (result i32)
    (i64.store (i32.const 69120) (local.get $tag))
    (drop (call $receive (i32.const 69120) (i32.const 1) (i64.const -1)))
    (call $read_data (i32.const 67000) (i32.const 1024)))

  (func (export "attack") (param $mode i64) (param $target i64)
    (local $i i32) (local $j i32) (local $self i64)
    (local.set $self (call $process_id))
    (if (i64.eq (local.get $mode) (i64.const 0x73))  ;; 's'
      (then (loop $l
        (call $create_data (i64.const 1) (i64.const 65536))
        (drop (call $write_data (i32.const 0) (i32.const 65536)))
        (drop (call $send (local.get $self)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x6d))  ;; 'm'
      (then (loop $l
        (call $create_data (i64.const 1) (i64.const 0))
        (drop (call $send (local.get $target)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 10000000))))))
    (if (i64.eq (local.get $mode) (i64.const 0x62))  ;; 'b'
      (then (loop $l
        (call $create_data (i64.const 1) (i64.const 0))
        (local.set $j (i32.const 0))
        (loop $w
          (drop (call $write_data (i32.const 0) (i32.const 65536)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $w (i32.lt_u (local.get $j) (i32.const 8192))))
        (drop (call $send (local.get $target)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x64))  ;; 'd'
      (then (loop $l
        (drop (call $send_data (local.get $target) (i64.const 1) (i32.const 0) (i32.const 65536)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x74))  ;; 't'
      (then (loop $l
        (call $create_data (i64.const 1) (i64.const 0))
        (drop (call $send_after (local.get $self) (i64.const 1000000000)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 10000000))))))
    (if (i64.eq (local.get $mode) (i64.const 0x67))  ;; 'g'
      (then
        (loop $l
          (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1))))
        (call $print (i32.const 70064) (i32.const 23))))
    (if (i64.eq (local.get $mode) (i64.const 0x6e))  ;; 'n'
      (then (loop $l
        (call $monitor (i64.extend_i32_u (local.get $i)) (local.get $target))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))
    (if (i64.eq (local.get $mode) (i64.const 0x66))  ;; 'f'
      (then
        (global.set $link_tag (i64.const 1))
        (loop $l
          (drop (call $spawn2 (i64.const -1) (i32.const 69016) (i32.const 7) (i64.const 0)
                              (i64.const 0)))
          (br $l)))))

  (func (export "sleeper") (param i64) (param i64) (call $sleep_ms (i64.const 1000000000)))

  (func (export "echo") (param $parent i64) (param i64)
    (call $create_data (i64.const 7) (i64.const 0))
    (drop (call $send (local.get $parent))))

  (func (export "_start")
    (local $mode i64) (local $config i64) (local $target i64) (local $len i32)
    ;; argv[1][0]: sizes at 65700, pointers at 65800, strings at 66000.
    (drop (call $args_sizes_get (i32.const 65700) (i32.const 65704)))
    (if (i32.lt_u (i32.load (i32.const 65700)) (i32.const 2)) (then (unreachable)))
    (drop (call $args_get (i32.const 65800) (i32.const 66000)))
    (local.set $mode (i64.load8_u (i32.load (i32.const 65804))))
    (local.set $config (i64.const -1))
    (if (i32.or (i64.eq (local.get $mode) (i64.const 0x73)) (i64.eq (local.get $mode) (i64.const 0x6e)))
      (then
        (local.set $config (call $create_config))
        (call $allow_namespace (local.get $config) (i32.const 0) (i32.const 0))
        (call $config_set_max_memory (local.get $config) (i64.const 2097152))
        (call $config_set_max_processes (local.get $config) (i64.const 1))))
    (if (i32.or (i32.or (i64.eq (local.get $mode) (i64.const 0x6d)) (i64.eq (local.get $mode) (i64.const 0x62)))
                (i32.or (i64.eq (local.get $mode) (i64.const 0x64)) (i64.eq (local.get $mode) (i64.const 0x6e))))
      (then
        (local.set $target (call $spawn2 (i64.const -1) (i32.const 69016) (i32.const 7)
                                         (i64.const 0) (i64.const 0)))
        (call $monitor (i64.const 10) (local.get $target))))
    (call $monitor (i64.const 9)
      (call $spawn2 (local.get $config) (i32.const 69000) (i32.const 6) (local.get $mode)
                    (local.get $target)))
    (local.set $len (call $wait_death (i64.const 9)))
    (call $print (i32.const 70000) (i32.const 10))
    (call $print (i32.const 67000) (local.get $len))
    (call $print (i32.const 70016) (i32.const 1))
    (if (i64.ne (local.get $target) (i64.const 0))
      (then (call $kill (local.get $target)) (drop (call $wait_death (i64.const 10)))))
    (drop (call $spawn2 (i64.const -1) (i32.const 69032) (i32.const 4) (call $process_id)
                        (i64.const 0)))
    (i64.store (i32.const 69120) (i64.const 7))
    (if (i32.eqz (call $receive (i32.const 69120) (i32.const 1) (i64.const 10000)))
      (then (call $print (i32.const 70032) (i32.const 11))))))
