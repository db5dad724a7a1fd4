;; Conformance fixture (ABI.md §7 deadline): endless loops closed by each kind of backward branch.
(module
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  (func (export "ok") (result i32)
    (i32.const 0))
  (func (export "loop_br") (result i32)
    (loop $l (br $l))
    (i32.const 0))
  (func (export "loop_br_if") (result i32)
    (loop $l (br_if $l (i32.const 1)))
    (i32.const 0))
  (func (export "loop_br_table") (result i32)
    (loop $l (br_table $l $l (i32.const 0)))
    (i32.const 0)))
