//! 新员工练习: the practice round's data, computed at build time.
//!
//! The drafts are the rules' own `must-flag` / `must-pass` examples and the
//! clean traps of the development corpus (`tests/corpus/*.toml`, never its
//! frozen blind part `tests/corpus/test/`). Each draft is checked here, with
//! the native engine, in the context it is shown in; the page only shows the
//! result. So the practice page needs no wasm and is instant on a phone, and
//! what it calls right is exactly what the self-check would say.
//!
//! Everything the reader sees comes from here or from the handbook: verdict
//! and severity labels from `wxcheck::model`, clause labels and links from the
//! clause index, the three answers and the page's own words from [`Answer`]
//! and [`WORDS`]. `book/assets/practice.js` holds no Chinese.
//!
//! Nothing here names a rule or a clause: a new rule with examples, a reworded
//! rule or a renumbered clause changes the data, not this code.
//!
//! # The script
//!
//! `practice-data.js` assigns `window.WX_PRACTICE` (a classic script: pages are
//! opened from `file://`, where nothing can be fetched):
//!
//! - `v`: [`FORMAT_VERSION`]; `edition`: `{version, sha256, released}` of the
//!   text the build renders (what the 阅读确认 cites); `rules`: the rule set's
//!   version.
//! - `answers`: `[{id, label}]` in button order; `verdicts`: `{pass: {label,
//!   answer, why}, …}`, the one mapping of verdicts to answers ([`answer_of`]);
//!   `severities`: `{block: label, …}`; `contexts`: `{public: label, …}`.
//! - `clauses`: `{"3.3.3": [label, url]}` for every clause a finding cites.
//! - `findings`: distinct `[clause, severity, message, suggestion]`.
//! - `items`: `[text, context, verdict, [[finding, start, end]…], source]`,
//!   offsets in UTF-16 units of `text`; `source` is [`Source`] as a number.
//! - `rounds`: item indexes, [`ROUND_SIZE`] per round (see [`rounds`]).
//! - `words`: the page's own words, `{placeholders}` filled in by the page.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::{Result, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};
use wxcheck::{Context, RuleSet, Severity, Verdict};

use crate::clauses::ClauseIndex;
use crate::handbook::Handbook;

/// The file the build writes at the site's root.
pub const FILE: &str = "practice-data.js";

/// Bumped when the shape of the script changes; `practice.js` checks it.
const FORMAT_VERSION: u32 = 1;

/// Drafts in one round.
pub const ROUND_SIZE: usize = 10;

/// `must-pass` examples shorter than this (in characters) are fragments
/// (`不保过`, `不保证`) that test a rule's edge, not drafts anyone would send;
/// they are left out of the practice.
const MIN_EXAMPLE_CHARS: usize = 6;

/// The reader's three answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Answer {
    /// 能发: may go to the department head's review as it is.
    Send,
    /// 要改: must be revised first.
    Fix,
    /// 不能发: must not go out as it is, not even to review.
    Stop,
}

impl Answer {
    /// In button order.
    pub const ALL: [Answer; 3] = [Answer::Send, Answer::Fix, Answer::Stop];

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Send => "send",
            Answer::Fix => "fix",
            Answer::Stop => "stop",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Answer::Send => "能发",
            Answer::Fix => "要改",
            Answer::Stop => "不能发",
        }
    }
}

/// The one place the engine's verdicts become the practice's three answers.
///
/// - `pass` and `advice` → 能发: nothing must change before the department
///   head's review (三（一）2), which every draft still goes to.
/// - `revise` → 要改: fixable; fix, then submit.
/// - `senior` → 不能发: it cannot be sent on the staff member's own say-so,
///   nor after the usual review; it needs senior management's approval first.
///   For someone in their first week that is "do not send it" — with its own
///   explanation ([`why`]), so the reader learns the approval route.
/// - `block` → 不能发.
///
/// The match is exhaustive: a new verdict fails to compile here until it is
/// given an answer.
pub fn answer_of(verdict: Verdict) -> Answer {
    match verdict {
        Verdict::Pass | Verdict::Advice => Answer::Send,
        Verdict::Revise => Answer::Fix,
        Verdict::Senior | Verdict::Block => Answer::Stop,
    }
}

