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
//! allow = ["不保过"]                 # optional, this rule only; `@name` cites a concept
//! must-flag = ["本班保过"]
//! must-pass = ["本课程不承诺通过"]
//! ```
//!
//! Company values are never written into a rules file: `{{hotline}}`,
//! `{{service_email}}` … refer to `book/settings.toml` and are filled in by
//! the loader (see [`crate::settings`]), regex-escaped inside `pattern`.
//!
//! The file is read through toml's spanned document model, not through serde
//! into a struct: that way every error is at the line of the key (or list
//! item) at fault, and every key of every rule is checked, not just the first
//! that serde trips over.

use crate::error::{RuleError, explain_toml_error};
use crate::model::{Context, Severity, SourceFile};
use crate::normalize::normalize;
#[cfg(not(target_arch = "wasm32"))]
use crate::normalize::variant_form_of;
use crate::settings::{Fill, Settings, fill};
use crate::stance::{Stance, StanceCues};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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
    /// Contexts where a question does not drop a hit although `unless`
    /// names it: in the work group, staff asking staff 谁有替考的门路？ are
    /// arranging the thing, not quoting a customer's question
    /// (`question-not-in`).
    pub question_not_in: Vec<Context>,
    /// Stances that soften a hit to advice, with its own message and
    /// suggestion (a number that is the speaker's own).
    pub soften: Vec<Stance>,
    pub soft_message: Option<Arc<str>>,
    pub soft_suggestion: Option<Arc<str>>,
    /// Where the rule was defined (for messages): the `[[rule]]` line.
    pub file: String,
    pub line: usize,
    /// Where each key is written, so that errors found after loading point
    /// at it. Not part of the JSON form: rules read back from JSON have none
    /// and their errors fall back to `line`.
    pub lines: KeyLines,
}

/// Where a rule's keys and list items are written (1-based lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLines {
    keys: Vec<KeyLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct KeyLine {
    key: &'static str,
    line: usize,
    /// The line of each item of a list key.
    items: Vec<usize>,
}

impl KeyLines {
    fn get(&self, key: &str) -> Option<&KeyLine> {
        self.keys.iter().find(|k| k.key == key)
    }
}

impl Rule {
    /// The line of `key` (`severity`, `must-flag` …), or of the rule when
    /// the key is not written or the rule came from JSON.
    pub fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).map_or(self.line, |k| k.line)
    }

    /// The line of item `index` of list key `key` (a word, an example).
    pub fn item_line(&self, key: &str, index: usize) -> usize {
        self.lines
            .get(key)
            .map_or(self.line, |k| k.items.get(index).copied().unwrap_or(k.line))
    }

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

    /// Does the sentence's tone clear a hit of this rule (a negation, a
    /// warning, a report or a question in `unless`)? Only such a rule's
    /// hits are read by the learned model's hit lane (`learned::HIT_LANE`):
    /// offer or mention is a question of tone, and a phone number in an ad
    /// is no mention for any wording around it.
    pub fn reads_tone(&self) -> bool {
        self.unless.iter().any(|s| {
            matches!(
                s,
                Stance::Negation | Stance::Warning | Stance::Report | Stance::Question
            )
        })
    }
}

/// The serialised form of [`Rule`].
/// (`crate::bundle` reads the same form back without serde, for the wasm.)
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleRepr {
    pub id: String,
    pub clause: String,
    pub severity: Severity,
    pub contexts: Vec<Context>,
    pub message: String,
    pub suggestion: String,
    pub replacement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<Validator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Vec<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<usize>,
    pub allow: Vec<String>,
    pub examples_flag: Vec<String>,
    pub examples_pass: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<Stance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub question_not_in: Vec<Context>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub soften: Vec<Stance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_suggestion: Option<String>,
    pub file: String,
    pub line: usize,
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
            question_not_in: r.question_not_in,
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
                    "规则 {}：words、pattern(+anchors)、validator、all 必须且只能有一种，请只保留一种",
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
            question_not_in: r.question_not_in,
            soften: r.soften,
            soft_message: r.soft_message.map(Into::into),
            soft_suggestion: r.soft_suggestion.map(Into::into),
            file: r.file,
            line: r.line,
            lines: KeyLines::default(),
        })
    }
}

