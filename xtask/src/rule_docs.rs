//! Rules shown in the handbook, generated from the rules files at build time so
//! they never drift: the 检查规则一览 catalogue, and the note beside every clause
//! that a rule enforces.

use std::fmt::Write as _;

use wxcheck::{Matcher, Rule, Severity};

use crate::handbook::Handbook;

/// The page of the rule catalogue; a rule's anchor there is `rule-{id}`.
pub const PAGE: &str = "rules.html";

/// HTML-escapes text for attribute values (double-quoted) and element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String");
    out
}

fn contexts_zh(rule: &Rule) -> String {
    rule.contexts
        .iter()
        .map(|c| c.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// The note under a clause listing the rules that enforce it, each with a link
/// that opens the checker pre-filled with one of its examples.
pub fn clause_note(handbook: &Handbook, clause: &str) -> Option<String> {
    let rules: Vec<&Rule> = handbook
        .rules
        .rules()
        .iter()
        .filter(|r| &*r.clause == clause)
        .collect();
    if rules.is_empty() {
        return None;
    }
    // Each note is a landmark: its name says which clause, so they stay distinct.
    let label = handbook
        .clauses
        .get(clause)
        .map_or(clause, |c| c.label.as_str());
    let mut html = format!(
        "<aside class=\"clause-rules\" aria-label=\"{}的自检规则\"><span class=\"clause-rules-title\">自检规则：</span>",
        escape(label)
    );
    for (i, rule) in rules.iter().enumerate() {
        if i > 0 {
            html.push('；');
        }
        let _ = write!(
            html,
            "<a class=\"clause-rule\" href=\"{PAGE}#rule-{id}\" data-rule=\"{id}\" data-severity=\"{sev}\">{msg}</a>（{label}）",
            id = escape(&rule.id),
            sev = rule.severity.as_str(),
            msg = escape(&short(&rule.message)),
            label = rule.severity.label_zh(),
        );
        if !rule.examples_flag.is_empty() {
            let _ = write!(
                html,
                " <a class=\"clause-rule-try\" href=\"self-check.html?try={id}\" title=\"在自检中填入例子：{example}\">在自检中试试</a>",
                id = escape(&rule.id),
                example = escape(&rule.examples_flag[0]),
            );
        }
    }
    html.push_str("</aside>");
    Some(html)
}

/// A rule's heading for readers: the first sentence of its message (rules
/// have no title of their own, and their ids are for admins).
pub fn rule_title(message: &str) -> String {
    short(message)
}

/// First sentence of a message, for the compact note.
fn short(message: &str) -> String {
    message
        .split_inclusive(['。', '；'])
        .next()
        .unwrap_or(message)
        .trim_end_matches(['。', '；'])
        .to_string()
}

/// The full 检查规则一览 catalogue, grouped by clause in handbook order: per
/// rule its clause, severity, contexts, what it matches, message, suggestion,
/// replacement and examples, and a link that tries it in the checker.
pub fn catalogue(handbook: &Handbook) -> String {
    let all = handbook.rules.rules();
    let mut html = String::new();
    let per_severity: Vec<String> = [
        Severity::Block,
        Severity::Senior,
        Severity::Revise,
        Severity::Advice,
    ]
    .iter()
    .map(|s| {
        format!(
            "{} {} 条",
            s.label_zh(),
            all.iter().filter(|r| r.severity == *s).count()
        )
    })
    .collect();
    let _ = writeln!(
        html,
        "<p class=\"rules-meta\">共 {} 条规则（{}）· 规则版本 <code>{}</code></p>\n",
        all.len(),
        per_severity.join("，"),
        escape(&handbook.rules.version())
    );
    for clause in &handbook.clauses.clauses {
        let rules: Vec<&Rule> = all.iter().filter(|r| *r.clause == *clause.id).collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(
            html,
            "<h2 class=\"rules-clause\" id=\"rules-{anchor}\"><a href=\"{url}\">{label} {title}</a></h2>\n",
            anchor = escape(&clause.anchor),
            url = escape(&clause.url()),
            label = escape(&clause.label),
            title = escape(&clause.title)
        );
        for rule in rules {
            let _ = writeln!(
                html,
                "<section class=\"rule\" id=\"rule-{id}\" data-rule=\"{id}\" data-clause=\"{clause}\" data-severity=\"{sev}\">",
                id = escape(&rule.id),
                clause = escape(&rule.clause),
                sev = rule.severity.as_str(),
            );
            // Readers see the rule's first sentence and severity; its id (which
            // other pages link to, as `#rule-{id}`) and any regex are in the
            // admin's 技术细节 fold below.
            let _ = writeln!(
                html,
                "<h3>{title} <span class=\"severity severity-{sev}\">{sev_zh}</span></h3>",
                title = escape(&rule_title(&rule.message)),
                sev = rule.severity.as_str(),
                sev_zh = rule.severity.label_zh()
            );
            let _ = writeln!(html, "<dl class=\"rule-fields\">");
            let _ = writeln!(
                html,
                "<dt>条款</dt><dd><a href=\"{}\">{}</a></dd>",
                escape(&clause.url()),
                escape(&clause.label)
            );
            let _ = writeln!(
                html,
                "<dt>适用场景</dt><dd>{}</dd>",
                escape(&contexts_zh(rule))
            );
            if !matches!(rule.matcher, Matcher::Pattern { .. }) {
                let _ = writeln!(html, "<dt>查找</dt><dd>{}</dd>", matcher_zh(&rule.matcher));
            }
            let _ = writeln!(html, "<dt>提示</dt><dd>{}</dd>", escape(&rule.message));
            let _ = writeln!(
                html,
                "<dt>修改建议</dt><dd>{}</dd>",
                escape(&rule.suggestion)
            );
            if let Some(replacement) = &rule.replacement {
                let _ = writeln!(
                    html,
                    "<dt>替换为</dt><dd>{}</dd>",
                    escape(&replacement_zh(replacement))
                );
            }
            if let Some(stances) = stances_zh(rule) {
                let _ = writeln!(html, "<dt>语气</dt><dd>{stances}</dd>");
            }
            if !rule.allow.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>不算违规的说法</dt><dd>{}</dd>",
                    escape(&rule.allow.join("、"))
                );
            }
            if !rule.examples_flag.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>会被指出的例子</dt><dd><ul>{}</ul></dd>",
                    list(&rule.examples_flag)
                );
            }
            if !rule.examples_pass.is_empty() {
                let _ = writeln!(
                    html,
                    "<dt>不会被误报的例子</dt><dd><ul>{}</ul></dd>",
                    list(&rule.examples_pass)
                );
            }
            let _ = writeln!(html, "</dl>");
            if let Some(example) = rule.examples_flag.first() {
                let _ = writeln!(
                    html,
                    "<p><a class=\"clause-rule-try\" href=\"self-check.html?try={id}\" title=\"在自检中填入例子：{example}\">在自检中试试</a></p>",
                    id = escape(&rule.id),
                    example = escape(example),
                );
            }
            let _ = writeln!(
                html,
                "<details class=\"rule-tech\"><summary>技术细节</summary><dl class=\"rule-fields\"><dt>规则编号</dt><dd><code>{id}</code></dd>",
                id = escape(&rule.id)
            );
            if matches!(rule.matcher, Matcher::Pattern { .. }) {
                let _ = writeln!(html, "<dt>查找</dt><dd>{}</dd>", matcher_zh(&rule.matcher));
            }
            let _ = writeln!(
                html,
                "<dt>定义位置</dt><dd><code>{}:{}</code></dd></dl></details>",
                escape(&rule.file),
                rule.line
            );
            let _ = writeln!(html, "</section>\n");
        }
    }
    html
}

