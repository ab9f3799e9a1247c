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
    /// A stance of its rule's `unless` elsewhere in the draft (`RawHit::beside`).
    beside: bool,
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

/// `hits` (found in `norm`) with their spans in the original text, for
/// [`build`].
pub(crate) fn in_original(norm: &Normalized, hits: Vec<RawHit>) -> Vec<(RawHit, (usize, usize))> {
    let mut ranges = crate::pool::take();
    ranges.extend(hits.iter().map(|h| (h.start, h.end)));
    let mapped = norm.original_spans(&ranges);
    crate::pool::give(ranges);
    let out = hits.into_iter().zip(mapped.iter().copied()).collect();
    crate::pool::give(mapped);
    out
}

/// The report, and the indices of its `block` findings with a stance of their
/// rule's `unless` elsewhere in the draft (for [`add_second_opinion`]; most
/// drafts have none, and then nothing is allocated). `hits` come with their
/// spans in the original ([`in_original`]), the second reading's among
/// them (`second_reading.rs`), merged like any hits of their clause.
pub(crate) fn build(
    rules: &[Rule],
    clause_key: &[u32],
    original: &str,
    hits: Vec<(RawHit, (usize, usize))>,
) -> (Report, Vec<usize>) {
    // Only a `block` hit is ever lowered: most drafts have none, and then the
    // draft is not scanned for quotation marks at all.
    let quoted = if hits
        .iter()
        .any(|(h, _)| rules[h.rule].severity == Severity::Block)
    {
        crate::quotes::quoted_ranges(original)
    } else {
        Vec::new()
    };
    let mut spans: Vec<Span> = hits
        .into_iter()
        .map(|(h, (start, end))| Span {
            rule: h.rule,
            start,
            end,
            masked: h.masked,
            soft: h.soft,
            quoted: crate::quotes::inside(&quoted, start, end),
            beside: h.beside,
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
                    m.beside = s.beside;
                    m.own = s.own;
                }
            }
            _ => merged.push(s),
        }
    }
    merged.sort_unstable_by_key(|m| (m.start, m.end, m.rule));
    let bytes = byte_offsets(
        original,
        merged.iter().flat_map(|s| [s.start, s.end]).collect(),
    );
    let byte = |c: usize| bytes[bytes.partition_point(|&(ci, _)| ci < c)].1;
    let mut beside = Vec::new();
    for (i, m) in merged.iter().enumerate() {
        if m.beside && m.severity(rules) == Severity::Block {
            beside.push(i);
        }
    }
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
    let report = Report {
        verdict: Verdict::from_severities(findings.iter().map(|f| f.severity)),
        findings,
    };
    (report, beside)
}

