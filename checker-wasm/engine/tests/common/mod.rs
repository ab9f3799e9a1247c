//! Shared by the integration tests: the repository's rules and clause index.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wxcheck::{RuleSet, SourceFile};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The handbook's clause ids that rules may cite (chapter.section.item).
pub const CLAUSES: &[&str] = &[
    "1.1", "1.2", "1.3", "1.3.1", "1.3.2", "1.3.3", "1.3.4", "2.1.1", "2.1.2", "2.1.3", "2.2.1",
    "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2",
    "3.2.3", "3.3.1", "3.3.2", "3.3.3", "4.1.1", "4.1.2", "4.1.3", "4.2.1", "4.2.2", "4.2.3",
    "4.3.1", "4.3.2", "4.3.3", "5.1.1", "5.1.2", "5.1.3", "5.2.1", "5.2.2", "5.2.3", "5.3.1",
    "5.3.2", "5.3.3", "6.1.1", "6.1.2", "6.1.3", "6.2.1", "6.2.2", "6.2.3",
];

pub fn rule_files() -> Vec<SourceFile> {
    let dir = repo_root().join("book/rules");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("book/rules")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| SourceFile {
            name: format!("book/rules/{}", p.file_name().unwrap().to_string_lossy()),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

pub fn rules() -> RuleSet {
    match RuleSet::load(&rule_files()) {
        Ok(r) => r,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{} error(s) in book/rules", errors.len());
        }
    }
}
