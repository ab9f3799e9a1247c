//! Shared by the integration tests and the benchmark: the repository's
//! rules (with the settings they refer to) and labelled corpus.
//!
//! Nothing here knows the handbook's clauses: the xtask checks each rule's
//! clause against the real policy text, so inserting a clause in the policy
//! never breaks an engine test.
#![allow(dead_code)]

use serde::Deserialize;
use std::path::{Path, PathBuf};
use wxcheck::{Context, RuleSet, Settings, SourceFile};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.toml` files of a repository folder, sorted by name.
pub fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .expect(dir)
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
}

pub fn rule_files() -> Vec<SourceFile> {
    toml_files("book/rules")
        .into_iter()
        .map(|p| SourceFile {
            name: format!("book/rules/{}", p.file_name().unwrap().to_string_lossy()),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

/// `book/settings.toml`, the values `{{name}}` in the rules refer to.
pub fn settings() -> Settings {
    let path = repo_root().join("book/settings.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    wxcheck::parse_settings("book/settings.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

pub fn rules() -> RuleSet {
    match RuleSet::load_with(&rule_files(), &settings()) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{} error(s) in book/rules", errors.len());
        }
    }
}

/// The rules as shipped: [`rules`] plus the learned second opinion
/// (`book/rules/learned.json`), when there is one.
pub fn shipped_rules() -> RuleSet {
    let rules = rules();
    let path = repo_root()
        .join("book/rules")
        .join(wxcheck::learned::FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(json) => rules
            .with_learned_json("book/rules/learned.json", &json, &|_| true)
            .unwrap_or_else(|e| panic!("{e}")),
        Err(_) => rules,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    draft: Vec<Draft>,
}

/// One labelled draft of `tests/corpus/`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub context: Context,
    /// Every clause the draft really breaks (empty: a clean draft).
    pub clauses: Vec<String>,
    /// What the draft is (`refund-promise`, `clean-negation` …), for rates per kind.
    #[serde(default)]
    pub kind: Option<String>,
    pub text: String,
}

/// The development part of the labelled corpus (`tests/corpus/*.toml`), each
/// draft with the name of its file: rule authors read and tune against it.
pub fn corpus() -> Vec<(String, Draft)> {
    corpus_in("tests/corpus")
}

/// The blind test part (`tests/corpus/test/*.toml`): written from the policy
/// text alone, frozen; never tuned against (see its README).
pub fn test_corpus() -> Vec<(String, Draft)> {
    corpus_in("tests/corpus/test")
}

fn corpus_in(dir: &str) -> Vec<(String, Draft)> {
    let mut out = Vec::new();
    for p in toml_files(dir) {
        let text = std::fs::read_to_string(&p).unwrap();
        let file: CorpusFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        out.extend(file.draft.into_iter().map(|d| (name.clone(), d)));
    }
    out
}

/// Whether some finding of `rules` on `draft` (public) covers part of the
/// characters `start..end`: an evasion battery's "caught" (`tests/evasion.rs`,
/// `tests/evasion_blind.rs`).
pub fn caught(rules: &RuleSet, draft: &str, start: usize, end: usize) -> bool {
    rules
        .check(draft, Context::Public)
        .findings
        .iter()
        .any(|f| f.start < end && start < f.end)
}
