//! Editions: the record of what was published, and what changed since.
//!
//! A published edition is a committed snapshot of the clause index
//! (`book/editions/<version>.json`): every clause's ID, label, title, text,
//! page and anchor, the rule → clause map, and the edition's version, date and
//! text hash. `cargo xtask build --release-edition` writes it; nothing else
//! ever changes a snapshot, so the history a reader sees never moves.
//!
//! Every build compares the current text with the editions:
//!
//! - **Identity survives renumbering.** Clauses are matched across editions by
//!   text, not by number ([`match_clauses`]): equal text first, then the most
//!   similar pairs above [`SAME_CLAUSE`]. What is left is added or removed.
//! - **Anchors are never reused.** An anchor, once published, keeps naming the
//!   same clause: a clause that moves keeps its old anchors as aliases (real
//!   `id`s on its element, so an old link lands on it even without scripts),
//!   and a clause that takes over a number whose anchor belonged to another
//!   clause gets an edition-qualified anchor (`c-3-3-2-v1-1`). Anchors of
//!   removed clauses are retired, never given out again.
//! - **Rules cannot drift.** A rule cites a clause by ID; the last edition
//!   records which clause that was. If that clause now has another number, or
//!   is gone, the build stops and says which line to change
//!   ([`check_rules`]); `cargo xtask fix-rules` makes the renumbering edits.
//!
//! Tried and dropped: matching by position within a section (breaks on any
//! insertion, which is the case this module exists for), and anchors derived
//! from a text hash (stable, but unreadable, and every typo fix would break links).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use similar::{ChangeTag, TextDiff};

use crate::clauses::{Alias, Clause, ClauseIndex, ClauseKind, anchor_of};
use crate::diagnostics::{Diagnostic, Diagnostics, line_of};
use crate::rule_docs::escape;

/// Folder of the snapshots, relative to `book/`.
pub const EDITIONS_DIR: &str = "editions";
/// The admin's free-text notes per edition, relative to `book/`.
pub const NOTES_FILE: &str = "editions/notes.toml";

/// Two clause texts at least this similar (0–1, by character diff) are the
/// same clause, reworded. Below it, a clause under the same number is a new
/// clause: rewording that deep changes what the clause says.
pub const SAME_CLAUSE: f32 = 0.5;

/// One published edition, as stored in `book/editions/<version>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    pub version: String,
    /// The effective date as the admin wrote it (`2027年1月1日`).
    pub date: String,
    /// [`text_sha256`] of the clauses: what the checker cites as the policy text.
    pub text_sha256: String,
    pub clauses: Vec<EditionClause>,
    /// Anchors of clauses removed in this or an earlier edition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<Retired>,
    /// Rule id → the clause id it cited in this edition.
    pub rules: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionClause {
    pub id: String,
    pub label: String,
    pub title: String,
    pub text: String,
    pub kind: ClauseKind,
    pub page: String,
    pub anchor: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
}

/// The anchor of a removed clause, kept so that it is never reused and an old
/// link to it can say what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retired {
    pub anchor: String,
    pub page: String,
    pub label: String,
    pub title: String,
    /// The version that removed it.
    pub removed_in: String,
}

impl EditionClause {
    fn of(clause: &Clause) -> EditionClause {
        EditionClause {
            id: clause.id.clone(),
            label: clause.label.clone(),
            title: clause.title.clone(),
            text: clause.text.clone(),
            kind: clause.kind,
            page: clause.page.clone(),
            anchor: clause.anchor.clone(),
            aliases: clause.aliases.clone(),
        }
    }
}

/// What is compared across editions: an item's text; a section's or chapter's
/// title and own text.
trait Comparable {
    fn id(&self) -> &str;
    fn kind(&self) -> ClauseKind;
    fn body(&self) -> String;
}

