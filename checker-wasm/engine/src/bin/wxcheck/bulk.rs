//! `--jsonl`: one draft per input line in, one result per input line out, in
//! input order, on every core, in bounded memory.
//!
//! The promise is one output line per input line, whatever the line holds:
//! a blank line gets a `skipped` record, a bad one an `error` record with the
//! line number and, whenever the line shows one, its id. Ids and the fields
//! this mode does not read are copied as raw JSON, unchanged.

use crate::Outcome;
use crate::formats::drafts::{Draft, parse_draft};
use crate::input::{Body, Lines, MAX_RECORD_BYTES, Record};
use crate::pipeline::ordered_map;
use std::io::{self, BufRead, Write};
use wxcheck::{Context, RuleSet, Verdict};

/// Output keys this mode writes; input fields of the same name are passed
/// through as `input_<name>`.
const RESERVED: &[&str] = &["line", "verdict", "findings", "error", "skipped", "note"];

#[derive(serde::Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub clause: &'a str,
    pub severity: wxcheck::Severity,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub message: &'a str,
    pub suggestion: &'a str,
}

/// The findings as a JSON array, appended to `out`.
pub fn write_findings(out: &mut Vec<u8>, findings: &[wxcheck::Finding]) {
    let v: Vec<JsonFinding> = findings
        .iter()
        .map(|f| JsonFinding {
            rule: &f.rule,
            clause: &f.clause,
            severity: f.severity,
            start: f.start,
            end: f.end,
            text: &f.text,
            message: &f.message,
            suggestion: &f.suggestion,
        })
        .collect();
    serde_json::to_writer(out, &v).expect("serialise");
}

pub fn findings_json(report: &wxcheck::Report) -> String {
    let mut out = Vec::new();
    write_findings(&mut out, &report.findings);
    String::from_utf8(out).expect("JSON is UTF-8")
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// The output line for one input record, and its outcome.
fn check_record(rules: &RuleSet, default: Context, rec: Record) -> (String, Outcome) {
    let line = rec.line;
    let error = |id_raw: &str, msg: String| {
        (
            format!(
                "{{\"id\":{id_raw},\"line\":{line},\"error\":{}}}\n",
                json_str(&format!("第 {line} 行：{msg}"))
            ),
            Outcome::Bad,
        )
    };
    let bytes = match rec.body {
        Body::Bytes(b) => b,
        Body::Truncated(b) => b,
        Body::TooLong(n) => {
            return error(
                "null",
                format!(
                    "记录有 {n} 字节，超过上限 {MAX_RECORD_BYTES} 字节（1 MiB），未检查；请拆分这条记录"
                ),
            );
        }
        Body::Failed(e) => return error("null", format!("读取失败：{e}")),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return (
            format!("{{\"id\":null,\"line\":{line},\"skipped\":\"空行\"}}\n"),
            Outcome::Skipped,
        );
    }
    match parse_draft(&bytes) {
        Err(e) => error(&e.id_raw, e.error),
        Ok(Draft {
            id_raw,
            text,
            context,
            extra,
            note,
        }) => {
            let report = rules.check(&text, context.unwrap_or(default));
            let mut out = format!("{{\"id\":{id_raw}");
            for (k, v) in &extra {
                let key = if RESERVED.contains(&k.as_str()) {
                    format!("input_{k}")
                } else {
                    k.clone()
                };
                out.push_str(&format!(",{}:{v}", json_str(&key)));
            }
            out.push_str(&format!(
                ",\"line\":{line},\"verdict\":\"{}\",\"findings\":{}",
                report.verdict,
                findings_json(&report)
            ));
            if let Some(n) = note {
                out.push_str(&format!(",\"note\":{}", json_str(n)));
            }
            out.push_str("}\n");
            let outcome = if report.verdict == Verdict::Block {
                Outcome::Blocked
            } else {
                Outcome::Checked
            };
            (out, outcome)
        }
    }
}

/// Totals of one bulk run.
#[derive(Default)]
pub struct BulkTotals {
    pub blocked: bool,
    pub bad: u64,
}

/// Runs the mode over stdin; a closed stdout ends it quietly.
pub fn run(
    rules: &RuleSet,
    context: Context,
    threads: usize,
    input: Box<dyn BufRead + Send>,
) -> Result<BulkTotals, String> {
    let mut input = input;
    crate::input::skip_bom(&mut input).map_err(|e| format!("无法读取标准输入：{e}"))?;
    let mut out = io::BufWriter::new(io::stdout());
    let mut totals = BulkTotals::default();
    let r = ordered_map(
        threads,
        Lines::new(input),
        |rec| check_record(rules, context, rec),
        |(line, outcome)| {
            totals.blocked |= outcome == Outcome::Blocked;
            totals.bad += u64::from(outcome == Outcome::Bad);
            out.write_all(line.as_bytes())
        },
    );
    crate::quiet_on_broken_pipe(r.and_then(|()| out.flush()))
        .map_err(|e| format!("无法写出结果：{e}"))?;
    if totals.bad > 0 {
        eprintln!(
            "注意：{} 行无法检查，见输出中带 \"error\" 的记录。",
            totals.bad
        );
    }
    Ok(totals)
}
