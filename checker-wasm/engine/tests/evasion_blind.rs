//! The blind evasion batteries (issue 10's evasion goal, measured by
//! outsiders): `tests/data/evasion-blind-*.toml`, each written by someone
//! who saw neither the rules nor the normaliser, from a one-page brief (the
//! five payloads of `tests/evasion.rs`, disguised in whatever ways a person
//! dodging a filter would use, and clean look-alikes). The team's own
//! battery (`tests/evasion.rs`) is generated from trick families the team
//! chose; these say how those families hold against tricks nobody here
//! thought of.
//!
//! A case is caught when some finding of the rules covers part of its
//! disguised payload (as in `tests/evasion.rs`); a clean look-alike passes
//! when no finding reaches `revise`.
//!
//! Like the corpus, a battery is development once the normaliser has been
//! tuned on it, and only a fresh one measures (see [`BATTERIES`]). The test
//! records each battery's figures as a ratchet and prints the goal's state
//! instead of asserting it. What got through, by kind, is in `DESIGN.md`
//! ("The blind evasion battery").

mod common;

use serde::Deserialize;
use wxcheck::{Context, RuleSet, Severity};

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

/// Each battery: its file, its part, and the most cases through and clean
/// look-alikes at `revise` or worse it may show (its figures when last
/// measured).
const BATTERIES: &[(&str, &str, &str, usize, usize)] = &[
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
        "development",
        25,
        6,
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
        "development",
        24,
        2,
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
        "development",
        31,
        7,
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
        "development",
        38,
        6,
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
        "development",
        47,
        5,
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
    // count (tuned on 3 and 4): 107.
    (
        "evasion-blind-6.toml",
        include_str!("data/evasion-blind-6.toml"),
        "test",
        107,
        3,
    ),
];

#[test]
fn blind_evasion_batteries() {
    let rules = common::rules();
    let mut failures = Vec::new();
    for &(name, text, part, max_through, max_flagged) in BATTERIES {
        let battery: Battery = toml::from_str(text).unwrap();
        let (through, flagged) = score(&rules, name, part, &battery);
        if through > max_through {
            failures.push(format!(
                "{name}: {through} cases got through (at most {max_through} when last measured)"
            ));
        }
        if flagged > max_flagged {
            failures.push(format!(
                "{name}: {flagged} clean look-alikes flagged (at most {max_flagged} when last measured)"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Prints one battery's figures; returns the cases through and the clean
/// look-alikes at `revise` or worse.
fn score(rules: &RuleSet, name: &str, part: &str, battery: &Battery) -> (usize, usize) {
    // payload → (cases, caught), in first-seen order.
    let mut payloads: Vec<(String, usize, usize)> = Vec::new();
    let mut through = Vec::new();
    for c in &battery.case {
        let byte = c
            .text
            .find(&c.disguised)
            .unwrap_or_else(|| panic!("{name}: `disguised` is not in the text: {:?}", c.text));
        let start = c.text[..byte].chars().count();
        let end = start + c.disguised.chars().count();
        let caught = common::caught(rules, &c.text, start, end);
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
        .filter(|c| {
            rules
                .check(&c.text, Context::Public)
                .findings
                .iter()
                .any(|f| f.severity >= Severity::Revise)
        })
        .map(|c| format!("[{}] {:?}", c.trick, c.text))
        .collect();
    let cases = battery.case.len();
    assert!(
        cases >= 300,
        "{name}: the battery has {cases} cases, fewer than 300"
    );
    println!("{name} ({part})");
    println!("{:<12} {:>6} {:>7}", "payload", "cases", "caught");
    for (p, n, caught) in &payloads {
        println!(
            "{p:<12} {n:>6} {:>6.0}%",
            100.0 * *caught as f64 / *n as f64
        );
    }
    let met = through.len() as f64 <= GOAL * cases as f64;
    println!(
        "overall: {cases} cases, {} through ({:.1}%); clean look-alikes: {} of {} at revise or worse; goal (at most {:.0}% through): {}",
        through.len(),
        100.0 * through.len() as f64 / cases as f64,
        flagged.len(),
        battery.clean.len(),
        GOAL * 100.0,
        match (met, part) {
            (true, "test") => "met",
            (true, _) => "met, but on a battery tuned on",
            (false, _) => "not met",
        }
    );
    for t in &through {
        println!("through: {t}");
    }
    for f in &flagged {
        println!("flagged: {f}");
    }
    (through.len(), flagged.len())
}
