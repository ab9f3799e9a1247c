//! Readings a draft asks for: 倒着读 (read it backwards), 每段倒着读 (each
//! group backwards), 藏头 / 看每行开头 (read the lines' first characters),
//! and digits described by their count (135，三个8，20461: 两个零 is 零零).
//!
//! A writer dodging the checker can write 过包 or 博赌 and tell the reader
//! how to read it, or hide 包过 down the first column of a poem. No fold
//! can undo that without the instruction: reversing every draft would find
//! words in the backwards text of ordinary ones. So the instruction is the
//! trigger. Its words ([`CUES`]) are in the rules' automaton
//! (`matcher::Target::Told`), so looking for them costs nothing more; a
//! draft holding one is read again as told, matched, and the hits are
//! mapped back character by character (a reading only reorders and picks
//! the draft's own characters, so every one of them has a place).
//!
//! The readings are engine data, like the variant table: what they undo is
//! a way of writing, not policy.

use crate::normalize::is_han;
use crate::second_reading::Reading;

/// Which readings a draft asks for, as bits.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Told(u8);

const BACKWARDS: u8 = 1;
const EACH_BACKWARDS: u8 = 2;
const FIRST_CHARACTERS: u8 = 4;
const COUNTED_DIGITS: u8 = 8;

impl Told {
    pub fn add(&mut self, kind: u8) {
        self.0 |= kind;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// The instructions, written folded (Simplified, lower case), one string
/// per reading (a word each is a fat pointer more in the wasm). Short: a
/// reading only adds what the rules find in it, so a stray 倒着 (倒着走)
/// costs a second match and nothing else.
pub(crate) const CUES: [(&str, u8); 4] = [
    (
        "倒着 倒过来 反着读 反着念 反着看 反过来读 反过来念 从后往前 从右往左 倒序 倒读 倒念 逆序",
        BACKWARDS,
    ),
    (
        "每段倒 每段反 每组倒 每组反 每段都倒 每组都倒 分别倒 各自倒 分段倒",
        EACH_BACKWARDS,
    ),
    (
        "藏头 每行开头 每行第一 每行首字 每句开头 每句第一 每句首字 竖着读 竖着念 竖着看 看开头 开头连起来 首字连起来 第一个字连起来",
        FIRST_CHARACTERS,
    ),
    // Not an instruction, but read the same way: a count before 个 (the
    // reading changes a draft only where a digit follows it).
    ("两个 二个 三个 四个 2个 3个 4个", COUNTED_DIGITS),
];

/// Each reading `told` asks for, of `draft` (none that reads the same).
pub(crate) fn readings(draft: &str, told: Told) -> Vec<Reading> {
    if told.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = draft.chars().collect();
    let mut out = Vec::new();
    for kind in [BACKWARDS, EACH_BACKWARDS, FIRST_CHARACTERS, COUNTED_DIGITS] {
        if told.0 & kind == 0 {
            continue;
        }
        let (order, edits) = match kind {
            BACKWARDS => (backwards(&chars, is_line_break), None),
            EACH_BACKWARDS => (backwards(&chars, is_group_break), None),
            FIRST_CHARACTERS => (first_characters(&chars), None),
            _ => {
                let (order, edits) = counted_digits(&chars);
                (order, Some(edits))
            }
        };
        if order.len() < 2 {
            continue;
        }
        let reading = match edits {
            // Only the hits over a count written out: the rest reads as the
            // draft does, and its hits are the draft's.
            Some(edits) => Reading::of_edits(&chars, order, edits),
            None => Reading::of(&chars, order),
        };
        if reading.text != draft {
            out.push(reading);
        }
    }
    out
}

fn is_line_break(c: char) -> bool {
    c == '\n'
}

/// Where a group ends when each is read backwards (503014 62909891 2005).
fn is_group_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '，' | '、' | '。' | ':' | '：' | ';' | '；' | '-' | '—' | '|' | '/'
        )
}

/// The draft's character indices with every stretch between two `breaks`
/// reversed in place (breaks stay where they are).
fn backwards(chars: &[char], breaks: fn(char) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..chars.len()).collect();
    for stretch in order.split_mut(|&i| breaks(chars[i])) {
        stretch.reverse();
    }
    order
}

