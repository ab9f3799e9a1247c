//! While the handbook is still a draft — the company name is the sample
//! 某某…, or clauses the scraped source lacked are marked `<!-- 补全 -->` and
//! `show_completion_marks` is on — the build reminds the admin of each, and the
//! front page (`{{draft_note}}`) says so once, calmly, listing the completed
//! clauses. Readers are not shown a warning on every clause: that made the
//! pages look unfinished.

use std::fmt::Write as _;

use crate::clauses::Clause;
use crate::handbook::Handbook;
use crate::rule_docs::escape;

/// Whether the company name is still the sample one (某某…) or empty.
pub fn is_sample_company(name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || name.contains("某某")
}

fn sample_company(handbook: &Handbook) -> Option<&str> {
    let name = handbook.settings.get("company_name").unwrap_or_default();
    is_sample_company(name).then_some(name)
}

/// The completed clauses, while the admin still wants them pointed out.
fn completed(handbook: &Handbook) -> Vec<&Clause> {
    if !handbook.settings.show_completion_marks {
        return Vec::new();
    }
    handbook
        .clauses
        .clauses
        .iter()
        .filter(|c| c.completed)
        .collect()
}

/// One reminder per draft mark, for the build's output.
pub fn reminders(handbook: &Handbook) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(name) = sample_company(handbook) {
        out.push(format!(
            "book/settings.toml: company_name 仍是示例名称“{name}”，请改为公司的正式名称；改好之前首页会注明本手册是草稿"
        ));
    }
    for c in completed(handbook) {
        out.push(format!(
            "{} {}（{}）标为补全内容（<!-- 补全 -->）：请确认内容；全部确认后在 book/settings.toml 设 show_completion_marks = false",
            c.label, c.title, c.page
        ));
    }
    out
}

/// The front page's note, or nothing once the handbook is final.
pub fn html(handbook: &Handbook) -> String {
    let company = sample_company(handbook).is_some();
    let completed = completed(handbook);
    if !company && completed.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<aside class=\"draft-note\" role=\"note\" aria-label=\"草稿说明\">\n<p><strong>本手册是待公司确认的草稿。</strong>",
    );
    if company {
        html.push_str("公司名称仍是示例，待公司确认后替换。");
    }
    if !completed.is_empty() {
        html.push_str(
            "以下条款在所依据的制度原文中缺失或不完整，由编写人按通行做法补全，以公司最终发布的文本为准：</p>\n<ul>\n",
        );
        for c in &completed {
            let _ = writeln!(
                html,
                "<li><a href=\"{}\">{} {}</a></li>",
                escape(&c.url()),
                escape(&c.label),
                escape(&c.title)
            );
        }
        html.push_str("</ul>\n");
    } else {
        html.push_str("</p>\n");
    }
    html.push_str("</aside>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_company_names() {
        for (name, sample) in [
            ("某某教育科技有限公司", true),
            ("  ", true),
            ("新知教育科技有限公司", false),
            ("某公司", false),
        ] {
            assert_eq!(is_sample_company(name), sample, "{name}");
        }
    }
}