/// Why a verdict is the answer it is: shown under the engine's verdict.
fn why(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => {
            "未命中自检规则，可以提交部门负责人审核后发布。自检只覆盖能自动识别的问题，发布前仍须经部门负责人审核。"
        }
        Verdict::Advice => {
            "只有修改建议，没有必须修改的问题：可以提交部门负责人审核后发布，采纳建议会更稳妥。"
        }
        Verdict::Revise => "有必须修改的问题：按修改建议改好后，再提交部门负责人审核。",
        Verdict::Senior => {
            "不能直接发：这类内容须先报公司高层审批，批准后才能发布，所以算“不能发”。"
        }
        Verdict::Block => "这类内容在这个场景里不能发：请删除，或换一种不涉及它的说法。",
    }
}

/// Every verdict, lowest first: `pass`, then one per severity.
fn verdicts() -> impl Iterator<Item = Verdict> {
    std::iter::once(Verdict::Pass).chain(Severity::ALL.map(Verdict::from))
}

/// The page's own words (everything else it shows comes from the data).
/// `{title}` is the book's title (`book.toml`), filled in here; the other
/// `{name}` placeholders are filled in by `practice.js`.
const WORDS: &[(&str, &str)] = &[
    ("progress", "第 {n} 题，共 {total} 题"),
    ("running_score", "已答对 {right} 题"),
    ("context", "发到：{context}"),
    ("question", "这条草稿能发吗？"),
    ("answers", "你的判断"),
    ("right", "答对了。"),
    ("wrong", "答错了：正确答案是“{answer}”。"),
    ("you_said", "你的答案：{answer}"),
    ("verdict", "自检结论：{verdict}"),
    ("why", "{why}"),
    ("findings", "自检发现的问题"),
    ("no_findings", "没有命中任何自检规则。"),
    ("severity", "严重程度：{severity}"),
    ("matched", "问题文字：{text}"),
    ("clause", "依据条款："),
    ("suggestion", "修改建议：{suggestion}"),
    ("next", "下一题"),
    ("finish", "看成绩"),
    ("score", "本组得分：{right} / {total}"),
    ("new_round", "换一组"),
    ("receipt", "阅读确认"),
    (
        "receipt_help",
        "填写姓名后可复制或下载阅读确认，发给带教老师或部门负责人。记录只在本机生成，不会发送到任何地方，也不会保存。",
    ),
    ("name", "姓名"),
    ("copy", "复制阅读确认"),
    ("download", "下载文本"),
    ("copied", "已复制阅读确认，可粘贴到聊天中。"),
    ("downloaded", "已下载阅读确认。"),
    (
        "copy_failed",
        "未能复制：请改用下载，或手动选中下面的文字复制。",
    ),
    ("need_name", "请先填写姓名。"),
    ("file_name", "阅读确认-{time}.txt"),
    ("r_title", "阅读确认：{title} · 新员工练习"),
    ("r_name", "姓名：{name}"),
    ("r_edition", "制度版本：第 {version} 版{draft}"),
    ("r_unreleased", "（尚未定版）"),
    ("r_sha", "正文 SHA-256：{sha256}"),
    ("r_score", "练习得分：{right} / {total}"),
    ("r_time", "完成时间：{time}"),
    ("time", "{date} {time}（{zone}）"),
    ("r_rules", "自检规则版本：{rules}"),
    ("r_note", "本记录在本机生成，未发送到任何地方。"),
];

/// Where a practice draft comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "u8")]
pub enum Source {
    /// A rule's `must-flag` example.
    Flag,
    /// A rule's `must-pass` example.
    Pass,
    /// A clean draft of the development corpus.
    Trap,
}

impl From<Source> for u8 {
    fn from(s: Source) -> u8 {
        s as u8
    }
}

/// A draft of the practice, checked.
#[derive(Clone, Debug)]
pub struct Item {
    pub text: String,
    pub context: Context,
    pub verdict: Verdict,
    pub source: Source,
    findings: Vec<(usize, usize, usize)>,
}

impl Item {
    pub fn answer(&self) -> Answer {
        answer_of(self.verdict)
    }
}

/// The kind the corpus gives a clean draft with no particular trap in it.
const PLAIN_CLEAN_KIND: &str = "clean-other";

