//! `wxcheck audit`: the supervision group's (六（一）) audit of chat exports.
//!
//! Inputs are read one after the other as one stream of records; workers parse
//! and check them, and the writer (in input order) drops duplicate msgids,
//! keeps the totals and writes the JSONL and CSV outputs as it goes. The HTML
//! report is written at the end from the totals and the findings kept for it.

mod context;
pub mod totals;

pub use context::Place;

use crate::formats::csv::Columns;
use crate::formats::{self, Bad, Format, Kind, Message};
use crate::input::{self, ArrayItems, Body, Lines, MAX_RECORD_BYTES};
use crate::links::ClauseLinks;
use crate::pipeline::ordered_map;
use std::collections::HashSet;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use totals::{Shown, Totals};
use wxcheck::{Context, Finding, RuleSet, Verdict};

/// Characters of the message shown either side of a finding in the reports.
pub const WINDOW: usize = 30;
/// The most characters of a span shown in the reports.
pub const MAX_SPAN: usize = 120;

pub struct AuditArgs {
    pub files: Vec<PathBuf>,
    pub format: Option<Format>,
    pub staff: Option<HashSet<String>>,
    pub all: bool,
    pub context: Option<Context>,
    pub html: Option<PathBuf>,
    pub csv: Option<PathBuf>,
    pub jsonl: Option<PathBuf>,
    pub handbook_url: Option<String>,
    pub threads: usize,
}

/// One record, cut from its input, before parsing.
pub enum Item {
    Json {
        file: Arc<str>,
        line: u64,
        format: Format,
        body: Body,
    },
    Csv {
        file: Arc<str>,
        line: u64,
        cols: Arc<Columns>,
        row: Result<csv::ByteRecord, String>,
    },
    FileFailed {
        file: Arc<str>,
        error: String,
    },
}

pub enum Status {
    Audited { verdict: Verdict, shown: Vec<Shown> },
    SkippedType(String),
    SkippedSender,
    Recall(String),
    Duplicate,
    Bad(String),
    FileFailed(String),
}

/// What a worker makes of one record.
pub struct Outcome {
    pub file: Arc<str>,
    pub line: u64,
    pub id: Option<String>,
    pub dedupe: Option<u64>,
    pub time: String,
    pub sender: String,
    pub conversation: String,
    pub place: Place,
    pub status: Status,
    /// The record's JSONL line and CSV rows, rendered by the worker.
    pub jsonl: Vec<u8>,
    pub csv: Vec<u8>,
}

/// The inputs, opened one after the other, as one stream of items. A file
/// that cannot be opened, whose format is unknown or whose header is wrong
/// becomes one `FileFailed` item and the next file is read.
pub fn items(files: &[PathBuf], forced: Option<Format>) -> impl Iterator<Item = Item> + '_ {
    files.iter().flat_map(move |path| {
        let name: Arc<str> = if path.as_os_str() == "-" {
            "<标准输入>".into()
        } else {
            path.display().to_string().into()
        };
        match open_one(path, forced) {
            Ok((format, reader)) => file_items(name, format, reader),
            Err(error) => Box::new(std::iter::once(Item::FileFailed { file: name, error })),
        }
    })
}

fn open_one(
    path: &Path,
    forced: Option<Format>,
) -> Result<(Format, Box<dyn BufRead + Send>), String> {
    let mut r = input::open(path).map_err(|e| format!("无法读取：{e}"))?;
    input::skip_bom(&mut r).map_err(|e| format!("无法读取：{e}"))?;
    let head = input::peek(&mut r).map_err(|e| format!("无法读取：{e}"))?;
    let format = match forced {
        Some(f) => f,
        None if head.is_empty() => Format::WecomLines,
        None => Format::detect(&head).ok_or_else(|| {
            "无法识别格式：不是企业微信会话存档 JSON、MemoTrace 或 PyWxDump 式 CSV，也不是 wxcheck JSONL；请用 --format 指定".to_string()
        })?,
    };
    Ok((format, r))
}

