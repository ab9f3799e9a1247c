//! The compiled form of a rule set and the raw hits it finds.
//!
//! One Aho-Corasick automaton holds every word, every pattern anchor and every
//! allow phrase (global and per rule), so one pass over the normalised text
//! finds all of them. We iterate *overlapping* matches: a hit of one rule must
//! never hide a hit of another, and an allow phrase must be seen even when a
//! flagged word starts inside it. A pattern is only tried where one of its
//! anchors occurs, anchored there (regex-lite is a slow engine; anchored runs
//! over a short slice keep it off the hot path); validators run once per kind.

use crate::branches;
use crate::model::{Context, Severity};
use crate::near;
use crate::normalize::{Normalized, normalize};
use crate::rules::{Matcher, Rule, Validator};
use crate::stance::{Cues, Stance, StanceCues, TopicPart};
use crate::told_reading::Told;
use crate::validators;
use daachorse::CharwiseDoubleArrayAhoCorasick;
use std::collections::HashMap;

/// How far (bytes of normalised text) from its anchor a pattern match may reach.
const MAX_MATCH: usize = 150;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Word(usize),
    /// A pattern rule's anchor, and the regex (index into `regexes`) of the
    /// rule's branches that can match where this anchor starts.
    Anchor {
        rule: usize,
        regex: usize,
    },
    AllowGlobal,
    AllowRule(usize),
    /// A word of part `part` of a co-occurrence (`all`) rule.
    Part {
        rule: usize,
        part: usize,
    },
    /// A stance cue word, or a word that contains one without carrying it,
    /// or a cue that counts after the hit ([`StanceCues::after`]).
    Cue(Stance),
    NotCue(Stance),
    CueAfter(Stance),
    /// Negation's topic marker, refusal after one, or word undoing that
    /// ([`StanceCues::topics`]).
    Topic(TopicPart),
    /// A variant spelling's form (index into the variants' table), found
    /// in the folded text before variants are replaced: see
    /// [`Compiled::variants_may_fit`].
    #[cfg(not(target_arch = "wasm32"))]
    Variant(usize),
    /// An instruction to read the draft otherwise (`told_reading::CUES`).
    Told(u8),
}

/// One raw hit of one rule, as a byte range of the normalised text.
#[derive(Clone, Debug)]
pub(crate) struct RawHit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    /// Masked value, for validator hits.
    pub masked: Option<String>,
    /// Softened to advice by the sentence's stance (see `Rule::soften`).
    pub soft: bool,
    /// A `block` rule's hit with a stance its rule names in `unless` standing
    /// elsewhere in the draft ([`Stance::counts_elsewhere`]): the learned
    /// model's doubt of it counts for more (`report::DOUBT_BESIDE`).
    pub beside: bool,
    /// A co-occurrence hit's first word's end and last word's start (a
    /// stance cue inside either is that word's own); `None` for other hits.
    pub near: Option<(usize, usize)>,
}

/// The automaton: a char-wise double-array Aho-Corasick (`daachorse`), its
/// values indices into `Compiled::targets`. Why not `aho_corasick`'s DFA: with
/// the concept and cue words its table grew to 9.3 MB (the scan then waits on
/// memory and building it was most of `new Checker`); the double array over
/// the same ~1,100 words is 259 KB and builds in a fraction of the time. See
/// DESIGN.md, "One automaton, smaller".
type Automaton = CharwiseDoubleArrayAhoCorasick<u32>;