fn body_of(kind: ClauseKind, title: &str, text: &str) -> String {
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

/// SHA-256 (hex) of the policy text: each clause's id, title and text, one
/// clause per line. Anchors and labels are presentation and stay out of it.
pub fn text_sha256<'a>(clauses: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    let mut hasher = Sha256::new();
    for (id, title, text) in clauses {
        hasher.update(id.as_bytes());
        hasher.update(b"\t");
        hasher.update(title.as_bytes());
        hasher.update(b"\t");
        hasher.update(text.replace('\n', "\\n").as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn index_sha256(index: &ClauseIndex) -> String {
    text_sha256(
        index
            .clauses
            .iter()
            .map(|c| (c.id.as_str(), c.title.as_str(), c.text.as_str())),
    )
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
fn match_clauses<O: Comparable, N: Comparable>(old: &[O], new: &[N]) -> Matching {
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
    fn label_zh(self) -> &'static str {
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
fn changes(old: &[EditionClause], new: &[EditionClause]) -> Vec<Change> {
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

/// `1.1` → `1-1`, for anchors.
fn slug(version: &str) -> String {
    version
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Orders versions numerically by their dot-separated parts (`1.10` > `1.9`).
fn version_key(version: &str) -> Vec<(u64, String)> {
    version
        .split('.')
        .map(|part| (part.parse().unwrap_or(u64::MAX), part.to_string()))
        .collect()
}

/// Gives the current clauses their anchors, continuing `last`'s: see the
/// module docs. Returns the anchors retired by this text (removed clauses).
fn assign_anchors(clauses: &mut [Clause], last: &Edition, version: &str) -> Vec<Retired> {
    let matching = match_clauses(&last.clauses, clauses);
    // Anchor → index of the old clause owning it (as anchor or alias).
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, o) in last.clauses.iter().enumerate() {
        owner.insert(&o.anchor, i);
        for alias in &o.aliases {
            owner.insert(&alias.anchor, i);
        }
    }
    let retired: HashSet<&str> = last.retired.iter().map(|r| r.anchor.as_str()).collect();
    for (j, clause) in clauses.iter_mut().enumerate() {
        let old = matching.new_to_old[j];
        let free = |anchor: &str| {
            !retired.contains(anchor) && owner.get(anchor).is_none_or(|&i| Some(i) == old)
        };
        let plain = anchor_of(&clause.id);
        let mut anchor = if free(&plain) {
            plain.clone()
        } else {
            format!("{plain}-v{}", slug(version))
        };
        let mut n = 2;
        while !free(&anchor) {
            anchor = format!("{plain}-v{}-{n}", slug(version));
            n += 1;
        }
        let mut aliases = Vec::new();
        if let Some(i) = old {
            let o = &last.clauses[i];
            aliases.extend(o.aliases.iter().filter(|a| a.anchor != anchor).cloned());
            if o.anchor != anchor {
                aliases.push(Alias {
                    anchor: o.anchor.clone(),
                    label: o.label.clone(),
                    edition: last.version.clone(),
                });
            }
        }
        clause.anchor = anchor;
        clause.aliases = aliases;
    }
    let mut out = last.retired.clone();
    for (i, o) in last.clauses.iter().enumerate() {
        if matching.old_to_new[i].is_none() {
            for anchor in std::iter::once(&o.anchor).chain(o.aliases.iter().map(|a| &a.anchor)) {
                out.push(Retired {
                    anchor: anchor.clone(),
                    page: o.page.clone(),
                    label: o.label.clone(),
                    title: o.title.clone(),
                    removed_in: version.to_string(),
                });
            }
        }
    }
    out
}

/// Every published edition, oldest first, and the current text set against them.
pub struct Editions {
    pub history: Vec<Edition>,
    /// The version the settings give the current text (`policy_version`).
    pub current_version: String,
    pub current_date: String,
    pub current_sha256: String,
    /// The current text as an edition (anchors assigned): what
    /// `--release-edition` writes.
    pub current: Edition,
    /// Whether the current text is exactly the newest edition.
    pub released: bool,
    /// `--release-edition` took the current text as an edition not yet on disk.
    to_write: bool,
    notes: BTreeMap<String, String>,
}

/// One row of 修订记录.
pub struct Revision<'a> {
    pub version: &'a str,
    pub date: &'a str,
    /// Not yet frozen by `--release-edition`.
    pub pending: bool,
    pub note: Option<&'a str>,
    pub changes: Vec<Change>,
    /// The first edition: no previous text to compare with.
    pub first: bool,
}

impl Editions {
    /// Reads the snapshots and notes, and gives the current clauses their
    /// anchors. Errors name the file.
    pub fn analyse(
        book_dir: &Path,
        version: &str,
        date: &str,
        clauses: &mut ClauseIndex,
        rules: &BTreeMap<String, String>,
    ) -> Result<Editions> {
        let history = load_history(book_dir)?;
        let notes = load_notes(book_dir)?;
        let mut retired = Vec::new();
        if let Some(last) = history.last() {
            retired = assign_anchors(&mut clauses.clauses, last, version);
        }
        let current_sha256 = index_sha256(clauses);
        let current = Edition {
            version: version.to_string(),
            date: date.to_string(),
            text_sha256: current_sha256.clone(),
            clauses: clauses.clauses.iter().map(EditionClause::of).collect(),
            retired,
            rules: rules.clone(),
        };
        let released = history
            .last()
            .is_some_and(|last| last.version == version && last.text_sha256 == current_sha256);
        Ok(Editions {
            history,
            current_version: version.to_string(),
            current_date: date.to_string(),
            current_sha256,
            current,
            released,
            to_write: false,
            notes,
        })
    }

    pub fn last(&self) -> Option<&Edition> {
        self.history.last()
    }

    /// Whether the current text differs from the newest edition although the
    /// version was not changed: worth a warning, not an error (a typo fix
    /// should not need a new version, but the admin should know).
    pub fn edited_without_new_version(&self) -> bool {
        self.last()
            .is_some_and(|last| last.version == self.current_version && !self.released)
    }

    /// The rows of 修订记录, newest first: the text not yet frozen (if it
    /// differs from the newest edition) against that edition, then every
    /// edition against its predecessor. Released rows never change.
    pub fn revisions(&self) -> Vec<Revision<'_>> {
        let mut rows = Vec::new();
        if !self.released {
            let last = self.last();
            rows.push(Revision {
                version: &self.current_version,
                date: &self.current_date,
                pending: true,
                note: self.notes.get(&self.current_version).map(String::as_str),
                changes: last.map_or_else(Vec::new, |last| {
                    changes(&last.clauses, &self.current.clauses)
                }),
                first: last.is_none(),
            });
        }
        for (i, edition) in self.history.iter().enumerate().rev() {
            rows.push(Revision {
                version: &edition.version,
                date: &edition.date,
                pending: false,
                note: self.notes.get(&edition.version).map(String::as_str),
                changes: match i {
                    0 => Vec::new(),
                    _ => changes(&self.history[i - 1].clauses, &edition.clauses),
                },
                first: i == 0,
            });
        }
        rows
    }

    /// The changes the current version made (the newest row of 修订记录), by
    /// current clause id: what the 本次修订 badges mark.
    pub fn current_changes(&self) -> HashMap<String, ChangeKind> {
        let rows = self.revisions();
        let Some(row) = rows.first() else {
            return HashMap::new();
        };
        if row.version != self.current_version {
            return HashMap::new();
        }
        row.changes
            .iter()
            .filter_map(|c| Some((c.new.as_ref()?.id.clone(), c.kind)))
            .filter(|(_, k)| *k != ChangeKind::Renumbered)
            .collect()
    }

    /// For each released edition other than the current text: how many
    /// clauses differ from the current text (the returning reader's notice).
    pub fn changes_since(&self) -> BTreeMap<String, usize> {
        self.history
            .iter()
            .filter(|e| e.text_sha256 != self.current_sha256)
            .map(|e| {
                let n = changes(&e.clauses, &self.current.clauses).len();
                (e.version.clone(), n)
            })
            .collect()
    }

    /// The anchor id of a change's entry on the 修订记录 page.
    pub fn entry_anchor(version: &str, change: &Change) -> String {
        let anchor = change
            .new
            .as_ref()
            .or(change.old.as_ref())
            .map_or("", |c| c.anchor.as_str());
        format!("rev-{}-{anchor}", slug(version))
    }

    /// Takes the current text as the edition `policy_version` names, so the
    /// site renders it as released; [`Editions::release`] then writes it.
    /// Refuses to overwrite a different snapshot or to go back in version.
    pub fn mark_released(&mut self) -> Result<()> {
        if self.released {
            return Ok(());
        }
        if let Some(existing) = self
            .history
            .iter()
            .find(|e| e.version == self.current_version)
        {
            bail!(
                "book/settings.toml: 第 {} 版已经定版（{}），不能覆盖：请先把 policy_version 改为新的版本号（例如 {}），再运行 cargo xtask build --release-edition",
                existing.version,
                snapshot_name(&existing.version),
                next_version(&existing.version)
            );
        }
        if let Some(last) = self.last()
            && version_key(&self.current_version) < version_key(&last.version)
        {
            bail!(
                "book/settings.toml: 新版本号 {} 小于已定版的 {}：请改为更大的版本号",
                self.current_version,
                last.version
            );
        }
        self.history.push(self.current.clone());
        self.released = true;
        self.to_write = true;
        Ok(())
    }

    /// Writes the snapshot [`Editions::mark_released`] took, atomically.
    pub fn release(&self, book_dir: &Path) -> Result<Option<PathBuf>> {
        if !self.to_write {
            return Ok(None);
        }
        let dir = book_dir.join(EDITIONS_DIR);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.json", self.current_version));
        let tmp = dir.join(format!(
            ".{}.json.tmp-{}",
            self.current_version,
            std::process::id()
        ));
        let json = serde_json::to_string_pretty(&self.current)? + "\n";
        std::fs::write(&tmp, json).with_context(|| format!("无法写入 {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("无法写入 {}", path.display()))?;
        Ok(Some(path))
    }
}

fn snapshot_name(version: &str) -> String {
    format!("book/{EDITIONS_DIR}/{version}.json")
}

/// `1.0` → `1.1`: a suggestion in messages.
fn next_version(version: &str) -> String {
    let mut parts: Vec<String> = version.split('.').map(str::to_string).collect();
    if let Some(last) = parts.last_mut()
        && let Ok(n) = last.parse::<u64>()
    {
        *last = (n + 1).to_string();
        return parts.join(".");
    }
    format!("{version}.1")
}

fn load_history(book_dir: &Path) -> Result<Vec<Edition>> {
    let dir = book_dir.join(EDITIONS_DIR);
    let mut history = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(history),
        Err(e) => return Err(e).with_context(|| format!("无法读取 {}", dir.display())),
    };
    let mut errors = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = format!(
            "book/{EDITIONS_DIR}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(Diagnostic::new(&name, None, format!("无法读取：{e}")));
                continue;
            }
        };
        match serde_json::from_str::<Edition>(&text) {
            Ok(edition) => {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                if edition.version != stem {
                    errors.push(Diagnostic::new(
                        &name,
                        None,
                        format!(
                            "文件名与其中的版本号 {} 不一致：版本快照由 cargo xtask build --release-edition 生成，请勿手工修改或改名",
                            edition.version
                        ),
                    ));
                }
                history.push(edition);
            }
            Err(e) => errors.push(Diagnostic::new(
                &name,
                Some(e.line()),
                format!(
                    "版本快照已损坏（{e}）：快照由 cargo xtask build --release-edition 生成，请用 git 恢复该文件"
                ),
            )),
        }
    }
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    history.sort_by_key(|e| version_key(&e.version));
    Ok(history)
}

fn load_notes(book_dir: &Path) -> Result<BTreeMap<String, String>> {
    let path = book_dir.join(NOTES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).with_context(|| format!("无法读取 {}", path.display())),
    };
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| line_of(&text, s.start));
        anyhow::anyhow!(Diagnostic::new(
            format!("book/{NOTES_FILE}"),
            line,
            format!(
                "修订说明文件格式有误：每行写成 \"版本号\" = \"说明\"，例如 \"1.1\" = \"调整回复时限\"（{}）",
                e.message()
            ),
        ))
    })
}

