//! Rules as data: the strict loader for `book/rules/*.toml` and the validated
//! [`Rule`] the rest of the engine (and the generated rule table page) reads.
//!
//! Strict means the admin learns about every mistake at once, each with file,
//! line and rule id: unknown keys, bad TOML, bad regex, duplicate ids, empty
//! words, unknown validators, severities or contexts, rules without examples.
//!
//! A rules file:
//!
//! ```toml
//! # Words that contain a flagged word without meaning it, for every rule.
//! allow = ["最近", "保证金"]
//!
//! [[rule]]
//! id = "exam-pass-promise"
//! clause = "3.1.1"
//! severity = "revise"
//! contexts = ["public", "customer"]
//! message = "承诺考试通过……"
//! suggestion = "改为……"
//! words = ["保过", "包过"]          # or: pattern = "…" + anchors = […], or: validator = "phone"
//! allow = ["不保过"]                 # optional, this rule only
//! must-flag = ["本班保过"]
//! must-pass = ["本课程不承诺通过"]
//! ```

use crate::error::RuleError;
use crate::model::{Context, Severity};
use crate::normalize::normalize;
use crate::stance::{Stance, StanceCues};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A built-in validator: personal data found by checksum, not by bare digit runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// Mainland mobile numbers (1[3-9] + 9 digits, not part of a longer run).
    Phone,
    /// Resident ID numbers, GB 11643 (region, real date, check digit).
    ResidentId,
    /// Bank cards: 16–19 digits passing Luhn.
    BankCard,
    /// E-mail addresses.
    Email,
}

impl Validator {
    pub const ALL: [Validator; 4] = [
        Validator::Phone,
        Validator::ResidentId,
        Validator::BankCard,
        Validator::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Validator::Phone => "phone",
            Validator::ResidentId => "resident-id",
            Validator::BankCard => "bank-card",
            Validator::Email => "email",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Validator::Phone => "手机号码",
            Validator::ResidentId => "身份证号码",
            Validator::BankCard => "银行卡号",
            Validator::Email => "电子邮箱",
        }
    }
}

/// What a rule matches: exactly one of a word list, a pattern or a validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// Words, matched on the normalised text (every occurrence, overlapping).
    Words { words: Vec<String> },
    /// A regex-lite pattern over the normalised text (lower case, Simplified,
    /// half-width, full-width punctuation folded: `，` is `,`). It is tried
    /// only where one of `anchors` occurs, anchored there: every match must
    /// start with an anchor, and reaches at most 150 bytes. This keeps the
    /// slow regex engine off the hot path; the examples prove the anchors fit.
    Pattern {
        pattern: String,
        anchors: Vec<String>,
    },
    /// A built-in validator.
    Validator { validator: Validator },
    /// Co-occurrence: one word of every part (a concept or a word list) in
    /// one sentence, in any order, spanning at most `within` characters when
    /// given. `names` are the parts as written (`@退费`), for the catalogue.
    Near {
        parts: Vec<Vec<String>>,
        names: Vec<String>,
        within: Option<usize>,
    },
}

/// One validated rule: a read-only view for tools and the rule table page.
///
/// Its JSON form is flat and mirrors the rules file (`words` / `pattern` +
/// `anchors` / `validator` as optional keys): plain structs keep serde's
/// tagged-enum machinery, and its size, out of the wasm build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "RuleRepr", try_from = "RuleRepr")]
pub struct Rule {
    /// Stable kebab-case id.
    pub id: Arc<str>,
    /// Handbook clause, e.g. `3.1.1`.
    pub clause: Arc<str>,
    pub severity: Severity,
    /// Where the rule applies.
    pub contexts: Vec<Context>,
    pub message: Arc<str>,
    pub suggestion: Arc<str>,
    /// Text to put in place of the hit. For validators (only), `{masked}`
    /// stands for the masked value (`138****5678`).
    pub replacement: Option<Arc<str>>,
    pub matcher: Matcher,
    /// Phrases that contain a hit of this rule without meaning it.
    pub allow: Vec<String>,
    pub examples_flag: Vec<String>,
    pub examples_pass: Vec<String>,
    /// Stances that drop a hit: the sentence warns against it, denies it …
    pub unless: Vec<Stance>,
    /// Stances that soften a hit to advice, with its own message and
    /// suggestion (a number that is the speaker's own).
    pub soften: Vec<Stance>,
    pub soft_message: Option<Arc<str>>,
    pub soft_suggestion: Option<Arc<str>>,
    /// Where the rule was defined (for messages).
    pub file: String,
    pub line: usize,
}

