;; `lunatic run --invoke NAME invoke_exports.wat ARGS...` (tests/integration/CMakeLists.txt): a
;; module without _start whose exports take and give each numeric type.
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "mixed") (param i64 f32 f64) (result i64 f32 f64)
    (i64.mul (local.get 0) (i64.const 2))
    (f32.div (local.get 1) (f32.const 2))
    (f64.sqrt (local.get 2)))
  (func (export "nothing"))
  (func (export "trap") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "vec") (param v128) (result v128) (local.get 0)))
