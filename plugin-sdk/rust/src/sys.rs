//! The raw imports of module `corral`, one `extern` function each, exactly as ABI.md §4 lists
//! them: `i32` pointers and lengths into this module's memory. Prefer the safe wrappers of the
//! other modules; these are here for what they do not cover.
//!
//! Every import is optional in the ABI: the linker keeps only the ones a plugin calls, so a
//! plugin that never tokenizes imports no `tokenizer_*` function.

#[link(wasm_import_module = "corral")]
extern "C" {
    // 4.1 Inputs
    pub fn input_count() -> i32;
    pub fn input_find(name_ptr: *const u8, name_len: i32) -> i32;
    pub fn input_name(index: i32, dst_ptr: *mut u8, dst_cap: i32) -> i32;
    pub fn input_dtype(index: i32) -> i32;
    pub fn input_rank(index: i32) -> i32;
    pub fn input_dim(index: i32, axis: i32) -> i64;
    pub fn input_byte_size(index: i32) -> i32;
    pub fn input_read(index: i32, offset: i32, dst_ptr: *mut u8, len: i32) -> i32;

    // 4.2 Outputs
    pub fn output_tensor(
        name_ptr: *const u8,
        name_len: i32,
        dtype: i32,
        dims_ptr: *const i64,
        rank: i32,
        data_ptr: *const u8,
        data_len: i32,
    ) -> i32;
    pub fn output_json(ptr: *const u8, len: i32) -> i32;

    // 4.3 Parameters: config (the model owner's, trusted) and options (the client's)
    pub fn config_i64(key_ptr: *const u8, key_len: i32, default: i64) -> i64;
    pub fn config_f64(key_ptr: *const u8, key_len: i32, default: f64) -> f64;
    pub fn config_str(key_ptr: *const u8, key_len: i32, dst_ptr: *mut u8, dst_cap: i32) -> i32;
    pub fn config_f64s(key_ptr: *const u8, key_len: i32, dst_ptr: *mut f64, dst_cap: i32) -> i32;
    pub fn option_i64(key_ptr: *const u8, key_len: i32, default: i64) -> i64;
    pub fn option_f64(key_ptr: *const u8, key_len: i32, default: f64) -> f64;
    pub fn option_str(key_ptr: *const u8, key_len: i32, dst_ptr: *mut u8, dst_cap: i32) -> i32;
    pub fn option_f64s(key_ptr: *const u8, key_len: i32, dst_ptr: *mut f64, dst_cap: i32) -> i32;

    // 4.4 Diagnostics
    pub fn log(level: i32, ptr: *const u8, len: i32);
    pub fn set_error(code: i32, ptr: *const u8, len: i32);

    // 4.5 Capability "tokenizer"
    pub fn tokenizer_encode(text_ptr: *const u8, text_len: i32, flags: i32, dst_ptr: *mut i32, dst_cap: i32) -> i32;
    pub fn tokenizer_decode(ids_ptr: *const i32, count: i32, flags: i32, dst_ptr: *mut u8, dst_cap: i32) -> i32;
    pub fn tokenizer_token_id(str_ptr: *const u8, str_len: i32) -> i32;
    pub fn tokenizer_vocab_size() -> i32;
}