/// (char index, byte offset) for every character index in `want`, sorted, found
/// in one walk over the text (no per-finding rescans on huge drafts). The walk
/// counts character starts (bytes that are not UTF-8 continuation bytes) and
/// skips whole blocks that end before the next wanted index.
pub(crate) fn byte_offsets(text: &str, mut want: Vec<usize>) -> Vec<(usize, usize)> {
    const BLOCK: usize = 64;
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

/// Below this probability of a clause, for the whole draft and for the
/// finding's sentences alone (see [`lower_doubted`]), the learned model
/// *doubts* a `block` finding of that clause: the finding is reported at
/// `revise`, with [`DOUBTED_NOTE`]. A `block` is for what is certainly a
/// violation; blind drafts kept blocking warnings no stance cue foresaw
/// (这其实有赌博性质，请大家多留意, 赌博害人！……别碰, a lesson on 孤注一掷)
/// and ordinary notices that happened to contain a secret-money word. First
/// set at 0.2 on three blind batches, each scored with the rules and model of
/// the day it was first opened (so the model had not seen it). Raised to 0.35
/// when the model had doubled in size: on the sixteen blind batches moved to
/// development since batch 53 (7,680 drafts, each with its first opening's
/// rules and model), 0.2 left 11 of their 3,618 clean drafts blocked, 0.3
/// left 7, 0.35 to 0.5 left 4 (a refusal, a denial, a warning and a staff
/// number in words); of their 1,202 blocked violations 0.35 lowers 32 more to
/// revise (24 of them had been blocked only under clauses the drafts did not
/// break) and 0.5 lowers 65 more (figures in DESIGN.md). The model never
/// lowers anything below `revise`, and never touches another severity.
pub(crate) const DOUBT: f32 = 0.35;

/// The bar of [`DOUBT`] for a `block` finding whose rule names in `unless` a
/// stance that stands elsewhere in the draft, outside the finding's sentence
/// ([`crate::stance::Stance::counts_elsewhere`]): a warning, a report or a
/// consent with a sentence of its own. Stance reads one sentence, and blind
/// drafts kept putting the warning after the full stop (这个我们绝对不会做，
/// 已经报给公司法务了。……我们会配合报警; a lesson on the law of exam cheating
/// whose 入刑 ends the sentence before the offences it lists). Alone, such a
/// cue says little (千万别跟其他家长说 is a warning cue in a leak, 据说 a
/// report cue in a rumour), so it only raises the model's bar. Chosen on the
/// twenty-two blind batches moved to development since batch 53, each with
/// its first opening's rules and model (10,560 drafts): at [`DOUBT`] 15 of
/// their 4,979 clean drafts blocked and 1,637 violations; lowering outright
/// when such a cue stands in the next or previous sentence, 11 and 1,635;
/// anywhere in the draft, 8 and 1,635; at this bar, anywhere, 9 and 1,636
/// (0.5 left 12, 0.6 11, 0.9 as 0.7). On development as it stands (rules and
/// model trained on it) lowering outright cost five and seven blocked
/// violations (the leaks that ask for secrecy, a rumour with 据说) for one
/// and two clean drafts; this bar none for one (figures in DESIGN.md).
pub(crate) const DOUBT_BESIDE: f32 = 0.7;

/// No doubt below this many characters of folded text: on a few words
/// (网赌, 赌博平台推荐) the model's probability is little more than its
/// clause's bias, and it read those two as unlikely violations of 3.3.1. In
/// the eight blind batches checked as first opened (DESIGN.md), no draft it
/// rightly doubted was shorter than 40 characters.
pub(crate) const DOUBT_MIN_CHARS: usize = 20;

/// No opinion on a draft shorter than this many characters of folded text.
/// On one to three characters the model's probability is its clause's bias
/// and one n-gram's weight, not evidence: `x` alone drew 可能涉及三（二）1 at
/// 73 % in a public post, and 我, 老师 and 在吗 drew opinions in several
/// contexts (72 of 288 one- and two-character texts); the page checks as the
/// user types, so the first keystrokes showed them. With this floor none of
/// those texts has an opinion and no development draft's report changes. A
/// floor of six cost two development violations (下班了 别烦 and 嗯嗯 回头说,
/// rude replies of five characters); one of twenty, like the doubt's, 38.
pub(crate) const OPINION_MIN_CHARS: usize = 4;

/// Has `text` fewer than `chars` characters? Counts no further than that.
fn shorter_than(text: &str, chars: usize) -> bool {
    text.chars().nth(chars - 1).is_none()
}

/// Below this probability (for the draft and for the finding's sentences)
/// a finding of a `revise` rule is reported at `advice`: the model is all
/// but sure the draft does not break the clause. Chosen like [`DOUBT`], on
/// five blind batches each checked with the rules and model of the day it
/// was first opened: at 0.05, 4 of their 20 clean drafts at revise went to
/// advice and none of their 425 violations at revise did; 0.1 also lowered
/// 5 violations, 0.2 18 (figures in DESIGN.md).
pub(crate) const DOUBT_REVISE: f32 = 0.05;

/// Added to the message of a `revise` finding the learned model doubted.
const DOUBTED_REVISE_NOTE: &str = "（按过往草稿训练的统计模型几乎可以肯定这份草稿没有违反这一条，所以只作提醒：请确认这里是在提醒、报道、举例或说别的意思，而不是宣传或承诺。）";

/// Added to the message of a `block` finding the learned model doubted at
/// [`DOUBT_BESIDE`].
const DOUBTED_BESIDE_NOTE: &str = "（这份草稿别处有提醒、报道或“已获同意”一类的话，按过往草稿训练的统计模型也不能肯定这里违反了这一条，所以按“需修改”提示：如果是在提醒、报道或举例，请确认读者不会误解；如果是在宣传或提供，请按建议修改。）";

/// Below this probability of the model's [`crate::learned::HIT_LANE`] for
/// the sentences a `block` finding stands in, the finding is reported at
/// `revise` with [`HIT_DOUBTED_NOTE`], whatever the draft's clause lanes
/// said: the sentence reads like a mention (a warning, a refusal, a report)
/// rather than an offer. Applied after the other doubts, to what they left
/// at `block`, on drafts of [`DOUBT_MIN_CHARS`] or more, and only to the
/// findings of rules whose hits a sentence's tone clears
/// ([`Rule::reads_tone`]: a phone number in an ad is no mention whatever
/// the words around it). Chosen on development's first openings, each with
/// its first opening's rules and model and a lane trained on the other
/// development files (`cargo xtask first-openings --hit-lane`; 35 batches,
/// 7,796 clean drafts, 38 of them blocked, and 2,693 blocked violations):
/// 0.5 left 22 clean drafts blocked and lowered 23 violations; 0.6, 19 and
/// 43; 0.7, 17 and 71. A lowered violation is still found, at `revise`.
/// Raising [`DOUBT`] instead spared one clean draft for about thirteen
/// violations lowered (DESIGN.md, "The hit lane").
pub(crate) const HIT_DOUBT: f32 = 0.6;

/// Added to the message of a `block` finding the hit lane doubted.
const HIT_DOUBTED_NOTE: &str = "（按过往草稿训练的统计模型认为这句话更像是在提醒、拒绝或转述，而不是在宣传或提供，所以按“需修改”提示：请确认读者不会误解；如果是在宣传或提供，请按建议修改。）";

/// Added to the message of a `block` finding the learned model doubted.
const DOUBTED_NOTE: &str = "（按过往草稿训练的统计模型认为这份草稿不太像违反这一条，所以按“需修改”提示：如果是在提醒、报道或举例，请确认读者不会误解；如果是在宣传或提供，请按建议修改。）";

/// Adds the learned model's second opinion: first, `block` findings of a
/// clause the model finds unlikely lowered to `revise` ([`DOUBT`]; for the
/// findings `beside` lists, [`DOUBT_BESIDE`]), and
/// `revise` findings of a clause it finds very unlikely to `advice`
/// ([`DOUBT_REVISE`]); then its
/// opinions on clauses the rules did not find, at `advice` (so the verdict
/// never rises above advice because of them), in text order among the other
/// findings, also on a sentence a rule flagged under another clause.
pub(crate) fn add_second_opinion(
    report: &mut Report,
    beside: &[usize],
    rules: &[Rule],
    learned: &Learned,
    original: &str,
    norm: &Normalized,
    context: Context,
) {
    let folded = norm.as_str();
    let sentences = crate::learned::sentences(folded, &norm.ends().sentence);
    let reading = learned.read(folded, sentences, context);
    lower_doubted(report, beside, rules, learned, &reading, folded, norm);
    let findings = &report.findings;
    let opinions = if shorter_than(folded, OPINION_MIN_CHARS) {
        Vec::new()
    } else {
        reading.opinions(|c| findings.iter().any(|f| &*f.clause == c))
    };
    if opinions.is_empty() {
        report.verdict = Verdict::from_severities(report.findings.iter().map(|f| f.severity));
        return;
    }
    let spans = norm.original_spans(
        &opinions
            .iter()
            .map(|o| (o.start, o.end))
            .collect::<Vec<_>>(),
    );
    for (o, (start, end)) in opinions.iter().zip(spans) {
        // A sentence the rules flagged under one clause may break another
        // too (a competitor insulted with a false claim: 3.1.1 by rule, 3.2.1
        // by the model): the opinion is shown there as well. Suppressing it,
        // as the first version did, cost 1.4 points of development recall
        // (DESIGN.md, "Opinions on flagged sentences").
        let label = crate::clause_label(&o.clause).unwrap_or_else(|| o.clause.clone());
        let text: String = original.chars().skip(start).take(end - start).collect();
        report.findings.push(Finding {
            rule: Arc::from(OPINION_RULE),
            clause: Arc::from(o.clause.as_str()),
            severity: Severity::Advice,
            message: Arc::from(format!(
                "可能涉及{label}：这是按过往草稿训练的统计模型给出的提示（把握约 {}%），规则没有按这一条命中，不一定准确。",
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

/// Lowers every `block` finding whose clause the model finds unlikely
/// ([`DOUBT`], or [`DOUBT_BESIDE`] for the findings whose indices `beside`
/// lists, ascending) to `revise`, and every finding of a `revise` rule whose
/// clause it finds very unlikely ([`DOUBT_REVISE`]) to `advice`, judging
/// both on the whole draft and on the sentences the finding stands in, read
/// alone (in a long notice, one sentence's weight is diluted in the draft's
/// probability). A block lowered by quotation marks or by the first test is
/// not lowered again: nothing a `block` rule found goes below `revise`.
fn lower_doubted(
    report: &mut Report,
    beside: &[usize],
    rules: &[Rule],
    learned: &Learned,
    reading: &crate::learned::Reading,
    folded: &str,
    norm: &Normalized,
) {
    if shorter_than(folded, DOUBT_MIN_CHARS) {
        return;
    }
    let hit = learned.hit_lane();
    // The sentences as character ranges of the original, like the findings:
    // mapped only when some finding needs them (most checks have none).
    let mut spans: Option<Vec<(usize, usize)>> = None;
    let mut beside = beside;
    for (i, f) in report.findings.iter_mut().enumerate() {
        // `beside` is ascending, like `i`.
        let is_beside = match beside {
            [first, rest @ ..] if *first == i => {
                beside = rest;
                true
            }
            _ => false,
        };
        doubt_by_clause(
            f, is_beside, rules, learned, reading, folded, norm, &mut spans,
        );
        let Some(h) = hit.filter(|_| {
            f.severity == Severity::Block && rule_of(rules, f).is_some_and(Rule::reads_tone)
        }) else {
            continue;
        };
        let spans = spans.get_or_insert_with(|| norm.original_spans(&reading.sentences));
        let (first, last) = sentences_of_finding(spans, f);
        if first < last && reading.probability_of_sentences(folded, h, first, last - 1) < HIT_DOUBT
        {
            lower(f, Severity::Revise, HIT_DOUBTED_NOTE);
        }
    }
    if let Some(spans) = spans {
        crate::pool::give(spans);
    }
}

/// The rule that made finding `f` (none for the model's own opinions).
pub(crate) fn rule_of<'r>(rules: &'r [Rule], f: &Finding) -> Option<&'r Rule> {
    rules.iter().find(|r| *r.id == *f.rule)
}

/// Lowers finding `f` to `to`, its message followed by `note`, which says why.
fn lower(f: &mut Finding, to: Severity, note: &str) {
    f.severity = to;
    f.message = format!("{}{note}", f.message).into();
}

/// The sentences (`first..last`, indices of `spans`, the draft's sentences
/// as character ranges of the original) that finding `f` stands in: the
/// model's doubts read these, and so does the training of its hit lane
/// (`RuleSet::block_sentences`).
pub(crate) fn sentences_of_finding(spans: &[(usize, usize)], f: &Finding) -> (usize, usize) {
    let first = spans.partition_point(|&(_, end)| end <= f.start);
    let last = spans.partition_point(|&(start, _)| start < f.end);
    (first, last)
}

/// [`lower_doubted`]'s doubts by the clause lanes, for one finding.
#[allow(clippy::too_many_arguments)]
fn doubt_by_clause(
    f: &mut Finding,
    is_beside: bool,
    rules: &[Rule],
    learned: &Learned,
    reading: &crate::learned::Reading,
    folded: &str,
    norm: &Normalized,
    spans: &mut Option<Vec<(usize, usize)>>,
) {
    let (bar, lowered, note) = match f.severity {
        Severity::Block if is_beside => (DOUBT_BESIDE, Severity::Revise, DOUBTED_BESIDE_NOTE),
        Severity::Block => (DOUBT, Severity::Revise, DOUBTED_NOTE),
        Severity::Revise => (DOUBT_REVISE, Severity::Advice, DOUBTED_REVISE_NOTE),
        _ => return,
    };
    let Some(k) = learned.clause_index(&f.clause) else {
        return;
    };
    if reading.probability(k) >= bar {
        return;
    }
    // Only a `revise` rule's own finding: a block lowered to revise
    // (quoted) keeps its level.
    let own_revise = || rule_of(rules, f).is_some_and(|r| r.severity == Severity::Revise);
    if f.severity == Severity::Revise && !own_revise() {
        return;
    }
    let spans = spans.get_or_insert_with(|| norm.original_spans(&reading.sentences));
    let (first, last) = sentences_of_finding(spans, f);
    let local = match (first..last).is_empty() {
        true => 0.0,
        false => reading.probability_of_sentences(folded, k, first, last - 1),
    };
    if local < bar {
        lower(f, lowered, note);
    }
}
