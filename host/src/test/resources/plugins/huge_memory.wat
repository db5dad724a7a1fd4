;; Load refusal (ABI.md §6, §7): an initial memory of 65536 pages (4 GiB), far above any limit.
(module
  (memory (export "memory") 65536)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