fn file_items(
    file: Arc<str>,
    format: Format,
    reader: Box<dyn BufRead + Send>,
) -> Box<dyn Iterator<Item = Item> + Send> {
    match format {
        Format::WecomLines | Format::Drafts => {
            let file2 = file.clone();
            // Blank lines carry no record in a JSON-lines export.
            let records = Lines::new(reader).filter(
                |r| !matches!(&r.body, Body::Bytes(b) if b.iter().all(u8::is_ascii_whitespace)),
            );
            Box::new(records.map(move |r| Item::Json {
                file: file2.clone(),
                line: r.line,
                format,
                body: r.body,
            }))
        }
        Format::WecomArray => Box::new(ArrayItems::new(reader).map(move |r| Item::Json {
            file: file.clone(),
            line: r.line,
            format,
            body: r.body,
        })),
        Format::MemoTrace | Format::PyWxDump => csv_items(file, format, reader),
    }
}

fn csv_items(
    file: Arc<str>,
    format: Format,
    reader: Box<dyn BufRead + Send>,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut header = csv::ByteRecord::new();
    let cols = match rdr.read_byte_record(&mut header) {
        Ok(true) => Columns::new(format, &header),
        Ok(false) => Err("文件是空的，没有表头".into()),
        Err(e) => Err(format!("表头无法读取：{e}")),
    };
    let cols = match cols {
        Ok(c) => Arc::new(c),
        Err(error) => return Box::new(std::iter::once(Item::FileFailed { file, error })),
    };
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut row = csv::ByteRecord::new();
        let line = rdr.position().line();
        match rdr.read_byte_record(&mut row) {
            Ok(false) => None,
            Ok(true) => {
                let line = row.position().map_or(line, |p| p.line());
                let row = if row.as_slice().len() > MAX_RECORD_BYTES {
                    Err(format!(
                        "记录超过上限 {MAX_RECORD_BYTES} 字节（1 MiB），未检查"
                    ))
                } else {
                    Ok(row)
                };
                Some(Item::Csv {
                    file: file.clone(),
                    line,
                    cols: cols.clone(),
                    row,
                })
            }
            Err(e) => {
                done = true;
                Some(Item::Csv {
                    file: file.clone(),
                    line,
                    cols: cols.clone(),
                    row: Err(format!("读取失败：{e}")),
                })
            }
        }
    }))
}

/// Read-only state the workers share.
pub struct Worker<'a> {
    pub rules: &'a RuleSet,
    pub args: &'a AuditArgs,
    pub links: &'a ClauseLinks,
}

