//! `cargo xtask first-openings`: today's engine over the blind batches now in
//! the development part, each with the rules and learned model of the commit
//! that first scored it (the table `tests/corpus/history/first-openings.toml`; the
//! rules read from git).
//!
//! Why: a change to the engine (a stance construct, a quotation mark, a
//! validator) cannot be judged on development as it stands, whose drafts the
//! rules have been tuned on since, nor chosen on the blind test part. Each
//! batch's first opening is the last moment it was blind; with that day's
//! rules and model, only the engine's part of a change shows. This replaces
//! the shell scripts and rule snapshots earlier sessions kept outside the
//! repository (and lost with a machine).

use crate::corpus::{self, DevDraft};
use crate::diagnostics::{Diagnostic, line_of};
use crate::train_model::CORPUS_DIR;
use anyhow::{Context as _, Result, bail};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use wxcheck::learned::{self, Lane, LearnedModel};
use wxcheck::{RuleSet, SourceFile, Verdict};

/// The table of first openings, from the repository root.
pub const TABLE: &str = "tests/corpus/history/first-openings.toml";

#[derive(Deserialize)]
struct Table {
    batch: Vec<toml::Spanned<Batch>>,
}

#[derive(Deserialize)]
struct Batch {
    batch: u32,
    commit: String,
    files: Vec<String>,
}

/// What a batch (or all of them) scored.
#[derive(Default)]
struct Tally {
    drafts: usize,
    right: usize,
    right_alone: usize,
    clean: usize,
    clean_blocked: usize,
    clean_blocked_alone: usize,
    clean_revise_or_worse: usize,
    violations_blocked: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.drafts += other.drafts;
        self.right += other.right;
        self.right_alone += other.right_alone;
        self.clean += other.clean;
        self.clean_blocked += other.clean_blocked;
        self.clean_blocked_alone += other.clean_blocked_alone;
        self.clean_revise_or_worse += other.clean_revise_or_worse;
        self.violations_blocked += other.violations_blocked;
    }

    fn line(&self) -> String {
        format!(
            "{} 条，对 {}（规则单独 {}）；干净 {} 条：禁止发布 {}（规则单独 {}），需修改及以上 {}；违规禁止发布 {}",
            self.drafts,
            self.right,
            self.right_alone,
            self.clean,
            self.clean_blocked,
            self.clean_blocked_alone,
            self.clean_revise_or_worse,
            self.violations_blocked
        )
    }
}

/// Scores every batch of the table and prints each and the total; with
/// `show`, also each clean draft blocked, and what blocked it. With
/// `hit_lane`, each batch's model gets a hit lane
/// (`wxcheck::learned::HIT_LANE`) trained on the development files that are
/// in no batch of the table, read with today's rules: the lane's effect on
/// drafts it never saw, as the shipped lane (trained on all of development)
/// would have on the next blind batch.
pub fn run(root: &Path, show: bool, hit_lane: bool) -> Result<()> {
    let batches = read_table(root)?;
    let lane = if hit_lane {
        let in_table: std::collections::HashSet<&str> = batches
            .iter()
            .flat_map(|b| b.files.iter().map(String::as_str))
            .collect();
        let mut names = Vec::new();
        let mut drafts = Vec::new();
        for path in corpus::development_files(&root.join(CORPUS_DIR)) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if !in_table.contains(&*name) {
                drafts.extend(corpus::read_file(&path, &format!("{CORPUS_DIR}/{name}"))?);
                names.push(name.into_owned());
            }
        }
        let rules = crate::train_model::book_rules(root)?;
        let lane = crate::train_model::hit_lane(&rules, &drafts)
            .context("开发语料里干净草稿或违规草稿的命中太少，训练不出 hit 通道")?;
        println!(
            "hit 通道：用不在表里的 {} 个开发文件（{} 条草稿）训练",
            names.len(),
            drafts.len()
        );
        Some(lane)
    } else {
        None
    };
    let mut total = Tally::default();
    for b in &batches {
        let (rules, alone) = rules_at(root, &b.commit, lane.as_ref())
            .with_context(|| format!("批次 {}：无法读取提交 {} 的规则", b.batch, b.commit))?;
        let mut drafts = Vec::new();
        for f in &b.files {
            drafts.extend(corpus::read_file(
                &root.join(CORPUS_DIR).join(f),
                &format!("{}/{f}", CORPUS_DIR),
            )?);
        }
        let tally = score(&rules, &alone, &drafts, show);
        println!("批次 {}（{}）：{}", b.batch, b.commit, tally.line());
        total.add(&tally);
    }
    println!("合计 {} 批：{}", batches.len(), total.line());
    Ok(())
}