/// A clean draft of the corpus that the practice may use.
pub struct Trap {
    pub text: String,
    pub context: Context,
}

/// The clean traps of the development corpus: drafts breaking no clause
/// (`clauses = []`) whose `kind` names a trap (`clean-negation`,
/// `clean-substring` …; files without kinds, such as `clean.toml`, are traps
/// throughout). `tests/corpus/test/` — the frozen blind part — is never read:
/// only the `*.toml` files directly in `dir`. A draft with a web address is
/// left out: the offline handbook carries no external address, not even as
/// text (the site test checks every asset), and the corpus's addresses are
/// made up.
pub fn read_traps(dir: &Path, shown_as: &str) -> Result<Vec<Trap>> {
    Ok(crate::corpus::read_development(dir, shown_as)?
        .into_iter()
        .filter(|d| {
            d.clauses.is_empty()
                && d.kind.as_deref() != Some(PLAIN_CLEAN_KIND)
                && !d.text.trim().is_empty()
                && !has_web_address(&d.text)
        })
        .map(|d| Trap {
            text: d.text,
            context: d.context,
        })
        .collect())
}

/// Does `text` carry a web address (`https://…`, `ftp://…`, `www.…`)?
fn has_web_address(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["http://", "https://", "ftp://", "www."]
        .iter()
        .any(|p| lower.contains(p))
}

/// The practice: every item, the findings they share, the rounds.
pub struct Practice {
    pub items: Vec<Item>,
    /// Distinct `(clause, severity, message, suggestion)`.
    findings: Vec<(String, Severity, String, String)>,
    pub rounds: Vec<Vec<usize>>,
    /// Clean traps left out because the engine flags them (a false alarm
    /// would teach the wrong answer), and fragments left out.
    pub false_alarms: usize,
    pub fragments: usize,
}

impl Practice {
    /// Checks every rule example (in one of the rule's contexts, taken in
    /// turn so each context gets its share) and every trap.
    pub fn build(rules: &RuleSet, traps: &[Trap]) -> Practice {
        let mut practice = Practice {
            items: Vec::new(),
            findings: Vec::new(),
            rounds: Vec::new(),
            false_alarms: 0,
            fragments: 0,
        };
        let mut seen: HashSet<(String, Context)> = HashSet::new();
        let mut finding_ids: BTreeMap<(String, Severity, String, String), usize> = BTreeMap::new();
        let mut candidates: Vec<(String, Context, Source)> = Vec::new();
        for rule in rules.rules() {
            if rule.contexts.is_empty() {
                continue;
            }
            let examples = rule
                .examples_flag
                .iter()
                .map(|e| (e, Source::Flag))
                .chain(rule.examples_pass.iter().map(|e| (e, Source::Pass)));
            for (i, (text, source)) in examples.enumerate() {
                if source == Source::Pass && text.chars().count() < MIN_EXAMPLE_CHARS {
                    practice.fragments += 1;
                    continue;
                }
                let context = rule.contexts[i % rule.contexts.len()];
                candidates.push((text.clone(), context, source));
            }
        }
        candidates.extend(
            traps
                .iter()
                .map(|t| (t.text.clone(), t.context, Source::Trap)),
        );
        for (text, context, source) in candidates {
            if !seen.insert((text.clone(), context)) {
                continue;
            }
            let report = rules.check(&text, context);
            if source == Source::Trap && answer_of(report.verdict) != Answer::Send {
                practice.false_alarms += 1;
                continue;
            }
            let findings = report
                .findings
                .iter()
                .map(|f| {
                    let key = (
                        f.clause.to_string(),
                        f.severity,
                        f.message.to_string(),
                        f.suggestion.to_string(),
                    );
                    let next = finding_ids.len();
                    let id = *finding_ids.entry(key.clone()).or_insert_with(|| {
                        practice.findings.push(key);
                        next
                    });
                    (id, utf16_offset(&text, f.start), utf16_offset(&text, f.end))
                })
                .collect();
            practice.items.push(Item {
                text,
                context,
                verdict: report.verdict,
                source,
                findings,
            });
        }
        practice.rounds = rounds(&practice.items);
        practice
    }

