//! Co-occurrence rules (`all = ["@考不上", "@退费"]`): one word of every
//! part in one sentence, in either order, optionally within a number of
//! characters.
//!
//! Why this construct: a promise is two ideas together, and staff word each
//! idea a dozen ways (考不上全额退费, 没考上退全款, 上不了岸全退 …). Listing the
//! combinations as words or regex alternatives grows as their product and
//! still misses the next one; two concepts and a distance grow as their sum.
//!
//! The words of every part come from the one automaton scan (`matcher`). For
//! each occurrence taken as the leftmost of a match, every other part takes
//! its first occurrence at or after it, so each candidate is the shortest
//! window starting there: O(occurrences × parts × log occurrences).

use crate::matcher::RawHit;
use crate::normalize::Normalized;
use crate::rules::{Matcher, Rule};

/// The longest match (bytes of normalised text, about 100 Han characters):
/// one sentence at most, and a bound on the work per occurrence.
const MAX_SPAN: usize = 300;

/// Does `start..end` cross a sentence end? `marks`: the draft's sentence
/// ends (`stance::Ends`, found once per draft and shared with the stance
/// checks and the learned model).
fn crosses_sentence_end(marks: &[(usize, usize)], start: usize, end: usize) -> bool {
    marks
        .get(marks.partition_point(|&(i, _)| i < start))
        .is_some_and(|&(i, _)| i < end)
}

/// `parts`: (rule, part, start, end) of every part word found, any order.
pub(crate) fn hits(
    rules: &[Rule],
    norm: &Normalized,
    parts: &mut [(usize, usize, usize, usize)],
    hits: &mut Vec<RawHit>,
) {
    if parts.is_empty() {
        return;
    }
    let text = norm.as_str();
    // Natively the words of rules with a part missing are gone already
    // ([`keep_complete`], before the allow phrases are looked up for them).
    parts.sort_unstable();
    for found in parts.chunk_by(|a, b| a.0 == b.0) {
        let rule = found[0].0;
        let Matcher::Near {
            parts: wanted,
            within,
            ..
        } = &rules[rule].matcher
        else {
            continue;
        };
        // Occurrences per part, in part order, each sorted by start: the
        // sort made them runs of `found`. Most rules have some part missing,
        // which the count of runs tells before anything is allocated.
        if found.chunk_by(|a, b| a.1 == b.1).count() != wanted.len() {
            continue;
        }
        let by_part: Vec<&[(usize, usize, usize, usize)]> =
            found.chunk_by(|a, b| a.1 == b.1).collect();
        let mut last = (usize::MAX, 0);
        for (p, occurrences) in by_part.iter().enumerate() {
            for &(_, _, start, first_end) in *occurrences {
                let (mut end, mut last_start) = (first_end, start);
                let complete = by_part.iter().enumerate().all(|(q, others)| {
                    if q == p {
                        return true;
                    }
                    let i = others.partition_point(|&(_, _, s, _)| s < start);
                    match others.get(i) {
                        Some(&(_, _, s, e)) => {
                            if e > end {
                                (end, last_start) = (e, s);
                            }
                            true
                        }
                        None => false,
                    }
                });
                if !complete
                    || (start, end) == last
                    || end - start > MAX_SPAN
                    || crosses_sentence_end(&norm.ends().sentence, start, end)
                {
                    continue;
                }
                if within.is_some_and(|n| text[start..end].chars().count() > n) {
                    continue;
                }
                last = (start, end);
                hits.push(RawHit {
                    rule,
                    start,
                    end,
                    masked: None,
                    soft: false,
                    beside: false,
                    near: Some((first_end, last_start)),
                });
            }
        }
    }
}

/// `parts` without the words of rules that have some part missing (most of
/// a draft's part words: a context part of common words, 班 or 考, beside a
/// rare one; and most of the allow lookups and the sort's work, hundreds of
/// four-field tuples). One bit per part per rule; a rule with more than 64
/// parts (none has) is kept, for the loop in [`hits`] to judge. The order of
/// what is kept is unchanged. Native only (eighth look in DESIGN.md): in the
/// wasm, +0.2 KB gzipped.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn keep_complete(rules: &[Rule], parts: &mut Vec<(usize, usize, usize, usize)>) {
    if parts.is_empty() {
        return;
    }
    let mut seen: Vec<u64> = crate::pool::take();
    seen.resize(rules.len(), 0);
    for &(rule, part, _, _) in parts.iter() {
        seen[rule] |= 1u64.checked_shl(part as u32).unwrap_or(0);
    }
    parts.retain(|&(rule, ..)| match &rules[rule].matcher {
        Matcher::Near { parts: wanted, .. } if wanted.len() <= 64 => {
            seen[rule] == u64::MAX >> (64 - wanted.len())
        }
        _ => true,
    });
    crate::pool::give(seen);
}
