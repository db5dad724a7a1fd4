;; Load refusal (ABI.md §9): a plugin built for an ABI version this host does not serve.
(module
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 2))
  (func (export "process") (result i32) (i32.const 0)))
