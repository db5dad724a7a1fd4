;; Conformance fixture (ABI.md §2 start function): a start function that never ends.
(module
  (memory (export "memory") 1)
  (func $spin
    (loop $l (br_if $l (i32.const 1))))
  (start $spin)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
