//! The checker for the browser: `checker-wasm` compiled to wasm32, bound by
//! wasm-bindgen in-process, and packed into one classic script,
//! `checker-engine.js` at the site root.
//!
//! Why one classic script with the wasm bytes inside (base64) rather than an ES
//! module and a `.wasm` file: the handbook must work opened straight from disk,
//! where Chromium refuses module scripts and `fetch()` of local files, and on
//! intranet servers that don't serve `.wasm` with its MIME type or refuse
//! unknown extensions. A `.js` file loads everywhere a page does.
//!
//! The script defines one global, `WX_ENGINE`:
//!
//! * `glue` — a function whose body is the wasm-bindgen glue (`no-modules`
//!   flavour) and which returns its `wasm_bindgen` object. Being real code, not
//!   a string, it runs under a CSP without `eval`; and its source
//!   (`Function.prototype.toString`) is what the page puts into a `blob:`
//!   Worker, so the glue ships once and serves both the worker and a
//!   main-thread fallback.
//! * `wasmBase64` — the wasm bytes, instantiated with `initSync`.
//! * `rules` — the validated rule set as JSON (`RuleSet::to_json`); the wasm
//!   validates it again when it loads it.
//! * `meta` — versions, labels and the clause links the page shows.
//!
//! Only the self-check page loads this file (the page script injects it), so
//! the other pages never pay for it.
//!
//! Beside it, [`words_script`] writes `checker-words.js`: the policy's words the
//! page shows (severity order and labels, verdicts and what to do next, context
//! labels, the clauses the workflow cites), small and loaded before the page
//! scripts so the page can show them before the engine is in. The page's
//! scripts type none of these words (`tests` in this module checks that).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use base64::Engine as _;
use serde::Serialize;
use wasm_bindgen_cli_support::Bindgen;
use wxcheck::{Context, Severity, Verdict};

use crate::handbook::Handbook;

const TARGET: &str = "wasm32-unknown-unknown";
/// The size-optimised profile declared in the workspace `Cargo.toml`.
const PROFILE: &str = "wasm";

/// What the page needs besides the engine: everything it shows that comes from
/// the handbook or the rules, so the page script holds no copy of either.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta<'a> {
    rules_version: String,
    /// The edition the checker enforces: its version and the SHA-256 of its
    /// text (`editions::text_sha256`), so a review record names the text.
    policy_version: &'a str,
    policy_sha256: &'a str,
    /// Whether that version is frozen (`--release-edition`) or still a draft.
    policy_released: bool,
    /// Clause id → label, title and link, for every clause a rule cites.
    clauses: BTreeMap<&'a str, ClauseMeta<'a>>,
    /// Rule id → what `?try=<rule>` fills in.
    examples: BTreeMap<&'a str, Example<'a>>,
}

/// The policy's words for the page (`WX_WORDS` in `checker-words.js`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Words {
    /// Bumped when the shape changes, so a stale cached page can tell.
    version: u32,
    /// The longest draft (UTF-16 units) the page checks at once.
    max_check: usize,
    /// Most severe first: the order findings are listed and counted in.
    severities: Vec<Label>,
    /// Every verdict, most severe first, with what to do next; `partial` is
    /// the page's own: a draft checked only in part, which never passes.
    verdicts: Vec<VerdictWords>,
    contexts: Vec<Label>,
    /// The clause every draft goes to review under (三（一）2).
    review_clause: ClauseRef,
    /// What the review record is for, citing that clause.
    record_intro: String,
}

#[derive(Serialize)]
struct VerdictWords {
    id: &'static str,
    label: String,
    next: String,
}

#[derive(Serialize)]
struct ClauseRef {
    id: &'static str,
    label: String,
    url: String,
}

#[derive(Serialize)]
struct ClauseMeta<'a> {
    label: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct Example<'a> {
    text: &'a str,
    context: &'static str,
}

#[derive(Serialize)]
struct Label {
    id: &'static str,
    label: &'static str,
}

/// The source of `checker-words.js` (one global, `WX_WORDS`). Fails when a
/// clause the workflow cites is missing from the handbook.
pub fn words_script(handbook: &Handbook) -> Result<String> {
    let words = words(handbook)?;
    Ok(format!(
        "// 发布前自检的制度用语：由 `cargo xtask build` 生成，请勿手工修改。\n\
         // The policy's words for the self-check page. See xtask/src/wasm.rs.\n\
         var WX_WORDS = {};\n",
        serde_json::to_string(&words)?
    ))
}

