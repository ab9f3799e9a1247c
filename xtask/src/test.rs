//! `cargo xtask test`: the one command that runs every test.
//!
//! It runs in three parts:
//!
//! 1. **Setup, before anything long.** The tests need the wasm32 target, the
//!    browser tests' npm packages, Chromium and CJK fonts. What the machine
//!    lacks is installed where xtask can (rustup, `npm ci`, and `apt-get` when
//!    running as root on Debian or Ubuntu); where it cannot, the run stops at
//!    once — before minutes of compiling — with the exact command to run.
//! 2. **Every suite, whatever fails.** The site build first (the Rust site
//!    tests and the browser tests examine its output), then
//!    `cargo test --workspace --no-fail-fast`, then the browser tests in
//!    headless Chromium. A failing suite does not hide the ones after it; if the
//!    site build fails, the Rust tests that do not need the site still run.
//! 3. **A summary** of what passed and failed in each suite, in Chinese, and a
//!    non-zero exit when anything did not pass. The runners' own output,
//!    including their closing lines that CI reads, is passed through unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{Context, Result, bail};

use crate::site::{self, BuildOptions};

/// The crate whose tests examine the built site (`tests/site.rs`); it is the
/// one left out of `cargo test` when the site build fails.
const SITE_TESTS_CRATE: &str = "site-tests";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Where the browser tests look for Chromium unless `CHROMIUM_PATH` says
/// otherwise (`tests/browser/harness.mjs`).
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// playwright-core's `engines.node`, and the first Node.js whose test runner
/// has `--test-concurrency`.
const MIN_NODE_MAJOR: u32 = 20;

