//! Vectors reused from one check to the next on the same thread, so a
//! short draft does not pay for allocating and freeing them every time.
//!
//! A check of a short message (the labelled corpus: 111 bytes on average)
//! made about 24 allocations, and allocating and freeing were a tenth of its
//! instructions; the sentence and clause ends, the stance cues, the model's
//! sentences, sums and log-odds, and a few lists of the matcher are taken
//! from here and given back when they are dropped. The pool is per thread
//! (no lock; the audit's workers each keep their own) and bounded: at most
//! [`KEPT`] vectors per element type, none larger than [`LARGEST`] elements
//! (a 5 MB draft's lists are freed as before).
//!
//! Native only: the page checks one draft at a time, a keystroke apart, and
//! every byte of the wasm counts; there `take` is `Vec::new()`, `give`
//! drops, and the `Drop` impls that give back are left out (with them the
//! wasm + glue was 0.3 KB gzipped larger).

#[cfg(not(target_arch = "wasm32"))]
use std::cell::RefCell;

/// At most this many vectors of one element type are kept per thread.
#[cfg(not(target_arch = "wasm32"))]
const KEPT: usize = 32;

/// A vector with room for more elements than this is freed, not kept.
#[cfg(not(target_arch = "wasm32"))]
const LARGEST: usize = 4096;

/// An element type with a pool of its own.
pub(crate) trait Pooled: Sized + 'static {
    #[cfg(not(target_arch = "wasm32"))]
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R;
}

macro_rules! pooled {
    ($($t:ty),*) => {$(
        impl Pooled for $t {
            #[cfg(not(target_arch = "wasm32"))]
            fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
                thread_local! {
                    static POOL: RefCell<Vec<Vec<$t>>> = const { RefCell::new(Vec::new()) };
                }
                POOL.with_borrow_mut(f)
            }
        }
    )*};
}

pooled!(
    (usize, usize),
    (usize, usize, usize),
    (usize, usize, usize, usize),
    u64,
    f32
);

/// An empty vector: one given back earlier on this thread, if any.
#[inline]
pub(crate) fn take<T: Pooled>() -> Vec<T> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(v) = T::with_pool(Vec::pop) {
        return v;
    }
    Vec::new()
}

/// Gives `v` back for a later [`take`] on this thread (or frees it).
#[inline]
pub(crate) fn give<T: Pooled>(v: Vec<T>) {
    #[cfg(not(target_arch = "wasm32"))]
    if v.capacity() != 0 && v.capacity() <= LARGEST {
        let mut v = v;
        v.clear();
        T::with_pool(|pool| {
            if pool.len() < KEPT {
                pool.push(v);
            }
        });
    }
    #[cfg(target_arch = "wasm32")]
    drop(v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vector given back comes back empty with its room; large ones and
    /// ones beyond the count kept are freed.
    #[test]
    fn gives_back_and_bounds() {
        // Drain what other tests on this thread left.
        while <(usize, usize)>::with_pool(|p| p.pop()).is_some() {}
        let mut v: Vec<(usize, usize)> = take();
        assert_eq!(v.capacity(), 0);
        v.extend([(1, 2), (3, 4)]);
        let room = v.capacity();
        give(v);
        let w: Vec<(usize, usize)> = take();
        assert!(w.is_empty());
        assert_eq!(w.capacity(), room);
        give(Vec::<(usize, usize)>::with_capacity(LARGEST + 1));
        assert_eq!(take::<(usize, usize)>().capacity(), 0);
        for _ in 0..KEPT + 5 {
            give(Vec::<(usize, usize)>::with_capacity(8));
        }
        assert_eq!(<(usize, usize)>::with_pool(|p| p.len()), KEPT);
    }
}
