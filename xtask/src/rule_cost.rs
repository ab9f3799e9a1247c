//! What the rules cost on a phone, measured at build time.
//!
//! A pattern like `(a+)+b` is valid and passes its examples, yet on a long
//! draft of `a`s it kept a phone busy for seconds; a rule set of 100,000
//! words stalled the self-check page's start. Neither shows in the examples,
//! so the build measures: it times `RuleSet::check` natively on drafts made to
//! be hard for each pattern rule, and the rule set's construction (what the
//! page does on start), scales both to a phone and reports what is over
//! budget with file:line, rule id and the figures.
//!
//! The engine stays clock-free (it is the same code in wasm); all timing is
//! here. Measuring is cheap: drafts are screened at a twentieth of their full
//! length, and only a rule that looks slow is measured again at full length
//! for its report. For the handbook's 34 rules `check` takes about 30 ms
//! natively, half of it one construction of the rule set for the start figure.

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use regex_syntax::hir::{Class, Hir, HirKind};
use wxcheck::normalize::normalize;
use wxcheck::{Matcher, Rule, RuleSet};

use crate::diagnostics::Diagnostic;

/// Native time on this machine → time on a phone. The engine in wasm runs
/// about 4–5× slower than native code on the same machine (the benchmark of
/// `benches/check.rs` against the page's own timing), and a mid-range phone
/// is about 4× slower than this machine: 4.5 × 4 = 18.
pub const PHONE_FACTOR: f64 = 18.0;

/// The longest draft the page checks at once (UTF-16 units; the page reads it
/// from `checker-words.js`, see `wasm::words_script`).
pub const DRAFT_CHARS: usize = 20_000;

/// Drafts are first tried at this fraction of `DRAFT_CHARS`. Cost is linear
/// in length beyond a few hundred characters (a pattern match reaches at most
/// 150 bytes from its anchor), so the screen's figure times 20 is a fair
/// estimate of the full draft.
const SCREEN_CHARS: usize = DRAFT_CHARS / 20;

/// One rule on one full-length draft, on the phone.
const CHECK_WARN: Duration = Duration::from_millis(500);
const CHECK_ERROR: Duration = Duration::from_secs(3);
/// Building the rule set when the page starts, on the phone.
const START_WARN: Duration = Duration::from_secs(1);
const START_ERROR: Duration = Duration::from_secs(3);

/// Literal characters of a pattern tried in runs; more add time, not cover.
const MAX_LITERALS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Noticeably slow: the build goes on.
    Warning,
    /// Too slow to ship: the build fails.
    Error,
}

/// A rule (or the rule set) that is slow on the phone.
#[derive(Debug, Clone)]
pub struct Slow {
    pub level: Level,
    pub diagnostic: Diagnostic,
}

impl fmt::Display for Slow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Level::Warning => write!(f, "警告：{}", self.diagnostic),
            Level::Error => write!(f, "{}", self.diagnostic),
        }
    }
}

fn level(phone: Duration, warn: Duration, error: Duration) -> Option<Level> {
    if phone > error {
        Some(Level::Error)
    } else if phone > warn {
        Some(Level::Warning)
    } else {
        None
    }
}

fn on_phone(native: Duration) -> Duration {
    native.mul_f64(PHONE_FACTOR)
}

fn seconds(d: Duration) -> String {
    format!("{:.2} 秒", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.1} 毫秒", d.as_secs_f64() * 1000.0)
}

/// Measures every pattern rule and the rule set's construction; returns what
/// is over budget (nothing, normally).
pub fn check(rules: &RuleSet) -> Vec<Slow> {
    let mut out = Vec::new();
    for (i, rule) in rules.rules().iter().enumerate() {
        if let Matcher::Pattern { pattern, anchors } = &rule.matcher
            && let Some(slow) = check_pattern(rules, i, rule, pattern, anchors)
        {
            out.push(slow);
        }
    }
    out.extend(check_start(rules));
    out
}

