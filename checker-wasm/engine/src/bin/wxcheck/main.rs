//! `wxcheck`: the native command-line checker.
//!
//! Three modes. The default prints a compiler-style report for each file (or
//! stdin) so a writer sees exactly where a draft breaks which clause.
//! `--jsonl` checks one JSON draft per line, one result per line out.
//! `wxcheck audit` is the supervision group's (六（一）) audit of real chat
//! exports, with HTML, CSV and JSONL reports. Both bulk modes stream in input
//! order on every core in bounded memory.

mod audit;
mod bulk;
mod formats;
mod input;
mod links;
mod pipeline;
mod progress;
mod report_html;
mod report_text;

use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wxcheck::{Context, RuleSet, Settings, SourceFile, Verdict, parse_settings};

/// Every worker allocates small strings per message; glibc's allocator spent
/// a third of an audit in malloc/free and its locks.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
用法：wxcheck [选项] [文件…]
      wxcheck --jsonl [选项] < 草稿.jsonl
      wxcheck audit [选项] 导出文件… | -      （监督小组审计聊天记录，见 wxcheck audit --help）

按《微信管理制度》检查微信草稿，报告违反的条款、严重程度和修改建议。
不给文件时从标准输入读取；文件 `-` 也表示标准输入。

选项：
  --context <场景>   {contexts}（默认 public）
  --rules <路径>     规则文件或目录（默认 book/rules）；规则中的 {{名称}} 取自规则目录旁的 settings.toml
  --jsonl            批量模式，见下
  --threads <数量>   批量模式使用的线程数，1 到 256（默认为全部 CPU 核心）
  -h, --help         显示本帮助

默认模式的输出：每处问题一段，格式为“文件:行:列: 严重程度 条款 [规则]”，
下面是该行在问题前后各 40 个字符的片段（过长处以 … 省略）、标出位置的 ^、
问题说明和修改建议；最后一行是该文件的结论。

--jsonl 批量模式：
  输入：每行一个 JSON 对象 {\"id\":…,\"text\":\"…\",\"context\":\"customer\"}，
        context 可省略（用 --context 的值）；其他字段原样带到输出。
        可带 UTF-8 BOM；行以 LF、CRLF 或单独的 CR 分隔；一行最长 1 MiB（1048576 字节），
        更长的行不检查，输出错误记录。
  输出：每个输入行恰好一行，顺序与输入相同：
        {\"id\":…,其他字段…,\"line\":行号,\"verdict\":\"block\",\"findings\":[{\"rule\",\"clause\",
        \"severity\",\"start\",\"end\",\"text\",\"message\",\"suggestion\"}…]}
        空行输出 {\"id\":null,\"line\":行号,\"skipped\":\"空行\"}；
        无法读取的行输出 {\"id\":…,\"line\":行号,\"error\":\"…\"}，能看出 id 时带上 id。
        id 按原样输出（大整数不变）。start/end 按字符计。

退出状态：
  1  有任何“禁止发布”的问题（即使同时有无法读取的行或文件）；
  2  没有“禁止发布”，但有参数错误、无法读取的文件或无法读取的行；
  0  其他情况。
  输出被提前关闭（如 | head -1）时安静地结束。";

struct Args {
    context: Context,
    rules: PathBuf,
    jsonl: bool,
    threads: usize,
    files: Vec<PathBuf>,
}

enum ArgsError {
    Help(&'static str),
    Bad(String),
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads `--flag value` and `--flag=value` alike.
struct Flags<I: Iterator<Item = String>> {
    it: I,
}

impl<I: Iterator<Item = String>> Flags<I> {
    /// The next (flag, inline value) pair.
    fn next(&mut self) -> Option<(String, Option<String>)> {
        let a = self.it.next()?;
        Some(match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a, None),
        })
    }

    fn value(&mut self, flag: &str, inline: Option<String>) -> Result<String, ArgsError> {
        match inline {
            Some(v) => Ok(v),
            None => self
                .it
                .next()
                .ok_or_else(|| ArgsError::Bad(format!("选项 {flag} 需要一个值"))),
        }
    }
}

fn parse_threads(v: &str) -> Result<usize, ArgsError> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (1..=pipeline::MAX_THREADS).contains(n))
        .ok_or_else(|| {
            ArgsError::Bad(format!(
                "--threads 需要 1 到 {} 之间的整数，而不是 `{v}`",
                pipeline::MAX_THREADS
            ))
        })
}

fn parse_context(v: &str) -> Result<Context, ArgsError> {
    v.parse()
        .map_err(|e: wxcheck::ParseContextError| ArgsError::Bad(e.to_string()))
}

fn parse_args(it: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
    let mut args = Args {
        context: Context::Public,
        rules: PathBuf::from("book/rules"),
        jsonl: false,
        threads: default_threads(),
        files: Vec::new(),
    };
    let mut flags = Flags { it };
    while let Some((flag, inline)) = flags.next() {
        match flag.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help(USAGE)),
            "--context" => args.context = parse_context(&flags.value(&flag, inline)?)?,
            "--rules" => args.rules = PathBuf::from(flags.value(&flag, inline)?),
            "--threads" => args.threads = parse_threads(&flags.value(&flag, inline)?)?,
            "--jsonl" => args.jsonl = true,
            "--" => args.files.extend(flags.it.by_ref().map(PathBuf::from)),
            f if f.starts_with('-') && f != "-" => {
                return Err(ArgsError::Bad(format!("未知的选项 `{f}`")));
            }
            _ => args.files.push(PathBuf::from(flag)),
        }
    }
    if args.jsonl && !args.files.is_empty() {
        return Err(ArgsError::Bad(
            "--jsonl 模式只从标准输入读取，不接受文件参数".into(),
        ));
    }
    Ok(args)
}

