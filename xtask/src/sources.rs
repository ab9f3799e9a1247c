//! The admin's files as read from disk, checked before mdBook or the rules
//! loader sees them: `book.toml`, `SUMMARY.md` and the chapters it lists, the
//! settings and the rules files.
//!
//! mdBook's own loader reports problems in English (`failed to read chapter`,
//! `stream did not contain valid UTF-8`), without a line, and panics on a
//! chapter linked by an absolute path. So everything it would trip over is
//! checked here first and reported in Chinese at `file:line`; mdBook then loads
//! the already-parsed summary ([`MDBook::load_with_config_and_summary`]).
//!
//! Every file must also really live inside `book/`: a chapter or rules file
//! that is a symlink to somewhere else would publish (or enforce) text nobody
//! reviews as part of the handbook.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Result, bail};
use mdbook_driver::MDBook;
use mdbook_driver::config::Config;
use mdbook_summary::{Link, Summary, SummaryItem};

use crate::diagnostics::{Diagnostic, Diagnostics, line_of};

/// A path as the admin sees it: relative to the folder holding `book/`
/// (`book/src/general.md`).
pub fn shown(book_dir: &Path, path: &Path) -> String {
    let root = book_dir.parent().unwrap_or(book_dir);
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads an admin-written text file: it must exist, resolve to a place inside
/// `book_dir` (no symlink out of the book), and be UTF-8 (a leading BOM, which
/// Windows editors add, is dropped). Errors name the file and, for bad bytes,
/// the line of the first one.
pub fn read_text(book_dir: &Path, path: &Path) -> Result<String, Diagnostic> {
    let name = shown(book_dir, path);
    check_inside(book_dir, path)
        .map_err(|why| Diagnostic::new(&name, None, format!("文件{}", why.message())))?;
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::new(&name, None, format!("无法读取文件：{e}")))?;
    decode(&name, bytes)
}

/// UTF-8 text of `bytes`, or an error at the line of the first invalid byte.
fn decode(name: &str, mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // Everything before `good` is valid UTF-8, so counting lines there is exact.
        let line = bytes[..good].iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostic::new(
            name,
            Some(line),
            format!(
                "文件不是 UTF-8 编码（这一行有无法识别的字节 0x{:02X}，可能是用 GBK 等编码保存的）：请在编辑器里“另存为”UTF-8 编码",
                bytes[good]
            ),
        )
    })
}

/// Why a path is not a readable file inside the book.
enum NotInBook {
    Missing,
    /// A symlink whose target does not exist.
    Dangling,
    /// A symlink to this place outside the book.
    LinksOut(PathBuf),
    /// Reached through `..` or a linked folder.
    Outside(PathBuf),
    NotAFile,
}

impl NotInBook {
    /// The message, to follow the file's name or "文件".
    fn message(&self) -> String {
        match self {
            NotInBook::Missing => "不存在".into(),
            NotInBook::Dangling => {
                "是一个符号链接，但它指向的文件不存在：请把真正的文件放进手册目录".into()
            }
            NotInBook::LinksOut(real) => format!(
                "是指向手册目录之外（{}）的符号链接：手册只发布 book/ 里的文件，请把文件本身复制进来",
                real.display()
            ),
            NotInBook::Outside(real) => {
                format!("位于手册目录之外（{}）：请把文件放进 book/", real.display())
            }
            NotInBook::NotAFile => "不是文件（是目录或其他）".into(),
        }
    }
}

/// Whether `path` exists and, symlinks resolved, is a file inside `book_dir`.
fn check_inside(book_dir: &Path, path: &Path) -> Result<(), NotInBook> {
    let meta = std::fs::symlink_metadata(path).map_err(|_| NotInBook::Missing)?;
    let real = path.canonicalize().map_err(|_| NotInBook::Dangling)?;
    let root = book_dir
        .canonicalize()
        .unwrap_or_else(|_| book_dir.to_path_buf());
    if !real.starts_with(&root) {
        return Err(if meta.file_type().is_symlink() {
            NotInBook::LinksOut(real)
        } else {
            NotInBook::Outside(real)
        });
    }
    if !real.is_file() {
        return Err(NotInBook::NotAFile);
    }
    Ok(())
}