pub fn run(root: &Path) -> Result<()> {
    println!("==> 检查测试环境");
    let machine = Machine::probe(root);
    let setup = plan(&machine);
    if !setup.missing.is_empty() {
        bail!("{}", missing_message(&setup.missing));
    }
    for step in &setup.steps {
        step.run(root)?;
    }
    if !setup.steps.is_empty() {
        // A step that "succeeded" without providing the thing (apt installed
        // Chromium, but CHROMIUM_PATH points elsewhere) must stop here too,
        // not ten minutes later in the browser tests.
        let still = plan(&Machine::probe(root));
        if !still.missing.is_empty() {
            bail!("{}", missing_message(&still.missing));
        }
        if let Some(step) = still.steps.first() {
            bail!(
                "已运行 {}，但检查后仍需{}。请看上方输出，手动解决后重新运行 cargo xtask test",
                step.shell(),
                step.what
            );
        }
    }

    let mut suites = Vec::new();

    println!("==> 构建手册");
    let site_dir = match site::build(&BuildOptions::for_repo(root)) {
        Ok(report) => {
            crate::print_report(&report);
            suites.push(Suite {
                name: "构建手册",
                outcome: Outcome::Passed(format!(
                    "{} 个文件，{} 个条款，{} 条自检规则",
                    report.files, report.clauses, report.rules
                )),
            });
            Some(report.out_dir)
        }
        Err(err) => {
            eprintln!("错误：{err:#}");
            suites.push(Suite {
                name: "构建手册",
                outcome: Outcome::Failed(first_line(&format!("{err:#}")).to_string()),
            });
            None
        }
    };

    let mut args = vec!["test", "--workspace", "--no-fail-fast"];
    if site_dir.is_none() {
        args.extend(["--exclude", SITE_TESTS_CRATE]);
    }
    println!("==> cargo {}", args.join(" "));
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(root).args(&args);
    if let Some(dir) = &site_dir {
        cargo.env("HANDBOOK_SITE", dir);
    }
    suites.push(Suite {
        name: "Rust 测试",
        outcome: match run_teed(&mut cargo) {
            Ok(run) => cargo_outcome(&run, site_dir.is_none()),
            Err(err) => Outcome::Failed(format!("{err:#}")),
        },
    });
    if site_dir.is_none() {
        suites.push(Suite {
            name: "站点测试（site-tests）",
            outcome: Outcome::NotRun("手册构建失败，这些测试检查的是构建好的站点"),
        });
    }

    let browser = match &site_dir {
        Some(dir) => {
            println!("==> 浏览器测试（headless Chromium）");
            let mut node = Command::new("node");
            node.current_dir(root.join("tests"))
                .args([
                    "--test",
                    "--test-concurrency=1",
                    "--test-reporter=spec",
                    "browser/",
                ])
                .env("HANDBOOK_SITE", dir);
            match run_teed(&mut node) {
                Ok(run) => node_outcome(&run),
                Err(err) => Outcome::Failed(format!("{err:#}")),
            }
        }
        None => Outcome::NotRun("手册构建失败，浏览器测试需要构建好的站点"),
    };
    suites.push(Suite {
        name: "浏览器测试",
        outcome: browser,
    });

    println!("\n{}", summary(&suites));
    // `tests/site.rs` compares the 1.0 edition with the original policy text
    // only where that text sits beside the checkout; say so here, since the
    // test's own line is hidden by libtest's capture when it passes.
    let seed = root.join("../shared/seed");
    if !seed.is_dir() {
        println!(
            "  [跳过] 第 1.0 版快照与原始制度文本的逐字比对：需要仓库旁的 {}（只在团队的机器上有）",
            seed.display()
        );
    }
    let not_passed = suites
        .iter()
        .filter(|s| !matches!(s.outcome, Outcome::Passed(_)))
        .count();
    if not_passed > 0 {
        bail!("{not_passed} 组测试未通过或未运行，见上方“测试汇总”");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Setup: probe the machine, decide, then act or stop with the command to run.

/// What the tests need from the machine. Probing is the only impure part of
/// setup; [`plan`] decides from these facts alone, so the decision table is
/// tested without root, apt or a network.
#[derive(Debug, Clone)]
struct Machine {
    is_root: bool,
    /// `ID` from `/etc/os-release` (`debian`, `ubuntu`, …); `None` off Linux.
    os_id: Option<String>,
    has_apt: bool,
    has_rustup: bool,
    has_wasm_target: bool,
    /// Major version of `node`; `None` when there is no `node`.
    node_major: Option<u32>,
    has_npm: bool,
    /// `tests/node_modules` holds exactly what `tests/package-lock.json` locks.
    node_modules_current: bool,
    /// The browser the tests drive (`CHROMIUM_PATH`, else `/usr/bin/chromium`).
    chromium: PathBuf,
    /// `chromium` came from `CHROMIUM_PATH`: a wrong path there is not fixed
    /// by installing a package.
    chromium_from_env: bool,
    has_chromium: bool,
    has_cjk_fonts: bool,
}

impl Machine {
    fn probe(root: &Path) -> Machine {
        let tests = root.join("tests");
        let from_env = std::env::var_os("CHROMIUM_PATH").filter(|p| !p.is_empty());
        let chromium_from_env = from_env.is_some();
        let chromium = from_env
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMIUM));
        let lock = std::fs::read_to_string(tests.join("package-lock.json")).unwrap_or_default();
        let installed = std::fs::read_to_string(tests.join("node_modules/.package-lock.json")).ok();
        Machine {
            is_root: is_root(),
            os_id: ["/etc/os-release", "/usr/lib/os-release"]
                .iter()
                .find_map(|p| std::fs::read_to_string(p).ok())
                .and_then(|text| os_release_id(&text)),
            has_apt: on_path("apt-get"),
            has_rustup: on_path("rustup"),
            has_wasm_target: has_wasm_target(),
            node_major: command_stdout("node", &["--version"]).and_then(|v| node_major(&v)),
            has_npm: on_path("npm"),
            node_modules_current: node_modules_current(&lock, installed.as_deref()),
            has_chromium: chromium.is_file(),
            chromium,
            chromium_from_env,
            has_cjk_fonts: has_cjk_fonts(),
        }
    }
}

/// Something setup does by itself: one or more commands, in order.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    what: String,
    /// Run in `tests/` rather than at the workspace root.
    in_tests_dir: bool,
    commands: Vec<Vec<String>>,
}

impl Step {
    /// The step as one shell line, as shown to the user.
    fn shell(&self) -> String {
        let line = self
            .commands
            .iter()
            .map(|c| c.join(" "))
            .collect::<Vec<_>>()
            .join(" && ");
        if self.in_tests_dir {
            format!("cd tests && {line}")
        } else {
            line
        }
    }

    fn run(&self, root: &Path) -> Result<()> {
        println!("  {}：{}", self.what, self.shell());
        let dir = if self.in_tests_dir {
            root.join("tests")
        } else {
            root.to_path_buf()
        };
        for argv in &self.commands {
            let status = Command::new(&argv[0])
                .args(&argv[1..])
                .current_dir(&dir)
                // apt-get must never stop to ask (tzdata and friends).
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status();
            match status {
                Ok(s) if s.success() => {}
                Ok(s) => bail!(
                    "{}失败（{} 退出状态 {s}）。请看上方输出，手动运行：\n  {}\n然后重新运行 cargo xtask test",
                    self.what,
                    argv[0],
                    self.shell()
                ),
                Err(err) => bail!(
                    "{}失败：无法启动 {}（{err}）。请手动运行：\n  {}",
                    self.what,
                    argv[0],
                    self.shell()
                ),
            }
        }
        Ok(())
    }
}

