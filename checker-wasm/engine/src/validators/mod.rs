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
pub mod phone;
pub mod resident_id;
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

/// Runs `v` over normalised text.
pub fn find(v: Validator, text: &str) -> Vec<Hit> {
    find_in(v, text, &long_digit_runs(text))
}

/// Runs `v` given the text's [`long_digit_runs`], so several validators
/// share one scan for digits.
pub fn find_in(v: Validator, text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    match v {
        Validator::Phone => phone::find(text, runs),
        Validator::ResidentId => resident_id::find(text, runs),
        Validator::BankCard => bank_card::find(text, runs),
        Validator::Email if text.contains('@') => email::find(text),
        Validator::Email => Vec::new(),
    }
}

/// Maximal runs of at least 11 ASCII digits: phone numbers, IDs and cards
/// are all at least that long, so ordinary drafts give nothing to check.
pub fn long_digit_runs(text: &str) -> Vec<(usize, usize)> {
    const BLOCK: usize = 16;
    let b = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    loop {
        // Most of a draft has no digits: skip it a block at a time (a fold
        // over a fixed-size block, so it compiles to a few vector
        // instructions), then step to the digit.
        while let Some(block) = b.get(i..i + BLOCK)
            && let Ok(block) = <&[u8; BLOCK]>::try_from(block)
            && block
                .iter()
                .fold(0u8, |d, &x| d | u8::from(x.wrapping_sub(b'0') < 10))
                == 0
        {
            i += BLOCK;
        }
        let Some(k) = b[i..].iter().position(u8::is_ascii_digit) else {
            return runs;
        };
        let start = i + k;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - start >= 11 {
            runs.push((start, i));
        }
    }
}
