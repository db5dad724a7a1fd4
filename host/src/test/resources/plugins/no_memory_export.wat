;; Load refusal (ABI.md §2, §6): the memory is not exported.
(module
  (memory 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
