//! Numbers spelled out in words: pinyin (yao san ba wu…, as digits are read
//! out) or English (one-five-two…), alone or mixed with digits (yao9yao 3344
//! 5206, one3five 2097): the blind evasion battery's.
//!
//! Like the Chinese numerals (`numerals.rs`), they are read as digits for the
//! validators only, and only a run of at least 11 digits that passes a
//! validator's checks is reported: yi er san in a pinyin lesson never is.
//! Written by hand: a table of twenty-odd words and a scan of ASCII tokens.

use super::Hit;
use crate::rules::Validator;

/// The digit a (lower-case, folded) word stands for.
fn digit(word: &[u8]) -> Option<u8> {
    Some(match word {
        b"ling" | b"dong" | b"zero" => 0,
        b"yi" | b"yao" | b"one" => 1,
        b"er" | b"liang" | b"two" => 2,
        b"san" | b"three" => 3,
        b"si" | b"four" => 4,
        b"wu" | b"five" => 5,
        b"liu" | b"six" => 6,
        b"qi" | b"guai" | b"seven" => 7,
        b"ba" | b"eight" => 8,
        b"jiu" | b"gou" | b"nine" => 9,
        _ => return None,
    })
}

/// At most this many separator bytes ([`is_separator`]) between two tokens
/// of one number (`, ` between groups of English words).
const GAP: usize = 2;

/// A run of digit words and digits: where it starts and ends in the
/// normalised text, and its digits.
pub type Run = (usize, usize, Vec<u8>);

/// The runs of `text` (normalised) of at least 11 digits that hold at least
/// one digit word; found once per draft and shared by the validators.
///
/// Runs on every draft, so it looks only at words: it jumps from one run of
/// lower-case letters to the next eight bytes at a time ([`to_next_letter`];
/// Han, punctuation and plain numbers are skipped alike), and only at a
/// digit word reads the run around it ([`run_around`]). Scanning every
/// token instead was 2.4 % of the instructions of a check on the mixed
/// benchmark corpus, whose plain numbers and English are many.
pub fn runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Bytes before `read` belong to runs already read.
    let (mut i, mut read) = (0, 0);
    loop {
        i += to_next_letter(&b[i..]);
        if i == b.len() {
            return out;
        }
        let n = b[i..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        if i >= read && digit(&b[i..i + n]).is_some() {
            let (run, end) = run_around(b, i);
            out.extend(run);
            read = end;
        }
        i += n;
    }
}

/// The token (digits, or a digit word) that ends at byte `end` of `b`, if
/// any: where it starts.
fn token_ending_at(b: &[u8], end: usize) -> Option<usize> {
    let before = &b[..end];
    let digits = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits > 0 {
        return Some(end - digits);
    }
    let letters = before
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_lowercase())
        .count();
    (letters > 0 && digit(&before[end - letters..]).is_some()).then(|| end - letters)
}

/// The run that holds the digit word at byte `at` of `b`, read from its
/// first token, if it has at least 11 digits; and where reading stopped.
fn run_around(b: &[u8], at: usize) -> (Option<Run>, usize) {
    // Back to the first token: over tokens and short runs of separators.
    let mut start = at;
    loop {
        let gap = b[..start]
            .iter()
            .rev()
            .take(GAP + 1)
            .take_while(|c| is_separator(c))
            .count();
        match token_ending_at(b, start - gap) {
            Some(s) if gap <= GAP => start = s,
            _ => break,
        }
    }
    // Forward from it, token by token.
    let (mut i, mut end, mut digits) = (start, start, Vec::new());
    loop {
        let rest = &b[i..];
        let letters = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
        let numbers = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let token = match (letters, numbers) {
            (0, 0) => None,
            (0, n) => Some((&rest[..n], n)),
            (n, _) => digit(&rest[..n]).map(|d| (&DIGITS[usize::from(d)..][..1], n)),
        };
        if let Some((d, len)) = token {
            digits.extend_from_slice(d);
            (end, i) = (i + len, i + len);
            continue;
        }
        let gap = rest
            .iter()
            .take(GAP + 1)
            .take_while(|c| is_separator(c))
            .count();
        if letters == 0 && gap > 0 && gap <= GAP && token_starts(&b[i + gap..]) {
            i += gap;
            continue;
        }
        let run = (digits.len() >= 11).then_some((start, end, digits));
        return (run, end);
    }
}

/// Whether `b` starts with a token: a digit, or a digit word.
fn token_starts(b: &[u8]) -> bool {
    let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    b.first().is_some_and(u8::is_ascii_digit) || (letters > 0 && digit(&b[..letters]).is_some())
}

/// What may stand between two tokens of one number.
fn is_separator(c: &u8) -> bool {
    matches!(c, b' ' | b'-' | b',' | b'.')
}