const AUDIT_USAGE: &str = "\
用法：wxcheck audit [选项] 导出文件… | -

制度六（一）监督小组用：审计员工的微信聊天记录，给出可据以处理的报告。
文件 `-` 表示标准输入。多个文件按顺序读取，视为一次审计。

输入格式（自动识别，也可用 --format 指定）：
  wecom        企业微信会话内容存档（解密后），每行一个 JSON 对象
  wecom-array  同上，整个文件是一个 JSON 数组
               字段：msgid、action（send / recall / switch）、from、tolist、roomid（单聊为空）、
               msgtime（UTC 毫秒）、msgtype 及同名的消息体：text、mixed（各项 content 本身是
               JSON 字符串）、revoke、agree、link、chatrecord（转发的聊天记录，展开检查）、
               markdown、news 等，能取出文字的都检查；其余类型（图片、语音…）计为“按类型跳过”。
               以 _external 结尾的 msgid 或 wo/wm 开头的用户 ID 表示有外部联系人。
               重复的 msgid（重复拉取）只计一次；撤回的消息标为“已撤回”，不删除。
  memotrace    MemoTrace 式 CSV（UTF-8，可带 BOM）：localId, TalkerId, Type, SubType, IsSender,
               CreateTime, Status, StrContent, StrTime, Remark, NickName, Sender
  pywxdump     PyWxDump 式 CSV：id, MsgSvrID, type_name, is_sender, talker, room_name, msg, src,
               CreateTime
  jsonl        wxcheck 的 JSONL：{\"id\",\"text\",\"context\"}，其他字段原样带到输出（input）

审计谁：默认只审计员工发出的消息：IsSender=1 或 is_sender=1 的消息，或 from 在 --staff
  名单中的消息；企业微信存档没有名单时，非外部联系人（ID 不以 wo/wm 开头）都算员工。
  --all 也审计客户发出的消息。

场景（每条消息推断，--context 可统一指定）：
  与外部联系人单聊 → 客户私聊；有外部成员的群 → 家长群·学员群（该场景尚未上线，
  暂按最严格的“朋友圈·公众号”规则检查，报告中注明）；内部群或内部单聊 → 工作群。
  个人微信导出的 CSV 里，群（…@chatroom）都按有外部成员处理。

选项：
  --format <格式>        见上
  --staff <文件>         员工名单，每行一个 userid 或名称（# 开头为注释）
  --all                  也审计非员工发出的消息
  --context <场景>       public、customer、group：不推断，全部按此场景检查
  --html <文件>          写出 HTML 报告（单个文件，离线可看，适合手机）
  --csv <文件>           写出 CSV，每处问题一行（UTF-8 带 BOM，可用 Excel 打开）
  --jsonl <文件>         写出 JSONL，每条输入记录一行（- 为标准输出）
  --handbook-url <地址>  报告中条款链接的前缀（默认：从报告所在目录到 ./site/ 的相对路径，
                         即在仓库根目录运行 cargo xtask build 生成的手册）
  --rules <路径>         规则文件或目录（默认 book/rules）
  --threads <数量>       线程数，1 到 256（默认为全部 CPU 核心）
  -h, --help             显示本帮助

不给 --html/--csv/--jsonl 时，JSONL 写到标准输出。结束时在标准错误上给出一行汇总，
并列出前 20 条无法读取的记录（全部见报告和 JSONL）。
每条记录一般不超过 1 MiB；更长的记录不检查，计为无法读取并列出。
进度（已读条数、每秒条数）在标准错误是终端时显示。

退出状态：1 有任何“禁止发布”的消息（即使同时有无法读取的记录或文件）；
          2 参数错误，或没有“禁止发布”但有无法读取的文件或记录；0 其他情况。";

fn parse_audit_args(
    it: impl Iterator<Item = String>,
) -> Result<(audit::AuditArgs, PathBuf), ArgsError> {
    let mut a = audit::AuditArgs {
        files: Vec::new(),
        format: None,
        staff: None,
        all: false,
        context: None,
        html: None,
        csv: None,
        jsonl: None,
        handbook_url: None,
        threads: default_threads(),
    };
    let mut rules = PathBuf::from("book/rules");
    let mut flags = Flags { it };
    while let Some((flag, inline)) = flags.next() {
        match flag.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help(AUDIT_USAGE)),
            "--format" => {
                a.format = Some(
                    flags
                        .value(&flag, inline)?
                        .parse()
                        .map_err(|e: formats::ParseFormatError| ArgsError::Bad(e.to_string()))?,
                );
            }
            "--staff" => {
                let path = PathBuf::from(flags.value(&flag, inline)?);
                let text = input::read_small(&path).map_err(ArgsError::Bad)?;
                let list: HashSet<String> = text
                    .lines()
                    .map(|l| l.trim().trim_start_matches('\u{feff}'))
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect();
                if list.is_empty() {
                    return Err(ArgsError::Bad(format!(
                        "员工名单 `{}` 是空的：每行写一个 userid 或名称",
                        path.display()
                    )));
                }
                a.staff = Some(list);
            }
            "--all" => a.all = true,
            "--context" => a.context = Some(parse_context(&flags.value(&flag, inline)?)?),
            "--html" => a.html = Some(PathBuf::from(flags.value(&flag, inline)?)),
            "--csv" => a.csv = Some(PathBuf::from(flags.value(&flag, inline)?)),
            "--jsonl" => a.jsonl = Some(PathBuf::from(flags.value(&flag, inline)?)),
            "--handbook-url" => a.handbook_url = Some(flags.value(&flag, inline)?),
            "--rules" => rules = PathBuf::from(flags.value(&flag, inline)?),
            "--threads" => a.threads = parse_threads(&flags.value(&flag, inline)?)?,
            "--" => a.files.extend(flags.it.by_ref().map(PathBuf::from)),
            f if f.starts_with('-') && f != "-" => {
                return Err(ArgsError::Bad(format!(
                    "未知的选项 `{f}`（见 wxcheck audit --help）"
                )));
            }
            _ => a.files.push(PathBuf::from(flag)),
        }
    }
    if a.files.is_empty() {
        return Err(ArgsError::Bad(
            "请给出要审计的导出文件（或用 - 表示标准输入）".into(),
        ));
    }
    if a.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(ArgsError::Bad("标准输入 `-` 只能给一次".into()));
    }
    if a.html.is_none() && a.csv.is_none() && a.jsonl.is_none() {
        a.jsonl = Some(PathBuf::from("-"));
    }
    for o in [&a.html, &a.csv, &a.jsonl].into_iter().flatten() {
        if a.files.contains(o) && o.as_os_str() != "-" {
            return Err(ArgsError::Bad(format!(
                "输出文件 `{}` 也是输入文件",
                o.display()
            )));
        }
    }
    Ok((a, rules))
}

