//! From raw hits to the findings staff see: spans mapped back to the original
//! text, overlapping (or touching) hits of one clause merged into one finding
//! carrying the most severe rule, everything in text order.

use crate::matcher::RawHit;
use crate::model::{Finding, Report, Verdict};
use crate::normalize::Normalized;
use crate::rules::Rule;

struct Span {
    rule: usize,
    start: usize,
    end: usize,
    masked: Option<String>,
    /// The representative hit's own span, to know whether the replacement fits.
    own: (usize, usize),
}

pub(crate) fn build(
    rules: &[Rule],
    clause_key: &[u32],
    original: &str,
    norm: &Normalized,
    hits: Vec<RawHit>,
) -> Report {
    let mut spans: Vec<Span> = hits
        .into_iter()
        .map(|h| {
            let (start, end) = norm.original_span(h.start, h.end);
            Span {
                rule: h.rule,
                start,
                end,
                masked: h.masked,
                own: (start, end),
            }
        })
        .collect();
    spans.sort_unstable_by_key(|s| (clause_key[s.rule], s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(m) if clause_key[m.rule] == clause_key[s.rule] && s.start <= m.end => {
                m.end = m.end.max(s.end);
                if rules[s.rule].severity > rules[m.rule].severity {
                    m.rule = s.rule;
                    m.masked = s.masked;
                    m.own = s.own;
                }
            }
            _ => merged.push(s),
        }
    }
    merged.sort_unstable_by_key(|m| (m.start, m.end, m.rule));
    let bytes = byte_offsets(original, &merged);
    let byte = |c: usize| bytes[bytes.partition_point(|&(ci, _)| ci < c)].1;
    let findings: Vec<Finding> = merged
        .into_iter()
        .map(|m| {
            let rule = &rules[m.rule];
            let replacement = if m.own == (m.start, m.end) {
                rule.replacement
                    .as_ref()
                    .map(|r| r.replace("{masked}", m.masked.as_deref().unwrap_or("")))
            } else {
                None
            };
            Finding {
                rule: rule.id.clone(),
                clause: rule.clause.clone(),
                severity: rule.severity,
                message: rule.message.clone(),
                suggestion: rule.suggestion.clone(),
                replacement,
                start: m.start,
                end: m.end,
                text: original[byte(m.start)..byte(m.end)].to_string(),
            }
        })
        .collect();
    Report {
        verdict: Verdict::from_severities(findings.iter().map(|f| f.severity)),
        findings,
    }
}

/// (char index, byte offset) for every start and end in `spans`, sorted, found
/// in one walk over the text (no per-finding rescans on huge drafts).
fn byte_offsets(text: &str, spans: &[Span]) -> Vec<(usize, usize)> {
    let mut want: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    want.sort_unstable();
    want.dedup();
    let mut out = Vec::with_capacity(want.len());
    let mut w = want.into_iter().peekable();
    for (ci, (bi, _)) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .enumerate()
    {
        while w.peek() == Some(&ci) {
            out.push((ci, bi));
            w.next();
        }
        if w.peek().is_none() {
            break;
        }
    }
    out
}