impl Rule {
    /// `words`, `pattern` or `validator`.
    pub fn kind(&self) -> &'static str {
        match self.matcher {
            Matcher::Words { .. } => "words",
            Matcher::Pattern { .. } => "pattern",
            Matcher::Validator { .. } => "validator",
            Matcher::Near { .. } => "near",
        }
    }

    /// Does the rule apply in `context`?
    pub fn applies(&self, context: Context) -> bool {
        self.contexts.contains(&context)
    }
}

/// The serialised form of [`Rule`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleRepr {
    id: String,
    clause: String,
    severity: Severity,
    contexts: Vec<Context>,
    message: String,
    suggestion: String,
    replacement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    words: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anchors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validator: Option<Validator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    within: Option<usize>,
    allow: Vec<String>,
    examples_flag: Vec<String>,
    examples_pass: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unless: Vec<Stance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    soften: Vec<Stance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    soft_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    soft_suggestion: Option<String>,
    file: String,
    line: usize,
}

impl From<Rule> for RuleRepr {
    fn from(r: Rule) -> RuleRepr {
        let (mut words, mut pattern, mut anchors, mut validator) = (None, None, None, None);
        let (mut all, mut all_names, mut within) = (None, None, None);
        match r.matcher {
            Matcher::Words { words: w } => words = Some(w),
            Matcher::Pattern {
                pattern: p,
                anchors: a,
            } => {
                pattern = Some(p);
                anchors = Some(a);
            }
            Matcher::Validator { validator: v } => validator = Some(v),
            Matcher::Near {
                parts,
                names,
                within: w,
            } => {
                all = Some(parts);
                all_names = Some(names);
                within = w;
            }
        }
        RuleRepr {
            id: r.id.to_string(),
            clause: r.clause.to_string(),
            severity: r.severity,
            contexts: r.contexts,
            message: r.message.to_string(),
            suggestion: r.suggestion.to_string(),
            replacement: r.replacement.map(|x| x.to_string()),
            words,
            pattern,
            anchors,
            validator,
            all,
            all_names,
            within,
            allow: r.allow,
            examples_flag: r.examples_flag,
            examples_pass: r.examples_pass,
            unless: r.unless,
            soften: r.soften,
            soft_message: r.soft_message.map(|x| x.to_string()),
            soft_suggestion: r.soft_suggestion.map(|x| x.to_string()),
            file: r.file,
            line: r.line,
        }
    }
}