/// The table, checked: batches in ascending order, each listed once, each
/// file a development file that exists.
fn read_table(root: &Path) -> Result<Vec<Batch>> {
    let text =
        std::fs::read_to_string(root.join(TABLE)).with_context(|| format!("无法读取 {TABLE}"))?;
    let table: Table = toml::from_str(&text).map_err(|err| {
        let (line, message) = wxcheck::explain_toml_error(&text, &err);
        Diagnostic::new(TABLE, line, message)
    })?;
    let mut last = None;
    let mut batches = Vec::new();
    for spanned in table.batch {
        let line = Some(line_of(&text, spanned.span().start));
        let b = spanned.into_inner();
        if last.is_some_and(|l| b.batch <= l) {
            bail!(Diagnostic::new(
                TABLE,
                line,
                format!("批次 {} 应按编号从小到大排列，且每批只列一次", b.batch)
            ));
        }
        last = Some(b.batch);
        if b.commit.len() < 7 || !b.commit.bytes().all(|c| c.is_ascii_hexdigit()) {
            bail!(Diagnostic::new(
                TABLE,
                line,
                format!(
                    "批次 {} 的 commit “{}” 不是提交号（至少 7 位十六进制）",
                    b.batch, b.commit
                )
            ));
        }
        for f in &b.files {
            let path = root.join(CORPUS_DIR).join(f);
            if f.contains('/') || !path.is_file() {
                bail!(Diagnostic::new(
                    TABLE,
                    line,
                    format!("批次 {} 的文件 {f} 不在 {}/ 里", b.batch, CORPUS_DIR)
                ));
            }
        }
        batches.push(b);
    }
    Ok(batches)
}

/// The rule set of `commit` (its `book/rules/*.toml` with `book/settings.toml`),
/// with its learned model (and `lane` added to it), and without.
pub fn rules_at(root: &Path, commit: &str, lane: Option<&Lane>) -> Result<(RuleSet, RuleSet)> {
    let listing = git(root, &["ls-tree", "--name-only", commit, "book/rules/"])?;
    let mut files = Vec::new();
    let mut model = None;
    for path in listing.lines() {
        if path.ends_with(".toml") {
            files.push(SourceFile {
                name: format!("{commit}:{path}"),
                text: git(root, &["show", &format!("{commit}:{path}")])?,
            });
        } else if path.ends_with(wxcheck::learned::FILE_NAME) {
            model = Some((
                path.to_string(),
                git(root, &["show", &format!("{commit}:{path}")])?,
            ));
        }
    }
    let settings_text = git(root, &["show", &format!("{commit}:book/settings.toml")])?;
    let settings = wxcheck::parse_settings(&format!("{commit}:book/settings.toml"), &settings_text)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let alone = RuleSet::load_with(&files, &settings)
        .map_err(|errors| anyhow::anyhow!(crate::handbook::join_lines(&errors)))?;
    let rules = match (model, lane) {
        (Some((name, json)), None) => alone
            .clone()
            .with_learned_json(&format!("{commit}:{name}"), &json, &|_| true)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        (Some((name, json)), Some(lane)) => {
            let mut model: LearnedModel =
                serde_json::from_str(&json).with_context(|| format!("{commit}:{name} 无法读取"))?;
            learned::add_lane(&mut model, lane);
            alone
                .clone()
                .with_learned(model, &|_| true)
                .map_err(|e| anyhow::anyhow!("{e}"))?
        }
        (None, _) => alone.clone(),
    };
    Ok((rules, alone))
}

