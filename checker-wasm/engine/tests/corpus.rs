//! Accuracy over the labelled corpus in `tests/corpus/` (repository root).
//! Prints precision and recall per clause; fails when any clause's recall is
//! below 0.9 or more than 2% of clean drafts get `revise` or worse.

mod common;

use common::corpus;
use std::collections::{BTreeMap, BTreeSet};
use wxcheck::Verdict;

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

#[test]
fn corpus_accuracy() {
    let rules = common::rules();
    let drafts = corpus();
    assert!(
        drafts.len() >= 150,
        "corpus has only {} drafts",
        drafts.len()
    );
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut clean, mut clean_alarms) = (0usize, 0usize);
    let mut contexts = BTreeSet::new();
    for (file, d) in &drafts {
        contexts.insert(d.context);
        let report = rules.check(&d.text, d.context);
        let found: BTreeSet<&str> = report.findings.iter().map(|f| &*f.clause).collect();
        let want: BTreeSet<&str> = d.clauses.iter().map(String::as_str).collect();
        for c in want.union(&found) {
            let e = per.entry(c.to_string()).or_default();
            match (want.contains(c), found.contains(c)) {
                (true, true) => e.tp += 1,
                (true, false) => {
                    e.fn_ += 1;
                    eprintln!("MISSED {c} in {file} [{}]: {}", d.context, d.text);
                }
                (false, true) => {
                    e.fp += 1;
                    let f = report.findings.iter().find(|f| &*f.clause == *c).unwrap();
                    eprintln!(
                        "EXTRA {c} ({}: {}) in {file} [{}]: {}",
                        f.rule, f.text, d.context, d.text
                    );
                }
                _ => {}
            }
        }
        if want.is_empty() {
            clean += 1;
            if report.verdict >= Verdict::Revise {
                clean_alarms += 1;
            }
        }
    }
    println!(
        "{:<8} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "clause", "tp", "fp", "fn", "precision", "recall"
    );
    let mut low = Vec::new();
    for (c, k) in &per {
        let p = k.tp as f64 / (k.tp + k.fp).max(1) as f64;
        let r = k.tp as f64 / (k.tp + k.fn_).max(1) as f64;
        println!(
            "{c:<8} {:>4} {:>4} {:>4} {p:>9.3} {r:>7.3}",
            k.tp, k.fp, k.fn_
        );
        if k.tp + k.fn_ > 0 && r < 0.9 {
            low.push(c.clone());
        }
    }
    let rate = clean_alarms as f64 / clean.max(1) as f64;
    println!(
        "drafts {}, clean {clean}, clean drafts at revise or worse: {clean_alarms} ({:.1}%)",
        drafts.len(),
        rate * 100.0
    );
    assert_eq!(contexts.len(), 3, "every context must be in the corpus");
    for c in [
        "2.2.1", "2.3.2", "3.1.1", "3.1.3", "3.2.1", "3.2.2", "3.2.3", "3.3.1", "3.3.2", "3.3.3",
        "4.2.2", "5.1.3", "5.2.2", "5.3.2",
    ] {
        assert!(
            per.get(c).is_some_and(|k| k.tp + k.fn_ > 0),
            "no draft for clause {c}"
        );
    }
    assert!(low.is_empty(), "recall below 0.9 for {low:?}");
    assert!(
        rate <= 0.02,
        "{:.1}% of clean drafts flagged revise or worse",
        rate * 100.0
    );
}
