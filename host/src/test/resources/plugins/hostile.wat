;; HTTP-level hostile fixture: a pipeline step that behaves (writes nothing, returns 0) unless the
;; request sets the option "attack" to 1; then each entry misbehaves in its own way. This lets a
;; model load and warm up normally, and lets one test show that a hostile request fails cleanly
;; while the very next request on the same model succeeds.
(module
  (import "corral" "option_i64" (func $option_i64 (param i32 i32 i64) (result i64)))
  (import "corral" "output_tensor" (func $output_tensor (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "corral" "set_error" (func $set_error (param i32 i32 i32)))
  (import "corral" "input_name" (func $input_name (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "attack")
  (data (i32.const 16) "out of memory")
  (data (i32.const 32) "x")
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  (func $attacking (result i32)
    (i64.ne (call $option_i64 (i32.const 0) (i32.const 6) (i64.const 0)) (i64.const 0)))

  (func (export "trap") (result i32)
    (if (call $attacking) (then (unreachable)))
    (i32.const 0))

  (func (export "spin") (result i32)
    (if (call $attacking) (then (loop $forever (br $forever))))
    (i32.const 0))

  ;; Grows one page at a time until memory.grow refuses, then reports the failure.
  (func (export "grow_bomb") (result i32)
    (if (call $attacking)
      (then
        (block $refused
          (loop $more
            (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
            (br $more)))
        (call $set_error (i32.const 1) (i32.const 16) (i32.const 13))
        (return (i32.const 1))))
    (i32.const 0))

  ;; A well-formed uint8 [4096] output whose data runs past the end of memory.
  (func (export "bad_pointer") (result i32)
    (if (call $attacking)
      (then
        (i64.store (i32.const 64) (i64.const 4096))
        (drop (call $output_tensor (i32.const 32) (i32.const 1) (i32.const 2)
                                   (i32.const 64) (i32.const 1) (i32.const 65000) (i32.const 4096)))))
    (i32.const 0))

  ;; An output whose data length is not dims × dtype (a uint8 [4] tensor claiming 1000 bytes).
  (func (export "lying_length") (result i32)
    (if (call $attacking)
      (then
        (i64.store (i32.const 64) (i64.const 4))
        (drop (call $output_tensor (i32.const 32) (i32.const 1) (i32.const 2)
                                   (i32.const 64) (i32.const 1) (i32.const 128) (i32.const 1000)))))
    (i32.const 0))

  (func $recurse (result i32)
    (i32.add (call $recurse) (i32.const 1)))

  ;; Recursion without end: the call stack overflows.
  (func (export "deep_recursion") (result i32)
    (if (call $attacking) (then (return (call $recurse))))
    (i32.const 0))

  ;; One uint8 tensor of 2 MiB, more than a step limited to 1 MiB of output may write.
  (func (export "huge_output") (result i32)
    (if (call $attacking)
      (then
        (drop (memory.grow (i32.const 32)))
        (i64.store (i32.const 64) (i64.const 2097152))
        (drop (call $output_tensor (i32.const 32) (i32.const 1) (i32.const 2)
                                   (i32.const 64) (i32.const 1) (i32.const 0) (i32.const 2097152)))))
    (i32.const 0))

  ;; Writes 60000-byte outputs forever, each under a new 4-letter name (every byte 0x40..0x7f,
  ;; so valid UTF-8): only the output limit ends it.
  (func (export "endless_output") (result i32)
    (local $i i32)
    (if (call $attacking)
      (then
        (i64.store (i32.const 64) (i64.const 60000))
        (loop $more
          (i32.store (i32.const 40)
            (i32.or (i32.const 0x40404040)
              (i32.or (i32.or (i32.and (local.get $i) (i32.const 0x3f))
                              (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0x3f00)))
                      (i32.or (i32.and (i32.shl (local.get $i) (i32.const 4)) (i32.const 0x3f0000))
                              (i32.and (i32.shl (local.get $i) (i32.const 6)) (i32.const 0x3f000000))))))
          (drop (call $output_tensor (i32.const 40) (i32.const 4) (i32.const 2)
                                     (i32.const 64) (i32.const 1) (i32.const 1024) (i32.const 60000)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $more))))
    (i32.const 0))

  ;; Writes one valid output, then traps before finishing: the half-written outputs must not
  ;; reach the next step.
  (func (export "trap_mid_output") (result i32)
    (if (call $attacking)
      (then
        (i64.store (i32.const 64) (i64.const 4))
        (drop (call $output_tensor (i32.const 32) (i32.const 1) (i32.const 2)
                                   (i32.const 64) (i32.const 1) (i32.const 128) (i32.const 4)))
        (unreachable)))
    (i32.const 0))

  ;; Garbage in every argument of an import: an index, pointer and capacity that mean nothing.
  (func (export "garbage_arguments") (result i32)
    (if (call $attacking)
      (then (drop (call $input_name (i32.const 0x7fffffff) (i32.const 0xfffffff0) (i32.const -5)))))
    (i32.const 0)))
