//! Project chores behind one entry point: `cargo xtask <command>`.
//!
//! - `build`: validate the handbook and rules, build the checker, render the site.
//! - `serve`: build, serve on 127.0.0.1, rebuild when `book/` or `checker-wasm/` change.
//! - `test`: every test — Rust unit and integration tests, a fresh build, browser tests.

#[cfg(test)]
mod admin_edit_test;
mod clauses;
mod diagnostics;
mod editions;
mod handbook;
mod preprocess;
mod rule_cost;
mod rule_docs;
mod search_index;
mod serve;
mod settings;
mod site;
mod sources;
mod test;
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
  test                       运行全部测试（Rust 测试、构建、浏览器测试）";

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
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--book" => {
                book = Some(
                    args.next()
                        .map(PathBuf::from)
                        .ok_or_else(|| anyhow::anyhow!("--book 需要一个目录"))?,
                )
            }
            "--release-edition" => release_edition = true,
            "--out" => {
                out = Some(
                    args.next()
                        .map(PathBuf::from)
                        .ok_or_else(|| anyhow::anyhow!("--out 需要一个目录"))?,
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
    if let Some(out) = out {
        options.out_dir = out;
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

/// The workspace root: the xtask's manifest lives one level below it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}