/// Reads the settings the rules' `{{name}}` references refer to:
/// `settings.toml` in the folder above the rules folder (the handbook's
/// layout, `book/settings.toml` beside `book/rules/`). Without one, a rule
/// that refers to a setting is reported as such by the loader.
fn load_settings(rules: &Path) -> Result<Settings, String> {
    let folder = if rules.is_dir() {
        rules
    } else {
        rules.parent().unwrap_or(rules)
    };
    let beside = folder.parent().unwrap_or(folder).join("settings.toml");
    if !beside.is_file() {
        return Ok(Settings::new());
    }
    let text = std::fs::read_to_string(&beside)
        .map_err(|e| format!("无法读取设置文件 `{}`：{e}", beside.display()))?;
    parse_settings(&beside.display().to_string(), &text).map_err(|e| e.to_string())
}

/// Reads the rules: every `*.toml` in a directory (sorted), or one file.
fn load_rules(path: &Path) -> Result<RuleSet, String> {
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
    let settings = load_settings(path)?;
    let rules = load_rule_files(&files, &settings)?;
    // The learned second opinion, when the rules directory has one.
    let model = path.join(wxcheck::learned::FILE_NAME);
    if !path.is_dir() || !model.is_file() {
        return Ok(rules);
    }
    let json = std::fs::read_to_string(&model)
        .map_err(|e| format!("无法读取 `{}`：{e}", model.display()))?;
    rules
        .with_learned_json(&model.display().to_string(), &json, &|_| true)
        .map_err(|e| e.to_string())
}

