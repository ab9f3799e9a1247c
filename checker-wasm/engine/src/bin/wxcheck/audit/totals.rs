//! What the writer learns from the outcomes, in input order: the totals that
//! must reconcile, the counts per verdict, clause, sender and day, and the
//! findings the HTML report shows.
//!
//! Memory stays bounded: counts are per clause, sender and day, the listed
//! unreadable records and the findings kept for the report are capped, and
//! msgids are remembered as 64-bit hashes (8 bytes each; a collision among a
//! billion messages has odds of about 3 in 100,000).

use super::{Outcome, Status};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use wxcheck::{Severity, Verdict};

/// Unreadable records listed by place; the rest are only counted.
pub const LISTED_BAD: usize = 1000;
/// Findings kept per severity for the HTML report (all are in CSV/JSONL).
pub const HELD_PER_SEVERITY: usize = 2000;

pub fn hash_id(id: &str) -> u64 {
    let mut h = DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// One finding as the HTML report shows it.
#[derive(Clone, Debug)]
pub struct Shown {
    pub severity: Severity,
    pub clause: Arc<str>,
    pub rule: Arc<str>,
    pub message: Arc<str>,
    pub suggestion: Arc<str>,
    pub time: String,
    pub sender: String,
    pub conversation: String,
    pub context: &'static str,
    pub before: String,
    pub hit: String,
    pub after: String,
    pub msgid: Option<String>,
    pub place: String,
    pub recalled: bool,
}

#[derive(Default, Clone, Copy)]
pub struct Count {
    pub messages: u64,
    pub flagged: u64,
    pub findings: u64,
    pub blocked: u64,
}

#[derive(Default)]
pub struct Totals {
    pub read: u64,
    pub audited: u64,
    pub skipped_sender: u64,
    pub skipped_type: BTreeMap<String, u64>,
    pub recalled: u64,
    pub duplicates: u64,
    pub unreadable: u64,
    /// (place, id, error) of the first [`LISTED_BAD`] unreadable records.
    pub bad: Vec<(String, Option<String>, String)>,
    /// Files that could not be read at all.
    pub failed_files: Vec<(String, String)>,
    pub verdicts: BTreeMap<Verdict, u64>,
    pub severities: BTreeMap<Severity, u64>,
    pub clauses: BTreeMap<String, (Count, Severity)>,
    pub senders: HashMap<String, Count>,
    pub days: BTreeMap<String, Count>,
    pub contexts: BTreeMap<&'static str, u64>,
    pub held: BTreeMap<Severity, Vec<Shown>>,
    seen: HashSet<u64>,
    recalled_ids: HashSet<u64>,
}

impl Totals {
    /// Counts one outcome; returns false when it is a duplicate (already seen
    /// msgid), whose output is then not written.
    pub fn add(&mut self, o: &mut Outcome) -> bool {
        if let Status::FileFailed(e) = &o.status {
            self.failed_files.push((o.file.to_string(), e.clone()));
            return true;
        }
        self.read += 1;
        if let Some(h) = o.dedupe
            && !self.seen.insert(h)
        {
            self.duplicates += 1;
            o.status = Status::Duplicate;
            return false;
        }
        match &mut o.status {
            Status::Bad(e) => {
                self.unreadable += 1;
                if self.bad.len() < LISTED_BAD {
                    self.bad
                        .push((format!("{}:{}", o.file, o.line), o.id.clone(), e.clone()));
                }
            }
            Status::SkippedType(t) => *self.skipped_type.entry(t.clone()).or_default() += 1,
            Status::SkippedSender => self.skipped_sender += 1,
            Status::Recall(pre) => {
                self.recalled += 1;
                self.recalled_ids.insert(hash_id(pre));
            }
            Status::Audited { verdict, shown } => {
                self.audited += 1;
                *self.verdicts.entry(*verdict).or_default() += 1;
                *self.contexts.entry(o.place.label_zh()).or_default() += 1;
                let flagged = u64::from(*verdict != Verdict::Pass);
                let blocked = u64::from(*verdict == Verdict::Block);
                let findings = shown.len() as u64;
                let bump = |c: &mut Count| {
                    c.messages += 1;
                    c.flagged += flagged;
                    c.findings += findings;
                    c.blocked += blocked;
                };
                // Look up before inserting: a key is allocated only once.
                match self.senders.get_mut(&o.sender) {
                    Some(c) => bump(c),
                    None => bump(self.senders.entry(o.sender.clone()).or_default()),
                }
                let day = o.time.get(..10).unwrap_or("（无时间）");
                match self.days.get_mut(day) {
                    Some(c) => bump(c),
                    None => bump(self.days.entry(day.to_string()).or_default()),
                }
                let mut clauses_here = HashSet::new();
                for s in shown.drain(..) {
                    *self.severities.entry(s.severity).or_default() += 1;
                    let e = self
                        .clauses
                        .entry(s.clause.to_string())
                        .or_insert((Count::default(), s.severity));
                    e.0.findings += 1;
                    e.1 = e.1.max(s.severity);
                    if clauses_here.insert(s.clause.clone()) {
                        e.0.messages += 1;
                    }
                    let held = self.held.entry(s.severity).or_default();
                    if held.len() < HELD_PER_SEVERITY {
                        held.push(s);
                    }
                }
            }
            Status::Duplicate | Status::FileFailed(_) => {}
        }
        true
    }

    /// Marks held findings whose message was recalled later in the input.
    pub fn finish(&mut self) {
        for held in self.held.values_mut() {
            for s in held.iter_mut() {
                s.recalled = s
                    .msgid
                    .as_deref()
                    .is_some_and(|id| self.recalled_ids.contains(&hash_id(id)));
            }
        }
    }

    pub fn skipped_types(&self) -> u64 {
        self.skipped_type.values().sum()
    }

    /// Every record read is in exactly one bucket.
    pub fn reconciles(&self) -> bool {
        self.read
            == self.audited
                + self.skipped_sender
                + self.skipped_types()
                + self.recalled
                + self.duplicates
                + self.unreadable
    }

    pub fn blocked(&self) -> bool {
        self.verdicts.get(&Verdict::Block).is_some_and(|&n| n > 0)
    }

    pub fn findings(&self) -> u64 {
        self.severities.values().sum()
    }
}