#[derive(Clone)]
pub(crate) struct Compiled {
    ac: Option<Automaton>,
    targets: Vec<Vec<Target>>,
    /// Anchored regexes (`^(?:…)`) of pattern rules, whole or cut down to the
    /// branches an anchor selects (see `branches`).
    regexes: Vec<AnchoredRegex>,
    has_rule_allow: Vec<bool>,
    /// Per rule: one bit per context it applies in (cheaper than a Vec scan
    /// for every word hit).
    ctx_mask: Vec<u8>,
    /// Per rule: a small number equal for rules of the same clause, so
    /// merging sorts integers rather than strings.
    pub clause_key: Vec<u32>,
    /// The validator rules, `(rule, validator)` in rule order: looking for
    /// them among all the rules was a fixed cost of every short draft.
    validator_rules: Vec<(usize, Validator)>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The automaton has no `Debug`; how many words it holds says enough.
        f.debug_struct("Compiled")
            .field("words", &self.targets.len())
            .field("regexes", &self.regexes)
            .finish_non_exhaustive()
    }
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
    pub fn new(rules: &[Rule], global_allow: &[String], stances: &[StanceCues]) -> Compiled {
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
            if !targets[i].contains(&t) {
                targets[i].push(t);
            }
        };
        for w in global_allow {
            add(w, Target::AllowGlobal);
        }
        for cues in stances {
            for w in &cues.words {
                add(w, Target::Cue(cues.stance));
            }
            for w in &cues.except {
                add(w, Target::NotCue(cues.stance));
            }
            for w in &cues.after {
                add(w, Target::CueAfter(cues.stance));
            }
            for (words, part) in [
                (&cues.topics, TopicPart::Marker),
                (&cues.after_topic, TopicPart::Refusal),
                (&cues.topic_except, TopicPart::Undo),
            ] {
                for w in words {
                    add(w, Target::Topic(part));
                }
            }
        }
        for (words, kind) in crate::told_reading::CUES {
            for w in words.split(' ') {
                add(w, Target::Told(kind));
            }
        }
        let mut regexes = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for w in &rule.allow {
                add(w, Target::AllowRule(r));
            }
            match &rule.matcher {
                Matcher::Words { words } => {
                    for w in words {
                        add(w, Target::Word(r));
                    }
                }
                Matcher::Pattern { pattern, anchors } => {
                    for (w, regex) in anchored_regexes(pattern, anchors, &mut regexes) {
                        add(w, Target::Anchor { rule: r, regex });
                    }
                }
                Matcher::Validator { .. } => {}
                Matcher::Near { parts, .. } => {
                    for (part, words) in parts.iter().enumerate() {
                        for w in words {
                            add(w, Target::Part { rule: r, part });
                        }
                    }
                }
            }
        }
        // The variants' forms, as written (they are looked for in the folded
        // text before variants are replaced, so not normalised): one scan
        // finds them and the rules' words. Not in the wasm, which runs the
        // variants' own scan (the code is small, but the budget is tight).
        #[cfg(not(target_arch = "wasm32"))]
        for (form, v) in crate::variants::forms_with_index() {
            let i = *index.entry(form.to_string()).or_insert_with(|| {
                patterns.push(form.to_string());
                targets.push(Vec::new());
                targets.len() - 1
            });
            targets[i].push(Target::Variant(v));
        }
        let ac = (!patterns.is_empty()).then(|| {
            Automaton::with_values(patterns.iter().zip(0u32..))
                .expect("words are distinct and not empty")
        });
        let mut clauses: Vec<&str> = rules.iter().map(|r| &*r.clause).collect();
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
                .map(|r| clauses.binary_search(&&*r.clause).unwrap_or(0) as u32)
                .collect(),
            validator_rules: rules
                .iter()
                .enumerate()
                .filter_map(|(r, rule)| match rule.matcher {
                    Matcher::Validator { validator } => Some((r, validator)),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Every hit of every rule applying in `context`, allow-lists applied.
    pub fn hits(&self, rules: &[Rule], norm: &Normalized, context: Context) -> (Vec<RawHit>, Told) {
        let found = self.scan(norm.as_str());
        self.hits_in(rules, norm, context, found)
    }

    /// Every occurrence of every word of the automaton in `text`, as
    /// (word, start, end), ordered by end.
    pub fn scan(&self, text: &str) -> Vec<(usize, usize, usize)> {
        match &self.ac {
            Some(ac) => overlapping(ac, text),
            None => Vec::new(),
        }
    }

    /// Whether a variant spelling may be replaced in `text`, a folded text
    /// before variants ([`Normalized::folded`]) whose [`Compiled::scan`] is
    /// `found`: whether some occurrence of a form fits where it stands.
    /// When none does, the variants' own scan would replace nothing, so the
    /// text is final and `found` is its scan.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn variants_may_fit(&self, text: &str, found: &[(usize, usize, usize)]) -> bool {
        found.iter().any(|&(p, start, end)| {
            self.targets[p].iter().any(|t| match *t {
                Target::Variant(v) => crate::variants::fits(text, start, end, v),
                _ => false,
            })
        })
    }

    /// [`Compiled::hits`] of a text whose [`Compiled::scan`] is `found`.
    pub fn hits_in(
        &self,
        rules: &[Rule],
        norm: &Normalized,
        context: Context,
        found: Vec<(usize, usize, usize)>,
    ) -> (Vec<RawHit>, Told) {
        let text = norm.as_str();
        let mut hits = Vec::with_capacity(found.len() + 8);
        let mut told = Told::default();
        let mut global_allow = Vec::new();
        let mut rule_allow: Vec<(usize, usize, usize)> = Vec::new();
        // From the pool ([`crate::pool`]): on a harsh draft they grew a
        // dozen times a check.
        let mut anchors: Vec<(usize, usize, usize, usize)> = crate::pool::take();
        let mut parts: Vec<(usize, usize, usize, usize)> = crate::pool::take();
        let mut cues = Cues::default();
        let bit = ctx_bit(context);
        for &(p, start, end) in &found {
            for &t in &self.targets[p] {
                match t {
                    Target::Word(r) if self.ctx_mask[r] & bit != 0 => hits.push(RawHit {
                        rule: r,
                        start,
                        end,
                        masked: None,
                        soft: false,
                        beside: false,
                        near: None,
                    }),
                    Target::Anchor { rule, regex } if self.ctx_mask[rule] & bit != 0 => {
                        anchors.push((rule, start, end, regex))
                    }
                    Target::Part { rule, part } if self.ctx_mask[rule] & bit != 0 => {
                        parts.push((rule, part, start, end))
                    }
                    Target::Cue(stance) => cues.push(stance, start, end),
                    Target::NotCue(stance) => cues.push_except(stance, start, end),
                    Target::CueAfter(stance) => cues.push_after(stance, start, end),
                    Target::Topic(part) => cues.push_topic(part, start, end),
                    Target::AllowGlobal => global_allow.push((start, end)),
                    Target::AllowRule(r) => rule_allow.push((r, start, end)),
                    Target::Told(kind) => told.add(kind),
                    _ => {}
                }
            }
        }
        // Allow phrases are known before any regex runs, so an anchor that
        // starts inside one (保证 in 保证金) is never tried at all.
        let global = (!global_allow.is_empty()).then(|| Cover::new(global_allow));
        // By rule, in rule order (a binary search: no hashing per hit).
        rule_allow.sort_unstable();
        let covers: Vec<(usize, Cover)> = rule_allow
            .chunk_by(|a, b| a.0 == b.0)
            .map(|chunk| {
                let v = chunk.iter().map(|&(_, s, e)| (s, e)).collect();
                (chunk[0].0, Cover::new(v))
            })
            .collect();
        let allowed = |rule: usize, start: usize| {
            global.as_ref().is_some_and(|c| c.covers_start(start))
                || (self.has_rule_allow[rule]
                    && covers
                        .binary_search_by_key(&rule, |c| c.0)
                        .is_ok_and(|i| covers[i].1.covers_start(start)))
        };
        hits.retain(|h| !allowed(h.rule, h.start));
        anchors.retain(|a| !allowed(a.0, a.1));
        #[cfg(not(target_arch = "wasm32"))]
        near::keep_complete(rules, &mut parts);
        parts.retain(|p| !allowed(p.0, p.2));
        crate::pool::give(found);
        self.pattern_hits(text, &mut anchors, &mut hits);
        crate::pool::give(anchors);
        near::hits(rules, norm, &mut parts, &mut hits);
        crate::pool::give(parts);
        let mut by_kind: Vec<(Validator, Vec<validators::Hit>)> = Vec::new();
        let mut runs: Option<validators::Runs> = None;
        for &(r, validator) in &self.validator_rules {
            if self.ctx_mask[r] & bit == 0 {
                continue;
            }
            if !by_kind.iter().any(|(v, _)| *v == validator) {
                let runs = runs.get_or_insert_with(|| validators::Runs::new(text));
                by_kind.push((validator, validators::find_in(validator, text, runs)));
            }
            let found = &by_kind.iter().find(|(v, _)| *v == validator).unwrap().1;
            hits.extend(
                found
                    .iter()
                    .filter(|h| !allowed(r, h.start))
                    .map(|h| RawHit {
                        rule: r,
                        start: h.start,
                        end: h.end,
                        masked: Some(h.masked.clone()),
                        soft: false,
                        beside: false,
                        near: None,
                    }),
            );
        }
        cues.seal();
        apply_stances(rules, norm, context, &cues, &mut hits);
        (hits, told)
    }

    fn pattern_hits(
        &self,
        text: &str,
        anchors: &mut Vec<(usize, usize, usize, usize)>,
        hits: &mut Vec<RawHit>,
    ) {
        if anchors.is_empty() {
            return;
        }
        // Of a rule's anchors starting at one place, the shortest comes first
        // and is kept: the branches it selects include those of any longer
        // anchor there (which it is a prefix of).
        anchors.sort_unstable();
        anchors.dedup_by_key(|a| (a.0, a.1));
        let mut covered = (usize::MAX, 0); // (rule, end of its last match)
        for &(r, s, _, regex) in anchors.iter() {
            if covered.0 == r && s < covered.1 {
                continue; // inside a match already found for this rule
            }
            let re = &self.regexes[regex];
            let end = ceil_boundary(text, (s + MAX_MATCH).min(text.len()));
            if !re.may_match(&text[s..], end - s) {
                continue;
            }
            if let Some(m) = re.re.find(&text[s..end])
                && m.end() > 0
            {
                hits.push(RawHit {
                    rule: r,
                    start: s,
                    end: s + m.end(),
                    masked: None,
                    soft: false,
                    beside: false,
                    near: None,
                });
                covered = (r, s + m.end());
            }
        }
    }
}

