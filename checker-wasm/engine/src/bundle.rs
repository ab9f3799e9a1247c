//! Reading the rules JSON ([`crate::RuleSet::to_json`]'s output) back: the
//! one input of the page's engine (`RuleSet::from_json`).
//!
//! Read with `miniserde`, not serde: serde's derived visitors and
//! `serde_json`'s deserializer, with the float formatting their error
//! messages link in, were 19 KB of the wasm's 164 KB gzipped (DESIGN.md,
//! "The wasm, smaller"). miniserde's derive is a few dynamic calls per
//! struct and its parser is small. What it does not do is done here: enums are read as
//! their names (checked below), and keys the writer leaves out when empty
//! are `Option`s. It ignores unknown keys, and its errors say no more than
//! that the JSON is bad: the file is written by the same build that ships
//! the engine, and everything in it is validated again after reading.
//! Serialising stays with serde (the build's side, native only).

use crate::error::RuleError;
use crate::learned::{LearnedClause, LearnedModel};
use crate::model::{Context, Severity};
use crate::rules::{Rule, RuleRepr, Validator};
use crate::stance::{Stance, StanceCues};
use miniserde::Deserialize;
use std::collections::BTreeMap;

/// What `from_json` reads: the validated parts of a rule set.
pub(crate) struct Bundle {
    pub allow: Vec<String>,
    pub stances: Vec<StanceCues>,
    pub rules: Vec<Rule>,
    pub learned: Option<LearnedModel>,
}

#[derive(Deserialize)]
struct JsonBundle {
    allow: Vec<String>,
    stances: Option<Vec<JsonCues>>,
    rules: Vec<JsonRule>,
    learned: Option<JsonModel>,
}

#[derive(Deserialize)]
struct JsonCues {
    stance: String,
    words: Vec<String>,
    except: Option<Vec<String>>,
    after: Option<Vec<String>>,
    topics: Option<Vec<String>>,
    after_topic: Option<Vec<String>>,
    topic_except: Option<Vec<String>>,
}

/// The JSON form of a rule: [`RuleRepr`] with names for enums.
#[derive(Deserialize)]
struct JsonRule {
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
    all: Option<Vec<Vec<String>>>,
    all_names: Option<Vec<String>>,
    within: Option<usize>,
    allow: Vec<String>,
    examples_flag: Vec<String>,
    examples_pass: Vec<String>,
    unless: Option<Vec<String>>,
    question_not_in: Option<Vec<String>>,
    soften: Option<Vec<String>>,
    soft_message: Option<String>,
    soft_suggestion: Option<String>,
    file: String,
    line: usize,
}

#[derive(Deserialize)]
struct JsonModel {
    note: String,
    orders: Vec<usize>,
    threshold: i32,
    clauses: Vec<JsonClause>,
    grams: BTreeMap<String, Vec<i32>>,
}

#[derive(Deserialize)]
struct JsonClause {
    clause: String,
    bias: i32,
    context_bias: Vec<i32>,
}

fn error(message: String) -> RuleError {
    RuleError::new(
        "rules.json",
        None,
        None,
        format!("规则数据无法读取：{message}。请重新运行 cargo xtask build 生成规则数据"),
    )
}

/// The value of `T` named `name` (as its `as_str` writes it).
fn named<T: Copy>(
    all: &[T],
    as_str: fn(T) -> &'static str,
    what: &str,
    name: &str,
) -> Result<T, RuleError> {
    all.iter()
        .copied()
        .find(|&x| as_str(x) == name)
        .ok_or_else(|| error(format!("未知的{what} `{name}`")))
}

fn stance(name: &str) -> Result<Stance, RuleError> {
    named(&Stance::ALL, Stance::as_str, "语气", name)
}

fn stances(names: Option<Vec<String>>) -> Result<Vec<Stance>, RuleError> {
    names
        .unwrap_or_default()
        .iter()
        .map(|s| stance(s))
        .collect()
}

/// Parses the rules JSON; validation is the caller's.
pub(crate) fn read(json: &str) -> Result<Bundle, RuleError> {
    let bundle: JsonBundle =
        miniserde::json::from_str(json).map_err(|_| error("JSON 格式不对".into()))?;
    let cues: Vec<StanceCues> = bundle
        .stances
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            Ok(StanceCues {
                stance: stance(&c.stance)?,
                words: c.words,
                except: c.except.unwrap_or_default(),
                after: c.after.unwrap_or_default(),
                topics: c.topics.unwrap_or_default(),
                after_topic: c.after_topic.unwrap_or_default(),
                topic_except: c.topic_except.unwrap_or_default(),
            })
        })
        .collect::<Result<_, RuleError>>()?;
    let rules = bundle
        .rules
        .into_iter()
        .map(|r| {
            let repr = RuleRepr {
                severity: named(&Severity::ALL, Severity::as_str, "严重程度", &r.severity)?,
                contexts: r
                    .contexts
                    .iter()
                    .map(|c| named(&Context::ALL, Context::as_str, "场景", c))
                    .collect::<Result<_, _>>()?,
                validator: r
                    .validator
                    .map(|v| named(&Validator::ALL, Validator::as_str, "校验器", &v))
                    .transpose()?,
                unless: stances(r.unless)?,
                question_not_in: r
                    .question_not_in
                    .unwrap_or_default()
                    .iter()
                    .map(|c| named(&Context::ALL, Context::as_str, "场景", c))
                    .collect::<Result<_, _>>()?,
                soften: stances(r.soften)?,
                id: r.id,
                clause: r.clause,
                message: r.message,
                suggestion: r.suggestion,
                replacement: r.replacement,
                words: r.words,
                pattern: r.pattern,
                anchors: r.anchors,
                all: r.all,
                all_names: r.all_names,
                within: r.within,
                allow: r.allow,
                examples_flag: r.examples_flag,
                examples_pass: r.examples_pass,
                soft_message: r.soft_message,
                soft_suggestion: r.soft_suggestion,
                file: r.file,
                line: r.line,
            };
            Rule::try_from(repr).map_err(error)
        })
        .collect::<Result<_, RuleError>>()?;
    let learned = bundle.learned.map(|m| LearnedModel {
        note: m.note,
        orders: m.orders,
        threshold: m.threshold,
        clauses: m
            .clauses
            .into_iter()
            .map(|c| LearnedClause {
                clause: c.clause,
                bias: c.bias,
                context_bias: c.context_bias,
            })
            .collect(),
        grams: m.grams,
    });
    Ok(Bundle {
        allow: bundle.allow,
        stances: cues,
        rules,
        learned,
    })
}
