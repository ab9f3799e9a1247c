//! Traditional → Simplified, one character at a time.
//!
//! The table is OpenCC's `TSCharacters.txt` (see `data/README.md`), turned into a
//! sorted array by `build.rs`. Per-character conversion is deliberately all we do:
//! the point is matching (賭博 must hit 赌博) and proving the handbook has no
//! Traditional characters left, not producing publishable Simplified text, which
//! would need OpenCC's phrase tables.

include!(concat!(env!("OUT_DIR"), "/t2s_table.rs"));

/// Whether the BMP code point `u` may have an entry (false for nearly all
/// Simplified text, which then needs no table search). `u` < 0x10000.
#[inline(always)]
pub(crate) fn may_change(u: u32) -> bool {
    BMP_BITS[(u / 64) as usize] & (1 << (u % 64)) != 0
}

/// Index of `c` in the table, if it has a (changing) entry.
#[inline(always)]
fn lookup(c: char) -> Option<usize> {
    let u = c as u32;
    if u < 0x10000 && !may_change(u) {
        return None;
    }
    FROM.binary_search(&c).ok()
}

/// The Simplified form of `c`: OpenCC's first target (乾 → 干), with chains
/// resolved (薴 → 苧 → 苎) so that applying it twice changes nothing.
/// Characters without an entry are returned unchanged.
#[inline]
pub fn to_simplified(c: char) -> char {
    lookup(c).map_or(c, |i| TO[i])
}

/// True when `c` only exists in Traditional writing: it maps to another character
/// and is not itself one of its own targets. 乾 (干 乾) and 覆 (覆 复) are therefore
/// valid Simplified; 賭 is not.
pub fn is_traditional_only(c: char) -> bool {
    lookup(c).is_some_and(|i| KEEPS_SELF[i / 64] & (1 << (i % 64)) == 0)
}