// ---- rules against the last edition ---------------------------------------

/// A rule's cited clause, as the rules file states it.
pub struct RuleCitation<'a> {
    pub id: &'a str,
    pub clause: &'a str,
    /// `book/rules/personal.toml`, and the line of its `clause = …`.
    pub file: &'a str,
    pub line: usize,
}

/// One renumbering a rule file must follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Repoint {
    pub rule: String,
    pub file: String,
    pub line: usize,
    pub from: String,
    pub to: String,
}

/// Checks that every rule still cites the clause it cited in the newest
/// edition. Returns the errors, and the renumberings `fix-rules` may apply.
pub fn check_rules(
    editions: &Editions,
    citations: &[RuleCitation<'_>],
) -> (Vec<Diagnostic>, Vec<Repoint>) {
    let mut errors = Vec::new();
    let mut repoints = Vec::new();
    let Some(last) = editions.last() else {
        return (errors, repoints);
    };
    let current = &editions.current.clauses;
    let matching = match_clauses(&last.clauses, current);
    let describe_now = |id: &str| -> String {
        match current.iter().position(|c| c.id == id) {
            None => format!("{id} 已不存在"),
            Some(j) => match matching.new_to_old[j] {
                None => format!("{id} 已是新插入的条款"),
                Some(i) if last.clauses[i].id != id => {
                    format!("{id} 现在是原 {} 条", last.clauses[i].id)
                }
                Some(_) => format!("{id} 的内容已改写"),
            },
        }
    };
    for rule in citations {
        let Some(cited) = last.rules.get(rule.id) else {
            continue; // a new rule, written against the current text
        };
        let Some(i) = last.clauses.iter().position(|c| &c.id == cited) else {
            continue;
        };
        let old = &last.clauses[i];
        match matching.old_to_new[i] {
            Some(j) if current[j].id == rule.clause => {}
            Some(j) => {
                let to = &current[j].id;
                errors.push(Diagnostic::new(
                    rule.file,
                    Some(rule.line),
                    format!(
                        "规则 {} 指向 {}，但 {}；原条款（第 {} 版 {} {}）现为 {to}。请更新 {}:{}，改为 clause = \"{to}\"（或运行 cargo xtask fix-rules 自动修改）",
                        rule.id,
                        rule.clause,
                        describe_now(rule.clause),
                        last.version,
                        old.id,
                        old.label,
                        rule.file,
                        rule.line,
                    ),
                ));
                repoints.push(Repoint {
                    rule: rule.id.to_string(),
                    file: rule.file.to_string(),
                    line: rule.line,
                    from: rule.clause.to_string(),
                    to: to.clone(),
                });
            }
            None => errors.push(Diagnostic::new(
                rule.file,
                Some(rule.line),
                format!(
                    "规则 {} 指向 {}，但它在第 {} 版依据的条款（{} {}「{}」）已删除或改写得面目全非；{}。请确认这条规则现在应当依据哪一条，修改 {}:{} 的 clause，或删除这条规则",
                    rule.id,
                    rule.clause,
                    last.version,
                    old.id,
                    old.label,
                    old.title,
                    describe_now(rule.clause),
                    rule.file,
                    rule.line,
                ),
            )),
        }
    }
    (errors, repoints)
}

/// Finds the line of each rule's `clause = …` in its rules file.
pub fn clause_lines(book_dir: &Path, files: &[String]) -> Result<HashMap<String, usize>> {
    #[derive(Deserialize)]
    struct RulesFile {
        #[serde(default)]
        rule: Vec<RuleEntry>,
    }
    #[derive(Deserialize)]
    struct RuleEntry {
        id: String,
        clause: toml::Spanned<String>,
    }
    let root = book_dir.parent().unwrap_or(book_dir);
    let mut lines = HashMap::new();
    for file in files {
        let text =
            std::fs::read_to_string(root.join(file)).with_context(|| format!("无法读取 {file}"))?;
        let Ok(parsed) = toml::from_str::<RulesFile>(&text) else {
            continue; // the rules loader has reported it already
        };
        for rule in parsed.rule {
            lines.insert(rule.id, line_of(&text, rule.clause.span().start));
        }
    }
    Ok(lines)
}

/// `cargo xtask fix-rules`: rewrites each `clause = "…"` a renumbering moved,
/// touching nothing else in the file. Returns what it changed.
pub fn apply_repoints(book_dir: &Path, repoints: &[Repoint]) -> Result<Vec<String>> {
    let root = book_dir.parent().unwrap_or(book_dir);
    let mut by_file: BTreeMap<&str, Vec<&Repoint>> = BTreeMap::new();
    for r in repoints {
        by_file.entry(&r.file).or_default().push(r);
    }
    let mut done = Vec::new();
    for (file, repoints) in by_file {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("无法读取 {file}"))?;
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        for r in repoints {
            let Some(line) = lines.get_mut(r.line - 1) else {
                continue;
            };
            let quoted = format!("\"{}\"", r.from);
            if !line.contains(&quoted) {
                bail!("{file}:{}: 没有找到 clause = {quoted}，请手工修改", r.line);
            }
            *line = line.replacen(&quoted, &format!("\"{}\"", r.to), 1);
            done.push(format!(
                "{file}:{}: 规则 {} 的 clause 由 {} 改为 {}",
                r.line, r.rule, r.from, r.to
            ));
        }
        let tmp = path.with_extension(format!("toml.tmp-{}", std::process::id()));
        std::fs::write(&tmp, lines.join("\n"))?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(done)
}

// ---- rendering ---------------------------------------------------------------

/// The inline character diff of two texts: `<del>` and `<ins>` around what changed.
pub fn inline_diff(old: &str, new: &str) -> String {
    let mut html = String::new();
    let diff = TextDiff::from_chars(old, new);
    let mut run = String::new();
    let mut tag = ChangeTag::Equal;
    let close = |html: &mut String, tag: ChangeTag, run: &str| {
        if run.is_empty() {
            return;
        }
        let text = escape(run);
        match tag {
            ChangeTag::Equal => html.push_str(&text),
            ChangeTag::Delete => {
                let _ = write!(html, "<del>{text}</del>");
            }
            ChangeTag::Insert => {
                let _ = write!(html, "<ins>{text}</ins>");
            }
        }
    };
    for change in diff.iter_all_changes() {
        if change.tag() != tag {
            close(&mut html, tag, &run);
            run.clear();
            tag = change.tag();
        }
        run.push_str(change.value());
    }
    close(&mut html, tag, &run);
    html.replace('\n', "<br>")
}

/// The 修订记录 page body (`{{edition_history}}`).
pub fn history_html(editions: &Editions, clauses: &ClauseIndex) -> String {
    // Where an anchor (current or old) lives now.
    let mut page_of: HashMap<&str, &str> = HashMap::new();
    for c in &clauses.clauses {
        page_of.insert(&c.anchor, &c.page);
        for a in &c.aliases {
            page_of.insert(&a.anchor, &c.page);
        }
    }
    let link = |c: &EditionClause| -> String {
        match page_of.get(c.anchor.as_str()) {
            Some(page) => format!(
                "<a href=\"{}#{}\">{}</a>",
                escape(page),
                escape(&c.anchor),
                escape(&c.label)
            ),
            None => escape(&c.label),
        }
    };
    let mut html = String::from("<div class=\"edition-history\">\n");
    for row in editions.revisions() {
        let slug = slug(row.version);
        let _ = write!(
            html,
            "<section class=\"edition\" id=\"rev-{slug}{}\">\n<h2>第 {} 版{}<span class=\"edition-date\">{}</span></h2>\n",
            if row.pending { "-pending" } else { "" },
            escape(row.version),
            match (row.pending, editions.edited_without_new_version()) {
                (false, _) => "",
                (true, false) => "（尚未定版）",
                (true, true) => "定版之后的修改（尚未定版：发布前请修改版本号）",
            },
            escape(row.date)
        );
        if let Some(note) = row.note {
            let _ = writeln!(html, "<p class=\"edition-note\">{}</p>", escape(note));
        }
        if row.first {
            html.push_str("<p>首次发布。</p>\n");
        } else if row.changes.is_empty() {
            html.push_str("<p>条款文字没有变化。</p>\n");
        } else {
            let count =
                |k: &[ChangeKind]| row.changes.iter().filter(|c| k.contains(&c.kind)).count();
            let _ = writeln!(
                html,
                "<p class=\"edition-summary\">新增 {} 条，修改 {} 条，删除 {} 条，改编号 {} 条。</p>",
                count(&[ChangeKind::Added]),
                count(&[ChangeKind::Changed, ChangeKind::ChangedRenumbered]),
                count(&[ChangeKind::Removed]),
                count(&[ChangeKind::Renumbered, ChangeKind::ChangedRenumbered]),
            );
            html.push_str("<ul class=\"edition-changes\">\n");
            for change in &row.changes {
                let id = Editions::entry_anchor(row.version, change);
                let _ = write!(
                    html,
                    "<li id=\"{}\" class=\"change change-{}\"><span class=\"change-kind\">{}</span> ",
                    escape(&id),
                    serde_json::to_value(change.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    change.kind.label_zh()
                );
                match (&change.old, &change.new) {
                    (None, Some(new)) => {
                        let _ = write!(
                            html,
                            "{} {}<div class=\"change-text\"><ins>{}</ins></div>",
                            link(new),
                            escape(&new.title),
                            escape(&body_of(new.kind, "", &new.text)).replace('\n', "<br>")
                        );
                    }
                    (Some(old), None) => {
                        let _ = write!(
                            html,
                            "{}（原编号）{}<div class=\"change-text\"><del>{}</del></div>",
                            escape(&old.label),
                            escape(&old.title),
                            escape(&old.body()).replace('\n', "<br>")
                        );
                    }
                    (Some(old), Some(new)) => {
                        if old.id != new.id {
                            let _ = write!(html, "{} → ", escape(&old.label));
                        }
                        let _ = write!(html, "{} {}", link(new), escape(&new.title));
                        if old.body() != new.body() {
                            let _ = write!(
                                html,
                                "<div class=\"change-text\">{}</div>",
                                inline_diff(&old.body(), &new.body())
                            );
                        }
                    }
                    (None, None) => {}
                }
                html.push_str("</li>\n");
            }
            html.push_str("</ul>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</div>\n");
    html
}

/// The note beside a clause the current version added or changed.
pub fn badge(
    editions: &Editions,
    changes: &HashMap<String, ChangeKind>,
    clause: &Clause,
) -> Option<String> {
    let kind = changes.get(&clause.id)?;
    let word = match kind {
        ChangeKind::Added => "本次新增",
        _ => "本次修订",
    };
    let change = Change {
        kind: *kind,
        old: None,
        new: Some(EditionClause::of(clause)),
    };
    Some(format!(
        "<a class=\"revision-badge\" href=\"changelog.html#{}\">{word}（第 {} 版）</a>",
        escape(&Editions::entry_anchor(&editions.current_version, &change)),
        escape(&editions.current_version)
    ))
}

/// `{{edition_notice}}` on the front page: empty and hidden until the page
/// script finds that the reader last saw an older edition.
pub fn notice_html() -> &'static str {
    "<p class=\"edition-notice\" role=\"status\" hidden></p>"
}

/// Data for `assets/editions.js`, every word in it written here.
#[derive(Serialize)]
struct PageData<'a> {
    current: &'a str,
    sha256: &'a str,
    /// Version → number of clauses that differ from the current text.
    since: BTreeMap<String, usize>,
    /// `page#anchor` → what became of a removed clause.
    retired: BTreeMap<String, RetiredNote>,
    words: Words,
}

#[derive(Serialize)]
struct RetiredNote {
    label: String,
    title: String,
    removed: String,
}

#[derive(Serialize)]
struct Words {
    /// `{n}` revisions since the edition the reader last saw.
    notice: &'static str,
    /// An old link landed on a clause that has moved.
    moved: &'static str,
    /// An old link to a removed clause.
    removed: &'static str,
    changelog: &'static str,
}

/// `generated/editions.js`: the edition facts the page scripts need.
pub fn page_script(editions: &Editions) -> String {
    let data = PageData {
        current: &editions.current_version,
        sha256: &editions.current_sha256,
        since: editions.changes_since(),
        retired: editions
            .current
            .retired
            .iter()
            .map(|r| {
                (
                    format!("{}#{}", r.page, r.anchor),
                    RetiredNote {
                        label: r.label.clone(),
                        title: r.title.clone(),
                        removed: r.removed_in.clone(),
                    },
                )
            })
            .collect(),
        words: Words {
            notice: "自您上次阅读（第 {seen} 版）以来，本制度有 {n} 条修订，现行为第 {current} 版。",
            moved: "您打开的是第 {edition} 版中“{was}”的链接；该条现编号为{label}。",
            removed: "您打开的链接指向的{label}「{title}」已在第 {removed} 版删除。",
            changelog: "查看修订记录",
        },
    };
    format!(
        "// Generated by `cargo xtask build` from book/editions: do not edit.\nwindow.WX_EDITIONS = {};\n",
        serde_json::to_string(&data).expect("edition data serialises")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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

    const PRIVACY: &str =
        "禁止发布涉及个人隐私、客户隐私的内容，包括但不限于电话号码、身份证号码。";
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
}
