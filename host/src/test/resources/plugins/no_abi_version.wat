;; Load refusal (ABI.md §2, §6): no corral_abi_version export.
(module
  (memory (export "memory") 1)
  (func (export "process") (result i32) (i32.const 0)))
