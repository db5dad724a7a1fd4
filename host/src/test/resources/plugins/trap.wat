;; Conformance fixture (ABI.md §6 "During a call"): traps of each kind, and one healthy entry.
(module
  (import "corral" "output_json" (func $output_json (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\"ok\":true}")
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  (func (export "ok") (result i32)
    (drop (call $output_json (i32.const 0) (i32.const 11)))
    (i32.const 0))
  (func (export "unreachable") (result i32)
    (unreachable))
  (func (export "divide_by_zero") (result i32)
    (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "out_of_bounds") (result i32)
    (i32.load (i32.const -4)))
  (func $recurse (export "recurse") (result i32)
    (i32.add (call $recurse) (i32.const 1))))
