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

use crate::t2s::may_change;
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

/// A draft's folded copy, and the way back from it to the original.
///
/// Folding is almost always one character for one, so rather than remember
/// the origin of every byte (four bytes of map per byte of text, written for
/// every character: once a third of the normaliser's time), it records only
/// where the offset between folded and original character indices changes: a
/// dropped character, a separator run dropped, a circled number folded to two
/// digits. Mapping back counts characters, which is only done for the few
/// spans a draft's findings have.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// `(k, d)`: from folded character `k` on, the original character index
    /// is `k + d` (until the next entry). Sorted by `k`, which is unique.
    shifts: Vec<(usize, isize)>,
}

/// Builds the shift list while the folded text grows.
struct Shifts {
    list: Vec<(usize, isize)>,
    /// Original index minus folded index of the next character pushed, when
    /// it continues the current one-for-one run.
    current: isize,
}

impl Shifts {
    /// The folded character `k` comes from original character `origin`.
    #[inline]
    fn set(&mut self, k: usize, origin: usize) {
        let d = origin as isize - k as isize;
        if d == self.current {
            return;
        }
        self.current = d;
        match self.list.last_mut() {
            Some(last) if last.0 == k => last.1 = d,
            _ => self.list.push((k, d)),
        }
    }
}

impl Normalized {
    /// Folds `s`. One pass, linear in its length: runs of characters that
    /// fold one for one are copied by [`fold_one_for_one`]; everything else
    /// (separators, drops, two-character folds) goes one character at a time,
    /// with separator runs held back until the next kept character shows
    /// whether they go.
    pub fn new(s: &str) -> Normalized {
        let mut text = String::with_capacity(s.len());
        let mut shifts = Shifts {
            list: Vec::new(),
            current: 0,
        };
        let mut pending: Vec<(char, usize)> = Vec::new();
        // Where in `text` the digit group that may still grow to the left
        // begins: after a separator between two groups is dropped, the group
        // to the right starts afresh (limits apply per group).
        let mut group_floor = 0usize;
        // The character at byte `at` of `s` is original character `i`.
        let (mut at, mut i) = (0, 0);
        while at < s.len() {
            if pending.is_empty() {
                let (end, chars) = fold_one_for_one(s, at, &mut text);
                (at, i) = (end, i + chars);
                if at == s.len() {
                    break;
                }
            }
            let c = s[at..].chars().next().expect("at a char boundary");
            let next = at + c.len_utf8();
            // The slow path counts folded characters itself; on entry the
            // count follows from the current one-for-one run.
            let mut k = (i as isize - shifts.current) as usize;
            let mut push = |text: &mut String, c: char, origin: usize| {
                shifts.set(k, origin);
                text.push(c);
                k += 1;
            };
            let (a, b) = match fold_char(c) {
                Fold::Drop => (None, None),
                Fold::One(a) => (Some(a), None),
                Fold::Two(a, b) => (Some(a), Some(b)),
            };
            for (n, c) in a.into_iter().chain(b).enumerate() {
                let rest_of_fold = if n == 0 { b } else { None };
                if is_han_separator(c) || is_digit_separator(c) {
                    pending.push((c, i));
                    continue;
                }
                if !pending.is_empty() {
                    let drop = match text.chars().next_back() {
                        Some(p) if is_han(p) && is_han(c) => {
                            pending.iter().all(|e| is_han_separator(e.0))
                        }
                        Some(p) if p.is_ascii_digit() && c.is_ascii_digit() => {
                            pending.iter().all(|e| is_digit_separator(e.0))
                                && trailing_digits(&text[group_floor..]) <= MAX_DIGIT_GROUP
                                && right_digits(c, rest_of_fold, &s[next..]) <= MAX_DIGIT_GROUP
                        }
                        _ => false,
                    };
                    if drop {
                        group_floor = text.len();
                    } else {
                        for &(c, origin) in &pending {
                            push(&mut text, c, origin);
                        }
                    }
                    pending.clear();
                }
                push(&mut text, c, i);
            }
            // Whatever comes next (a run or not) is folded character `k` from
            // original character `i + 1`, unless it is held back.
            shifts.set(k, i + 1);
            (at, i) = (next, i + 1);
        }
        if !pending.is_empty() {
            for (k, (c, origin)) in (text.chars().count()..).zip(pending) {
                shifts.set(k, origin);
                text.push(c);
            }
        }
        Normalized {
            text,
            shifts: shifts.list,
        }
    }

    /// The folded text the matchers run on.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The original character index of folded character `k`.
    fn origin(&self, k: usize) -> usize {
        let n = self.shifts.partition_point(|&(at, _)| at <= k);
        let d = if n == 0 { 0 } else { self.shifts[n - 1].1 };
        (k as isize + d) as usize
    }

