//! Resident ID numbers (GB 11643-1999): six-digit region code (first digit
//! 1–8), a real birth date (leap years included), a three-digit sequence and
//! a mod-11 check character (0–9 or X). A number failing any of these is not an
//! ID. An all-digit 统一社会信用代码 almost always fails the ID checks (the two
//! check characters use different moduli); the rare number valid as both is
//! taken for a USCC only when the text labels it as one (信用代码, 税号 just
//! before it), so real IDs are not let through by a 1-in-31 coincidence.

use super::{Hit, mask, uscc};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10x98765432";

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |n, &b| n * 10 + u32::from(b - b'0'))
}

fn is_real_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// Is `id` (18 bytes: 17 digits then a digit or lower-case `x`) a valid ID?
pub fn is_valid(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b'1'..=b'8').contains(&id[0]) {
        return false;
    }
    if !is_real_date(num(&id[6..10]), num(&id[10..12]), num(&id[12..14])) {
        return false;
    }
    let sum: u32 = id[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == id[17]
}

/// ID numbers among `runs` (maximal digit runs of `text`): 18 digits, or 17
/// followed by `x`, not glued to other letters or digits, but for the one
/// letter of a student's 学籍号: `G` (or `L`, a temporary one) and the
/// holder's ID number (学籍号G330106201203154327; folded, so lower case).
pub fn find(text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    for &(i, e) in runs {
        let student_number =
            |k: usize| matches!(b[k], b'g' | b'l') && (k == 0 || !b[k - 1].is_ascii_alphanumeric());
        if i > 0 && b[i - 1].is_ascii_alphabetic() && !student_number(i - 1) {
            continue;
        }
        let end = if e - i == 17 && b.get(e) == Some(&b'x') {
            e + 1
        } else {
            e
        };
        let alone = !b.get(end).is_some_and(u8::is_ascii_alphanumeric);
        if end - i == 18
            && alone
            && is_valid(&b[i..end])
            && !(uscc::is_valid(&b[i..end]) && uscc::labelled(text, i))
        {
            hits.push(Hit {
                start: i,
                end,
                masked: mask(&text[i..end], 6, 4),
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::{Validator, find as run};

    fn find(t: &str) -> Vec<Hit> {
        run(Validator::ResidentId, t)
    }

    #[test]
    fn ids() {
        assert!(is_valid(b"11010519491231002x"));
        assert!(is_valid(b"110101199003074477"));
        assert!(!is_valid(b"110101199003074478")); // check digit
        assert!(!is_valid(b"110101199002304476")); // no 30 February
        assert!(!is_valid(b"910101199003074477")); // region
        assert_eq!(find("身份证11010519491231002x。").len(), 1);
        assert!(find("单号110101199003074477123").is_empty());
        // A 学籍号 is G (or L) and the ID; other letters glued on are not.
        assert_eq!(find("学籍号g110101199003074477，官网可查").len(), 1);
        assert_eq!(find("l110101199003074477").len(), 1);
        assert!(find("ag110101199003074477").is_empty());
        assert!(find("订单k110101199003074477").is_empty());
    }
}