impl TryFrom<RuleRepr> for Rule {
    type Error = String;
    fn try_from(r: RuleRepr) -> Result<Rule, String> {
        let matcher = match (r.words, r.pattern, r.anchors, r.validator, r.all) {
            (Some(words), None, None, None, None) => Matcher::Words { words },
            (None, Some(pattern), Some(anchors), None, None) => {
                Matcher::Pattern { pattern, anchors }
            }
            (None, None, None, Some(validator), None) => Matcher::Validator { validator },
            (None, None, None, None, Some(parts)) => Matcher::Near {
                names: r.all_names.unwrap_or_default(),
                parts,
                within: r.within,
            },
            _ => {
                return Err(format!(
                    "规则 `{}`：words、pattern(+anchors)、validator、all 必须且只能有一种",
                    r.id
                ));
            }
        };
        Ok(Rule {
            id: r.id.into(),
            clause: r.clause.into(),
            severity: r.severity,
            contexts: r.contexts,
            message: r.message.into(),
            suggestion: r.suggestion.into(),
            replacement: r.replacement.map(Into::into),
            matcher,
            allow: r.allow,
            examples_flag: r.examples_flag,
            examples_pass: r.examples_pass,
            unless: r.unless,
            soften: r.soften,
            soft_message: r.soft_message.map(Into::into),
            soft_suggestion: r.soft_suggestion.map(Into::into),
            file: r.file,
            line: r.line,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    concept: Vec<toml::Spanned<RawConcept>>,
    #[serde(default)]
    stance: Vec<toml::Spanned<RawStance>>,
    #[serde(default)]
    rule: Vec<toml::Spanned<toml::Table>>,
}

/// `[[concept]]`: a named vocabulary rules refer to as `@name`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConcept {
    name: String,
    words: Vec<String>,
}

/// `[[stance]]`: cue words of one sentence stance (see `stance`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStance {
    name: String,
    words: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: String,
    clause: String,
    severity: String,
    contexts: Vec<String>,
    message: String,
    suggestion: String,
    replacement: Option<String>,
    words: Option<Vec<String>>,
    pattern: Option<String>,
    anchors: Option<Vec<String>>,
    validator: Option<String>,
    all: Option<Vec<String>>,
    within: Option<usize>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    soften: Vec<String>,
    soft_message: Option<String>,
    soft_suggestion: Option<String>,
    #[serde(default)]
    must_flag: Vec<String>,
    #[serde(default)]
    must_pass: Vec<String>,
}

fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// What the rules files define besides rules.
pub(crate) struct Parsed {
    pub rules: Vec<Rule>,
    pub allow: Vec<String>,
    pub stances: Vec<StanceCues>,
}

/// Parses every file into rules, global allow words and stance cues;
/// concepts are expanded into the rules that cite them. Collects all errors.
pub(crate) fn parse(files: &[SourceFile]) -> (Parsed, Vec<RuleError>) {
    let mut parsed = Parsed {
        rules: Vec::new(),
        allow: Vec::new(),
        stances: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut raws = Vec::new();
    for file in files {
        match toml::from_str::<RawFile>(&file.text) {
            Ok(raw) => raws.push((file, raw)),
            Err(e) => {
                let line = e.span().map(|s| line_of(&file.text, s.start));
                errors.push(RuleError::new(
                    &file.name,
                    line,
                    None,
                    format!("TOML 格式错误：{}", e.message()),
                ));
            }
        }
    }
    // Concepts first: a rule may cite one defined in any file.
    let mut concepts: HashMap<String, Vec<String>> = HashMap::new();
    for (file, raw) in &mut raws {
        for concept in std::mem::take(&mut raw.concept) {
            let line = line_of(&file.text, concept.span().start);
            let concept = concept.into_inner();
            if concept.words.is_empty() {
                errors.push(RuleError::new(
                    &file.name,
                    Some(line),
                    None,
                    format!("概念 `{}` 没有词：请在 words 中至少写一个词", concept.name),
                ));
            }
            if concepts
                .insert(concept.name.clone(), concept.words)
                .is_some()
            {
                errors.push(RuleError::new(
                    &file.name,
                    Some(line),
                    None,
                    format!("概念 `{}` 重复定义：请合并为一个", concept.name),
                ));
            }
        }
        for stance in std::mem::take(&mut raw.stance) {
            let line = line_of(&file.text, stance.span().start);
            let stance = stance.into_inner();
            match Stance::parse(&stance.name) {
                Some(which) => match parsed.stances.iter_mut().find(|c| c.stance == which) {
                    Some(cues) => {
                        cues.words.extend(stance.words);
                        cues.except.extend(stance.except);
                    }
                    None => parsed.stances.push(StanceCues {
                        stance: which,
                        words: stance.words,
                        except: stance.except,
                    }),
                },
                None => errors.push(RuleError::new(
                    &file.name,
                    Some(line),
                    None,
                    format!(
                        "未知的语气 `{}`：可选 {}",
                        stance.name,
                        Stance::ALL.map(Stance::as_str).join("、")
                    ),
                )),
            }
        }
    }
    for (file, raw) in raws {
        parsed.allow.extend(raw.allow);
        for table in raw.rule {
            let line = line_of(&file.text, table.span().start);
            let table = table.into_inner();
            let id = table.get("id").and_then(|v| v.as_str()).map(str::to_string);
            match toml::Value::Table(table).try_into::<RawRule>() {
                Ok(raw) => match convert(raw, &file.name, line, &concepts) {
                    Ok(rule) => parsed.rules.push(rule),
                    Err(mut e) => errors.append(&mut e),
                },
                Err(e) => errors.push(RuleError::new(
                    &file.name,
                    Some(line),
                    id.as_deref(),
                    format!("字段错误：{}", e.message()),
                )),
            }
        }
    }
    (parsed, errors)
}

/// `@name` → the concept's words; anything else is a word of its own.
fn expand(
    items: Vec<String>,
    concepts: &HashMap<String, Vec<String>>,
    errors: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        match item.strip_prefix('@') {
            Some(name) => match concepts.get(name) {
                Some(words) => out.extend(words.iter().cloned()),
                None => errors.push(format!(
                    "概念 `@{name}` 未定义：请在某个规则文件中用 [[concept]] 定义它，或改正拼写"
                )),
            },
            None => out.push(item),
        }
    }
    out
}

use crate::model::SourceFile;

fn convert(
    raw: RawRule,
    file: &str,
    line: usize,
    concepts: &HashMap<String, Vec<String>>,
) -> Result<Rule, Vec<RuleError>> {
    let mut errors = Vec::new();
    let err = |m: String| RuleError::new(file, Some(line), Some(&raw.id), m);
    let mut concept_errors = Vec::new();
    let words = raw.words.map(|w| expand(w, concepts, &mut concept_errors));
    let near = raw.all.map(|names| {
        let parts: Vec<Vec<String>> = names
            .iter()
            .map(|n| expand(vec![n.clone()], concepts, &mut concept_errors))
            .collect();
        (names, parts)
    });
    errors.extend(concept_errors.into_iter().map(err));
    let stances = |names: &[String], errors: &mut Vec<RuleError>| -> Vec<Stance> {
        names
            .iter()
            .filter_map(|n| {
                let s = Stance::parse(n);
                if s.is_none() {
                    errors.push(err(format!(
                        "未知的语气 `{n}`：可选 {}",
                        Stance::ALL.map(Stance::as_str).join("、")
                    )));
                }
                s
            })
            .collect()
    };
    let unless = stances(&raw.unless, &mut errors);
    let soften = stances(&raw.soften, &mut errors);
    let severity = match raw.severity.as_str() {
        "advice" => Some(Severity::Advice),
        "revise" => Some(Severity::Revise),
        "senior" => Some(Severity::Senior),
        "block" => Some(Severity::Block),
        s => {
            errors.push(err(format!(
                "未知的 severity `{s}`（可选：advice、revise、senior、block）"
            )));
            None
        }
    };
    let mut contexts = Vec::new();
    for c in &raw.contexts {
        match c.parse::<Context>() {
            Ok(c) if !contexts.contains(&c) => contexts.push(c),
            Ok(_) => errors.push(err(format!("场景 `{c}` 重复"))),
            Err(e) => errors.push(err(e.to_string())),
        }
    }
    let validator = raw.validator.as_deref().map(|v| {
        Validator::ALL
            .into_iter()
            .find(|x| x.as_str() == v)
            .ok_or_else(|| {
                err(format!(
                    "未知的 validator `{v}`（可选：phone、resident-id、bank-card、email）"
                ))
            })
    });
    if raw.within.is_some() && near.is_none() {
        errors.push(err("within 只能与 all 一起使用".into()));
    }
    let matcher = match (words, raw.pattern, validator, near) {
        (Some(words), None, None, None) => {
            if raw.anchors.is_some() {
                errors.push(err("anchors 只能与 pattern 一起使用".into()));
            }
            Some(Matcher::Words { words })
        }
        (None, None, None, Some((names, parts))) => Some(Matcher::Near {
            parts,
            names,
            within: raw.within,
        }),
        (None, Some(pattern), None, None) => match raw.anchors {
            Some(anchors) => Some(Matcher::Pattern { pattern, anchors }),
            None => {
                errors.push(err(
                    "pattern 规则必须写 anchors：匹配必然以之开头的词，用于预筛选".into(),
                ));
                None
            }
        },
        (None, None, Some(Ok(validator)), None) => Some(Matcher::Validator { validator }),
        (None, None, Some(Err(e)), None) => {
            errors.push(e);
            None
        }
        _ => {
            errors.push(err(
                "每条规则必须且只能有 words、pattern、validator、all 之一".into(),
            ));
            None
        }
    };
    match (severity, matcher, errors.is_empty()) {
        (Some(severity), Some(matcher), true) => Ok(Rule {
            id: raw.id.into(),
            clause: raw.clause.into(),
            severity,
            contexts,
            message: raw.message.into(),
            suggestion: raw.suggestion.into(),
            replacement: raw.replacement.map(Into::into),
            matcher,
            allow: raw.allow,
            examples_flag: raw.must_flag,
            examples_pass: raw.must_pass,
            unless,
            soften,
            soft_message: raw.soft_message.map(Into::into),
            soft_suggestion: raw.soft_suggestion.map(Into::into),
            file: file.to_string(),
            line,
        }),
        _ => Err(errors),
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Semantic checks that hold for rules from TOML and from JSON alike.
pub(crate) fn validate(rules: &[Rule], global_allow: &[String]) -> Vec<RuleError> {
    let mut errors = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for w in global_allow {
        if normalize(w).trim().is_empty() {
            errors.push(RuleError::new("allow", None, None, "全局 allow 中有空词"));
        }
    }
    for r in rules {
        let err = |m: String| RuleError::new(&r.file, Some(r.line), Some(&r.id), m);
        if !is_kebab(&r.id) {
            errors.push(err(
                "规则 id 必须是 kebab-case（小写字母、数字、连字符）".into()
            ));
        }
        if !seen.insert(&r.id) {
            errors.push(err("规则 id 重复".into()));
        }
        if crate::clause::clause_label(&r.clause).is_none() {
            errors.push(err(format!(
                "条款编号 `{}` 格式不对（应如 3.1.1）",
                r.clause
            )));
        }
        if r.contexts.is_empty() {
            errors.push(err("contexts 不能为空".into()));
        }
        if r.message.trim().is_empty() || r.suggestion.trim().is_empty() {
            errors.push(err("message 和 suggestion 不能为空".into()));
        }
        if r.examples_flag.is_empty() || r.examples_pass.is_empty() {
            errors.push(err(
                "每条规则至少要有一个 must-flag 和一个 must-pass 例句".into()
            ));
        }
        for w in &r.allow {
            if normalize(w).trim().is_empty() {
                errors.push(err("allow 中有空词".into()));
            }
        }
        match &r.matcher {
            Matcher::Words { words } => {
                if words.is_empty() {
                    errors.push(err("words 不能为空".into()));
                }
                for w in words {
                    if normalize(w).trim().is_empty() {
                        errors.push(err(format!("words 中有空词 `{w}`")));
                    }
                }
            }
            Matcher::Pattern { pattern, anchors } => {
                match regex_lite::Regex::new(pattern) {
                    Ok(re) if re.is_match("") => {
                        errors.push(err(format!("pattern `{pattern}` 能匹配空字符串")))
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(err(format!("pattern `{pattern}` 不是合法的正则：{e}"))),
                }
                if anchors.is_empty() || anchors.iter().any(|a| normalize(a).trim().is_empty()) {
                    errors.push(err("anchors 不能为空，也不能含空词".into()));
                }
            }
            Matcher::Validator { .. } => {}
            Matcher::Near { parts, within, .. } => {
                if parts.len() < 2 {
                    errors.push(err(
                        "all 至少要有两项（两个概念或词同时出现才算命中）".into()
                    ));
                }
                if parts
                    .iter()
                    .any(|p| p.is_empty() || p.iter().any(|w| normalize(w).trim().is_empty()))
                {
                    errors.push(err("all 的每一项都必须有词，且不能含空词".into()));
                }
                if *within == Some(0) {
                    errors.push(err("within 必须大于 0（单位：字）".into()));
                }
            }
        }
        if !r.soften.is_empty() && (r.soft_message.is_none() || r.soft_suggestion.is_none()) {
            errors.push(err(
                "写了 soften 的规则必须同时写 soft-message 和 soft-suggestion（降为建议时显示的说明）"
                    .into(),
            ));
        }
        let fills_masked = r
            .replacement
            .as_ref()
            .is_some_and(|x| x.contains("{masked}"));
        if fills_masked && !matches!(r.matcher, Matcher::Validator { .. }) {
            errors.push(err(
                "replacement 中的 {masked} 只能用于 validator 规则（其他规则没有脱敏值可填）"
                    .into(),
            ));
        }
    }
    errors
}
