;; Load refusal (ABI.md §6): a listed import with another signature (input_count is () -> i32).
(module
  (import "corral" "input_count" (func $input_count (param i32) (result i64)))
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32) (i32.const 0)))
