//! The compiled form of a rule set and the raw hits it finds.
//!
//! One Aho-Corasick automaton holds every word, every pattern anchor and every
//! allow phrase (global and per rule), so one pass over the normalised text
//! finds all of them. We iterate *overlapping* matches: a hit of one rule must
//! never hide a hit of another, and an allow phrase must be seen even when a
//! flagged word starts inside it. A pattern is only tried where one of its
//! anchors occurs, anchored there (regex-lite is a slow engine; anchored runs
//! over a short slice keep it off the hot path); validators run once per kind.

use crate::model::Context;
use crate::normalize::{Normalized, normalize};
use crate::rules::{Matcher, Rule, Validator};
use crate::validators;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// How far (bytes of normalised text) from its anchor a pattern match may reach.
const MAX_MATCH: usize = 150;

#[derive(Clone, Copy, Debug)]
enum Target {
    Word(usize),
    Anchor(usize),
    AllowGlobal,
    AllowRule(usize),
}

/// One raw hit of one rule, as a byte range of the normalised text.
#[derive(Clone, Debug)]
pub(crate) struct RawHit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    /// Masked value, for validator hits.
    pub masked: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    ac: Option<AhoCorasick>,
    targets: Vec<Vec<Target>>,
    regexes: Vec<Option<regex_lite::Regex>>,
    has_rule_allow: Vec<bool>,
    /// Per rule: one bit per context it applies in (cheaper than a Vec scan
    /// for every word hit).
    ctx_mask: Vec<u8>,
    /// Per rule: a small number equal for rules of the same clause, so
    /// merging sorts integers rather than strings.
    pub clause_key: Vec<u32>,
}

fn ctx_bit(c: Context) -> u8 {
    1 << (c as u8)
}

/// Allow-phrase intervals sorted by start with a running maximum of ends, so
/// "does a hit starting at `s` start inside one of them?" is a binary search.
///
/// A hit is allowed when it *starts* inside an allow phrase, not only when it
/// lies entirely within one: `不保证` then covers `保证提分` in 我们不保证提分, and
/// `最近` still covers the `最` in it.
struct Cover {
    starts: Vec<usize>,
    max_end: Vec<usize>,
}

impl Cover {
    fn new(mut v: Vec<(usize, usize)>) -> Cover {
        v.sort_unstable();
        let mut max = 0;
        let max_end = v
            .iter()
            .map(|&(_, e)| {
                max = max.max(e);
                max
            })
            .collect();
        Cover {
            starts: v.into_iter().map(|(s, _)| s).collect(),
            max_end,
        }
    }

    fn covers_start(&self, s: usize) -> bool {
        let n = self.starts.partition_point(|&x| x <= s);
        n > 0 && self.max_end[n - 1] > s
    }
}

