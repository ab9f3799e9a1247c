//! The strict loader, driven by `tests/data/loader.toml`: each broken rules
//! file must produce exactly the listed errors (prefix match, so messages from
//! the regex parser can carry detail), all at once, each at the line of the
//! key at fault and each saying what to do.

mod common;

use serde::Deserialize;
use wxcheck::{Context, RuleSet, Settings, Severity, SourceFile};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    good: String,
    case: Vec<Case>,
}

/// Either a whole rules file, or `good` with `find` replaced by `replace`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rules: Option<String>,
    find: Option<String>,
    replace: Option<String>,
    errors: Vec<String>,
}

#[test]
fn broken_rules_files() {
    let cases: Cases = toml::from_str(include_str!("data/loader.toml")).unwrap();
    let settings: Settings = [("hotline", "400-820-6688"), ("empty", "")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut failures = Vec::new();
    for c in cases.case {
        let text = match (&c.rules, &c.find, &c.replace) {
            (Some(rules), None, None) => rules.clone(),
            (None, Some(find), Some(replace)) => {
                assert!(cases.good.contains(find.as_str()), "{}: find", c.name);
                cases.good.replacen(find.as_str(), replace, 1)
            }
            _ => panic!("{}: give `rules`, or `find` and `replace`", c.name),
        };
        let got = match RuleSet::load_with(
            &[SourceFile {
                name: "x.toml".into(),
                text,
            }],
            &settings,
        ) {
            Ok(_) => Vec::new(),
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
        for g in &got {
            if !g.contains('请') {
                failures.push(format!("{}: says not what to do: {g}", c.name));
            }
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
            "x.toml:10: 规则 promise：must-flag 例句「包过」在场景 public 下没有被本规则标记：\
             请补充规则的 words 或 pattern 使它命中，或把这句移到 must-pass",
            "x.toml:11: 规则 promise：must-pass 例句「保过」在场景 public 下被本规则标记了：\
             请在规则的 allow 中加入包含命中词的无害短语，或把这句移到 must-flag",
        ]
    );
    let unknown = rules.check_clauses(&|c| c == "3.1.2").unwrap_err();
    assert_eq!(
        unknown[0].to_string(),
        "x.toml:4: 规则 promise：条款 `3.1.1` 在手册中不存在：请改为手册中已有的条款编号，\
         或先在手册中加上这一条"
    );
}

#[test]
fn version_changes_with_any_rule() {
    let a = common::rules();
    let mut files = common::rule_files();
    files[0].text = files[0]
        .text
        .replacen("message = \"", "message = \"注意：", 1);
    let b = RuleSet::load_with(&files, &common::settings()).unwrap();
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

#[test]
fn a_block_hit_in_quotation_marks_is_reported_at_revise() {
    let rules = common::rules();
    // (draft, context, severity of its one finding, lowered by the quotes?)
    let table = [
        (
            "四六级可代考，价格私聊",
            Context::Public,
            Severity::Block,
            false,
        ),
        (
            "贴吧有人打“四六级可代考”的广告，还挂我们的名字",
            Context::Public,
            Severity::Revise,
            true,
        ),
        (
            "「四六级可代考」，价格私聊",
            Context::Public,
            Severity::Revise,
            true,
        ),
        // ASCII single quotes quote as well; an apostrophe does not.
        (
            "贴吧有人打'四六级可代考'的广告，还挂我们的名字",
            Context::Public,
            Severity::Revise,
            true,
        ),
        (
            "don't miss it! 四六级可代考, it's easy",
            Context::Public,
            Severity::Block,
            false,
        ),
        // A revise rule keeps its level in quotes; only block is lowered.
        ("“保证提分”", Context::Public, Severity::Revise, false),
    ];
    for (draft, context, severity, lowered) in table {
        let r = rules.check(draft, context);
        assert_eq!(r.findings.len(), 1, "{draft}: {:?}", r.findings);
        assert_eq!(r.findings[0].severity, severity, "{draft}");
        assert_eq!(r.findings[0].message.contains("引号"), lowered, "{draft}");
    }
}

/// A learned model written by hand for a test: unigrams and bigrams, the
/// shipped threshold (70 %), no context bias. `clauses` are (clause, bias);
/// `grams` are (n-gram, clause index, weight); all in thousandths.
fn toy_model(
    clauses: &[(&str, i32)],
    grams: &[(&str, i32, i32)],
) -> wxcheck::learned::LearnedModel {
    use wxcheck::learned::{LearnedClause, LearnedModel};
    LearnedModel {
        note: "toy".into(),
        orders: vec![1, 2],
        threshold: 700,
        clauses: clauses
            .iter()
            .map(|&(clause, bias)| LearnedClause {
                clause: clause.into(),
                bias,
                context_bias: vec![0; Context::ALL.len()],
            })
            .collect(),
        grams: grams
            .iter()
            .map(|&(gram, clause, weight)| (gram.to_string(), vec![clause, weight]))
            .collect(),
    }
}

/// Checks each (public draft, severity of its 3.3.1 finding, lowered by the
/// model?) row: the finding's severity, the verdict, and whether its message
/// carries `note`, the words of the lowering's note.
fn assert_doubted_3_3_1(rules: &wxcheck::RuleSet, table: &[(String, Severity, bool)], note: &str) {
    for (draft, severity, lowered) in table {
        let r = rules.check(draft, Context::Public);
        let f = r.findings.iter().find(|f| &*f.clause == "3.3.1");
        let f = f.unwrap_or_else(|| panic!("{draft}: {:?}", r.findings));
        assert_eq!(f.severity, *severity, "{draft}");
        assert_eq!(f.message.contains(note), *lowered, "{draft}");
        assert_eq!(r.verdict.as_str(), severity.as_str(), "{draft}");
    }
}

#[test]
fn a_block_the_learned_model_doubts_is_reported_at_revise() {
    // A toy model that knows 3.3.1 only: unlikely (about 5 %) unless the
    // draft says 下注 (then about 90 %); and 3.1.1, all but impossible (under
    // 1 %) unless 名额 is there.
    let model = toy_model(
        &[("3.3.1", -3000), ("3.1.1", -5000)],
        &[("下注", 0, 20000), ("名额", 1, 20000)],
    );
    let rules = common::rules().with_learned(model, &|_| true).unwrap();
    // A long notice dilutes one sentence in the draft's probability: the
    // finding's own sentence, read alone, still counts.
    let long = "本周六上午九点照常上课。".repeat(30);
    // (draft, severity of its 3.3.1 finding, lowered by the model?)
    let table = [
        (
            "这个周末大家一起去赌博吧，还是老地方，三缺一".to_string(),
            Severity::Revise,
            true,
        ),
        // Under `DOUBT_MIN_CHARS` the model's reading is mostly its bias:
        // no doubt.
        ("周末一起赌博，三缺一".to_string(), Severity::Block, false),
        (
            "周末一起赌博下注，三缺一".to_string(),
            Severity::Block,
            false,
        ),
        (
            format!("{long}周末一起赌博下注，三缺一"),
            Severity::Block,
            false,
        ),
        (
            format!("{long}周末一起赌博，三缺一"),
            Severity::Revise,
            true,
        ),
    ];
    assert_doubted_3_3_1(&rules, &table, "统计模型认为");
    // A `revise` rule's finding the model is all but sure of is advice;
    // with the model agreeing it stays at revise.
    for (draft, severity) in [
        (
            "这期暑期冲刺班开班了，保过！欢迎各位家长来咨询",
            Severity::Advice,
        ),
        (
            "这期暑期冲刺班开班了，保过，名额有限，欢迎咨询",
            Severity::Revise,
        ),
        ("暑期冲刺班，保过！", Severity::Revise),
    ] {
        let r = rules.check(draft, Context::Public);
        let f = r.findings.iter().find(|f| &*f.clause == "3.1.1").unwrap();
        assert_eq!(f.severity, severity, "{draft}");
        assert_eq!(
            f.message.contains("几乎可以肯定"),
            severity == Severity::Advice,
            "{draft}"
        );
    }
    // A clause the model has not learned keeps its block.
    let r = rules.check("家长电话13812345678", Context::Public);
    assert_eq!(r.findings[0].severity, Severity::Block);
}

#[test]
fn a_block_whose_sentence_reads_like_a_mention_is_reported_at_revise() {
    // 3.3.1 sure for the whole draft (so no clause doubt), and a hit lane
    // (`learned::HIT_LANE`) that reads an offer (about 88 %) unless the
    // sentence says 班会 (then about 5 %): the lane reads the finding's own
    // sentences, and gives no opinion of its own.
    let model = toy_model(
        &[("3.3.1", 5000), (wxcheck::learned::HIT_LANE, 2000)],
        &[("班会", 1, -30000)],
    );
    let rules = common::rules().with_learned(model, &|_| true).unwrap();
    let long = "本周六上午九点照常上课。".repeat(30);
    // (draft, severity of its 3.3.1 finding, lowered by the hit lane?)
    let table = [
        (
            "这个周末大家一起去赌博吧，还是老地方，三缺一".to_string(),
            Severity::Block,
            false,
        ),
        (
            "这周的班会上大家讨论了赌博，还是老地方，三缺一".to_string(),
            Severity::Revise,
            true,
        ),
        (format!("{long}班会讨论赌博。"), Severity::Revise, true),
        // Another sentence's 班会 says nothing about this one.
        (
            format!("班会照常。{long}周末一起赌博"),
            Severity::Block,
            false,
        ),
        // Under `DOUBT_MIN_CHARS`, as for the other doubts: no doubt.
        ("班会讨论赌博".to_string(), Severity::Block, false),
    ];
    assert_doubted_3_3_1(&rules, &table, "更像是在提醒、拒绝或转述");
    // A rule no tone clears (a phone number) is not read by the lane.
    let model = toy_model(
        &[("3.3.3", 5000), (wxcheck::learned::HIT_LANE, -30000)],
        &[],
    );
    let phone_rules = common::rules().with_learned(model, &|_| true).unwrap();
    let r = phone_rules.check(
        "这周的班会上大家讨论了一下，家长电话13812345678",
        Context::Public,
    );
    let f = r.findings.iter().find(|f| &*f.clause == "3.3.3").unwrap();
    assert_eq!(f.severity, Severity::Block, "{r:?}");
    for (draft, _, _) in &table {
        let r = rules.check(draft, Context::Public);
        assert!(r.findings.iter().all(|f| &*f.clause != "hit"), "{draft}");
    }
    // The lane needs no clause of the handbook: the build's check of the
    // model's clauses passes it.
    let model = toy_model(&[(wxcheck::learned::HIT_LANE, 0)], &[]);
    assert!(
        common::rules()
            .with_learned(model, &|c| c == "3.3.1")
            .is_ok()
    );
}

#[test]
fn a_block_with_a_warning_elsewhere_in_the_draft_needs_less_doubt() {
    // 3.3.1 at even odds (bias 0: 50 %, between `DOUBT` and
    // `DOUBT_BESIDE`), all but sure with 下注.
    let model = toy_model(&[("3.3.1", 0)], &[("下注", 0, 20000)]);
    let rules = common::rules().with_learned(model, &|_| true).unwrap();
    // (draft, severity of its 3.3.1 finding, the note of a warning elsewhere?)
    let table = [
        (
            "周末一起去赌博吧，还是老地方，三缺一。".to_string(),
            Severity::Block,
            false,
        ),
        // The warning has a sentence of its own, before or after.
        (
            "周末一起去赌博吧，还是老地方，三缺一。派出所提醒：谨防上当！".to_string(),
            Severity::Revise,
            true,
        ),
        (
            "派出所提醒：谨防上当！周末一起去赌博吧，还是老地方，三缺一。".to_string(),
            Severity::Revise,
            true,
        ),
        // The model all but sure: the block stands.
        (
            "周末一起去赌博下注吧，还是老地方，三缺一。派出所提醒：谨防上当！".to_string(),
            Severity::Block,
            false,
        ),
    ];
    assert_doubted_3_3_1(&rules, &table, "草稿别处有提醒");
    // Without a model nothing changes: the cue alone lowers nothing.
    let r = common::rules().check(
        "周末一起去赌博吧，还是老地方，三缺一。派出所提醒：谨防上当！",
        Context::Public,
    );
    assert_eq!(r.verdict, wxcheck::Verdict::Block, "{:?}", r.findings);
}

/// On a draft of one to three characters the model gives no opinion: its
/// probability there is a bias and one n-gram, and the page checks as the
/// user types (`report::OPINION_MIN_CHARS`).
#[test]
fn the_learned_model_says_nothing_on_a_few_characters() {
    // A toy model for which 老师 means 3.2.1, strongly.
    let model = toy_model(&[("3.2.1", -1000)], &[("老师", 0, 20000)]);
    let rules = common::rules().with_learned(model, &|_| true).unwrap();
    // (draft, whether the model gives its 3.2.1 opinion)
    for (draft, opinion) in [
        ("老师", false),
        ("老师！", false),
        ("王老师好", true),
        ("明天老师请假", true),
    ] {
        for context in Context::ALL {
            let r = rules.check(draft, context);
            let said = r.findings.iter().any(|f| &*f.rule == "learned");
            assert_eq!(said, opinion, "{draft} ({context:?}): {:?}", r.findings);
        }
    }
}
