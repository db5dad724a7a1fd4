;; ABI.md §4.5: the tokenizer capability. Each entry calls one tokenizer import and writes what
;; it returned as int32 tensors, so that a test can compare it with the host's own tokenizer.
(module
  (import "corral" "tokenizer_encode" (func $encode (param i32 i32 i32 i32 i32) (result i32)))
  (import "corral" "tokenizer_decode" (func $decode (param i32 i32 i32 i32 i32) (result i32)))
  (import "corral" "tokenizer_token_id" (func $token_id (param i32 i32) (result i32)))
  (import "corral" "tokenizer_vocab_size" (func $vocab_size (result i32)))
  (import "corral" "output_tensor" (func $output (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "corral_abi_version") (result i32) (i32.const 1))

  ;; 0..15: "Once upon a time"; 16..19: "</s>"; 20..22: "ids"; 24..27: "text"; 28..32: "count"
  (data (i32.const 0) "Once upon a time")
  (data (i32.const 16) "</s>")
  (data (i32.const 20) "ids")
  (data (i32.const 24) "text")
  (data (i32.const 28) "count")
  ;; 64: dims (one i64); 128: ids written by encode (up to 64 i32); 512: decoded text
  ;; 40..55: ids 1 403 407 261 (BOS "Once upon a")
  (data (i32.const 40) "\01\00\00\00\93\01\00\00\97\01\00\00\05\01\00\00")

  ;; encode with special tokens into a buffer of 64 ids; output "ids" int32 [n]
  (func (export "encode") (result i32)
    (local $n i32)
    (local.set $n (call $encode (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 128) (i32.const 64)))
    (i64.store (i32.const 64) (i64.extend_i32_u (local.get $n)))
    (drop (call $output (i32.const 20) (i32.const 3) (i32.const 6) (i32.const 64) (i32.const 1)
                        (i32.const 128) (i32.mul (local.get $n) (i32.const 4))))
    (i32.const 0))

  ;; encode into a buffer too small (2 ids): returns the full count, writes 2; output "count" = [n, first, second]
  (func (export "encode_short") (result i32)
    (i32.store (i32.const 128) (i32.const -7))
    (i32.store (i32.const 132) (i32.const -7))
    (i32.store (i32.const 136) (i32.const -7))
    (i32.store (i32.const 300) (call $encode (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 128) (i32.const 2)))
    (i32.store (i32.const 304) (i32.load (i32.const 128)))
    (i32.store (i32.const 308) (i32.load (i32.const 132)))
    (i32.store (i32.const 312) (i32.load (i32.const 136)))
    (i64.store (i32.const 64) (i64.const 4))
    (drop (call $output (i32.const 28) (i32.const 5) (i32.const 6) (i32.const 64) (i32.const 1)
                        (i32.const 300) (i32.const 16)))
    (i32.const 0))

  ;; decode 1 403 407 261 skipping special tokens; output "text" uint8 [len]
  (func (export "decode") (result i32)
    (local $n i32)
    (local.set $n (call $decode (i32.const 40) (i32.const 4) (i32.const 1) (i32.const 512) (i32.const 256)))
    (i64.store (i32.const 64) (i64.extend_i32_u (local.get $n)))
    (drop (call $output (i32.const 24) (i32.const 4) (i32.const 2) (i32.const 64) (i32.const 1)
                        (i32.const 512) (local.get $n)))
    (i32.const 0))

  ;; output "count" int32 [2] = [token_id("</s>"), vocab_size()]
  (func (export "lookup") (result i32)
    (i32.store (i32.const 300) (call $token_id (i32.const 16) (i32.const 4)))
    (i32.store (i32.const 304) (call $vocab_size))
    (i64.store (i32.const 64) (i64.const 2))
    (drop (call $output (i32.const 28) (i32.const 5) (i32.const 6) (i32.const 64) (i32.const 1)
                        (i32.const 300) (i32.const 8)))
    (i32.const 0))

  ;; ABI violations: unknown flag bits; an id outside the vocabulary; text that is not UTF-8
  (func (export "bad_flags") (result i32)
    (drop (call $encode (i32.const 0) (i32.const 16) (i32.const 2) (i32.const 128) (i32.const 64)))
    (i32.const 0))
  (func (export "bad_id") (result i32)
    (i32.store (i32.const 300) (i32.const 100000))
    (drop (call $decode (i32.const 300) (i32.const 1) (i32.const 0) (i32.const 512) (i32.const 256)))
    (i32.const 0))
  (func (export "bad_utf8") (result i32)
    (i32.store8 (i32.const 300) (i32.const 255))
    (drop (call $encode (i32.const 300) (i32.const 1) (i32.const 0) (i32.const 128) (i32.const 64)))
    (i32.const 0))
  (func (export "vocab_size") (result i32)
    (drop (call $vocab_size))
    (i32.const 0))
)
