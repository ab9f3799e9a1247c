//! `wxcheck audit` over fixture exports in every shape, as data: each folder
//! under `tests/audit/` holds `input/` (the export files, read in name order),
//! `args` (extra arguments) and `expected.txt`: one line per output record
//! (place, status, id, context, verdict, findings as `rule@start..end`,
//! skip type or error), then the summary line and the exit status.
//! `WXCHECK_BLESS=1 cargo test --test audit` rewrites the expected files after
//! a deliberate change; read the diff before committing it.
//!
//! The fixtures are written for this project from the formats' documented
//! field lists; none is copied from another project.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

fn describe(rec: &Value) -> String {
    let s = |k: &str| rec.get(k).and_then(Value::as_str).unwrap_or("");
    let file = Path::new(s("file"))
        .file_name()
        .map_or(String::new(), |f| f.to_string_lossy().to_string());
    let mut out = format!("{file}:{} {}", rec["line"], s("status"));
    if let Some(id) = rec.get("id").filter(|v| !v.is_null()) {
        out.push_str(&format!(
            " id={}",
            id.as_str().map_or(id.to_string(), str::to_string)
        ));
    }
    for key in [
        "sender", "time", "context", "verdict", "type", "recalls", "error", "note",
    ] {
        if !s(key).is_empty() {
            out.push_str(&format!(" {key}={}", s(key)));
        }
    }
    if let Some(findings) = rec.get("findings").and_then(Value::as_array) {
        for f in findings {
            out.push_str(&format!(
                " [{}@{}..{} {}]",
                f["rule"].as_str().unwrap(),
                f["start"],
                f["end"],
                f["text"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn fixture_exports() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = crate_dir.join("tests/audit");
    let bless = std::env::var_os("WXCHECK_BLESS").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let mut inputs: Vec<_> = std::fs::read_dir(case.join("input"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(crate_dir)
                    .unwrap()
                    .to_path_buf()
            })
            .collect();
        inputs.sort();
        let args = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let out = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
            .arg("audit")
            .args(&inputs)
            .args([
                "--rules",
                "../../book/rules",
                "--jsonl",
                "-",
                "--threads",
                "3",
            ])
            .args(args.split_whitespace())
            .current_dir(crate_dir)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let mut got = String::new();
        for line in stdout.lines() {
            let rec: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}: bad JSONL {line}: {e}"));
            got.push_str(&describe(&rec));
            got.push('\n');
        }
        let summary = stderr
            .lines()
            .find(|l| l.starts_with("汇总："))
            .unwrap_or("(no summary)");
        got.push_str(&format!(
            "{summary}\nexit {}\n",
            out.status.code().unwrap_or(-1)
        ));
        let expected = case.join("expected.txt");
        if bless {
            std::fs::write(&expected, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{name}:\n--- got ---\n{got}--- want ---\n{want}--- stderr ---\n{stderr}"
            ));
        }
    }
    assert!(cases.len() >= 6, "too few audit fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The CSV has its header and one row per finding of the JSONL, in order,
/// and opens as UTF-8 in a spreadsheet (BOM).
#[test]
fn csv_has_one_row_per_finding() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("wxcheck-audit-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (csv, jsonl) = (dir.join("f.csv"), dir.join("r.jsonl"));
    let out = Command::new(env!("CARGO_BIN_EXE_wxcheck"))
        .args([
            "audit",
            "tests/audit/wecom-lines/input/archive.jsonl",
            "tests/audit/memotrace/input/chat.csv",
        ])
        .args(["--rules", "../../book/rules", "--csv"])
        .arg(&csv)
        .arg("--jsonl")
        .arg(&jsonl)
        .current_dir(crate_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rows = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        &header[..6],
        ["严重程度", "时间", "发送人", "会话", "场景", "条款"]
    );
    let want: Vec<String> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["status"] == "audited")
        .flat_map(|r| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let got: Vec<String> = rows.records().map(|r| r.unwrap()[6].to_string()).collect();
    assert_eq!(got, want);
    assert!(got.len() >= 8);
    std::fs::remove_dir_all(&dir).unwrap();
}