impl Worker<'_> {
    pub fn process(&self, item: Item) -> Outcome {
        let (file, line, parsed, format) = match item {
            Item::FileFailed { file, error } => {
                return self.finish(
                    file,
                    0,
                    None,
                    Place::Engine(Context::Public),
                    &Message::default(),
                    Status::FileFailed(error),
                );
            }
            Item::Json {
                file,
                line,
                format,
                body,
            } => {
                let parsed = match body {
                    Body::Bytes(b) => self.parse(format, &b),
                    Body::Truncated(b) => match self.parse(format, &b) {
                        Err(bad) => Err(Bad {
                            id: bad.id,
                            error: format!("记录不完整（文件在此结束）：{}", bad.error),
                        }),
                        ok => ok,
                    },
                    Body::TooLong(n) => Err(Bad {
                        id: None,
                        error: format!(
                            "记录有 {n} 字节，超过上限 {MAX_RECORD_BYTES} 字节（1 MiB），未检查"
                        ),
                    }),
                    Body::Failed(e) => Err(Bad {
                        id: None,
                        error: format!("读取失败：{e}"),
                    }),
                };
                (file, line, parsed, format)
            }
            Item::Csv {
                file,
                line,
                cols,
                row,
            } => {
                let parsed = row
                    .map_err(|error| Bad { id: None, error })
                    .and_then(|row| formats::csv::parse(&cols, &row));
                (file, line, parsed, Format::MemoTrace)
            }
        };
        let m = match parsed {
            Ok(m) => m,
            Err(bad) => {
                let m = Message {
                    id: bad.id,
                    ..Message::default()
                };
                return self.finish(
                    file,
                    line,
                    None,
                    Place::Engine(Context::Public),
                    &m,
                    Status::Bad(bad.error),
                );
            }
        };
        let drafts = format == Format::Drafts;
        let wecom = matches!(format, Format::WecomLines | Format::WecomArray);
        let dedupe = if wecom {
            m.id.as_deref().map(totals::hash_id)
        } else {
            None
        };
        // A draft's own context wins, then `--context`, then the inference;
        // drafts with neither are checked as posts (public), as they always were.
        let place = match (m.context, self.args.context) {
            (Some(c), _) | (None, Some(c)) => Place::Engine(c),
            (None, None) if drafts => Place::Engine(Context::Public),
            (None, None) => Place::infer(&m),
        };
        let status = match &m.kind {
            Kind::Recall(pre) => Status::Recall(pre.clone()),
            Kind::Skip(t) => Status::SkippedType(t.clone()),
            Kind::Empty => Status::SkippedType("空消息".into()),
            Kind::Text(_) if !self.args.all && !self.is_staff(&m) => Status::SkippedSender,
            Kind::Text(text) => {
                let report = self.rules.check(text, place.engine_context());
                let time = m.time_ms.map(formats::format_time).unwrap_or_default();
                let place_str = format!("{}:{line}", file);
                let shown = report
                    .findings
                    .iter()
                    .map(|f| {
                        let (before, hit, after) = window(text, f);
                        Shown {
                            severity: f.severity,
                            clause: f.clause.clone(),
                            rule: f.rule.clone(),
                            message: f.message.clone(),
                            suggestion: f.suggestion.clone(),
                            time: time.clone(),
                            sender: m.sender.clone(),
                            conversation: m.conversation.clone(),
                            context: place.label_zh(),
                            before,
                            hit,
                            after,
                            msgid: m.id.clone(),
                            place: place_str.clone(),
                            recalled: false,
                        }
                    })
                    .collect();
                let status = Status::Audited {
                    verdict: report.verdict,
                    shown,
                };
                let out = self.outcome(file, line, dedupe, place, &m, status, time);
                return self.with_findings(out, &m, &report.findings);
            }
        };
        self.finish(file, line, dedupe, place, &m, status)
    }

    fn parse(&self, format: Format, bytes: &[u8]) -> Result<Message, Bad> {
        match format {
            Format::Drafts => formats::drafts::parse(bytes),
            _ => formats::wecom::parse(bytes),
        }
    }

    /// Staff are those the export marks as the account owner (IsSender /
    /// is_sender), or those on the `--staff` list; without a list and without
    /// such a mark (WeCom), everyone who is not an external contact.
    fn is_staff(&self, m: &Message) -> bool {
        if m.is_sender == Some(true) {
            return true;
        }
        match &self.args.staff {
            Some(list) => list.contains(&m.sender),
            None => m.is_sender.is_none() && !formats::wecom::is_external_id(&m.sender),
        }
    }

    fn finish(
        &self,
        file: Arc<str>,
        line: u64,
        dedupe: Option<u64>,
        place: Place,
        m: &Message,
        status: Status,
    ) -> Outcome {
        let time = m.time_ms.map(formats::format_time).unwrap_or_default();
        self.outcome(file, line, dedupe, place, m, status, time)
    }

    #[allow(clippy::too_many_arguments)]
    fn outcome(
        &self,
        file: Arc<str>,
        line: u64,
        dedupe: Option<u64>,
        place: Place,
        m: &Message,
        status: Status,
        time: String,
    ) -> Outcome {
        let mut o = Outcome {
            file,
            line,
            id: m.id.clone(),
            dedupe,
            time,
            sender: m.sender.clone(),
            conversation: m.conversation.clone(),
            place,
            status,
            jsonl: Vec::new(),
            csv: Vec::new(),
        };
        o.jsonl = jsonl_line(&o, m, None);
        o
    }

    fn with_findings(&self, mut o: Outcome, m: &Message, findings: &[Finding]) -> Outcome {
        o.jsonl = jsonl_line(&o, m, Some(findings));
        if self.args.csv.is_some() {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            for f in findings {
                let (before, hit, after) = window(
                    match &m.kind {
                        Kind::Text(t) => t,
                        _ => "",
                    },
                    f,
                );
                let label =
                    wxcheck::clause_label(&f.clause).unwrap_or_else(|| f.clause.to_string());
                let _ = w.write_record([
                    f.severity.label_zh(),
                    &o.time,
                    &o.sender,
                    &o.conversation,
                    o.place.label_zh(),
                    &label,
                    &f.rule,
                    &hit,
                    &format!("{before}【{hit}】{after}"),
                    &f.message,
                    &f.suggestion,
                    m.id.as_deref().unwrap_or(""),
                    &format!("{}:{}", o.file, o.line),
                    &self.links.url(&f.clause, &f.rule),
                ]);
            }
            o.csv = w.into_inner().unwrap_or_default();
        }
        o
    }
}