/// Drops the hits whose sentence carries a stance their rule names in
/// `unless`, and marks as soft those with a stance in `soften`.
fn apply_stances(
    rules: &[Rule],
    norm: &Normalized,
    context: Context,
    cues: &Cues,
    hits: &mut Vec<RawHit>,
) {
    let text = norm.as_str();
    hits.retain_mut(|h| {
        let rule = &rules[h.rule];
        if rule.unless.is_empty() && rule.soften.is_empty() {
            return true;
        }
        // A co-occurrence is denied by a negation of either part: before its
        // last part (合同……不要存在微信收藏) or before its first, when the
        // parts stand in different clauses (没有任何“内部渠道”，报名请走官方入口).
        let holds = |s: &Stance| {
            cues.holds(text, || norm.ends(), *s, h.start, h.end, h.near)
                || (h.near.is_some()
                    && *s == Stance::Negation
                    && cues.holds(text, || norm.ends(), *s, h.start, h.end, None))
        };
        let counts =
            |s: &&Stance| **s != Stance::Question || !rule.question_not_in.contains(&context);
        if rule.unless.iter().filter(counts).any(holds) {
            return false;
        }
        // Someone else's data named in the sentence overrules the speaker's
        // and the listener's own (see `Stance::Others`).
        h.soft = rule
            .soften
            .iter()
            .any(|s| holds(s) && !(s.is_owner() && holds(&Stance::Others)));
        if rule.severity == Severity::Block
            && !h.soft
            && rule.unless.iter().any(|s| s.counts_elsewhere())
        {
            let (from, to) = norm.ends().sentence_around(h.start, h.end, text.len());
            h.beside = rule.unless.iter().any(|&s| cues.elsewhere(s, from, to));
        }
        true
    });
}

