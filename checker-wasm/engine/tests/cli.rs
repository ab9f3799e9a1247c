//! CLI fixtures as data: each folder under `tests/fixtures/` holds
//! `input.txt` (fed on stdin), `args` (one line of arguments) and
//! `expected.txt` (exact stdout), plus `status` when the exit status is not 0.
//! The binary runs from the repository root, so `--rules` defaults to
//! `book/rules`. `WXCHECK_BLESS=1 cargo test --test cli` rewrites the
//! expected files after a deliberate change.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bless = std::env::var_os("WXCHECK_BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap_or_default();
        let args = read("args");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
            .args(args.split_whitespace())
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A CLI that rejects its arguments exits without reading its input,
        // so the pipe may already be closed: that is not a failure.
        let written = child
            .stdin
            .take()
            .unwrap()
            .write_all(read("input.txt").as_bytes());
        if let Err(err) = written {
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::BrokenPipe,
                "{}: {err}",
                case.display()
            );
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let status = out.status.code().unwrap_or(-1);
        let want_status: i32 = read("status").trim().parse().unwrap_or(0);
        if bless {
            std::fs::write(case.join("expected.txt"), &stdout).unwrap();
            if status != 0 {
                std::fs::write(case.join("status"), format!("{status}\n")).unwrap();
            }
            continue;
        }
        if stdout != read("expected.txt") {
            failures.push(format!(
                "{name}: stdout differs\n--- got ---\n{stdout}--- want ---\n{}",
                read("expected.txt")
            ));
        }
        if status != want_status {
            failures.push(format!(
                "{name}: exit status {status}, want {want_status}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(cases.len() >= 5, "too few fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn usage_errors_are_chinese_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
        .args(["--rules", "/nonexistent/rules"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("找不到规则"));
    let out = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("未知的选项"));
}

#[test]
fn jsonl_keeps_input_order_across_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut input = String::new();
    for i in 0..3000 {
        let text = if i % 7 == 0 {
            "赌博"
        } else {
            "第一节课在周六上午"
        };
        input.push_str(&format!("{{\"id\":{i},\"text\":\"{text}\"}}\n"));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
        .args(["--jsonl", "--threads", "4"])
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3000);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["id"], i);
        let want = if i % 7 == 0 { "block" } else { "pass" };
        assert_eq!(l["verdict"], want);
    }
}
