//! Anchors that never change meaning: see the module docs of `editions`.

use std::collections::{HashMap, HashSet};

use super::matching::match_clauses;
use super::{Edition, Retired, slug};
use crate::clauses::{Alias, Clause, anchor_of};

/// Gives the current clauses their anchors, continuing `last`'s: see the
/// module docs. Returns the anchors retired by this text (removed clauses).
pub(super) fn assign_anchors(
    clauses: &mut [Clause],
    last: &Edition,
    version: &str,
) -> Vec<Retired> {
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
