//! Every rule's own examples, straight from `book/rules/*.toml`: each
//! `must-flag` example is flagged by that rule, each `must-pass` one is not.
//! All failures are reported together, like regex's TOML test suite.

mod common;

#[test]
fn rules_load_and_examples_hold() {
    let rules = common::rules();
    let failures = rules.check_examples();
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} rule example(s) failed",
        failures.len()
    );
}

#[test]
fn json_round_trip_keeps_behaviour() {
    let rules = common::rules();
    let json = rules.to_json();
    let back = wxcheck::RuleSet::from_json(&json).expect("from_json");
    assert_eq!(back.to_json(), json);
    assert_eq!(back.version(), rules.version());
    assert_eq!(rules.version().len(), 12);
    assert!(back.check_examples().is_empty());
}
