//! The step's outputs (ABI.md §4.2): tensors and at most one JSON result.
//!
//! The helpers check what the host would punish as an ABI violation (a rank above 8, a
//! negative dimension, a shape that does not match the data) and report it as the plugin's
//! own failure instead, naming the output, so the message says what is wrong.

use crate::error::{Code, Result};
use crate::{as_bytes, fail, sys, DType, Element};

/// The highest rank the ABI allows.
pub const MAX_RANK: usize = 8;

/// Writes the tensor `name` of shape `dims` whose elements are `data` (its dtype follows from
/// `T`); `data` must hold exactly the product of `dims` elements. The host copies the data at
/// once, so the buffers may be reused afterwards.
pub fn tensor<T: Element>(name: &str, dims: &[i64], data: &[T]) -> Result<()> {
    tensor_bytes(name, T::DTYPE, dims, as_bytes(data))
}

/// Writes a tensor from raw little-endian bytes, e.g. a `bool` tensor (one byte 0 or 1 each).
pub fn tensor_bytes(name: &str, dtype: DType, dims: &[i64], data: &[u8]) -> Result<()> {
    if dims.len() > MAX_RANK {
        return Err(fail!(Code::Plugin, "output '{}' has rank {}; ABI v1 allows at most {}", name, dims.len(), MAX_RANK));
    }
    let mut bytes = dtype.size() as i64;
    for (axis, &d) in dims.iter().enumerate() {
        if d < 0 || (d > 0 && bytes > i32::MAX as i64 / d) {
            return Err(fail!(Code::Plugin, "output '{}' is too large for ABI v1 (dimension {} is {})", name, axis, d));
        }
        bytes *= d;
    }
    if bytes != data.len() as i64 {
        return Err(fail!(
            Code::Plugin,
            "output '{}': shape {:?} of {} needs {} bytes, the data has {}",
            name,
            dims,
            dtype.name(),
            bytes,
            data.len()
        ));
    }
    // SAFETY: every (ptr, len) pair describes a live slice.
    unsafe {
        sys::output_tensor(
            name.as_ptr(),
            name.len() as i32,
            dtype.code(),
            dims.as_ptr(),
            dims.len() as i32,
            data.as_ptr(),
            data.len() as i32,
        );
    }
    Ok(())
}

/// Writes the step's JSON result: one JSON object (see [`crate::json::Json`] to build it).
pub fn json(text: &str) -> Result<()> {
    // SAFETY: (ptr, len) describe the string.
    unsafe { sys::output_json(text.as_ptr(), text.len() as i32) };
    Ok(())
}
