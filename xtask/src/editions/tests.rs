//! Editions as tables: what changed between two texts, which anchors the
//! current text gets, which rules drifted.

use std::collections::BTreeMap;

use super::anchors::assign_anchors;
use super::matching::changes;
use super::render::inline_diff;
use super::*;
use crate::clauses::anchor_of;

fn item(id: &str, text: &str) -> EditionClause {
    EditionClause {
        id: id.into(),
        label: crate::clauses::label_of(id),
        title: "t".into(),
        text: text.into(),
        kind: ClauseKind::Item,
        page: "p.html".into(),
        anchor: anchor_of(id),
        aliases: Vec::new(),
    }
}

fn clause(id: &str, text: &str) -> Clause {
    Clause {
        id: id.into(),
        label: crate::clauses::label_of(id),
        title: "t".into(),
        text: text.into(),
        page: "p.html".into(),
        anchor: anchor_of(id),
        kind: ClauseKind::Item,
        completed: false,
        aliases: Vec::new(),
    }
}

const PRIVACY: &str = "禁止发布涉及个人隐私、客户隐私的内容，包括但不限于电话号码、身份证号码。";
const SLANDER: &str = "不得发布诋毁公司形象、损害公司利益的言论。";
const NEW: &str = "不得在朋友圈转发未经核实的考试政策消息。";

fn edition(clauses: Vec<EditionClause>, rules: &[(&str, &str)]) -> Edition {
    Edition {
        version: "1.0".into(),
        date: "2027年1月1日".into(),
        text_sha256: String::new(),
        clauses,
        retired: Vec::new(),
        rules: rules
            .iter()
            .map(|(r, c)| (r.to_string(), c.to_string()))
            .collect(),
    }
}

/// (old texts by id, new texts by id, expected changes as (kind, old id, new id)).
type DiffCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
    &'static [(ChangeKind, &'static str, &'static str)],
);

const DIFFS: &[DiffCase] = &[
    (
        "unchanged",
        &[("3.3.1", PRIVACY)],
        &[("3.3.1", PRIVACY)],
        &[],
    ),
    (
        "inserted mid-section renumbers the rest",
        &[("3.3.1", "甲条。"), ("3.3.2", PRIVACY), ("3.3.3", SLANDER)],
        &[
            ("3.3.1", "甲条。"),
            ("3.3.2", NEW),
            ("3.3.3", PRIVACY),
            ("3.3.4", SLANDER),
        ],
        &[
            (ChangeKind::Added, "", "3.3.2"),
            (ChangeKind::Renumbered, "3.3.2", "3.3.3"),
            (ChangeKind::Renumbered, "3.3.3", "3.3.4"),
        ],
    ),
    (
        "reworded in place",
        &[("4.2.3", "应在2小时内回复客户。")],
        &[("4.2.3", "应在4小时内回复客户。")],
        &[(ChangeKind::Changed, "4.2.3", "4.2.3")],
    ),
    (
        "removed, the next moves up and is reworded",
        &[("3.3.2", PRIVACY), ("3.3.3", SLANDER)],
        &[("3.3.2", "不得发布诋毁公司形象、损害公司利益或声誉的言论。")],
        &[
            (ChangeKind::Removed, "3.3.2", ""),
            (ChangeKind::ChangedRenumbered, "3.3.3", "3.3.2"),
        ],
    ),
    (
        "rewritten beyond recognition is removed and added",
        &[("3.3.2", PRIVACY)],
        &[("3.3.2", NEW)],
        &[
            (ChangeKind::Added, "", "3.3.2"),
            (ChangeKind::Removed, "3.3.2", ""),
        ],
    ),
    (
        "two identical texts keep their own numbers",
        &[("5.1.1", "同一句。"), ("5.2.1", "同一句。")],
        &[("5.1.1", "同一句。"), ("5.2.1", "同一句。")],
        &[],
    ),
];