/// `git <args>` in `root`, its standard output.
fn git(root: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("无法运行 git：first-openings 从 git 历史里读取当时的规则")?;
    if !out.status.success() {
        bail!(
            "git {} 失败：{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git 的输出不是 UTF-8")
}

fn score(rules: &RuleSet, alone: &RuleSet, drafts: &[DevDraft], show: bool) -> Tally {
    let mut t = Tally::default();
    for d in drafts {
        let report = rules.check(&d.text, d.context);
        let report_alone = alone.check(&d.text, d.context);
        t.drafts += 1;
        t.right += usize::from(report.is_right(&d.clauses));
        t.right_alone += usize::from(report_alone.is_right(&d.clauses));
        if d.clauses.is_empty() {
            t.clean += 1;
            t.clean_blocked += usize::from(report.verdict == Verdict::Block);
            if show && report.verdict == Verdict::Block {
                let by: Vec<String> = report
                    .findings
                    .iter()
                    .filter(|f| f.severity == wxcheck::Severity::Block)
                    .map(|f| format!("{} {}“{}”", f.clause, f.rule, f.text))
                    .collect();
                println!(
                    "  干净但禁止发布 [{}] {}\n    ← {}",
                    d.context,
                    d.text,
                    by.join("；")
                );
            }
            t.clean_blocked_alone += usize::from(report_alone.verdict == Verdict::Block);
            t.clean_revise_or_worse += usize::from(report.verdict >= Verdict::Revise);
        } else {
            t.violations_blocked += usize::from(report.verdict == Verdict::Block);
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    /// The shipped table reads: every batch in order, every file there, one
    /// or two halves each (batch 124's other half is in the test part). (The
    /// scoring itself needs the git history, which a test does not assume.)
    #[test]
    fn the_table_reads() {
        let batches = read_table(repo()).unwrap();
        assert!(batches.len() >= 35, "{}", batches.len());
        assert!(batches.iter().all(|b| (1..=2).contains(&b.files.len())));
    }

    /// A table out of order, with a bad commit or a missing file is refused
    /// at its line.
    #[test]
    fn a_bad_table_is_refused_at_its_line() {
        let dir = std::env::temp_dir().join(format!("wx-first-openings-{}", std::process::id()));
        let corpus_dir = dir.join(CORPUS_DIR);
        std::fs::create_dir_all(&corpus_dir).unwrap();
        std::fs::write(corpus_dir.join("dev-1a.toml"), "").unwrap();
        std::fs::create_dir_all(dir.join(TABLE).parent().unwrap()).unwrap();
        let cases = [
            (
                "[[batch]]\nbatch = 2\ncommit = \"abcdef1\"\nfiles = [\"dev-1a.toml\"]\n\n[[batch]]\nbatch = 1\ncommit = \"abcdef1\"\nfiles = [\"dev-1a.toml\"]\n",
                ":6",
                "从小到大",
            ),
            (
                "[[batch]]\nbatch = 1\ncommit = \"main\"\nfiles = [\"dev-1a.toml\"]\n",
                ":1",
                "不是提交号",
            ),
            (
                "[[batch]]\nbatch = 1\ncommit = \"abcdef1\"\nfiles = [\"dev-9z.toml\"]\n",
                ":1",
                "不在",
            ),
            ("[[batch]]\nbatch = \"一\"\n", ":2", ""),
        ];
        for (text, line, words) in cases {
            std::fs::write(dir.join(TABLE), text).unwrap();
            let err = format!("{:#}", read_table(&dir).err().expect(text));
            assert!(err.contains(&format!("{TABLE}{line}")), "{err}");
            assert!(err.contains(words), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