fn load_rule_files(files: &[SourceFile], settings: &wxcheck::Settings) -> Result<RuleSet, String> {
    RuleSet::load_with(files, settings).map_err(|errors| {
        let mut s = format!("规则文件有 {} 处错误：", errors.len());
        for e in errors {
            s.push_str(&format!("\n  {e}"));
        }
        s
    })
}

/// A reader that closed our output early (`| head -1`) is not an error: the
/// run just ends.
pub fn quiet_on_broken_pipe(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The outcome of one bulk record, for the exit status.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Checked,
    Blocked,
    Skipped,
    Bad,
}

/// The default mode; returns (blocked, some input unreadable).
fn run_files(args: &Args, rules: &RuleSet) -> Result<(bool, bool), String> {
    let (mut blocked, mut failed) = (false, false);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    for path in files {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let mut bytes = Vec::new();
        let read = input::open(&path).and_then(|mut r| r.read_to_end(&mut bytes));
        if let Err(e) = read {
            eprintln!("错误：无法读取 `{name}`：{e}。已跳过，继续检查其余文件。");
            failed = true;
            continue;
        }
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        if text.contains('\u{FFFD}') && std::str::from_utf8(&bytes).is_err() {
            eprintln!("注意：`{name}` 不是合法的 UTF-8，无法解码的字节按 � 检查。");
        }
        let report = rules.check(&text, args.context);
        blocked |= report.verdict == Verdict::Block;
        let written = out.write_all(report_text::report_text(&name, &text, &report).as_bytes());
        if let Err(e) = written {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return Ok((blocked, failed));
            }
            return Err(format!("无法写出结果：{e}"));
        }
    }
    Ok((blocked, failed))
}

