//! Built-in validators for personal data (3.3.3, 5.3.2).
//!
//! Bare digit runs are not personal data: order numbers, dates, prices, the
//! company's 400 hotline and its 统一社会信用代码 all look like numbers. Each
//! validator therefore checks what the standard says a real one looks like
//! (checksums, ranges) and reports nothing else. They run on the normalised
//! text, so digits written with spaces, dashes or in full width are already
//! joined.

pub mod bank_card;
pub mod email;
pub mod numerals;
pub mod phone;
pub(crate) mod pieces;
pub mod resident_id;
pub mod spelled;
pub(crate) mod sums;
pub mod uscc;

use crate::rules::Validator;

/// A validated value: byte range in the normalised text plus its masked form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub masked: String,
}

/// `s` with the middle replaced by `*`, keeping `head` and `tail` characters.
pub(crate) fn mask(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    let mut out: String = s.chars().take(head).collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(s.chars().skip(n - tail));
    out
}

/// How many bytes of `b` come before its first byte in `lo..=hi` (all of
/// them if none; `hi` below 0x80), looked at eight bytes at a time: most of
/// a draft is Han and punctuation, which this skips without a turn of the
/// loop per byte. (The standard library has no search for a byte range, and
/// `memchr` is not in the wasm build.)
pub(crate) fn to_next_in(b: &[u8], lo: u8, hi: u8) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Per byte (high bit clear), the high bit of `y + ONES * (0x80 - lo)`
    // is set when the byte is at least `lo`: no carry crosses bytes.
    let at_least = |y: u64, lo: u64| (y + ONES * (0x80 - lo)) & HIGH;
    let mut k = 0;
    while let Some(chunk) = b.get(k..k + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let y = x & !HIGH;
        if at_least(y, u64::from(lo)) & !at_least(y, u64::from(hi) + 1) & !x != 0 {
            break;
        }
        k += 8;
    }
    k + b[k..]
        .iter()
        .position(|c| (lo..=hi).contains(c))
        .unwrap_or(b.len() - k)
}

/// Runs `v` over normalised text.
pub fn find(v: Validator, text: &str) -> Vec<Hit> {
    find_in(v, text, &Runs::new(text))
}

/// What the validators look at in one draft, found once and shared by them:
/// the long runs of digits and numerals ([`long_digit_runs`]), the runs
/// of spelled-out digits ([`spelled::runs`]) and the groups of digits a
/// number given in pieces is made of ([`pieces::digit_groups`]).
pub struct Runs {
    digits: Vec<(usize, usize)>,
    spelled: Vec<spelled::Run>,
    /// The groups a number in pieces may be made of
    /// ([`pieces::digit_groups`]), or none where the text has too few ASCII
    /// digits for one (fewer than seven: every mobile and ID in pieces seen
    /// so far had that many, and counting them is one vectorised pass where
    /// finding the groups is not).
    pieces: Vec<pieces::Group>,
}

impl Runs {
    pub fn new(text: &str) -> Runs {
        Runs {
            digits: long_digit_runs(text),
            spelled: spelled::runs(text),
            pieces: match pieces::ascii_digits(text) {
                digits @ 7.. => pieces::digit_groups(text, digits),
                _ => Vec::new(),
            },
        }
    }
}

/// Runs `v` given the text's [`Runs`], so several validators share one scan
/// for digits.
pub fn find_in(v: Validator, text: &str, all: &Runs) -> Vec<Hit> {
    let runs = &all.digits[..];
    // Runs of ASCII digits come first, then those with numerals (Chinese,
    // Roman, or the letters o and l).
    let split =
        runs.partition_point(|&(s, e)| text.as_bytes()[s..e].iter().all(u8::is_ascii_digit));
    let (ascii, numeral) = runs.split_at(split);
    let mut hits = match v {
        Validator::Phone => phone::find(text, ascii),
        Validator::ResidentId => resident_id::find(text, ascii),
        Validator::BankCard => bank_card::find(text, ascii),
        Validator::Email if text.contains('@') => return email::find(text),
        Validator::Email => return Vec::new(),
    };
    // Each numeral run is read once: its digit count serves the backwards
    // test below.
    let mut lengths = Vec::with_capacity(numeral.len());
    for &(s, e) in numeral {
        let read = numerals::read(text, s, e);
        lengths.push(read.digits.len());
        if v == Validator::BankCard && read.has_separator() {
            continue;
        }
        hits.extend(numerals::find(v, text, e, read));
    }
    // Only a run as long as the number is worth reading backwards, and only
    // then are the cues looked for (this runs on every draft with a run).
    let fits = |n: usize| match v {
        Validator::Phone => n == 11,
        Validator::ResidentId => n == 18,
        Validator::BankCard | Validator::Email => false,
    };
    if hits.is_empty()
        && (ascii.iter().any(|&(s, e)| fits(e - s)) || lengths.iter().any(|&n| fits(n)))
        && REVERSED.iter().any(|cue| text.contains(cue))
    {
        hits = backwards(v, text, runs);
    }
    if hits.is_empty() && v == Validator::ResidentId {
        hits = resident_id::split(text, &all.pieces);
    }
    if hits.is_empty() && v == Validator::Phone {
        hits = phone::split(text, &all.pieces);
    }
    if hits.is_empty() && matches!(v, Validator::Phone | Validator::ResidentId) {
        hits = sums::find(v, text, &all.pieces);
        if hits.is_empty() {
            hits = spelled::find(v, &all.spelled);
        }
    }
    hits
}

