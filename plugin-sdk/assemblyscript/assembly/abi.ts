/**
 * The raw imports of ABI version 1 (plugin-sdk/ABI.md §4), one declaration per import of
 * module `corral`, with the ABI's own names and types. Pointers and lengths are byte offsets
 * into this module's memory; strings are UTF-8 (ptr, len), never NUL-terminated.
 *
 * Most plugins never call these directly: the helpers in the other modules of this package
 * take AssemblyScript strings and typed arrays and report failures with set_error. They are
 * here for what the helpers do not cover (e.g. reading a huge input piece by piece).
 * AssemblyScript only emits an import that is called, so the module imports what it uses.
 */

// 4.1 Inputs
@external("corral", "input_count") export declare function input_count(): i32;
@external("corral", "input_find") export declare function input_find(name_ptr: usize, name_len: i32): i32;
@external("corral", "input_name") export declare function input_name(index: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "input_dtype") export declare function input_dtype(index: i32): i32;
@external("corral", "input_rank") export declare function input_rank(index: i32): i32;
@external("corral", "input_dim") export declare function input_dim(index: i32, axis: i32): i64;
@external("corral", "input_byte_size") export declare function input_byte_size(index: i32): i32;
@external("corral", "input_read")
export declare function input_read(index: i32, offset: i32, dst_ptr: usize, len: i32): i32;

// 4.2 Outputs
@external("corral", "output_tensor")
export declare function output_tensor(name_ptr: usize, name_len: i32, dtype: i32, dims_ptr: usize, rank: i32,
                                      data_ptr: usize, data_len: i32): i32;
@external("corral", "output_json") export declare function output_json(ptr: usize, len: i32): i32;

// 4.3 Parameters: config (the model owner's, trusted) and options (the client's, untrusted)
@external("corral", "config_i64") export declare function config_i64(key_ptr: usize, key_len: i32, dflt: i64): i64;
@external("corral", "config_f64") export declare function config_f64(key_ptr: usize, key_len: i32, dflt: f64): f64;
@external("corral", "config_str")
export declare function config_str(key_ptr: usize, key_len: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "config_f64s")
export declare function config_f64s(key_ptr: usize, key_len: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "option_i64") export declare function option_i64(key_ptr: usize, key_len: i32, dflt: i64): i64;
@external("corral", "option_f64") export declare function option_f64(key_ptr: usize, key_len: i32, dflt: f64): f64;
@external("corral", "option_str")
export declare function option_str(key_ptr: usize, key_len: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "option_f64s")
export declare function option_f64s(key_ptr: usize, key_len: i32, dst_ptr: usize, dst_cap: i32): i32;

// 4.4 Diagnostics
@external("corral", "log") export declare function log(level: i32, ptr: usize, len: i32): void;
@external("corral", "set_error") export declare function set_error(code: i32, ptr: usize, len: i32): void;

// 4.5 Capabilities: tokenizer (works only in a step whose manifest entry grants "tokenizer")
@external("corral", "tokenizer_encode")
export declare function tokenizer_encode(text_ptr: usize, text_len: i32, flags: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "tokenizer_decode")
export declare function tokenizer_decode(ids_ptr: usize, count: i32, flags: i32, dst_ptr: usize, dst_cap: i32): i32;
@external("corral", "tokenizer_token_id") export declare function tokenizer_token_id(str_ptr: usize, str_len: i32): i32;
@external("corral", "tokenizer_vocab_size") export declare function tokenizer_vocab_size(): i32;
