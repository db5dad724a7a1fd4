;; Conformance fixture (ABI.md §7 memory): grow.wat with a declared maximum of 3 pages, so
;; that the host's cap is the smaller of the module's maximum and the plugin's limit.
(module
  (import "corral" "output_tensor" (func $output_tensor (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 3)
  (data (i32.const 512) "pages")
  (data (i32.const 520) "last")
  (data (i32.const 528) "huge")
  (func (export "corral_abi_version") (result i32) (i32.const 1))
  (func $out_i32 (param $name i32) (param $len i32) (param $v i32)
    (i32.store (i32.const 1024) (local.get $v))
    (drop (call $output_tensor (local.get $name) (local.get $len) (i32.const 6)
                (i32.const 256) (i32.const 0) (i32.const 1024) (i32.const 4))))
  (func (export "grow") (result i32)
    (local $r i32)
    (call $out_i32 (i32.const 528) (i32.const 4) (memory.grow (i32.const 60000)))
    (block $done
      (loop $more
        (local.set $r (memory.grow (i32.const 1)))
        (br_if $done (i32.eq (local.get $r) (i32.const -1)))
        (br $more)))
    (call $out_i32 (i32.const 512) (i32.const 5) (memory.size))
    (call $out_i32 (i32.const 520) (i32.const 4) (local.get $r))
    (i32.const 0)))