/// How many bytes of `b` come before its first lower-case ASCII letter (all
/// of them if none): the text is normalised (lower case), and most of it is
/// Han, punctuation, spaces and digits, which [`super::to_next_in`] skips
/// eight bytes at a time.
fn to_next_letter(b: &[u8]) -> usize {
    super::to_next_in(b, b'a', b'z')
}

/// The ASCII digits, to slice one from.
const DIGITS: &[u8; 10] = b"0123456789";

/// Mobiles and IDs among `runs` (see [`runs`]); a hit covers its run.
pub fn find(v: Validator, runs: &[Run]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (start, end, digits) in runs {
        let digits = std::str::from_utf8(digits).expect("ASCII digits");
        hits.extend(
            super::in_digits(v, digits, digits.len())
                .into_iter()
                .map(|h| Hit {
                    start: *start,
                    end: *end,
                    masked: h.masked,
                }),
        );
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::{find, runs};
    use crate::rules::Validator;

    /// (validator, normalised text, how many hits)
    /// The eight-at-a-time skip stops where a byte-by-byte one does.
    #[test]
    fn skip_matches_a_plain_scan() {
        let pieces = [
            "好", "a", "z", "0", "9", " ", "/", ":", "`", "{", "@", "[", "。", "A",
        ];
        let mut random = crate::random_text::RandomText::new(11);
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..random.below(24) {
                s.push_str(pieces[random.below(pieces.len())]);
            }
            let b = s.as_bytes();
            let plain = b.iter().position(u8::is_ascii_lowercase).unwrap_or(b.len());
            assert_eq!(super::to_next_letter(b), plain, "{s}");
        }
    }

    /// Reading runs only around digit words finds what reading every token
    /// from the start finds.
    #[test]
    fn anchored_reading_matches_a_plain_one() {
        // Every token in order; a run ends at anything but a token or a few
        // separators before the next token.
        let plain = |text: &str| {
            let b = text.as_bytes();
            let mut out = Vec::new();
            let (mut i, mut start, mut end) = (0, 0, 0);
            let (mut digits, mut words) = (Vec::new(), false);
            while i <= b.len() {
                let rest = &b[i..];
                let letters = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
                let numbers = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                let token = match (letters, numbers) {
                    (0, 0) => None,
                    (0, n) => Some((rest[..n].to_vec(), false, n)),
                    (n, _) => super::digit(&rest[..n]).map(|d| (vec![b'0' + d], true, n)),
                };
                if let Some((d, word, len)) = token {
                    if digits.is_empty() {
                        start = i;
                    }
                    digits.extend(d);
                    words |= word;
                    (end, i) = (i + len, i + len);
                    continue;
                }
                let gap = rest
                    .iter()
                    .take(3)
                    .take_while(|c| super::is_separator(c))
                    .count();
                if letters == 0 && gap > 0 && gap <= 2 && super::token_starts(&b[i + gap..]) {
                    i += gap;
                    continue;
                }
                if words && digits.len() >= 11 {
                    out.push((start, end, digits.clone()));
                }
                (digits, words) = (Vec::new(), false);
                i += letters.max(1);
            }
            out
        };
        let pieces = [
            "yao", "ling", "one", "five", "3", "12", "1388", " ", "  ", "-", ",", ".", "x", "tel",
            "好", "a",
        ];
        let mut random = crate::random_text::RandomText::new(5);
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..random.below(40) {
                s.push_str(pieces[random.below(pieces.len())]);
            }
            assert_eq!(runs(&s), plain(&s), "{s}");
        }
    }

    #[test]
    fn spelled_numbers() {
        for (v, text, want) in [
            (
                Validator::Phone,
                "电话是yao san ba wu liu qi er ling jiu si san,找张老师",
                1,
            ),
            (
                Validator::Phone,
                "call me: one-five-two, nine-nine-eight-one, three-four-six-zero",
                1,
            ),
            (Validator::Phone, "tel: one3five 2097 seven4eight1", 1),
            (Validator::Phone, "v同号:yao9yao 3344 5206", 1),
            (Validator::Phone, "13812345678", 0), // digits alone are the ASCII scan's
            (
                Validator::Phone,
                "yi er san si wu liu qi ba jiu ling yi er",
                0,
            ), // 12 digits
            (Validator::Phone, "wo ai ni, yi er san", 0),
            (
                Validator::ResidentId,
                "id number: one one zero one zero one one nine nine zero zero three zero seven four four seven seven",
                1,
            ),
            (
                Validator::ResidentId,
                "证件号念给你:yao yao ling yao ling yao yao jiu jiu ling ling san ling qi si si qi qi",
                1,
            ),
        ] {
            assert_eq!(find(v, &runs(text)).len(), want, "{v:?} {text}");
        }
    }
}