/// [`read_text`] for a file the book cannot do without: a missing one gets
/// `missing` as its message.
fn read_required(book_dir: &Path, path: &Path, missing: &str) -> Result<String, Diagnostic> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(Diagnostic::new(shown(book_dir, path), None, missing));
    }
    read_text(book_dir, path)
}

/// Loads `book_dir` for rendering after checking `book.toml`, `SUMMARY.md`
/// and every chapter it links. All problems are reported together.
pub fn load_book(book_dir: &Path) -> Result<MDBook> {
    let config = load_config(book_dir)?;
    let src = book_dir.join(&config.book.src);
    let summary_path = src.join("SUMMARY.md");
    let summary_name = shown(book_dir, &summary_path);
    let summary_text = read_required(
        book_dir,
        &summary_path,
        "找不到目录文件 SUMMARY.md：手册的章节由它列出",
    )?;
    let summary = parse_summary(&summary_name, &summary_text)?;

    let mut errors = Vec::new();
    let mut cursor = 0; // SUMMARY.md line where the search for the next link starts
    for link in links(&summary) {
        let Some(location) = &link.location else {
            continue; // a draft chapter `[标题]()`: mdBook renders it as a placeholder
        };
        let line = link_line(&summary_text, location, &mut cursor);
        let target = location.to_string_lossy();
        let at = |message: String| Diagnostic::new(&summary_name, line, message);
        if target.contains("://") || location.is_absolute() {
            errors.push(at(format!(
                "目录链接“{target}”不是手册里的章节文件：目录只能链接 {} 下的 .md 文件，请写相对路径，如 general.md",
                shown(book_dir, &src)
            )));
            continue;
        }
        let path = src.join(location);
        if let Err(why) = check_inside(book_dir, &path) {
            let message = match why {
                NotInBook::Missing => format!(
                    "目录里的章节文件“{target}”不存在（{}）：请创建该文件，或改正链接",
                    shown(book_dir, &path)
                ),
                why => format!("目录里的章节文件“{target}”{}", why.message()),
            };
            errors.push(at(message));
            continue;
        }
        if let Err(d) = read_text(book_dir, &path) {
            errors.push(d);
        }
    }
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    MDBook::load_with_config_and_summary(book_dir, config, summary)
        .map_err(|e| anyhow::anyhow!("{}: mdBook 无法读取手册：{e:#}", shown(book_dir, book_dir)))
}

/// `book.toml`: valid UTF-8 and TOML, and a configuration mdBook accepts
/// (unknown keys and wrong types are errors there, too).
fn load_config(book_dir: &Path) -> Result<Config> {
    let path = book_dir.join("book.toml");
    let name = shown(book_dir, &path);
    let text = read_required(book_dir, &path, "找不到手册配置文件 book.toml")?;
    let mut config: Config = match toml::from_str(&text) {
        Ok(config) => config,
        Err(err) => {
            let line = err.span().map(|span| line_of(&text, span.start));
            bail!(
                "{}\n{err}",
                Diagnostic::new(
                    &name,
                    line,
                    "手册配置文件 book.toml 有误，请按下面的说明改正（mdBook 的原文）："
                )
            );
        }
    };
    // mdBook's own reading, in case it checks more than the serde shape.
    if let Err(err) = Config::from_str(&text) {
        bail!(
            "{}\n{err:#}",
            Diagnostic::new(&name, None, "mdBook 不接受手册配置文件 book.toml：")
        );
    }
    config
        .update_from_env()
        .map_err(|e| anyhow::anyhow!("环境变量 MDBOOK_* 中的手册配置有误：{e:#}"))?;
    Ok(config)
}

