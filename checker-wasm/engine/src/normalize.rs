//! The normaliser: what the matcher sees instead of the draft, and the way back.
//!
//! People dodge keyword filters with full-width letters (ＶＩＰ), Traditional
//! characters (賭博), zero-width spaces, circled digits (①③⑧) and separators
//! wedged between characters (赌*博, 包-过, 138 1234 5678). Matching runs on a
//! folded copy in which all of that is undone, and every byte of the copy
//! remembers which original character it came from, so findings point at the
//! exact original span.
//!
//! Folding is per character (width, digit forms, Traditional → Simplified,
//! lower case, dropping format characters), then separator runs are dropped
//! when they sit between two Han characters, or between two short digit groups
//! (at most 8 digits each: phone numbers, ID and card numbers are written in
//! groups of 3–8). The group limit keeps two numbers written side by side
//! (`13812345678 13912345678`) from fusing into one long run that is neither.
//! Newlines are never dropped, so lines stay lines.
//!
//! `normalize(normalize(s)) == normalize(s)` holds (a property test checks it).

pub use crate::t2s::{is_traditional_only, to_simplified};

/// Digit groups longer than this are not joined across a separator.
const MAX_DIGIT_GROUP: usize = 8;

/// What one character folds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// Invisible formatting: gone.
    Drop,
    One(char),
    /// Circled and parenthesised numbers 10–20 (⑩ → `10`).
    Two(char, char),
}

fn digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

fn number(n: u32) -> Fold {
    if n < 10 {
        Fold::One(digit(n))
    } else {
        Fold::Two(digit(n / 10), digit(n % 10))
    }
}

/// Zero-width and formatting characters that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Folds one character: width (NFKC for the ranges that matter here: full-width
/// ASCII, the ideographic space, enclosed digits), Traditional → Simplified,
/// lower case (ASCII and Latin), invisible characters dropped.
pub fn fold_char(c: char) -> Fold {
    if c.is_ascii() {
        return Fold::One(c.to_ascii_lowercase());
    }
    let u = c as u32;
    if (0x3400..=0x9FFF).contains(&u) {
        // Han: the common case, only Traditional → Simplified applies.
        return Fold::One(to_simplified(c));
    }
    let c = match u {
        0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c).to_ascii_lowercase(),
        0x3000 => ' ',
        0xFFE5 => '¥',
        0x2460..=0x2473 => return number(u - 0x2460 + 1), // ①–⑳
        0x2474..=0x2487 => return number(u - 0x2474 + 1), // ⑴–⒇
        0x2488..=0x249B => return number(u - 0x2488 + 1), // ⒈–⒛
        0x24EA | 0x24FF => '0',                           // ⓪ ⓿
        0x24EB..=0x24F4 => return number(u - 0x24EB + 11), // ⓫–⓴
        0x24F5..=0x24FE => return number(u - 0x24F5 + 1), // ⓵–⓾
        0x2776..=0x277F => return number(u - 0x2776 + 1), // ❶–❿
        0x2780..=0x2789 => return number(u - 0x2780 + 1), // ➀–➉
        0x278A..=0x2793 => return number(u - 0x278A + 1), // ➊–➓
        0x3251..=0x325F => return number(u - 0x3251 + 21), // ㉑–㉟
        0x1D7CE..=0x1D7FF => digit((u - 0x1D7CE) % 10),   // mathematical digits
        _ if is_invisible(c) => return Fold::Drop,
        _ => to_simplified(c),
    };
    Fold::One(lower_latin(c))
}

/// Lower case for the Latin letters a Chinese draft actually contains (ASCII,
/// Latin-1, Latin Extended-A). Deliberately not `char::to_lowercase`: its
/// Unicode tables would cost the wasm build more than they could ever catch.
fn lower_latin(c: char) -> char {
    let u = c as u32;
    let l = match u {
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        0x100..=0x137 | 0x14A..=0x177 if u.is_multiple_of(2) => u + 1,
        0x139..=0x148 if !u.is_multiple_of(2) => u + 1,
        _ => u,
    };
    char::from_u32(l).unwrap_or(c)
}

