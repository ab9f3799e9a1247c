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
    only_before: &'static [&'static str],
    only_after: &'static [&'static str],
    not_before: &'static [&'static str],
    not_after: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/variants_table.rs"));

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

/// All forms in one leftmost-longest automaton, built on first use.
fn automaton() -> &'static CharwiseDoubleArrayAhoCorasick<u32> {
    static AC: OnceLock<CharwiseDoubleArrayAhoCorasick<u32>> = OnceLock::new();
    AC.get_or_init(|| {
        CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(TABLE.iter().map(|v| v.form).zip(0u32..))
            .expect("the variant table compiles")
    })
}

/// `norm`'s text with every fitting variant replaced, its spans in
/// characters of `norm`'s text; `None` when nothing was replaced (nearly
/// always), so the common case costs one automaton scan and nothing else.
pub(crate) fn apply(norm: &Normalized) -> Option<Normalized> {
    let text = norm.as_str();
    let mut pieces: Option<Vec<(char, (usize, usize))>> = None;
    // Bytes of `text` before `last` are in `pieces`, as `k` characters.
    let (mut last, mut k) = (0, 0);
    for m in automaton().leftmost_find_iter(text) {
        let v = &TABLE[m.value() as usize];
        if !v.fits(text, m.start(), m.end()) {
            continue;
        }
        let out = pieces.get_or_insert_with(Vec::new);
        for c in text[last..m.start()].chars() {
            out.push((c, (k, k + 1)));
            k += 1;
        }
        let n = text[m.start()..m.end()].chars().count();
        out.extend(v.canonical.chars().map(|c| (c, (k, k + n))));
        (last, k) = (m.end(), k + n);
    }
    let mut out = pieces?;
    for c in text[last..].chars() {
        out.push((c, (k, k + 1)));
        k += 1;
    }
    Some(Normalized::from_spans(out, k))
}
