;; The ABI overhead probe (AbiOverheadBench): entry points that do nothing but cross the
;; host/guest boundary, so that what a call costs is the ABI's cost and not a plugin's work.
;; Memory: 0 the output name, 16 the JSON result, 64 the output dims (8 x i64),
;; 65536 the data buffer (1 MiB fits; the host refuses a read past memory's end).
(module
  (import "corral" "input_dtype" (func $input_dtype (param i32) (result i32)))
  (import "corral" "input_rank" (func $input_rank (param i32) (result i32)))
  (import "corral" "input_dim" (func $input_dim (param i32 i32) (result i64)))
  (import "corral" "input_byte_size" (func $input_byte_size (param i32) (result i32)))
  (import "corral" "input_read" (func $input_read (param i32 i32 i32 i32) (result i32)))
  (import "corral" "output_tensor" (func $output_tensor (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "corral" "output_json" (func $output_json (param i32 i32) (result i32)))
  ;; 40 pages (2.5 MiB): the 64 KiB header page, a 1 MiB tensor, and headroom.
  (memory (export "memory") 40)
  (data (i32.const 0) "out")
  (data (i32.const 16) "{\"ok\":true}")
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  ;; The host's fixed cost of a call: pool, deadline, entering and leaving the guest.
  (func (export "empty") (result i32) (i32.const 0))

  ;; Input 0 whole into guest memory with one input_read: the cost of bringing data in.
  ;; $read_input gives the byte size, or -1 when fewer bytes arrived (a failed call, so that
  ;; a broken read is never timed as a fast one).
  (func $read_input (result i32)
    (local $size i32)
    (local.set $size (call $input_byte_size (i32.const 0)))
    (if (i32.ne (call $input_read (i32.const 0) (i32.const 0) (i32.const 65536) (local.get $size))
                (local.get $size))
      (then (return (i32.const -1))))
    (local.get $size))
  (func (export "read") (result i32)
    (i32.lt_s (call $read_input) (i32.const 0)))

;; Input 0 in (as "read") and out again as tensor "out" of the same dtype and dims: a
  ;; tensor's round trip, as a pre-processing step that passes its input on pays it.
  (func (export "echo") (result i32)
    (local $size i32) (local $rank i32) (local $axis i32)
    (local.set $size (call $read_input))
    (if (i32.lt_s (local.get $size) (i32.const 0)) (then (return (i32.const 1))))
    (local.set $rank (call $input_rank (i32.const 0)))
    (block $dims_done
      (loop $dims
        (br_if $dims_done (i32.ge_s (local.get $axis) (local.get $rank)))
        (i64.store (i32.add (i32.const 64) (i32.shl (local.get $axis) (i32.const 3)))
                   (call $input_dim (i32.const 0) (local.get $axis)))
        (local.set $axis (i32.add (local.get $axis) (i32.const 1)))
        (br $dims)))
    (call $output_tensor (i32.const 0) (i32.const 3) (call $input_dtype (i32.const 0))
          (i32.const 64) (local.get $rank) (i32.const 65536) (local.get $size)))

  ;; A small constant JSON result: the host's UTF-8 and JSON-object check of a post-processor's answer.
  (func (export "json") (result i32)
    (call $output_json (i32.const 16) (i32.const 11))))
