//! The handbook as the build sees it before rendering: settings substituted,
//! every policy chapter parsed into clauses, the rules loaded and checked
//! against those clauses.
//!
//! All validation happens here, before anything is rendered or written, so a
//! mistake in the admin's input fails fast and leaves the published site alone.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook_driver::book::{Book, BookItem};
use wxcheck::{RuleSet, SourceFile};

use crate::clauses::{self, Chapter, ClauseIndex};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::editions::{self, Editions, Repoint, RuleCitation};
use crate::settings::Settings;

pub struct Handbook {
    pub settings: Settings,
    pub clauses: ClauseIndex,
    pub rules: RuleSet,
    /// The published editions and the current text set against them.
    pub editions: Editions,
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
        Handbook::analyse_with(book_dir, book, None)
    }

    /// As [`Handbook::analyse`], but rules that drifted since the last edition
    /// are collected into `drift` instead of failing (for `fix-rules`).
    pub fn analyse_with(
        book_dir: &Path,
        book: &Book,
        drift: Option<&mut Vec<Repoint>>,
    ) -> Result<Handbook> {
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
            let text = match clauses::read_item_markers(&file, &ch.content)
                .and_then(|text| settings.substitute(&file, &text))
            {
                Ok(text) => text,
                Err(mut e) => {
                    errors.append(&mut e);
                    // Kept (unparsed) so the chapter order still counts it.
                    let text = ch.content.clone();
                    pages.insert(
                        source.clone(),
                        Page {
                            text,
                            chapter: None,
                        },
                    );
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
        // A chapter with errors of its own still takes its place in the order
        // (by its heading), so its mistake is not reported again at the next
        // chapter; and one wrong number gives one error (see `numbering_errors`).
        let mut numbered: Vec<(&PathBuf, u32, usize)> = Vec::new();
        for (source, page) in &ordered {
            let heading = match &page.chapter {
                Some(chapter) => {
                    chapters.push(chapter);
                    Some((chapter.number, chapter.line))
                }
                None => clauses::chapter_heading(&page.text),
            };
            if let Some((number, line)) = heading {
                numbered.push((source, number, line));
            }
        }
        let numbers: Vec<u32> = numbered.iter().map(|(_, n, _)| *n).collect();
        for e in clauses::numbering_errors(&numbers) {
            let (source, _, line) = numbered[e.index];
            errors.push(Diagnostic::new(
                display_path(book_dir, source),
                Some(line),
                format!(
                    "章编号{}：这里应为{}、，实际为{}、",
                    e.what(),
                    clauses::chinese_numeral(e.expected),
                    clauses::chinese_numeral(e.got)
                ),
            ));
        }
        if !errors.is_empty() {
            bail!(Diagnostics(errors));
        }
        let mut clauses = ClauseIndex {
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
        let editions = analyse_editions(book_dir, &settings, &mut clauses, &rules, drift)?;
        // The chapters render their clauses: give them the anchors too.
        for page in pages.values_mut() {
            for clause in page.chapter.iter_mut().flat_map(|c| c.clauses.iter_mut()) {
                if let Some(current) = clauses.get(&clause.id) {
                    clause.anchor = current.anchor.clone();
                    clause.aliases = current.aliases.clone();
                }
            }
        }
        Ok(Handbook {
            settings,
            clauses,
            rules,
            editions,
            pages,
        })
    }
}

/// Reads the editions, anchors the current clauses, and stops the build when
/// a rule still cites a clause that has moved or gone since the last edition.
fn analyse_editions(
    book_dir: &Path,
    settings: &Settings,
    clauses: &mut ClauseIndex,
    rules: &RuleSet,
    drift: Option<&mut Vec<Repoint>>,
) -> Result<Editions> {
    let version = settings.get("policy_version").unwrap_or_default();
    if version.trim().is_empty() {
        bail!(
            "book/settings.toml: 缺少 policy_version（制度版本号），请填写，例如 policy_version = \"1.0\""
        );
    }
    let date = settings.get("effective_date").unwrap_or_default();
    let cited: BTreeMap<String, String> = rules
        .rules()
        .iter()
        .map(|r| (r.id.to_string(), r.clause.to_string()))
        .collect();
    let editions = Editions::analyse(book_dir, version, date, clauses, &cited)?;
    let (errors, repoints) = rule_drift(&editions, rules);
    match drift {
        Some(drift) => *drift = repoints,
        None if !errors.is_empty() => bail!(Diagnostics(errors)),
        None => {}
    }
    Ok(editions)
}

/// The rules that still cite a clause that moved or went since the last
/// edition, and the renumberings that would fix them.
fn rule_drift(editions: &Editions, rules: &RuleSet) -> (Vec<Diagnostic>, Vec<Repoint>) {
    let citations: Vec<RuleCitation<'_>> = rules
        .rules()
        .iter()
        .map(|r| RuleCitation {
            id: &r.id,
            clause: &r.clause,
            file: &r.file,
            line: r.line_of("clause"),
        })
        .collect();
    editions::check_rules(editions, &citations)
}

/// The rules files of a book (`rules/*.toml`, sorted), each named as errors
/// show it; an unreadable or empty one, or none at all, is an error.
pub fn rules_files(book_dir: &Path) -> Result<Vec<SourceFile>> {
    let rules_dir = book_dir.join("rules");
    let mut files = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&rules_dir)
        .with_context(|| format!("无法读取规则目录 {}", rules_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut errors = Vec::new();
    for path in paths {
        match crate::sources::read_text(book_dir, &path) {
            Ok(text) => files.push(SourceFile {
                name: display_path(book_dir, &path),
                text,
            }),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(files.iter().filter_map(empty_rules_file));
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    if files.is_empty() {
        bail!("{}: 没有规则文件（*.toml）", rules_dir.display());
    }
    Ok(files)
}

/// Loads `book/rules/*.toml` with their `{{name}}` references filled in from
/// the settings, checks every rule's clause against the handbook and runs
/// every rule's examples.
pub fn load_rules(book_dir: &Path, settings: &Settings, clauses: &ClauseIndex) -> Result<RuleSet> {
    let files = rules_files(book_dir)?;
    let mut rules = RuleSet::load_with(&files, settings.values())
        .map_err(|errors| anyhow::anyhow!(join_lines(&errors)))?;
    rules
        .check_clauses(&|id| clauses.get(id).is_some())
        .map_err(|errors| anyhow::anyhow!(join_lines(&errors)))?;
    let model = book_dir.join("rules").join(wxcheck::learned::FILE_NAME);
    if model.is_file() {
        let text =
            crate::sources::read_text(book_dir, &model).map_err(|e| anyhow::anyhow!("{e}"))?;
        rules = rules
            .with_learned_json(&display_path(book_dir, &model), &text, &|id| {
                clauses.get(id).is_some()
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
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

/// An error for a rules file that holds nothing (only comments or blanks).
///
/// An error rather than a warning: such a file does nothing, so it is either
/// a slip (rules deleted or a failed save — the checker would silently stop
/// enforcing them) or meant to retire the rules, which deleting the file says
/// plainly. A file with other content (`global.toml`'s `allow` list) is fine;
/// whether that content is valid is the rules loader's to say.
fn empty_rules_file(file: &SourceFile) -> Option<Diagnostic> {
    let table: toml::Table = file.text.parse().ok()?;
    table.is_empty().then(|| {
        Diagnostic::new(
            &file.name,
            None,
            "规则文件里没有任何规则：若要停用这些规则，请删除这个文件；否则请恢复其中的 [[rule]]",
        )
    })
}

/// Items one to a line (rule errors, in an error message).
pub(crate) fn join_lines<T: std::fmt::Display>(items: &[T]) -> String {
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