/// Something the tests need that xtask cannot install here.
#[derive(Debug, Clone, PartialEq)]
struct Missing {
    what: String,
    /// What the user runs (or does) to provide it.
    command: String,
}

#[derive(Debug, Default, PartialEq)]
struct Plan {
    steps: Vec<Step>,
    missing: Vec<Missing>,
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Decides what setup does: install what it can, name what it cannot.
fn plan(m: &Machine) -> Plan {
    let mut plan = Plan::default();

    if !m.has_wasm_target {
        if m.has_rustup {
            plan.steps.push(Step {
                what: format!("安装 Rust 编译目标 {WASM_TARGET}"),
                in_tests_dir: false,
                commands: vec![argv(&["rustup", "target", "add", WASM_TARGET])],
            });
        } else {
            plan.missing.push(Missing {
                what: format!(
                    "自检引擎要编译成 WebAssembly，当前 Rust 工具链没有 {WASM_TARGET} 目标，也找不到 rustup"
                ),
                command: format!(
                    "用 rustup 安装 Rust（https://rustup.rs），然后运行：rustup target add {WASM_TARGET}"
                ),
            });
        }
    }

    let mut packages = Vec::new();
    if !m.has_chromium && m.chromium_from_env {
        plan.missing.push(Missing {
            what: format!(
                "环境变量 CHROMIUM_PATH 指向的浏览器 {} 不存在",
                m.chromium.display()
            ),
            command: format!(
                "把 CHROMIUM_PATH 改成 Chromium 的实际路径，或删除它（unset CHROMIUM_PATH）以使用 {DEFAULT_CHROMIUM}"
            ),
        });
    } else if !m.has_chromium {
        packages.push("chromium");
    }
    if !m.has_cjk_fonts {
        packages.push("fonts-noto-cjk");
    }
    if !packages.is_empty() {
        let debian_like = matches!(m.os_id.as_deref(), Some("debian" | "ubuntu"));
        let lacking = match (packages.contains(&"chromium"), m.has_cjk_fonts) {
            (true, false) => format!(
                "浏览器测试需要 Chromium（{}）和中文字体",
                m.chromium.display()
            ),
            (true, true) => format!("浏览器测试需要 Chromium（{}）", m.chromium.display()),
            _ => "浏览器测试需要中文字体（截图里的中文才不会变成方块）".to_string(),
        };
        let mut install = argv(&["apt-get", "install", "-y"]);
        install.extend(argv(&packages));
        if debian_like && m.has_apt && m.is_root {
            plan.steps.push(Step {
                what: format!("安装 {}", packages.join(" 和 ")),
                in_tests_dir: false,
                commands: vec![argv(&["apt-get", "update"]), install],
            });
        } else if debian_like && m.has_apt {
            plan.missing.push(Missing {
                what: format!("{lacking}；安装系统软件包需要 root 权限"),
                command: format!("sudo apt-get update && sudo {}", install.join(" ")),
            });
        } else {
            plan.missing.push(Missing {
                what: format!("{lacking}；xtask 只会在 Debian 或 Ubuntu 上自动安装"),
                command: format!(
                    "用系统的包管理器安装 Chromium 和中文字体（Noto CJK），并让 CHROMIUM_PATH 指向浏览器，例如：CHROMIUM_PATH=/path/to/chromium cargo xtask test（当前查找的是 {}）",
                    m.chromium.display()
                ),
            });
        }
    }

    match m.node_major {
        None => plan.missing.push(Missing {
            what: "浏览器测试用 Node.js 运行，找不到 node".to_string(),
            command: format!(
                "安装 Node.js {MIN_NODE_MAJOR} 或更新版本（https://nodejs.org/），确认 node 和 npm 在 PATH 中"
            ),
        }),
        Some(major) if major < MIN_NODE_MAJOR => plan.missing.push(Missing {
            what: format!(
                "Node.js {major} 太旧：浏览器测试需要 {MIN_NODE_MAJOR} 或更新版本（playwright-core、node --test-concurrency）"
            ),
            command: format!("安装 Node.js {MIN_NODE_MAJOR} 或更新版本（https://nodejs.org/）"),
        }),
        Some(_) if !m.has_npm => plan.missing.push(Missing {
            what: "找不到 npm，无法安装浏览器测试的依赖".to_string(),
            command: "安装与 node 配套的 npm（https://nodejs.org/ 的安装包自带 npm）".to_string(),
        }),
        Some(_) if !m.node_modules_current => plan.steps.push(Step {
            what: "安装浏览器测试的 npm 依赖（按 tests/package-lock.json）".to_string(),
            in_tests_dir: true,
            commands: vec![argv(&["npm", "ci", "--no-audit", "--no-fund"])],
        }),
        Some(_) => {}
    }

    plan
}

fn missing_message(missing: &[Missing]) -> String {
    let mut text =
        String::from("测试环境缺少以下内容，xtask 无法自动安装，所以在开始编译前就停下了：\n");
    for m in missing {
        text.push_str(&format!("  - {}。\n    解决：{}\n", m.what, m.command));
    }
    text.push_str("装好后重新运行：cargo xtask test");
    text
}

/// `ID` from an os-release file. The format is shell-like `KEY=value` lines
/// with optional quotes; reading one key does not justify a dependency.
fn os_release_id(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("ID=")?;
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_ascii_lowercase())
    })
}

