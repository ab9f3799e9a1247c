//! The variant table's own examples (`data/variants.toml`): each `must-flag`
//! text normalises to one containing the canonical form, each `must-pass`
//! text to one that does not. The table is compiled into the engine by
//! `build.rs`; this test reads the same file to check what it promises.

mod common;

use serde::Deserialize;
use wxcheck::normalize::{Fold, fold_char, normalize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    variant: Vec<Variant>,
    #[serde(rename = "stand-in")]
    stand_in: Vec<StandIn>,
}

/// An emoji read as the word it stands for (`src/second_reading.rs`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StandIn {
    emoji: Vec<String>,
    reads: String,
    must_flag: Vec<String>,
    must_pass: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[allow(dead_code)] // context fields are read by build.rs, listed here so typos fail
struct Variant {
    canonical: String,
    forms: Vec<String>,
    #[serde(default, rename = "only_before")]
    only_before: Vec<String>,
    #[serde(default, rename = "only_after")]
    only_after: Vec<String>,
    #[serde(default, rename = "not_before")]
    not_before: Vec<String>,
    #[serde(default, rename = "not_after")]
    not_after: Vec<String>,
    #[serde(default)]
    must_flag: Vec<String>,
    #[serde(default)]
    must_pass: Vec<String>,
}

#[test]
fn variant_examples() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/variants.toml");
    let table: Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut examples = 0;
    for v in &table.variant {
        assert!(
            !v.must_flag.is_empty() && !v.must_pass.is_empty(),
            "{}: needs examples",
            v.canonical
        );
        for f in &v.forms {
            // Matched on folded text: a form must be folded itself.
            assert!(
                f.chars().all(|c| fold_char(c) == Fold::One(c)),
                "form {f} is not written folded (lower case, Simplified, no full width)"
            );
        }
        for ex in &v.must_flag {
            examples += 1;
            if !normalize(ex).contains(&v.canonical) {
                failures.push(format!(
                    "must-flag {ex:?} → {:?} lacks {}",
                    normalize(ex),
                    v.canonical
                ));
            }
        }
        for ex in &v.must_pass {
            examples += 1;
            assert!(
                !ex.contains(&v.canonical),
                "a must-pass example already has it: {ex}"
            );
            if normalize(ex).contains(&v.canonical) {
                failures.push(format!(
                    "must-pass {ex:?} → {:?} has {}",
                    normalize(ex),
                    v.canonical
                ));
            }
        }
    }
    assert!(examples >= 30, "only {examples} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each stand-in's `must-flag` text gets a finding over one of its emoji from
/// the repository's rules, and no `must-pass` text gets one there.
#[test]
fn stand_in_examples() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/variants.toml");
    let table: Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rules = common::rules();
    let mut failures = Vec::new();
    for s in &table.stand_in {
        assert!(
            !s.must_flag.is_empty() && !s.must_pass.is_empty(),
            "{}: needs examples",
            s.reads
        );
        for (examples, want) in [(&s.must_flag, true), (&s.must_pass, false)] {
            for ex in examples {
                let at: Vec<usize> = ex
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| s.emoji.iter().any(|e| e.starts_with(*c)))
                    .map(|(i, _)| i)
                    .collect();
                assert!(!at.is_empty(), "{ex:?} has none of {:?}", s.emoji);
                let report = rules.check(ex, wxcheck::Context::Public);
                let over = report
                    .findings
                    .iter()
                    .find(|f| at.iter().any(|&i| f.start <= i && i < f.end));
                if over.is_some() != want {
                    failures.push(format!(
                        "{} {ex:?} ({} reads {}): {:?}",
                        if want { "must-flag" } else { "must-pass" },
                        s.emoji.join(""),
                        s.reads,
                        over.map(|f| &f.rule)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
