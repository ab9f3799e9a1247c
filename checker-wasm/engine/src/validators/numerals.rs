//! Personal numbers written in Chinese numerals: 一三九一二三四五六七八,
//! 壹叁玖…, 幺三八… (幺 and 两 are how digits are read out), or mixed with
//! digits (139一二三四5678).
//!
//! Only the validators read numerals as digits. Folding them in the
//! normaliser would rewrite what word rules see (一二年级, 三个月, 一一对应)
//! and the spans of every finding around them; here, a run is only looked at
//! when it has at least 11 digit-like characters (the shortest personal
//! number), and only a run that passes a validator's checks is reported, so
//! 三三两两 or 一二三四五六七 in a lesson plan never are.

use super::{Hit, bank_card, phone, resident_id};
use crate::rules::Validator;

/// The digit a Chinese numeral stands for.
fn numeral(c: u32) -> Option<u8> {
    Some(match char::from_u32(c)? {
        '〇' | '零' => 0,
        '一' | '壹' | '幺' => 1,
        '二' | '贰' | '两' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// The digit at byte `i` of `b` (an ASCII digit or a three-byte numeral) and
/// its length in bytes.
#[inline]
fn digit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    match b[i..] {
        [x, ..] if x.is_ascii_digit() => Some((x - b'0', 1)),
        [x, y, z, ..] if (0xE3..=0xE9).contains(&x) => {
            let u = (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
            numeral(u).map(|d| (d, 3))
        }
        _ => None,
    }
}

/// Maximal runs of at least 11 digits and numerals with at least one numeral
/// (pure digit runs are the ASCII scan's).
pub fn runs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // The current run: start, digits in it, whether it has a numeral.
    let (mut start, mut n, mut numeral) = (0, 0, false);
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        // Numerals start with E3 (〇) or E4–E9; anything else ends a run.
        if (x.is_ascii_digit() || (0xE3..=0xE9).contains(&x))
            && let Some((_, len)) = digit_at(b, i)
        {
            {
                if n == 0 {
                    start = i;
                    numeral = false;
                }
                n += 1;
                numeral |= len == 3;
                i += len;
                continue;
            }
        }
        if n >= super::MIN_RUN && numeral {
            out.push((start, i));
        }
        n = 0;
        i += 1;
    }
    if n >= super::MIN_RUN && numeral {
        out.push((start, b.len()));
    }
    out
}

/// Runs validator `v` on the run `text[s..e]` read as digits; hits are
/// mapped back to byte ranges of `text`.
pub fn find(v: Validator, text: &str, s: usize, e: usize) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut digits = String::with_capacity(e - s + 1);
    // `at[j]`: where digit `j` starts in `text`; one more for the end.
    let mut at = Vec::with_capacity(e - s + 1);
    let mut i = s;
    while i < e {
        let (d, len) = digit_at(b, i).expect("a run of digits and numerals");
        digits.push(char::from(b'0' + d));
        at.push(i);
        i += len;
    }
    at.push(e);
    let n = digits.len();
    // A resident ID may end in x, written after the numerals.
    if b.get(e) == Some(&b'x') {
        digits.push('x');
        at.push(e + 1);
    }
    let run = [(0, n)];
    let hits = match v {
        Validator::Phone => phone::find(&digits, &run),
        Validator::ResidentId => resident_id::find(&digits, &run),
        Validator::BankCard => bank_card::find(&digits, &run),
        Validator::Email => Vec::new(),
    };
    hits.into_iter()
        .map(|h| Hit {
            start: at[h.start],
            end: at[h.end],
            masked: h.masked,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::Validator;
    use crate::validators::find;

    /// (validator, normalised text, how many hits)
    #[test]
    fn numerals_as_digits() {
        for (v, text, want) in [
            (Validator::Phone, "电话一三九一二三四五六七八", 1),
            (Validator::Phone, "电话幺三九幺二三四五六七八", 1),
            (Validator::Phone, "电话壹叁玖壹贰叁肆伍陆柒捌", 1),
            (Validator::Phone, "电话139一二三四5678", 1),
            (Validator::Phone, "电话一三九〇二三四五六七八", 1),
            (Validator::Phone, "一二年级三个月", 0),
            (Validator::Phone, "三三两两一二三四五六七", 0),
            (Validator::Phone, "一三九一二三四五六七八九", 0), // 12 digits
            (
                Validator::ResidentId,
                "身份证一一〇一〇一一九九〇〇三〇七四四七七",
                1,
            ),
            (
                Validator::ResidentId,
                "身份证一一〇一〇五一九四九一二三一〇〇二x",
                1,
            ),
            (
                Validator::ResidentId,
                "一一〇一〇一一九九〇〇三〇七四四七八",
                0,
            ),
        ] {
            let hits = find(v, text);
            assert_eq!(hits.len(), want, "{v:?} {text}");
            for h in hits {
                assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
                assert!(h.start < h.end);
            }
        }
    }
}
