//! `cargo xtask build`: validate, build the checker, render the book, swap it in.
//!
//! The published folder is replaced only by a complete, validated build: the
//! new site is rendered into a temporary sibling folder and renamed into place
//! at the very end, so an error at any step leaves the last good site untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;

use crate::handbook::Handbook;
use crate::preprocess::HandbookPreprocessor;
use crate::{editions, search_index, wasm};

#[derive(Clone)]
pub struct BuildOptions {
    pub repo_root: PathBuf,
    pub book_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Skip compiling the checker (tests of the admin's input that fail earlier).
    pub skip_wasm: bool,
    /// Freeze the current text as the edition `policy_version` names.
    pub release_edition: bool,
}

impl BuildOptions {
    pub fn for_repo(repo_root: &Path) -> BuildOptions {
        BuildOptions {
            repo_root: repo_root.to_path_buf(),
            book_dir: repo_root.join("book"),
            out_dir: repo_root.join("site"),
            skip_wasm: false,
            release_edition: false,
        }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub out_dir: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub clauses: usize,
    pub rules: usize,
    /// The snapshot `--release-edition` wrote.
    pub released: Option<PathBuf>,
}

pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let book_dir = options
        .book_dir
        .canonicalize()
        .with_context(|| format!("找不到手册目录 {}", options.book_dir.display()))?;

    // 1. Read and validate everything the admin wrote.
    let mut md = MDBook::load(&book_dir).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let mut handbook = Handbook::analyse(&book_dir, &md.book)?;
    eprintln!(
        "  已校验 {} 个条款、{} 条规则",
        handbook.clauses.clauses.len(),
        handbook.rules.rules().len()
    );
    if !options.release_edition {
        report_edition(&handbook);
    } else {
        // Render as released; the snapshot is written once the site is built.
        handbook.editions.mark_released()?;
    }
    let handbook = Arc::new(handbook);

    // 2. The checker, compiled to wasm and bound for a classic <script>.
    let engine_script = if options.skip_wasm {
        None
    } else {
        Some(wasm::engine_script(&options.repo_root, &handbook)?)
    };

    // 3. Render into a temporary folder next to the output.
    let out_dir = absolute(&options.out_dir)?;
    let parent = out_dir.parent().context("输出目录没有上级目录")?;
    std::fs::create_dir_all(parent)?;
    let name = out_dir
        .file_name()
        .context("输出目录名无效")?
        .to_string_lossy()
        .into_owned();
    let staging = parent.join(format!("{name}.tmp-{}", std::process::id()));
    remove_dir_if_exists(&staging)?;
    // Intermediate assets mdBook picks up through `additional-js` (git-ignored).
    let generated = book_dir.join("generated");
    std::fs::create_dir_all(&generated)?;
    std::fs::write(
        generated.join("search-index.js"),
        search_index::render(&handbook.clauses),
    )?;
    std::fs::write(
        generated.join("editions.js"),
        editions::page_script(&handbook.editions),
    )?;
    md.config.build.build_dir = staging.clone();
    md.with_preprocessor(HandbookPreprocessor {
        handbook: Arc::clone(&handbook),
    });
    let result = (|| -> Result<()> {
        md.build().map_err(|e| anyhow::anyhow!("{e:#}"))?;
        write_generated(&staging, &handbook, engine_script.as_deref())?;
        Ok(())
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }
    // The snapshot goes in before the site that shows it as released.
    let released = if options.release_edition {
        match handbook.editions.release(&book_dir) {
            Ok(path) => path,
            Err(err) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(err);
            }
        }
    } else {
        None
    };

    // 4. Swap: old → backup, staging → output, drop backup.
    let backup = parent.join(format!("{name}.old-{}", std::process::id()));
    if out_dir.exists() {
        std::fs::rename(&out_dir, &backup)
            .with_context(|| format!("无法移动旧的输出目录 {}", out_dir.display()))?;
    }
    if let Err(err) = std::fs::rename(&staging, &out_dir) {
        if backup.exists() {
            let _ = std::fs::rename(&backup, &out_dir);
        }
        return Err(err).with_context(|| format!("无法把新站点移动到 {}", out_dir.display()));
    }
    remove_dir_if_exists(&backup)?;

    let (files, bytes) = folder_size(&out_dir)?;
    eprintln!("  用时 {:.1} 秒", started.elapsed().as_secs_f64());
    Ok(BuildReport {
        out_dir,
        files,
        bytes,
        clauses: handbook.clauses.clauses.len(),
        rules: handbook.rules.rules().len(),
        released,
    })
}

/// Tells the admin where the text stands against the editions.
fn report_edition(handbook: &Handbook) {
    let editions = &handbook.editions;
    if editions.released {
        eprintln!("  正文与已定版的第 {} 版一致", editions.current_version);
        return;
    }
    let Some(last) = editions.last() else {
        eprintln!(
            "  尚无定版快照：发布第 {} 版时请运行 cargo xtask build --release-edition",
            editions.current_version
        );
        return;
    };
    let rows = editions.revisions();
    let n = rows.first().map_or(0, |r| r.changes.len());
    if editions.edited_without_new_version() {
        eprintln!(
            "  提醒：正文与已定版的第 {v} 版有 {n} 处不同，但 policy_version 仍是 {v}。发布新版本前请修改 book/settings.toml 中的 policy_version，再运行 cargo xtask build --release-edition",
            v = last.version
        );
    } else {
        eprintln!(
            "  第 {} 版尚未定版：相对第 {} 版有 {n} 处修订（见修订记录页）。定版请运行 cargo xtask build --release-edition",
            editions.current_version, last.version
        );
    }
}

/// `cargo xtask fix-rules`: follows renumberings in the rules files.
pub fn fix_rules(book_dir: &Path) -> Result<Vec<String>> {
    let book_dir = book_dir
        .canonicalize()
        .with_context(|| format!("找不到手册目录 {}", book_dir.display()))?;
    let md = MDBook::load(&book_dir).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let mut repoints = Vec::new();
    Handbook::analyse_with(&book_dir, &md.book, Some(&mut repoints))?;
    if repoints.is_empty() {
        return Ok(vec!["没有需要改编号的规则".into()]);
    }
    editions::apply_repoints(&book_dir, &repoints)
}

/// Files the build generates beside mdBook's output.
fn write_generated(site: &Path, handbook: &Handbook, engine_script: Option<&str>) -> Result<()> {
    let clauses_json = serde_json::to_string_pretty(&handbook.clauses)?;
    std::fs::write(site.join("clauses.json"), clauses_json)?;
    let editions = &handbook.editions;
    let edition = serde_json::json!({
        "version": editions.current_version,
        "sha256": editions.current_sha256,
        "released": editions.released,
    });
    std::fs::write(
        site.join("edition.json"),
        serde_json::to_string_pretty(&edition)?,
    )?;
    if let Some(script) = engine_script {
        std::fs::write(site.join("checker-engine.js"), script)?;
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    Ok(if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    })
}

fn remove_dir_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("无法删除 {}", path.display())),
    }
}

