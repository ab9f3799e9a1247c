//! `wxcheck`: the native command-line checker.
//!
//! Two modes. The default prints a compiler-style report for each file (or
//! stdin) so a writer sees exactly where a draft breaks which clause. `--jsonl`
//! is for the supervision group's bulk audits (六（一）): one JSON object in,
//! one out, in input order, on every core, in constant memory.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use wxcheck::{
    Context, Finding, Report, RuleSet, Settings, Severity, SourceFile, Verdict, clause_label,
    parse_settings,
};

const USAGE: &str = "\
用法：wxcheck [选项] [文件…]

按《微信管理制度》检查微信草稿，报告违反的条款、严重程度和修改建议。
不给文件时从标准输入读取。

选项：
  --context <场景>   public（朋友圈·公众号，默认）、customer（客户私聊）、group（工作群）
  --rules <路径>     规则文件或目录（默认 book/rules）
  --settings <路径>  规则中 {{名称}} 引用的设置文件（默认为规则目录旁的 settings.toml）
  --jsonl            批量模式：每行输入 {\"id\",\"text\",\"context\"}，每行输出一个检查结果
  --threads <数量>   批量模式使用的线程数（默认为全部 CPU 核心）
  -h, --help         显示本帮助

退出状态：有“禁止发布”的问题时为 1，否则为 0；参数或文件错误为 2。";

struct Args {
    context: Context,
    rules: PathBuf,
    /// `None`: `settings.toml` beside the rules folder, if there is one.
    settings: Option<PathBuf>,
    jsonl: bool,
    threads: usize,
    files: Vec<PathBuf>,
}

enum ArgsError {
    Help,
    Bad(String),
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
    let mut args = Args {
        context: Context::Public,
        rules: PathBuf::from("book/rules"),
        settings: None,
        jsonl: false,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        files: Vec::new(),
    };
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next()
            .ok_or_else(|| ArgsError::Bad(format!("选项 {flag} 需要一个值")))
    };
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let take = |it: &mut dyn Iterator<Item = String>| match inline.clone() {
            Some(v) => Ok(v),
            None => value(it, &flag),
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--context" => {
                let v = take(&mut it)?;
                args.context = v
                    .parse()
                    .map_err(|e: wxcheck::ParseContextError| ArgsError::Bad(e.to_string()))?;
            }
            "--rules" => args.rules = PathBuf::from(take(&mut it)?),
            "--settings" => args.settings = Some(PathBuf::from(take(&mut it)?)),
            "--threads" => {
                let v = take(&mut it)?;
                args.threads =
                    v.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        ArgsError::Bad(format!("--threads 需要正整数，而不是 `{v}`"))
                    })?;
            }
            "--jsonl" => args.jsonl = true,
            "--" => {
                args.files.extend(it.by_ref().map(PathBuf::from));
            }
            f if f.starts_with('-') && f != "-" => {
                return Err(ArgsError::Bad(format!("未知的选项 `{f}`")));
            }
            _ => args.files.push(PathBuf::from(a)),
        }
    }
    if args.jsonl && !args.files.is_empty() {
        return Err(ArgsError::Bad(
            "--jsonl 模式只从标准输入读取，不接受文件参数".into(),
        ));
    }
    Ok(args)
}

/// Reads the settings the rules' `{{name}}` references refer to: the given
/// file, or `settings.toml` in the folder above the rules folder (the
/// handbook's layout, `book/settings.toml` beside `book/rules/`). Without one,
/// a rule that refers to a setting is reported as such by the loader.
fn load_settings(rules: &Path, given: Option<&Path>) -> Result<Settings, String> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => {
            let folder = if rules.is_dir() {
                rules
            } else {
                rules.parent().unwrap_or(rules)
            };
            let beside = folder.parent().unwrap_or(folder).join("settings.toml");
            if !beside.is_file() {
                return Ok(Settings::new());
            }
            beside
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "无法读取设置文件 `{}`：{e}。请用 --settings 指定正确的路径",
            path.display()
        )
    })?;
    parse_settings(&path.display().to_string(), &text).map_err(|e| e.to_string())
}

/// Reads the rules: every `*.toml` in a directory (sorted), or one file.
fn load_rules(path: &Path, settings: &Settings) -> Result<RuleSet, String> {
    let paths = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("无法读取规则目录 `{}`：{e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        v
    } else if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        return Err(format!(
            "找不到规则 `{}`。请在仓库根目录运行，或用 --rules 指定规则文件或目录。",
            path.display()
        ));
    };
    if paths.is_empty() {
        return Err(format!("规则目录 `{}` 里没有 .toml 文件", path.display()));
    }
    let mut files = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(&p).map_err(|e| format!("无法读取 `{}`：{e}", p.display()))?;
        files.push(SourceFile {
            name: p.display().to_string(),
            text,
        });
    }
    RuleSet::load_with(&files, settings).map_err(|errors| {
        let mut s = format!("规则文件有 {} 处错误：", errors.len());
        for e in errors {
            s.push_str(&format!("\n  {e}"));
        }
        s
    })
}

