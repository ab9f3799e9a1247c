//! The blind evasion battery (issue 10's evasion goal, measured by an
//! outsider): `tests/data/evasion-blind.toml`, written by someone who saw
//! neither the rules nor the normaliser, from a one-page brief (the five
//! payloads of `tests/evasion.rs`, disguised in whatever ways a person
//! dodging a filter would use), and frozen once it was first scored. The
//! team's own battery (`tests/evasion.rs`) is generated from trick families
//! the team chose; this one says how those families hold against tricks
//! nobody here thought of.
//!
//! A case is caught when some finding of the rules covers part of its
//! disguised payload (as in `tests/evasion.rs`); a clean look-alike passes
//! when no finding reaches `revise`.
//!
//! **First scoring (Nov 30, 2026, at the commit that added it): 184 of 363
//! cases through (50.7 %), against the team battery's 19 of 374 (5.1 %);
//! 7 of 134 clean look-alikes at revise or worse.** Issue 10's goal, at
//! most 10 % through, is not met on this battery; the test records the
//! figure as a ratchet and prints the goal's state instead of asserting it.
//! What got through, by kind, is in `DESIGN.md` ("The blind evasion
//! battery"). The battery is frozen: tuning the normaliser on it makes it a
//! development set, and the next figure must come from a fresh one.

mod common;

use serde::Deserialize;
use wxcheck::{Context, Severity};

#[derive(Deserialize)]
struct Battery {
    case: Vec<Case>,
    clean: Vec<Clean>,
}

#[derive(Deserialize)]
struct Case {
    payload: String,
    trick: String,
    text: String,
    /// The disguised payload, exactly as it stands in `text`.
    disguised: String,
}

#[derive(Deserialize)]
struct Clean {
    trick: String,
    text: String,
}

/// Issue 10's goal: at most this share of the cases gets through.
const GOAL: f64 = 0.10;

/// Cases through at the battery's first scoring (see the module docs).
const MAX_THROUGH: usize = 184;

/// Clean look-alikes reported at `revise` or worse at its first scoring.
const MAX_CLEAN_FLAGGED: usize = 7;

#[test]
fn blind_evasion_battery() {
    let battery: Battery = toml::from_str(include_str!("data/evasion-blind.toml")).unwrap();
    let rules = common::rules();
    // payload → (cases, caught), in first-seen order.
    let mut payloads: Vec<(String, usize, usize)> = Vec::new();
    let mut through = Vec::new();
    for c in &battery.case {
        let byte = c
            .text
            .find(&c.disguised)
            .unwrap_or_else(|| panic!("`disguised` is not in the text: {:?}", c.text));
        let start = c.text[..byte].chars().count();
        let end = start + c.disguised.chars().count();
        let caught = rules
            .check(&c.text, Context::Public)
            .findings
            .iter()
            .any(|f| f.start < end && start < f.end);
        match payloads.iter_mut().find(|p| p.0 == c.payload) {
            Some(p) => (p.1, p.2) = (p.1 + 1, p.2 + usize::from(caught)),
            None => payloads.push((c.payload.clone(), 1, usize::from(caught))),
        }
        if !caught {
            through.push(format!("{} [{}]: {:?}", c.payload, c.trick, c.text));
        }
    }
    let flagged: Vec<String> = battery
        .clean
        .iter()
        .filter_map(|c| {
            let report = rules.check(&c.text, Context::Public);
            report
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Revise)
                .then(|| format!("[{}] {:?}", c.trick, c.text))
        })
        .collect();
    println!("{:<12} {:>6} {:>7}", "payload", "cases", "caught");
    for (p, n, caught) in &payloads {
        println!(
            "{p:<12} {n:>6} {:>6.0}%",
            100.0 * *caught as f64 / *n as f64
        );
    }
    let cases = battery.case.len();
    println!(
        "overall: {cases} cases, {} through ({:.1}%); clean look-alikes: {} of {} at revise or worse",
        through.len(),
        100.0 * through.len() as f64 / cases as f64,
        flagged.len(),
        battery.clean.len()
    );
    for t in &through {
        println!("through: {t}");
    }
    for f in &flagged {
        println!("flagged: {f}");
    }
    let met = through.len() as f64 <= GOAL * cases as f64;
    println!(
        "goal (issue 10, at most {:.0}% through): {}",
        GOAL * 100.0,
        if met { "met" } else { "not met" }
    );
    assert!(
        cases >= 300,
        "the battery has {cases} cases, fewer than 300"
    );
    assert!(
        through.len() <= MAX_THROUGH,
        "{} cases got through (at most {MAX_THROUGH} at the first scoring)",
        through.len()
    );
    assert!(
        flagged.len() <= MAX_CLEAN_FLAGGED,
        "{} clean look-alikes flagged (at most {MAX_CLEAN_FLAGGED} at the first scoring)",
        flagged.len()
    );
}
