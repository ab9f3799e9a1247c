//! Rules shown in the handbook, generated from the rules files at build time so
//! they never drift: the 检查规则一览 catalogue, and the note beside every clause
//! that a rule enforces.

use std::fmt::Write as _;

use wxcheck::Rule;

use crate::handbook::Handbook;

/// HTML-escapes text for attribute values and element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn contexts_zh(rule: &Rule) -> String {
    rule.contexts.iter().map(|c| c.label_zh()).collect::<Vec<_>>().join("、")
}

/// The note under a clause listing the rules that enforce it, each with a link
/// that opens the checker pre-filled with one of its examples.
pub fn clause_note(handbook: &Handbook, clause: &str) -> Option<String> {
    let rules: Vec<&Rule> = handbook.rules.rules().iter().filter(|r| r.clause == clause).collect();
    if rules.is_empty() {
        return None;
    }
    let mut html = String::from("<aside class=\"clause-rules\" aria-label=\"本条的自检规则\"><span class=\"clause-rules-title\">自检规则：</span>");
    for (i, rule) in rules.iter().enumerate() {
        if i > 0 {
            html.push_str("；");
        }
        let _ = write!(
            html,
            "<a class=\"clause-rule\" href=\"rules.html#rule-{id}\" data-rule=\"{id}\" data-severity=\"{sev}\">{msg}</a>（{label}）",
            id = escape(&rule.id),
            sev = escape(&format!("{:?}", rule.severity).to_lowercase()),
            msg = escape(&short(&rule.message)),
            label = rule.severity.label_zh(),
        );
        if !rule.examples_flag.is_empty() {
            let _ = write!(html, " <a class=\"clause-rule-try\" href=\"self-check.html?try={}\">在自检中试试</a>", escape(&rule.id));
        }
    }
    html.push_str("</aside>");
    Some(html)
}

/// First sentence of a message, for the compact note.
fn short(message: &str) -> String {
    message.split_inclusive(['。', '；']).next().unwrap_or(message).trim_end_matches(['。', '；']).to_string()
}

/// The full 检查规则一览 table, grouped by clause in handbook order.
pub fn catalogue(handbook: &Handbook) -> String {
    let mut html = String::new();
    let _ = writeln!(
        html,
        "<p class=\"rules-meta\">共 {} 条规则 · 规则版本 <code>{}</code></p>\n",
        handbook.rules.rules().len(),
        escape(&handbook.rules.version())
    );
    for clause in &handbook.clauses.clauses {
        let rules: Vec<&Rule> = handbook.rules.rules().iter().filter(|r| r.clause == clause.id).collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(
            html,
            "<h2 class=\"rules-clause\"><a href=\"{url}\">{label} {title}</a></h2>\n",
            url = escape(&clause.url()),
            label = escape(&clause.label),
            title = escape(&clause.title)
        );
        for rule in rules {
            let _ = writeln!(html, "<section class=\"rule\" id=\"rule-{id}\" data-rule=\"{id}\">", id = escape(&rule.id));
            let _ = writeln!(
                html,
                "<h3><code>{id}</code> <span class=\"severity severity-{sev}\">{sev_zh}</span></h3>",
                id = escape(&rule.id),
                sev = format!("{:?}", rule.severity).to_lowercase(),
                sev_zh = rule.severity.label_zh()
            );
            let _ = writeln!(html, "<dl class=\"rule-fields\">");
            let _ = writeln!(html, "<dt>适用场景</dt><dd>{}</dd>", escape(&contexts_zh(rule)));
            let _ = writeln!(html, "<dt>提示</dt><dd>{}</dd>", escape(&rule.message));
            let _ = writeln!(html, "<dt>修改建议</dt><dd>{}</dd>", escape(&rule.suggestion));
            if let Some(replacement) = &rule.replacement {
                let _ = writeln!(html, "<dt>替换为</dt><dd>{}</dd>", escape(replacement));
            }
            if !rule.examples_flag.is_empty() {
                let _ = writeln!(html, "<dt>会被指出的例子</dt><dd><ul>{}</ul></dd>", list(&rule.examples_flag));
            }
            if !rule.examples_pass.is_empty() {
                let _ = writeln!(html, "<dt>不会被误报的例子</dt><dd><ul>{}</ul></dd>", list(&rule.examples_pass));
            }
            let _ = writeln!(html, "</dl>");
            if !rule.examples_flag.is_empty() {
                let _ = writeln!(html, "<p><a class=\"clause-rule-try\" href=\"self-check.html?try={}\">在自检中试试</a></p>", escape(&rule.id));
            }
            let _ = writeln!(html, "</section>\n");
        }
    }
    html
}

fn list(items: &[String]) -> String {
    items.iter().map(|e| format!("<li>{}</li>", escape(e))).collect()
}