/// Keys a rule may have. Text keys hold one string, list keys a list of them.
const TEXT_KEYS: [&str; 10] = [
    "id",
    "clause",
    "severity",
    "message",
    "suggestion",
    "replacement",
    "pattern",
    "validator",
    "soft-message",
    "soft-suggestion",
];
const LIST_KEYS: [&str; 10] = [
    "contexts",
    "words",
    "anchors",
    "all",
    "allow",
    "unless",
    "question-not-in",
    "soften",
    "must-flag",
    "must-pass",
];
/// Keys holding a whole number.
const NUMBER_KEYS: [&str; 1] = ["within"];
/// Keys every rule must have, with how to write them (for the error).
const REQUIRED: [(&str, &str); 6] = [
    ("id", "id = \"exam-pass-promise\"（小写字母、数字和连字符）"),
    ("clause", "clause = \"3.1.1\"（手册条款编号）"),
    (
        "severity",
        "severity = \"revise\"（block、senior、revise、advice 之一）",
    ),
    (
        "contexts",
        "contexts = [\"public\", \"customer\"]（public、customer、parents、group 中选用）",
    ),
    (
        "message",
        "message = \"……\"（说明违反了制度哪一条、为什么）",
    ),
    ("suggestion", "suggestion = \"……\"（告诉写稿人怎样改）"),
];
const MATCHER_KEYS: [&str; 4] = ["words", "pattern", "validator", "all"];
const SEVERITIES: &str = "block、senior、revise、advice";
const CONTEXTS: &str = "public、customer、parents、group";
const VALIDATORS: &str = "phone、resident-id、bank-card、email";

fn all_keys() -> impl Iterator<Item = &'static str> {
    TEXT_KEYS.into_iter().chain(LIST_KEYS).chain(NUMBER_KEYS)
}

/// How `{{name}}` references in a key's values are filled in, if at all:
/// ids, clause numbers and enum names are not company values.
fn fill_mode(key: &str) -> Option<Fill> {
    match key {
        "pattern" => Some(Fill::Regex),
        "message" | "suggestion" | "replacement" | "words" | "anchors" | "allow" | "must-flag"
        | "must-pass" | "all" | "soft-message" | "soft-suggestion" => Some(Fill::Text),
        _ => None,
    }
}

