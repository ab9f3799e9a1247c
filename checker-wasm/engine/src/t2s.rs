//! Traditional → Simplified, one character at a time.
//!
//! The table is OpenCC's `TSCharacters.txt` (see `data/README.md`), turned into a
//! sorted table by `build.rs` (stored as it gzips best: see there). Per-character conversion is deliberately all we do:
//! the point is matching (賭博 must hit 赌博) and proving the handbook has no
//! Traditional characters left, not producing publishable Simplified text, which
//! would need OpenCC's phrase tables.

use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/t2s_table.rs"));

/// Whether the BMP code point `u` may have an entry (false for nearly all
/// Simplified text, which then needs no table search). `u` < 0x10000.
#[inline(always)]
pub(crate) fn may_change(u: u32) -> bool {
    BMP_BITS[(u / 64) as usize] & (1 << (u % 64)) != 0
}

/// The sorted Traditional characters, decoded from `FROM_DELTAS` the first
/// time a character may have an entry (never, for most Simplified text).
fn from() -> &'static [char] {
    static FROM: OnceLock<Vec<char>> = OnceLock::new();
    FROM.get_or_init(|| {
        let mut out = Vec::with_capacity(LEN);
        let (mut code, mut delta, mut shift) = (0u32, 0u32, 0);
        for &byte in &FROM_DELTAS {
            delta |= u32::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                code += delta;
                out.push(char::from_u32(code).expect("build.rs wrote a char"));
                (delta, shift) = (0, 0);
            }
        }
        out
    })
}

/// Index of `c` in the table, if it has a (changing) entry.
#[inline(always)]
fn lookup(c: char) -> Option<usize> {
    let u = c as u32;
    if u < 0x10000 && !may_change(u) {
        return None;
    }
    from().binary_search(&c).ok()
}

/// The Simplified form of `c`: OpenCC's first target (乾 → 干), with chains
/// resolved (薴 → 苧 → 苎) so that applying it twice changes nothing.
/// Characters without an entry are returned unchanged.
#[inline]
pub fn to_simplified(c: char) -> char {
    lookup(c).map_or(c, |i| {
        let [lo, mid, hi] = TO_PLANES.each_ref().map(|plane| u32::from(plane[i]));
        char::from_u32(lo | mid << 8 | hi << 16).expect("build.rs wrote a char")
    })
}

/// True when `c` only exists in Traditional writing: it maps to another character
/// and is not itself one of its own targets. 乾 (干 乾) and 覆 (覆 复) are therefore
/// valid Simplified; 賭 is not.
pub fn is_traditional_only(c: char) -> bool {
    lookup(c).is_some_and(|i| KEEPS_SELF[i / 64] & (1 << (i % 64)) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters from every corner of the encoding: the first and last
    /// entries, a target outside the BMP (㑮 → 𫝈), a chain (薴 → 苧 → 苎), and
    /// characters with no entry.
    #[test]
    fn table() {
        let cases = [
            ('賭', '赌'),
            ('㑮', '𫝈'),
            ('薴', '苎'),
            ('乾', '干'),
            ('赌', '赌'),
            ('a', 'a'),
            ('😀', '😀'),
        ];
        for (from, to) in cases {
            assert_eq!(to_simplified(from), to, "{from}");
        }
    }

    /// The decoded deltas are the whole table, strictly sorted (the binary
    /// search needs it), and folding is idempotent on every entry.
    #[test]
    fn whole_table() {
        let from = from();
        assert_eq!(from.len(), LEN);
        assert!(from.windows(2).all(|w| w[0] < w[1]));
        for &c in from {
            let once = to_simplified(c);
            assert_ne!(once, c);
            assert_eq!(to_simplified(once), once, "{c}");
            if (c as u32) < 0x10000 {
                assert!(may_change(c as u32), "{c}");
            }
        }
    }
}