    /// Maps a byte range `[start, end)` of the folded text (on char boundaries,
    /// non-empty) to a range of original *character* indices.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        self.original_spans(&[(start, end)])[0]
    }

    /// [`Normalized::original_span`] for many ranges at once, counting
    /// characters in one walk over the text however many ranges there are.
    pub fn original_spans(&self, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
        // Every range bound, as (byte offset, where its answer goes).
        let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(2 * ranges.len());
        for (r, &(start, end)) in ranges.iter().enumerate() {
            debug_assert!(start < end && end <= self.text.len());
            bounds.extend([(start, 2 * r), (end, 2 * r + 1)]);
        }
        bounds.sort_unstable();
        let mut out = vec![(0, 0); ranges.len()];
        let (mut at, mut chars) = (0, 0);
        for (byte, slot) in bounds {
            chars += count_chars(&self.text.as_bytes()[at..byte]);
            at = byte;
            if slot % 2 == 0 {
                out[slot / 2].0 = self.origin(chars);
            } else {
                // The last character of the range is the one before `byte`.
                out[slot / 2].1 = self.origin(chars - 1) + 1;
            }
        }
        out
    }
}

/// Appends to `text` the folded form of the characters from byte `from` of
/// `s` on that fold one for one: Han (Traditional → Simplified), ASCII (lower
/// case), full-width ASCII, CJK punctuation U+3001–U+301F, and separators that
/// cannot be dropped because the character before them is neither Han nor a
/// digit (the spaces of English, 9.5 after a letter). Returns where the first
/// other character starts (or the end) and how many characters it consumed.
///
/// This is the bulk of any draft, so it works on bytes: characters that fold
/// to themselves are not decoded into `char`s or pushed one by one, but
/// copied a run at a time.
#[inline]
fn fold_one_for_one(s: &str, from: usize, text: &mut String) -> (usize, usize) {
    let b = s.as_bytes();
    // Bytes `run..at` fold to themselves and are not yet copied.
    let (mut run, mut at, mut chars) = (from, from, 0);
    // A separator is kept as it is unless it follows a Han character or a
    // digit (then whether it goes depends on what follows: the slow path).
    let keeps = |sep: char, text: &String, run: usize, at: usize| {
        let prev = if at > run {
            s[run..at].chars().next_back()
        } else {
            text.chars().next_back()
        };
        match prev {
            Some(p) if is_han(p) => !is_han_separator(sep),
            Some(p) if p.is_ascii_digit() => !is_digit_separator(sep),
            _ => true,
        }
    };
    loop {
        let (folded, len) = match b[at..] {
            [] => break,
            [x, ..] if x < 0x80 => {
                if !x.is_ascii_uppercase() {
                    if is_ascii_separator(char::from(x)) && !keeps(char::from(x), text, run, at) {
                        break;
                    }
                    at += 1;
                    chars += 1;
                    continue;
                }
                (char::from(x.to_ascii_lowercase()), 1)
            }
            // Three bytes: U+0800–U+FFFF.
            [x, y, z, ..] if x & 0xF0 == 0xE0 => {
                let u =
                    (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
                if (0x3400..=0x9FFF).contains(&u) {
                    if !may_change(u) {
                        at += 3;
                        chars += 1;
                        continue;
                    }
                    let c = char::from_u32(u).expect("a Han code point");
                    match to_simplified(c) {
                        same if same == c => {
                            at += 3;
                            chars += 1;
                            continue;
                        }
                        simplified => (simplified, 3), // may leave the BMP (㑮 → 𫝈)
                    }
                } else if (0x3001..=0x301F).contains(&u) {
                    at += 3;
                    chars += 1;
                    continue;
                } else if (0xFF01..=0xFF5E).contains(&u) {
                    let a = char::from_u32(u - 0xFEE0).expect("ASCII");
                    if is_ascii_separator(a) && !keeps(a, text, run, at) {
                        break;
                    }
                    (a.to_ascii_lowercase(), 3)
                } else {
                    break;
                }
            }
            _ => break,
        };
        text.push_str(&s[run..at]);
        text.push(folded);
        at += len;
        chars += 1;
        run = at;
    }
    text.push_str(&s[run..at]);
    (at, chars)
}

/// The number of characters in valid UTF-8 `bytes`: the bytes that are no
/// continuation byte, counted 32 at a time into a byte-sized sum so the
/// compiler vectorises it (`chars().count()` pays a setup cost that the short
/// gaps between findings never earn back).
pub(crate) fn count_chars(bytes: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut n = 0;
    for block in &mut blocks {
        let block: &[u8; BLOCK] = block.try_into().expect("BLOCK bytes");
        n += usize::from(
            block
                .iter()
                .fold(0u8, |k, &x| k.wrapping_add(u8::from(is_char_start(x)))),
        );
    }
    n + blocks
        .remainder()
        .iter()
        .filter(|&&x| is_char_start(x))
        .count()
}

/// Whether a byte of valid UTF-8 starts a character (is no continuation
/// byte `10xxxxxx`).
#[inline(always)]
pub(crate) fn is_char_start(x: u8) -> bool {
    (x as i8) >= -0x40
}

/// How many ASCII digits `text` ends with, counted up to one past the group
/// limit (enough to know it is exceeded).
fn trailing_digits(text: &str) -> usize {
    text.bytes()
        .rev()
        .take(MAX_DIGIT_GROUP + 1)
        .take_while(u8::is_ascii_digit)
        .count()
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