/// Display width: East Asian wide and full-width characters take two columns.
fn width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0xFE00..=0xFE0F => 0,
        _ => 1,
    }
}

/// Renders one finding like a compiler diagnostic.
fn render(
    out: &mut String,
    name: &str,
    text: &str,
    line_starts: &[usize],
    chars: &[char],
    f: &Finding,
) {
    let line_idx = line_starts.partition_point(|&s| s <= f.start) - 1;
    let line_start = line_starts[line_idx];
    let line_end = line_starts
        .get(line_idx + 1)
        .map_or(chars.len(), |&s| s - 1)
        .max(line_start);
    let col = f.start - line_start + 1;
    let label = clause_label(&f.clause).unwrap_or_else(|| f.clause.to_string());
    let lineno = (line_idx + 1).to_string();
    let pad = " ".repeat(lineno.len());
    let shown: String = chars[line_start..line_end]
        .iter()
        .map(|&c| if c == '\t' { ' ' } else { c })
        .filter(|&c| c != '\r')
        .collect();
    let lead: usize = chars[line_start..f.start.max(line_start)]
        .iter()
        .map(|&c| width(c))
        .sum();
    let span_end = f.end.min(line_end).max(f.start);
    let carets: usize = chars[f.start..span_end]
        .iter()
        .map(|&c| width(c))
        .sum::<usize>()
        .max(1);
    let _ = text;
    out.push_str(&format!(
        "{name}:{}:{col}: {} {label} [{}]\n",
        line_idx + 1,
        f.severity.label_zh(),
        f.rule
    ));
    out.push_str(&format!(
        "{pad} |\n{lineno} | {shown}\n{pad} | {}{}\n",
        " ".repeat(lead),
        "^".repeat(carets)
    ));
    out.push_str(&format!("{pad} = {}\n", f.message));
    out.push_str(&format!("{pad} = 修改建议：{}\n", f.suggestion));
    if let Some(r) = &f.replacement {
        out.push_str(&format!("{pad} = 可替换为：{r}\n"));
    }
    out.push('\n');
}

fn summary(name: &str, report: &Report) -> String {
    if report.findings.is_empty() {
        return format!("{name}: 结论：{}（未发现问题）\n", Verdict::Pass.label_zh());
    }
    let mut counts = Vec::new();
    for s in [
        Severity::Block,
        Severity::Senior,
        Severity::Revise,
        Severity::Advice,
    ] {
        let n = report.findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            counts.push(format!("{} {n}", s.label_zh()));
        }
    }
    format!(
        "{name}: 结论：{}（共 {} 处：{}）\n",
        report.verdict.label_zh(),
        report.findings.len(),
        counts.join("，")
    )
}

fn report_text(name: &str, text: &str, report: &Report) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut line_starts = vec![0];
    line_starts.extend(
        chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '\n')
            .map(|(i, _)| i + 1),
    );
    let mut out = String::new();
    for f in &report.findings {
        render(&mut out, name, text, &line_starts, &chars, f);
    }
    out.push_str(&summary(name, report));
    out
}

fn run_files(args: &Args, rules: &RuleSet) -> Result<bool, String> {
    let mut blocked = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let inputs: Vec<(String, Option<&PathBuf>)> = if args.files.is_empty() {
        vec![("<stdin>".to_string(), None)]
    } else {
        args.files
            .iter()
            .map(|p| (p.display().to_string(), Some(p)))
            .collect()
    };
    for (name, path) in inputs {
        let text = match path {
            Some(p) if p.as_os_str() != "-" => {
                std::fs::read_to_string(p).map_err(|e| format!("无法读取 `{name}`：{e}"))?
            }
            _ => {
                let mut s = String::new();
                io::stdin()
                    .read_to_string(&mut s)
                    .map_err(|e| format!("无法读取标准输入：{e}"))?;
                s
            }
        };
        let report = rules.check(&text, args.context);
        blocked |= report.verdict == Verdict::Block;
        out.write_all(report_text(&name, &text, &report).as_bytes())
            .map_err(|e| e.to_string())?;
    }
    Ok(blocked)
}

#[derive(serde::Deserialize)]
struct JsonIn {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    context: Option<Context>,
}

#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    clause: &'a str,
    severity: Severity,
    start: usize,
    end: usize,
    text: &'a str,
    message: &'a str,
    suggestion: &'a str,
}

#[derive(serde::Serialize)]
struct JsonOut<'a> {
    id: &'a serde_json::Value,
    verdict: Verdict,
    findings: Vec<JsonFinding<'a>>,
}

