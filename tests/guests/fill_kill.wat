;; fill_kill: fills 2 GiB of memory again and again, for ever, until --timeout kills it: the
;; kill takes effect between two 4 MiB pieces of a fill, not after the whole fill.
(module
  (memory 32768)
  (func (export "_start") (local $i i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $i) (i32.const 0x80000000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