fn words(handbook: &Handbook) -> Result<Words> {
    let clause = |id: &'static str| -> Result<ClauseRef> {
        let c = handbook.clauses.get(id).with_context(|| {
            format!(
                "制度正文里没有条款 {id}：发布前自检引用它（部门负责人审核、高层审批）。\
                 若条款已改号，请同时修改 checker-wasm/engine/src/model.rs 中的条款编号"
            )
        })?;
        Ok(ClauseRef {
            id,
            label: c.label.clone(),
            url: c.url(),
        })
    };
    let review = clause(wxcheck::REVIEW_CLAUSE)?;
    clause(wxcheck::SENIOR_CLAUSE)?;
    let mut verdicts: Vec<VerdictWords> = Verdict::ALL
        .iter()
        .rev()
        .map(|v| VerdictWords {
            id: v.as_str(),
            label: v.label_zh().to_string(),
            next: v.next_step_zh(),
        })
        .collect();
    verdicts.push(VerdictWords {
        id: "partial",
        label: format!("仅检查了前 {} 字", thousands(crate::rule_cost::DRAFT_CHARS)),
        next: format!(
            "草稿超过一次可检查的字数：未检查的部分可能含有问题，这个结果不能作为提交审核的依据。\
             请把草稿分成几段，分别检查；发布前仍须经部门负责人审核（{}）。",
            review.label
        ),
    });
    Ok(Words {
        version: 1,
        max_check: crate::rule_cost::DRAFT_CHARS,
        severities: Severity::ALL
            .iter()
            .rev()
            .map(|s| Label {
                id: s.as_str(),
                label: s.label_zh(),
            })
            .collect(),
        verdicts,
        contexts: Context::ALL
            .iter()
            .map(|c| Label {
                id: c.as_str(),
                label: c.label_zh(),
            })
            .collect(),
        record_intro: format!(
            "按{}留存审核记录：记录包含检查时间、发布场景、结论、每个问题、草稿的 SHA-256 指纹、\
             制度版本（及其正文的 SHA-256）和规则版本。草稿原文默认不包含在记录中。",
            review.label
        ),
        review_clause: review,
    })
}

/// `20000` → `20,000`, as the page writes numbers (`toLocaleString("zh-CN")`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Builds the checker and returns the source of `checker-engine.js`.
pub fn engine_script(repo_root: &Path, handbook: &Handbook) -> Result<String> {
    let wasm_path = compile(repo_root)?;
    let (glue, wasm) = bind(&wasm_path)?;
    let meta = serde_json::to_string(&meta(handbook))?;
    let rules = serde_json::to_string(&handbook.rules.to_json())?;
    let wasm = base64::engine::general_purpose::STANDARD.encode(&wasm);
    Ok(assemble(&glue, &wasm, &rules, &meta))
}

fn meta(handbook: &Handbook) -> Meta<'_> {
    let rules = handbook.rules.rules();
    let clauses = rules
        .iter()
        .filter_map(|r| handbook.clauses.get(&r.clause))
        .map(|c| {
            (
                c.id.as_str(),
                ClauseMeta {
                    label: &c.label,
                    title: &c.title,
                    url: c.url(),
                },
            )
        })
        .collect();
    let examples = rules
        .iter()
        .filter_map(|r| {
            let text = r.examples_flag.first()?;
            let context = r.contexts.first().copied().unwrap_or_default();
            Some((
                &*r.id,
                Example {
                    text,
                    context: context.as_str(),
                },
            ))
        })
        .collect();
    Meta {
        rules_version: handbook.rules.version(),
        policy_version: &handbook.editions.current_version,
        policy_sha256: &handbook.editions.current_sha256,
        policy_released: handbook.editions.released,
        clauses,
        examples,
    }
}

/// The script text. `rules` and `meta` are JSON (a JSON string literal and a
/// JSON object), both valid JavaScript expressions.
fn assemble(glue: &str, wasm_base64: &str, rules: &str, meta: &str) -> String {
    let mut script =
        String::with_capacity(glue.len() + wasm_base64.len() + rules.len() + meta.len() + 512);
    script.push_str("// 发布前自检引擎：由 `cargo xtask build` 生成，请勿手工修改。\n");
    script.push_str(
        "// The checker engine: wasm-bindgen glue, wasm bytes, rules. See xtask/src/wasm.rs.\n",
    );
    script.push_str("var WX_ENGINE = {\n");
    script.push_str("meta: ");
    script.push_str(meta);
    script.push_str(",\nrules: ");
    script.push_str(rules);
    script.push_str(",\nglue: function () {\n");
    script.push_str(glue.trim_end());
    script.push_str("\nreturn wasm_bindgen;\n},\nwasmBase64: \"");
    script.push_str(wasm_base64);
    script.push_str("\"\n};\n");
    script
}

fn compile(repo_root: &Path) -> Result<PathBuf> {
    ensure_target()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(repo_root)
        .args([
            "build",
            "--quiet",
            "--package",
            "checker-wasm",
            "--lib",
            "--target",
            TARGET,
            "--profile",
            PROFILE,
        ])
        .status()
        .context("无法运行 cargo 构建自检引擎")?;
    if !status.success() {
        bail!("自检引擎（checker-wasm）编译失败");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root.join("target"));
    let target_dir = if target_dir.is_absolute() {
        target_dir
    } else {
        repo_root.join(target_dir)
    };
    Ok(target_dir
        .join(TARGET)
        .join(PROFILE)
        .join("checker_wasm.wasm"))
}

