;; A WASI command that needs SIMD: exits with 3 + 4 added in a v128 lane (7). Run with
;; `-W simd=n`, lunatic refuses it (tests/integration, "wasm_features").
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit
      (i32x4.extract_lane 0
        (i32x4.add (v128.const i32x4 3 0 0 0) (v128.const i32x4 4 0 0 0))))))