/// The CSV header, in Chinese for the spreadsheet.
pub const CSV_HEADER: &[&str] = &[
    "严重程度",
    "时间",
    "发送人",
    "会话",
    "场景",
    "条款",
    "规则",
    "命中文字",
    "消息摘录",
    "问题说明",
    "修改建议",
    "消息ID",
    "位置",
    "条款链接",
];

/// A bounded window of `text` around a finding: up to [`WINDOW`] characters
/// before and after, and the span cut at [`MAX_SPAN`]. Walks the text once
/// from the start, so cost is linear in the message.
pub fn window(text: &str, f: &Finding) -> (String, String, String) {
    let from = f.start.saturating_sub(WINDOW);
    let cut = f.end.min(f.start + MAX_SPAN);
    let to = f.end + WINDOW;
    let (mut before, mut hit, mut after) = (String::new(), String::new(), String::new());
    if from > 0 {
        before.push('…');
    }
    for (i, c) in text.chars().enumerate().skip(from) {
        if i >= to {
            after.push('…');
            break;
        }
        if i < f.start {
            before.push(c);
        } else if i < cut {
            hit.push(c);
        } else if i >= f.end {
            after.push(c);
        } else if i == cut {
            hit.push('…');
        }
    }
    (before, hit, after)
}

fn status_str(s: &Status) -> &'static str {
    match s {
        Status::Audited { .. } => "audited",
        Status::SkippedType(_) => "skipped-type",
        Status::SkippedSender => "skipped-sender",
        Status::Recall(_) => "recall",
        Status::Duplicate => "duplicate",
        Status::Bad(_) => "error",
        Status::FileFailed(_) => "file-error",
    }
}

/// Appends `,"key":"value"` (the value JSON-escaped).
fn member(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(&mut *out, value).expect("string");
}

/// One JSONL record per input record, whatever became of it. Written by
/// hand into one buffer: building a `serde_json::Value` per message cost
/// more than checking it.
pub fn jsonl_line(o: &Outcome, m: &Message, findings: Option<&[Finding]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"file\":");
    serde_json::to_writer(&mut out, &*o.file).expect("string");
    out.extend_from_slice(format!(",\"line\":{}", o.line).as_bytes());
    match &o.id {
        Some(id) => member(&mut out, "id", id),
        None => out.extend_from_slice(b",\"id\":null"),
    }
    member(&mut out, "status", status_str(&o.status));
    for (k, v) in [
        ("time", &o.time),
        ("sender", &o.sender),
        ("conversation", &o.conversation),
    ] {
        if !v.is_empty() {
            member(&mut out, k, v);
        }
    }
    match &o.status {
        Status::Audited { verdict, .. } => {
            member(&mut out, "context", o.place.as_str());
            member(&mut out, "context_label", o.place.label_zh());
            member(&mut out, "verdict", verdict.as_str());
        }
        Status::SkippedType(t) => member(&mut out, "type", t),
        Status::Recall(pre) => member(&mut out, "recalls", pre),
        Status::Bad(e) | Status::FileFailed(e) => {
            let place = if o.line > 0 {
                format!("{} 第 {} 行", o.file, o.line)
            } else {
                o.file.to_string()
            };
            let id =
                o.id.as_deref()
                    .map(|i| format!("（消息 {i}）"))
                    .unwrap_or_default();
            member(&mut out, "error", &format!("{place}{id}：{e}"));
        }
        _ => {}
    }
    if let Some(n) = m.note {
        member(&mut out, "note", n);
    }
    if let Some(findings) = findings {
        out.extend_from_slice(b",\"findings\":");
        crate::bulk::write_findings(&mut out, findings);
    }
    if let Some(extra) = &m.extra {
        out.extend_from_slice(b",\"input\":{");
        out.extend_from_slice(extra.as_bytes());
        out.push(b'}');
    }
    out.extend_from_slice(b"}\n");
    out
}

