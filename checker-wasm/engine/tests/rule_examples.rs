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

/// `gambling-stake-personal-use` (2.2.2) reads the same bets as
/// `gambling-stake` (3.3.1): one pattern, written twice because a rule has
/// one clause. Editing one without the other would split them silently.
#[test]
fn stake_twins_share_one_pattern() {
    let rules = common::rules();
    let pattern = |id: &str| {
        let rule = rules
            .rules()
            .iter()
            .find(|r| &*r.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        match &rule.matcher {
            wxcheck::Matcher::Pattern { pattern, anchors } => (pattern.clone(), anchors.clone()),
            other => panic!("{id} is not a pattern rule: {other:?}"),
        }
    };
    assert_eq!(
        pattern("gambling-stake"),
        pattern("gambling-stake-personal-use")
    );
}

/// The page's engine reads the rules JSON (`from_json`, not serde: see
/// `src/bundle.rs`): what it reads back must be the rule set written, and
/// check every corpus draft the same, with and without the learned model.
#[test]
fn json_round_trip_keeps_behaviour() {
    let drafts = common::corpus();
    for rules in [common::rules(), common::shipped_rules()] {
        let json = rules.to_json();
        let back = wxcheck::RuleSet::from_json(&json).expect("from_json");
        assert_eq!(back.to_json(), json);
        assert_eq!(back.version(), rules.version());
        assert_eq!(rules.version().len(), 12);
        assert!(back.check_examples().is_empty());
        for (_, d) in &drafts {
            assert_eq!(
                back.check(&d.text, d.context),
                rules.check(&d.text, d.context)
            );
        }
    }
}

/// A rules JSON the build did not write is refused, in Chinese.
#[test]
fn bad_rules_json_is_refused_in_chinese() {
    let json = common::rules().to_json();
    let first_rule = json.find("\"severity\":\"").unwrap() + "\"severity\":\"".len();
    let mut bad_severity = json.clone();
    bad_severity.insert(first_rule, 'x');
    for (bad, needle) in [
        ("", "JSON 格式不对"),
        ("{\"allow\":[]}", "JSON 格式不对"),
        (&json[..json.len() - 1], "JSON 格式不对"),
        (&bad_severity, "未知的严重程度"),
        (&json.replacen("\"public\"", "\"pub\"", 1), "未知的场景"),
        (&json.replacen("\"negation\"", "\"no\"", 1), "未知的语气"),
    ] {
        let e = wxcheck::RuleSet::from_json(bad).unwrap_err().to_string();
        assert!(
            e.contains(needle) && e.contains("cargo xtask build"),
            "{needle}: {e}"
        );
    }
}
