//! Variant spellings (pinyin, letters, homophones, emoji) folded to the key
//! words they stand for: baoguo → 包过, du博 → 赌博, 验证🐴 → 验证码.
//!
//! The table is data (`data/variants.toml`, compiled in by `build.rs`), each
//! form with optional context so that ordinary words stay ordinary (烤 is 考
//! only next to exam words, never in 烤鸭). It is applied to the folded text
//! after character folding (so 包 鍋 is already 包锅 when it is looked up), as
//! a many-for-one replacement that keeps exact spans: every canonical
//! character maps back to the whole original form.
//!
//! Why in the normaliser rather than as extra rule words: one table serves
//! every rule (包过 is in three of them, and patterns see the canonical text
//! too), and the admin's rules stay in the words people are meant to write.

use crate::normalize::Normalized;
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
use std::sync::OnceLock;

/// One form of a variant and where it counts.
pub(crate) struct Variant {
    form: &'static str,
    canonical: &'static str,
    only_before: Vec<&'static str>,
    only_after: Vec<&'static str>,
    not_before: Vec<&'static str>,
    not_after: Vec<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/variants_table.rs"));

/// The table, split out of `PACKED` on first use (built by `build.rs`).
fn table() -> &'static [Variant] {
    static TABLE: OnceLock<Vec<Variant>> = OnceLock::new();
    TABLE.get_or_init(|| {
        PACKED
            .split('\u{1e}')
            .map(|record| {
                let mut fields = record.split('\u{1f}');
                let form = fields.next().unwrap_or_default();
                let canonical = fields.next().unwrap_or_default();
                let mut list = || -> Vec<&'static str> {
                    match fields.next().unwrap_or_default() {
                        "" => Vec::new(),
                        items => items.split('\u{1d}').collect(),
                    }
                };
                Variant {
                    form,
                    canonical,
                    only_before: list(),
                    only_after: list(),
                    not_before: list(),
                    not_after: list(),
                }
            })
            .collect()
    })
}

impl Variant {
    /// Whether the form found at `text[start..end]` stands for its
    /// canonical text here.
    fn fits(&self, text: &str, start: usize, end: usize) -> bool {
        let (before, after) = (&text[..start], &text[end..]);
        // ASCII forms are whole tokens: kao is no form inside kaolin.
        let glued = |a: Option<char>, b: Option<char>| matches!((a, b), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric());
        if glued(before.chars().next_back(), self.form.chars().next())
            || glued(self.form.chars().next_back(), after.chars().next())
        {
            return false;
        }
        if self.not_before.iter().any(|w| after.starts_with(w))
            || self.not_after.iter().any(|w| before.ends_with(w))
        {
            return false;
        }
        (self.only_before.is_empty() && self.only_after.is_empty())
            || self.only_before.iter().any(|w| after.starts_with(w))
            || self.only_after.iter().any(|w| before.ends_with(w))
    }
}

/// All forms in one leftmost-longest automaton, and which characters start
/// a form; built on first use.
struct Forms {
    ac: CharwiseDoubleArrayAhoCorasick<u32>,
    /// One bit per BMP character: does a form start with it?
    starts: Vec<u64>,
    /// The forms' first characters beyond the BMP (emoji).
    starts_astral: Vec<char>,
    /// The longest form, in bytes.
    longest: usize,
    /// One bit per hash of a form's first two characters ([`pair`]), and
    /// whether some form is a single character (then the first decides).
    pairs: Vec<u64>,
    singles: Vec<char>,
}

/// A hash of two characters into 16 bits, for [`Forms::pairs`].
fn pair(a: char, b: char) -> usize {
    ((u32::from(a) << 7 ^ u32::from(b)).wrapping_mul(0x9E37_79B1) >> 16) as usize
}

impl Forms {
    fn starts_form(&self, c: char) -> bool {
        match self.starts.get(c as usize / 64) {
            Some(slot) => slot & (1 << (c as usize % 64)) != 0,
            None => self.starts_astral.contains(&c),
        }
    }

    /// Whether a form starting with `c` may have `next` second (false only
    /// when none does).
    fn second_fits(&self, c: char, next: Option<char>) -> bool {
        next.is_some_and(|n| {
            let h = pair(c, n);
            self.pairs[h / 64] & (1 << (h % 64)) != 0
        }) || self.singles.contains(&c)
    }
}

fn forms() -> &'static Forms {
    static FORMS: OnceLock<Forms> = OnceLock::new();
    FORMS.get_or_init(|| {
        let ac = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(table().iter().map(|v| v.form).zip(0u32..))
            .expect("the variant table compiles");
        let mut starts = vec![0u64; 0x10000 / 64];
        let mut starts_astral = Vec::new();
        for c in table().iter().filter_map(|v| v.form.chars().next()) {
            match starts.get_mut(c as usize / 64) {
                Some(slot) => *slot |= 1 << (c as usize % 64),
                None => starts_astral.push(c),
            }
        }
        let longest = table().iter().map(|v| v.form.len()).max().unwrap_or(0);
        let mut pairs = vec![0u64; 0x10000 / 64];
        let mut singles = Vec::new();
        for v in table() {
            let mut chars = v.form.chars();
            match (chars.next(), chars.next()) {
                (Some(a), Some(b)) => pairs[pair(a, b) / 64] |= 1 << (pair(a, b) % 64),
                (Some(a), None) => singles.push(a),
                _ => {}
            }
        }
        Forms {
            ac,
            starts,
            starts_astral,
            longest,
            pairs,
            singles,
        }
    })
}

