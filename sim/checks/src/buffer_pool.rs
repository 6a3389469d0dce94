//! Reusable comparison buffers: every disk compared needs a few `COMPARE_CHUNK_BYTES` buffers,
//! and zeroing fresh megabytes per disk was a tenth of a suite run's instructions. Owns a small
//! per-thread pool of zeroed-once buffers; it must never hand out a buffer another holder still
//! uses, and the bytes left in a buffer never matter (every user fills before it reads).

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

/// Most buffers a thread keeps between uses.
const POOLED_MAX: usize = 4;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of exactly `len` bytes, back in the pool when dropped.
pub(crate) struct PooledBuffer {
    bytes: Vec<u8>,
}

/// A buffer of `len` bytes (contents unspecified) from this thread's pool, or a new one.
pub(crate) fn take(len: usize) -> PooledBuffer {
    let mut bytes = POOL
        .with(|pool| pool.borrow_mut().pop())
        .unwrap_or_default();
    bytes.resize(len, 0);
    assert_eq!(bytes.len(), len);
    PooledBuffer { bytes }
}

impl Deref for PooledBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl DerefMut for PooledBuffer {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() < POOLED_MAX {
                pool.push(bytes);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_held_at_once_are_distinct_and_reused_after() {
        let mut a = take(8);
        let mut b = take(8);
        a.fill(1);
        b.fill(2);
        assert_eq!((&a[..], &b[..]), (&[1u8; 8][..], &[2u8; 8][..]));
        let a_ptr = a.as_ptr();
        drop(a);
        drop(b);
        let c = take(4);
        assert_eq!(c.len(), 4);
        let d = take(8);
        assert!(
            c.as_ptr() == a_ptr || d.as_ptr() == a_ptr,
            "a pooled buffer is reused"
        );
    }
}
