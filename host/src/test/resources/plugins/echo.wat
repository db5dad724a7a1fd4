;; Conformance fixture (ABI.md §4.1, §4.2): copies every input to an output of the same name,
;; dtype and dims, reading the data 7 bytes at a time so that input_read's offsets are used.
(module
  (import "corral" "input_count" (func $input_count (result i32)))
  (import "corral" "input_find" (func $input_find (param i32 i32) (result i32)))
  (import "corral" "input_name" (func $input_name (param i32 i32 i32) (result i32)))
  (import "corral" "input_dtype" (func $input_dtype (param i32) (result i32)))
  (import "corral" "input_rank" (func $input_rank (param i32) (result i32)))
  (import "corral" "input_dim" (func $input_dim (param i32 i32) (result i64)))
  (import "corral" "input_byte_size" (func $input_byte_size (param i32) (result i32)))
  (import "corral" "input_read" (func $input_read (param i32 i32 i32 i32) (result i32)))
  (import "corral" "output_tensor" (func $output_tensor (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  ;; 0: name buffer (128 bytes), 256: dims, 512: constant strings, 1024: scalar, 65536: data
  (memory (export "memory") 32)
  (data (i32.const 512) "b")
  (data (i32.const 520) "missing")
  (data (i32.const 540) "index_of_b")
  (data (i32.const 560) "index_of_missing")
  (data (i32.const 580) "copied")
  (data (i32.const 600) "past")
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  (func $echo_one (param $i i32)
    (local $name_len i32) (local $rank i32) (local $axis i32) (local $size i32) (local $off i32)
    (local.set $name_len (call $input_name (local.get $i) (i32.const 0) (i32.const 128)))
    (local.set $rank (call $input_rank (local.get $i)))
    (block $dims_done
      (loop $dims
        (br_if $dims_done (i32.ge_s (local.get $axis) (local.get $rank)))
        (i64.store (i32.add (i32.const 256) (i32.shl (local.get $axis) (i32.const 3)))
                   (call $input_dim (local.get $i) (local.get $axis)))
        (local.set $axis (i32.add (local.get $axis) (i32.const 1)))
        (br $dims)))
    (local.set $size (call $input_byte_size (local.get $i)))
    (block $read_done
      (loop $read
        (br_if $read_done (i32.ge_s (local.get $off) (local.get $size)))
        (local.set $off (i32.add (local.get $off)
          (call $input_read (local.get $i) (local.get $off)
                (i32.add (i32.const 65536) (local.get $off)) (i32.const 7))))
        (br $read)))
    (drop (call $output_tensor (i32.const 0) (local.get $name_len) (call $input_dtype (local.get $i))
                (i32.const 256) (local.get $rank) (i32.const 65536) (local.get $size))))

  (func (export "process") (result i32)
    (local $i i32)
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (call $input_count)))
        (call $echo_one (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.const 0))

  (func $out_i32 (param $name i32) (param $len i32) (param $v i32)
    (i32.store (i32.const 1024) (local.get $v))
    (drop (call $output_tensor (local.get $name) (local.get $len) (i32.const 6)
                (i32.const 256) (i32.const 0) (i32.const 1024) (i32.const 4))))

  ;; input_find of "b" and of "missing", as int32 scalars.
  (func (export "find") (result i32)
    (call $out_i32 (i32.const 540) (i32.const 10) (call $input_find (i32.const 512) (i32.const 1)))
    (call $out_i32 (i32.const 560) (i32.const 16) (call $input_find (i32.const 520) (i32.const 7)))
    (i32.const 0))

  ;; input_read of 100 bytes from 3 bytes before the end, and from past the end, of input 0.
  (func (export "tail") (result i32)
    (local $size i32)
    (local.set $size (call $input_byte_size (i32.const 0)))
    (call $out_i32 (i32.const 580) (i32.const 6)
      (call $input_read (i32.const 0) (i32.sub (local.get $size) (i32.const 3)) (i32.const 2048) (i32.const 100)))
    (call $out_i32 (i32.const 600) (i32.const 4)
      (call $input_read (i32.const 0) (i32.add (local.get $size) (i32.const 10)) (i32.const 2048) (i32.const 100)))
    (i32.const 0)))