/// `v20.20.2` → 20.
fn node_major(version: &str) -> Option<u32> {
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Whether `tests/node_modules` holds what the lockfile locks. npm ci writes
/// the installed tree to `node_modules/.package-lock.json`; every package the
/// lock lists (optional ones aside: they may not apply to this platform) must be
/// there with the same version and integrity. A missing or unreadable file
/// means "not current", which costs one `npm ci`.
fn node_modules_current(lock: &str, installed: Option<&str>) -> bool {
    let Some(installed) = installed else {
        return false;
    };
    let (Ok(lock), Ok(installed)) = (
        serde_json::from_str::<serde_json::Value>(lock),
        serde_json::from_str::<serde_json::Value>(installed),
    ) else {
        return false;
    };
    let (Some(wanted), Some(have)) = (
        lock["packages"].as_object(),
        installed["packages"].as_object(),
    ) else {
        return false;
    };
    wanted
        .iter()
        .filter(|(path, _)| !path.is_empty())
        .filter(|(_, p)| p["optional"] != true)
        .all(|(path, p)| {
            have.get(path)
                .is_some_and(|h| h["version"] == p["version"] && h["integrity"] == p["integrity"])
        })
}

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // `/proc/self` belongs to the process's effective user; this needs no
    // `unsafe` call to geteuid (the workspace forbids unsafe code).
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

/// Whether `name` is an executable on `PATH`. A PATH scan is a few lines; the
/// `which` crate would add rustix to a cold build this command tries to keep short.
fn on_path(name: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let candidate = dir.join(name);
        candidate.is_file() || candidate.with_extension("exe").is_file()
    })
}

/// Trimmed stdout of a command that succeeded.
fn command_stdout(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the active toolchain has the wasm32 standard library. Asking the
/// sysroot rather than rustup also answers for toolchains rustup does not manage.
fn has_wasm_target() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    command_stdout(&rustc, &["--print", "sysroot"]).is_some_and(|sysroot| {
        Path::new(&sysroot)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
    })
}

/// Whether fontconfig knows a Chinese font. Without `fc-list` (macOS,
/// Windows) the system's own CJK fonts are assumed.
fn has_cjk_fonts() -> bool {
    if !on_path("fc-list") {
        return true;
    }
    command_stdout("fc-list", &[":lang=zh", "family"]).is_some_and(|out| !out.is_empty())
}

// ---------------------------------------------------------------------------
// Running the suites and summing them up.

/// The output of one test runner, kept to summarise after it was shown.
struct Teed {
    status: ExitStatus,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

/// Runs `command`, passing its stdout and stderr through line by line as they
/// come (people watch the progress; CI reads the runners' closing lines) while
/// keeping a copy of each line for the summary.
fn run_teed(command: &mut Command) -> Result<Teed> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "无法启动 {:?}：请确认它已安装并在 PATH 中",
                command.get_program()
            )
        })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let err_thread = std::thread::spawn(move || pass_through(stderr, std::io::stderr()));
    let stdout = pass_through(stdout, std::io::stdout());
    let stderr = err_thread.join().unwrap_or_default();
    let status = child.wait().context("等待测试进程结束失败")?;
    Ok(Teed {
        status,
        stdout,
        stderr,
    })
}

