//! End-to-end audit throughput and peak memory (issue 11): generates a
//! synthetic 企业微信会话存档 export, runs the release `wxcheck audit` on it
//! under `/usr/bin/time -v`, and reports messages per second and peak RSS.
//!
//! ```text
//! cargo bench -p wxcheck --bench audit                      # 1,000,000 messages
//! WXCHECK_AUDIT_MESSAGES=3500000 cargo bench -p wxcheck --bench audit   # about 1 GB
//! ```
//!
//! Goals: at least 300,000 messages/s on 2 cores, under 200 MB peak. The export
//! is written once per size into `target/` and reused. Nothing is asserted
//! about time (the machine is shared); the figures are printed.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Sentences staff and parents write: mostly clean, some that break a rule.
const TEXTS: &[&str] = &[
    "王妈妈您好，孩子这周的作业完成得很好，继续加油！",
    "第一节课安排在周六上午9点，地点在总部301教室，请提前十分钟到。",
    "收到，我这边马上跟教务老师确认一下排课。",
    "暑期班报名需缴纳保证金200元，结课后全额退还。",
    "最近天气转凉，请家长们给孩子多带一件外套。",
    "签约保过，不过退费，名额有限。",
    "这个不归我管，您问别人吧",
    "家长电话13812345678，明天回访一下",
    "好滴，木有问题，明天搞定",
    "谨防诈骗：本校不会通过个人账户收取学费。",
    "孩子能保过吗？想了解一下价格",
    "课后反馈：本节课学习了分数的加减法，课堂表现积极。",
];

/// A deterministic pseudo-random sequence (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// One archive line: text (most), mixed, link, image, recall, in 1:1 chats
/// with parents, parent groups and staff rooms; a few re-pulled duplicates.
fn message(i: u64, rng: &mut Rng, out: &mut String) {
    out.clear();
    let staff = format!("teacher{:03}", rng.below(300));
    let parent = format!("wmParent{:06}", rng.below(200_000));
    let time = 1_709_258_400_000u64 + i * 1_500;
    let (from, to) = if rng.below(3) == 0 {
        (parent.clone(), staff.clone())
    } else {
        (staff.clone(), parent.clone())
    };
    let place = rng.below(10);
    let (roomid, external) = match place {
        0..=5 => (String::new(), true),
        6..=8 => (format!("wrFamily{:05}", rng.below(5000)), true),
        _ => (format!("wrStaff{:03}", rng.below(100)), false),
    };
    let msgid = format!("{i:016x}{}", if external { "_external" } else { "" });
    let text = TEXTS[rng.below(TEXTS.len() as u64)];
    let head = format!(
        "{{\"msgid\":\"{msgid}\",\"action\":\"send\",\"from\":\"{from}\",\"tolist\":[\"{to}\"],\"roomid\":\"{roomid}\",\"msgtime\":{time},"
    );
    out.push_str(&head);
    match rng.below(100) {
        0..=79 => {
            let _ = write!(
                out,
                "\"msgtype\":\"text\",\"text\":{{\"content\":{}}}}}",
                json_str(text)
            );
        }
        80..=87 => {
            let item = json_str(&format!("{{\"content\":{}}}", json_str(text)));
            let _ = write!(
                out,
                "\"msgtype\":\"mixed\",\"mixed\":{{\"item\":[{{\"type\":\"text\",\"content\":{item}}},{{\"type\":\"image\",\"content\":\"{{\\\"md5sum\\\":\\\"ab\\\"}}\"}}]}}}}"
            );
        }
        88..=91 => {
            let _ = write!(
                out,
                "\"msgtype\":\"link\",\"link\":{{\"title\":\"课程介绍\",\"description\":{},\"link_url\":\"https://example.invalid/{i}\"}}}}",
                json_str(text)
            );
        }
        92..=97 => {
            let _ = write!(
                out,
                "\"msgtype\":\"image\",\"image\":{{\"md5sum\":\"{:032x}\",\"filesize\":{}}}}}",
                rng.next(),
                rng.below(1 << 20)
            );
        }
        _ => {
            let _ = write!(
                out,
                "\"msgtype\":\"revoke\",\"revoke\":{{\"pre_msgid\":\"{:016x}_external\"}}}}",
                i.saturating_sub(1)
            );
            // A recall: rewrite the action.
            let s = out.replacen("\"action\":\"send\"", "\"action\":\"recall\"", 1);
            *out = s;
        }
    }
    out.push('\n');
}

fn export(messages: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/audit-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("wecom-{messages}.jsonl"));
    if path.exists() {
        return path;
    }
    let tmp = path.with_extension("tmp");
    let mut w = BufWriter::new(std::fs::File::create(&tmp).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut line = String::new();
    let mut last = String::new();
    for i in 0..messages {
        // One in a thousand is a re-pull of the previous message.
        if i % 1000 == 999 {
            w.write_all(last.as_bytes()).unwrap();
            continue;
        }
        message(i, &mut rng, &mut line);
        w.write_all(line.as_bytes()).unwrap();
        std::mem::swap(&mut last, &mut line);
    }
    w.flush().unwrap();
    drop(w);
    std::fs::rename(&tmp, &path).unwrap();
    path
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument that is not ours means
    // another bench was asked for.
    if std::env::args().skip(1).any(|a| !a.starts_with("--")) {
        return;
    }
    let messages: u64 = std::env::var("WXCHECK_AUDIT_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let path = export(messages);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let out = path.with_file_name(format!("report-{messages}.out"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cmd = if Path::new("/usr/bin/time").exists() {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(env!("CARGO_BIN_EXE_wxcheck"));
        c
    } else {
        println!("(no /usr/bin/time: peak memory not measured; apt-get install time)");
        Command::new(env!("CARGO_BIN_EXE_wxcheck"))
    };
    cmd.current_dir(&root)
        .arg("audit")
        .arg(&path)
        .arg("--jsonl")
        .arg(out.with_extension("jsonl"))
        .arg("--csv")
        .arg(out.with_extension("csv"))
        .arg("--html")
        .arg(out.with_extension("html"));
    let start = Instant::now();
    let run = cmd.output().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let peak_kb: Option<u64> = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok());
    let field = |name: &str| -> Option<f64> {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    let cpu = field("User time (seconds):")
        .zip(field("System time (seconds):"))
        .map(|(u, s)| u + s);
    let Some(summary) = stderr.lines().find(|l| l.starts_with("汇总：")) else {
        panic!("the audit did not finish:\n{stderr}");
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "audit: {messages} messages, {:.0} MB, exit {:?}",
        bytes as f64 / 1e6,
        run.status.code()
    );
    println!("  {summary}");
    println!(
        "  {secs:.2} s end to end on {cores} cores: {:.0} messages/s, {:.0} MB/s",
        messages as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    if let Some(cpu) = cpu {
        // The machine is shared: wall time depends on what else runs, CPU
        // time much less. Messages per CPU-second times the cores is what an
        // idle machine of this kind would do, if the stages keep it busy.
        println!(
            "  CPU {cpu:.2} s ({:.0} % of {cores} cores): {:.0} messages per CPU-second",
            cpu / secs / cores as f64 * 100.0,
            messages as f64 / cpu
        );
    }
    match peak_kb {
        Some(kb) => println!("  peak memory (max RSS): {:.1} MB", kb as f64 / 1024.0),
        None => println!("  peak memory: not measured"),
    }
    for ext in ["jsonl", "csv", "html"] {
        let _ = std::fs::remove_file(out.with_extension(ext));
    }
}