/// Outcome flags of one line: (blocked, error).
fn check_line(rules: &RuleSet, default: Context, line: &[u8], out: &mut String) -> (bool, bool) {
    let parsed = std::str::from_utf8(line)
        .map_err(|_| "输入不是合法的 UTF-8".to_string())
        .and_then(|s| {
            serde_json::from_str::<JsonIn>(s)
                .map_err(|e| format!("输入行不是合法的 JSON 对象：{e}"))
        });
    match parsed {
        Ok(input) => {
            let report = rules.check(&input.text, input.context.unwrap_or(default));
            let o = JsonOut {
                id: &input.id,
                verdict: report.verdict,
                findings: report
                    .findings
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
                    .collect(),
            };
            out.push_str(&serde_json::to_string(&o).expect("serialise"));
            out.push('\n');
            (report.verdict == Verdict::Block, false)
        }
        Err(e) => {
            out.push_str(&serde_json::json!({ "id": null, "error": e }).to_string());
            out.push('\n');
            (false, true)
        }
    }
}

/// Lines per work unit: big enough to amortise channel traffic, small enough
/// that the in-flight window stays small.
const CHUNK: usize = 256;

type Chunk = (u64, Vec<Vec<u8>>);
type Done = (u64, String, bool, bool);

/// The bulk mode: a reader (this thread), `threads` workers and a writer. At
/// most `4 × threads` chunks are in flight (a token is taken before reading a
/// chunk and given back once it is written), so memory stays bounded however
/// long the input, and the writer restores input order.
fn run_jsonl(args: &Args, rules: &RuleSet) -> Result<(bool, bool), String> {
    let in_flight = args.threads * 4;
    let (tok_tx, tok_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        tok_tx.send(()).expect("token");
    }
    let (work_tx, work_rx) = sync_channel::<Chunk>(in_flight);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Done>(in_flight);
    std::thread::scope(|s| {
        for _ in 0..args.threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || worker(rules, args.context, &work_rx, &done_tx));
        }
        drop(done_tx);
        let writer = s.spawn(move || writer(done_rx, tok_tx));
        let read = reader(&work_tx, &tok_rx);
        drop(work_tx);
        let written = writer.join().expect("writer thread");
        read?;
        written
    })
}

fn reader(work_tx: &SyncSender<Chunk>, tokens: &Receiver<()>) -> Result<(), String> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut seq = 0u64;
    loop {
        if tokens.recv().is_err() {
            return Ok(()); // the writer stopped (e.g. broken pipe)
        }
        let mut chunk = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            let mut line = Vec::new();
            let n = input
                .read_until(b'\n', &mut line)
                .map_err(|e| format!("无法读取标准输入：{e}"))?;
            if n == 0 {
                break;
            }
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line.pop();
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                chunk.push(line);
            }
        }
        let last = chunk.len() < CHUNK;
        if work_tx.send((seq, chunk)).is_err() {
            return Ok(());
        }
        seq += 1;
        if last {
            return Ok(());
        }
    }
}

fn worker(
    rules: &RuleSet,
    context: Context,
    work: &Mutex<Receiver<Chunk>>,
    done: &SyncSender<Done>,
) {
    loop {
        let next = work.lock().expect("work queue").recv();
        let Ok((seq, lines)) = next else { return };
        let mut out = String::new();
        let (mut blocked, mut failed) = (false, false);
        for line in &lines {
            let (b, f) = check_line(rules, context, line, &mut out);
            blocked |= b;
            failed |= f;
        }
        if done.send((seq, out, blocked, failed)).is_err() {
            return;
        }
    }
}

fn writer(done: Receiver<Done>, tokens: SyncSender<()>) -> Result<(bool, bool), String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut pending: BTreeMap<u64, (String, bool, bool)> = BTreeMap::new();
    let mut next = 0u64;
    let (mut blocked, mut failed) = (false, false);
    for (seq, text, b, f) in done {
        pending.insert(seq, (text, b, f));
        while let Some((text, b, f)) = pending.remove(&next) {
            out.write_all(text.as_bytes())
                .map_err(|e| format!("无法写出结果：{e}"))?;
            blocked |= b;
            failed |= f;
            next += 1;
            let _ = tokens.try_send(());
        }
    }
    out.flush().map_err(|e| format!("无法写出结果：{e}"))?;
    Ok((blocked, failed))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Bad(m)) => {
            eprintln!("错误：{m}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rules = match load_settings(&args.rules, args.settings.as_deref())
        .and_then(|settings| load_rules(&args.rules, &settings))
    {
        Ok(r) => r,
        Err(m) => {
            eprintln!("错误：{m}");
            return ExitCode::from(2);
        }
    };
    let result = if args.jsonl {
        run_jsonl(&args, &rules).map(|(blocked, failed)| if failed { 2 } else { u8::from(blocked) })
    } else {
        run_files(&args, &rules).map(u8::from)
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(m) => {
            eprintln!("错误：{m}");
            ExitCode::from(2)
        }
    }
}