/// The outputs that stream while the audit runs.
pub struct Sinks {
    pub jsonl: Option<Box<dyn Write + Send>>,
    pub csv: Option<Box<dyn Write + Send>>,
}

fn create(path: &PathBuf) -> Result<Box<dyn Write + Send>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::BufWriter::new(io::stdout())));
    }
    std::fs::File::create(path)
        .map(|f| Box::new(io::BufWriter::new(f)) as Box<dyn Write + Send>)
        .map_err(|e| format!("无法写入 `{}`：{e}", path.display()))
}

/// Runs an audit; returns the totals (the caller turns them into the exit status).
pub fn run(rules: &RuleSet, args: &AuditArgs, links: &ClauseLinks) -> Result<Totals, String> {
    let mut sinks = Sinks {
        jsonl: args.jsonl.as_ref().map(create).transpose()?,
        csv: args.csv.as_ref().map(create).transpose()?,
    };
    if let Some(w) = &mut sinks.csv {
        let mut header = csv::WriterBuilder::new().from_writer(Vec::new());
        header.write_record(CSV_HEADER).expect("in memory");
        // A BOM so that spreadsheet programs read the file as UTF-8.
        w.write_all(b"\xEF\xBB\xBF")
            .and_then(|()| w.write_all(&header.into_inner().expect("in memory")))
            .map_err(|e| format!("无法写入 CSV：{e}"))?;
    }
    let worker = Worker { rules, args, links };
    let mut totals = Totals::default();
    let progress = crate::progress::Progress::new();
    let r = ordered_map(
        args.threads,
        items(&args.files, args.format),
        |item| worker.process(item),
        |mut o: Outcome| -> io::Result<()> {
            progress.tick();
            if let Status::FileFailed(e) = &o.status {
                progress.println(&format!(
                    "错误：无法读取 `{}`：{e}。已跳过，继续读取其余文件。",
                    o.file
                ));
            }
            if !totals.add(&mut o) {
                o.jsonl = jsonl_line(
                    &o,
                    &Message {
                        id: o.id.clone(),
                        ..Message::default()
                    },
                    None,
                );
                o.csv.clear();
            }
            if let Some(w) = &mut sinks.jsonl {
                w.write_all(&o.jsonl)?;
            }
            if let Some(w) = &mut sinks.csv {
                w.write_all(&o.csv)?;
            }
            Ok(())
        },
    );
    progress.finish();
    let flushed = r.and_then(|()| {
        for w in [&mut sinks.jsonl, &mut sinks.csv].into_iter().flatten() {
            w.flush()?;
        }
        Ok(())
    });
    crate::quiet_on_broken_pipe(flushed).map_err(|e| format!("无法写出结果：{e}"))?;
    totals.finish();
    if let Some(path) = &args.html {
        let html = crate::report_html::render(&totals, args, links, rules);
        std::fs::write(path, html).map_err(|e| format!("无法写入 `{}`：{e}", path.display()))?;
    }
    Ok(totals)
}