/// The closest known key to a misspelt one (`sevrity`, `must_flag`), if any
/// is close enough to be what the admin meant.
fn did_you_mean(key: &str, known: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    known
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|&(d, k)| d <= 2.min(k.len() / 2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

fn type_zh(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "文字",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "日期",
        DeValue::Array(_) => "列表",
        DeValue::Table(_) => "表",
    }
}

/// Byte offset → 1-based line, by binary search over the line starts.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }
    fn at(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

/// One rules file being read: where errors go and how lines are found.
struct Reader<'a> {
    file: &'a str,
    lines: Lines,
    settings: &'a Settings,
    /// `[[concept]]` vocabularies of every file, by name (rules cite `@name`).
    concepts: &'a HashMap<String, Vec<String>>,
    errors: Vec<RuleError>,
}

/// A value read from a rule: its text(s) with the line of each.
enum Value {
    Text(String),
    List(Vec<String>),
    Number(usize),
}

struct Field {
    line: usize,
    value: Value,
    items: Vec<usize>,
}

impl Reader<'_> {
    fn error(&mut self, line: usize, rule: Option<&str>, message: String) {
        self.errors
            .push(RuleError::new(self.file, Some(line), rule, message));
    }

    /// A list of contexts (`contexts`, `question-not-in`), each with its
    /// line; unknown and repeated ones reported and left out.
    fn context_list(&mut self, field: Option<&Field>, rule: Option<&str>) -> Vec<(Context, usize)> {
        let mut out: Vec<(Context, usize)> = Vec::new();
        let Some(Field {
            value: Value::List(list),
            items,
            ..
        }) = field
        else {
            return out;
        };
        for (c, &line) in list.iter().zip(items) {
            match c.parse::<Context>() {
                Ok(c) if !out.iter().any(|&(x, _)| x == c) => out.push((c, line)),
                Ok(_) => self.error(line, rule, format!("场景 `{c}` 重复：请删去重复的一个")),
                Err(_) => self.error(
                    line,
                    rule,
                    format!("未知的场景 `{c}`：请改为 {CONTEXTS} 之一"),
                ),
            }
        }
        out
    }

    /// Fills in settings; each bad reference is reported at `line`.
    fn fill(&mut self, key: &str, text: &str, line: usize, rule: Option<&str>) -> Option<String> {
        let Some(how) = fill_mode(key) else {
            return Some(text.to_string());
        };
        match fill(text, self.settings, how) {
            Ok(s) => Some(s),
            Err(messages) => {
                for m in messages {
                    self.error(line, rule, m);
                }
                None
            }
        }
    }

    /// A list of texts (`allow = [...]` and the list keys of a rule).
    fn list(
        &mut self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        rule: Option<&str>,
    ) -> Option<(Vec<String>, Vec<usize>)> {
        let line = self.lines.at(value.span().start);
        let items = match value.get_ref() {
            DeValue::Array(items) => items,
            DeValue::String(s) => {
                self.error(
                    line,
                    rule,
                    format!("{key} 应是列表：请加上方括号，写成 {key} = [\"{s}\"]"),
                );
                return None;
            }
            other => {
                self.error(
                    line,
                    rule,
                    format!(
                        "{key} 应是文字列表，现在是{}：请写成 {key} = [\"甲\", \"乙\"]",
                        type_zh(other)
                    ),
                );
                return None;
            }
        };
        let (mut out, mut lines, mut ok) = (Vec::new(), Vec::new(), true);
        for (i, item) in items.iter().enumerate() {
            let line = self.lines.at(item.span().start);
            match item.get_ref() {
                DeValue::String(s) => match self.fill(key, s, line, rule) {
                    Some(s) => {
                        out.push(s);
                        lines.push(line);
                    }
                    None => ok = false,
                },
                other => {
                    ok = false;
                    self.error(
                        line,
                        rule,
                        format!(
                            "{key} 的第 {} 项是{}，应是文字：请用英文引号括起来",
                            i + 1,
                            type_zh(other)
                        ),
                    );
                }
            }
        }
        ok.then_some((out, lines))
    }

    /// [`Reader::list`] of words, each word that normalises to nothing
    /// reported at its line (`{owner} 中有空词`) and left out: an empty word
    /// would match everywhere.
    fn word_list(&mut self, key: &str, value: &Spanned<DeValue<'_>>, owner: &str) -> Vec<String> {
        let Some((words, lines)) = self.list(key, value, None) else {
            return Vec::new();
        };
        let mut kept = Vec::with_capacity(words.len());
        for (w, line) in words.into_iter().zip(lines) {
            if normalize(&w).trim().is_empty() {
                self.error(line, None, format!("{owner} 中有空词：请删去这一项"));
            } else {
                kept.push(w);
            }
        }
        kept
    }

    /// The top level of a rules file: `allow` and `[[rule]]` tables.
    fn file(&mut self, root: &DeTable<'_>, rules: &mut Vec<Rule>, allow: &mut Vec<String>) {
        for (key, value) in root {
            let line = self.lines.at(key.span().start);
            match key.get_ref().as_ref() {
                "allow" => allow.extend(self.word_list("allow", value, "全局 allow")),
                // Read by `vocabularies` before any rule, from every file.
                "concept" | "stance" => {}
                "rule" => match value.get_ref() {
                    DeValue::Array(tables) => {
                        for table in tables {
                            let header = self.lines.at(table.span().start);
                            match table.get_ref() {
                                DeValue::Table(t) => {
                                    if let Some(rule) = self.rule(t, header) {
                                        rules.push(rule);
                                    }
                                }
                                other => self.error(
                                    header,
                                    None,
                                    format!(
                                        "rule 的每一项都应是一条规则（表），这里是{}：\
                                         请把每条规则写成以 [[rule]] 开头的一段",
                                        type_zh(other)
                                    ),
                                ),
                            }
                        }
                    }
                    _ => self.error(
                        line,
                        None,
                        "规则的表头要用两层方括号：请把 [rule] 改为 [[rule]]".into(),
                    ),
                },
                other if all_keys().any(|k| k == other) => self.error(
                    line,
                    None,
                    format!(
                        "`{other}` 写在了第一个 [[rule]] 之前：请把它移到所属规则的 [[rule]] 行下面"
                    ),
                ),
                other => {
                    let message = match did_you_mean(
                        other,
                        ["allow", "rule", "concept", "stance"].into_iter(),
                    ) {
                        Some(k) => format!("未知的键 `{other}`：是不是想写 {k}？请改正拼写"),
                        None => format!(
                            "未知的键 `{other}`：规则文件顶层只能写 allow、[[concept]]、[[stance]] 和 [[rule]]，请删去它"
                        ),
                    };
                    self.error(line, None, message);
                }
            }
        }
    }

    /// One `[[rule]]` table; `None` (with its errors reported) when any key
    /// is wrong. Each mistake is reported once, at the line of its key.
    fn rule(&mut self, table: &DeTable<'_>, header: usize) -> Option<Rule> {
        let id = table
            .get("id")
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_string);
        let rule = id.as_deref();
        let before = self.errors.len();
        let mut fields: HashMap<&'static str, Field> = HashMap::new();
        // Keys written (even with a bad value) and keys a misspelling stands for.
        let mut present: HashSet<&str> = HashSet::new();
        let mut meant: HashSet<&str> = HashSet::new();
        for (key, value) in table {
            let name: &str = key.get_ref();
            let line = self.lines.at(key.span().start);
            let value_line = self.lines.at(value.span().start);
            if let Some(k) = TEXT_KEYS.into_iter().find(|k| *k == name) {
                present.insert(k);
                match value.get_ref() {
                    DeValue::String(s) => {
                        if let Some(s) = self.fill(k, s, value_line, rule) {
                            fields.insert(
                                k,
                                Field {
                                    line,
                                    value: Value::Text(s),
                                    items: Vec::new(),
                                },
                            );
                        }
                    }
                    other => self.error(
                        value_line,
                        rule,
                        format!(
                            "{k} 应是文字，现在是{}：请用英文引号括起来，写成 {k} = \"…\"",
                            type_zh(other)
                        ),
                    ),
                }
            } else if let Some(k) = NUMBER_KEYS.into_iter().find(|k| *k == name) {
                present.insert(k);
                match value.get_ref() {
                    DeValue::Integer(n) if n.as_str().parse::<usize>().is_ok_and(|n| n > 0) => {
                        fields.insert(
                            k,
                            Field {
                                line,
                                value: Value::Number(n.as_str().parse().unwrap_or(1)),
                                items: Vec::new(),
                            },
                        );
                    }
                    other => self.error(
                        value_line,
                        rule,
                        format!(
                            "{k} 应是大于 0 的整数（单位：字），现在是{}：请写成 {k} = 20",
                            type_zh(other)
                        ),
                    ),
                }
            } else if let Some(k) = LIST_KEYS.into_iter().find(|k| *k == name) {
                present.insert(k);
                if let Some((list, items)) = self.list(k, value, rule) {
                    fields.insert(
                        k,
                        Field {
                            line,
                            value: Value::List(list),
                            items,
                        },
                    );
                }
            } else {
                let message = match did_you_mean(name, all_keys()) {
                    Some(k) => {
                        meant.insert(k);
                        format!("未知的键 `{name}`：是不是想写 {k}？请改正拼写")
                    }
                    None => format!(
                        "未知的键 `{name}`：请删去它，或改为 {} 之一",
                        all_keys().collect::<Vec<_>>().join("、")
                    ),
                };
                self.error(line, rule, message);
            }
        }
        for (key, how) in REQUIRED {
            if !present.contains(key) && !meant.contains(key) {
                self.error(
                    header,
                    rule,
                    format!("缺少 {key}：请在这条规则里加上 {how}"),
                );
            }
        }
        let line =
            |k: &str, fields: &HashMap<&str, Field>| fields.get(k).map_or(header, |f| f.line);
        let severity = match fields.get("severity").map(|f| (&f.value, f.line)) {
            Some((Value::Text(s), line)) => match s.parse::<Severity>() {
                Ok(s) => Some(s),
                Err(_) => {
                    self.error(
                        line,
                        rule,
                        format!("未知的 severity `{s}`：请把 severity 改为 {SEVERITIES} 之一"),
                    );
                    None
                }
            },
            _ => None,
        };
        let contexts: Vec<Context> = self
            .context_list(fields.get("contexts"), rule)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        let validator = match fields.get("validator").map(|f| (&f.value, f.line)) {
            Some((Value::Text(v), line)) => {
                let found = Validator::ALL.into_iter().find(|x| x.as_str() == v);
                if found.is_none() {
                    self.error(
                        line,
                        rule,
                        format!("未知的 validator `{v}`：请改为 {VALIDATORS} 之一"),
                    );
                }
                found
            }
            _ => None,
        };
        // A misspelt key counts as written: its one error is enough.
        let written = |k: &str| present.contains(k) || meant.contains(k);
        let matchers: Vec<&str> = MATCHER_KEYS.into_iter().filter(|k| written(k)).collect();
        match matchers.as_slice() {
            [] => self.error(
                header,
                rule,
                "缺少匹配方式：请写 words（词表）、pattern（正则，另加 anchors）、\
                 validator 或 all（同时出现）之一"
                    .into(),
            ),
            [_] => {
                if present.contains("pattern") && !written("anchors") {
                    self.error(
                        line("pattern", &fields),
                        rule,
                        "pattern 规则必须写 anchors：请加上 anchors = [\"…\"]，\
                         列出每个匹配必然以之开头的词（用于预筛选）"
                            .into(),
                    );
                }
                if present.contains("within") && !written("all") {
                    self.error(
                        line("within", &fields),
                        rule,
                        "within 只能与 all 一起使用：请删去 within".into(),
                    );
                }
                if present.contains("anchors") && !written("pattern") {
                    self.error(
                        line("anchors", &fields),
                        rule,
                        "anchors 只能与 pattern 一起使用：请删去 anchors".into(),
                    );
                }
            }
            [first, .., last] => {
                let at = matchers
                    .iter()
                    .map(|k| line(k, &fields))
                    .max()
                    .unwrap_or(header);
                self.error(
                    at,
                    rule,
                    format!(
                        "{first} 和 {last} 只能写一个：一条规则只用一种匹配方式，\
                         请删去其中一个，或拆成两条规则"
                    ),
                );
            }
        }
        let stances = |this: &mut Self, key: &str| -> Vec<Stance> {
            let Some(f) = fields.get(key) else {
                return Vec::new();
            };
            let Value::List(list) = &f.value else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for (name, &line) in list.iter().zip(&f.items) {
                match Stance::parse(name) {
                    Some(s) => out.push(s),
                    None => this.error(
                        line,
                        rule,
                        format!(
                            "未知的语气 `{name}`：请改为 {} 之一",
                            Stance::ALL.map(Stance::as_str).join("、")
                        ),
                    ),
                }
            }
            out
        };
        let unless = stances(self, "unless");
        let soften = stances(self, "soften");
        let mut question_not_in = Vec::new();
        if let Some(f) = fields.get("question-not-in")
            && matches!(f.value, Value::List(_))
        {
            if !unless.contains(&Stance::Question) {
                self.error(
                    f.line,
                    rule,
                    "question-not-in 只对 unless 里的 question 起作用：请在 unless 中写上 \"question\"，或删去 question-not-in"
                        .into(),
                );
            }
            for (c, line) in self.context_list(Some(f), rule) {
                if contexts.contains(&c) {
                    question_not_in.push(c);
                } else {
                    self.error(
                        line,
                        rule,
                        format!(
                            "场景 `{c}` 不在本规则的 contexts 里：请删去它，或把它加进 contexts"
                        ),
                    );
                }
            }
        }
        let soft_texts = written("soft-message") && written("soft-suggestion");
        if !soften.is_empty() && !soft_texts {
            self.error(
                line("soften", &fields),
                rule,
                "写了 soften 的规则还要写 soft-message 和 soft-suggestion：请加上降为建议时显示的说明和修改建议"
                    .into(),
            );
        }
        // `@name` in words, in the parts of `all` and in `allow` stands for a
        // concept: an allow list two rules share (the common words a surname
        // character stands in) is written once.
        let mut parts_names = None;
        for key in ["words", "all", "allow"] {
            let Some(f) = fields.get_mut(key) else {
                continue;
            };
            let Value::List(list) = &f.value else {
                continue;
            };
            let mut expanded = Vec::new();
            let mut parts = Vec::new();
            let mut unknown = Vec::new();
            for (item, &line) in list.iter().zip(&f.items) {
                let words = match item.strip_prefix('@') {
                    Some(name) => match self.concepts.get(name) {
                        Some(words) => words.clone(),
                        None => {
                            unknown.push((line, name.to_string()));
                            Vec::new()
                        }
                    },
                    None => vec![item.clone()],
                };
                expanded.extend(words.iter().cloned());
                parts.push(words);
            }
            if key == "all" {
                parts_names = Some((list.clone(), parts));
            } else {
                f.value = Value::List(expanded);
            }
            for (line, name) in unknown {
                self.error(
                    line,
                    rule,
                    format!(
                        "概念 `@{name}` 未定义：请在规则文件中用 [[concept]] 定义它，或改正拼写"
                    ),
                );
            }
        }
        if self.errors.len() > before {
            return None;
        }
        let key_lines = KeyLines {
            keys: fields
                .iter()
                .map(|(&key, f)| KeyLine {
                    key,
                    line: f.line,
                    items: f.items.clone(),
                })
                .collect(),
        };
        let (soft_message, soft_suggestion) = (
            match fields.remove("soft-message") {
                Some(Field {
                    value: Value::Text(s),
                    ..
                }) => Some(s),
                _ => None,
            },
            match fields.remove("soft-suggestion") {
                Some(Field {
                    value: Value::Text(s),
                    ..
                }) => Some(s),
                _ => None,
            },
        );
        let mut take_text = |k: &str| match fields.remove(k) {
            Some(Field {
                value: Value::Text(s),
                ..
            }) => Some(s),
            _ => None,
        };
        let (id, clause, message, suggestion, replacement, pattern) = (
            take_text("id")?,
            take_text("clause")?,
            take_text("message")?,
            take_text("suggestion")?,
            take_text("replacement"),
            take_text("pattern"),
        );
        let within = match fields.remove("within") {
            Some(Field {
                value: Value::Number(n),
                ..
            }) => Some(n),
            _ => None,
        };
        let mut take_list = |k: &str| match fields.remove(k) {
            Some(Field {
                value: Value::List(l),
                ..
            }) => Some(l),
            _ => None,
        };
        let words = take_list("words");
        let anchors = take_list("anchors");
        let matcher = match (words, pattern, anchors, validator, parts_names) {
            (Some(words), None, None, None, None) => Matcher::Words { words },
            (None, Some(pattern), Some(anchors), None, None) => {
                Matcher::Pattern { pattern, anchors }
            }
            (None, None, None, Some(validator), None) => Matcher::Validator { validator },
            (None, None, None, None, Some((names, parts))) => Matcher::Near {
                parts,
                names,
                within,
            },
            // The checks above report every other combination; never drop a
            // rule without saying so.
            _ => {
                self.error(
                    header,
                    rule,
                    "words、pattern（加 anchors）、validator 的写法无法识别：请只保留其中一种"
                        .into(),
                );
                return None;
            }
        };
        Some(Rule {
            id: id.into(),
            clause: clause.into(),
            severity: severity?,
            contexts,
            message: message.into(),
            suggestion: suggestion.into(),
            replacement: replacement.map(Into::into),
            matcher,
            allow: take_list("allow").unwrap_or_default(),
            examples_flag: take_list("must-flag").unwrap_or_default(),
            examples_pass: take_list("must-pass").unwrap_or_default(),
            unless,
            question_not_in,
            soften,
            soft_message: soft_message.map(Into::into),
            soft_suggestion: soft_suggestion.map(Into::into),
            file: self.file.to_string(),
            line: header,
            lines: key_lines,
        })
    }
}

