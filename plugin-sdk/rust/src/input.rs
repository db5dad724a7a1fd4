//! The step's input tensors (ABI.md §4.1).
//!
//! An [`Input`] is a checked index: every method passes the host an index inside
//! `0 .. count()`, so the ABI violations the host punishes (a bad index, a negative offset)
//! cannot happen; only [`Input::dim`] with an axis outside `0 .. rank()` still can.

use core::fmt;

use crate::arena::Call;
use crate::error::{Code, Result};
use crate::{as_bytes_mut, fail, sys, DType, Element};

/// Number of input tensors.
pub fn count() -> usize {
    // SAFETY: no arguments.
    unsafe { sys::input_count() as usize }
}

/// The input called `name`, if there is one.
pub fn find(name: &str) -> Option<Input> {
    // SAFETY: (ptr, len) describe the string.
    let index = unsafe { sys::input_find(name.as_ptr(), name.len() as i32) };
    if index < 0 {
        None
    } else {
        Some(Input { index })
    }
}

/// The input at `index`, if `index < count()`.
pub fn at(index: usize) -> Option<Input> {
    if index < count() {
        Some(Input { index: index as i32 })
    } else {
        None
    }
}

/// One input tensor of the current call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input {
    index: i32,
}

impl Input {
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The input's name, copied into the call's arena.
    pub fn name(self, call: &Call) -> Result<&str> {
        // SAFETY: a zero capacity asks for the length only.
        let len = unsafe { sys::input_name(self.index, core::ptr::null_mut(), 0) };
        let buf = call.alloc::<u8>(len.max(0) as usize)?;
        // SAFETY: buf has room for len bytes.
        unsafe { sys::input_name(self.index, buf.as_mut_ptr(), buf.len() as i32) };
        core::str::from_utf8(buf).map_err(|_| fail!(Code::Plugin, "input {}: the host gave a name that is not UTF-8", self.index))
    }

    /// Something that displays the name in messages (cut at 128 bytes), without the arena.
    pub fn display_name(self) -> DisplayName {
        let mut bytes = [0u8; 128];
        // SAFETY: bytes has room for 128 bytes.
        let len = unsafe { sys::input_name(self.index, bytes.as_mut_ptr(), bytes.len() as i32) };
        DisplayName { bytes, len: (len.max(0) as usize).min(128) }
    }

    /// The dtype code as the host gave it.
    pub fn dtype_code(self) -> i32 {
        // SAFETY: a valid index.
        unsafe { sys::input_dtype(self.index) }
    }

    /// The dtype, or `None` for a code this SDK does not know.
    pub fn dtype(self) -> Option<DType> {
        DType::from_code(self.dtype_code())
    }

    pub fn rank(self) -> usize {
        // SAFETY: a valid index.
        unsafe { sys::input_rank(self.index) as usize }
    }

    /// Size of dimension `axis`; `axis` must be below [`rank`](Self::rank) (the host fails
    /// the call otherwise).
    pub fn dim(self, axis: usize) -> i64 {
        // SAFETY: a valid index; the axis is the caller's promise.
        unsafe { sys::input_dim(self.index, axis as i32) }
    }

    /// Copies the first `dims.len()` dims (at most) into `dims`; returns the rank, so a rank
    /// above `dims.len()` shows that some were left out.
    pub fn shape_into(self, dims: &mut [i64]) -> usize {
        let rank = self.rank();
        for (axis, d) in dims.iter_mut().take(rank).enumerate() {
            *d = self.dim(axis);
        }
        rank
    }

    /// All dims, in the call's arena.
    pub fn shape(self, call: &Call) -> Result<&[i64]> {
        let dims = call.alloc::<i64>(self.rank())?;
        self.shape_into(dims);
        Ok(dims)
    }

    /// Bytes of data.
    pub fn byte_size(self) -> usize {
        // SAFETY: a valid index.
        unsafe { sys::input_byte_size(self.index) as usize }
    }

    /// Copies data from byte `offset` into `dst`; returns the bytes copied (fewer than
    /// `dst.len()` only at the end of the data). Read large tensors piece by piece like this so
    /// that memory stays bounded.
    pub fn read(self, offset: usize, dst: &mut [u8]) -> usize {
        let offset = offset.min(i32::MAX as usize) as i32;
        // SAFETY: (ptr, len) describe dst; the offset is not negative.
        let n = unsafe { sys::input_read(self.index, offset, dst.as_mut_ptr(), dst.len() as i32) };
        n.max(0) as usize
    }

    /// Copies elements from element `first` into `dst`; returns the whole elements copied.
    /// The dtype is not checked: see [`load`](Self::load) for that.
    pub fn read_elements<T: Element>(self, first: usize, dst: &mut [T]) -> usize {
        let size = core::mem::size_of::<T>();
        self.read(first.saturating_mul(size), as_bytes_mut(dst)) / size
    }

    /// The whole data, copied into the call's arena. Fine for small inputs (text, ids, logits).
    pub fn load_bytes(self, call: &Call) -> Result<&[u8]> {
        let len = self.byte_size();
        let data = call.alloc::<u8>(len)?;
        let got = self.read(0, data);
        if got != len {
            return Err(fail!(Code::Plugin, "input '{}': input_read gave {} of its {} bytes", self.display_name(), got, len));
        }
        Ok(data)
    }

    /// The whole data as elements of `T`, refusing (code 2, invalid input) an input of another
    /// dtype: `let logits = input.load::<f32>(call)?;`
    pub fn load<T: Element>(self, call: &Call) -> Result<&[T]> {
        self.expect_dtype(T::DTYPE)?;
        let len = self.byte_size() / core::mem::size_of::<T>();
        let data = call.alloc::<T>(len)?;
        let got = self.read_elements(0, data);
        if got != len {
            return Err(fail!(Code::Plugin, "input '{}': input_read gave {} of its {} elements", self.display_name(), got, len));
        }
        Ok(data)
    }

    /// Refuses (code 2) an input whose dtype is not `dtype`, naming both.
    pub fn expect_dtype(self, dtype: DType) -> Result<()> {
        let code = self.dtype_code();
        if code == dtype.code() {
            return Ok(());
        }
        Err(fail!(
            Code::Input,
            "input '{}' must be {} (dtype {}), got dtype {}",
            self.display_name(),
            dtype.name(),
            dtype.code(),
            code
        ))
    }
}

/// An input's name for messages; see [`Input::display_name`].
pub struct DisplayName {
    bytes: [u8; 128],
    len: usize,
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let bytes = &self.bytes[..self.len];
        match core::str::from_utf8(bytes) {
            Ok(s) => f.write_str(s),
            // Cut inside a character: show the whole characters before the cut.
            Err(e) => f.write_str(core::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("")),
        }
    }
}
