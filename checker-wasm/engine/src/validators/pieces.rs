//! Numbers given in pieces: 前六位310104，生日20010120，后四位2104 (an ID);
//! 前七位1851206，后四位是3947, 158后面再加2361，然后接7490 (a mobile). The
//! blind evasion batteries' commonest way to hide a number from a digit-run
//! validator. Here only the groups and the gaps between them; each validator
//! decides which joins it accepts (`resident_id::split`, `phone::split`).

/// A group of consecutive digits or Chinese numerals.
pub(crate) struct Group {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// How many digits it holds.
    pub len: usize,
}

impl Group {
    /// Appends its digits, as ASCII, to `out`: read again from the text
    /// only for the few groups a join is tried with (a digit-heavy draft
    /// has a hundred groups, and keeping their digits was most of their
    /// cost).
    pub fn digits_into(&self, text: &str, out: &mut Vec<u8>) {
        out.extend(text[self.start..self.end].chars().map(|c| match c {
            '0'..='9' => c as u8,
            _ => b'0' + super::numerals::numeral(c as u32).unwrap_or(0),
        }));
    }

    /// Its first digit, as ASCII.
    pub fn first_digit(&self, text: &str) -> u8 {
        match text[self.start..].chars().next() {
            Some(c @ '0'..='9') => c as u8,
            Some(c) => b'0' + super::numerals::numeral(c as u32).unwrap_or(0),
            None => b'0',
        }
    }
}

/// Whether `gap`, the text between two groups, may join them: at most
/// `longest` characters, and no sentence ends in it.
pub(crate) fn joins(gap: &str, longest: usize) -> bool {
    // Most gaps in a digit-heavy draft are far longer: four bytes a
    // character at most says so without counting.
    gap.len() <= 4 * longest
        && gap.chars().count() <= longest
        && !gap.contains(['。', '!', '?', ';'])
}

/// Every group of digits and numerals in `text` that holds an ASCII digit,
/// in order, found from the digits ([`super::to_next_in`] skips to each) and
/// grown over the numerals beside them (一九八九0606). Every draft with a
/// validator pays for this, so it does not decode the text; a group of
/// numerals alone (二五七九) is not among them (numerals with one separator
/// between groups are `numerals::runs`').
/// `digits`, the text's number of ASCII digits, sizes the list (no group
/// has fewer than one, and a digit-heavy draft has dozens).
pub(crate) fn digit_groups(text: &str, digits: usize) -> Vec<Group> {
    let b = text.as_bytes();
    // Whether a numeral (a three-byte character) starts at byte `s`.
    let numeral_at = |s: usize| {
        b.get(s).is_some_and(|&lead| lead >= 0xE2)
            && text
                .get(s..s + 3)
                .and_then(|t| t.chars().next())
                .is_some_and(|c| super::numerals::numeral(c as u32).is_some())
    };
    let mut groups = Vec::with_capacity(digits.min(64));
    let mut i = 0;
    loop {
        i += super::to_next_in(&b[i..], b'0', b'9');
        if i >= b.len() {
            return groups;
        }
        let mut g = Group {
            start: i,
            end: i,
            len: 0,
        };
        while g.start >= 3 && numeral_at(g.start - 3) {
            g.start -= 3;
            g.len += 1;
        }
        // ASCII digits byte by byte; a numeral (never ASCII) decoded only
        // where a lead byte of three stands.
        while g.end < b.len() {
            if b[g.end].is_ascii_digit() {
                g.end += 1;
            } else if numeral_at(g.end) {
                g.end += 3;
            } else {
                break;
            }
            g.len += 1;
        }
        i = g.end;
        groups.push(g);
    }
}

/// How many ASCII digits `text` holds, sixteen bytes at a time (written so
/// that it vectorises: a byte-by-byte filter and count did not, and cost
/// five instructions a byte on every draft).
pub(crate) fn ascii_digits(text: &str) -> usize {
    let chunks = text.as_bytes().chunks_exact(16);
    let rest = chunks
        .remainder()
        .iter()
        .filter(|x| x.is_ascii_digit())
        .count();
    chunks
        .map(|c| {
            c.iter()
                .map(|&x| u8::from(x.wrapping_sub(b'0') < 10))
                .sum::<u8>() as usize
        })
        .sum::<usize>()
        + rest
}

/// How many characters may stand between a tail and its head (，前七位是 is
/// six; ，前面十四位是 eight), as between the pieces of `phone::split`.
const TAIL_GAP: usize = 8;

/// A number of `len` digits given tail first (尾号4417，前七位是1395027;
/// 尾号123X，前十四位51010719880630): the group at `at`, told to be the end
/// (尾, 后, 末 in the few characters before it), then across a gap that
/// names the front (前七位, 前面) the group that completes it. `x_after`
/// reads a check character right after the tail (an ID's X), if the
/// number may end with one. The digits in reading order (head, tail, x),
/// and the byte range from the tail to the head.
pub(crate) fn tail_first(
    text: &str,
    groups: &[Group],
    at: usize,
    len: usize,
    x_after: Option<fn(&str) -> Option<usize>>,
) -> Option<(Vec<u8>, usize, usize)> {
    let (tail, head) = (groups.get(at)?, groups.get(at + 1)?);
    let x = x_after
        .and_then(|read| read(&text[tail.end..]))
        .filter(|_| tail.len + head.len + 1 == len);
    if tail.len < 3 || tail.len + head.len + usize::from(x.is_some()) != len {
        return None;
    }
    let gap = &text[tail.end + x.unwrap_or(0)..head.start];
    // The six characters before it, about: 18 bytes back to a boundary.
    let mut from = tail.start.saturating_sub(18);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = &text[from..tail.start];
    let told_end = ["尾", "后", "末"].iter().any(|c| before.contains(c));
    if !told_end || !joins(gap, TAIL_GAP) || !gap.contains('前') {
        return None;
    }
    let mut number = Vec::with_capacity(len);
    head.digits_into(text, &mut number);
    tail.digits_into(text, &mut number);
    if x.is_some() {
        number.push(b'x');
    }
    Some((number, tail.start, head.end))
}

#[cfg(test)]
mod tests {
    /// `digit_groups` finds what a plain walk over the characters finds.
    #[test]
    fn digit_groups_match_a_plain_walk() {
        let plain = |text: &str| {
            // (start, end, digits, whether one is ASCII)
            let mut out: Vec<(usize, usize, usize, bool)> = Vec::new();
            for (at, c) in text.char_indices() {
                if !c.is_ascii_digit() && super::super::numerals::numeral(c as u32).is_none() {
                    continue;
                }
                match out.last_mut() {
                    Some(g) if g.1 == at => {
                        g.1 += c.len_utf8();
                        g.2 += 1;
                        g.3 |= c.is_ascii_digit();
                    }
                    _ => out.push((at, at + c.len_utf8(), 1, c.is_ascii_digit())),
                }
            }
            out.into_iter()
                .filter(|g| g.3)
                .map(|g| (g.0, g.1, g.2))
                .collect::<Vec<_>>()
        };
        let mut random = crate::random_text::RandomText::new(7);
        for _ in 0..2000 {
            let text = random.text(
                &[
                    "1",
                    "23",
                    "一",
                    "九八",
                    "〇",
                    "Ⅳ",
                    "前三位",
                    "，",
                    " ",
                    "a",
                    "号",
                ],
                12,
            );
            let want = plain(&text);
            let got: Vec<(usize, usize, usize)> =
                super::digit_groups(&text, super::ascii_digits(&text))
                    .into_iter()
                    .map(|g| (g.start, g.end, g.len))
                    .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}