/// Han ideographs: separators between two of them are evasion, not layout.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Characters wedged between Han characters to dodge filters (after folding).
fn is_han_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '*'
            | '-'
            | '_'
            | '.'
            | '/'
            | '\\'
            | '|'
            | '~'
            | '+'
            | '='
            | '#'
            | '^'
            | '`'
            | '\''
            | '"'
            | '·'
            | '•'
            | '×'
            | '‐'
            ..='―'
                | '−'
                | '☆'
                | '★'
                | '○'
                | '●'
                | '◆'
                | '◇'
                | '□'
                | '■'
                | '♥'
                | '♡'
                | '・'
                | '～'
    )
}

/// `is_han_separator(c) || is_digit_separator(c)` for ASCII `c` (false for
/// anything else), as one bit test.
#[inline(always)]
fn is_ascii_separator(c: char) -> bool {
    const MASK: u128 = {
        let seps = b" \t*-_./\\|~+=#^`'\"";
        let mut m = 0u128;
        let mut k = 0;
        while k < seps.len() {
            m |= 1 << seps[k];
            k += 1;
        }
        m
    };
    (c as u32) < 128 && MASK & (1u128 << (c as u32)) != 0
}

/// Characters used to group digits (138 1234 5678, 138-1234-5678). Not `.` or
/// `,`: those are decimals and thousands in prices.
fn is_digit_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '-' | '‐'..='―' | '−')
}

/// A draft's folded copy plus, for every byte of it, the index of the original
/// character it came from.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    origin: Vec<u32>,
}

impl Normalized {
    /// Folds `s`. One pass, linear in its length: separator runs are held
    /// back until the next kept character shows whether they go.
    pub fn new(s: &str) -> Normalized {
        let mut n = Normalized {
            text: String::with_capacity(s.len()),
            origin: Vec::with_capacity(s.len()),
        };
        let mut pending: Vec<(char, u32)> = Vec::new();
        let mut prev: Option<char> = None;
        // Length of the digit group ending at `prev` (0 when prev is no digit).
        let mut left_digits = 0usize;
        for (i, (at, c)) in s.char_indices().enumerate() {
            let i = i as u32;
            // Fast paths for the bulk of any draft: Han characters and ASCII
            // letters and digits with no separator run pending.
            if pending.is_empty() {
                let u = c as u32;
                if (0x3400..=0x9FFF).contains(&u) {
                    let c = to_simplified(c); // may leave the BMP (㑮 → 𫝈)
                    n.push(c, i);
                    prev = Some(c);
                    left_digits = 0;
                    continue;
                }
                // ASCII, full-width ASCII and CJK punctuation (、。《》【】…)
                // that is no separator: folded inline, kept as is.
                let folded = if u < 0x80 {
                    Some(c.to_ascii_lowercase())
                } else if (0xFF01..=0xFF5E).contains(&u) {
                    char::from_u32(u - 0xFEE0).map(|c| c.to_ascii_lowercase())
                } else if (0x3001..=0x301F).contains(&u) {
                    Some(c)
                } else {
                    None
                };
                if let Some(c) = folded
                    && !is_ascii_separator(c)
                {
                    n.push(c, i);
                    prev = Some(c);
                    left_digits = if c.is_ascii_digit() {
                        left_digits + 1
                    } else {
                        0
                    };
                    continue;
                }
            }
            let (a, b) = match fold_char(c) {
                Fold::Drop => continue,
                Fold::One(a) => (a, None),
                Fold::Two(a, b) => (a, Some(b)),
            };
            for (k, c) in std::iter::once(a).chain(b).enumerate() {
                let rest_of_fold = if k == 0 { b } else { None };
                if is_han_separator(c) || is_digit_separator(c) {
                    pending.push((c, i));
                    continue;
                }
                if !pending.is_empty() {
                    let drop = match prev {
                        Some(p) if is_han(p) && is_han(c) => {
                            pending.iter().all(|e| is_han_separator(e.0))
                        }
                        Some(p) if p.is_ascii_digit() && c.is_ascii_digit() => {
                            pending.iter().all(|e| is_digit_separator(e.0))
                                && left_digits <= MAX_DIGIT_GROUP
                                && right_digits(c, rest_of_fold, &s[at + c_len(s, at)..])
                                    <= MAX_DIGIT_GROUP
                        }
                        _ => false,
                    };
                    if drop {
                        // The group to the right starts afresh: limits apply per group.
                        left_digits = 0;
                    } else {
                        for (c, i) in pending.iter().copied() {
                            n.push(c, i);
                        }
                        left_digits = 0;
                    }
                    pending.clear();
                }
                n.push(c, i);
                left_digits = if c.is_ascii_digit() {
                    left_digits + 1
                } else {
                    0
                };
                prev = Some(c);
            }
        }
        for (c, i) in pending {
            n.push(c, i);
        }
        n
    }