    /// The classic script `practice-data.js`.
    pub fn script(&self, handbook: &Handbook, title: &str) -> Result<String> {
        let json = serde_json::to_string(&self.payload(
            &handbook.clauses,
            &handbook.rules,
            &handbook.editions.current_version,
            &handbook.editions.current_sha256,
            handbook.editions.released,
            title,
        )?)?;
        Ok(format!(
            "// 新员工练习 data, generated by `cargo xtask build` (xtask/src/practice.rs). Do not edit.\n\
             window.WX_PRACTICE={json};\n"
        ))
    }

    fn payload(
        &self,
        clauses: &ClauseIndex,
        rules: &RuleSet,
        version: &str,
        sha256: &str,
        released: bool,
        title: &str,
    ) -> Result<serde_json::Value> {
        use serde_json::{Value, json};
        let mut cited = serde_json::Map::new();
        for (clause, ..) in &self.findings {
            let Some(c) = clauses.get(clause) else {
                bail!("练习数据：自检结果引用的条款 {clause} 在手册中不存在");
            };
            cited.insert(clause.clone(), json!([c.label, c.url()]));
        }
        let verdicts: serde_json::Map<String, Value> = verdicts()
            .map(|v| {
                (
                    v.as_str().to_string(),
                    json!({"label": v.label_zh(), "answer": answer_of(v).as_str(), "why": why(v)}),
                )
            })
            .collect();
        let severities: serde_json::Map<String, Value> = Severity::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), json!(s.label_zh())))
            .collect();
        let contexts: serde_json::Map<String, Value> = Context::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), json!(c.label_zh())))
            .collect();
        let words: serde_json::Map<String, Value> = WORDS
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.replace("{title}", title))))
            .collect();
        Ok(json!({
            "v": FORMAT_VERSION,
            "edition": {"version": version, "sha256": sha256, "released": released},
            "rules": rules.version(),
            "answers": Answer::ALL.map(|a| json!({"id": a.as_str(), "label": a.label_zh()})),
            "verdicts": verdicts,
            "severities": severities,
            "contexts": contexts,
            "clauses": cited,
            "findings": self.findings.iter().map(|(c, s, m, g)| json!([c, s.as_str(), m, g])).collect::<Vec<_>>(),
            "items": self.items.iter().map(|it| json!([
                it.text,
                it.context.as_str(),
                it.verdict.as_str(),
                it.findings.iter().map(|&(f, a, b)| json!([f, a, b])).collect::<Vec<_>>(),
                it.source,
            ])).collect::<Vec<_>>(),
            "rounds": self.rounds,
            "words": words,
        }))
    }

    /// One line for the build's output.
    pub fn summary(&self) -> String {
        let count = |s: Source| self.items.iter().filter(|i| i.source == s).count();
        let by_answer = Answer::ALL
            .map(|a| {
                let n = self.items.iter().filter(|i| i.answer() == a).count();
                format!("{} {n}", a.label_zh())
            })
            .join("、");
        format!(
            "  新员工练习：{} 题（规则例子 {}、语料陷阱 {}；{by_answer}），{} 组；\
             未收入：过短的通过例子 {}、自检误报的干净草稿 {}",
            self.items.len(),
            count(Source::Flag) + count(Source::Pass),
            count(Source::Trap),
            self.rounds.len(),
            self.fragments,
            self.false_alarms,
        )
    }
}

/// The practice script for `handbook`, with the clean traps of the
/// development corpus under `repo_root`; prints a summary line.
pub fn generate(repo_root: &Path, handbook: &Handbook, title: &str) -> Result<String> {
    let traps = read_traps(&repo_root.join("tests/corpus"), "tests/corpus")?;
    let practice = Practice::build(&handbook.rules, &traps);
    eprintln!("{}", practice.summary());
    practice.script(handbook, title)
}

/// Characters → UTF-16 units, the offsets JavaScript strings use.
fn utf16_offset(text: &str, chars: usize) -> usize {
    text.chars().take(chars).map(char::len_utf16).sum()
}

/// A stable pseudo-random key: the order of the practice does not change
/// when unrelated drafts are added or removed.
fn shuffle_key(item: &Item) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(item.context.as_str());
    hasher.update([0]);
    hasher.update(&item.text);
    hasher.finalize().into()
}

