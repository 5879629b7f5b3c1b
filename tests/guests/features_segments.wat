;; A WASI command with a passive data segment (bulk memory, refused by the decoder under
;; `-W bulk-memory=n`) and an exported mutable global (refused by the validator under
;; `-W mutable-globals=n`); it exits with 0 (tests/integration, "wasm_features").
(module
  (memory (export "memory") 1)
  (global (export "counter") (mut i32) (i32.const 0))
  (data "passive")
  (func (export "_start")))