impl Compiled {
    /// Builds the automaton. Rules are assumed validated (regexes compile).
    pub fn new(rules: &[Rule], global_allow: &[String]) -> Compiled {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut add = |w: &str, t: Target| {
            let w = normalize(w);
            if w.is_empty() {
                return;
            }
            let i = *index.entry(w.clone()).or_insert_with(|| {
                patterns.push(w);
                targets.push(Vec::new());
                targets.len() - 1
            });
            if !targets[i].iter().any(|x| same(x, &t)) {
                targets[i].push(t);
            }
        };
        for w in global_allow {
            add(w, Target::AllowGlobal);
        }
        let mut regexes = Vec::with_capacity(rules.len());
        for (r, rule) in rules.iter().enumerate() {
            for w in &rule.allow {
                add(w, Target::AllowRule(r));
            }
            match &rule.matcher {
                Matcher::Words { words } => {
                    for w in words {
                        add(w, Target::Word(r));
                    }
                    regexes.push(None);
                }
                Matcher::Pattern { pattern, anchors } => {
                    for w in anchors {
                        add(w, Target::Anchor(r));
                    }
                    regexes.push(regex_lite::Regex::new(&format!("^(?:{pattern})")).ok());
                }
                Matcher::Validator { .. } => regexes.push(None),
            }
        }
        let ac = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .expect("aho-corasick build")
        });
        let mut clauses: Vec<&str> = rules.iter().map(|r| r.clause.as_str()).collect();
        clauses.sort_unstable();
        clauses.dedup();
        Compiled {
            ac,
            targets,
            regexes,
            has_rule_allow: rules.iter().map(|r| !r.allow.is_empty()).collect(),
            ctx_mask: rules
                .iter()
                .map(|r| r.contexts.iter().fold(0, |m, &c| m | ctx_bit(c)))
                .collect(),
            clause_key: rules
                .iter()
                .map(|r| clauses.binary_search(&r.clause.as_str()).unwrap_or(0) as u32)
                .collect(),
        }
    }

    /// Every hit of every rule applying in `context`, allow-lists applied.
    pub fn hits(&self, rules: &[Rule], norm: &Normalized, context: Context) -> Vec<RawHit> {
        let text = norm.as_str();
        let mut hits = Vec::new();
        let mut global_allow = Vec::new();
        let mut rule_allow: Vec<(usize, usize, usize)> = Vec::new();
        let mut anchors: Vec<(usize, usize, usize)> = Vec::new();
        let bit = ctx_bit(context);
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(text) {
                for &t in &self.targets[m.pattern().as_usize()] {
                    match t {
                        Target::Word(r) if self.ctx_mask[r] & bit != 0 => hits.push(RawHit {
                            rule: r,
                            start: m.start(),
                            end: m.end(),
                            masked: None,
                        }),
                        Target::Anchor(r) if self.ctx_mask[r] & bit != 0 => {
                            anchors.push((r, m.start(), m.end()))
                        }
                        Target::AllowGlobal => global_allow.push((m.start(), m.end())),
                        Target::AllowRule(r) => rule_allow.push((r, m.start(), m.end())),
                        _ => {}
                    }
                }
            }
        }
        self.pattern_hits(text, anchors, &mut hits);
        let mut by_kind: Vec<(Validator, Vec<validators::Hit>)> = Vec::new();
        let mut runs: Option<Vec<(usize, usize)>> = None;
        for (r, rule) in rules.iter().enumerate() {
            if let Matcher::Validator { validator } = rule.matcher {
                if !rule.applies(context) {
                    continue;
                }
                if !by_kind.iter().any(|(v, _)| *v == validator) {
                    let runs = runs.get_or_insert_with(|| validators::long_digit_runs(text));
                    by_kind.push((validator, validators::find_in(validator, text, runs)));
                }
                let found = &by_kind.iter().find(|(v, _)| *v == validator).unwrap().1;
                hits.extend(found.iter().map(|h| RawHit {
                    rule: r,
                    start: h.start,
                    end: h.end,
                    masked: Some(h.masked.clone()),
                }));
            }
        }
        if !global_allow.is_empty() {
            let cover = Cover::new(global_allow);
            hits.retain(|h| !cover.covers_start(h.start));
        }
        if !rule_allow.is_empty() {
            rule_allow.sort_unstable();
            let mut covers: HashMap<usize, Cover> = HashMap::new();
            for chunk in rule_allow.chunk_by(|a, b| a.0 == b.0) {
                let v = chunk.iter().map(|&(_, s, e)| (s, e)).collect();
                covers.insert(chunk[0].0, Cover::new(v));
            }
            hits.retain(|h| {
                !self.has_rule_allow[h.rule]
                    || !covers.get(&h.rule).is_some_and(|c| c.covers_start(h.start))
            });
        }
        hits
    }

    fn pattern_hits(
        &self,
        text: &str,
        mut anchors: Vec<(usize, usize, usize)>,
        hits: &mut Vec<RawHit>,
    ) {
        if anchors.is_empty() {
            return;
        }
        anchors.sort_unstable();
        anchors.dedup_by_key(|a| (a.0, a.1));
        let mut covered = (usize::MAX, 0); // (rule, end of its last match)
        for &(r, s, _) in &anchors {
            if covered.0 == r && s < covered.1 {
                continue; // inside a match already found for this rule
            }
            let Some(re) = &self.regexes[r] else { continue };
            let end = ceil_boundary(text, (s + MAX_MATCH).min(text.len()));
            if let Some(m) = re.find(&text[s..end])
                && m.end() > 0
            {
                hits.push(RawHit {
                    rule: r,
                    start: s,
                    end: s + m.end(),
                    masked: None,
                });
                covered = (r, s + m.end());
            }
        }
    }
}

fn same(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Word(x), Target::Word(y))
        | (Target::Anchor(x), Target::Anchor(y))
        | (Target::AllowRule(x), Target::AllowRule(y)) => x == y,
        (Target::AllowGlobal, Target::AllowGlobal) => true,
        _ => false,
    }
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}
