//! `wxcheck`: checks a WeChat draft against the company's WeChat management
//! policy (培训行业微信管理制度) and says which clause it breaks, how serious that
//! is, and how to fix it.
//!
//! # Overview
//!
//! The rules are data (`book/rules/*.toml`, edited by the policy admin), loaded
//! strictly by [`RuleSet::load_with`], which also fills in the company values
//! they refer to as `{{name}}` from `book/settings.toml` ([`parse_settings`]).
//! [`RuleSet::check`] normalises the draft (full
//! width, Traditional characters, zero-width characters, separators wedged
//! between characters: see [`normalize`]), finds every hit of every rule that
//! applies in the draft's [`Context`], maps the hits back to exact spans of the
//! original text and returns a [`Report`]: findings in text order and a
//! [`Verdict`], the highest [`Severity`] found.
//!
//! ```
//! use wxcheck::{Context, RuleSet, SourceFile, Verdict};
//!
//! let rules = RuleSet::load(&[SourceFile {
//!     name: "demo.toml".into(),
//!     text: r#"
//! [[rule]]
//! id = "exam-pass-promise"
//! clause = "3.1.1"
//! severity = "revise"
//! contexts = ["public"]
//! message = "承诺考试通过，违反《广告法》第二十四条。"
//! suggestion = "删除承诺，如实介绍课程。"
//! words = ["保过", "包过"]
//! must-flag = ["本班包过"]
//! must-pass = ["欢迎报名"]
//! "#.into(),
//! }]).unwrap();
//! let report = rules.check("暑期班 包-過！", Context::Public);
//! assert_eq!(report.verdict, Verdict::Revise);
//! assert_eq!(report.findings[0].text, "包-過"); // the original span, evasion and all
//! assert_eq!((report.findings[0].start, report.findings[0].end), (4, 7));
//! ```
//!
//! # Semantics worth knowing
//!
//! * Words match *overlapping* and per rule: a long word of one rule never
//!   hides a short word of another. Then hits of the same clause that overlap
//!   or touch merge into one finding, carrying the most severe rule.
//! * A hit that starts inside an allow phrase (global or the rule's own) is
//!   dropped: `最近` allows the `最` in it, `谨防诈骗` the `诈骗`, `不保证` the
//!   `保证提分` that follows it.
//! * Offsets count characters (Unicode scalar values) of the original text.
//! * Personal data is found by validators with checksums, never by digit runs.
//!
//! The engine does no IO, uses no clock and no threads: it is compiled to
//! wasm32 as is. The `wxcheck` binary is the native command-line checker.

mod branches;
mod bundle;
mod clause;
mod error;
pub mod learned;
mod matcher;
mod model;
mod near;
pub mod normalize;
mod pool;
mod quotes;
#[cfg(test)]
mod random_text;
mod report;
mod rules;
mod second_reading;
pub mod settings;
mod stance;
mod t2s;
mod told_reading;
pub mod validators;
mod variants;

pub use clause::clause_label;
pub use error::{ExampleFailure, RuleError, explain_toml_error};
pub use model::{
    Context, Finding, ParseContextError, ParseSeverityError, REVIEW_CLAUSE, Report, SENIOR_CLAUSE,
    Severity, SourceFile, Verdict,
};
pub use rules::{KeyLines, Matcher, Rule, Validator};
pub use settings::{Settings, parse_settings};
pub use stance::{Stance, StanceCues};

use matcher::{Compiled, RawHit};
use normalize::Normalized;
use serde::Serialize;
use told_reading::Told;

/// A validated, compiled rule set.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    allow: Vec<String>,
    stances: Vec<StanceCues>,
    compiled: Compiled,
    /// The optional learned second opinion ([`learned`]).
    learned: Option<learned::Learned>,
}

/// The serialised form: what `to_json` writes and `from_json` reads (with
/// `bundle`, not serde: see there why).
#[derive(Serialize)]
struct JsonRuleSet {
    allow: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stances: Vec<StanceCues>,
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    learned: Option<learned::LearnedModel>,
}

