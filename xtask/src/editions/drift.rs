//! Rules against the last edition: a rule must still cite the clause it
//! cited when that edition was published.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::matching::match_clauses;
use super::{ACCEPT_FILE, Editions};
use crate::diagnostics::Diagnostic;

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
        if editions
            .accepted
            .get(rule.id)
            .is_some_and(|c| c == rule.clause)
        {
            continue; // the admin confirmed the rule against the current text
        }
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
                    "规则 {id} 指向 {clause}，但它在第 {} 版依据的条款（{} {}「{}」）已删除或改写得面目全非；{}。请确认这条规则现在应当依据哪一条：修改 {}:{} 的 clause，或删除这条规则；若它仍适用于现在的 {clause}，在 book/{ACCEPT_FILE} 中加一行 \"{id}\" = \"{clause}\"",
                    last.version,
                    old.id,
                    old.label,
                    old.title,
                    describe_now(rule.clause),
                    rule.file,
                    rule.line,
                    id = rule.id,
                    clause = rule.clause,
                ),
            )),
        }
    }
    (errors, repoints)
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
