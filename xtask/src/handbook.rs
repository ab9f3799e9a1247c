//! The handbook as the build sees it before rendering: settings substituted,
//! every policy chapter parsed into clauses, the rules loaded and checked
//! against those clauses.
//!
//! All validation happens here, before anything is rendered or written, so a
//! mistake in the admin's input fails fast and leaves the published site alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook_driver::book::{Book, BookItem};
use wxcheck::{RuleSet, SourceFile};

use crate::clauses::{self, Chapter, ClauseIndex};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::settings::Settings;

pub struct Handbook {
    pub settings: Settings,
    pub clauses: ClauseIndex,
    pub rules: RuleSet,
    /// Settings-substituted Markdown and parsed structure, by source path
    /// relative to `book/src`.
    pub pages: HashMap<PathBuf, Page>,
}

pub struct Page {
    pub text: String,
    pub chapter: Option<Chapter>,
}

impl Handbook {
    /// Reads settings and rules from `book_dir` and analyses the chapters of `book`.
    pub fn analyse(book_dir: &Path, book: &Book) -> Result<Handbook> {
        let settings = Settings::load(&book_dir.join("settings.toml"))?;
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut pages = HashMap::new();
        let mut chapters: Vec<&Chapter> = Vec::new();
        for item in book.iter() {
            let BookItem::Chapter(ch) = item else {
                continue;
            };
            let (Some(source), Some(path)) = (&ch.source_path, &ch.path) else {
                continue;
            };
            let file = display_path(book_dir, source);
            let text = match settings.substitute(&file, &ch.content) {
                Ok(text) => text,
                Err(mut e) => {
                    errors.append(&mut e);
                    continue;
                }
            };
            let page = path
                .with_extension("html")
                .to_string_lossy()
                .replace('\\', "/");
            let chapter = match clauses::parse_chapter(&file, &page, &text) {
                Ok(chapter) => chapter,
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            };
            pages.insert(source.clone(), Page { text, chapter });
        }
        // Chapters must be numbered 一, 二, 三 … in reading order.
        let mut ordered: Vec<(&PathBuf, &Page)> = Vec::new();
        for item in book.iter() {
            if let BookItem::Chapter(ch) = item
                && let Some(source) = &ch.source_path
                && let Some(page) = pages.get(source)
            {
                ordered.push((source, page));
            }
        }
        let mut expected = 1;
        for (source, page) in &ordered {
            let Some(chapter) = &page.chapter else {
                continue;
            };
            if chapter.number != expected {
                let what = if chapter.number < expected {
                    "重复或倒退"
                } else {
                    "不连续"
                };
                errors.push(Diagnostic::new(
                    display_path(book_dir, source),
                    Some(chapter.line),
                    format!(
                        "章编号{what}：这里应为{}、，实际为{}、",
                        clauses::chinese_numeral(expected),
                        clauses::chinese_numeral(chapter.number)
                    ),
                ));
            }
            expected = chapter.number.max(expected) + 1;
            chapters.push(chapter);
        }
        if !errors.is_empty() {
            bail!(Diagnostics(errors));
        }
        let clauses = ClauseIndex {
            clauses: chapters
                .iter()
                .flat_map(|c| c.clauses.iter().cloned())
                .collect(),
        };
        if clauses.clauses.is_empty() {
            bail!(
                "{}: 没有找到任何制度条款（# 一、… 开头的章节）",
                book_dir.join("src").display()
            );
        }
        let rules = load_rules(book_dir, &settings, &clauses)?;
        Ok(Handbook {
            settings,
            clauses,
            rules,
            pages,
        })
    }
}

/// Loads `book/rules/*.toml` with their `{{name}}` references filled in from
/// the settings, checks every rule's clause against the handbook and runs
/// every rule's examples.
pub fn load_rules(book_dir: &Path, settings: &Settings, clauses: &ClauseIndex) -> Result<RuleSet> {
    let rules_dir = book_dir.join("rules");
    let mut files = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .with_context(|| format!("无法读取规则目录 {}", rules_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("无法读取 {}", path.display()))?;
        files.push(SourceFile {
            name: display_path(book_dir, &path),
            text,
        });
    }
    if files.is_empty() {
        bail!("{}: 没有规则文件（*.toml）", rules_dir.display());
    }
    let rules = RuleSet::load_with(&files, settings.values())
        .map_err(|errors| anyhow::anyhow!(join_lines(&errors)))?;
    rules
        .check_clauses(&|id| clauses.get(id).is_some())
        .map_err(|errors| anyhow::anyhow!(join_lines(&errors)))?;
    let failures = rules.check_examples();
    if !failures.is_empty() {
        bail!("规则示例未通过：\n{}", join_lines(&failures));
    }
    let (errors, warnings): (Vec<_>, Vec<_>) = crate::rule_cost::check(&rules)
        .into_iter()
        .partition(|s| s.level == crate::rule_cost::Level::Error);
    for w in &warnings {
        eprintln!("{w}");
    }
    if !errors.is_empty() {
        bail!("规则太慢：\n{}", join_lines(&errors));
    }
    Ok(rules)
}

fn join_lines<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A path as the admin sees it: relative to the folder holding `book/`
/// (`book/src/general.md`). Relative paths are taken as chapter sources.
fn display_path(book_dir: &Path, path: &Path) -> String {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        book_dir.join("src").join(path)
    };
    let root = book_dir.parent().unwrap_or(book_dir);
    full.strip_prefix(root)
        .unwrap_or(&full)
        .to_string_lossy()
        .replace('\\', "/")
}
