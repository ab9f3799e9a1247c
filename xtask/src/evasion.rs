//! The development part of the blind evasion batteries
//! (`checker-wasm/engine/tests/data/evasion-blind-*.toml`, scored by the
//! engine's `tests/evasion_blind.rs`), read as training drafts for the
//! learned model's evasion lanes (`train_model.rs`,
//! `wxcheck::learned::EVASION_PREFIX`).
//!
//! Why: rules and folds learnt from one battery reach few tricks of the next
//! (the tricks have a long tail), while the model, which reads character
//! n-grams of whole sentences, already caught two thirds of what got past
//! the rules in a battery it never saw. Lanes trained on the development
//! batteries as well catch more of a fresh one (DESIGN.md, "The learned
//! model and the evasion batteries").
//!
//! A battery's `part` says whether it may be trained on; a `test` battery
//! is never read here. Each case becomes a public post labelled with the
//! first clause of its payload (`evasion-payloads.toml`), each clean
//! look-alike a clean public post.

use crate::corpus::DevDraft;
use crate::diagnostics::{Diagnostic, Diagnostics};
use anyhow::{Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use wxcheck::Context;

/// The batteries' folder, from the repository root.
pub const BATTERY_DIR: &str = "checker-wasm/engine/tests/data";
/// The payloads' clauses, in [`BATTERY_DIR`].
const PAYLOADS: &str = "evasion-payloads.toml";

#[derive(Deserialize)]
struct Battery {
    part: String,
    case: Vec<Case>,
    clean: Vec<Clean>,
}

#[derive(Deserialize)]
struct Case {
    payload: String,
    text: String,
}

#[derive(Deserialize)]
struct Clean {
    text: String,
}

#[derive(Deserialize)]
struct Payloads {
    payload: BTreeMap<String, Payload>,
}

#[derive(Deserialize)]
struct Payload {
    clauses: Vec<String>,
}

/// The training drafts of every development battery under `root`, in file
/// name order (cases, then look-alikes), and how many batteries they came
/// from. No folder (a handbook copied without its tests) is no drafts.
pub fn training_drafts(root: &Path) -> Result<(Vec<DevDraft>, usize)> {
    let dir = root.join(BATTERY_DIR);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("evasion-blind-") && n.ends_with(".toml"))
                })
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        return Ok((Vec::new(), 0));
    }
    files.sort();
    let payloads: Payloads = read_toml(&dir.join(PAYLOADS), PAYLOADS)?;
    let (mut drafts, mut batteries, mut errors) = (Vec::new(), 0, Vec::new());
    for path in &files {
        let name = format!(
            "{BATTERY_DIR}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let battery: Battery = read_toml(path, &name)?;
        match battery.part.as_str() {
            "test" => continue,
            "development" => batteries += 1,
            other => {
                errors.push(Diagnostic::new(
                    &name,
                    None,
                    format!("part 是 `{other}`：只能是 development 或 test"),
                ));
                continue;
            }
        }
        for case in battery.case {
            let Some(clause) = payloads
                .payload
                .get(&case.payload)
                .and_then(|p| p.clauses.first())
            else {
                errors.push(Diagnostic::new(
                    &name,
                    None,
                    format!("payload `{}` 不在 {PAYLOADS} 里", case.payload),
                ));
                continue;
            };
            drafts.push(public_post(case.text, vec![clause.clone()]));
        }
        drafts.extend(
            battery
                .clean
                .into_iter()
                .map(|c| public_post(c.text, Vec::new())),
        );
    }
    if !errors.is_empty() {
        bail!(Diagnostics(errors));
    }
    Ok((drafts, batteries))
}

fn public_post(text: String, clauses: Vec<String>) -> DevDraft {
    DevDraft {
        text,
        context: Context::Public,
        clauses,
        kind: None,
    }
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path, name: &str) -> Result<T> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("无法读取 {name}（{e}）"))?;
    toml::from_str(&text).map_err(|err| {
        let (line, message) = wxcheck::explain_toml_error(&text, &err);
        Diagnostics(vec![Diagnostic::new(name, line, message)]).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every development battery is read, and every case gets a clause.
    #[test]
    fn the_development_batteries_become_labelled_public_posts() {
        let (drafts, batteries) = training_drafts(&crate::repo_root()).unwrap();
        assert!(batteries >= 6, "{batteries} development batteries");
        assert!(drafts.iter().all(|d| d.context == Context::Public));
        let cases = drafts.iter().filter(|d| !d.clauses.is_empty()).count();
        assert!(cases >= 300 * batteries, "{cases} cases");
        assert!(drafts.len() > cases, "no clean look-alikes read");
    }
}
