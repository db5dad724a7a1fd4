//! # corral — the Rust SDK for Corral plugins (ABI version 1)
//!
//! A plugin is a `cdylib` built for `wasm32-unknown-unknown` that depends on this crate and on
//! nothing else: `#![no_std]`, no allocator of the standard library, no imports outside the
//! host's `corral` module. The ABI it implements is `plugin-sdk/ABI.md`.
//!
//! ```ignore
//! #![no_std]
//! use corral::{entry, fail, input, json::Json, Call, Code, Result};
//!
//! entry!(process);
//!
//! fn process(call: &Call) -> Result<()> {
//!     let text = input::find("text").ok_or_else(|| fail!(Code::Input, "input 'text' is missing"))?;
//!     let mut j = Json::new(call);
//!     j.begin_object();
//!     j.key("bytes");
//!     j.int(text.byte_size() as i64);
//!     j.end_object();
//!     j.emit()
//! }
//! ```
//!
//! What the crate provides:
//! - the exports every plugin needs: `corral_abi_version` (exported as soon as the crate is
//!   linked) and [`entry!`], which exports an entry point `() -> i32`;
//! - [`Call`]: the call's memory (a bump arena emptied at each call) and what borrows it;
//! - [`input`], [`output`], [`config`], [`options`], [`log`](mod@log), [`tokenizer`]: safe wrappers of
//!   every import, with the helpers an author needs (whole inputs, typed outputs, strings and
//!   number arrays);
//! - [`text::Text`] (a string builder) and [`json::Json`] (a JSON writer);
//! - [`error`]: [`Code`], [`Failure`], [`fail!`] — failures are reported when created;
//! - [`math`]: `expf` and the sampler's uniform draw (ABI.md §4.7), deterministic;
//! - a panic handler that reports the panic with `set_error(1, …)` and traps;
//! - [`sys`]: the raw imports.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
compile_error!("corral plugins are built for --target wasm32-unknown-unknown");

pub mod arena;
pub mod error;
pub mod input;
pub mod json;
pub mod log;
pub mod math;
pub mod output;
pub mod params;
pub mod sys;
pub mod text;
pub mod tokenizer;

pub use arena::Call;
pub use error::{fail, Code, Failure, Result};
pub use params::{config, options};

/// The ABI version this crate implements (ABI.md §9).
pub const ABI_VERSION: i32 = 1;

/// The export every plugin must have (ABI.md §2): it is part of every module that links this
/// crate.
#[no_mangle]
pub extern "C" fn corral_abi_version() -> i32 {
    ABI_VERSION
}

/// Exports an entry point `() -> i32` named after a function `fn(&Call) -> Result<()>` of the
/// same name. Each call starts with an empty arena; `Ok(())` returns 0, `Err(failure)` returns
/// the failure's code (already reported with `set_error`).
///
/// ```ignore
/// corral::entry!(preprocess);
/// fn preprocess(call: &corral::Call) -> corral::Result<()> { Ok(()) }
/// ```
#[macro_export]
macro_rules! entry {
    ($name:ident) => {
        const _: () = {
            #[export_name = ::core::stringify!($name)]
            extern "C" fn corral_entry() -> i32 {
                $crate::arena::run_entry($name)
            }
        };
    };
}

/// Tensor element types (ABI.md §3): ONNX `TensorProto.DataType` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum DType {
    Float32 = 1,
    Uint8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    /// One byte per element, 0 or 1.
    Bool = 9,
    Float64 = 11,
}

impl DType {
    /// The dtype of an ABI code, or `None` for a code ABI v1 does not define.
    pub fn from_code(code: i32) -> Option<DType> {
        Some(match code {
            1 => DType::Float32,
            2 => DType::Uint8,
            3 => DType::Int8,
            6 => DType::Int32,
            7 => DType::Int64,
            9 => DType::Bool,
            11 => DType::Float64,
            _ => return None,
        })
    }

    pub fn code(self) -> i32 {
        self as i32
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Uint8 | DType::Int8 | DType::Bool => 1,
            DType::Float32 | DType::Int32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// The name ONNX and the host's messages use, e.g. `float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Float32 => "float32",
            DType::Uint8 => "uint8",
            DType::Int8 => "int8",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Bool => "bool",
            DType::Float64 => "float64",
        }
    }
}

/// Plain numbers: no padding, and every bit pattern (zero included) is a valid value, so the
/// arena may hand them out zeroed and their bytes may cross the ABI as they are (wasm is
/// little-endian, like the ABI).
///
/// # Safety
/// Implement it only for types with those properties; the crate implements it for the
/// primitive integer and float types.
pub unsafe trait Plain: Copy + 'static {}

macro_rules! plain {
    ($($t:ty),*) => { $(unsafe impl Plain for $t {})* };
}
plain!(u8, i8, u16, i16, u32, i32, u64, i64, usize, isize, f32, f64);

/// A tensor element type: the Rust type of each ABI dtype but `bool` (whose tensors are read
/// and written as `u8`, see [`output::tensor_bytes`]).
pub trait Element: Plain {
    const DTYPE: DType;
}

macro_rules! element {
    ($($t:ty => $d:ident),*) => { $(impl Element for $t { const DTYPE: DType = DType::$d; })* };
}
element!(f32 => Float32, u8 => Uint8, i8 => Int8, i32 => Int32, i64 => Int64, f64 => Float64);

/// The bytes of a slice of plain numbers.
pub fn as_bytes<T: Plain>(data: &[T]) -> &[u8] {
    // SAFETY: Plain types have no padding, so every byte is initialised.
    unsafe { core::slice::from_raw_parts(data.as_ptr() as *const u8, core::mem::size_of_val(data)) }
}

/// The bytes of a mutable slice of plain numbers.
pub fn as_bytes_mut<T: Plain>(data: &mut [T]) -> &mut [u8] {
    // SAFETY: as above, and any bytes written are a valid T (Plain).
    unsafe { core::slice::from_raw_parts_mut(data.as_mut_ptr() as *mut u8, core::mem::size_of_val(data)) }
}
