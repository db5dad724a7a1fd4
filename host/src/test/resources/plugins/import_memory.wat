;; Load refusal (ABI.md §6, §5.1): a memory imported from "corral" (the guest must define its
;; own) under the name of an import that ABI version 1 does list as a function.
(module
  (import "corral" "input_count" (memory 1))
  (export "memory" (memory 0))
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
