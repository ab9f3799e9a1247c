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
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
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
    allow: Vec<String>,
    examples_flag: Vec<String>,
    examples_pass: Vec<String>,
    file: String,
    line: usize,
}

impl From<Rule> for RuleRepr {
    fn from(r: Rule) -> RuleRepr {
        let (mut words, mut pattern, mut anchors, mut validator) = (None, None, None, None);
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
            allow: r.allow,
            examples_flag: r.examples_flag,
            examples_pass: r.examples_pass,
            file: r.file,
            line: r.line,
        }
    }
}

impl TryFrom<RuleRepr> for Rule {
    type Error = String;
    fn try_from(r: RuleRepr) -> Result<Rule, String> {
        let matcher = match (r.words, r.pattern, r.anchors, r.validator) {
            (Some(words), None, None, None) => Matcher::Words { words },
            (None, Some(pattern), Some(anchors), None) => Matcher::Pattern { pattern, anchors },
            (None, None, None, Some(validator)) => Matcher::Validator { validator },
            _ => {
                return Err(format!(
                    "规则 `{}`：words、pattern(+anchors)、validator 必须且只能有一种",
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
    rule: Vec<toml::Spanned<toml::Table>>,
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
    #[serde(default)]
    allow: Vec<String>,
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

/// Parses every file into rules and global allow words; collects all errors.
pub(crate) fn parse(files: &[SourceFile]) -> (Vec<Rule>, Vec<String>, Vec<RuleError>) {
    let mut rules = Vec::new();
    let mut allow = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let raw: RawFile = match toml::from_str(&file.text) {
            Ok(raw) => raw,
            Err(e) => {
                let line = e.span().map(|s| line_of(&file.text, s.start));
                errors.push(RuleError::new(
                    &file.name,
                    line,
                    None,
                    format!("TOML 格式错误：{}", e.message()),
                ));
                continue;
            }
        };
        allow.extend(raw.allow);
        for table in raw.rule {
            let line = line_of(&file.text, table.span().start);
            let table = table.into_inner();
            let id = table.get("id").and_then(|v| v.as_str()).map(str::to_string);
            match toml::Value::Table(table).try_into::<RawRule>() {
                Ok(raw) => match convert(raw, &file.name, line) {
                    Ok(rule) => rules.push(rule),
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
    (rules, allow, errors)
}

use crate::model::SourceFile;

fn convert(raw: RawRule, file: &str, line: usize) -> Result<Rule, Vec<RuleError>> {
    let mut errors = Vec::new();
    let err = |m: String| RuleError::new(file, Some(line), Some(&raw.id), m);
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
    let matcher = match (raw.words, raw.pattern, validator) {
        (Some(words), None, None) => {
            if raw.anchors.is_some() {
                errors.push(err("anchors 只能与 pattern 一起使用".into()));
            }
            Some(Matcher::Words { words })
        }
        (None, Some(pattern), None) => match raw.anchors {
            Some(anchors) => Some(Matcher::Pattern { pattern, anchors }),
            None => {
                errors.push(err(
                    "pattern 规则必须写 anchors：匹配必然以之开头的词，用于预筛选".into(),
                ));
                None
            }
        },
        (None, None, Some(Ok(validator))) => Some(Matcher::Validator { validator }),
        (None, None, Some(Err(e))) => {
            errors.push(e);
            None
        }
        _ => {
            errors.push(err(
                "每条规则必须且只能有 words、pattern、validator 之一".into()
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