#[test]
fn changes_between_editions() {
    for (name, old, new, expected) in DIFFS {
        let old: Vec<_> = old.iter().map(|(id, t)| item(id, t)).collect();
        let new: Vec<_> = new.iter().map(|(id, t)| item(id, t)).collect();
        let got: Vec<(ChangeKind, String, String)> = changes(&old, &new)
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.old.as_ref().map_or(String::new(), |o| o.id.clone()),
                    c.new.as_ref().map_or(String::new(), |n| n.id.clone()),
                )
            })
            .collect();
        let want: Vec<(ChangeKind, String, String)> = expected
            .iter()
            .map(|(k, o, n)| (*k, o.to_string(), n.to_string()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

fn analyse(last: Edition, current: Vec<Clause>, version: &str) -> (Editions, ClauseIndex) {
    let mut index = ClauseIndex { clauses: current };
    let retired = assign_anchors(&mut index.clauses, &last, version);
    let current_sha256 = index_sha256(&index);
    let editions = Editions {
        current: Edition {
            version: version.into(),
            date: "d".into(),
            text_sha256: current_sha256.clone(),
            clauses: index.clauses.iter().map(EditionClause::of).collect(),
            retired,
            rules: BTreeMap::new(),
        },
        history: vec![last],
        current_version: version.into(),
        current_date: "d".into(),
        current_sha256,
        released: false,
        to_write: false,
        notes: BTreeMap::new(),
        accepted: BTreeMap::new(),
    };
    (editions, index)
}

#[test]
fn an_inserted_clause_gets_a_fresh_anchor_and_moved_ones_keep_theirs() {
    let last = edition(
        vec![
            item("3.3.1", "甲条。"),
            item("3.3.2", PRIVACY),
            item("3.3.3", SLANDER),
        ],
        &[],
    );
    let (_, index) = analyse(
        last,
        vec![
            clause("3.3.1", "甲条。"),
            clause("3.3.2", NEW),
            clause("3.3.3", PRIVACY),
            clause("3.3.4", SLANDER),
        ],
        "1.1",
    );
    let rows: Vec<(&str, &str, Vec<&str>)> = index
        .clauses
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.anchor.as_str(),
                c.aliases.iter().map(|a| a.anchor.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("3.3.1", "c-3-3-1", vec![]),
            // c-3-3-2 still means the privacy clause: the new one must not take it.
            ("3.3.2", "c-3-3-2-v1-1", vec![]),
            ("3.3.3", "c-3-3-3-v1-1", vec!["c-3-3-2"]),
            ("3.3.4", "c-3-3-4", vec!["c-3-3-3"]),
        ]
    );
}

#[test]
fn removed_anchors_are_retired_and_never_reused() {
    let last = edition(vec![item("3.3.1", PRIVACY), item("3.3.2", SLANDER)], &[]);
    let (editions, index) = analyse(last, vec![clause("3.3.1", SLANDER)], "1.1");
    assert_eq!(index.clauses[0].anchor, "c-3-3-1-v1-1");
    assert_eq!(
        editions
            .current
            .retired
            .iter()
            .map(|r| r.anchor.as_str())
            .collect::<Vec<_>>(),
        ["c-3-3-1"]
    );
}

#[test]
fn a_rule_left_on_a_renumbered_clause_stops_the_build() {
    let last = edition(
        vec![
            item("3.3.1", "甲条。"),
            item("3.3.2", PRIVACY),
            item("3.3.3", SLANDER),
        ],
        &[
            ("personal-phone", "3.3.2"),
            ("slander", "3.3.3"),
            ("first", "3.3.1"),
        ],
    );
    let (editions, _) = analyse(
        last,
        vec![
            clause("3.3.1", "甲条。"),
            clause("3.3.2", NEW),
            clause("3.3.3", PRIVACY),
            clause("3.3.4", SLANDER),
        ],
        "1.1",
    );
    let cite = |id, clause, line| RuleCitation {
        id,
        clause,
        file: "book/rules/personal.toml",
        line,
    };
    let citations = [
        cite("personal-phone", "3.3.2", 14),
        cite("slander", "3.3.4", 30), // already updated
        cite("first", "3.3.1", 40),
        cite("brand-new", "3.3.2", 50), // not in the last edition
    ];
    let (errors, repoints) = check_rules(&editions, &citations);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0].starts_with("book/rules/personal.toml:14: 规则 personal-phone 指向 3.3.2，但 3.3.2 已是新插入的条款；原条款（第 1.0 版 3.3.2 三（三）2）现为 3.3.3。请更新 book/rules/personal.toml:14"),
        "{}",
        shown[0]
    );
    assert_eq!(
        repoints,
        [Repoint {
            rule: "personal-phone".into(),
            file: "book/rules/personal.toml".into(),
            line: 14,
            from: "3.3.2".into(),
            to: "3.3.3".into()
        }]
    );
}

#[test]
fn a_rule_whose_clause_was_removed_stops_the_build() {
    let last = edition(vec![item("3.3.1", PRIVACY)], &[("phone", "3.3.1")]);
    let (editions, _) = analyse(last, vec![clause("3.3.1", NEW)], "1.1");
    let (errors, repoints) = check_rules(
        &editions,
        &[RuleCitation {
            id: "phone",
            clause: "3.3.1",
            file: "book/rules/a.toml",
            line: 3,
        }],
    );
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.contains("已删除或改写得面目全非"),
        "{}",
        errors[0]
    );
    assert!(repoints.is_empty());
}

#[test]
fn inline_diff_marks_insertions_and_deletions_and_escapes() {
    assert_eq!(
        inline_diff("应在2小时内<回复>", "应在4小时内<回复>"),
        "应在<del>2</del><ins>4</ins>小时内&lt;回复&gt;"
    );
}

#[test]
fn versions_order_numerically() {
    let mut v = vec!["1.10", "1.9", "2.0", "1.0"];
    v.sort_by_key(|v| version_key(v));
    assert_eq!(v, ["1.0", "1.9", "1.10", "2.0"]);
    assert_eq!(next_version("1.9"), "1.10");
}

#[test]
fn text_hash_ignores_presentation_but_not_words() {
    let a = text_sha256([("1.1", "t", "甲")]);
    assert_eq!(a.len(), 64);
    assert_eq!(a, text_sha256([("1.1", "t", "甲")]));
    assert_ne!(a, text_sha256([("1.1", "t", "乙")]));
    assert_ne!(a, text_sha256([("1.2", "t", "甲")]));
}
