//! `cargo xtask blind-kit <目录>`: the folder a blind writer works from.
//!
//! The test part of the corpus is written by someone who has read the policy
//! and nothing of the checker (issue 10). Such a writer gets one folder: the
//! brief (`tests/corpus/blind-brief.md`, as `brief.md`), the policy's chapters
//! as the admin wrote them, `settings.toml` (the values of their
//! placeholders), the first batch's numbering and labelling notes (batch 1's
//! section of `tests/corpus/test/README.md`) and the first drafts of batch 1
//! as a format sample. Assembled here rather than by hand so that every batch
//! gets the same material from the files of the day: the first kit lived
//! only on one machine and was lost with it.
//!
//! The folder must lie outside the repository: the brief forbids reading
//! anything else, and a kit inside the checkout would sit next to the rules.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::clauses::chapter_heading;

/// Where batch 1's notes end in `tests/corpus/test/README.md`.
const NEXT_BATCH: &str = "\n# 盲写测试集 batch 2";
/// How many lines of batch 1's drafts the format sample keeps.
const SAMPLE_LINES: usize = 29;

/// Writes the kit into `dir` (created; it must not exist yet or be empty)
/// and returns the files written, relative to `dir`.
pub fn run(root: &Path, dir: &Path) -> Result<Vec<String>> {
    let dir = absolute(dir)?;
    if dir.starts_with(root) {
        bail!(
            "材料目录 {} 在仓库里面：盲写者不能读仓库里的任何东西，请换一个仓库之外的目录",
            dir.display()
        );
    }
    if dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "材料目录 {} 已有文件：请给一个新的或空的目录，以免混进别的材料",
            dir.display()
        );
    }
    let files = kit(root)?;
    std::fs::create_dir_all(dir.join("policy"))
        .with_context(|| format!("无法创建 {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, text) in files {
        std::fs::write(dir.join(&name), text)
            .with_context(|| format!("无法写入 {}", dir.join(&name).display()))?;
        written.push(name);
    }
    Ok(written)
}

/// The kit's files as (path relative to the kit, text).
fn kit(root: &Path) -> Result<Vec<(String, String)>> {
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path)).with_context(|| format!("无法读取 {path}"))
    };
    let mut files = vec![
        ("brief.md".to_string(), read("tests/corpus/blind-brief.md")?),
        ("settings.toml".to_string(), read("book/settings.toml")?),
        (
            "labeling.md".to_string(),
            first_batch_notes(&read("tests/corpus/test/README.md")?)?,
        ),
        (
            "format-sample.toml".to_string(),
            format_sample(&read("tests/corpus/dev-1.toml")?)?,
        ),
    ];
    for (name, text) in policy_chapters(&root.join("book/src"))? {
        files.push((format!("policy/{name}"), text));
    }
    Ok(files)
}

/// The chapters of the policy itself: the pages of `book/src` whose heading is
/// a chapter's (一、总则 …), not the tool pages, in chapter order.
fn policy_chapters(src: &Path) -> Result<Vec<(String, String)>> {
    let mut chapters = Vec::new();
    for entry in std::fs::read_dir(src).with_context(|| format!("无法读取 {}", src.display()))?
    {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("无法读取 {}", path.display()))?;
        if let Some((number, _)) = chapter_heading(&text) {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            chapters.push((number, name, text));
        }
    }
    if chapters.is_empty() {
        bail!(
            "{} 里没有制度章节（标题形如“一、总则”的页面）",
            src.display()
        );
    }
    chapters.sort();
    Ok(chapters
        .into_iter()
        .map(|(_, name, text)| (name, text))
        .collect())
}

/// Batch 1's section of the test part's notes: its numbering rules, labelling
/// method and kind vocabulary.
fn first_batch_notes(readme: &str) -> Result<String> {
    if !readme.starts_with("# 盲写测试集 batch 1") {
        bail!("tests/corpus/test/README.md 不再以 batch 1 的说明开头：请更新 blind_kit.rs");
    }
    let end = readme
        .find(NEXT_BATCH)
        .context("tests/corpus/test/README.md 里找不到 batch 2 的说明，无法截出 batch 1 的部分")?;
    Ok(format!("{}\n", readme[..end].trim_end()))
}

/// The first drafts of batch 1, from its first `[[draft]]` on (its header
/// says where the file lives now, which the writer need not know).
fn format_sample(batch1: &str) -> Result<String> {
    let from = batch1
        .find("[[draft]]")
        .context("tests/corpus/dev-1.toml 里没有草稿")?;
    let lines: Vec<&str> = batch1[from..].lines().take(SAMPLE_LINES).collect();
    Ok(format!("{}\n", lines.join("\n")))
}

/// `dir` made absolute, with the part of it that exists resolved, so that
/// `..` and symlinks cannot hide the repository.
fn absolute(dir: &Path) -> Result<PathBuf> {
    let dir = std::path::absolute(dir)?;
    let mut existing = dir.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let Some(parent) = existing.parent() else {
            break;
        };
        rest.push(existing.file_name().unwrap_or_default().to_owned());
        existing = parent;
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.into_iter().rev() {
        resolved.push(part);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kit_holds_the_policy_notes_sample_and_brief_and_nothing_of_the_checker() {
        let root = crate::repo_root();
        let files = kit(&root).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "brief.md",
                "settings.toml",
                "labeling.md",
                "format-sample.toml",
                "policy/general.md",
                "policy/accounts.md",
                "policy/publishing.md",
                "policy/customers.md",
                "policy/collaboration.md",
                "policy/supervision.md",
                "policy/supplementary.md",
            ]
        );
        let text = |name: &str| &files.iter().find(|(n, _)| n == name).unwrap().1;
        assert!(text("labeling.md").contains("## kind 词表"));
        assert!(!text("labeling.md").contains("batch 2"));
        let sample: toml::Table = toml::from_str(text("format-sample.toml")).unwrap();
        assert!(sample["draft"].as_array().is_some_and(|d| d.len() >= 4));
        for (name, text) in &files {
            for word in ["[[rule]]", "[[stance]]", "unless", "learned"] {
                assert!(!text.contains(word), "{name} mentions {word}");
            }
        }
    }

    #[test]
    fn refuses_a_folder_inside_the_repository_or_one_with_files() {
        let root = crate::repo_root();
        let err = run(&root, &root.join("target/blind-kit")).unwrap_err();
        assert!(err.to_string().contains("在仓库里面"), "{err}");
        let err = run(&root, &root.join("xtask/../target/x")).unwrap_err();
        assert!(err.to_string().contains("在仓库里面"), "{err}");
        let busy = std::env::temp_dir().join(format!("blind-kit-busy-{}", std::process::id()));
        std::fs::create_dir_all(&busy).unwrap();
        std::fs::write(busy.join("old.toml"), "").unwrap();
        let err = run(&root, &busy).unwrap_err();
        assert!(err.to_string().contains("已有文件"), "{err}");
        std::fs::remove_dir_all(&busy).unwrap();
    }

    #[test]
    fn writes_the_kit_into_a_new_folder() {
        let root = crate::repo_root();
        let dir = std::env::temp_dir().join(format!("blind-kit-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let written = run(&root, &dir).unwrap();
        assert_eq!(written.len(), 11);
        assert!(dir.join("policy/publishing.md").is_file());
        assert!(dir.join("brief.md").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
