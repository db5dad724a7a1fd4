//! Memory for one call: a bump arena above the module's data and stack (`__heap_base`), grown
//! with `memory.grow` when full, and emptied when the next call starts.
//!
//! There is no free and no global allocator: a plugin's temporaries live exactly as long as
//! its call, so the instance's memory stops growing after its first calls instead of
//! fragmenting. Rust's borrow rules enforce the lifetime: every allocation borrows the
//! [`Call`] that the entry point receives, and no reference can outlive it.

use core::cell::Cell;
use core::mem::{align_of, size_of};
use core::slice;

use crate::error::{Code, Result};
use crate::fail;
use crate::Plain;

const PAGE_SIZE: usize = 65536;
/// Every allocation starts on a 16-byte boundary, enough for any element type.
const ALIGN: usize = 16;

mod memory {
    extern "C" {
        /// Defined by the linker: the first byte after the data and the stack.
        static __heap_base: u8;
    }

    pub fn heap_start() -> usize {
        // SAFETY: only the symbol's address is taken, never its value.
        unsafe { &__heap_base as *const u8 as usize }
    }

    pub fn end() -> usize {
        core::arch::wasm32::memory_size(0) * super::PAGE_SIZE
    }

    /// Grows memory by `pages`; false when the host's memory limit refuses.
    pub fn grow(pages: usize) -> bool {
        core::arch::wasm32::memory_grow(0, pages) != usize::MAX
    }
}

/// The arena's state. A plugin instance is single-threaded, so one static suffices.
struct Arena {
    /// The next free byte; 0 until first used.
    top: Cell<usize>,
    /// The end of the memory known to exist.
    end: Cell<usize>,
}

// SAFETY: WebAssembly plugin instances have one thread (ABI v1 refuses threads).
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena { top: Cell::new(0), end: Cell::new(0) };
/// Whether an entry point is running; a nested one must not empty the arena under it.
static IN_CALL: Flag = Flag(Cell::new(false));

struct Flag(Cell<bool>);
// SAFETY: as for Arena.
unsafe impl Sync for Flag {}

fn align_up(p: usize) -> Option<usize> {
    p.checked_add(ALIGN - 1).map(|q| q & !(ALIGN - 1))
}

fn heap_start() -> usize {
    align_up(memory::heap_start()).unwrap_or(usize::MAX)
}

impl Arena {
    fn top(&self) -> usize {
        if self.top.get() == 0 {
            self.top.set(heap_start());
        }
        self.top.get()
    }

    /// `size` bytes aligned to 16, not cleared; reports a failure when memory cannot grow.
    fn bytes(&self, size: usize) -> Result<*mut u8> {
        let start = self.top();
        let end = align_up(start).and_then(|p| p.checked_add(size).map(|e| (p, e)));
        let (p, e) = match end {
            Some(pe) if self.ensure(pe.1) => pe,
            _ => {
                return Err(fail!(
                    Code::Plugin,
                    "out of memory: cannot allocate {} bytes ({} already in use; the plugin's memory limit is reached)",
                    size,
                    start - heap_start()
                ))
            }
        };
        self.top.set(e);
        Ok(p as *mut u8)
    }

    /// Makes sure memory reaches `needed`, growing it page by page.
    fn ensure(&self, needed: usize) -> bool {
        if needed <= self.end.get() {
            return true;
        }
        // Another part of the module may have grown memory: start from its real end.
        self.end.set(memory::end());
        if needed > self.end.get() {
            let missing = needed - self.end.get();
            if !memory::grow((missing + PAGE_SIZE - 1) / PAGE_SIZE) {
                return false;
            }
            self.end.set(memory::end());
        }
        true
    }
}

/// The call in progress. The entry macro ([`entry!`](crate::entry)) creates one for each call,
/// after emptying the arena, and lends it to the entry point; everything allocated from it is
/// valid until the entry point returns.
pub struct Call {
    _private: (),
}

impl Call {
    /// A zeroed slice of `len` elements in the call's arena.
    pub fn alloc<T: Plain>(&self, len: usize) -> Result<&mut [T]> {
        let size = match len.checked_mul(size_of::<T>()) {
            Some(size) => size,
            None => {
                return Err(fail!(Code::Plugin, "out of memory: {} elements of {} bytes", len, size_of::<T>()))
            }
        };
        debug_assert!(align_of::<T>() <= ALIGN);
        let p = ARENA.bytes(size)?;
        // SAFETY: p is fresh arena memory of `size` bytes, aligned, used by nothing else until
        // the arena is emptied, which happens only when no Call exists; zero is a valid value
        // of every Plain type.
        unsafe {
            core::ptr::write_bytes(p, 0, size);
            Ok(slice::from_raw_parts_mut(p as *mut T, len))
        }
    }

    /// A copy of `data` in the call's arena.
    pub fn copy<T: Plain>(&self, data: &[T]) -> Result<&mut [T]> {
        let out = self.alloc::<T>(data.len())?;
        out.copy_from_slice(data);
        Ok(out)
    }

    /// Bytes of the arena in use (this call's allocations).
    pub fn arena_used(&self) -> usize {
        ARENA.top() - heap_start()
    }

    /// Grows `old` (the call's most recent allocation, or any other: then it is copied) to
    /// `new_len` zero-extended elements. Used by the growable buffers.
    pub(crate) fn grow<'c, T: Plain>(&'c self, old: &'c mut [T], new_len: usize) -> Result<&'c mut [T]> {
        let old_end = old.as_ptr() as usize + old.len() * size_of::<T>();
        if old_end == ARENA.top.get() && new_len >= old.len() {
            let start = old.as_mut_ptr() as usize;
            let extra = (new_len - old.len()) * size_of::<T>();
            // Give the block back, then take it again, bigger: same address (both aligned).
            ARENA.top.set(start);
            match ARENA.bytes(extra + old.len() * size_of::<T>()) {
                Ok(p) => {
                    debug_assert_eq!(p as usize, start);
                    // SAFETY: [start, start + new size) is now this block's alone; the new tail
                    // is cleared before it is read.
                    unsafe {
                        core::ptr::write_bytes((start + old.len() * size_of::<T>()) as *mut u8, 0, extra);
                        return Ok(slice::from_raw_parts_mut(start as *mut T, new_len));
                    }
                }
                Err(failure) => {
                    ARENA.top.set(old_end);
                    return Err(failure);
                }
            }
        }
        let bigger = self.alloc::<T>(new_len)?;
        let keep = old.len().min(new_len);
        bigger[..keep].copy_from_slice(&old[..keep]);
        Ok(bigger)
    }
}

/// Runs one call of an entry point: empties the arena (unless an entry point is already
/// running), runs `body` and turns its result into the ABI's return value (0, or the
/// failure's code). What the [`entry!`](crate::entry) macro expands to.
#[doc(hidden)]
pub fn run_entry(body: fn(&Call) -> Result<()>) -> i32 {
    let outer = IN_CALL.0.replace(true);
    if !outer {
        ARENA.top.set(heap_start());
    }
    let result = body(&Call { _private: () });
    IN_CALL.0.set(outer);
    match result {
        Ok(()) => 0,
        Err(failure) => failure.code() as i32,
    }
}