/// The slowest of a pattern rule's hard drafts, if over budget.
fn check_pattern(
    rules: &RuleSet,
    index: usize,
    rule: &Rule,
    pattern: &str,
    anchors: &[String],
) -> Option<Slow> {
    let screen = Screen::new(rules, index)?;
    let (worst, estimate) = screen.worst(pattern, anchors)?;
    level(estimate, CHECK_WARN, CHECK_ERROR)?;
    // Looks slow: measure the worst draft at full length for the figures.
    let draft = worst.build(DRAFT_CHARS);
    let native = screen.time(&draft, 2);
    let phone = on_phone(native);
    let level = level(phone, CHECK_WARN, CHECK_ERROR)?;
    let sample: String = draft.chars().take(12).collect();
    let message = format!(
        "规则 {}：pattern 在构造的 {} 字草稿（「{sample}…」）上检查一次用时 {}（本机），\
         折合手机约 {}（按 {PHONE_FACTOR} 倍估算；上限 {}）。请简化 pattern：\
         避免嵌套的重复（如 (a+)+）和长的可重复范围，或把 anchors 改为更长、更少见的词",
        rule.id,
        DRAFT_CHARS,
        millis(native),
        seconds(phone),
        seconds(CHECK_WARN),
    );
    Some(Slow {
        level,
        diagnostic: Diagnostic::new(&rule.file, Some(rule.line_of("pattern")), message),
    })
}

/// One pattern rule alone, timed on drafts.
struct Screen {
    alone: RuleSet,
    context: wxcheck::Context,
}

impl Screen {
    fn new(rules: &RuleSet, index: usize) -> Option<Screen> {
        Some(Screen {
            alone: rules.only(index),
            context: *rules.rules()[index].contexts.first()?,
        })
    }

    /// The best of `runs` checks of `draft`: the machine is shared, and a
    /// pause of a few milliseconds must not pass for a slow rule.
    fn time(&self, draft: &str, runs: usize) -> Duration {
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(self.alone.check(draft, self.context));
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
    }

    /// The hardest draft at `SCREEN_CHARS`, and the time a full-length draft
    /// like it would take on the phone. A draft that looks slow is timed
    /// again before it counts.
    fn worst(&self, pattern: &str, anchors: &[String]) -> Option<(DraftKind, Duration)> {
        let scale = (DRAFT_CHARS / SCREEN_CHARS) as u32;
        let mut worst: Option<(DraftKind, Duration)> = None;
        for kind in draft_kinds(pattern, anchors) {
            let draft = kind.build(SCREEN_CHARS);
            let mut t = self.time(&draft, 1);
            if on_phone(t * scale) > CHECK_WARN {
                t = t.min(self.time(&draft, 3));
            }
            if worst.as_ref().is_none_or(|w| on_phone(t * scale) > w.1) {
                worst = Some((kind, on_phone(t * scale)));
            }
        }
        worst
    }
}

/// Building the rule set from its JSON, as the page does on start: the
/// native time and the phone estimate (timed again when it looks slow).
fn start_time(rules: &RuleSet) -> (Duration, Duration) {
    let json = rules.to_json();
    let time = || {
        let start = Instant::now();
        std::hint::black_box(RuleSet::from_json(&json).ok());
        start.elapsed()
    };
    let mut native = time();
    if on_phone(native) > START_WARN {
        native = native.min(time()).min(time());
    }
    (native, on_phone(native))
}

/// The rule set's start, if over budget.
fn check_start(rules: &RuleSet) -> Option<Slow> {
    let (native, phone) = start_time(rules);
    let level = level(phone, START_WARN, START_ERROR)?;
    let (biggest, words) = rules
        .rules()
        .iter()
        .map(|r| {
            let n = match &r.matcher {
                Matcher::Words { words } => words.len(),
                Matcher::Pattern { anchors, .. } => anchors.len(),
                Matcher::Validator { .. } => 0,
                Matcher::Near { parts, .. } => parts.iter().map(Vec::len).sum(),
            };
            (r, n + r.allow.len())
        })
        .max_by_key(|&(_, n)| n)?;
    let total: usize = rules
        .rules()
        .iter()
        .map(|r| match &r.matcher {
            Matcher::Words { words } => words.len(),
            Matcher::Near { parts, .. } => parts.iter().map(Vec::len).sum(),
            _ => 0,
        })
        .sum();
    let message = format!(
        "规则集合太大：自检工具启动时建立规则用时 {}（本机），折合手机约 {}（按 {PHONE_FACTOR} 倍估算；上限 {}）。\
         共 {total} 个词，最大的规则是 {}（{words} 个词）。请精简词表：删去重复、过长或极少出现的词",
        millis(native),
        seconds(phone),
        seconds(START_WARN),
        biggest.id,
    );
    Some(Slow {
        level,
        diagnostic: Diagnostic::new(&biggest.file, Some(biggest.line), message),
    })
}

