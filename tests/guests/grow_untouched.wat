;; grow_untouched: memory.grow to 2 GiB + 64 KiB in 32 steps of 64 MiB, writing one marker byte
;; per step and, after the first, 2 MiB of 0x77 at 32 MiB (so that later moves have many
;; written pages: they remap them, the first ones copy); after each grow every marker so far and
;; the 2 MiB must read back and the bytes around them (never written) must read 0. The memory
;; moves to a bigger pooled slot at each power of two: a move must not commit the pages the
;; guest never touched, so this runs in a memory cgroup far smaller than 2 GiB. Prints "grew to
;; 2048 MiB, contents kept" or why not.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 1024) "grew to 2048 MiB, contents kept\n")
  (data (i32.const 1088) "memory.grow returned -1\n")
  (data (i32.const 1120) "content lost\n")

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))

  ;; Where step k (1-based) writes its marker: 4 KiB * k into the 64 MiB it added.
  (func $marker (param $k i32) (result i32)
    (i32.add (i32.mul (i32.add (i32.const 1) (i32.mul (i32.sub (local.get $k) (i32.const 1))
                                                      (i32.const 1024)))
                      (i32.const 65536))
             (i32.mul (local.get $k) (i32.const 4096))))

  (func $fail (param $ptr i32) (param $len i32)
    (call $print (local.get $ptr) (local.get $len))
    (unreachable))

  (func (export "_start")
    (local $k i32) (local $j i32) (local $at i32)
    (loop $grow
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (if (i32.eq (memory.grow (i32.const 1024)) (i32.const -1))
        (then (call $fail (i32.const 1088) (i32.const 24))))
      (i32.store8 (call $marker (local.get $k)) (local.get $k))
      (if (i32.eq (local.get $k) (i32.const 1))
        (then (memory.fill (i32.const 0x2010000) (i32.const 0x77) (i32.const 0x200000))))
      (if (i32.or (i32.or (i32.ne (i32.load8_u (i32.const 0x2010000)) (i32.const 0x77))
                          (i32.ne (i32.load8_u (i32.const 0x220ffff)) (i32.const 0x77)))
                  (i32.or (i32.load8_u (i32.const 0x200ffff)) (i32.load8_u (i32.const 0x2210000))))
        (then (call $fail (i32.const 1120) (i32.const 13))))
      ;; Every marker so far survived the moves; the bytes next to it and the memory's last
      ;; byte were never written and read 0.
      (local.set $j (i32.const 1))
      (loop $check
        (local.set $at (call $marker (local.get $j)))
        (if (i32.or (i32.or (i32.ne (i32.load8_u (local.get $at)) (local.get $j))
                            (i32.load8_u (i32.add (local.get $at) (i32.const 1))))
                    (i32.or (i32.load8_u (i32.sub (local.get $at) (i32.const 1)))
                            (i32.load8_u (i32.sub (i32.mul (memory.size) (i32.const 65536))
                                                  (i32.const 1)))))
          (then (call $fail (i32.const 1120) (i32.const 13))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $check (i32.le_u (local.get $j) (local.get $k))))
      (br_if $grow (i32.lt_u (local.get $k) (i32.const 32))))
    (call $print (i32.const 1024) (i32.const 32))))