/// The first letter, digit or Han character of every line, or, in a draft
/// of fewer than three lines, of every clause (每句开头).
fn first_characters(chars: &[char]) -> Vec<usize> {
    let lines = chars.iter().filter(|&&c| c == '\n').count() + 1;
    let breaks: fn(char) -> bool = if lines >= 3 {
        is_line_break
    } else {
        |c| {
            c == '\n'
                || matches!(
                    c,
                    '，' | ','
                        | '。'
                        | '！'
                        | '!'
                        | '？'
                        | '?'
                        | '；'
                        | ';'
                        | '、'
                        | '：'
                        | ':'
                        | ' '
                )
        }
    };
    let mut order = Vec::new();
    let mut at_start = true;
    for (i, &c) in chars.iter().enumerate() {
        if breaks(c) {
            at_start = true;
        } else if at_start && (is_han(c) || c.is_alphanumeric()) {
            order.push(i);
            at_start = false;
        }
    }
    order
}

/// The draft's character indices with every digit given by its count
/// (两个8, 三个零: two to four, before 个) written that many times instead,
/// and the count and 个 left out; and the character ranges so written.
fn counted_digits(chars: &[char]) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut order = Vec::with_capacity(chars.len() + 4);
    let mut edits = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let count = match chars[i] {
            '两' | '二' | '2' => 2,
            '三' | '3' => 3,
            '四' | '4' => 4,
            _ => 0,
        };
        let digit = |c: char| {
            c.is_ascii_digit() || crate::validators::numerals::numeral(c as u32).is_some()
        };
        if count > 0
            && chars.get(i + 1) == Some(&'个')
            && chars.get(i + 2).is_some_and(|&c| digit(c))
        {
            order.extend(std::iter::repeat_n(i + 2, count));
            edits.push((i, i + 3));
            i += 3;
        } else {
            order.push(i);
            i += 1;
        }
    }
    (order, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_as_told() {
        // (draft, kinds, readings)
        let table: &[(&str, u8, &[&str])] = &[
            (
                "科目三陪练班，倒着读：过包",
                BACKWARDS,
                &["包过：读着倒，班练陪三目科"],
            ),
            ("过通%001\n倒着念", BACKWARDS, &["100%通过\n念着倒"]),
            (
                "每段倒着读：503014 62909891 2005",
                EACH_BACKWARDS,
                &["读着倒段每：410305 19890926 5002"],
            ),
            (
                "军考（看每行开头）\n包你学得明白\n过线不是问题",
                FIRST_CHARACTERS,
                &["军包过"],
            ),
            ("藏头：包教包会，过目不忘", FIRST_CHARACTERS, &["藏包过"]),
            ("135，三个8，20461", COUNTED_DIGITS, &["135，888，20461"]),
            (
                "幺五八，两个零，两个幺",
                COUNTED_DIGITS,
                &["幺五八，零零，幺幺"],
            ),
            ("买三个苹果", COUNTED_DIGITS, &[]),
            ("倒", BACKWARDS, &[]),
        ];
        for &(draft, kinds, want) in table {
            let got: Vec<String> = readings(draft, Told(kinds))
                .into_iter()
                .map(|r| r.text)
                .collect();
            assert_eq!(got, want, "{draft}");
        }
    }

    #[test]
    fn hits_map_back_to_the_characters_they_came_from() {
        let hit = |start, end| {
            (
                crate::matcher::RawHit {
                    rule: 0,
                    start: 0,
                    end: 0,
                    masked: None,
                    soft: false,
                    beside: false,
                    near: None,
                },
                (start, end),
            )
        };
        // 倒着读：过包 reads 包过：读着倒; 包过 is the draft's 过包.
        let r = &readings("倒着读：过包", Told(BACKWARDS))[0];
        assert_eq!(r.in_draft(vec![hit(0, 2)])[0].1, (4, 6));
        // The first characters of three lines: 包 and 过 are 4 apart.
        let r = &readings("x\n包a\n过b", Told(FIRST_CHARACTERS))[0];
        assert_eq!(r.text, "x包过");
        assert_eq!(r.in_draft(vec![hit(1, 3)])[0].1, (2, 6));
    }
}