/// The rounds, each of [`ROUND_SIZE`] distinct items (fewer only when there
/// are fewer items), balanced across answers and contexts, until every item
/// has been in a round.
///
/// Each answer's items form a queue that takes the contexts in turn (every
/// context's items in [`shuffle_key`] order); a round takes its share of
/// each answer's queue, so the answers are as even as [`ROUND_SIZE`] allows
/// (4/3/3, the extra place going to each answer in turn) and consecutive
/// items of one answer come from different contexts. An answer with too few
/// items gives its place to the others. Within a round the items are in
/// [`shuffle_key`] order, so the answers are mixed.
pub fn rounds(items: &[Item]) -> Vec<Vec<usize>> {
    let queues: Vec<Vec<usize>> = Answer::ALL
        .iter()
        .map(|&answer| {
            let mut by_context: Vec<Vec<usize>> = Context::ALL
                .iter()
                .map(|&c| {
                    let mut ids: Vec<usize> = (0..items.len())
                        .filter(|&i| items[i].answer() == answer && items[i].context == c)
                        .collect();
                    ids.sort_by_key(|&i| shuffle_key(&items[i]));
                    ids.reverse(); // popped from the back
                    ids
                })
                .collect();
            let mut queue = Vec::new();
            while by_context.iter().any(|ids| !ids.is_empty()) {
                for ids in &mut by_context {
                    queue.extend(ids.pop());
                }
            }
            queue
        })
        .collect();
    let size = ROUND_SIZE.min(items.len());
    if size == 0 {
        return Vec::new();
    }
    let mut cursors = vec![0usize; queues.len()];
    let mut used = vec![false; items.len()];
    let mut unused = items.len();
    let mut rounds = Vec::new();
    while unused > 0 {
        let r = rounds.len();
        // Shares: even, the remainder to the answers in turn, capped by what
        // each answer has, the rest handed on to answers that have more.
        let mut shares: Vec<usize> = (0..queues.len())
            .map(|a| {
                let extra = usize::from(
                    (a + queues.len() - r % queues.len()) % queues.len() < size % queues.len(),
                );
                (size / queues.len() + extra).min(queues[a].len())
            })
            .collect();
        let mut missing = size - shares.iter().sum::<usize>();
        while missing > 0 {
            let before = missing;
            for (a, share) in shares.iter_mut().enumerate() {
                if missing > 0 && *share < queues[a].len() {
                    *share += 1;
                    missing -= 1;
                }
            }
            if missing == before {
                break;
            }
        }
        let mut round = Vec::with_capacity(size);
        for (a, &share) in shares.iter().enumerate() {
            for _ in 0..share {
                let id = queues[a][cursors[a] % queues[a].len()];
                cursors[a] += 1;
                if !used[id] {
                    used[id] = true;
                    unused -= 1;
                }
                round.push(id);
            }
        }
        round.sort_by_key(|&i| shuffle_key(&items[i]));
        rounds.push(round);
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every verdict has the answer the policy's workflow gives it; `senior`
    /// is not something a new hire may send on their own.
    #[test]
    fn verdicts_map_to_answers() {
        let table = [
            (Verdict::Pass, Answer::Send),
            (Verdict::Advice, Answer::Send),
            (Verdict::Revise, Answer::Fix),
            (Verdict::Senior, Answer::Stop),
            (Verdict::Block, Answer::Stop),
        ];
        assert_eq!(verdicts().count(), table.len(), "a verdict is missing here");
        for (verdict, answer) in table {
            assert_eq!(answer_of(verdict), answer, "{verdict}");
            assert!(!why(verdict).is_empty());
        }
        // Every answer is some verdict's: no button is never right.
        for answer in Answer::ALL {
            assert!(verdicts().any(|v| answer_of(v) == answer), "{answer:?}");
        }
    }

    /// A trap with a web address stays out of the offline handbook.
    #[test]
    fn web_addresses_are_found() {
        for (text, want) in [
            ("通知全文见 https://www.example-eea.cn/notice", true),
            ("官网 HTTP://EXAMPLE.CN", true),
            ("请登录 www.example.cn 查询", true),
            ("资料在 ftp://files.example.cn", true),
            ("报名请到前台，咨询电话 400-820-6688", false),
            ("邮箱 service@example-edu.cn", false),
        ] {
            assert_eq!(has_web_address(text), want, "{text}");
        }
    }

    fn item(text: &str, context: Context, verdict: Verdict) -> Item {
        Item {
            text: text.into(),
            context,
            verdict,
            source: Source::Flag,
            findings: Vec::new(),
        }
    }

    /// `n` items per (answer, context) pair, as (verdict per answer).
    fn pool(per: &[(Verdict, Context, usize)]) -> Vec<Item> {
        per.iter()
            .flat_map(|&(v, c, n)| (0..n).map(move |i| item(&format!("{v}-{c}-{i}"), c, v)))
            .collect()
    }

    /// (name, pool, rounds expected, per-round answer counts allowed)
    #[test]
    fn rounds_are_balanced_distinct_and_cover_everything() {
        use Context::*;
        use Verdict::*;
        let all = |v, n| Context::ALL.map(|c| (v, c, n)).to_vec();
        let cases: Vec<(&str, Vec<Item>, usize)> = vec![
            // 40 per answer: 4+3+3 a round, everything seen in 13–14 rounds.
            (
                "even",
                pool(&[all(Pass, 10), all(Revise, 10), all(Block, 10)].concat()),
                12,
            ),
            // One answer with few items: the others fill its place.
            (
                "few-stop",
                pool(&[all(Pass, 10), all(Revise, 10), vec![(Senior, Public, 2)]].concat()),
                11,
            ),
            // Fewer items than a round: one round of all of them.
            ("tiny", pool(&[(Pass, Group, 2), (Block, Public, 3)]), 1),
            ("empty", Vec::new(), 0),
        ];
        for (name, items, expected_rounds) in cases {
            let rounds = rounds(&items);
            assert_eq!(rounds.len(), expected_rounds, "{name}: rounds");
            let mut seen = vec![false; items.len()];
            for round in &rounds {
                assert_eq!(round.len(), ROUND_SIZE.min(items.len()), "{name}: size");
                let distinct: HashSet<_> = round.iter().collect();
                assert_eq!(distinct.len(), round.len(), "{name}: repeats in {round:?}");
                for &i in round {
                    seen[i] = true;
                }
                // Balanced: no answer exceeds its even share while another
                // answer that has items left is short of it.
                let counts =
                    Answer::ALL.map(|a| round.iter().filter(|&&i| items[i].answer() == a).count());
                let available =
                    Answer::ALL.map(|a| items.iter().filter(|i| i.answer() == a).count());
                let even = round.len().div_ceil(3);
                for a in 0..3 {
                    if counts[a] > even {
                        for b in 0..3 {
                            assert!(
                                counts[b] >= available[b].min(even - 1),
                                "{name}: unbalanced {counts:?} in {round:?}"
                            );
                        }
                    }
                }
            }
            assert!(seen.iter().all(|&s| s), "{name}: an item never comes up");
        }
    }

    /// The items of one answer in one round come from different contexts
    /// while the pool has them.
    #[test]
    fn an_answers_items_in_a_round_take_the_contexts_in_turn() {
        let items = pool(
            &[Verdict::Pass, Verdict::Revise, Verdict::Block]
                .iter()
                .flat_map(|&v| Context::ALL.map(|c| (v, c, 5)))
                .collect::<Vec<_>>(),
        );
        for round in rounds(&items) {
            for answer in Answer::ALL {
                let contexts: Vec<Context> = round
                    .iter()
                    .filter(|&&i| items[i].answer() == answer)
                    .map(|&i| items[i].context)
                    .collect();
                let distinct: HashSet<_> = contexts.iter().collect();
                assert_eq!(distinct.len(), contexts.len(), "{answer:?}: {contexts:?}");
            }
        }
    }

    #[test]
    fn offsets_are_utf16() {
        let table = [("abc", 2, 2), ("💪好", 1, 2), ("💪好", 2, 3), ("好", 5, 1)];
        for (text, chars, units) in table {
            assert_eq!(utf16_offset(text, chars), units, "{text} {chars}");
        }
    }

    fn rules(toml: &str) -> RuleSet {
        RuleSet::load(&[wxcheck::SourceFile {
            name: "book/rules/test.toml".into(),
            text: toml.into(),
        }])
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    const RULES: &str = r#"
[[rule]]
id = "promise"
clause = "3.1.1"
severity = "revise"
contexts = ["public", "customer"]
message = "承诺"
suggestion = "删除"
words = ["包过"]
must-flag = ["暑期班包过", "💪包过！"]
must-pass = ["不包", "课程安排已经发到群里了"]

[[rule]]
id = "secret"
clause = "3.3.1"
severity = "block"
contexts = ["group"]
message = "泄密"
suggestion = "删除"
words = ["内部价"]
must-flag = ["内部价八折"]
must-pass = ["本月报名享八折优惠"]
"#;

    /// An admin's ordinary edit (a new rule with examples) changes the
    /// items and nothing else; fragments are left out; traps the engine
    /// flags are left out and counted; offsets are UTF-16.
    #[test]
    fn items_come_from_examples_and_traps() {
        let traps = [
            Trap {
                text: "本周六开放日，欢迎家长来校参观。".into(),
                context: Context::Parents,
            },
            Trap {
                text: "我们从不说包过".into(),
                context: Context::Public,
            },
        ];
        let practice = Practice::build(&rules(RULES), &traps);
        let got: Vec<(&str, Context, Verdict, Source)> = practice
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.context, i.verdict, i.source))
            .collect();
        assert_eq!(
            got,
            [
                ("暑期班包过", Context::Public, Verdict::Revise, Source::Flag),
                ("💪包过！", Context::Customer, Verdict::Revise, Source::Flag),
                (
                    "课程安排已经发到群里了",
                    Context::Customer,
                    Verdict::Pass,
                    Source::Pass
                ),
                ("内部价八折", Context::Group, Verdict::Block, Source::Flag),
                (
                    "本月报名享八折优惠",
                    Context::Group,
                    Verdict::Pass,
                    Source::Pass
                ),
                (
                    "本周六开放日，欢迎家长来校参观。",
                    Context::Parents,
                    Verdict::Pass,
                    Source::Trap
                ),
            ]
        );
        assert_eq!((practice.fragments, practice.false_alarms), (1, 1));
        // 💪 is two UTF-16 units: 包过 is at 2..4.
        assert_eq!(practice.items[1].findings.len(), 1);
        let (_, start, end) = practice.items[1].findings[0];
        assert_eq!((start, end), (2, 4));
        assert_eq!(
            practice.rounds,
            vec![{
                let mut r: Vec<usize> = (0..6).collect();
                r.sort_by_key(|&i| shuffle_key(&practice.items[i]));
                r
            }]
        );
    }

    /// Only the top folder of the corpus is read: the blind test part is
    /// never opened. Drafts with clauses and plain clean drafts are skipped;
    /// a bad context is an error at its line.
    #[test]
    fn traps_are_read_from_the_development_corpus_only() {
        let dir = std::env::temp_dir().join(format!("xtask-practice-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("test")).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write(
            "dev.toml",
            "[[draft]]\ncontext = \"public\"\nclauses = []\nkind = \"clean-negation\"\ntext = \"不包过\"\n\n\
             [[draft]]\ncontext = \"group\"\nclauses = []\nkind = \"clean-other\"\ntext = \"开会\"\n\n\
             [[draft]]\ncontext = \"group\"\nclauses = [\"3.3.1\"]\ntext = \"内部价\"\n\n\
             [[draft]]\ncontext = \"parents\"\nclauses = []\ntext = \"开放日\"\n",
        );
        write(
            "test/blind.toml",
            "[[draft]]\ncontext = \"public\"\nclauses = []\ntext = \"盲测\"\n",
        );
        let traps = read_traps(&dir, "tests/corpus").unwrap();
        let got: Vec<(&str, Context)> =
            traps.iter().map(|t| (t.text.as_str(), t.context)).collect();
        assert_eq!(
            got,
            [("不包过", Context::Public), ("开放日", Context::Parents)]
        );

        write(
            "bad.toml",
            "[[draft]]\ncontext = \"wechat\"\nclauses = []\ntext = \"x\"\n",
        );
        let err = format!("{:#}", read_traps(&dir, "tests/corpus").err().unwrap());
        assert!(
            err.contains("tests/corpus/bad.toml:2: 未知的场景 `wechat`"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// An admin's ordinary edits to the live rules — a new rule with
    /// examples, a reworded message — show up in the practice with no change
    /// here: the new rule's examples become items explained by its message
    /// and its clause's label and link; the old wording is gone.
    #[test]
    fn admin_edits_reach_the_practice_unchanged() {
        let root = crate::repo_root();
        let book = root.join("book");
        let md = crate::sources::load_book(&book).unwrap();
        let handbook = Handbook::analyse(&book, &md.book).unwrap();
        let settings = crate::settings::Settings::load(&book.join("settings.toml")).unwrap();
        let mut files: Vec<wxcheck::SourceFile> = std::fs::read_dir(book.join("rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|p| wxcheck::SourceFile {
                name: p.display().to_string(),
                text: std::fs::read_to_string(&p).unwrap(),
            })
            .collect();
        // Reword the first message of the first file that has one.
        let (file, old) = files
            .iter()
            .enumerate()
            .find_map(|(i, f)| {
                let line = f.text.lines().find(|l| l.starts_with("message = \""))?;
                Some((i, line.to_string()))
            })
            .unwrap();
        files[file].text =
            files[file]
                .text
                .replacen(&old, "message = \"改写后的说明：练习随规则更新。\"", 1);
        files.push(wxcheck::SourceFile {
            name: "book/rules/zz-new.toml".into(),
            text: r#"
[[rule]]
id = "practice-new-rule"
clause = "3.1.1"
severity = "revise"
contexts = ["parents"]
message = "新增规则的说明：不得写“稳拿奖学金”。"
suggestion = "删除“稳拿奖学金”的说法。"
words = ["稳拿奖学金"]
must-flag = ["报我们的班，孩子稳拿奖学金"]
must-pass = ["奖学金评选办法见学校通知"]
"#
            .into(),
        });
        let rules =
            RuleSet::load_with(&files, settings.values()).unwrap_or_else(|e| panic!("{e:?}"));
        let practice = Practice::build(&rules, &[]);
        let clause = handbook.clauses.get("3.1.1").unwrap();
        let payload = practice
            .payload(&handbook.clauses, &rules, "9.9", "ab", false, "员工手册")
            .unwrap();
        let json = payload.to_string();
        let item = practice
            .items
            .iter()
            .find(|i| i.text == "报我们的班，孩子稳拿奖学金")
            .expect("the new rule's must-flag example is an item");
        assert_eq!(
            (item.context, item.answer()),
            (Context::Parents, Answer::Fix)
        );
        assert!(
            practice
                .items
                .iter()
                .any(|i| i.text == "奖学金评选办法见学校通知")
        );
        assert!(json.contains("新增规则的说明"), "the new rule's message");
        assert!(json.contains(&format!("[\"{}\",\"{}\"]", clause.label, clause.url())));
        assert!(
            json.contains("改写后的说明：练习随规则更新。"),
            "the reworded message"
        );
        let old_message = old.trim_start_matches("message = \"").trim_end_matches('"');
        // (Unless another rule says the same.)
        if !rules.rules().iter().any(|r| *r.message == *old_message) {
            assert!(
                !json.contains(old_message),
                "the old wording is gone: {old_message}"
            );
        }
    }

    /// The live handbook: every answer has items, every round is full, and
    /// the page's words hold no placeholder the page does not fill.
    #[test]
    fn the_live_handbook_gives_a_full_practice() {
        let root = crate::repo_root();
        let book = root.join("book");
        let md = crate::sources::load_book(&book).unwrap();
        let handbook = Handbook::analyse(&book, &md.book).unwrap();
        let traps = read_traps(&root.join("tests/corpus"), "tests/corpus").unwrap();
        let practice = Practice::build(&handbook.rules, &traps);
        for answer in Answer::ALL {
            assert!(
                practice
                    .items
                    .iter()
                    .filter(|i| i.answer() == answer)
                    .count()
                    >= 10,
                "{answer:?}"
            );
        }
        assert!(practice.items.iter().any(|i| i.source == Source::Trap));
        assert!(practice.rounds.iter().all(|r| r.len() == ROUND_SIZE));
        let script = practice.script(&handbook, "员工<手册>").unwrap();
        assert!(script.starts_with("// ") && script.contains("window.WX_PRACTICE={"));
        assert!(script.contains("阅读确认：员工<手册> · 新员工练习"));
    }
}
