//! `cargo xtask build`: validate, build the checker, render the book, swap it in.
//!
//! The published folder is replaced only by a complete, validated build: the
//! new site is rendered into a temporary sibling folder and renamed into place
//! at the very end, so an error at any step leaves the last good site untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::handbook::Handbook;
use crate::preprocess::HandbookPreprocessor;
use crate::{editions, practice, search_index, sources, wasm};

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
    /// Clauses or rules the previous build had and this one lacks (see [`Inventory`]).
    pub warnings: Vec<String>,
}

pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let book_dir = options
        .book_dir
        .canonicalize()
        .with_context(|| format!("找不到手册目录 {}", options.book_dir.display()))?;

    let out_dir = std::path::absolute(&options.out_dir)?;
    recover_interrupted(&out_dir)?;

    // 1. Read and validate everything the admin wrote.
    let mut md = sources::load_book(&book_dir)?;
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
    let synonyms = search_index::load_synonyms(&book_dir, &handbook)?;
    for reminder in crate::draft_note::reminders(&handbook) {
        eprintln!("  提醒：{reminder}");
    }
    let handbook = Arc::new(handbook);

    let inventory = Inventory::of(&handbook);
    let warnings = Inventory::read(&out_dir)
        .map(|previous| previous.losses(&inventory))
        .unwrap_or_default();
    for warning in &warnings {
        eprintln!("  警告：{warning}");
    }

    // 2. The checker, compiled to wasm and bound for a classic <script>.
    let engine_script = if options.skip_wasm {
        None
    } else {
        Some(wasm::engine_files(&options.repo_root, &handbook)?)
    };

    // The 新员工练习 drafts, checked with the native engine.
    let title = md.config.book.title.clone().unwrap_or_default();
    let practice_script = practice::generate(&options.repo_root, &handbook, &title)?;

    // 3. Render into a temporary folder next to the output.
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
        search_index::render(&handbook, &synonyms),
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
        md.build()
            .map_err(|e| anyhow::anyhow!("mdBook 渲染手册失败：{e:#}"))?;
        write_generated(&staging, &book_dir, &handbook, engine_script.as_ref())?;
        std::fs::write(staging.join(practice::FILE), &practice_script)?;
        std::fs::write(
            staging.join(Inventory::FILE),
            serde_json::to_string(&inventory)?,
        )?;
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
        warnings,
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
    let md = sources::load_book(&book_dir)?;
    let mut repoints = Vec::new();
    Handbook::analyse_with(&book_dir, &md.book, Some(&mut repoints))?;
    if repoints.is_empty() {
        return Ok(vec!["没有需要改编号的规则".into()]);
    }
    editions::apply_repoints(&book_dir, &repoints)
}

/// The clause and rule ids of a build, kept in the output so the next build
/// can say what went missing.
///
/// Near-silent edits — three clauses merged into one paragraph (76 → 73), a
/// rules file cut short (34 → 30 rules) — still build. Removing clauses or
/// rules is a legitimate edit, so this is a warning, not an error; but it
/// names what is gone, so an admin who did not mean it sees it at once.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct Inventory {
    clauses: Vec<String>,
    rules: Vec<String>,
}

impl Inventory {
    const FILE: &str = "inventory.json";

    fn of(handbook: &Handbook) -> Inventory {
        Inventory {
            clauses: handbook
                .clauses
                .clauses
                .iter()
                .map(|c| c.id.clone())
                .collect(),
            rules: handbook
                .rules
                .rules()
                .iter()
                .map(|r| r.id.to_string())
                .collect(),
        }
    }

