//! Which clause of one edition is which clause of another: by text, never by
//! number, so that an insertion renumbers without changing identities.

use std::collections::HashMap;

use serde::Serialize;
use similar::TextDiff;

use super::{EditionClause, SAME_CLAUSE};
use crate::clauses::{Clause, ClauseKind};

/// What is compared across editions: an item's text; a section's or chapter's
/// title and own text.
pub(super) trait Comparable {
    fn id(&self) -> &str;
    fn kind(&self) -> ClauseKind;
    fn body(&self) -> String;
}

pub(super) fn body_of(kind: ClauseKind, title: &str, text: &str) -> String {
    match kind {
        ClauseKind::Item => text.to_string(),
        _ if text.is_empty() => title.to_string(),
        _ => format!("{title}\n{text}"),
    }
}

impl Comparable for EditionClause {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> ClauseKind {
        self.kind
    }
    fn body(&self) -> String {
        body_of(self.kind, &self.title, &self.text)
    }
}

impl Comparable for Clause {
    fn id(&self) -> &str {
        &self.id
    }
    fn kind(&self) -> ClauseKind {
        self.kind
    }
    fn body(&self) -> String {
        body_of(self.kind, &self.title, &self.text)
    }
}

/// Old clause `i` is new clause `old_to_new[i]`, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    pub old_to_new: Vec<Option<usize>>,
    pub new_to_old: Vec<Option<usize>>,
}

/// Character-diff similarity of two texts, 0–1.
fn similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    TextDiff::from_chars(a, b).ratio()
}

/// Pairs old and new clauses of the same kind: identical text first (the same
/// number preferred among equals), then, greedily, the most similar remaining
/// pairs at or above [`SAME_CLAUSE`], ties going to the same number, then the
/// nearest position.
pub(super) fn match_clauses<O: Comparable, N: Comparable>(old: &[O], new: &[N]) -> Matching {
    let mut old_to_new = vec![None; old.len()];
    let mut new_to_old = vec![None; new.len()];
    let old_bodies: Vec<String> = old.iter().map(Comparable::body).collect();
    let new_bodies: Vec<String> = new.iter().map(Comparable::body).collect();

    // 1. Identical text.
    let mut by_body: HashMap<(&str, ClauseKind), Vec<usize>> = HashMap::new();
    for (j, n) in new.iter().enumerate() {
        by_body
            .entry((new_bodies[j].as_str(), n.kind()))
            .or_default()
            .push(j);
    }
    for (i, o) in old.iter().enumerate() {
        let Some(candidates) = by_body.get(&(old_bodies[i].as_str(), o.kind())) else {
            continue;
        };
        let free = |j: &&usize| new_to_old[**j].is_none();
        let pick = candidates
            .iter()
            .filter(free)
            .find(|&&j| new[j].id() == o.id())
            .or_else(|| candidates.iter().find(free))
            .copied();
        if let Some(j) = pick {
            old_to_new[i] = Some(j);
            new_to_old[j] = Some(i);
        }
    }

    // 2. Similar text, best pairs first.
    let mut pairs: Vec<(f32, bool, usize, usize, usize)> = Vec::new();
    for (i, o) in old.iter().enumerate() {
        if old_to_new[i].is_some() {
            continue;
        }
        for (j, n) in new.iter().enumerate() {
            if new_to_old[j].is_some() || n.kind() != o.kind() {
                continue;
            }
            let score = similarity(&old_bodies[i], &new_bodies[j]);
            if score >= SAME_CLAUSE {
                pairs.push((score, o.id() == n.id(), i.abs_diff(j), i, j));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
            .then((a.3, a.4).cmp(&(b.3, b.4)))
    });
    for (_, _, _, i, j) in pairs {
        if old_to_new[i].is_none() && new_to_old[j].is_none() {
            old_to_new[i] = Some(j);
            new_to_old[j] = Some(i);
        }
    }
    Matching {
        old_to_new,
        new_to_old,
    }
}

/// What happened to one clause between two editions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// Same text, new number.
    Renumbered,
    /// New text and new number.
    ChangedRenumbered,
}

impl ChangeKind {
    pub(super) fn label_zh(self) -> &'static str {
        match self {
            ChangeKind::Added => "新增",
            ChangeKind::Removed => "删除",
            ChangeKind::Changed => "修改",
            ChangeKind::Renumbered => "改编号",
            ChangeKind::ChangedRenumbered => "修改并改编号",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Change {
    pub kind: ChangeKind,
    pub old: Option<EditionClause>,
    pub new: Option<EditionClause>,
}

/// The changes from `old` to `new`, in the new text's reading order (removed
/// clauses where they used to be).
pub(super) fn changes(old: &[EditionClause], new: &[EditionClause]) -> Vec<Change> {
    let matching = match_clauses(old, new);
    let mut out = Vec::new();
    let mut next_old = 0;
    let mut flush_removed = |until: usize, out: &mut Vec<Change>| {
        while next_old < until {
            if matching.old_to_new[next_old].is_none() {
                out.push(Change {
                    kind: ChangeKind::Removed,
                    old: Some(old[next_old].clone()),
                    new: None,
                });
            }
            next_old += 1;
        }
    };
    for (j, n) in new.iter().enumerate() {
        let kind = match matching.new_to_old[j] {
            None => Some(ChangeKind::Added),
            Some(i) => {
                flush_removed(i, &mut out);
                let o = &old[i];
                let same_text = o.body() == n.body();
                match (o.id == n.id, same_text) {
                    (true, true) => None,
                    (true, false) => Some(ChangeKind::Changed),
                    (false, true) => Some(ChangeKind::Renumbered),
                    (false, false) => Some(ChangeKind::ChangedRenumbered),
                }
            }
        };
        if let Some(kind) = kind {
            out.push(Change {
                kind,
                old: matching.new_to_old[j].map(|i| old[i].clone()),
                new: Some(n.clone()),
            });
        }
    }
    flush_removed(old.len(), &mut out);
    out
}
