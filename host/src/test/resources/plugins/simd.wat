;; Load refusal (ABI.md §6): SIMD instructions, which ABI version 1 does not allow.
(module
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func (export "process") (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (i32.const 0)))))