fn status(blocked: bool, failed: bool) -> ExitCode {
    ExitCode::from(if blocked {
        1
    } else if failed {
        2
    } else {
        0
    })
}

/// The usage text with the contexts filled in from the engine (one source for
/// their names and labels).
fn usage_text(usage: &str) -> String {
    let contexts: Vec<String> = wxcheck::Context::ALL
        .iter()
        .map(|c| format!("{}（{}）", c.as_str(), c.label_zh()))
        .collect();
    usage.replace("{contexts}", &contexts.join("、"))
}

fn usage_error(m: &str, usage: &str) -> ExitCode {
    eprintln!("错误：{m}\n\n{}", usage_text(usage));
    ExitCode::from(2)
}

fn main_audit(it: impl Iterator<Item = String>) -> ExitCode {
    let (args, rules_path) = match parse_audit_args(it) {
        Ok(a) => a,
        Err(ArgsError::Help(u)) => {
            println!("{}", usage_text(u));
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Bad(m)) => return usage_error(&m, AUDIT_USAGE),
    };
    let rules = match load_rules(&rules_path) {
        Ok(r) => r,
        Err(m) => {
            eprintln!("错误：{m}");
            return ExitCode::from(2);
        }
    };
    let base = args
        .handbook_url
        .clone()
        .unwrap_or_else(|| match &args.html {
            Some(html) => links::relative_base(html, Path::new("site")),
            None => "site/".into(),
        });
    let links = links::ClauseLinks::beside_rules(&base, &rules_path);
    match audit::run(&rules, &args, &links) {
        Ok(t) => {
            let flagged: u64 = t
                .verdicts
                .iter()
                .filter(|(v, _)| **v != Verdict::Pass)
                .map(|(_, n)| n)
                .sum();
            eprintln!(
                "汇总：读取 {} 条，审计 {} 条（有问题 {flagged} 条，禁止发布 {} 条），按类型跳过 {}，按发送人跳过 {}，撤回 {}，重复 {}，无法读取 {}{}。",
                t.read,
                t.audited,
                t.verdicts.get(&Verdict::Block).copied().unwrap_or(0),
                t.skipped_types(),
                t.skipped_sender,
                t.recalled,
                t.duplicates,
                t.unreadable,
                if t.failed_files.is_empty() {
                    String::new()
                } else {
                    format!("；{} 个文件无法读取", t.failed_files.len())
                }
            );
            for (place, id, e) in t.bad.iter().take(20) {
                let id = id
                    .as_deref()
                    .map(|i| format!("（消息 {i}）"))
                    .unwrap_or_default();
                eprintln!("  无法读取：{place}{id}：{e}");
            }
            if t.bad.len() > 20 {
                eprintln!("  ……其余 {} 条见报告。", t.unreadable - 20);
            }
            status(t.blocked(), t.unreadable > 0 || !t.failed_files.is_empty())
        }
        Err(m) => {
            eprintln!("错误：{m}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.peek().is_some_and(|a| a == "audit") {
        argv.next();
        return main_audit(argv);
    }
    let args = match parse_args(argv) {
        Ok(a) => a,
        Err(ArgsError::Help(u)) => {
            println!("{}", usage_text(u));
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Bad(m)) => return usage_error(&m, USAGE),
    };
    let rules = match load_rules(&args.rules) {
        Ok(r) => r,
        Err(m) => {
            eprintln!("错误：{m}");
            return ExitCode::from(2);
        }
    };
    let result = if args.jsonl {
        input::open(Path::new("-"))
            .map_err(|e| format!("无法读取标准输入：{e}"))
            .and_then(|r| bulk::run(&rules, args.context, args.threads, r))
            .map(|t| (t.blocked, t.bad > 0))
    } else {
        run_files(&args, &rules)
    };
    match result {
        Ok((blocked, failed)) => status(blocked, failed),
        Err(m) => {
            eprintln!("错误：{m}");
            ExitCode::from(2)
        }
    }
}
