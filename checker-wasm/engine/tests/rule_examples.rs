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

/// Whose data a number is, in a private chat: the speaker's own or the
/// listener's own softens the finding to advice (`own`, `yours`); someone
/// else's named in the sentence keeps it blocked (`others` overrules both).
/// (draft, severity of its 3.3.3 finding)
#[test]
fn owner_of_the_data_sets_the_severity() {
    use wxcheck::{Context, Severity};
    let rules = common::rules();
    let table = [
        ("您加我微信吧：13812345678（同手机号）", Severity::Advice),
        (
            "您的手机号13812345678，麻烦核对一下对不对",
            Severity::Advice,
        ),
        (
            "跟您核对下报名信息：学员李芳，身份证510107200903162825，家长手机13800001111，没问题的话我就提交了。",
            Severity::Advice,
        ),
        ("您提交的身份证号110105198806152230已核对", Severity::Advice),
        ("家长手机13800001111", Severity::Block),
        ("您可以问问同班豆豆妈妈，她电话13812345678", Severity::Block),
        (
            "您帮我核对下报名信息哈，这是另一位家长的：身份证320106198507124323，您照着填就行。",
            Severity::Block,
        ),
        (
            "您孩子的同桌家长电话是13912345678，您可以直接联系她。",
            Severity::Block,
        ),
    ];
    for (draft, severity) in table {
        let r = rules.check(draft, Context::Customer);
        let found: Vec<_> = r
            .findings
            .iter()
            .filter(|f| &*f.clause == "3.3.3")
            .map(|f| f.severity)
            .collect();
        assert!(!found.is_empty(), "{draft}: {:?}", r.findings);
        assert!(found.iter().all(|&s| s == severity), "{draft}: {found:?}");
    }
}

/// Where a question counts (`question-not-in`). Exam fraud: a question
/// clears the hit where a staff draft quotes or answers a customer's
/// question, but not in the work group, where staff asking staff are
/// arranging it. Disparaging a competitor, the other way round: to
/// customers a question excuses nothing, while in the work group staff
/// checking a rumour with each other are asking.
/// (draft, context, clause, whether a rule flags it under that clause)
#[test]
fn a_question_counts_where_the_rule_says() {
    use wxcheck::Context;
    let rules = common::rules();
    let table = [
        ("能不能找人代考？", Context::Customer, "3.3.1", false),
        ("能不能找人代考？", Context::Parents, "3.3.1", false),
        ("能不能找人代考？", Context::Group, "3.3.1", true),
        (
            "谁有替考的门路？学员愿意出高价",
            Context::Group,
            "3.3.1",
            true,
        ),
        (
            "客户问有没有替考，我说有，这个价格怎么报？",
            Context::Group,
            "3.3.1",
            true,
        ),
        (
            "有个学员想买理论答案，能不能搞到？",
            Context::Group,
            "3.3.1",
            true,
        ),
        (
            "有学员要毕业证急用，不用考试的那种，谁有渠道？",
            Context::Group,
            "3.3.1",
            true,
        ),
        // A customer's question reported with the answer given, or with a
        // request for the answer to give, is no arranging.
        (
            "刚有个客户问能不能找人代考，我已经拒绝了",
            Context::Group,
            "3.3.1",
            false,
        ),
        (
            "有家长问能不能代考，这种怎么回比较合适？",
            Context::Group,
            "3.3.1",
            false,
        ),
        (
            "有学员问有没有渠道提前拿到答案，我说没有",
            Context::Group,
            "3.3.1",
            false,
        ),
        (
            "有家长问XX教育怎么样，我只能说他们的老师都是骗子",
            Context::Parents,
            "3.1.1",
            true,
        ),
        (
            "您说的那家机构，老板上个月被抓了，您还敢报？",
            Context::Customer,
            "3.1.1",
            true,
        ),
        (
            "听说XX教育那边因为虚假宣传被罚了，是真的吗？",
            Context::Group,
            "3.1.1",
            false,
        ),
    ];
    for (draft, context, clause, flagged) in table {
        let r = rules.check(draft, context);
        let found = r
            .findings
            .iter()
            .any(|f| &*f.clause == clause && &*f.rule != "learned");
        assert_eq!(found, flagged, "{draft} ({context:?}): {:?}", r.findings);
    }
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
