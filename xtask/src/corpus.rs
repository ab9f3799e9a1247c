//! The development part of the labelled corpus (`tests/corpus/*.toml`), read
//! for the chores that learn from it: the practice round's clean traps
//! (`practice.rs`) and the learned second opinion (`train_model.rs`).
//!
//! Only the files directly in the folder are read: `tests/corpus/test/` is the
//! frozen blind test part, and nothing built or trained may see it.

use crate::diagnostics::{Diagnostic, Diagnostics, line_of};
use anyhow::{Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use wxcheck::Context;

/// One labelled draft.
pub struct DevDraft {
    pub text: String,
    pub context: Context,
    /// The clauses it breaks; empty when clean.
    pub clauses: Vec<String>,
    pub kind: Option<String>,
}

/// A corpus file as written.
#[derive(Deserialize)]
struct CorpusFile {
    #[serde(default)]
    draft: Vec<CorpusDraft>,
}

#[derive(Deserialize)]
struct CorpusDraft {
    context: toml::Spanned<String>,
    #[serde(default)]
    clauses: Vec<String>,
    text: String,
    #[serde(default)]
    kind: Option<String>,
}

/// Every draft of the `*.toml` files directly in `dir` (sorted by file name,
/// in file order), named `shown_as/<file>` in errors. A missing folder is an
/// empty corpus: a handbook copied without its tests still builds.
pub fn read_development(dir: &Path, shown_as: &str) -> Result<Vec<DevDraft>> {
    let mut errors = Vec::new();
    let mut drafts = Vec::new();
    for path in development_files(dir) {
        let name = format!(
            "{shown_as}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        read_file_into(&path, &name, &mut drafts, &mut errors);
    }
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    Ok(drafts)
}

/// The `*.toml` files directly in `dir`, sorted by name; none for a missing
/// folder.
pub fn development_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
}

/// The drafts of one corpus file (`name` as errors show it).
pub fn read_file(path: &Path, name: &str) -> Result<Vec<DevDraft>> {
    let (mut drafts, mut errors) = (Vec::new(), Vec::new());
    read_file_into(path, name, &mut drafts, &mut errors);
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    Ok(drafts)
}

/// Appends the drafts of one corpus file to `drafts`, and what is wrong with
/// it to `errors`.
fn read_file_into(
    path: &Path,
    name: &str,
    drafts: &mut Vec<DevDraft>,
    errors: &mut Vec<Diagnostic>,
) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            errors.push(Diagnostic::new(
                name,
                None,
                format!("无法读取语料文件（{e}）：请确认它是 UTF-8 文本"),
            ));
            return;
        }
    };
    let file: CorpusFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(err) => {
            let (line, message) = wxcheck::explain_toml_error(&text, &err);
            errors.push(Diagnostic::new(name, line, message));
            return;
        }
    };
    for draft in file.draft {
        match draft.context.get_ref().parse::<Context>() {
            Ok(context) => drafts.push(DevDraft {
                text: draft.text,
                context,
                clauses: draft.clauses,
                kind: draft.kind,
            }),
            Err(e) => errors.push(Diagnostic::new(
                name,
                Some(line_of(&text, draft.context.span().start)),
                format!("{e}：请把 context 改为其中之一"),
            )),
        }
    }
}
