//! A second reading of a draft, for what the normaliser cannot take apart
//! without knowing the words around it:
//!
//! - emoji that stand for a word: 科目二📦过 is 包过, 💯通过 is 100%通过, 🅱ao过
//!   is bao过 (the table is `[[stand-in]]` in `data/variants.toml`);
//! - layouts that split a word: a kaomoji between two characters
//!   (包(๑•̀ㅂ•́)و✧过), a word written down the page (包⏎|⏎过, 包⏎⏎过), an emoji
//!   after a letter and before a character or a letter (bao✅过, B🔥G).
//!
//! Why not in the normaliser. An emoji between two Han characters is a
//! separator the fold drops (保📦过 is 保过, 赌💰博 is 赌博), and a symbol some
//! variant form contains must be kept, so as a form 📦 stopped dropping
//! everywhere (development's 保💯过 and 保📦录 lost their findings). A kaomoji
//! is made of letters of other scripts (ㅂ, و), which the fold must keep. A
//! word down the page was joined in the fold once, reading lines in the
//! original text, and was taken out: the idempotence property found
//! `&#21253;⏎⏎𠀀⏎`, where an entity is eight characters of the original and one
//! of the fold (`DESIGN.md`, "The blind evasion battery"). Which reading is
//! meant depends on the words around, which only the rules know.
//!
//! So a draft where one of these occurs is matched twice: as written, and as
//! read here (stand-ins replaced by their readings, the layouts closed up);
//! the second reading's hits over an edit, mapped back to the draft, join
//! the first's in one report, which merges the hits of a clause as always.
//! Finding the places costs a search for three bytes and one character;
//! drafts without one (nearly all) cost nothing more.

use crate::matcher::RawHit;
use crate::normalize::{Fold, fold_char, is_han, is_han_separator};
use crate::variants::STAND_INS;

/// One change the second reading makes: a byte range of the draft and what
/// it reads as (empty: closed up).
struct Edit {
    start: usize,
    end: usize,
    with: &'static str,
}

/// A draft read otherwise: here, and as it asks (`told_reading.rs`). Its
/// text, for each of its characters the draft's character it came from (a
/// reading only replaces, drops, reorders and picks the draft's own
/// characters, so each has one), and which hits to keep.
pub(crate) struct Reading {
    pub text: String,
    from: Vec<usize>,
    /// The draft's character ranges this reading changed, ascending; a hit
    /// is kept when it covers one. `None`: every hit is kept (a told
    /// reading, whose words are all new).
    edits: Option<Vec<(usize, usize)>>,
}

fn reading_of(c: char) -> Option<&'static str> {
    STAND_INS
        .binary_search_by_key(&c, |&(e, _)| e)
        .ok()
        .map(|i| STAND_INS[i].1)
}

/// The longest kaomoji closed up, in characters.
const KAOMOJI_MAX: usize = 16;

/// The draft's second reading, or `None` when it would read the same.
pub(crate) fn read(draft: &str) -> Option<Reading> {
    let mut edits: Vec<Edit> = Vec::new();
    for p in candidates(draft) {
        if edits.last().is_some_and(|e| p < e.end) {
            continue;
        }
        let edit = match draft.as_bytes()[p] {
            0xF0 | 0xE2 => emoji(draft, p),
            b'\n' => down_the_page(draft, p),
            _ => kaomoji(draft, p),
        };
        edits.extend(edit);
    }
    if edits.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(draft.len() + 16);
    let mut from = Vec::with_capacity(draft.len());
    let mut changed = Vec::with_capacity(edits.len());
    let (mut done, mut at) = (0, 0);
    for e in edits {
        for c in draft[done..e.start].chars() {
            text.push(c);
            from.push(at);
            at += 1;
        }
        let len = draft[e.start..e.end].chars().count();
        text.push_str(e.with);
        from.extend(std::iter::repeat_n(at, e.with.chars().count()));
        changed.push((at, at + len));
        at += len;
        done = e.end;
    }
    for c in draft[done..].chars() {
        text.push(c);
        from.push(at);
        at += 1;
    }
    Some(Reading {
        text,
        from,
        edits: Some(changed),
    })
}

/// Where an edit may start, ascending: the lead byte of every character
/// outside the BMP (emoji) and of U+2000–U+2FFF (symbols such as ✅, and
/// also “ and ”), every line break, and every opening bracket.
fn candidates(draft: &str) -> Vec<usize> {
    let b = draft.as_bytes();
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut at: Vec<usize> = memchr::memchr3_iter(0xF0, b'\n', b'(', b)
            .chain(memchr::memchr_iter(0xE2, b))
            .chain(memchr::memmem::find_iter(b, "（"))
            .collect();
        at.sort_unstable();
        at
    }
    // The wasm has no memchr (a few KB); drafts there are one at a time.
    #[cfg(target_arch = "wasm32")]
    {
        (0..b.len())
            .filter(|&i| {
                matches!(b[i], 0xF0 | 0xE2 | b'\n' | b'(') || b[i..].starts_with("（".as_bytes())
            })
            .collect()
    }
}