/// Every match of every pattern as (pattern, start, end), ordered by end
/// (all of them, overlapping: no rule hides another).
fn overlapping(ac: &Automaton, text: &str) -> Vec<(usize, usize, usize)> {
    // About one match per 16 bytes on the harshest drafts: reserving that
    // much up front saves the growth steps, which showed in profiles.
    let mut out = crate::pool::take();
    out.reserve(text.len() / 16);
    out.extend(
        ac.find_overlapping_iter(text)
            .map(|m| (m.value() as usize, m.start(), m.end())),
    );
    out
}

/// An anchored regex (`^(?:…)`) of some branches of a pattern, and what must
/// hold where it is tried for it to be worth running (see
/// [`branches::prefilter`]).
#[derive(Clone, Debug)]
struct AnchoredRegex {
    re: regex_lite::Regex,
    /// One per branch; `None` when some branch has none (always run).
    prefilter: Option<Vec<branches::Prefilter>>,
}

impl AnchoredRegex {
    /// False only when no branch can match at the start of `at` within
    /// `window` bytes.
    fn may_match(&self, at: &str, window: usize) -> bool {
        self.prefilter
            .as_ref()
            .is_none_or(|p| p.iter().any(|b| b.may_match(at, window)))
    }
}

/// Each anchor of a pattern rule with the index (in `regexes`, which this
/// extends) of the anchored regex of the branches that can match where it
/// starts. An anchor no branch can start with is left out; anchors selecting
/// the same branches share one regex.
fn anchored_regexes<'a>(
    pattern: &str,
    anchors: &'a [String],
    regexes: &mut Vec<AnchoredRegex>,
) -> Vec<(&'a str, usize)> {
    let compile =
        |branches: &[&str]| regex_lite::Regex::new(&format!("^(?:{})", branches.join("|")));
    let split = branches::split(pattern);
    let whole = split.is_none();
    let branches = split.unwrap_or_else(|| vec![pattern]);
    // (selected branches, regex): a handful per rule, so a list will do.
    let mut by_selection: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut out = Vec::new();
    for anchor in anchors {
        let folded = normalize(anchor);
        let selected: Vec<usize> = (0..branches.len())
            .filter(|&b| branches::can_start_with(branches[b], &folded))
            .collect();
        if selected.is_empty() {
            continue;
        }
        let regex = match by_selection.iter().find(|(b, _)| *b == selected) {
            Some(&(_, i)) => i,
            None => {
                let picked: Vec<&str> = selected.iter().map(|&b| branches[b]).collect();
                // Branches of a valid pattern compile; should one not, the
                // whole pattern is always right.
                let (re, prefilter) = match compile(&picked) {
                    Ok(re) if !whole => {
                        (re, picked.iter().map(|b| branches::prefilter(b)).collect())
                    }
                    _ => match compile(&[pattern]) {
                        Ok(re) => (re, None),
                        Err(_) => continue,
                    },
                };
                regexes.push(AnchoredRegex { re, prefilter });
                by_selection.push((selected, regexes.len() - 1));
                regexes.len() - 1
            }
        };
        out.push((anchor.as_str(), regex));
    }
    out
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At every place a pattern rule's anchor occurs, the regex cut down to
    /// the branches the anchor selects, run only where its prefilter allows,
    /// finds exactly what the whole pattern does (and nothing can match where
    /// an anchor was left out): over the
    /// handbook's rules, every example, every corpus draft, and each anchor
    /// glued to each example of its rule.
    #[test]
    fn branch_selection_matches_whole_pattern() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let read_dir = |d: &str| {
            let mut v: Vec<_> = std::fs::read_dir(format!("{root}/{d}"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            v.sort();
            v
        };
        let files: Vec<crate::SourceFile> = read_dir("book/rules")
            .iter()
            .map(|p| crate::SourceFile {
                name: p.display().to_string(),
                text: std::fs::read_to_string(p).unwrap(),
            })
            .collect();
        let settings = std::fs::read_to_string(format!("{root}/book/settings.toml")).unwrap();
        let settings = crate::parse_settings("book/settings.toml", &settings).unwrap();
        let set = crate::RuleSet::load_with(&files, &settings).unwrap();
        let mut texts: Vec<String> = Vec::new();
        for p in read_dir("tests/corpus") {
            let v: toml::Table = toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            for d in v["draft"].as_array().unwrap() {
                texts.push(d["text"].as_str().unwrap().to_string());
            }
        }
        for rule in set.rules() {
            texts.extend(
                rule.examples_flag
                    .iter()
                    .chain(&rule.examples_pass)
                    .cloned(),
            );
        }
        let (mut tried, mut skipped) = (0, 0);
        for rule in set.rules() {
            let Matcher::Pattern { pattern, anchors } = &rule.matcher else {
                continue;
            };
            let whole = regex_lite::Regex::new(&format!("^(?:{pattern})")).unwrap();
            let mut regexes = Vec::new();
            let selected: HashMap<String, usize> = anchored_regexes(pattern, anchors, &mut regexes)
                .into_iter()
                .map(|(a, i)| (normalize(a), i))
                .collect();
            let mut own = texts.clone();
            for a in anchors {
                own.extend(
                    rule.examples_flag
                        .iter()
                        .chain(&rule.examples_pass)
                        .map(|e| format!("{a}{e}")),
                );
            }
            for text in own.iter().map(|t| normalize(t)) {
                for a in anchors.iter().map(|a| normalize(a)) {
                    for (at, _) in text.match_indices(a.as_str()) {
                        let window =
                            &text[at..ceil_boundary(&text, (at + MAX_MATCH).min(text.len()))];
                        let want = whole.find(window).map(|m| m.end());
                        let worth = selected
                            .get(&a)
                            .filter(|&&i| regexes[i].may_match(&text[at..], window.len()));
                        skipped += usize::from(selected.contains_key(&a) && worth.is_none());
                        let got = worth
                            .and_then(|&i| regexes[i].re.find(window))
                            .map(|m| m.end());
                        assert_eq!(got, want, "rule {} anchor {a} in {text}", rule.id);
                        tried += 1;
                    }
                }
            }
        }
        assert!(tried > 1000, "only {tried} anchor occurrences tried");
        // The prefilter must spare real work, not only be harmless.
        assert!(
            skipped * 4 > tried,
            "prefilter skipped only {skipped} of {tried}"
        );
        eprintln!("anchor places: {tried}, regex spared by the prefilter: {skipped}");
    }

    /// Where no occurrence of a variant's form fits (as the check's one scan
    /// finds them, [`Compiled::variants_may_fit`]), the variants' own scan
    /// replaces nothing, so the check may keep the folded text and its scan:
    /// on random texts dense with forms, their pieces and neighbours.
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn no_fitting_form_means_no_variant_replaced() {
        let compiled = Compiled::new(&[], &[], &[]);
        let mut units: Vec<&str> = crate::variants::forms_with_index()
            .map(|(f, _)| f)
            .collect();
        units.extend([
            "包", "过", "b", "a", "o", "g", "u", "m", "s", " ", "。", "考", "试", "研", "🐴", "x",
            "1", "0", "%", "鸭", "代",
        ]);
        let mut random = crate::random_text::RandomText::new(17);
        let (mut fit, mut replaced) = (0, 0);
        for len in [0, 1, 2, 3, 5, 12, 40] {
            for _ in 0..400 {
                let s = random.text(&units, len);
                let norm = Normalized::folded(&s);
                let text = norm.as_str();
                let may = compiled.variants_may_fit(text, &compiled.scan(text));
                let applied = crate::variants::apply(&norm).is_some();
                assert!(may || !applied, "{s:?}");
                fit += usize::from(may);
                replaced += usize::from(applied);
            }
        }
        // Both sides of the test are exercised.
        assert!(
            replaced > 1000 && fit < 2400,
            "{fit} may fit, {replaced} replaced"
        );
    }

    /// The scan reports every occurrence of every word, overlapping ones
    /// included (a word inside another, a word straddling two), as a naive
    /// search does: the premise of "no rule hides another".
    #[test]
    fn overlapping_finds_every_occurrence() {
        let words = [
            "保过",
            "包过",
            "过",
            "a",
            "aa",
            "abc",
            "保证提分",
            "证提",
            "提分班",
        ];
        let ac = Automaton::with_values(words.iter().zip(0u32..)).unwrap();
        let unit = [
            "保", "过", "包", "a", "b", "c", "证", "提", "分", "班", "x", "。",
        ];
        let mut random = crate::random_text::RandomText::new(7);
        for len in [0, 1, 5, 20, 40, 200] {
            for _ in 0..30 {
                let s = random.text(&unit, len);
                // Every word at every character start (overlaps of a word
                // with itself too, which `match_indices` would skip).
                let mut want: Vec<(usize, usize, usize)> = Vec::new();
                for (i, _) in s.char_indices() {
                    for (p, w) in words.iter().enumerate() {
                        if s[i..].starts_with(w) {
                            want.push((p, i, i + w.len()));
                        }
                    }
                }
                let mut got = overlapping(&ac, &s);
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "{s}");
            }
        }
    }
}