fn pass_through(from: impl Read, mut to: impl Write) -> Vec<String> {
    let mut reader = BufReader::new(from);
    let mut lines = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                // A closed terminal must not stop the run; the copy still counts.
                let _ = to.write_all(&line).and_then(|()| to.flush());
                lines.push(String::from_utf8_lossy(&line).trim_end().to_string());
            }
        }
    }
    lines
}

struct Suite {
    name: &'static str,
    outcome: Outcome,
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Passed(String),
    Failed(String),
    NotRun(&'static str),
}

fn summary(suites: &[Suite]) -> String {
    let mut text = String::from("==> 测试汇总");
    for suite in suites {
        let (mark, detail) = match &suite.outcome {
            Outcome::Passed(d) => ("通过", d.as_str()),
            Outcome::Failed(d) => ("未通过", d.as_str()),
            Outcome::NotRun(d) => ("未运行", *d),
        };
        text.push_str(&format!("\n  [{mark}] {}：{detail}", suite.name));
    }
    text
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// What libtest and cargo said over a `cargo test` run.
#[derive(Debug, Default, PartialEq)]
struct CargoTally {
    /// `test result:` lines: one per test binary and doc-test run.
    runs: u32,
    passed: u64,
    failed: u64,
    ignored: u64,
    /// Names from `test <name> ... FAILED`.
    failed_tests: Vec<String>,
    /// cargo's `-p <crate> --<kind> <name>` for each failed target.
    failed_targets: Vec<String>,
}

fn tally_cargo(stdout: &[String], stderr: &[String]) -> CargoTally {
    let mut tally = CargoTally::default();
    for line in stdout {
        if let Some(rest) = line.strip_prefix("test result: ") {
            tally.runs += 1;
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(kind), Some(count)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(count) = count.parse::<u64>() else {
                    continue;
                };
                match kind {
                    "passed" => tally.passed += count,
                    "failed" => tally.failed += count,
                    "ignored" => tally.ignored += count,
                    _ => {}
                }
            }
        } else if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
        {
            tally.failed_tests.push(name.to_string());
        }
    }
    for line in stderr {
        // `error: test failed, to rerun pass `-p xtask --lib`` once per failed
        // target, and the same targets listed after `error: N targets failed:`.
        let target = line
            .split_once("to rerun pass `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(t, _)| t)
            .or_else(|| {
                let t = line.trim();
                (line.starts_with("    ") && t.starts_with("`-p ") && t.ends_with('`'))
                    .then(|| t.trim_matches('`'))
            });
        if let Some(target) = target
            && !tally.failed_targets.iter().any(|t| t == target)
        {
            tally.failed_targets.push(target.to_string());
        }
    }
    tally
}

fn cargo_outcome(run: &Teed, site_excluded: bool) -> Outcome {
    let t = tally_cargo(&run.stdout, &run.stderr);
    let mut detail = format!(
        "{} 个测试通过，{} 个失败，{} 个忽略（{} 组测试程序）",
        t.passed, t.failed, t.ignored, t.runs
    );
    if site_excluded {
        detail.push_str("；未含 site-tests");
    }
    if run.status.success() && t.failed == 0 {
        return Outcome::Passed(detail);
    }
    if !t.failed_targets.is_empty() {
        detail.push_str(&format!(
            "\n      失败的测试程序：{}",
            t.failed_targets.join("，")
        ));
    }
    const SHOWN: usize = 10;
    for name in t.failed_tests.iter().take(SHOWN) {
        detail.push_str(&format!("\n      失败：{name}"));
    }
    if t.failed_tests.len() > SHOWN {
        detail.push_str(&format!(
            "\n      ……另有 {} 个，见上方输出",
            t.failed_tests.len() - SHOWN
        ));
    }
    if t.failed == 0 {
        detail.push_str(&format!(
            "\n      cargo 退出状态 {}，但没有测试报告失败：多半是编译出错，见上方 cargo 的输出",
            run.status
        ));
    }
    Outcome::Failed(detail)
}

/// The closing counts of node's spec reporter (`ℹ tests 12`, `ℹ pass 11`, …)
/// and the names it marked `✖`.
#[derive(Debug, Default, PartialEq)]
struct NodeTally {
    tests: Option<u64>,
    pass: Option<u64>,
    fail: Option<u64>,
    cancelled: Option<u64>,
    skipped: Option<u64>,
    failed_tests: Vec<String>,
}

fn tally_node(stdout: &[String]) -> NodeTally {
    let mut tally = NodeTally::default();
    for line in stdout {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("ℹ ") {
            let mut words = rest.split_whitespace();
            let (Some(key), Some(value), None) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            let Ok(value) = value.parse() else { continue };
            match key {
                "tests" => tally.tests = Some(value),
                "pass" => tally.pass = Some(value),
                "fail" => tally.fail = Some(value),
                "cancelled" => tally.cancelled = Some(value),
                "skipped" => tally.skipped = Some(value),
                _ => {}
            }
        } else if let Some(rest) = line.strip_prefix("✖ ") {
            if rest.starts_with("failing tests") {
                continue;
            }
            // `✖ name (12.3ms)`: the spec reporter prints each failure twice
            // (in place and in its closing list); keep one.
            let name = match rest.rfind(" (") {
                Some(i) if rest.ends_with(')') => &rest[..i],
                _ => rest,
            };
            if !tally.failed_tests.iter().any(|n| n == name) {
                tally.failed_tests.push(name.to_string());
            }
        }
    }
    tally
}

fn node_outcome(run: &Teed) -> Outcome {
    let t = tally_node(&run.stdout);
    let n = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    let mut detail = format!(
        "{} 个测试：{} 个通过，{} 个失败，{} 个取消，{} 个跳过",
        n(t.tests),
        n(t.pass),
        n(t.fail),
        n(t.cancelled),
        n(t.skipped)
    );
    let clean = t.fail.unwrap_or(0) == 0 && t.cancelled.unwrap_or(0) == 0;
    if run.status.success() && clean {
        return Outcome::Passed(detail);
    }
    for name in t.failed_tests.iter().take(10) {
        detail.push_str(&format!("\n      失败：{name}"));
    }
    if t.tests.is_none() {
        detail.push_str(&format!(
            "\n      node 退出状态 {}，没有给出测试统计，见上方输出",
            run.status
        ));
    }
    Outcome::Failed(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            is_root: true,
            os_id: Some("debian".into()),
            has_apt: true,
            has_rustup: true,
            has_wasm_target: true,
            node_major: Some(20),
            has_npm: true,
            node_modules_current: true,
            chromium: PathBuf::from(DEFAULT_CHROMIUM),
            chromium_from_env: false,
            has_chromium: true,
            has_cjk_fonts: true,
        }
    }

    /// The browser half of the decision: (root, os, apt, chromium, fonts) →
    /// what setup runs itself, or the command it tells the user to run.
    #[test]
    fn browser_setup_decision_table() {
        struct Row {
            is_root: bool,
            os_id: Option<&'static str>,
            has_apt: bool,
            has_chromium: bool,
            has_fonts: bool,
            runs: Option<&'static str>,
            tells: Option<&'static str>,
        }
        let apt_both = "apt-get update && apt-get install -y chromium fonts-noto-cjk";
        let sudo_both = "sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk";
        #[rustfmt::skip]
        let rows = [
            // Everything there: nothing to do anywhere.
            Row { is_root: true, os_id: Some("debian"), has_apt: true, has_chromium: true, has_fonts: true, runs: None, tells: None },
            Row { is_root: false, os_id: None, has_apt: false, has_chromium: true, has_fonts: true, runs: None, tells: None },
            // Root on Debian or Ubuntu: install what is missing, only that.
            Row { is_root: true, os_id: Some("debian"), has_apt: true, has_chromium: false, has_fonts: false, runs: Some(apt_both), tells: None },
            Row { is_root: true, os_id: Some("ubuntu"), has_apt: true, has_chromium: false, has_fonts: false, runs: Some(apt_both), tells: None },
            Row { is_root: true, os_id: Some("debian"), has_apt: true, has_chromium: false, has_fonts: true, runs: Some("apt-get update && apt-get install -y chromium"), tells: None },
            Row { is_root: true, os_id: Some("debian"), has_apt: true, has_chromium: true, has_fonts: false, runs: Some("apt-get update && apt-get install -y fonts-noto-cjk"), tells: None },
            // Not root: the same packages, with sudo, for the user to run.
            Row { is_root: false, os_id: Some("debian"), has_apt: true, has_chromium: false, has_fonts: false, runs: None, tells: Some(sudo_both) },
            Row { is_root: false, os_id: Some("ubuntu"), has_apt: true, has_chromium: true, has_fonts: false, runs: None, tells: Some("sudo apt-get update && sudo apt-get install -y fonts-noto-cjk") },
            // Another OS, or Debian without apt-get: say what to install and where the tests look.
            Row { is_root: true, os_id: Some("fedora"), has_apt: false, has_chromium: false, has_fonts: true, runs: None, tells: Some("CHROMIUM_PATH=") },
            Row { is_root: false, os_id: None, has_apt: false, has_chromium: false, has_fonts: true, runs: None, tells: Some("CHROMIUM_PATH=") },
            Row { is_root: true, os_id: Some("debian"), has_apt: false, has_chromium: false, has_fonts: true, runs: None, tells: Some("CHROMIUM_PATH=") },
            Row { is_root: true, os_id: Some("arch"), has_apt: true, has_chromium: false, has_fonts: true, runs: None, tells: Some("CHROMIUM_PATH=") },
        ];
        for (i, row) in rows.iter().enumerate() {
            let m = Machine {
                is_root: row.is_root,
                os_id: row.os_id.map(String::from),
                has_apt: row.has_apt,
                has_chromium: row.has_chromium,
                has_cjk_fonts: row.has_fonts,
                ..machine()
            };
            let plan = plan(&m);
            let runs: Vec<String> = plan.steps.iter().map(Step::shell).collect();
            assert_eq!(
                runs,
                row.runs.map(String::from).into_iter().collect::<Vec<_>>(),
                "row {i}"
            );
            match row.tells {
                None => assert!(plan.missing.is_empty(), "row {i}: {:?}", plan.missing),
                Some(command) => {
                    assert_eq!(plan.missing.len(), 1, "row {i}");
                    assert!(
                        plan.missing[0].command.contains(command),
                        "row {i}: {:?}",
                        plan.missing[0]
                    );
                }
            }
        }
    }

    /// A wrong `CHROMIUM_PATH` is named as such, even as root on Debian:
    /// installing the package would not put a browser at that path.
    #[test]
    fn wrong_chromium_path_is_not_fixed_by_apt() {
        for (has_fonts, runs) in [
            (true, vec![]),
            (
                false,
                vec!["apt-get update && apt-get install -y fonts-noto-cjk".to_string()],
            ),
        ] {
            let plan = plan(&Machine {
                chromium: PathBuf::from("/opt/nowhere/chrome"),
                chromium_from_env: true,
                has_chromium: false,
                has_cjk_fonts: has_fonts,
                ..machine()
            });
            assert_eq!(plan.steps.iter().map(Step::shell).collect::<Vec<_>>(), runs);
            assert_eq!(plan.missing.len(), 1, "{:?}", plan.missing);
            assert!(plan.missing[0].what.contains("/opt/nowhere/chrome"));
            assert!(plan.missing[0].command.contains("unset CHROMIUM_PATH"));
        }
    }

    /// The toolchain and Node half: (wasm target, rustup, node, npm,
    /// node_modules) → steps run and things the user must install.
    #[test]
    fn toolchain_and_node_setup_decision_table() {
        /// (wasm target, rustup, node major, npm, node_modules current, runs, tells)
        type Row = (
            bool,
            bool,
            Option<u32>,
            bool,
            bool,
            &'static [&'static str],
            &'static [&'static str],
        );
        #[rustfmt::skip]
        let rows: [Row; 8] = [
            (true, true, Some(20), true, true, &[], &[]),
            (false, true, Some(22), true, true, &["rustup target add wasm32-unknown-unknown"], &[]),
            (false, false, Some(20), true, true, &[], &["rustup target add wasm32-unknown-unknown"]),
            (true, false, Some(20), true, false, &["cd tests && npm ci --no-audit --no-fund"], &[]),
            (true, true, None, false, false, &[], &["安装 Node.js 20"]),
            (true, true, Some(18), true, true, &[], &["安装 Node.js 20"]),
            (true, true, Some(20), false, false, &[], &["npm"]),
            // Several gaps at once are all named in one stop, not one per run.
            (false, false, None, false, false, &[], &["rustup target add", "安装 Node.js 20"]),
        ];
        for (i, (wasm, rustup, node, npm, current, runs, tells)) in rows.into_iter().enumerate() {
            let plan = plan(&Machine {
                has_wasm_target: wasm,
                has_rustup: rustup,
                node_major: node,
                has_npm: npm,
                node_modules_current: current,
                ..machine()
            });
            let got: Vec<String> = plan.steps.iter().map(Step::shell).collect();
            assert_eq!(got, runs, "row {i}");
            assert_eq!(
                plan.missing.len(),
                tells.len(),
                "row {i}: {:?}",
                plan.missing
            );
            for (missing, tell) in plan.missing.iter().zip(tells) {
                assert!(missing.command.contains(tell), "row {i}: {missing:?}");
            }
        }
    }

    #[test]
    fn os_release_id_reads_plain_and_quoted_values() {
        let rows = [
            (
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
                Some("debian"),
            ),
            (
                "NAME=\"Ubuntu\"\nID_LIKE=debian\nID=ubuntu\n",
                Some("ubuntu"),
            ),
            ("ID=\"rhel\"\n", Some("rhel")),
            ("ID_LIKE=debian\n", None),
            ("ID=\n", None),
            ("", None),
        ];
        for (text, want) in rows {
            assert_eq!(os_release_id(text).as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn node_major_from_version_output() {
        for (out, want) in [
            ("v20.20.2\n", Some(20)),
            ("v18.19.0", Some(18)),
            ("22.1.0", Some(22)),
            ("", None),
            ("vX", None),
        ] {
            assert_eq!(node_major(out), want, "{out:?}");
        }
    }

    #[test]
    fn node_modules_current_against_the_lockfile() {
        let lock = r#"{"packages": {
            "": {"name": "t"},
            "node_modules/a": {"version": "1.0.0", "integrity": "sha-a"},
            "node_modules/fsevents": {"version": "2.0.0", "optional": true}
        }}"#;
        let rows = [
            (
                Some(
                    r#"{"packages": {"node_modules/a": {"version": "1.0.0", "integrity": "sha-a"}}}"#,
                ),
                true,
            ),
            (
                Some(
                    r#"{"packages": {"node_modules/a": {"version": "0.9.0", "integrity": "sha-old"}}}"#,
                ),
                false,
            ),
            (Some(r#"{"packages": {}}"#), false),
            (Some("not json"), false),
            (None, false),
        ];
        for (installed, want) in rows {
            assert_eq!(node_modules_current(lock, installed), want, "{installed:?}");
        }
        // The lockfile of this repository against itself: every locked package
        // counts (a check that ignored them all would pass any tree).
        let real = std::fs::read_to_string(crate::repo_root().join("tests/package-lock.json"))
            .expect("tests/package-lock.json");
        assert!(node_modules_current(&real, Some(&real)));
        assert!(!node_modules_current(&real, Some(r#"{"packages": {}}"#)));
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn cargo_tally_sums_every_test_binary_and_names_failures() {
        let stdout = lines(
            "running 3 tests\n\
             test a::one ... ok\n\
             test a::two ... FAILED\n\
             test a::three ... ignored\n\
             test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
             running 4 tests\n\
             test result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.20s\n\
             test result: ok. 0 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s\n",
        );
        let stderr = lines(
            "     Running unittests src/main.rs (target/debug/deps/xtask-1)\n\
             error: test failed, to rerun pass `-p xtask --bin xtask`\n\
             error: 1 target failed:\n    `-p xtask --bin xtask`\n",
        );
        assert_eq!(
            tally_cargo(&stdout, &stderr),
            CargoTally {
                runs: 3,
                passed: 5,
                failed: 1,
                ignored: 3,
                failed_tests: vec!["a::two".into()],
                failed_targets: vec!["-p xtask --bin xtask".into()],
            }
        );
    }

    #[test]
    fn node_tally_reads_the_spec_reporters_closing_counts() {
        let stdout = lines(
            "▶ checker\n  ✔ loads (120.5ms)\n  ✖ flags a phone number (33ms)\n▶ checker (200ms)\n\
             ℹ tests 2\nℹ suites 1\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0\n\
             ℹ duration_ms 512.3\n\n✖ failing tests:\n\ntest at browser/checker.test.mjs:10:5\n\
             ✖ flags a phone number (33ms)\n  AssertionError: expected a finding\n",
        );
        assert_eq!(
            tally_node(&stdout),
            NodeTally {
                tests: Some(2),
                pass: Some(1),
                fail: Some(1),
                cancelled: Some(0),
                skipped: Some(0),
                failed_tests: vec!["flags a phone number".into()],
            }
        );
    }

    /// The summary names every suite with its state; a suite that did not run
    /// says why.
    #[test]
    fn summary_lists_each_suite() {
        let text = summary(&[
            Suite {
                name: "构建手册",
                outcome: Outcome::Failed("book/rules/x.toml:3: 重复的规则 id".into()),
            },
            Suite {
                name: "Rust 测试",
                outcome: Outcome::Passed("10 个测试通过".into()),
            },
            Suite {
                name: "浏览器测试",
                outcome: Outcome::NotRun("手册构建失败"),
            },
        ]);
        assert_eq!(
            text,
            "==> 测试汇总\n  [未通过] 构建手册：book/rules/x.toml:3: 重复的规则 id\n  [通过] Rust 测试：10 个测试通过\n  [未运行] 浏览器测试：手册构建失败"
        );
    }
}