/// Adds the wasm32 target with rustup when it is missing, or says what to run.
fn ensure_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    match installed {
        Ok(out)
            if String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == TARGET) =>
        {
            Ok(())
        }
        Ok(_) => {
            eprintln!("  安装 Rust 编译目标 {TARGET}……");
            let status = Command::new("rustup")
                .args(["target", "add", TARGET])
                .status()?;
            if status.success() {
                Ok(())
            } else {
                bail!("无法安装编译目标，请手动运行：rustup target add {TARGET}")
            }
        }
        Err(_) => bail!(
            "找不到 rustup。请安装编译目标 {TARGET}（例如：rustup target add {TARGET}）后重试"
        ),
    }
}

/// Runs wasm-bindgen in-process (no CLI to install), `no-modules` output with
/// no default module path (the bytes are passed to `initSync`; the glue must
/// not look for `document.currentScript`, since it also runs in a worker).
fn bind(wasm_path: &Path) -> Result<(String, Vec<u8>)> {
    let mut bindgen = Bindgen::new();
    bindgen
        .input_path(wasm_path)
        .no_modules(true)
        .map_err(|e| anyhow::anyhow!("{e:#}"))?
        .typescript(false)
        .omit_default_module_path(true)
        // Names and producers are a fifth of the file and not needed to run.
        .remove_name_section(true)
        .remove_producers_section(true);
    let mut output = bindgen
        .generate_output()
        .map_err(|e| anyhow::anyhow!("wasm-bindgen 失败：{e:#}"))?;
    let glue = output.js().to_string();
    if !glue.contains("wasm_bindgen") {
        bail!("wasm-bindgen 生成的胶水代码里没有 `wasm_bindgen` 对象，无法打包");
    }
    let wasm = output.wasm_mut().emit_wasm();
    Ok((glue, wasm))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `.js` file under `dir`, recursively.
    fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scripts(&path, out);
            } else if path.extension().is_some_and(|e| e == "js") {
                out.push(path);
            }
        }
    }

    /// The policy's words come from Rust (`checker-words.js`, the engine's
    /// metadata): a clause label (三（一）2) or a severity, verdict or context
    /// label typed into a page script would go stale when the policy changes.
    /// Short labels (建议) only count as a whole string literal, since they
    /// are everyday words (修改建议).
    #[test]
    fn page_scripts_type_no_policy_words() {
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/assets");
        let mut files = Vec::new();
        scripts(&assets, &mut files);
        assert!(
            files.iter().any(|f| f.ends_with("checker/page.js")),
            "{files:?}"
        );
        let clause_label =
            regex::Regex::new("[一二三四五六七八九十]+（[一二三四五六七八九十]+）[0-9]*").unwrap();
        let labels: Vec<&str> = Severity::ALL
            .iter()
            .map(|s| s.label_zh())
            .chain(Verdict::ALL.iter().map(|v| v.label_zh()))
            .chain(Context::ALL.iter().map(|c| c.label_zh()))
            .collect();
        let mut typed = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let place = format!("{}:{}", file.display(), n + 1);
                if let Some(m) = clause_label.find(line) {
                    typed.push(format!("{place}: clause label {}", m.as_str()));
                }
                for label in &labels {
                    let hit = if label.chars().count() > 2 {
                        line.contains(label)
                    } else {
                        line.contains(&format!("\"{label}\""))
                    };
                    if hit {
                        typed.push(format!("{place}: label {label}"));
                    }
                }
            }
        }
        assert!(
            typed.is_empty(),
            "policy words typed in page scripts:\n{}",
            typed.join("\n")
        );
    }

    /// The test above can fail: each kind of word it looks for is caught.
    #[test]
    fn the_words_check_catches_what_it_looks_for() {
        let clause_label =
            regex::Regex::new("[一二三四五六七八九十]+（[一二三四五六七八九十]+）[0-9]*").unwrap();
        for line in ["var x = \"按三（一）2审核\";", "// 见三（三）"] {
            assert!(clause_label.is_match(line), "{line}");
        }
        assert!(!clause_label.is_match("var x = \"3.1.2\";"));
    }

    #[test]
    fn words_name_every_severity_most_severe_first_and_never_type_a_clause() {
        let order: Vec<&str> = Severity::ALL.iter().rev().map(|s| s.as_str()).collect();
        assert_eq!(order, ["block", "senior", "revise", "advice"]);
        let pass = Verdict::Pass.next_step_zh();
        assert!(pass.contains("未命中自检规则"), "{pass}");
        assert!(
            pass.contains(&wxcheck::clause_label(wxcheck::REVIEW_CLAUSE).unwrap()),
            "{pass}"
        );
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn assembled_script_has_one_global_and_returns_the_glue_object() {
        let script = assemble(
            "let wasm_bindgen = {};",
            "AAEC",
            "\"{\\\"rules\\\":[]}\"",
            "{\"rulesVersion\":\"x\"}",
        );
        assert!(script.contains("var WX_ENGINE = {"));
        assert!(
            script
                .contains("glue: function () {\nlet wasm_bindgen = {};\nreturn wasm_bindgen;\n},")
        );
        assert!(script.contains("wasmBase64: \"AAEC\""));
        assert!(script.ends_with("};\n"));
    }
}