/// The character before byte `p`.
fn before(draft: &str, p: usize) -> Option<char> {
    draft[..p].chars().next_back()
}

/// A stand-in emoji at `p`, or an emoji after a letter and before a Han
/// character or a letter (bao✅过, B🔥G): outside the BMP, or among the BMP's symbols and
/// dingbats (U+2600–U+27BF, U+2B00–U+2BFF: ☀ ✅ ❤ ⭐).
fn emoji(draft: &str, p: usize) -> Option<Edit> {
    let c = draft[p..].chars().next()?;
    if c < '\u{10000}' && !matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}') {
        return None;
    }
    let end = p + c.len_utf8();
    // The first character after, past variation selectors and joiners.
    let next = draft[end..]
        .chars()
        .find(|&n| !matches!(n, '\u{FE00}'..='\u{FE0F}' | '\u{200D}'));
    let after_letter = before(draft, p).is_some_and(|b| b.is_ascii_alphabetic());
    let between_letter_and_han = after_letter && next.is_some_and(is_han);
    // Between a letter and a character the emoji is closed up unless it
    // stands for a letter: du🎲球 is du球 (du赌球 would be neither), ba🅾过
    // is bao过.
    let reads_letter = |r: &&str| r.starts_with(|l: char| l.is_ascii_alphabetic());
    if let Some(reads) = reading_of(c).filter(|r| !between_letter_and_han || reads_letter(r)) {
        // A reading does not double the character after it: 💯% is 100%,
        // not 100%%; 📦包 stays as written.
        let reads = match (reads.chars().next_back(), next.map(fold_char)) {
            (Some(last), Some(Fold::One(n))) if last == n => {
                &reads[..reads.len() - last.len_utf8()]
            }
            _ => reads,
        };
        return (!reads.is_empty()).then_some(Edit {
            start: p,
            end,
            with: reads,
        });
    }
    // Between two letters too, unless it stands in: B🔥G is BG, Bao👌Guo is
    // BaoGuo.
    let between_letters = after_letter && next.is_some_and(|n| n.is_ascii_alphabetic());
    (!is_han(c) && (between_letter_and_han || between_letters)).then_some(Edit {
        start: p,
        end,
        with: "",
    })
}

/// The one Han character `line` holds, spaces aside.
fn lone_han(line: &str) -> Option<char> {
    let mut chars = line.trim().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if is_han(c) => Some(c),
        _ => None,
    }
}

/// A word down the page: a Han character alone on its line, at least one
/// empty line or line of separators, and a Han character alone on its
/// line, closed up (包⏎⏎过, 赌⏎|⏎博). One line break between two such
/// characters the fold already drops.
fn down_the_page(draft: &str, p: usize) -> Option<Edit> {
    let b = draft.as_bytes();
    let line_start = b[..p]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    lone_han(&draft[line_start..p])?;
    let (i, c) = draft[line_start..p]
        .char_indices()
        .find(|&(_, c)| is_han(c))?;
    let start = line_start + i + c.len_utf8();
    let mut q = p;
    let mut breaks = 0;
    loop {
        let rest = &draft[q + 1..];
        breaks += 1;
        let line_end = rest
            .bytes()
            .position(|c| c == b'\n')
            .map_or(draft.len(), |i| q + 1 + i);
        let line = &draft[q + 1..line_end];
        if lone_han(line).is_some() {
            if breaks < 2 {
                return None;
            }
            let end = q + 1 + line.find(|c: char| is_han(c))?;
            return Some(Edit {
                start,
                end,
                with: "",
            });
        }
        let separators = line.trim().chars().all(|c| match fold_char(c) {
            Fold::One(f) => is_han_separator(f) || f.is_whitespace(),
            _ => true,
        });
        if !separators || line_end == draft.len() || breaks > 3 {
            return None;
        }
        q = line_end;
    }
}

/// A kaomoji between two Han characters, from the bracket at `p`: a run of
/// at most [`KAOMOJI_MAX`] characters that are neither Han, nor ASCII
/// letters or digits, nor spaces, nor clause punctuation, with a closing
/// bracket in it and one character at least the fold would keep.
fn kaomoji(draft: &str, p: usize) -> Option<Edit> {
    if !before(draft, p).is_some_and(is_han) {
        return None;
    }
    let mut end = p;
    let (mut closed, mut kept, mut n) = (false, false, 0);
    for c in draft[p..].chars() {
        if is_han(c) {
            break;
        }
        let f = match fold_char(c) {
            Fold::One(f) => f,
            _ => c,
        };
        if f.is_ascii_alphanumeric()
            || f.is_whitespace()
            || matches!(f, ',' | '。' | '!' | '?' | ';' | ':')
            || n == KAOMOJI_MAX
        {
            return None;
        }
        closed |= matches!(c, ')' | '）');
        kept |= !is_han_separator(f) && fold_char(c) != Fold::Drop;
        end += c.len_utf8();
        n += 1;
    }
    (closed && kept && draft[end..].chars().next().is_some_and(is_han)).then_some(Edit {
        start: p,
        end,
        with: "",
    })
}

