;; Load refusal (ABI.md §2, §6): the entry point "process" takes a parameter.
(module
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (param i32) (result i32) (local.get 0)))