/// What validator `v` finds in `digits[..n]`, one run already read as
/// ASCII digits (from numerals, words, or backwards; an ID's x may follow
/// it), as byte ranges of `digits`.
pub(crate) fn in_digits(v: Validator, digits: &str, n: usize) -> Vec<Hit> {
    let run = [(0, n)];
    match v {
        Validator::Phone => phone::find(digits, &run),
        Validator::ResidentId => resident_id::find(digits, &run),
        Validator::BankCard => bank_card::find(digits, &run),
        Validator::Email => Vec::new(),
    }
}

/// Words that say a number is written backwards (电话倒过来念：2057…).
const REVERSED: [&str; 7] = [
    "倒过来",
    "倒着",
    "倒序",
    "反过来",
    "反着",
    "从右往左",
    "从后往前",
];

/// Mobiles and IDs written backwards, in a draft that says so (`REVERSED`):
/// each run read from its end. Only there: a number that validates both
/// ways round is rare, but 倒过来 is what makes it a number at all. A hit
/// covers the whole run.
fn backwards(v: Validator, text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for &(s, e) in runs {
        let digits: String = numerals::read(text, s, e).digits.chars().rev().collect();
        hits.extend(
            in_digits(v, &digits, digits.len())
                .into_iter()
                .map(|h| Hit {
                    start: s,
                    end: e,
                    masked: h.masked,
                }),
        );
    }
    hits
}

/// The shortest digit run any validator looks at (a mobile number).
const MIN_RUN: usize = 11;

/// Maximal runs of at least 11 ASCII digits: phone numbers, IDs and cards
/// are all at least that long, so ordinary drafts give nothing to check.
/// Then the runs of at least 11 digits and Chinese numerals, with at least one
/// numeral ([`numerals::runs`]).
pub fn long_digit_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = ascii_digit_runs(text);
    runs.extend(numerals::runs(text));
    runs
}

/// The ASCII half of [`long_digit_runs`].
///
/// A run of 11 that starts anywhere in `i..=i + 10` covers byte `i + 10`, so
/// one probe there rules out eleven starting places at once when it is no
/// digit (the Horspool idea): drafts full of short numbers (9点, 200元,
/// 2024年) cost a probe per eleven bytes, not a look at every digit.
fn ascii_digit_runs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut runs = Vec::new();
    // No long run starts before `i` other than those found; `b[i - 1]` is no
    // digit (or `i` is 0), so a run found from a probe never reaches back
    // past `i`.
    let mut i = 0;
    while i + MIN_RUN <= b.len() {
        let probe = i + MIN_RUN - 1;
        if !b[probe].is_ascii_digit() {
            i = probe + 1;
            continue;
        }
        let start = i + b[i..probe]
            .iter()
            .rposition(|x| !x.is_ascii_digit())
            .map_or(0, |k| k + 1);
        let end = probe
            + b[probe..]
                .iter()
                .position(|x| !x.is_ascii_digit())
                .unwrap_or(b.len() - probe);
        if end - start >= MIN_RUN {
            runs.push((start, end));
        }
        i = end + 1;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (validator, normalised text, how many hits): numbers written
    /// backwards count only where the draft says so.
    #[test]
    fn backwards() {
        for (v, text, want) in [
            (Validator::Phone, "电话倒过来念:20579364831", 1),
            (Validator::Phone, "电话:20579364831", 0),
            (Validator::Phone, "倒着写的:96138075231", 1),
            (Validator::Phone, "倒计时:20579364831", 0),
            (
                Validator::ResidentId,
                "身份证倒过来写:774470300991101011",
                1,
            ),
            (
                Validator::ResidentId,
                "倒着念:七七四四七〇三〇〇九九一一〇一〇一一",
                1,
            ),
            (Validator::Phone, "倒过来:13812345678", 1), // read forwards first
        ] {
            assert_eq!(find(v, text).len(), want, "{v:?} {text}");
        }
    }

    /// The probing scan finds exactly the maximal runs of at least 11
    /// digits a byte-by-byte scan finds, over strings of digits and letters
    /// with runs of every length around the limit.
    #[test]
    fn long_runs_match_a_plain_scan() {
        let plain = |s: &str| {
            let mut out = Vec::new();
            let b = s.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i - start >= MIN_RUN {
                    out.push((start, i));
                }
                i = i.max(start + 1);
            }
            out
        };
        let mut random = crate::random_text::RandomText::new(1);
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..random.below(16) {
                s.push_str(&"7".repeat(random.below(16)));
                s.push_str(["a", "元", "-", ""][random.below(4)]);
            }
            assert_eq!(ascii_digit_runs(&s), plain(&s), "{s}");
        }
    }
}
