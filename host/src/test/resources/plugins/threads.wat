;; Load refusal (ABI.md §6): threads (a shared memory and an atomic), which v1 does not allow.
(module
  (memory (export "memory") 1 1 shared)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32)
    (i32.atomic.load (i32.const 0))))