/// The variant forms found in `text` as (start, end, table index): the
/// matches of the leftmost-longest scan over the whole text, in order.
///
/// Most characters start no form, and testing a bit is several times cheaper
/// than an automaton step, so the automaton runs only from characters that
/// start one and are followed by a character that may come second in a form
/// starting with them (a hashed bit set of first-two-character pairs: `1`
/// and `m` start forms, but `13…` and `summer`'s `me` start none), over a
/// window of the longest form: a form starting there ends
/// inside it, so the window's leftmost-longest match, if it starts there,
/// is the one a scan of the whole text finds (no form starts earlier: every
/// earlier character was tested). A match found later in the window is left
/// for its own start. After a match, the search goes on from its end, as
/// the whole-text scan does (whether or not the form fits there).
fn matches(text: &str, mut each: impl FnMut(usize, usize, usize)) {
    let forms = forms();
    // The wasm scans the whole text: the filter's code is 0.3 KB gzipped of
    // a tight budget there, for a gain of about 1 % of a check.
    if cfg!(target_arch = "wasm32") {
        for m in forms.ac.leftmost_find_iter(text) {
            each(m.start(), m.end(), m.value() as usize);
        }
        return;
    }
    let mut pos = 0;
    'scan: while pos < text.len() {
        for (q, c) in text[pos..].char_indices() {
            if !forms.starts_form(c) {
                continue;
            }
            let p = pos + q;
            if !forms.second_fits(c, text[p + c.len_utf8()..].chars().next()) {
                continue;
            }
            let mut end = (p + forms.longest).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            if let Some(m) = forms.ac.leftmost_find_iter(&text[p..end]).next()
                && m.start() == 0
            {
                each(p, p + m.end(), m.value() as usize);
                pos = p + m.end();
                continue 'scan;
            }
        }
        break;
    }
}

/// The forms of the table with their indices, for the check's automaton:
/// it finds every occurrence of every form in the same scan as the rules'
/// words, so that this module's own scan runs only on a draft where one
/// fits ([`fits`]).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn forms_with_index() -> impl Iterator<Item = (&'static str, usize)> {
    table().iter().map(|v| v.form).zip(0..)
}

/// The canonical text of a variant whose form is `folded` and counts
/// anywhere (no `only_before` or `only_after`).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn context_free_canonical(folded: &str) -> Option<&'static str> {
    table()
        .iter()
        .find(|v| v.form == folded && v.only_before.is_empty() && v.only_after.is_empty())
        .map(|v| v.canonical)
}

/// Whether form `index`, found at `text[start..end]`, stands for its
/// canonical text there. [`apply`] replaces only matches that fit, and its
/// matches are occurrences of forms: where no occurrence fits, it replaces
/// nothing, and a text whose every occurrence was tested needs no scan.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn fits(text: &str, start: usize, end: usize, index: usize) -> bool {
    table()[index].fits(text, start, end)
}

/// `norm`'s text with every fitting variant replaced, its spans in
/// characters of `norm`'s text; `None` when nothing was replaced (nearly
/// always), so the common case costs one automaton scan and nothing else.
pub(crate) fn apply(norm: &Normalized) -> Option<Normalized> {
    let text = norm.as_str();
    let mut pieces: Option<Vec<(char, (usize, usize))>> = None;
    // Bytes of `text` before `last` are in `pieces`, as `k` characters.
    let (mut last, mut k) = (0, 0);
    matches(text, |start, end, value| {
        let v = &table()[value];
        if !v.fits(text, start, end) {
            return;
        }
        let out = pieces.get_or_insert_with(Vec::new);
        for c in text[last..start].chars() {
            out.push((c, (k, k + 1)));
            k += 1;
        }
        let n = text[start..end].chars().count();
        out.extend(v.canonical.chars().map(|c| (c, (k, k + n))));
        (last, k) = (end, k + n);
    });
    let mut out = pieces?;
    for c in text[last..].chars() {
        out.push((c, (k, k + 1)));
        k += 1;
    }
    Some(Normalized::from_spans(out, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matches of [`matches`] (the automaton run only from characters
    /// that start a form) are those of one leftmost-longest scan over the
    /// whole text, on texts dense with forms, their pieces and look-alikes.
    #[test]
    fn windowed_matches_are_the_whole_text_scan() {
        let mut units: Vec<&str> = table().iter().map(|v| v.form).collect();
        units.extend([
            "包", "过", "b", "a", "o", "g", "u", " ", "。", "考", "试", "🐴", "x", "1", "0", "%",
        ]);
        let mut random = crate::random_text::RandomText::new(11);
        for len in [0, 1, 2, 5, 20, 80] {
            for _ in 0..300 {
                let s = random.text(&units, len);
                let want: Vec<(usize, usize, usize)> = forms()
                    .ac
                    .leftmost_find_iter(&s)
                    .map(|m| (m.start(), m.end(), m.value() as usize))
                    .collect();
                let mut got = Vec::new();
                matches(&s, |a, b, v| got.push((a, b, v)));
                assert_eq!(got, want, "{s:?}");
            }
        }
    }
}