    #[inline(always)]
    fn push(&mut self, c: char, i: u32) {
        let len = c.len_utf8();
        self.text.push(c);
        match len {
            1 => self.origin.push(i),
            2 => self.origin.extend_from_slice(&[i, i]),
            3 => self.origin.extend_from_slice(&[i, i, i]),
            _ => self.origin.extend_from_slice(&[i, i, i, i]),
        }
    }

    /// The folded text the matchers run on.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range `[start, end)` of the folded text (on char boundaries,
    /// non-empty) to a range of original *character* indices.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.text.len());
        (
            self.origin[start] as usize,
            self.origin[end - 1] as usize + 1,
        )
    }
}

fn c_len(s: &str, at: usize) -> usize {
    s[at..].chars().next().map_or(0, char::len_utf8)
}

/// Length of the digit group starting with the folded char `first` (and the
/// second half `second` of a two-char fold), continuing into `rest` of the
/// original text; stops counting past the limit, so lookahead stays bounded.
fn right_digits(first: char, second: Option<char>, rest: &str) -> usize {
    let mut n = usize::from(first.is_ascii_digit());
    match second {
        Some(d) if d.is_ascii_digit() => n += 1,
        Some(_) => return n,
        None => {}
    }
    for c in rest.chars() {
        if n > MAX_DIGIT_GROUP {
            break;
        }
        match fold_char(c) {
            Fold::Drop => {}
            Fold::One(d) if d.is_ascii_digit() => n += 1,
            Fold::Two(d, e) if d.is_ascii_digit() && e.is_ascii_digit() => n += 2,
            _ => break,
        }
    }
    n
}

/// The folded text of `s` (convenience for tests and tools).
pub fn normalize(s: &str) -> String {
    Normalized::new(s).text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds() {
        for (input, want) in [
            ("賭博", "赌博"),
            ("赌*博", "赌博"),
            ("赌 博", "赌博"),
            ("包-过", "包过"),
            ("包.过", "包过"),
            ("包_过", "包过"),
            ("包\u{200B}过", "包过"),
            ("ＶＩＰ１３８", "vip138"),
            ("①③⑧", "138"),
            ("⑩", "10"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("１３８　１２３４　５６７８", "13812345678"),
            ("13812345678 13912345678", "13812345678 13912345678"),
            ("价格 3.5 元", "价格 3.5 元"),
            ("第一\n节课", "第一\n节课"),
            ("乾坤", "干坤"),
            ("覆盖", "覆盖"),
        ] {
            assert_eq!(normalize(input), want, "{input}");
            assert_eq!(normalize(want), want, "idempotent: {want}");
        }
    }

    #[test]
    fn spans_map_back() {
        let n = Normalized::new("手机：１３８ 1234 5678！");
        let s = n.as_str();
        let start = s.find("138").unwrap();
        let end = start + "13812345678".len();
        assert_eq!(n.original_span(start, end), (3, 16));
    }

    #[test]
    fn fast_path_agrees() {
        for u in (0..0x80).chain(0x3000..0x3020).chain(0xFF00..0xFF60) {
            let c = char::from_u32(u).unwrap();
            let sep = matches!(fold_char(c), Fold::One(a) if is_han_separator(a) || is_digit_separator(a));
            if u < 0x80 {
                assert_eq!(is_ascii_separator(c), sep, "{u:x}");
            }
            if (0x3001..=0x301F).contains(&u) {
                assert_eq!(fold_char(c), Fold::One(c), "{u:x}");
                assert!(!sep);
            }
        }
    }

    #[test]
    fn traditional() {
        assert!(is_traditional_only('賭'));
        assert!(!is_traditional_only('乾'));
        assert!(!is_traditional_only('覆'));
        assert!(!is_traditional_only('赌'));
        assert_eq!(to_simplified('賭'), '赌');
        assert_eq!(to_simplified('薴'), '苎');
    }
}