impl Reading {
    /// A reading of `order`, the draft's characters as read (`chars`), all
    /// of whose hits are kept.
    pub fn of(chars: &[char], order: Vec<usize>) -> Reading {
        Reading {
            text: order.iter().map(|&i| chars[i]).collect(),
            from: order,
            edits: None,
        }
    }

    /// [`Reading::of`], but keeping only the hits over `edits` (the draft's
    /// character ranges it changed, ascending and apart), like the second
    /// reading's own: the rest of the draft reads the same.
    pub fn of_edits(chars: &[char], order: Vec<usize>, edits: Vec<(usize, usize)>) -> Reading {
        Reading {
            edits: Some(edits),
            ..Reading::of(chars, order)
        }
    }

    /// The draft's character span of the reading's span `start..end`: from
    /// the first to the last character any of its characters came from (a
    /// closed-up run inside it included, an edit it ends in whole).
    fn back(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let from = self.from.get(start..end.min(self.from.len()))?;
        let first = *from.iter().min()?;
        let last = *from.iter().max()?;
        // The last character's own end: an edit's whole original.
        let end = self
            .edit_from(last)
            .filter(|e| e.0 == last)
            .map_or(last + 1, |e| e.1);
        Some((first, end))
    }

    /// The first edit that ends after the draft's character `at` (edits are
    /// ascending and apart: a binary search, since a draft may have one
    /// every few characters and a hit each).
    fn edit_from(&self, at: usize) -> Option<(usize, usize)> {
        let edits = self.edits.as_deref()?;
        edits.get(edits.partition_point(|e| e.1 <= at)).copied()
    }

    /// The reading's hits (spans in [`Reading::text`]) that cover an edit
    /// (all, for a told reading), with their spans in the draft. The report
    /// merges them with the draft's own hits of their clause
    /// (`report::build`), so what both readings find is reported once; the
    /// others are the same hits as the draft's, at the same places, and are
    /// left out only to save the work.
    pub fn in_draft(&self, hits: Vec<(RawHit, (usize, usize))>) -> Vec<(RawHit, (usize, usize))> {
        hits.into_iter()
            .filter_map(|(h, (start, end))| {
                let (start, end) = self.back(start, end)?;
                (self.edits.is_none() || self.edit_from(start).is_some_and(|e| e.0 < end))
                    .then_some((h, (start, end)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (reading index, whether it is an end, draft index)
    type Point = (usize, bool, usize);

    #[test]
    fn readings_and_their_mapping_back() {
        // (draft, reading, points)
        let table: &[(&str, &str, &[Point])] = &[
            ("科目二📦过", "科目二包过", &[(3, false, 3), (5, true, 5)]),
            (
                "💯通过",
                "100%通过",
                &[(0, false, 0), (2, true, 1), (4, false, 1), (6, true, 3)],
            ),
            ("💯%过", "100%过", &[(4, false, 2), (5, true, 3)]),
            ("📦包邮", "📦包邮", &[]),
            (
                "a💯b💯c",
                "a100%b100%c",
                &[(5, false, 2), (6, true, 3), (10, false, 4)],
            ),
            (
                "会计🅱\u{FE0F}ao过",
                "会计b\u{FE0F}ao过",
                &[(2, false, 2), (7, true, 7)],
            ),
            ("B🔥G班", "BG班", &[(0, false, 0), (2, true, 3)]),
            (
                "bao✅过班",
                "bao过班",
                &[(0, false, 0), (4, true, 5), (4, false, 5)],
            ),
            (
                "包(๑•̀ㅂ•́)و✧过",
                "包过",
                &[(0, false, 0), (2, true, 12), (1, false, 11)],
            ),
            (
                "今晚赌(￣▽￣)博走起",
                "今晚赌博走起",
                &[(2, false, 2), (4, true, 9)],
            ),
            (
                "成人高考\n包\n\n过\n学历",
                "成人高考\n包过\n学历",
                &[(5, false, 5), (7, true, 9)],
            ),
            (
                "约\n赌\n|\n博\n私",
                "约\n赌博\n私",
                &[(2, false, 2), (4, true, 7)],
            ),
            ("图(一)所示", "图(一)所示", &[]), // a Han character inside
            ("包(*)过", "包(*)过", &[]),       // the fold drops it already
            ("包(guo)过", "包(guo)过", &[]),   // letters
            ("你好\n\n再见", "你好\n\n再见", &[]), // not alone on their lines
            ("包\n过", "包\n过", &[]),         // the fold joins one line break
        ];
        for &(draft, reading, points) in table {
            match read(draft) {
                Some(r) => {
                    assert_eq!(r.text, reading, "{draft}");
                    for &(x, is_end, want) in points {
                        // A start is its character's, an end the one's before it.
                        let got = if is_end {
                            r.back(x - 1, x).map(|s| s.1)
                        } else {
                            r.back(x, x + 1).map(|s| s.0)
                        };
                        assert_eq!(got, Some(want), "{draft} {x} {is_end}");
                    }
                }
                None => assert_eq!(draft, reading, "{draft} reads the same"),
            }
        }
        assert!(read("没有表情的草稿🎉").is_none());
    }
}