    /// The previous build's, if there is one (older builds wrote none).
    fn read(out_dir: &Path) -> Option<Inventory> {
        let text = std::fs::read_to_string(out_dir.join(Inventory::FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// What `self` had and `now` lacks, as warnings.
    fn losses(&self, now: &Inventory) -> Vec<String> {
        let gone = |before: &[String], after: &[String]| -> Vec<String> {
            before
                .iter()
                .filter(|id| !after.contains(id))
                .cloned()
                .collect()
        };
        let list = |ids: &[String]| {
            let mut shown = ids.iter().take(10).cloned().collect::<Vec<_>>().join("、");
            if ids.len() > 10 {
                shown.push_str(&format!(" 等 {} 个", ids.len()));
            }
            shown
        };
        let mut warnings = Vec::new();
        let clauses = gone(&self.clauses, &now.clauses);
        if !clauses.is_empty() {
            warnings.push(format!(
                "比上次构建少了 {} 个条款（{} → {}）：{}。若不是有意删除，请检查是否有条款并进了别的段落",
                clauses.len(),
                self.clauses.len(),
                now.clauses.len(),
                list(&clauses)
            ));
        }
        let rules = gone(&self.rules, &now.rules);
        if !rules.is_empty() {
            warnings.push(format!(
                "比上次构建少了 {} 条规则（{} → {}）：{}。若不是有意删除，请检查 book/rules/ 中的规则文件",
                rules.len(),
                self.rules.len(),
                now.rules.len(),
                list(&rules)
            ));
        }
        warnings
    }
}

/// Files the build generates beside mdBook's output.
/// The self-check page's scripts (`book/assets/checker/*.js`): copied here
/// rather than listed in `additional-js`, because only that page loads them
/// (`book/theme/index.hbs`); every other page gets only `assets/shortcut.js`.
const CHECKER_SCRIPTS: &str = "assets/checker";

/// Copies the `.js` files of [`CHECKER_SCRIPTS`] (not the type declarations
/// beside them) into the site.
fn copy_checker_scripts(book_dir: &Path, site: &Path) -> Result<()> {
    let from = book_dir.join(CHECKER_SCRIPTS);
    let to = site.join(CHECKER_SCRIPTS);
    std::fs::create_dir_all(&to)?;
    let entries =
        std::fs::read_dir(&from).with_context(|| format!("无法读取 {}", from.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            let name = path.file_name().context("文件名无效")?;
            std::fs::copy(&path, to.join(name))
                .with_context(|| format!("无法复制 {}", path.display()))?;
        }
    }
    Ok(())
}

fn write_generated(
    site: &Path,
    book_dir: &Path,
    handbook: &Handbook,
    engine_script: Option<&wasm::EngineFiles>,
) -> Result<()> {
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
    if let Some(files) = engine_script {
        files.write(site)?;
        std::fs::write(site.join("checker-words.js"), wasm::words_script(handbook)?)?;
        copy_checker_scripts(book_dir, site)?;
    }
    Ok(())
}

/// Cleans up after a build that was interrupted (Ctrl-C, a closed terminal):
/// its `site.tmp-PID` staging folder and its `site.old-PID` backup, left
/// beside the output. Only folders of processes that are no longer running
/// are touched, so a build running in parallel (`serve`) keeps its own. If the
/// output folder is missing — the build was stopped mid-swap — the newest
/// backup is moved back first: the last published site is never lost.
///
/// Where it cannot be told whether a process runs (not unix), nothing is removed.
pub fn recover_interrupted(out_dir: &Path) -> Result<()> {
    let (Some(parent), Some(name)) = (out_dir.parent(), out_dir.file_name()) else {
        return Ok(());
    };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(()); // no parent yet: nothing was left
    };
    let mut staging = Vec::new();
    let mut backups = Vec::new();
    for entry in entries.filter_map(|e| e.ok()) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&*name) else {
            continue;
        };
        let (list, pid) = if let Some(pid) = rest.strip_prefix(".tmp-") {
            (&mut staging, pid)
        } else if let Some(pid) = rest.strip_prefix(".old-") {
            (&mut backups, pid)
        } else {
            continue;
        };
        match pid.parse::<u32>() {
            Ok(pid) if pid != std::process::id() && !process_is_running(pid) => {
                let modified = entry.metadata().and_then(|m| m.modified()).ok();
                list.push((modified, entry.path()));
            }
            _ => {}
        }
    }
    if !out_dir.exists() {
        backups.sort();
        if let Some((_, newest)) = backups.pop() {
            std::fs::rename(&newest, out_dir).with_context(|| {
                format!(
                    "上次构建被中断，输出目录 {} 不见了；无法把备份 {} 移回原处，请手动改名",
                    out_dir.display(),
                    newest.display()
                )
            })?;
            eprintln!(
                "  上次构建被中断：已从 {} 恢复输出目录",
                newest.file_name().unwrap_or_default().to_string_lossy()
            );
        }
    }
    for (_, path) in staging.iter().chain(&backups) {
        remove_dir_if_exists(path)?;
        eprintln!(
            "  已清理上次中断的构建留下的 {}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    Ok(())
}

#[cfg(unix)]
fn process_is_running(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // EPERM: it exists but belongs to someone else.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn process_is_running(_pid: u32) -> bool {
    true
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
pub(crate) mod tests {
    //! Bad admin input: each case breaks a copy of the small fixture book
    //! (`tests/fixtures/books/minimal`, not the live `book/`, so that editing
    //! the policy never breaks these tests) in one way and expects `build` to
    //! fail with exactly the errors listed — one mistake, one error — leaving
    //! the previously published site byte for byte as it was, and no debris.

    use super::*;

    enum Edit {
        /// Replace the first `find` in `file` (relative to `book/`).
        Replace {
            file: &'static str,
            find: &'static str,
            replace: &'static str,
        },
        /// Overwrite `file` with these bytes.
        Write {
            file: &'static str,
            bytes: &'static [u8],
        },
        /// Make `file` a symlink to a file of that content outside `book/`.
        #[cfg(unix)]
        SymlinkOut {
            file: &'static str,
        },
        Remove {
            file: &'static str,
        },
    }
    use Edit::*;

    struct BadInput {
        name: &'static str,
        edits: &'static [Edit],
        /// Every error the build must report: each is found in the message,
        /// and the message has exactly this many `book/…` error lines.
        expect: &'static [&'static str],
    }

    const CASES: &[BadInput] = &[
        BadInput {
            name: "numbering-gap",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "2. 所有发布",
                replace: "3. 所有发布",
            }],
            expect: &["book/src/publishing.md:6: 条款编号不连续：这里应为 2，实际为 3"],
        },
        BadInput {
            // The chapter with the error is still counted in the chapter
            // order: no bogus 章编号不连续 at the next chapter.
            name: "duplicate-item",
            edits: &[Replace {
                file: "src/general.md",
                find: "2. 安全性原则",
                replace: "1. 安全性原则",
            }],
            expect: &["book/src/general.md:10: 条款编号重复：这里应为 2，实际为 1"],
        },
        BadInput {
            name: "duplicate-section",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "## （二）禁止发布内容",
                replace: "## （一）禁止发布内容",
            }],
            expect: &["book/src/publishing.md:8: 节编号重复"],
        },
        BadInput {
            name: "wrong-chapter-number",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "# 二、",
                replace: "# 九、",
            }],
            expect: &["book/src/publishing.md:1: 章编号不连续：这里应为二、，实际为九、"],
        },
        BadInput {
            name: "unknown-setting",
            edits: &[Replace {
                file: "src/customers.md",
                find: "{{reply_hours}}",
                replace: "{{reply_hour}}",
            }],
            expect: &["book/src/customers.md:6: 未知的设置 `reply_hour`"],
        },
        BadInput {
            name: "empty-setting",
            edits: &[Replace {
                file: "settings.toml",
                find: "reply_hours = \"2\"",
                replace: "reply_hours = \"\"",
            }],
            expect: &["book/src/customers.md:6: 设置 `reply_hours` 为空"],
        },
        BadInput {
            name: "rule-names-unknown-clause",
            edits: &[Replace {
                file: "rules/basic.toml",
                find: "clause = \"2.1.1\"",
                replace: "clause = \"2.1.9\"",
            }],
            expect: &["book/rules/basic.toml:3: 规则 exam-promise：条款 `2.1.9` 在手册中不存在"],
        },
        BadInput {
            name: "loose-chapter-heading",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "# 二、",
                replace: "# 二.",
            }],
            expect: &["book/src/publishing.md:1: 章标题应写成“二、标题”"],
        },
        BadInput {
            name: "paren-numbered-items",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "1. 严禁发布违法信息。\n2. 禁止",
                replace: "（1）严禁发布违法信息。\n（2）禁止",
            }],
            expect: &["book/src/publishing.md:10: 以“（1）”开头的段落不会被识别为条款"],
        },
        BadInput {
            name: "merged-item",
            edits: &[Replace {
                file: "src/publishing.md",
                find: "2. 禁止发布客户资料。",
                replace: "\n以下内容同样禁止：\n2、禁止发布客户资料。",
            }],
            expect: &["book/src/publishing.md:13: 这一行的“2.”不会另起一条"],
        },
        BadInput {
            name: "article-numbers",
            edits: &[Replace {
                file: "src/general.md",
                find: "1. 合规性原则：遵守法律法规。\n2. ",
                replace: "第一条 合规性原则：遵守法律法规。\n第二条 ",
            }],
            expect: &["book/src/general.md:9: “第一条”不会被识别为条款：请写成“1. …”"],
        },
        BadInput {
            name: "include-directive",
            edits: &[Replace {
                file: "src/customers.md",
                find: "1. 尊重客户",
                replace: "{{#include ../settings.toml}}\n\n1. 尊重客户",
            }],
            expect: &["book/src/customers.md:5: 本手册不支持 mdBook 的 {{#include …}}"],
        },
        BadInput {
            name: "unclosed-setting",
            edits: &[Replace {
                file: "src/customers.md",
                find: "{{reply_hours}}",
                replace: "{{reply_hours",
            }],
            expect: &["book/src/customers.md:6: `{{` 没有配对的 `}}`"],
        },
        BadInput {
            name: "setting-missing-its-opening",
            edits: &[Replace {
                file: "src/customers.md",
                find: "{{reply_hours}}",
                replace: "reply_hours}}",
            }],
            expect: &["book/src/customers.md:6: `reply_hours}}` 前面缺少 `{{`"],
        },
        BadInput {
            name: "chapter-not-utf8",
            edits: &[Write {
                file: "src/general.md",
                // "# 一、总则" in UTF-8, then 中文 in GBK on line 3
                bytes: b"# \xe4\xb8\x80\xe3\x80\x81\xe6\x80\xbb\xe5\x88\x99\n\n\xd6\xd0\xce\xc4\n",
            }],
            expect: &["book/src/general.md:3: 文件不是 UTF-8 编码"],
        },
        BadInput {
            name: "settings-not-utf8",
            edits: &[Write {
                file: "settings.toml",
                bytes: b"reply_hours = \"2\"\ncompany_name = \"\xd6\xd0\"\n",
            }],
            expect: &["book/settings.toml:2: 文件不是 UTF-8 编码"],
        },
        BadInput {
            name: "rules-not-utf8",
            edits: &[Write {
                file: "rules/basic.toml",
                bytes: b"# \xd6\xd0\n",
            }],
            expect: &["book/rules/basic.toml:1: 文件不是 UTF-8 编码"],
        },
        BadInput {
            name: "emptied-rules-file",
            edits: &[Write {
                file: "rules/basic.toml",
                bytes: "# 规则暂时删掉\n".as_bytes(),
            }],
            expect: &["book/rules/basic.toml: 规则文件里没有任何规则"],
        },
        BadInput {
            name: "missing-chapter-file",
            edits: &[Replace {
                file: "src/SUMMARY.md",
                find: "(customers.md)",
                replace: "(customer.md)",
            }],
            expect: &["book/src/SUMMARY.md:9: 目录里的章节文件“customer.md”不存在"],
        },
        BadInput {
            name: "summary-links-a-url",
            edits: &[Replace {
                file: "src/SUMMARY.md",
                find: "(customers.md)",
                replace: "(https://example.invalid/customers.md)",
            }],
            expect: &[
                "book/src/SUMMARY.md:9: 目录链接“https://example.invalid/customers.md”不是手册里的章节文件",
            ],
        },
        BadInput {
            name: "summary-absolute-path",
            edits: &[Replace {
                file: "src/SUMMARY.md",
                find: "(customers.md)",
                replace: "(/etc/hostname)",
            }],
            expect: &["book/src/SUMMARY.md:9: 目录链接“/etc/hostname”不是手册里的章节文件"],
        },
        BadInput {
            name: "summary-lists-a-chapter-twice",
            edits: &[Replace {
                file: "src/SUMMARY.md",
                find: "- [检查规则一览](rules.md)",
                replace: "- [检查规则一览](rules.md)\n- [再一次](general.md)",
            }],
            expect: &["book/src/SUMMARY.md:14: 章节文件“general.md”在目录里出现了两次"],
        },
        BadInput {
            name: "summary-item-without-link",
            edits: &[Replace {
                file: "src/SUMMARY.md",
                find: "- [三、客户沟通管理](customers.md)",
                replace: "- 三、客户沟通管理",
            }],
            expect: &[
                "book/src/SUMMARY.md:9: 目录格式有误：目录里每一项都应是“- [标题](文件.md)”形式的链接（mdBook 的原文：The link items",
            ],
        },
        BadInput {
            name: "book-toml-syntax",
            edits: &[Replace {
                file: "book.toml",
                find: "title = \"测试手册\"",
                replace: "title = \"测试手册",
            }],
            expect: &["book/book.toml:4: 手册配置文件 book.toml 有误"],
        },
        BadInput {
            name: "book-toml-unknown-key",
            edits: &[Replace {
                file: "book.toml",
                find: "[build]",
                replace: "[biuld]",
            }],
            expect: &["book/book.toml:8: 手册配置文件 book.toml 有误"],
        },
        BadInput {
            name: "no-book-toml",
            edits: &[Remove { file: "book.toml" }],
            expect: &["book/book.toml: 找不到手册配置文件 book.toml"],
        },
        BadInput {
            name: "no-summary",
            edits: &[Remove {
                file: "src/SUMMARY.md",
            }],
            expect: &["book/src/SUMMARY.md: 找不到目录文件 SUMMARY.md"],
        },
        BadInput {
            name: "no-settings",
            edits: &[Remove {
                file: "settings.toml",
            }],
            expect: &["book/settings.toml: 文件不存在"],
        },
        #[cfg(unix)]
        BadInput {
            name: "chapter-symlink-out-of-book",
            edits: &[SymlinkOut {
                file: "src/customers.md",
            }],
            expect: &["book/src/SUMMARY.md:9: 目录里的章节文件“customers.md”是指向手册目录之外"],
        },
        #[cfg(unix)]
        BadInput {
            name: "rules-symlink-out-of-book",
            edits: &[SymlinkOut {
                file: "rules/basic.toml",
            }],
            expect: &["book/rules/basic.toml: 文件是指向手册目录之外"],
        },
    ];

    fn fixture() -> PathBuf {
        crate::repo_root().join("tests/fixtures/books/minimal")
    }

    /// A copy of a book without its `generated/` folder (shared with the
    /// admin round-trip test).
    pub(crate) fn copy_dir(from: &Path, to: &Path) {
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

    fn apply(work: &Path, book: &Path, edit: &Edit) -> Result<(), String> {
        match edit {
            Replace {
                file,
                find,
                replace,
            } => {
                let path = book.join(file);
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{file}: {e}"))?;
                if !text.contains(find) {
                    return Err(format!("`{find}` not found in {file}"));
                }
                std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
            }
            Write { file, bytes } => std::fs::write(book.join(file), bytes).unwrap(),
            #[cfg(unix)]
            SymlinkOut { file } => {
                let outside = work.join("outside.md");
                std::fs::write(&outside, "# 三、外部\n").unwrap();
                let path = book.join(file);
                let _ = std::fs::remove_file(&path);
                std::os::unix::fs::symlink(&outside, &path).unwrap();
            }
            Remove { file } => std::fs::remove_file(book.join(file)).unwrap(),
        }
        let _ = work;
        Ok(())
    }

    /// Error lines of a build message: those naming a place in `book/`.
    fn error_lines(message: &str) -> usize {
        message.lines().filter(|l| l.starts_with("book/")).count()
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
            copy_dir(&fixture(), &book);
            if let Some(err) = case
                .edits
                .iter()
                .find_map(|edit| apply(&work, &book, edit).err())
            {
                failures.push(format!("{}: {err}", case.name));
                continue;
            }

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
                    if error_lines(&message) != case.expect.len() {
                        failures.push(format!(
                            "{}: expected {} error(s), got:\n{message}",
                            case.name,
                            case.expect.len()
                        ));
                    }
                }
            }
            let kept = std::fs::read(out.join("index.html")).unwrap_or_default();
            if kept != b"last good site" || std::fs::read_dir(&out).unwrap().count() != 1 {
                failures.push(format!("{}: the previous output was touched", case.name));
            }
            let leftovers: Vec<_> = std::fs::read_dir(&work)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name())
                .filter(|n| n != "book" && n != "site" && n != "outside.md")
                .collect();
            if !leftovers.is_empty() {
                failures.push(format!("{}: left behind {leftovers:?}", case.name));
            }
            let _ = std::fs::remove_dir_all(&work);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    /// What an interrupted build leaves beside `site/`, and what the next one
    /// makes of it: (name, a running build's?).
    #[cfg(unix)]
    #[test]
    fn the_next_build_cleans_up_after_an_interrupted_one() {
        // A pid that is surely gone: a child that has exited and been reaped.
        let dead = std::process::Command::new("true")
            .spawn()
            .and_then(|mut c| c.wait().map(|_| c.id()))
            .unwrap();
        let running = std::os::unix::process::parent_id(); // the test runner's parent
        let work = std::env::temp_dir().join(format!("xtask-interrupted-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let out = work.join("site");
        let folder = |name: String, content: &str| {
            let dir = work.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("index.html"), content).unwrap();
        };
        /// (`.tmp-` or `.old-`, pid, content) of a leftover folder
        type Leftovers<'a> = &'a [(&'a str, u32, &'a str)];
        // (output exists?, leftovers, expected folders after, expected site content)
        let cases: &[(bool, Leftovers, &[String], &str)] = &[
            // Stopped mid-swap: no site, the old one in its backup.
            (
                false,
                &[(".old-", dead, "published"), (".tmp-", dead, "half")],
                &["site".into()],
                "published",
            ),
            // Stopped while rendering or while removing the backup.
            (
                true,
                &[(".tmp-", dead, "half"), (".old-", dead, "older")],
                &["site".into()],
                "published",
            ),
            // A build still running keeps its folders.
            (
                true,
                &[(".tmp-", running, "half"), (".old-", running, "older")],
                &[
                    "site".into(),
                    format!("site.old-{running}"),
                    format!("site.tmp-{running}"),
                ],
                "published",
            ),
        ];
        for (has_site, leftovers, after, content) in cases {
            let _ = std::fs::remove_dir_all(&work);
            if *has_site {
                folder("site".into(), "published");
            }
            for (kind, pid, text) in *leftovers {
                folder(format!("site{kind}{pid}"), text);
            }
            recover_interrupted(&out).unwrap();
            let mut names: Vec<String> = std::fs::read_dir(&work)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(&names, after, "{leftovers:?}");
            assert_eq!(
                std::fs::read_to_string(out.join("index.html")).unwrap(),
                *content
            );
        }
        let _ = std::fs::remove_dir_all(&work);
    }

    /// Builds a copy of the fixture after `edits`; the report and the output folder.
    fn build_fixture(name: &str, edits: &[Edit]) -> (Result<BuildReport>, PathBuf) {
        let work = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let book = work.join("book");
        copy_dir(&fixture(), &book);
        for edit in edits {
            apply(&work, &book, edit).unwrap();
        }
        let report = build(&BuildOptions {
            repo_root: crate::repo_root(),
            book_dir: book,
            out_dir: work.join("site"),
            skip_wasm: true,
            release_edition: false,
        });
        (report, work)
    }

    /// Edits that must build, and the clause count they give. The fixture has
    /// 3 chapters, 5 sections and 8 items.
    #[test]
    fn good_input_builds_with_every_clause() {
        let cases: &[(&str, &[Edit], usize)] = &[
            ("fixture", &[], 16),
            (
                // Chinese item numbers are read as items, not merged.
                "chinese-numbers",
                &[Replace {
                    file: "src/publishing.md",
                    find: "1. 发布前应确保内容真实、准确。\n2. 所有发布",
                    replace: "1、发布前应确保内容真实、准确。\n2、所有发布",
                }],
                16,
            ),
        ];
        for (name, edits, clauses) in cases {
            let (report, work) = build_fixture(name, edits);
            let _ = std::fs::remove_dir_all(&work);
            let report = report.unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert_eq!((report.clauses, report.rules), (*clauses, 2), "{name}");
        }
    }

    /// A second build that lost a clause and a rule says which.
    #[test]
    fn losing_clauses_or_rules_is_warned_about() {
        let (first, work) = build_fixture("losses", &[]);
        first.unwrap();
        let book = work.join("book");
        for edit in [
            Replace {
                file: "src/publishing.md",
                find: "1. 严禁发布违法信息。\n2. 禁止发布客户资料。",
                replace: "1. 严禁发布违法信息。禁止发布客户资料。",
            },
            Replace {
                file: "rules/basic.toml",
                find: "clause = \"2.2.2\"",
                replace: "clause = \"2.2.1\"",
            },
        ] {
            apply(&work, &book, &edit).unwrap();
        }
        // Drop the second rule: everything from its `[[rule]]` on.
        let rules = book.join("rules/basic.toml");
        let text = std::fs::read_to_string(&rules).unwrap();
        let cut = text.rfind("[[rule]]").unwrap();
        std::fs::write(&rules, &text[..cut]).unwrap();
        let second = build(&BuildOptions {
            repo_root: crate::repo_root(),
            book_dir: book,
            out_dir: work.join("site"),
            skip_wasm: true,
            release_edition: false,
        });
        let _ = std::fs::remove_dir_all(&work);
        let warnings = second.unwrap().warnings;
        assert_eq!(
            warnings,
            [
                "比上次构建少了 1 个条款（16 → 15）：2.2.2。若不是有意删除，请检查是否有条款并进了别的段落",
                "比上次构建少了 1 条规则（2 → 1）：client-data。若不是有意删除，请检查 book/rules/ 中的规则文件",
            ]
        );
    }

    /// A setting is text wherever it is published: a hostile company name
    /// yields no live tag in any page, only its escaped text.
    #[test]
    fn hostile_settings_are_published_as_text() {
        // Every setting the fixture's pages show (TOML literal strings: no escapes).
        const SETTINGS: &str = r#"
company_name = '<meta http-equiv="refresh" content="0;url=https://evil.invalid/"><script>alert(1)</script>*x*'
policy_version = '<meta http-equiv="refresh" content="0">'
reply_hours = '<script>alert(1)</script>'
"#;
        let (report, work) = build_fixture(
            "hostile-settings",
            &[Write {
                file: "settings.toml",
                bytes: SETTINGS.as_bytes(),
            }],
        );
        let result = (|| {
            report?;
            let mut pages = 0;
            let mut shown = 0;
            for entry in std::fs::read_dir(work.join("site"))? {
                let path = entry?.path();
                if path.extension().is_none_or(|e| e != "html") {
                    continue;
                }
                pages += 1;
                let html = std::fs::read_to_string(&path)?.to_lowercase();
                for live in ["<meta http-equiv=\"refresh", "<script>alert", "<em>x</em>"] {
                    anyhow::ensure!(!html.contains(live), "{}: live `{live}`", path.display());
                }
                if html.contains("&lt;meta http-equiv=") || html.contains("&lt;script&gt;alert") {
                    shown += 1;
                }
            }
            // index.html, customers.html and print.html show the value.
            anyhow::ensure!(
                pages > 3 && shown >= 3,
                "{pages} pages, value shown on {shown}"
            );
            Ok(())
        })();
        let _ = std::fs::remove_dir_all(&work);
        result.unwrap();
    }
}
