//! Personal numbers given as a sum for the reader to work out:
//! 12801234567加上 1000000000, 27816092426 除以 2, 6960172384 × 2 + 1,
//! 620102197808230000再加4199, 1598306247 后面再加个2 (the blind evasion
//! batteries'). Each is a number no validator takes and a few digits or an
//! operation; worked out, it is a mobile or an ID.
//!
//! Only sums with an operand of seven digits or more are worked out (a
//! price plus a fee is no personal number, and the digit groups are only
//! found in drafts with seven digits), left to right as written, and only
//! a result a validator takes whole is reported, over the whole sum.

use super::Hit;
use super::pieces::Group;
use crate::rules::Validator;

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    /// Written after (后面再加个2: one more digit).
    Append,
}

/// The words between two numbers that say how they combine (spaces
/// round them aside).
const OPERATORS: [(&str, Op); 13] = [
    ("后面再加个", Op::Append),
    ("后面再加", Op::Append),
    ("加上", Op::Add),
    ("再加", Op::Add),
    ("加", Op::Add),
    ("+", Op::Add),
    ("减去", Op::Sub),
    ("减", Op::Sub),
    ("乘以", Op::Mul),
    ("×", Op::Mul),
    ("*", Op::Mul),
    ("除以", Op::Div),
    ("÷", Op::Div),
];

/// The operation `gap` (the text between two numbers) names.
fn operator(gap: &str) -> Option<Op> {
    let gap = gap.trim();
    OPERATORS.iter().find(|(w, _)| *w == gap).map(|&(_, op)| op)
}

/// The longest operand worked with: 19 digits fit in u64 (in the wasm a
/// native integer; u128 arithmetic and formatting were 2.8 KB gzipped).
const MAX_DIGITS: usize = 19;

/// The fewest digits one operand must have.
const MIN_OPERAND: usize = 7;

/// Mobiles or IDs (`v`) given as sums among `groups`, the draft's digit
/// groups ([`super::pieces::digit_groups`]).
pub(crate) fn find(v: Validator, text: &str, groups: &[Group]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let mut digits = Vec::with_capacity(MAX_DIGITS);
    // Read by hand, as the result is written: at most 19 digits cannot
    // overflow, and `str::parse` checks every step with a 128-bit multiply.
    let mut value_of = |g: &Group| -> Option<(u64, u32)> {
        if g.len > MAX_DIGITS {
            return None;
        }
        digits.clear();
        g.digits_into(text, &mut digits);
        let n = digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        Some((n, g.len as u32))
    };
    let mut i = 0;
    while i < groups.len() {
        let Some((mut value, len)) = value_of(&groups[i]) else {
            i += 1;
            continue;
        };
        let mut longest = len;
        let mut last = i;
        while let Some(next) = groups.get(last + 1) {
            let Some(op) = operator(&text[groups[last].end..next.start]) else {
                break;
            };
            let Some((x, len)) = value_of(next) else {
                break;
            };
            // Products are bounded so they cannot overflow (a number of
            // interest has 18 digits at most): an overflow test is a 128-bit
            // multiply from compiler-builtins in the wasm.
            let small = value < 10_000_000_000_000_000;
            let worked = match op {
                Op::Add => value.checked_add(x),
                Op::Sub => value.checked_sub(x),
                Op::Mul => (small && x <= 1000).then(|| value * x),
                Op::Div => (x != 0 && value % x == 0).then(|| value / x),
                Op::Append => (small && len <= 3).then(|| value * 10u64.pow(len) + x),
            };
            let Some(worked) = worked else { break };
            value = worked;
            longest = longest.max(len);
            last += 1;
        }
        if last > i && longest as usize >= MIN_OPERAND {
            // The digits by hand: `u64`'s formatting is code the wasm has
            // no other use for.
            let mut result = Vec::with_capacity(MAX_DIGITS + 1);
            let mut rest = value;
            loop {
                result.push(b'0' + (rest % 10) as u8);
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            result.reverse();
            let result = std::str::from_utf8(&result).unwrap_or_default();
            let whole = super::in_digits(v, result, result.len())
                .into_iter()
                .find(|h| h.start == 0 && h.end == result.len());
            if let Some(h) = whole {
                hits.push(Hit {
                    start: groups[i].start,
                    end: groups[last].end,
                    masked: h.masked,
                });
            }
        }
        i = last + 1;
    }
    hits
}

#[cfg(test)]
mod tests {
    use crate::rules::Validator;
    use crate::validators::find;

    /// (normalised text, validator, hits)
    #[test]
    fn sums() {
        for (text, v, want) in [
            (
                "号码是12801234567加上 1000000000 自己算一下",
                Validator::Phone,
                1,
            ),
            ("电话是 27816092426 除以 2,算出来就是", Validator::Phone, 1),
            ("电话 = 6960172384 × 2 + 1(自己算哈)", Validator::Phone, 1),
            ("打这个1598306247 后面再加个2", Validator::Phone, 1),
            ("V:25001294837 减去 10000000000 加起来", Validator::Phone, 1),
            (
                "证件号 = 130102197310024000 加 235 你算一下再填",
                Validator::ResidentId,
                1,
            ),
            ("学费2980加200教材费", Validator::Phone, 0),
            ("订单1234567加1等于1234568", Validator::Phone, 0),
            ("27816092427 除以 2", Validator::Phone, 0), // not whole
        ] {
            assert_eq!(find(v, text).len(), want, "{text}");
        }
    }
}
