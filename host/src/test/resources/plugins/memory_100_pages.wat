;; Load refusal (ABI.md §6, §7): an initial memory of 100 pages (tests set the limit lower).
(module
  (memory (export "memory") 100)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
