//! The strict loader, driven by `tests/data/loader.toml`: each broken rules
//! file must produce exactly the listed errors (prefix match, so messages from
//! the TOML and regex parsers can carry detail), all at once.

mod common;

use serde::Deserialize;
use wxcheck::{Context, RuleSet, SourceFile};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rules: String,
    errors: Vec<String>,
}

#[test]
fn broken_rules_files() {
    let cases: Cases = toml::from_str(include_str!("data/loader.toml")).unwrap();
    let mut failures = Vec::new();
    for c in cases.case {
        let got = match RuleSet::load(&[SourceFile {
            name: "x.toml".into(),
            text: c.rules,
        }]) {
            Ok(_) => vec!["(loaded fine)".to_string()],
            Err(e) => e.iter().map(ToString::to_string).collect(),
        };
        let ok = got.len() == c.errors.len()
            && got
                .iter()
                .zip(&c.errors)
                .all(|(g, w)| g.starts_with(w.as_str()));
        if !ok {
            failures.push(format!(
                "{}:\n  got:  {got:#?}\n  want: {:#?}",
                c.name, c.errors
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_examples_names_the_rule_and_example() {
    let rules = RuleSet::load(&[SourceFile {
        name: "x.toml".into(),
        text: r#"
[[rule]]
id = "promise"
clause = "3.1.1"
severity = "revise"
contexts = ["public"]
message = "m"
suggestion = "s"
words = ["保过"]
must-flag = ["包过"]
must-pass = ["保过"]
"#
        .into(),
    }])
    .unwrap();
    let f: Vec<String> = rules
        .check_examples()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        f,
        [
            "x.toml:2: 规则 `promise`: must-flag 例句「包过」在场景 public 下没有被本规则标记",
            "x.toml:2: 规则 `promise`: must-pass 例句「保过」在场景 public 下被本规则标记了",
        ]
    );
    let unknown = rules.check_clauses(&|c| c == "3.1.2").unwrap_err();
    assert_eq!(
        unknown[0].to_string(),
        "x.toml:2: 规则 `promise`: 条款 `3.1.1` 在手册中不存在"
    );
}

#[test]
fn version_changes_with_any_rule() {
    let a = common::rules();
    let mut files = common::rule_files();
    files[0].text = files[0]
        .text
        .replacen("message = \"", "message = \"注意：", 1);
    let b = RuleSet::load(&files).unwrap();
    assert_ne!(a.version(), b.version());
    assert_eq!(a.version(), common::rules().version());
}

#[test]
fn findings_merge_per_clause_and_keep_order() {
    let rules = common::rules();
    // 保证提分 (pattern) and 保证提分 (words) overlap: one 3.1.1 finding.
    let r = rules.check("保证提分，全市第一", Context::Public);
    let clauses: Vec<&str> = r.findings.iter().map(|f| &*f.clause).collect();
    assert_eq!(clauses, ["3.1.1", "3.2.1"]);
    assert_eq!((r.findings[0].start, r.findings[0].end), (0, 4));
    // A phone finding carries its masked replacement.
    let r = rules.check("电话：138-1234-5678", Context::Public);
    assert_eq!(r.findings[0].replacement.as_deref(), Some("138****5678"));
    assert_eq!(r.findings[0].text, "138-1234-5678");
}