impl RuleSet {
    /// Loads and validates rules files that refer to no settings (a
    /// `{{name}}` in them is reported as unknown). See [`RuleSet::load_with`].
    pub fn load(files: &[SourceFile]) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::load_with(files, &Settings::new())
    }

    /// Loads and validates rules files, filling in their `{{name}}`
    /// references from `settings` (read from `book/settings.toml` by the
    /// caller, e.g. with [`parse_settings`]). Every error in every file is
    /// reported, each with file, the line of the key at fault and rule id,
    /// in file and line order.
    pub fn load_with(files: &[SourceFile], settings: &Settings) -> Result<RuleSet, Vec<RuleError>> {
        let (parsed, mut errors) = rules::parse(files, settings);
        errors.extend(rules::validate(&parsed.rules));
        if !errors.is_empty() {
            let order = |e: &RuleError| {
                let file = files.iter().position(|f| f.name == e.file);
                (file, e.line)
            };
            errors.sort_by_key(order);
            return Err(errors);
        }
        Ok(RuleSet::compile(parsed.rules, parsed.allow, parsed.stances))
    }

    /// A rule set of rule `index` alone (with the global allow phrases), to
    /// measure what one rule costs.
    pub fn only(&self, index: usize) -> RuleSet {
        RuleSet::compile(
            vec![self.rules[index].clone()],
            self.allow.clone(),
            self.stances.clone(),
        )
    }

    fn compile(rules: Vec<Rule>, allow: Vec<String>, stances: Vec<StanceCues>) -> RuleSet {
        let compiled = Compiled::new(&rules, &allow, &stances);
        RuleSet {
            rules,
            allow,
            stances,
            compiled,
            learned: None,
        }
    }

    /// Adds the learned second opinion ([`learned`]); its clauses must be
    /// clauses the rules know of or `known` (the handbook's index) accepts.
    pub fn with_learned(
        mut self,
        model: learned::LearnedModel,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<RuleSet, RuleError> {
        let error =
            |message: String| RuleError::new("book/rules/learned.json", None, None, message);
        if let Some(rule) = self.rules.iter().find(|r| *r.id == *learned::RULE_ID) {
            return Err(RuleError::new(
                &rule.file,
                Some(rule.line_of("id")),
                Some(&rule.id),
                format!(
                    "规则编号 `{}` 留给统计模型的提示使用，请换一个编号",
                    learned::RULE_ID
                ),
            ));
        }
        if let Some(c) = model
            .clauses
            .iter()
            .filter_map(|c| learned::reported_clause(&c.clause))
            .find(|c| !known(c))
        {
            return Err(error(format!(
                "模型中的条款 `{c}` 在手册中不存在：请运行 cargo xtask train-model 重新训练"
            )));
        }
        self.learned = Some(
            learned::Learned::new(model)
                .map_err(|e| error(format!("{e}。请运行 cargo xtask train-model 重新生成")))?,
        );
        Ok(self)
    }

    /// [`RuleSet::with_learned`] from the text of `learned.json` (named
    /// `file` in errors).
    pub fn with_learned_json(
        self,
        file: &str,
        json: &str,
        known: &dyn Fn(&str) -> bool,
    ) -> Result<RuleSet, RuleError> {
        let model: learned::LearnedModel = serde_json::from_str(json).map_err(|e| {
            RuleError::new(
                file,
                Some(e.line()),
                None,
                format!(
                    "模型文件无法读取：{e}。请运行 cargo xtask train-model 重新生成，不要手工编辑"
                ),
            )
        })?;
        self.with_learned(model, known).map_err(|mut e| {
            e.file = file.to_string();
            e
        })
    }

    /// The learned model, if any.
    pub fn learned(&self) -> Option<&learned::LearnedModel> {
        self.learned.as_ref().map(learned::Learned::model)
    }

    /// Checks that every rule's clause exists in the handbook; `known` is the
    /// handbook's clause index (the build passes it in).
    pub fn check_clauses(&self, known: &dyn Fn(&str) -> bool) -> Result<(), Vec<RuleError>> {
        let errors: Vec<RuleError> = self
            .rules
            .iter()
            .filter(|r| !known(&r.clause))
            .map(|r| {
                RuleError::new(
                    &r.file,
                    Some(r.line_of("clause")),
                    Some(&r.id),
                    format!(
                        "条款 `{}` 在手册中不存在：请改为手册中已有的条款编号，\
                         或先在手册中加上这一条",
                        r.clause
                    ),
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Runs every rule's examples in each of its contexts: a `must-flag`
    /// example must be hit *by that rule*, a `must-pass` example must not be.
    /// Hits are taken before merging, so another rule of the same clause
    /// cannot stand in.
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for (r, rule) in self.rules.iter().enumerate() {
            for &context in &rule.contexts {
                for (examples, must_flag, key) in [
                    (&rule.examples_flag, true, "must-flag"),
                    (&rule.examples_pass, false, "must-pass"),
                ] {
                    for (i, ex) in examples.iter().enumerate() {
                        let hit = self.raw_hits(ex, context).1.iter().any(|h| h.rule == r);
                        if hit != must_flag {
                            failures.push(ExampleFailure {
                                file: rule.file.clone(),
                                line: rule.item_line(key, i),
                                rule: rule.id.to_string(),
                                example: ex.clone(),
                                must_flag,
                                context,
                            });
                        }
                    }
                }
            }
        }
        failures
    }

    /// Every hit of `text` in `context`, in its normalised text, before the
    /// report merges them.
    fn raw_hits(&self, text: &str, context: Context) -> (Normalized, Vec<RawHit>) {
        let (norm, hits, _) = self.raw_hits_told(text, context);
        (norm, hits)
    }

    /// [`RuleSet::raw_hits`], and the readings the draft asks for
    /// (`told_reading.rs`).
    fn raw_hits_told(&self, text: &str, context: Context) -> (Normalized, Vec<RawHit>, Told) {
        let (norm, (mut hits, told)) = self.matched(text, context);
        self.drop_number_lists(text, &norm, &mut hits);
        (norm, hits, told)
    }

    /// [`RuleSet::raw_hits`] before the mobiles read from lists are dropped.
    fn matched(&self, text: &str, context: Context) -> (Normalized, (Vec<RawHit>, Told)) {
        // Natively the automaton also holds the variants' forms: one scan of
        // the folded text finds the rules' words and every form, and only
        // where a form fits (seldom) are the variants replaced and the
        // result scanned again. The wasm normalises first, as it always did.
        #[cfg(not(target_arch = "wasm32"))]
        {
            let norm = Normalized::folded(text);
            let found = self.compiled.scan(norm.as_str());
            if !self.compiled.variants_may_fit(norm.as_str(), &found) {
                let hits = self.compiled.hits_in(&self.rules, &norm, context, found);
                return (norm, hits);
            }
            let norm = norm.with_variants();
            let hits = self.compiled.hits(&self.rules, &norm, context);
            (norm, hits)
        }
        #[cfg(target_arch = "wasm32")]
        {
            let norm = Normalized::new(text);
            let hits = self.compiled.hits(&self.rules, &norm, context);
            (norm, hits)
        }
    }

    /// Drops the mobiles read from a list of small numbers
    /// ([`validators::phone::is_number_list`]): only the original text shows
    /// the groups the normaliser joined.
    fn drop_number_lists(&self, text: &str, norm: &Normalized, hits: &mut Vec<RawHit>) {
        let is_phone = |h: &RawHit| {
            matches!(
                self.rules[h.rule].matcher,
                Matcher::Validator {
                    validator: Validator::Phone
                }
            )
        };
        // Only a mobile whose original is longer than its eleven digits was
        // joined from groups; nearly every mobile is not, and costs nothing.
        let joined: Vec<(usize, (usize, usize))> = hits
            .iter()
            .enumerate()
            .filter(|(_, h)| is_phone(h))
            .map(|(i, h)| (i, norm.original_span(h.start, h.end)))
            .filter(|(_, (start, end))| end - start > 11)
            .collect();
        if joined.is_empty() {
            return;
        }
        // Their byte ranges, in one walk over the text (a hostile draft has
        // a mobile every few characters).
        let bytes = report::byte_offsets(
            text,
            joined.iter().flat_map(|(_, (s, e))| [*s, *e]).collect(),
        );
        let byte = |c: usize| bytes[bytes.partition_point(|&(k, _)| k < c)].1;
        let mut list = vec![false; hits.len()];
        for (i, (s, e)) in joined {
            list[i] = validators::phone::is_number_list(&text[byte(s)..byte(e)]);
        }
        let mut list = list.into_iter();
        hits.retain(|_| !list.next().unwrap_or(false));
    }

    /// This rule set with no rule's stances (`unless`, `soften`): what the
    /// words find before a sentence's tone is read. For training the learned
    /// model's [`learned::HIT_LANE`] (`cargo xtask train-model`), whose
    /// clean samples are exactly the hits the stances exist to clear.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn without_stances(&self) -> RuleSet {
        let mut set = self.clone();
        for rule in &mut set.rules {
            rule.unless.clear();
            rule.soften.clear();
        }
        set
    }

    /// For each `block` finding of `text` by a rule of `tone` (the rules as
    /// written, before [`RuleSet::without_stances`]: their
    /// [`Rule::reads_tone`]): its clause and the folded text of the sentences
    /// it stands in, as the check's doubts read them
    /// (`report::sentences_of_finding`). The samples of the learned model's
    /// [`learned::HIT_LANE`], read with [`RuleSet::without_stances`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn block_sentences(
        &self,
        tone: &RuleSet,
        text: &str,
        context: Context,
    ) -> Vec<(std::sync::Arc<str>, String)> {
        let (report, norm) = self.check_normalized(text, context);
        let folded = norm.as_str();
        let sentences = learned::sentences(folded, &norm.ends().sentence);
        let spans = norm.original_spans(&sentences);
        report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Block)
            .filter(|f| report::rule_of(&tone.rules, f).is_some_and(Rule::reads_tone))
            .filter_map(|f| {
                let (first, last) = report::sentences_of_finding(&spans, f);
                (first < last).then(|| {
                    let range = sentences[first].0..sentences[last - 1].1;
                    (f.clause.clone(), folded[range].to_string())
                })
            })
            .collect()
    }

    /// Checks one draft.
    pub fn check(&self, text: &str, context: Context) -> Report {
        self.check_normalized(text, context).0
    }

    /// [`RuleSet::check`], with the normalised text it read.
    fn check_normalized(&self, text: &str, context: Context) -> (Report, Normalized) {
        let (norm, hits, told) = self.raw_hits_told(text, context);
        let mut hits = report::in_original(&norm, hits);
        let told = told_reading::readings(text, told);
        for reading in second_reading::read(text).into_iter().chain(told) {
            let (norm, again) = self.raw_hits(&reading.text, context);
            hits.extend(reading.in_draft(report::in_original(&norm, again)));
        }
        let (mut report, beside) =
            report::build(&self.rules, &self.compiled.clause_key, text, hits);
        if let Some(learned) = &self.learned {
            report::add_second_opinion(
                &mut report,
                &beside,
                &self.rules,
                learned,
                text,
                &norm,
                context,
            );
        }
        (report, norm)
    }

    /// The rules, in file order (read-only; for the rule table page).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The sentence-stance cue words (`[[stance]]` in the rules files).
    pub fn stances(&self) -> &[StanceCues] {
        &self.stances
    }

    /// The global allow phrases.
    pub fn global_allow(&self) -> &[String] {
        &self.allow
    }

    /// A short stable hash of the rules' content (12 hex digits of FNV-1a over
    /// the canonical JSON); any change to any rule changes it, so a page can
    /// show which rules it checked with.
    pub fn version(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.to_json().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")[..12].to_string()
    }

    /// The validated rule set as compact JSON, for the wasm page.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&JsonRuleSet {
            allow: self.allow.clone(),
            stances: self.stances.clone(),
            rules: self.rules.clone(),
            learned: self.learned().cloned(),
        })
        .expect("rules serialise")
    }

    /// Rebuilds a rule set from [`RuleSet::to_json`] output, validating again
    /// natively. This is how the wasm side loads rules, so admins can change
    /// rules without recompiling the wasm.
    ///
    /// The wasm reads only the bundle `cargo xtask build` wrote after
    /// validating the same rules (and its structure is still checked, in
    /// `bundle::read`); validating again there was about 2 KB gzipped of
    /// code and messages, over the engine's budget.
    pub fn from_json(json: &str) -> Result<RuleSet, RuleError> {
        let parsed = bundle::read(json)?;
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(e) = rules::validate_global_allow(&parsed.allow)
            .into_iter()
            .chain(rules::validate(&parsed.rules))
            .next()
        {
            return Err(e);
        }
        let rules = RuleSet::compile(parsed.rules, parsed.allow, parsed.stances);
        match parsed.learned {
            Some(model) => rules.with_learned(model, &|_| true),
            None => Ok(rules),
        }
    }
}
