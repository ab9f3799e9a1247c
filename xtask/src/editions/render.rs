//! What readers see of the editions: the 修订记录 page, the badges, and the
//! data for the page script.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::matching::{Comparable, body_of};
use super::{Change, ChangeKind, EditionClause, Editions, slug};
use crate::clauses::{Clause, ClauseIndex};
use crate::rule_docs::escape;

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