/// A family of hard drafts for one pattern rule, any length.
#[derive(Debug)]
enum DraftKind {
    /// The anchors back to back: a match attempt at almost every character.
    Anchors(Vec<String>),
    /// Each anchor followed by a run of one character, long enough for every
    /// attempt to scan its whole window.
    Run(Vec<String>, char),
    /// Each anchor followed by one character: dense attempts, each fed the
    /// pattern's own material.
    Dense(Vec<String>, char),
}

impl DraftKind {
    fn build(&self, chars: usize) -> String {
        let mut s = String::new();
        let (mut i, mut n) = (0, 0);
        while n < chars {
            let anchor = match self {
                DraftKind::Anchors(a) | DraftKind::Run(a, _) | DraftKind::Dense(a, _) => {
                    &a[i % a.len()]
                }
            };
            s.push_str(anchor);
            n += anchor.chars().count();
            match self {
                DraftKind::Anchors(_) => {}
                DraftKind::Run(_, c) => {
                    s.extend(std::iter::repeat_n(*c, 160));
                    n += 160;
                }
                DraftKind::Dense(_, c) => {
                    s.push(*c);
                    n += 1;
                }
            }
            i += 1;
        }
        s.chars().take(chars).collect()
    }
}

fn draft_kinds(pattern: &str, anchors: &[String]) -> Vec<DraftKind> {
    let anchors: Vec<String> = anchors.iter().map(|a| normalize(a)).collect();
    let mut kinds = vec![DraftKind::Anchors(anchors.clone())];
    for c in literals(pattern) {
        kinds.push(DraftKind::Run(anchors.clone(), c));
        kinds.push(DraftKind::Dense(anchors.clone(), c));
    }
    kinds
}

/// Characters the pattern itself matches: its literals and the first
/// character of each class range, spread over the pattern, at most
/// `MAX_LITERALS`. Read with regex-syntax, whose syntax regex-lite shares.
fn literals(pattern: &str) -> Vec<char> {
    let mut found = BTreeSet::new();
    let mut order = Vec::new();
    if let Ok(hir) = regex_syntax::Parser::new().parse(pattern) {
        collect(&hir, &mut |c| {
            if !c.is_control() && found.insert(c) {
                order.push(c);
            }
        });
    }
    // Keep both ends and the middle of long lists.
    if order.len() > MAX_LITERALS {
        let step = order.len() as f64 / MAX_LITERALS as f64;
        order = (0..MAX_LITERALS)
            .map(|i| order[(i as f64 * step) as usize])
            .collect();
    }
    order
}