/// Parses `SUMMARY.md`, turning mdBook's English parse errors into a Chinese
/// lead line at `file:line` (mdBook's detail kept after it).
fn parse_summary(name: &str, text: &str) -> Result<Summary, Diagnostic> {
    let summary = mdbook_summary::parse_summary(text).map_err(|e| {
        let detail = e.root_cause().to_string();
        // "Duplicate file in SUMMARY.md: \"a.md\"": say where the second one is.
        if let Some(quoted) = detail.strip_prefix("Duplicate file in SUMMARY.md: ") {
            let location = PathBuf::from(quoted.trim_matches('"'));
            let mut cursor = 0;
            let first = link_line(text, &location, &mut cursor);
            let second = link_line(text, &location, &mut cursor);
            return Diagnostic::new(
                name,
                second.or(first),
                format!(
                    "章节文件“{}”在目录里出现了两次：每个文件只能列一次",
                    location.display()
                ),
            );
        }
        // "failed to parse SUMMARY.md line 5, column 3: …"
        let line = detail
            .split_once(" line ")
            .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        let detail = match detail.split_once(", column ") {
            Some((_, rest)) => rest.split_once(": ").map_or(rest, |(_, m)| m).to_string(),
            None => detail,
        };
        Diagnostic::new(
            name,
            line,
            format!(
                "目录格式有误：目录里每一项都应是“- [标题](文件.md)”形式的链接（mdBook 的原文：{detail}）"
            ),
        )
    })?;
    Ok(summary)
}

/// Every link of the summary in document order (prefix, numbered depth-first, suffix).
fn links(summary: &Summary) -> Vec<&Link> {
    fn walk<'a>(items: &'a [SummaryItem], out: &mut Vec<&'a Link>) {
        for item in items {
            if let SummaryItem::Link(link) = item {
                out.push(link);
                walk(&link.nested_items, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&summary.prefix_chapters, &mut out);
    walk(&summary.numbered_chapters, &mut out);
    walk(&summary.suffix_chapters, &mut out);
    out
}

/// The 1-based line of `SUMMARY.md` holding the link to `location`, searching
/// from line `*cursor` on (links are visited in document order) and moving the
/// cursor past it. mdBook's summary keeps no positions, so this finds the
/// `](location)` text.
fn link_line(text: &str, location: &Path, cursor: &mut usize) -> Option<usize> {
    let target = location.to_string_lossy();
    let encoded = target.replace(' ', "%20");
    let found = text.lines().enumerate().skip(*cursor).find(|(_, line)| {
        [&*target, &encoded]
            .iter()
            .any(|t| line.contains(&format!("]({t}")) || line.contains(&format!("](<{t}")))
    });
    found.map(|(i, _)| {
        *cursor = i + 1;
        i + 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bytes_are_reported_at_their_line() {
        let mut bytes = "第一行\n第二行\n".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xD6, 0xD0, 0xCE, 0xC4, b'\n']); // "中文" in GBK
        let d = decode("book/src/a.md", bytes).unwrap_err();
        assert_eq!(d.line, Some(3), "{d}");
        assert!(d.message.contains("UTF-8"), "{d}");
    }

    #[test]
    fn a_bom_is_dropped() {
        let text = decode("a.md", b"\xef\xbb\xbf# x\n".to_vec()).unwrap();
        assert_eq!(text, "# x\n");
    }

    #[test]
    fn link_lines_follow_document_order() {
        let text = "# 目录\n\n- [一](a.md)\n- [二](b.md)\n- [再一](a.md)\n";
        let mut cursor = 0;
        let lines: Vec<_> = ["a.md", "b.md", "a.md"]
            .iter()
            .map(|l| link_line(text, Path::new(l), &mut cursor))
            .collect();
        assert_eq!(lines, [Some(3), Some(4), Some(5)]);
    }
}
