//! `cargo xtask test`: the one command that runs every test.
//!
//! Order matters: the site is built first, because the Rust site tests and the
//! browser tests examine the built output; then `cargo test` for the whole
//! workspace; then the browser tests in headless Chromium. Nothing is skipped
//! silently — a missing browser or npm fails the run with what to install.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::site::{self, BuildOptions};

pub fn run(root: &Path) -> Result<()> {
    println!("==> 构建手册");
    let report = site::build(&BuildOptions::for_repo(root))?;
    crate::print_report(&report);

    println!("==> cargo test --workspace");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(root)
        .args(["test", "--workspace"])
        .env("HANDBOOK_SITE", &report.out_dir);
    status(&mut cargo, "cargo test")?;

    println!("==> 浏览器测试（headless Chromium）");
    let tests_dir = root.join("tests");
    if !tests_dir.join("node_modules/playwright-core").exists() {
        status(
            Command::new("npm")
                .current_dir(&tests_dir)
                .args(["ci", "--no-audit", "--no-fund"]),
            "npm ci",
        )?;
    }
    let mut node = Command::new("node");
    node.current_dir(&tests_dir)
        .args([
            "--test",
            "--test-concurrency=1",
            "--test-reporter=spec",
            "browser/",
        ])
        .env("HANDBOOK_SITE", &report.out_dir);
    status(&mut node, "浏览器测试")?;
    Ok(())
}

fn status(command: &mut Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("无法启动 {what}（{command:?}）：请确认已安装"))?;
    if !status.success() {
        bail!("{what} 失败（{status}）");
    }
    Ok(())
}
