//! Mainland mobile numbers: `1[3-9]` plus nine digits, standing alone (not part
//! of a longer digit run, which would be an order number or an ID), optionally
//! preceded by the country code 86. 400/800 hotlines never start with 1, so
//! they are not personal by construction.

use super::{Hit, mask};

/// Is `d` (all ASCII digits) a mobile number?
pub fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
}

/// Mobile numbers among `runs` (maximal digit runs of `text`).
pub fn find(text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    let b = text.as_bytes();
    runs.iter()
        .filter_map(|&(s, e)| {
            let s = if e - s == 13 && &b[s..s + 2] == b"86" {
                s + 2
            } else {
                s
            };
            is_mobile(&b[s..e]).then(|| Hit {
                start: s,
                end: e,
                masked: mask(&text[s..e], 3, 4),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::validators::{Hit, Validator, find as run};

    fn find(t: &str) -> Vec<Hit> {
        run(Validator::Phone, t)
    }

    #[test]
    fn phones() {
        assert_eq!(find("手机13812345678")[0].masked, "138****5678");
        assert_eq!(find("+8613812345678").len(), 1);
        assert!(find("4008201234").is_empty());
        assert!(find("12812345678").is_empty());
        assert!(find("订单138123456789").is_empty());
    }
}