pub fn folder_size(dir: &Path) -> Result<(usize, u64)> {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    if files == 0 {
        bail!("{} 是空的", dir.display());
    }
    Ok((files, bytes))
}

#[cfg(test)]
mod tests {
    //! Bad admin input: each case breaks a copy of the real `book/` in one way and
    //! expects `build` to fail with a message naming the place, leaving the
    //! previously published site exactly as it was.

    use super::*;

    struct BadInput {
        name: &'static str,
        file: &'static str,
        find: &'static str,
        replace: &'static str,
        /// The error must contain each of these (file:line and what is wrong).
        expect: &'static [&'static str],
    }

    const CASES: &[BadInput] = &[
        BadInput {
            name: "numbering-gap",
            file: "src/publishing.md",
            find: "3. 禁止发布涉及个人隐私",
            replace: "4. 禁止发布涉及个人隐私",
            expect: &["book/src/publishing.md:19: 条款编号不连续：这里应为 3，实际为 4"],
        },
        BadInput {
            name: "duplicate-item",
            file: "src/publishing.md",
            find: "2. 分享的行业资讯",
            replace: "1. 分享的行业资讯",
            expect: &["book/src/publishing.md:12: 条款编号重复或倒退：这里应为 2，实际为 1"],
        },
        BadInput {
            name: "duplicate-section",
            file: "src/accounts.md",
            find: "## （三）账号安全保护",
            replace: "## （二）账号安全保护",
            expect: &["book/src/accounts.md:15: 节编号重复"],
        },
        BadInput {
            name: "unknown-setting",
            file: "src/customers.md",
            find: "{{reply_hours}}",
            replace: "{{reply_hour}}",
            expect: &["book/src/customers.md:13: 未知的设置 `reply_hour`"],
        },
        BadInput {
            name: "empty-setting",
            file: "settings.toml",
            find: "reply_hours = \"2\"",
            replace: "reply_hours = \"\"",
            expect: &["book/src/customers.md:13: 设置 `reply_hours` 为空"],
        },
        BadInput {
            name: "rule-names-unknown-clause",
            file: "rules/personal.toml",
            find: "clause = \"3.3.3\"",
            replace: "clause = \"3.3.9\"",
            expect: &["book/rules/personal.toml:", "条款 `3.3.9` 在手册中不存在"],
        },
    ];

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == "generated" {
                continue;
            }
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn bad_input_fails_with_its_place_and_keeps_the_last_good_site() {
        let repo = crate::repo_root();
        let mut failures = Vec::new();
        for case in CASES {
            let work = std::env::temp_dir().join(format!(
                "xtask-bad-input-{}-{}",
                case.name,
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&work);
            let book = work.join("book");
            copy_dir(&repo.join("book"), &book);
            let path = book.join(case.file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.contains(case.find),
                "{}: `{}` not found in {}",
                case.name,
                case.find,
                case.file
            );
            std::fs::write(&path, text.replacen(case.find, case.replace, 1)).unwrap();

            let out = work.join("site");
            std::fs::create_dir_all(&out).unwrap();
            std::fs::write(out.join("index.html"), "last good site").unwrap();
            let options = BuildOptions {
                repo_root: repo.clone(),
                book_dir: book,
                out_dir: out.clone(),
                skip_wasm: true,
                release_edition: false,
            };
            match build(&options) {
                Ok(_) => failures.push(format!("{}: build succeeded", case.name)),
                Err(err) => {
                    let message = format!("{err:#}");
                    for expected in case.expect {
                        if !message.contains(expected) {
                            failures.push(format!(
                                "{}: expected `{expected}` in:\n{message}",
                                case.name
                            ));
                        }
                    }
                }
            }
            let kept = std::fs::read_to_string(out.join("index.html")).unwrap_or_default();
            if kept != "last good site" || std::fs::read_dir(&out).unwrap().count() != 1 {
                failures.push(format!("{}: the previous output was touched", case.name));
            }
            let leftovers: Vec<_> = std::fs::read_dir(&work)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .filter(|n| n != "book" && n != "site")
                .collect();
            if !leftovers.is_empty() {
                failures.push(format!("{}: left behind {leftovers:?}", case.name));
            }
            let _ = std::fs::remove_dir_all(&work);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}
