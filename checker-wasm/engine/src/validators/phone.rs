//! Mainland mobile numbers: `1[3-9]` plus nine digits, standing alone (not part
//! of a longer digit run, which would be an order number or an ID), optionally
//! preceded by the country code 86 (or 0086). 400/800 hotlines never start with 1, so
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
            // 86 or 0086, the country code dialled from abroad.
            let s = match e - s {
                13 if &b[s..s + 2] == b"86" => s + 2,
                15 if &b[s..s + 4] == b"0086" => s + 4,
                _ => s,
            };
            is_mobile(&b[s..e]).then(|| Hit {
                start: s,
                end: e,
                masked: mask(&text[s..e], 3, 4),
            })
        })
        .collect()
}

/// Whether `original`, the draft's text a mobile was read from, is a list
/// of small numbers: at least four groups of one or two digits whose values
/// rise (第1,3,5,7,9,11,13,15周; 1、3、5、7、9、11、13、15号). The normaliser
/// joins digit groups across commas, spaces and dashes (a mobile written 138
/// 1234 5678, or digit by digit), so a list of weeks or seats can read as
/// one; a mobile written digit by digit does not keep rising.
pub(crate) fn is_number_list(original: &str) -> bool {
    // Groups so far, the last group's value and length, and whether every
    // group was short and larger than the one before.
    let (mut groups, mut value, mut len, mut list) = (0, 0u32, 0, true);
    let mut last = None;
    for c in original.chars().chain([' ']) {
        match crate::normalize::fold_char(c) {
            crate::normalize::Fold::One(d) if d.is_ascii_digit() => {
                value = value
                    .saturating_mul(10)
                    .saturating_add(d as u32 - '0' as u32);
                len += 1;
            }
            _ if len > 0 => {
                list &= len <= 2 && last.is_none_or(|l| l < value);
                (groups, last, value, len) = (groups + 1, Some(value), 0, 0);
            }
            _ => {}
        }
    }
    list && groups >= 4
}

/// Words in the gap between two pieces that say the number goes on there
/// (前七位1851206，后四位是3947; 158后面再加2361，然后接7490). Without one,
/// pieces are not joined: a list of whole numbers (150，2000，3000元) is
/// not a mobile.
const PIECE_CUES: [&str; 19] = [
    "位",
    "二段",
    "三段",
    "中间",
    "尾号",
    "尾数",
    "最后",
    "后面",
    "然后",
    "再加",
    "加上",
    "接上",
    "接着",
    "后半",
    "前半",
    "拼",
    "开头",
    "连起来",
    "末尾",
];

/// How many characters may stand between two pieces (，后面接上 is five;
/// 开头，后面接上 seven).
const SPLIT_GAP: usize = 8;

/// A mobile number given in pieces ([`super::pieces`]): consecutive groups
/// of three digits or more that make eleven digits and a mobile, where some
/// gap says the number goes on ([`PIECE_CUES`]). The hit covers the pieces
/// and what is between. `groups` are the draft's
/// [`super::pieces::digit_groups`], found once for every validator, so a
/// group of numerals alone (二五七九) is not looked at.
pub(crate) fn split(text: &str, groups: &[super::pieces::Group]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for first in 0..groups.len() {
        tail_first(text, groups, first, &mut hits);
        // A mobile's first piece starts with 1 (and is read below).
        if groups[first].len < 3 || groups[first].first_digit(text) != b'1' {
            continue;
        }
        let mut number = Vec::with_capacity(11);
        let mut cued = false;
        for (k, g) in groups.iter().enumerate().skip(first) {
            // A piece shorter than three digits is a list number or a
            // date's part (1. 基础阶段：3-6月), not a piece of a mobile.
            if number.len() + g.len > 11 || g.len < 3 {
                break;
            }
            if k > first {
                let gap = &text[groups[k - 1].end..g.start];
                if !super::pieces::joins(gap, SPLIT_GAP) {
                    break;
                }
                cued |= PIECE_CUES.iter().any(|c| gap.contains(c));
            }
            g.digits_into(text, &mut number);
            if number.len() < 11 {
                continue;
            }
            if k > first && is_mobile(&number) && cued {
                hits.push(Hit {
                    start: groups[first].start,
                    end: g.end,
                    masked: mask(std::str::from_utf8(&number).expect("ASCII"), 3, 4),
                });
            }
            break;
        }
    }
    hits
}

/// A mobile given tail first ([`super::pieces::tail_first`]).
fn tail_first(text: &str, groups: &[super::pieces::Group], at: usize, hits: &mut Vec<Hit>) {
    let Some((number, start, end)) = super::pieces::tail_first(text, groups, at, 11, None) else {
        return;
    };
    if is_mobile(&number) {
        hits.push(Hit {
            start,
            end,
            masked: mask(std::str::from_utf8(&number).expect("ASCII"), 3, 4),
        });
    }
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
        assert_eq!(find("008613812345678").len(), 1);
        assert_eq!(find("0013812345678").len(), 0);
        assert!(find("4008201234").is_empty());
        assert!(find("12812345678").is_empty());
        assert!(find("订单138123456789").is_empty());
    }

    #[test]
    fn number_lists() {
        for (original, list) in [
            ("第1,3,5,7,9,11,13,15周", true),
            ("1、3、5、7、9、11、13、15号", true),
            ("座位号1-3-5-7-9-11-13-15", true),
            ("题号 1 3 5 7 9 11 13 15", true),
            ("１，３，５，７，９，１１，１３，１５", true),
            ("1 3 8 1 2 3 4 5 6 7 8", false), // digit by digit: does not rise
            ("138 1234 5678", false),         // three groups
            ("13812345678", false),
        ] {
            assert_eq!(super::is_number_list(original), list, "{original}");
        }
    }

    /// (normalised text, how many hits): mobiles in pieces.
    #[test]
    fn split_mobiles() {
        for (text, want) in [
            ("报名电话前七位1851206,后四位是3947,打过来说明来意", 1),
            ("公考面试班报名,手机尾号4417,前七位是1395027", 1),
            ("手机后八位是42760931,前三位是199", 1),
            ("尾号4417,前面是1295027", 0), // no mobile (129)
            ("联系我:158后面再加2361,然后接7490", 1),
            ("手机号是183开头,后面接上 6047 9215", 1),
            ("老师手机前半段168 2903,后半段 4715", 1),
            ("联系方式\n第一段:177\n第二段:0563\n第三段:2094", 1),
            ("v:138 二五七九 0631", 0), // no cue; a group of numerals alone
            ("价格:150,2000,3000元", 0), // no cue
            ("138 1234 0001,139 5678 0002", 0), // two numbers in a list
            ("前七位1851206。后四位是3947", 0), // a sentence ends
            ("前七位1851206,后四位是39470", 0), // twelve digits
            ("前三位199,中间3847,最后6120", 1),
            ("开过光的,88一个,好多家长都请了", 0), // a numeral after a digit
            ("编号128后面再加2361,然后接7490", 0), // 128 is no mobile prefix
            (
                "1. 基础阶段:3-6月\n2. 强化阶段:7-9月\n3. 冲刺阶段:10-12月",
                0,
            ), // short groups
        ] {
            assert_eq!(
                super::split(text, &crate::validators::pieces::digit_groups(text, 0)).len(),
                want,
                "{text}"
            );
        }
    }
}