fn collect(hir: &Hir, add: &mut dyn FnMut(char)) {
    match hir.kind() {
        HirKind::Literal(lit) => String::from_utf8_lossy(&lit.0).chars().for_each(&mut *add),
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.ranges() {
                add(range.start());
            }
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Repetition(rep) => collect(&rep.sub, add),
        HirKind::Capture(cap) => collect(&cap.sub, add),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                collect(sub, add);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxcheck::SourceFile;

    /// Phone estimates for the report: each pattern rule's screened worst case
    /// on a full-length draft, then the rule set's start, and the native time
    /// the measuring itself took.
    /// `cargo test -p xtask -- --ignored rule_cost_figures --nocapture`.
    fn figures(rules: &RuleSet) -> Vec<(String, Duration)> {
        let begin = Instant::now();
        let mut out = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            if let Matcher::Pattern { pattern, anchors } = &rule.matcher
                && let Some((kind, phone)) =
                    Screen::new(rules, i).and_then(|s| s.worst(pattern, anchors))
            {
                let name = match kind {
                    DraftKind::Anchors(_) => "anchors".to_string(),
                    DraftKind::Run(_, c) => format!("run of {c}"),
                    DraftKind::Dense(_, c) => format!("anchor+{c}"),
                };
                out.push((format!("{} [{name}]", rule.id), phone));
            }
        }
        let (_, start) = start_time(rules);
        out.push(("（启动）".to_string(), start));
        out.push(("（测量本身，本机）".to_string(), begin.elapsed()));
        out
    }

    fn load(text: &str) -> RuleSet {
        RuleSet::load(&[SourceFile {
            name: "slow.toml".into(),
            text: text.into(),
        }])
        .unwrap()
    }

    /// A pathological pattern is reported with its line and figures; the
    /// ordinary rule beside it is not. (Asserts what is reported, never how
    /// long anything took.)
    #[test]
    fn reports_a_pathological_pattern() {
        let rules = load(include_str!("../tests/data/slow-rule.toml"));
        let slow = check(&rules);
        assert_eq!(slow.len(), 1, "{slow:#?}");
        assert_eq!(slow[0].level, Level::Error);
        let shown = slow[0].to_string();
        assert!(shown.contains("slow.toml:17:"), "{shown}");
        assert!(shown.contains("规则 nested-repeat："), "{shown}");
        assert!(shown.contains("折合手机约"), "{shown}");
    }

    /// Prints the figures for the handbook's rules (not an assertion: timing
    /// depends on the machine).
    #[test]
    #[ignore = "prints timings; run by hand"]
    fn rule_cost_figures() {
        let repo = crate::repo_root();
        let settings = crate::settings::Settings::load(&repo.join("book/settings.toml")).unwrap();
        let files: Vec<SourceFile> = std::fs::read_dir(repo.join("book/rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| SourceFile {
                name: p.display().to_string(),
                text: std::fs::read_to_string(&p).unwrap(),
            })
            .collect();
        let rules = RuleSet::load_with(&files, settings.values()).unwrap();
        let fixture = load(include_str!("../tests/data/slow-rule.toml"));
        for (what, t) in figures(&rules).into_iter().chain(figures(&fixture)) {
            println!("{what}: {}", millis(t));
        }
        let begin = Instant::now();
        let reported = check(&rules).len();
        println!(
            "check() on the handbook's rules: {} native, {reported} reported",
            millis(begin.elapsed())
        );
    }

    /// An oversized rule set is reported. 100,000 words took 3.2 s to start
    /// when it was found (aho-corasick's DFA); the double-array automaton
    /// builds them several times faster, so 300,000 words, still several
    /// times over the budget.
    #[test]
    fn reports_an_oversized_rule_set() {
        let words: Vec<String> = (0..300_000u32)
            .map(|i| {
                let c = |base: u32, n: u32| char::from_u32(base + n).unwrap();
                [c(0x4E00, i % 1000), c(0x5E00, i / 1000), '课']
                    .iter()
                    .collect()
            })
            .collect();
        // Straight to JSON: the TOML reader is not what is measured.
        let json = serde_json::json!({
            "allow": [],
            "rules": [{
                "id": "huge", "clause": "3.1.1", "severity": "revise",
                "contexts": ["public"], "message": "m", "suggestion": "s",
                "replacement": null, "words": words, "allow": [],
                "examples_flag": [&words[0]], "examples_pass": ["好"],
                "file": "slow.toml", "line": 1,
            }],
        });
        let rules = RuleSet::from_json(&json.to_string()).unwrap();
        let slow = check(&rules);
        assert_eq!(slow.len(), 1, "{slow:#?}");
        let shown = slow[0].to_string();
        assert!(shown.contains("规则集合太大"), "{shown}");
        assert!(shown.contains("slow.toml:1:"), "{shown}");
        assert!(shown.contains("共 300000 个词"), "{shown}");
    }

    #[test]
    fn hard_drafts_use_the_patterns_own_characters() {
        let pattern = "(密码|pwd)[ ]?(是|为)?[0-9a-z]{4,}";
        let kinds = draft_kinds(pattern, &["密码".into()]);
        let drafts: Vec<String> = kinds.iter().map(|k| k.build(200)).collect();
        assert!(drafts.iter().all(|d| d.chars().count() == 200));
        assert!(drafts[0].starts_with("密码密码"));
        let chars = literals(pattern);
        assert_eq!(chars.len(), MAX_LITERALS);
        assert_eq!(chars[..2], ['密', '码']);
        for c in chars {
            let run = format!("密码{}", c.to_string().repeat(4));
            assert!(drafts.iter().any(|d| d.starts_with(&run)), "{run}");
            let dense = format!("密码{c}密码{c}");
            assert!(drafts.iter().any(|d| d.starts_with(&dense)), "{dense}");
        }
        assert_eq!(literals("(a+)+b"), ['a', 'b']);
    }
}
