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

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clauses::{Alias, Clause, ClauseIndex, ClauseKind};
use crate::diagnostics::{Diagnostic, Diagnostics, line_of};

mod anchors;
mod drift;
mod matching;
mod render;
#[cfg(test)]
mod tests;

pub use drift::{Repoint, RuleCitation, apply_repoints, check_rules};
pub use matching::{Change, ChangeKind};
pub use render::{badge, history_html, notice_html, page_script};

use anchors::assign_anchors;
use matching::changes;

/// Folder of the snapshots, relative to `book/`.
pub const EDITIONS_DIR: &str = "editions";
/// The admin's free-text notes per edition, relative to `book/`.
pub const NOTES_FILE: &str = "editions/notes.toml";
/// Rules the admin confirmed against a rewritten clause (`"rule" = "clause"`),
/// relative to `book/`.
pub const ACCEPT_FILE: &str = "editions/accept.toml";

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
    /// Rule id → the clause the admin confirmed it still cites (`ACCEPT_FILE`).
    pub accepted: BTreeMap<String, String>,
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
        let notes = load_table(book_dir, NOTES_FILE, "\"1.1\" = \"调整回复时限\"")?;
        let accepted = load_table(book_dir, ACCEPT_FILE, "\"personal-phone\" = \"3.3.3\"")?;
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
            accepted,
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
        let text = match crate::sources::read_text(book_dir, &path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(e);
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

/// A table of text keys and values (`notes.toml`, `accept.toml`); a missing
/// file is an empty table. `example` shows one line in the error message.
fn load_table(book_dir: &Path, file: &str, example: &str) -> Result<BTreeMap<String, String>> {
    let path = book_dir.join(file);
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = crate::sources::read_text(book_dir, &path)?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| line_of(&text, s.start));
        anyhow::anyhow!(Diagnostic::new(
            format!("book/{file}"),
            line,
            format!(
                "格式有误：每行写成 \"键\" = \"值\"，例如 {example}（{}）",
                e.message()
            ),
        ))
    })
}
