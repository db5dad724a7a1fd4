;; Load refusal (ABI.md §6): a "corral" import that ABI version 1 does not list.
(module
  (import "corral" "open_file" (func $open_file (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
