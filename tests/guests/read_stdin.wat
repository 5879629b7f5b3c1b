;; read_stdin: one fd_read of up to 16 bytes from stdin, then returns. Run with a stdin that
;; never gets data to block the root in a host call (--timeout must still end the run).
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))  ;; iovec: buffer at 64,
    (i32.store (i32.const 4) (i32.const 16))  ;; 16 bytes long
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 32)))))
