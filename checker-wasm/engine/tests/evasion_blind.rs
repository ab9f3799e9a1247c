//! The blind evasion batteries (issue 10's evasion goal, measured by
//! outsiders): `tests/data/evasion-blind-*.toml`, each written by someone
//! who saw neither the rules nor the normaliser, from a one-page brief (the
//! five payloads of `tests/evasion.rs`, disguised in whatever ways a person
//! dodging a filter would use, and clean look-alikes). The team's own
//! battery (`tests/evasion.rs`) is generated from trick families the team
//! chose; these say how those families hold against tricks nobody here
//! thought of.
//!
//! A case is caught by the rules when some finding of theirs covers part of
//! its disguised payload (as in `tests/evasion.rs`), and as shipped when,
//! besides, the learned model's 可能涉及 covers it on one of the payload's
//! clauses (`tests/data/evasion-payloads.toml`); a clean look-alike passes
//! when no finding reaches `revise`. Both figures are printed: the rules
//! alone say what is blocked, as shipped what a writer is told.
//!
//! Like the corpus, a battery is development once anything has been tuned
//! on it, and only a fresh one measures: each file says which (`part`). The test records each battery's figures as a ratchet
//! and prints the goal's state instead of asserting it. What got through,
//! by kind, is in `DESIGN.md` ("The blind evasion battery").

mod common;

use serde::Deserialize;
use std::collections::BTreeMap;
use wxcheck::{Context, RuleSet, Severity};

