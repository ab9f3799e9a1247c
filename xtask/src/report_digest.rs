//! `cargo xtask report-digest`: one fingerprint of every report the engine
//! gives on the development corpus, so that a change meant to leave reports
//! alone (a faster loop, a refactor) can be shown to.
//!
//! Why: the speed passes in `checker-wasm/engine/DESIGN.md` each claim "every
//! report unchanged"; earlier sessions proved it with a scratch dump kept
//! outside the repository. This is that dump, kept: the rules and model of
//! one commit (git's, as `first-openings` reads them, so an edit in `book/`
//! does not move the figure), every development draft in all four contexts,
//! with the learned model and with the rules alone, and the same drafts glued
//! fifty at a time into long drafts (the paths a short draft never takes).
//! Run it before and after; the two digests must be equal. With `--out`,
//! every report is also written as a JSON line, to diff when they are not.
//!
//! The test part is not read: an engine change is judged on development and
//! first openings (`tests/corpus/README.md`).

use crate::corpus;
use crate::first_openings::rules_at;
use crate::train_model::CORPUS_DIR;
use anyhow::{Context as _, Result};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use wxcheck::{Context, RuleSet};

/// How many development drafts one long draft glues together.
const GLUED: usize = 50;

/// Checks every draft, prints how many reports and their digest, and with
/// `out` writes each report as a JSON line there.
pub fn run(root: &Path, commit: &str, out: Option<&Path>) -> Result<()> {
    let (rules, alone) = rules_at(root, commit, None)
        .with_context(|| format!("无法读取提交 {commit} 的规则和模型"))?;
    let drafts = corpus::read_development(&root.join(CORPUS_DIR), CORPUS_DIR)?;
    let mut texts: Vec<String> = drafts.into_iter().map(|d| d.text).collect();
    let glued: Vec<String> = texts.chunks(GLUED).map(|c| c.join("\n")).collect();
    let long = glued.len();
    texts.extend(glued);

    let mut file = match out {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("无法写入 {}", path.display()))?,
        )),
        None => None,
    };
    let mut hasher = Sha256::new();
    let mut reports = 0usize;
    for (i, text) in texts.iter().enumerate() {
        for (with_model, set) in [(true, &rules), (false, &alone)] {
            for context in Context::ALL {
                let line = report_line(set, text, context, i, with_model)?;
                hasher.update(line.as_bytes());
                hasher.update(b"\n");
                if let Some(f) = file.as_mut() {
                    writeln!(f, "{line}")?;
                }
                reports += 1;
            }
        }
    }
    if let Some(mut f) = file {
        f.flush()?;
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!(
        "{reports} 份报告（{} 条草稿，含 {} 条长草稿；规则和模型取自 {commit}）：sha256 {digest}",
        texts.len(),
        long,
    );
    Ok(())
}

/// One report as a JSON line, named by draft number, context and rule set.
fn report_line(
    rules: &RuleSet,
    text: &str,
    context: Context,
    draft: usize,
    with_model: bool,
) -> Result<String> {
    let report = rules.check(text, context);
    let line = serde_json::json!({
        "draft": draft,
        "context": context.as_str(),
        "model": with_model,
        "report": report,
    });
    Ok(serde_json::to_string(&line)?)
}
