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
use crate::{search_index, wasm};

pub struct BuildOptions {
    pub repo_root: PathBuf,
    pub book_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Skip compiling the checker (tests of the admin's input that fail earlier).
    pub skip_wasm: bool,
}

impl BuildOptions {
    pub fn for_repo(repo_root: &Path) -> BuildOptions {
        BuildOptions {
            repo_root: repo_root.to_path_buf(),
            book_dir: repo_root.join("book"),
            out_dir: repo_root.join("site"),
            skip_wasm: false,
        }
    }
}

pub struct BuildReport {
    pub out_dir: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub clauses: usize,
    pub rules: usize,
}

pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let book_dir = options.book_dir.canonicalize().with_context(|| format!("找不到手册目录 {}", options.book_dir.display()))?;

    // 1. Read and validate everything the admin wrote.
    let mut md = MDBook::load(&book_dir).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let handbook = Arc::new(Handbook::analyse(&book_dir, &md.book)?);
    eprintln!("  已校验 {} 个条款、{} 条规则", handbook.clauses.clauses.len(), handbook.rules.rules().len());

    // 2. The checker, compiled to wasm and bound for a classic <script>.
    let engine_script = if options.skip_wasm { None } else { Some(wasm::engine_script(&options.repo_root, &handbook)?) };

    // 3. Render into a temporary folder next to the output.
    let out_dir = absolute(&options.out_dir)?;
    let parent = out_dir.parent().context("输出目录没有上级目录")?;
    std::fs::create_dir_all(parent)?;
    let name = out_dir.file_name().context("输出目录名无效")?.to_string_lossy().into_owned();
    let staging = parent.join(format!("{name}.tmp-{}", std::process::id()));
    remove_dir_if_exists(&staging)?;
    // Intermediate assets mdBook picks up through `additional-js` (git-ignored).
    let generated = book_dir.join("generated");
    std::fs::create_dir_all(&generated)?;
    std::fs::write(generated.join("search-index.js"), search_index::render(&handbook.clauses))?;
    md.config.build.build_dir = staging.clone();
    md.with_preprocessor(HandbookPreprocessor { handbook: Arc::clone(&handbook) });
    let result = (|| -> Result<()> {
        md.build().map_err(|e| anyhow::anyhow!("{e:#}"))?;
        write_generated(&staging, &handbook, engine_script.as_deref())?;
        Ok(())
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err);
    }

    // 4. Swap: old → backup, staging → output, drop backup.
    let backup = parent.join(format!("{name}.old-{}", std::process::id()));
    if out_dir.exists() {
        std::fs::rename(&out_dir, &backup).with_context(|| format!("无法移动旧的输出目录 {}", out_dir.display()))?;
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
    Ok(BuildReport { out_dir, files, bytes, clauses: handbook.clauses.clauses.len(), rules: handbook.rules.rules().len() })
}

/// Files the build generates beside mdBook's output.
fn write_generated(site: &Path, handbook: &Handbook, engine_script: Option<&str>) -> Result<()> {
    let clauses_json = serde_json::to_string_pretty(&handbook.clauses)?;
    std::fs::write(site.join("clauses.json"), clauses_json)?;
    if let Some(script) = engine_script {
        std::fs::write(site.join("checker-engine.js"), script)?;
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    Ok(if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) })
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
