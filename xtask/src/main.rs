//! Project chores behind one entry point: `cargo xtask <command>`.
//!
//! - `build`: validate the handbook and rules, build the checker, render the site.
//! - `serve`: build, serve on 127.0.0.1, rebuild when `book/` or `checker-wasm/` change.
//! - `test`: every test — Rust unit and integration tests, a fresh build, browser tests.
//! - `train-model`: retrain the learned second opinion on the development corpus.
//! - `blind-kit`: the folder a blind writer of test drafts works from.
//! - `first-openings`: today's engine over the blind batches now in development,
//!   each with the rules and model that first scored it (from git).
//! - `report-digest`: one fingerprint of every report on the development corpus,
//!   to show that a change meant to leave reports alone did.

#[cfg(test)]
mod admin_edit_test;
mod blind_kit;
mod clauses;
mod corpus;
mod diagnostics;
mod draft_note;
mod editions;
mod evasion;
mod first_openings;
mod handbook;
mod practice;
mod preprocess;
mod report_digest;
mod rule_cost;
mod rule_docs;
mod search_index;
mod serve;
mod settings;
mod site;
mod sources;
mod synonyms;
mod test;
mod train_model;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
用法：cargo xtask <命令>

命令：
  build [--out 目录] [--release-edition]
                             校验制度文本和规则，构建自检工具和手册（默认输出到 site/）；
                             加 --release-edition 时把当前正文定为 policy_version 所写的版本，
                             写入 book/editions/版本号.json（修订记录由各版本快照生成）
  （build、serve、fix-rules 都可加 --book 目录，处理另一份手册，默认为 book/）
  fix-rules                  条款改编号后，把仍指向旧编号的规则改为新编号（只改 clause 一行）
  serve [--port 端口] [--out 目录]
                             构建并在 http://127.0.0.1:端口/ 提供手册，文件改动后自动重新构建（默认端口 3000）
  test                       运行全部测试（Rust 测试、构建、浏览器测试）
  train-model                用开发语料（tests/corpus/*.toml）重新训练统计模型，写入 book/rules/learned.json
  blind-kit <目录>           在仓库之外的新目录里备好盲写测试草稿所需的材料（说明、制度原文、标注口径、格式样例）
  first-openings [--show] [--hit-lane]
                             用当前的检查引擎、按 tests/corpus/history/first-openings.toml 所记各批第一次打开时的规则和模型
                             （从 git 历史读取）重新给这些移入开发集的盲写批次计分，用来衡量引擎改动；
                             加 --show 时列出被“禁止发布”的干净草稿；加 --hit-lane 时给各批当时的模型加上
                             用表外开发文件训练的 hit 通道（句子读起来是提供还是提及），衡量它对没见过的草稿的作用
  report-digest [--rules-at 提交] [--out 文件]
                             用某一提交（默认 HEAD）的规则和模型检查全部开发语料（四种语境、有无统计模型、
                             另拼成长草稿），打印全部报告的 sha256；只求提速、不该改变任何报告的改动，前后两次须相同；
                             加 --out 时把每份报告写成一行 JSON，便于比较";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let root = repo_root();
    let mut args = args.into_iter();
    let command = args.next().unwrap_or_default();
    let mut out: Option<PathBuf> = None;
    let mut port: u16 = 3000;
    let mut release_edition = false;
    let mut book: Option<PathBuf> = None;
    let mut folder: Option<PathBuf> = None;
    let mut show = false;
    let mut hit_lane = false;
    let mut rules_at: Option<String> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            other if command == "blind-kit" && folder.is_none() && !other.starts_with('-') => {
                folder = Some(PathBuf::from(other))
            }
            "--book" => {
                book = Some(
                    args.next()
                        .map(PathBuf::from)
                        .ok_or_else(|| anyhow::anyhow!("--book 需要一个目录"))?,
                )
            }
            "--release-edition" => release_edition = true,
            "--show" if command == "first-openings" => show = true,
            "--hit-lane" if command == "first-openings" => hit_lane = true,
            "--rules-at" if command == "report-digest" => {
                rules_at = Some(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--rules-at 需要一个提交号"))?,
                )
            }
            "--out" => {
                out = Some(
                    args.next()
                        .map(PathBuf::from)
                        .ok_or_else(|| anyhow::anyhow!("--out 需要一个路径"))?,
                )
            }
            "--port" => {
                let value = args.next().unwrap_or_default();
                port = value
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--port 需要一个端口号，而不是“{value}”"))?;
            }
            other => bail!("未知参数“{other}”\n\n{USAGE}"),
        }
    }
    let mut options = site::BuildOptions::for_repo(&root);
    if let Some(out) = &out {
        options.out_dir = out.clone();
    }
    options.release_edition = release_edition;
    if let Some(book) = book {
        options.book_dir = book;
    }
    match command.as_str() {
        "build" => {
            let report = site::build(&options)?;
            print_report(&report);
            Ok(())
        }
        "serve" => serve::run(&options, port),
        "fix-rules" => {
            for line in site::fix_rules(&options.book_dir)? {
                println!("{line}");
            }
            Ok(())
        }
        "test" => test::run(&root),
        "train-model" => train_model::run(&root),
        "first-openings" => first_openings::run(&root, show, hit_lane),
        "report-digest" => {
            report_digest::run(&root, rules_at.as_deref().unwrap_or("HEAD"), out.as_deref())
        }
        "blind-kit" => {
            let Some(folder) = folder else {
                bail!("blind-kit 需要一个目录：cargo xtask blind-kit /某处/blind110")
            };
            for name in blind_kit::run(&root, &folder)? {
                println!("  {}", folder.join(name).display());
            }
            println!(
                "已备好盲写材料：请让盲写者按 {} 工作",
                folder.join("brief.md").display()
            );
            Ok(())
        }
        "" | "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("未知命令“{other}”\n\n{USAGE}"),
    }
}

pub fn print_report(report: &site::BuildReport) {
    println!(
        "手册已构建：{}\n  {} 个文件，共 {:.1} KB；{} 个条款，{} 条自检规则\n  打开 {}",
        report.out_dir.display(),
        report.files,
        report.bytes as f64 / 1024.0,
        report.clauses,
        report.rules,
        report.out_dir.join("index.html").display()
    );
    if let Some(edition) = &report.released {
        println!("  已定版：{}", edition.display());
    }
}

/// The workspace root, found when the command runs — never baked in at compile
/// time, so a moved or copied checkout (with its `target/`) builds itself and not
/// the folder it was first compiled in.
///
/// `cargo run` (and so `cargo xtask`) sets `CARGO_MANIFEST_DIR` to the xtask's
/// folder, one level below the root; a binary started by hand walks up from the
/// current directory instead. Exits with a message when neither finds the
/// workspace: every command needs it, and callers take a plain path.
fn repo_root() -> PathBuf {
    let from_cargo = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|dir| find_workspace_root(&dir));
    let from_cwd = || {
        std::env::current_dir()
            .ok()
            .and_then(|dir| find_workspace_root(&dir))
    };
    match from_cargo.or_else(from_cwd) {
        Some(root) => root,
        None => {
            eprintln!(
                "错误：找不到手册仓库的根目录（含 [workspace] 的 Cargo.toml 和 book/ 文件夹）。\n\
                 请在仓库目录里运行 cargo xtask <命令>。"
            );
            std::process::exit(1);
        }
    }
}

/// The nearest folder at or above `start` holding a `Cargo.toml` with a
/// `[workspace]` table and a `book/` folder: this repository's root and no
/// other workspace's.
fn find_workspace_root(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .find(|dir| {
            dir.join("book").is_dir()
                && std::fs::read_to_string(dir.join("Cargo.toml"))
                    .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod root_tests {
    use super::*;

    /// From anywhere inside a checkout, wherever the checkout lives, the walk
    /// stops at the checkout's root; a member crate's own `Cargo.toml` (no
    /// `[workspace]`) or a workspace without `book/` is not taken for it.
    #[test]
    fn finds_the_root_from_inside_a_checkout_wherever_it_is() {
        let base = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let write = |path: &str, text: &str| {
            let path = base.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("outer/Cargo.toml", "[workspace]\nmembers = []\n");
        write(
            "outer/copy/Cargo.toml",
            "[package]\nname = \"x\"\n\n[workspace]\nresolver = \"3\"\n",
        );
        write("outer/copy/book/book.toml", "");
        write(
            "outer/copy/xtask/Cargo.toml",
            "[package]\nname = \"xtask\"\n",
        );
        write("outer/copy/xtask/src/main.rs", "");
        write("outer/copy/book/src/x.md", "");
        write("lone/Cargo.toml", "[workspace]\n");
        let copy = base.join("outer/copy");
        let rows = [
            ("outer/copy", Some(copy.clone())),
            ("outer/copy/xtask", Some(copy.clone())),
            ("outer/copy/xtask/src", Some(copy.clone())),
            ("outer/copy/book/src", Some(copy.clone())),
            ("outer", None),
            ("lone", None),
        ];
        for (start, want) in rows {
            assert_eq!(find_workspace_root(&base.join(start)), want, "from {start}");
        }
        let _ = std::fs::remove_dir_all(&base);
    }

    /// Under `cargo test`, as under `cargo run`, the root is this checkout.
    #[test]
    fn repo_root_is_this_checkout() {
        let root = repo_root();
        assert!(
            root.join("book/src/SUMMARY.md").is_file(),
            "{}",
            root.display()
        );
        assert!(
            root.join("xtask/src/main.rs").is_file(),
            "{}",
            root.display()
        );
    }
}