#[derive(Deserialize)]
struct Battery {
    /// "development" or "test".
    part: String,
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

/// The clauses a learned opinion must name to catch each payload.
#[derive(Deserialize)]
struct Payloads {
    payload: BTreeMap<String, Payload>,
}

#[derive(Deserialize)]
struct Payload {
    clauses: Vec<String>,
}

/// The most each figure of a battery may show: its figures when last
/// measured.
struct Ratchet {
    /// Cases through the rules alone.
    through: usize,
    /// Cases through the rules and the learned model, as shipped.
    through_shipped: usize,
    /// Clean look-alikes at `revise` or worse.
    flagged: usize,
}

/// Each battery: its file and its ratchet.
const BATTERIES: &[(&str, &str, Ratchet)] = &[
    // First scored at b849850: 184 through, 7 look-alikes flagged. The
    // one-character folds (circled, mathematical, superscript and
    // subscript letters and digits, Cyrillic look-alikes, pinyin tone
    // marks) were then tuned on it: 172 through; digit groups joined across
    // +, # and brackets or quotes round each group: 162; the radio readings
    // of digits (洞 拐 勾) and 参 in numeral runs: 156; the variants du bo and
    // bai fen bai: 150. The eleventh session's pass (homophone and split
    // character variants, 证书包过, commas between digit groups, o l ⭕ and
    // Roman numerals in digit runs, ID and sfz glued to an ID, X spelled
    // 叉 Ⅹ 艾克斯, numbers written backwards, IDs in pieces, “赌”“博”, の,
    // A-not-A questions that are no negation): 83. Its second part
    // (English and slang words for gambling, a word written down the page,
    // numbers spelled in pinyin or English words): 66. Invitations to
    // gamble written as questions (gambling-invitation), 来电咨询 and the
    // like no question, 宝guo: 61. Letters spelled out one by one (d-u-b-o)
    // in, the word down the page out again (not idempotent): 61. The
    // twelfth session's pass, tuned on batteries 1 and 2 (a second reading
    // for emoji standing for words and for layouts that split one; mobiles
    // and IDs in pieces; variants and rule words for 100 %, initials and
    // gambling slang): 32. Numeral runs with one separator between groups
    // (tuned on battery 3 as well): 32; the pass's second part (battery 3's
    // homophones, slang and stand-ins, separator runs in numeral runs): 32.
    // The thirteenth session's pass, tuned on batteries 4 and 5 (readings a
    // draft asks for, homophone digits, quotes round single characters,
    // emoji between letters, initials with their context, 咨询 no question):
    // 28, and 6 look-alikes flagged; numbers given as sums, 26; Ⅽ% and
    // 了解一下？ no question, 25.
    (
        "evasion-blind-1.toml",
        include_str!("data/evasion-blind-1.toml"),
        Ratchet {
            through: 25,
            through_shipped: 7,
            flagged: 6,
        },
    ),
    // Written from the same brief by another helper while the folds were
    // made, and first scored after them (11d15e0): the measure. 146 of 338
    // through (43.2 %; 152 with the engine before the folds), 2 of 120
    // look-alikes flagged; 142 after the digit-group joins, 139 after the
    // radio readings, 136 after two pinyin variants, 99 after the eleventh
    // session's pass, 92 after its second part, 90 after its third and 88
    // after its fourth (all tuned on battery 1 only). Development from the
    // twelfth session on, which tuned on it: 34, then 30 with numeral runs
    // across separators; 30 after the pass's second part; 29 after the
    // thirteenth session's pass, 28 with numbers given as sums, 25 with Ⅽ%
    // and 肚搏, 24 with IDs given tail first.
    (
        "evasion-blind-2.toml",
        include_str!("data/evasion-blind-2.toml"),
        Ratchet {
            through: 24,
            through_shipped: 10,
            flagged: 2,
        },
    ),
    // Written from the same brief by a third helper while the eleventh
    // session's passes were made, decided test before writing, and first
    // scored after the session's last engine change (4e1b86c): a fresh
    // measure of all of them, battery 2 having been re-measured after each.
    // 122 of 341 through (35.8 %), 7 of 127 look-alikes flagged; with the
    // engine and rules of the session's start (c0cd624), 158 (46.3 %) and 6.
    // Re-measured after the twelfth session's first part (tuned on 1 and 2
    // only): 95 (27.9 %). Then development: numeral runs across separators
    // were tuned on it too, 85; the pass's second part, tuned on it, 48;
    // the thirteenth session's pass (tuned on 4 and 5), 35; numbers given
    // as sums, 34; Ⅽ%, 33; IDs given tail first, 32; digits given by their
    // count (三个8), 31.
    (
        "evasion-blind-3.toml",
        include_str!("data/evasion-blind-3.toml"),
        Ratchet {
            through: 31,
            through_shipped: 5,
            flagged: 7,
        },
    ),
    // Written from the same brief by a fourth helper at the start of the
    // twelfth session, decided test before writing, and first scored after
    // the session's first part (tuned on batteries 1 and 2): 100 of 347
    // through (28.8 %), 6 of 131 look-alikes flagged; with the engine and
    // rules of the session's start (e710cba), 125 (36.0 %) and 6. 92 after
    // numeral runs across separators (tuned on battery 3, not on this); 81
    // (23.3 %) after the pass's second part (the same). Development from
    // the thirteenth session on, which tuned on it: 41; 40 after Ⅽ%, 38 after
    // digits given by their count (三个8, 两个零).
    (
        "evasion-blind-4.toml",
        include_str!("data/evasion-blind-4.toml"),
        Ratchet {
            through: 37,
            through_shipped: 13,
            flagged: 6,
        },
    ),
    // Written from the same brief by a fifth helper during the twelfth
    // session (asked to vary persona, channel and trade), decided test
    // before writing, and first scored after the session's second part
    // (db1e3c8): 102 of 331 through (30.8 %), 6 of 122 look-alikes flagged;
    // with the engine and rules of the session's start (e710cba), 139
    // (42.0 %) and 6. Development from the thirteenth session on, which
    // tuned on it: 54, and 5 look-alikes flagged; numbers given as sums, 48;
    // IDs given tail first, 47.
    (
        "evasion-blind-5.toml",
        include_str!("data/evasion-blind-5.toml"),
        Ratchet {
            through: 47,
            through_shipped: 8,
            flagged: 5,
        },
    ),
    // Written from the same brief by a sixth helper at the start of the
    // thirteenth session (asked to vary persona, channel and trade and to
    // think of tricks real people use: initials, English words, split
    // characters, digit homophones, emoji for things, questions, reversed
    // order, acrostics, numbers described in words), decided test before
    // writing, and first scored after the session's last change (tuned on
    // batteries 4 and 5): 109 of 329 through (33.1 %), 3 of 124 look-alikes
    // flagged; with the engine and rules of the session's start (019ff23),
    // 122 (37.1 %) and 3. Re-measured after IDs given tail first (tuned on
    // batteries 2, 3 and 5, not on this): 108; after digits given by their
    // count (tuned on 3 and 4): 107. The fourteenth session first counted
    // the learned model's 可能涉及 on the payload's clause (as shipped): 36
    // (10.9 %), with 32 more look-alikes given advice (37 of 124 with any
    // finding, 5 with the rules alone). A model trained on batteries 1–5
    // as well caught 12 more of these but was dropped (DESIGN.md, "The
    // learned model and the evasion batteries"); evasion lanes trained on
    // 1–5 caught 4 more (32) at the threshold chosen on it, which made it
    // development; trained on it too, 31. The tuning on battery 7: 103
    // and 29.
    (
        "evasion-blind-6.toml",
        include_str!("data/evasion-blind-6.toml"),
        Ratchet {
            through: 100,
            through_shipped: 29,
            flagged: 3,
        },
    ),
    // Written by a seventh helper during the fourteenth session from a
    // brief rewritten from the first one's description (the first was kept
    // outside the repository and lost), decided test before writing, and
    // first scored after the evasion lanes were trained on batteries 1–6:
    // 106 of 341 through the rules (31.1 %), 43 (12.6 %) as shipped, 7 of
    // 145 look-alikes flagged; with the engine, rules and model of the
    // session's start (bce0bda), 106 and 52 (15.2 %), and 7. Development
    // since: the session tuned on it (digits of other scripts, 0086, pass
    // rates written 通过率 1 0 0 %, 通过率一百, 失败率为零, gambling slang and
    // homophones) and trains the evasion lanes on it: 69 and 23.
    (
        "evasion-blind-7.toml",
        include_str!("data/evasion-blind-7.toml"),
        Ratchet {
            through: 68,
            through_shipped: 23,
            flagged: 7,
        },
    ),
    // Written by an eighth helper from battery 7's brief (its payloads
    // named as here) while the session tuned on battery 7, decided test
    // before writing, first scored after that tuning and the lanes'
    // retraining: 95 of 330 through the rules (28.8 %), 39 (11.8 %) as
    // shipped, 10 of 148 look-alikes flagged; with the session's start
    // (bce0bda) 109 (33.0 %) and 47 (14.2 %), and 10; with the lanes alone
    // (4955740, before the tuning on battery 7) 109 and 46. Development
    // since: the session tuned on it (pass rates of 合格率, 拿证率, 晋级率 at
    // 100 %, 一百趴, 报一个过一个, 百家了, 谁来？ no question) and trains the
    // lanes on it: 87 and 37.
    (
        "evasion-blind-8.toml",
        include_str!("data/evasion-blind-8.toml"),
        Ratchet {
            through: 87,
            through_shipped: 37,
            flagged: 10,
        },
    ),
    // Written by a ninth helper from the same brief while the session tuned
    // on battery 8, decided test before writing, first scored after that
    // tuning and the lanes' retraining: 74 of 323 through the rules
    // (22.9 %), 26 (8.0 %) as shipped, 20 of 143 look-alikes flagged; with
    // the session's start (bce0bda) 85 (26.3 %), 40 (12.4 %) and 19. The
    // extra look-alike was 百度博客, read as 度博 by a form added that round
    // and dropped at once; with it dropped, `:` no longer a digit separator
    // (it blocked a clean test-part draft) and the model retrained with
    // dev-5e: 75, 27 (8.4 %) and 19.
    (
        "evasion-blind-9.toml",
        include_str!("data/evasion-blind-9.toml"),
        Ratchet {
            through: 75,
            through_shipped: 27,
            flagged: 19,
        },
    ),
];

#[test]
fn blind_evasion_batteries() {
    let rules = common::rules();
    let shipped = common::shipped_rules();
    let payloads: Payloads = toml::from_str(include_str!("data/evasion-payloads.toml")).unwrap();
    let mut failures = Vec::new();
    for (name, text, ratchet) in BATTERIES {
        let battery: Battery = toml::from_str(text).unwrap();
        let figures = score(&rules, &shipped, &payloads, name, &battery);
        for (what, now, most) in [
            (
                "cases got through the rules",
                figures.through,
                ratchet.through,
            ),
            (
                "cases got through as shipped",
                figures.through_shipped,
                ratchet.through_shipped,
            ),
            (
                "clean look-alikes flagged",
                figures.flagged,
                ratchet.flagged,
            ),
        ] {
            if now > most {
                failures.push(format!(
                    "{name}: {now} {what} (at most {most} when last measured)"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether a finding of `rules` covers the case's disguised payload; with
/// `clauses`, a learned opinion counts only on one of them.
fn caught(rules: &RuleSet, case: &Case, clauses: Option<&[String]>) -> bool {
    let byte = case
        .text
        .find(&case.disguised)
        .unwrap_or_else(|| panic!("`disguised` is not in the text: {:?}", case.text));
    let start = case.text[..byte].chars().count();
    let end = start + case.disguised.chars().count();
    rules
        .check(&case.text, Context::Public)
        .findings
        .iter()
        .any(|f| {
            f.start < end
                && start < f.end
                && (&*f.rule != wxcheck::learned::RULE_ID
                    || clauses.is_some_and(|c| c.iter().any(|c| **c == *f.clause)))
        })
}

/// Prints one battery's figures and returns them.
fn score(
    rules: &RuleSet,
    shipped: &RuleSet,
    payloads: &Payloads,
    name: &str,
    battery: &Battery,
) -> Ratchet {
    // payload → (cases, caught by the rules, caught as shipped), in
    // first-seen order.
    let mut by_payload: Vec<(String, usize, usize, usize)> = Vec::new();
    let (mut through, mut through_shipped) = (Vec::new(), 0);
    for c in &battery.case {
        let clauses = &payloads
            .payload
            .get(&c.payload)
            .unwrap_or_else(|| {
                panic!(
                    "{name}: payload `{}` is not in evasion-payloads.toml",
                    c.payload
                )
            })
            .clauses;
        let by_rules = caught(rules, c, None);
        let as_shipped = by_rules || caught(shipped, c, Some(clauses));
        match by_payload.iter_mut().find(|p| p.0 == c.payload) {
            Some(p) => {
                p.1 += 1;
                p.2 += usize::from(by_rules);
                p.3 += usize::from(as_shipped);
            }
            None => by_payload.push((
                c.payload.clone(),
                1,
                usize::from(by_rules),
                usize::from(as_shipped),
            )),
        }
        through_shipped += usize::from(!as_shipped);
        if !by_rules {
            let mark = if as_shipped { " (learned: caught)" } else { "" };
            through.push(format!("{} [{}]{mark}: {:?}", c.payload, c.trick, c.text));
        }
    }
    let flagged: Vec<String> = battery
        .clean
        .iter()
        .filter(|c| {
            shipped
                .check(&c.text, Context::Public)
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Revise)
        })
        .map(|c| format!("[{}] {:?}", c.trick, c.text))
        .collect();
    // What the model's catches cost: look-alikes it gives a 可能涉及 (advice).
    let with_any_finding = battery
        .clean
        .iter()
        .filter(|c| !shipped.check(&c.text, Context::Public).findings.is_empty())
        .count();
    let cases = battery.case.len();
    assert!(
        cases >= 300,
        "{name}: the battery has {cases} cases, fewer than 300"
    );
    let part = &battery.part;
    assert!(
        part == "development" || part == "test",
        "{name}: part is `{part}`, neither development nor test"
    );
    println!("{name} ({part})");
    println!(
        "{:<12} {:>6} {:>7} {:>11}",
        "payload", "cases", "rules", "as shipped"
    );
    for (p, n, by_rules, as_shipped) in &by_payload {
        let share = |k: &usize| 100.0 * *k as f64 / *n as f64;
        println!(
            "{p:<12} {n:>6} {:>6.0}% {:>10.0}%",
            share(by_rules),
            share(as_shipped)
        );
    }
    let goal = |k: usize| match (k as f64 <= GOAL * cases as f64, part.as_str()) {
        (true, "test") => "met",
        (true, _) => "met, but on a battery tuned on",
        (false, _) => "not met",
    };
    let share = |k: usize| 100.0 * k as f64 / cases as f64;
    println!(
        "overall: {cases} cases; through the rules {} ({:.1}%, goal {}), as shipped {through_shipped} ({:.1}%, goal {}); clean look-alikes: {} of {} at revise or worse, {with_any_finding} with any finding as shipped; goal: at most {:.0}% through",
        through.len(),
        share(through.len()),
        goal(through.len()),
        share(through_shipped),
        goal(through_shipped),
        flagged.len(),
        battery.clean.len(),
        GOAL * 100.0,
    );
    for t in &through {
        println!("through the rules: {t}");
    }
    for f in &flagged {
        println!("flagged: {f}");
    }
    Ratchet {
        through: through.len(),
        through_shipped,
        flagged: flagged.len(),
    }
}
