//! Links from a finding to its clause in the built handbook.
//!
//! The chapter pages come from the book's `SUMMARY.md` (the line
//! `- [三、信息发布管理](publishing.md)` says chapter 3 is `publishing.html`),
//! and anchors are `c-3-1-1`, as the handbook build writes them. Without a
//! `SUMMARY.md`, a finding links to its rule in the rule catalogue page.

use std::collections::HashMap;
use std::path::Path;

pub struct ClauseLinks {
    base: String,
    pages: HashMap<u32, String>,
}

impl ClauseLinks {
    /// `base` is the handbook's URL or relative path, ending in `/` (added
    /// when missing); `summary` the book's `SUMMARY.md`, when readable.
    pub fn new(base: &str, summary: Option<&str>) -> ClauseLinks {
        let mut base = base.to_string();
        if !base.is_empty() && !base.ends_with('/') {
            base.push('/');
        }
        let numerals: Vec<(u32, String)> = (1..=30)
            .filter_map(|n| wxcheck::clause_label(&n.to_string()).map(|l| (n, l)))
            .collect();
        let mut pages = HashMap::new();
        for line in summary.unwrap_or("").lines() {
            let Some((title, rest)) = line.split_once("](") else {
                continue;
            };
            let Some(title) = title.split_once('[').map(|(_, t)| t) else {
                continue;
            };
            let Some((numeral, _)) = title.split_once('、') else {
                continue;
            };
            let Some(page) = rest.split(')').next().and_then(|p| p.strip_suffix(".md")) else {
                continue;
            };
            if let Some((n, _)) = numerals.iter().find(|(_, l)| l == numeral) {
                pages.insert(*n, format!("{page}.html"));
            }
        }
        ClauseLinks { base, pages }
    }

    /// Reads `SUMMARY.md` beside the rules folder (`book/rules` → `book/src`).
    pub fn beside_rules(base: &str, rules: &Path) -> ClauseLinks {
        let summary = rules
            .parent()
            .map(|book| book.join("src/SUMMARY.md"))
            .and_then(|p| std::fs::read_to_string(p).ok());
        ClauseLinks::new(base, summary.as_deref())
    }

    pub fn url(&self, clause: &str, rule: &str) -> String {
        let chapter = clause.split('.').next().and_then(|c| c.parse::<u32>().ok());
        match chapter.and_then(|c| self.pages.get(&c)) {
            Some(page) => format!("{}{page}#c-{}", self.base, clause.replace('.', "-")),
            None => format!("{}rules.html#rule-{rule}", self.base),
        }
    }
}

/// The relative path from the folder of `report` to `site` (both made
/// absolute from the current folder), ending in `/`: the default link base
/// of a report written beside a built handbook.
pub fn relative_base(report: &Path, site: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let from = abs(report
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new(".")));
    let to = abs(site);
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().to_string()),
    );
    let mut s = parts.join("/");
    s.push('/');
    if s == "/" { "./".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let links = ClauseLinks::new(
            "site",
            Some("- [三、信息发布管理](publishing.md)\n- [五、内部协作管理](collaboration.md)\n"),
        );
        let cases = [
            ("3.1.1", "r", "site/publishing.html#c-3-1-1"),
            ("5.3.2", "r", "site/collaboration.html#c-5-3-2"),
            ("4.2.2", "rude", "site/rules.html#rule-rude"),
        ];
        for (clause, rule, want) in cases {
            assert_eq!(links.url(clause, rule), want);
        }
    }

    #[test]
    fn relative_bases() {
        let cases = [
            ("/a/report.html", "/a/site", "site/"),
            ("/a/out/report.html", "/a/site", "../site/"),
            ("/a/site/r.html", "/a/site", "./"),
        ];
        for (report, site, want) in cases {
            assert_eq!(relative_base(Path::new(report), Path::new(site)), want);
        }
    }
}