/// What the rules files define.
pub(crate) struct Parsed {
    pub rules: Vec<Rule>,
    pub allow: Vec<String>,
    pub stances: Vec<StanceCues>,
}

/// Parses every file into rules, global allow words and stance cues, filling
/// in `{{name}}` references from `settings` and `@concept` references from
/// the `[[concept]]` tables of every file; collects all errors.
pub(crate) fn parse(files: &[SourceFile], settings: &Settings) -> (Parsed, Vec<RuleError>) {
    let mut parsed = Parsed {
        rules: Vec::new(),
        allow: Vec::new(),
        stances: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut roots = Vec::new();
    for file in files {
        match DeTable::parse(&file.text) {
            Ok(root) => roots.push((file, root)),
            Err(e) => {
                let (line, message) = explain_toml_error(&file.text, &e);
                errors.push(RuleError::new(&file.name, line, None, message));
            }
        }
    }
    let concepts = vocabularies(&roots, &mut parsed.stances, &mut errors);
    for (file, root) in &roots {
        let mut reader = Reader {
            file: &file.name,
            lines: Lines::new(&file.text),
            settings,
            concepts: &concepts,
            errors: Vec::new(),
        };
        reader.file(root.get_ref(), &mut parsed.rules, &mut parsed.allow);
        errors.append(&mut reader.errors);
    }
    (parsed, errors)
}

/// `[[concept]]` (name, words) and `[[stance]]` (name, words, except, after) tables
/// of every file, read first so that any rule may cite any concept.
fn vocabularies(
    roots: &[(&SourceFile, Spanned<DeTable<'_>>)],
    stances: &mut Vec<StanceCues>,
    errors: &mut Vec<RuleError>,
) -> HashMap<String, Vec<String>> {
    let mut concepts: HashMap<String, Vec<String>> = HashMap::new();
    let settings = Settings::default();
    for (file, root) in roots {
        let mut reader = Reader {
            file: &file.name,
            lines: Lines::new(&file.text),
            settings: &settings,
            concepts: &concepts,
            errors: Vec::new(),
        };
        let mut found_concepts = Vec::new();
        for kind in ["concept", "stance"] {
            let Some(value) = root.get_ref().get(kind) else {
                continue;
            };
            let line = reader.lines.at(value.span().start);
            let DeValue::Array(tables) = value.get_ref() else {
                reader.error(
                    line,
                    None,
                    format!("{kind} 的表头要用两层方括号：请写成 [[{kind}]]"),
                );
                continue;
            };
            for table in tables {
                let line = reader.lines.at(table.span().start);
                let DeValue::Table(t) = table.get_ref() else {
                    reader.error(
                        line,
                        None,
                        format!("请把每个 {kind} 写成以 [[{kind}]] 开头的一段"),
                    );
                    continue;
                };
                let name = t
                    .get("name")
                    .and_then(|v| v.get_ref().as_str())
                    .map(str::to_string);
                let Some(name) = name else {
                    reader.error(
                        line,
                        None,
                        format!("[[{kind}]] 缺少 name：请加上 name = \"…\""),
                    );
                    continue;
                };
                for key in t.keys() {
                    let key: &str = key.get_ref();
                    let known: &[&str] = if kind == "concept" {
                        &["name", "words"]
                    } else {
                        &[
                            "name",
                            "words",
                            "except",
                            "after",
                            "topics",
                            "after-topic",
                            "topic-except",
                        ]
                    };
                    if !known.contains(&key) {
                        reader.error(
                            line,
                            None,
                            format!(
                                "[[{kind}]] {name} 里有未知的键 `{key}`：只能写 {}",
                                known.join("、")
                            ),
                        );
                    }
                }
                let list = |reader: &mut Reader<'_>, key: &str| -> Vec<String> {
                    t.get(key)
                        .map(|v| reader.word_list(key, v, &format!("[[{kind}]] {name} 的 {key}")))
                        .unwrap_or_default()
                };
                let words = list(&mut reader, "words");
                if words.is_empty() {
                    reader.error(
                        line,
                        None,
                        format!("[[{kind}]] {name} 没有词：请在 words 中至少写一个词"),
                    );
                    continue;
                }
                if kind == "concept" {
                    found_concepts.push((line, name, words));
                    continue;
                }
                let except = list(&mut reader, "except");
                let after = list(&mut reader, "after");
                let topics = list(&mut reader, "topics");
                let after_topic = list(&mut reader, "after-topic");
                let topic_except = list(&mut reader, "topic-except");
                let topical =
                    !(topics.is_empty() && after_topic.is_empty() && topic_except.is_empty());
                match Stance::parse(&name) {
                    Some(which) if topical && which != Stance::Negation => reader.error(
                        line,
                        None,
                        format!(
                            "语气 {name} 不能写 topics、after-topic、topic-except：话题标记后的拒绝只用于 negation（否定），请把这些词移到 negation 下"
                        ),
                    ),
                    Some(which) if !after.is_empty() && which.after_reach().is_none() => reader
                        .error(
                            line,
                            None,
                            format!(
                                "语气 {name} 的提示词在整句内前后都算，不需要 after：请把这些词移到 words"
                            ),
                        ),
                    Some(which) => match stances.iter_mut().find(|c| c.stance == which) {
                        Some(cues) => {
                            cues.words.extend(words);
                            cues.except.extend(except);
                            cues.after.extend(after);
                            cues.topics.extend(topics);
                            cues.after_topic.extend(after_topic);
                            cues.topic_except.extend(topic_except);
                        }
                        None => stances.push(StanceCues {
                            stance: which,
                            words,
                            except,
                            after,
                            topics,
                            after_topic,
                            topic_except,
                        }),
                    },
                    None => reader.error(
                        line,
                        None,
                        format!(
                            "未知的语气 `{name}`：请改为 {} 之一",
                            Stance::ALL.map(Stance::as_str).join("、")
                        ),
                    ),
                }
            }
        }
        errors.append(&mut reader.errors);
        for (line, name, words) in found_concepts {
            if concepts.insert(name.clone(), words).is_some() {
                errors.push(RuleError::new(
                    &file.name,
                    Some(line),
                    None,
                    format!("概念 `{name}` 重复定义：请合并为一个"),
                ));
            }
        }
    }
    concepts
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Empty global allow phrases (rules read from JSON; the TOML reader checks
/// them where they are written). Native only, as `RuleSet::from_json`'s
/// validation is.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn validate_global_allow(global_allow: &[String]) -> Vec<RuleError> {
    global_allow
        .iter()
        .filter(|w| normalize(w).trim().is_empty())
        .map(|_| RuleError::new("rules.json", None, None, "全局 allow 中有空词：请删去它"))
        .collect()
}

/// The error for a rule word the variant table rewrites on its own. Native
/// only, like the rest of validation that the wasm's bundle has had.
#[cfg(not(target_arch = "wasm32"))]
fn variant_word(word: &str, canonical: &str) -> String {
    format!(
        "`{word}` 是变体写法，归一化后就是 `{canonical}`（见 checker-wasm/engine/data/variants.toml），\
         本规则会因此命中所有的 `{canonical}`：请删去这一项（变体表已经把它读作 `{canonical}`）；\
         确要标记 `{canonical}` 时直接写 `{canonical}`"
    )
}

/// Semantic checks that hold for rules from TOML and from JSON alike. Each
/// error is at the line of the key (or list item) at fault.
pub(crate) fn validate(rules: &[Rule]) -> Vec<RuleError> {
    let mut errors = Vec::new();
    let mut seen: HashMap<&str, &Rule> = HashMap::new();
    for r in rules {
        let mut err = |line: usize, m: String| {
            errors.push(RuleError::new(&r.file, Some(line), Some(&r.id), m));
        };
        if !is_kebab(&r.id) {
            err(
                r.line_of("id"),
                "规则 id 必须是 kebab-case：请只用小写字母、数字和连字符，例如 exam-pass-promise"
                    .into(),
            );
        }
        if let Some(first) = seen.get(&*r.id) {
            err(
                r.line_of("id"),
                format!(
                    "规则 id 与 {}:{} 的规则重复：请给其中一条换一个 id",
                    first.file,
                    first.line_of("id")
                ),
            );
        } else {
            seen.insert(&r.id, r);
        }
        if crate::clause::clause_label(&r.clause).is_none() {
            err(
                r.line_of("clause"),
                format!(
                    "条款编号 `{}` 格式不对：请写成手册中的编号，例如 3.1.1",
                    r.clause
                ),
            );
        }
        if r.contexts.is_empty() {
            err(
                r.line_of("contexts"),
                format!("contexts 不能为空：请写上 {CONTEXTS} 中适用的场景"),
            );
        }
        for key in ["message", "suggestion"] {
            let text = if key == "message" {
                &r.message
            } else {
                &r.suggestion
            };
            if text.trim().is_empty() {
                err(
                    r.line_of(key),
                    format!("{key} 不能为空：请写上给写稿人看的说明"),
                );
            }
        }
        for (key, examples) in [
            ("must-flag", &r.examples_flag),
            ("must-pass", &r.examples_pass),
        ] {
            if examples.is_empty() {
                err(
                    r.line_of(key),
                    format!(
                        "至少要有一个 {key} 例句：请加上 {key} = [\"…\"]，\
                         写一句{}的话",
                        if key == "must-flag" {
                            "本规则必须标记"
                        } else {
                            "看似相关、但本规则不应标记"
                        }
                    ),
                );
            }
        }
        for (i, w) in r.allow.iter().enumerate() {
            if normalize(w).trim().is_empty() {
                err(
                    r.item_line("allow", i),
                    "allow 中有空词：请删去这一项".into(),
                );
            }
        }
        match &r.matcher {
            Matcher::Words { words } => {
                if words.is_empty() {
                    err(
                        r.line_of("words"),
                        "words 不能为空：请写上要标记的词，例如 words = [\"保过\"]".into(),
                    );
                }
                for (i, w) in words.iter().enumerate() {
                    if normalize(w).trim().is_empty() {
                        err(
                            r.item_line("words", i),
                            format!("words 中有空词 `{w}`：请删去这一项"),
                        );
                    }
                    #[cfg(not(target_arch = "wasm32"))]
                    if let Some(canonical) = variant_form_of(w) {
                        err(r.item_line("words", i), variant_word(w, canonical));
                    }
                }
            }
            Matcher::Pattern { pattern, anchors } => {
                match regex_lite::Regex::new(pattern) {
                    Ok(re) if re.is_match("") => err(
                        r.line_of("pattern"),
                        format!(
                            "pattern `{pattern}` 能匹配空字符串：请去掉让整个式子可以为空的 ? 或 *"
                        ),
                    ),
                    Ok(_) => {}
                    Err(e) => err(
                        r.line_of("pattern"),
                        format!(
                            "pattern `{pattern}` 不是合法的正则：请检查括号是否成对、\
                             特殊字符是否用 \\ 转义（{e}）"
                        ),
                    ),
                }
                if anchors.is_empty() {
                    err(
                        r.line_of("anchors"),
                        "anchors 不能为空：请列出每个匹配必然以之开头的词".into(),
                    );
                }
                for (i, a) in anchors.iter().enumerate() {
                    if normalize(a).trim().is_empty() {
                        err(
                            r.item_line("anchors", i),
                            "anchors 中有空词：请删去这一项".into(),
                        );
                    }
                }
            }
            Matcher::Validator { .. } => {}
            Matcher::Near { parts, .. } => {
                if parts.len() < 2 {
                    err(
                        r.line_of("all"),
                        "all 至少要有两项：请写两个或更多概念（@名称）或词，它们同时出现才算命中"
                            .into(),
                    );
                }
                for (i, part) in parts.iter().enumerate() {
                    if part.is_empty() || part.iter().any(|w| normalize(w).trim().is_empty()) {
                        err(
                            r.item_line("all", i),
                            "all 的这一项没有词或含空词：请检查它引用的概念".into(),
                        );
                    }
                    #[cfg(not(target_arch = "wasm32"))]
                    for w in part {
                        if let Some(canonical) = variant_form_of(w) {
                            err(r.item_line("all", i), variant_word(w, canonical));
                        }
                    }
                }
            }
        }
        let fills_masked = r
            .replacement
            .as_ref()
            .is_some_and(|x| x.contains("{masked}"));
        if fills_masked && !matches!(r.matcher, Matcher::Validator { .. }) {
            err(
                r.line_of("replacement"),
                "replacement 中的 {masked} 只能用于 validator 规则（其他规则没有脱敏值可填）：\
                 请写出替换用的文字，或删去 replacement"
                    .into(),
            );
        }
    }
    errors
}
