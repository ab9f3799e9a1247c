//! From raw hits to the findings staff see: spans mapped back to the original
//! text, overlapping (or touching) hits of one clause merged into one finding
//! carrying the most severe rule, everything in text order.

use crate::learned::Learned;
use crate::matcher::RawHit;
use crate::model::{Context, Finding, Report, Severity, Verdict};
use crate::normalize::{Normalized, count_chars, is_char_start};
use crate::rules::Rule;
use std::sync::Arc;

struct Span {
    rule: usize,
    start: usize,
    end: usize,
    masked: Option<String>,
    /// Softened to advice by the sentence's stance (`Rule::soften`).
    soft: bool,
    /// Inside quotation marks: a `block` hit there is reported at `revise`
    /// (see the `quotes` module for why).
    quoted: bool,
    /// The representative hit's own span, to know whether the replacement fits.
    own: (usize, usize),
}

impl Span {
    fn severity(&self, rules: &[Rule]) -> Severity {
        match rules[self.rule].severity {
            _ if self.soft => Severity::Advice,
            Severity::Block if self.quoted => Severity::Revise,
            severity => severity,
        }
    }

    /// A `block` hit that quotation marks lowered to `revise`.
    fn lowered_by_quotes(&self, rules: &[Rule]) -> bool {
        self.quoted && !self.soft && rules[self.rule].severity == Severity::Block
    }
}

/// Added to the message of a `block` hit reported at `revise` because it is
/// in quotation marks.
const QUOTED_NOTE: &str = "（这个词在引号里，所以按“需修改”提示：如果是在引用、提醒或报道，请确认读者不会误解；如果是宣传用语，请删除。）";

pub(crate) fn build(
    rules: &[Rule],
    clause_key: &[u32],
    original: &str,
    norm: &Normalized,
    hits: Vec<RawHit>,
) -> Report {
    let ranges: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
    // Only a `block` hit is ever lowered: most drafts have none, and then the
    // draft is not scanned for quotation marks at all.
    let quoted = if hits
        .iter()
        .any(|h| rules[h.rule].severity == Severity::Block)
    {
        crate::quotes::quoted_ranges(original)
    } else {
        Vec::new()
    };
    let mut spans: Vec<Span> = hits
        .into_iter()
        .zip(norm.original_spans(&ranges))
        .map(|(h, (start, end))| Span {
            rule: h.rule,
            start,
            end,
            masked: h.masked,
            soft: h.soft,
            quoted: crate::quotes::inside(&quoted, start, end),
            own: (start, end),
        })
        .collect();
    spans.sort_unstable_by_key(|s| (clause_key[s.rule], s.start, std::cmp::Reverse(s.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(m) if clause_key[m.rule] == clause_key[s.rule] && s.start <= m.end => {
                m.end = m.end.max(s.end);
                if s.severity(rules) > m.severity(rules) {
                    m.rule = s.rule;
                    m.masked = s.masked;
                    m.soft = s.soft;
                    m.quoted = s.quoted;
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
                // Only validator hits carry a masked value, and only their
                // rules may use `{masked}` (the loader checks).
                rule.replacement.as_ref().map(|r| match &m.masked {
                    Some(masked) => r.replace("{masked}", masked).into(),
                    None => Arc::clone(r),
                })
            } else {
                None
            };
            let (message, suggestion) = match (m.soft, &rule.soft_message, &rule.soft_suggestion) {
                (true, Some(message), Some(suggestion)) => (message, suggestion),
                _ => (&rule.message, &rule.suggestion),
            };
            let message: Arc<str> = if m.lowered_by_quotes(rules) {
                format!("{message}{QUOTED_NOTE}").into()
            } else {
                Arc::clone(message)
            };
            Finding {
                rule: Arc::clone(&rule.id),
                clause: Arc::clone(&rule.clause),
                severity: m.severity(rules),
                message,
                suggestion: Arc::clone(suggestion),
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
/// in one walk over the text (no per-finding rescans on huge drafts). The walk
/// counts character starts (bytes that are not UTF-8 continuation bytes) and
/// skips whole blocks that end before the next wanted index.
fn byte_offsets(text: &str, spans: &[Span]) -> Vec<(usize, usize)> {
    const BLOCK: usize = 64;
    let mut want: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    want.sort_unstable();
    want.dedup();
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(want.len());
    // `count` characters start before byte `p`.
    let (mut p, mut count) = (0usize, 0usize);
    for w in want {
        while let Some(block) = b.get(p..p + BLOCK) {
            let starts = count_chars(block);
            if count + starts > w {
                break;
            }
            count += starts;
            p += BLOCK;
        }
        while p < b.len() {
            if is_char_start(b[p]) {
                if count == w {
                    break;
                }
                count += 1;
            }
            p += 1;
        }
        out.push((w, p));
    }
    out
}

use crate::learned::RULE_ID as OPINION_RULE;

/// Adds the learned model's opinions on clauses the rules did not find, at
/// `advice` (so the verdict never rises above advice because of them), in
/// text order among the other findings; none on a sentence a rule flagged.
pub(crate) fn add_opinions(
    report: &mut Report,
    learned: &Learned,
    original: &str,
    norm: &Normalized,
    context: Context,
) {
    let folded = norm.as_str();
    let sentences = crate::learned::sentences(folded, &norm.ends().sentence);
    let findings = &report.findings;
    let opinions = learned.opinions_in(folded, sentences, context, |c| {
        findings.iter().any(|f| &*f.clause == c)
    });
    if opinions.is_empty() {
        return;
    }
    let spans = norm.original_spans(
        &opinions
            .iter()
            .map(|o| (o.start, o.end))
            .collect::<Vec<_>>(),
    );
    for (o, (start, end)) in opinions.iter().zip(spans) {
        // A sentence the rules already flagged has the reader's attention;
        // a guess about another clause there is noise.
        if report
            .findings
            .iter()
            .any(|f| f.rule.as_ref() != OPINION_RULE && f.start < end && start < f.end)
        {
            continue;
        }
        let label = crate::clause_label(&o.clause).unwrap_or_else(|| o.clause.clone());
        let text: String = original.chars().skip(start).take(end - start).collect();
        report.findings.push(Finding {
            rule: Arc::from(OPINION_RULE),
            clause: Arc::from(o.clause.as_str()),
            severity: Severity::Advice,
            message: Arc::from(format!(
                "可能涉及{label}：这是按过往草稿训练的统计模型给出的提示（把握约 {}%），规则没有命中，不一定准确。",
                // An integer: float formatting would pull ~10 KB into the wasm.
                (o.probability * 100.0).round() as u32
            )),
            suggestion: Arc::from(format!("请对照{label}的原文自查这句话；确无问题可忽略本提示。")),
            replacement: None,
            start,
            end,
            text,
        });
    }
    report.findings.sort_by_key(|f| (f.start, f.end));
    report.verdict = Verdict::from_severities(report.findings.iter().map(|f| f.severity));
}