/// A replacement as staff read it: `{masked}` is the matched value masked.
fn replacement_zh(replacement: &str) -> String {
    replacement.replace(
        "{masked}",
        "打码后的原文（保留首尾几位，中间用 * 遮挡，如 138****5678）",
    )
}

/// What a rule looks for, in words an admin reads.
fn matcher_zh(matcher: &Matcher) -> String {
    match matcher {
        Matcher::Words { words } => format!("词语：{}", escape(&words.join("、"))),
        Matcher::Pattern { pattern, .. } => {
            format!("模式（正则表达式）：<code>{}</code>", escape(pattern))
        }
        Matcher::Validator { validator } => format!(
            "{}（按校验规则识别，不是简单的数字串）",
            validator.label_zh()
        ),
        Matcher::Near {
            parts,
            names,
            within,
        } => {
            let part = |(i, words): (usize, &Vec<String>)| match names.get(i) {
                Some(name) if name.starts_with('@') => format!(
                    "「{}」类的词（{}）",
                    escape(&name[1..]),
                    escape(&words.join("、"))
                ),
                _ => format!("“{}”", escape(&words.join("、"))),
            };
            let parts: Vec<String> = parts.iter().enumerate().map(part).collect();
            let reach = match within {
                Some(n) => format!("同一句内、相距不超过 {n} 个字"),
                None => "同一句内".to_string(),
            };
            format!("同时出现（{reach}，先后不限）：{}", parts.join(" 与 "))
        }
    }
}

/// What sentence stances do to a rule's hits, in words an admin reads.
fn stances_zh(rule: &wxcheck::Rule) -> Option<String> {
    let names = |list: &[wxcheck::Stance]| {
        list.iter()
            .map(|s| s.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut out = Vec::new();
    if !rule.unless.is_empty() {
        out.push(format!(
            "句子带有{}语气时不算（例如“我们不承诺……”“谨防……”）",
            names(&rule.unless)
        ));
    }
    if !rule.soften.is_empty() {
        out.push(format!("是{}号码或信息时只作提醒", names(&rule.soften)));
    }
    (!out.is_empty()).then(|| escape(&out.join("；")))
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|e| format!("<li>{}</li>", escape(e)))
        .collect()
}
