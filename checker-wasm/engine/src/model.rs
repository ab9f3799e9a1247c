//! The vocabulary shared by the engine, the CLI and the page: where a draft goes,
//! how serious a finding is, and what the policy's workflow makes of it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Where a draft is going. Rules say in which contexts they apply, because the
/// same words mean different things: a phone number in a staff group is a
/// 5.3.2 matter, in a 朋友圈 post a 3.3.3 one.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// 朋友圈, 公众号, 群发 — anything the public sees. The default, being the strictest.
    #[default]
    Public,
    /// One-to-one with a student or parent.
    Customer,
    /// An internal work group.
    Group,
    /// 家长群·学员群: a group with customers in it, the commonest channel in
    /// this trade. Customers read it (so the publishing rules apply, as in
    /// public), and it holds many families' data (so personal data is as
    /// serious as in public), but it is a conversation with customers too
    /// (the communication rules of 四 apply, as in customer).
    Parents,
}

impl Context {
    /// Every context, in display order.
    pub const ALL: [Context; 4] = [
        Context::Public,
        Context::Customer,
        Context::Parents,
        Context::Group,
    ];

    /// The label staff see.
    pub fn label_zh(self) -> &'static str {
        match self {
            Context::Public => "朋友圈·公众号",
            Context::Customer => "客户私聊",
            Context::Group => "工作群",
            Context::Parents => "家长群·学员群",
        }
    }

    /// The name used in rules files, JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Public => "public",
            Context::Customer => "customer",
            Context::Group => "group",
            Context::Parents => "parents",
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown context name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseContextError(pub String);

impl fmt::Display for ParseContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "未知的场景 `{}`（可选：public、customer、parents、group）",
            self.0
        )
    }
}

impl std::error::Error for ParseContextError {}

impl FromStr for Context {
    type Err = ParseContextError;
    fn from_str(s: &str) -> Result<Context, ParseContextError> {
        match s {
            "public" => Ok(Context::Public),
            "customer" => Ok(Context::Customer),
            "group" => Ok(Context::Group),
            "parents" => Ok(Context::Parents),
            _ => Err(ParseContextError(s.to_string())),
        }
    }
}

/// How serious one finding is. Ordered: `Advice` is the lowest, so the verdict
/// is simply the maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A suggestion (5.1.3, 5.2.2, 4.2.2); the draft may go to review as is.
    Advice,
    /// Must be fixed before review (3.1.1, 3.2.x).
    Revise,
    /// Needs senior management's approval (3.1.3).
    Senior,
    /// Must not be published at all (3.3.x, 5.3.2, 2.2.1, 2.3.2).
    Block,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Advice,
        Severity::Revise,
        Severity::Senior,
        Severity::Block,
    ];

    /// The label staff see.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Advice => "建议",
            Severity::Revise => "需修改",
            Severity::Senior => "需高层审批",
            Severity::Block => "禁止发布",
        }
    }

    /// The name used in rules files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::Revise => "revise",
            Severity::Senior => "senior",
            Severity::Block => "block",
        }
    }
}

/// An unknown severity name (the message lists the valid ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSeverityError(pub String);

impl fmt::Display for ParseSeverityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "未知的严重程度 `{}`（可选：{}）",
            self.0,
            names.join("、")
        )
    }
}

impl std::error::Error for ParseSeverityError {}

impl FromStr for Severity {
    type Err = ParseSeverityError;
    fn from_str(s: &str) -> Result<Severity, ParseSeverityError> {
        Severity::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| ParseSeverityError(s.to_string()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the policy's workflow (三（一）2–3) makes of a draft: the highest
/// severity found, or `Pass`. Even `Pass` still goes to the department head,
/// which is why its label says so instead of "OK".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing found.
    Pass,
    /// Only advice.
    Advice,
    /// Something must be revised.
    Revise,
    /// Senior approval needed.
    Senior,
    /// Must not be published.
    Block,
}

/// The clause that sends every draft to the department head before it is
/// published, and asks for a review record (三（一）2).
pub const REVIEW_CLAUSE: &str = "3.1.2";
/// The clause that sends major decisions and important business information to
/// senior management (三（一）3).
pub const SENIOR_CLAUSE: &str = "3.1.3";

impl Verdict {
    /// Every verdict, lowest first (as [`Severity::ALL`], with `Pass` below it).
    pub const ALL: [Verdict; 5] = [
        Verdict::Pass,
        Verdict::Advice,
        Verdict::Revise,
        Verdict::Senior,
        Verdict::Block,
    ];

    /// What the writer does next, in the policy's workflow. A clean result
    /// says only what the checker knows: that no rule matched, and that the
    /// checker covers only what can be recognised automatically.
    pub fn next_step_zh(self) -> String {
        let review = crate::clause_label(REVIEW_CLAUSE).unwrap_or_else(|| REVIEW_CLAUSE.into());
        let senior = crate::clause_label(SENIOR_CLAUSE).unwrap_or_else(|| SENIOR_CLAUSE.into());
        let block = Verdict::Block.label_zh();
        match self {
            Verdict::Block => format!(
                "草稿含有制度禁止发布的内容：删除或改写下列「{block}」各项之前，不得发布，也不要提交审核。"
            ),
            Verdict::Senior => format!(
                "草稿涉及重大决策或重要经营信息：须报公司高层审批（{senior}），批准后方可发布。"
            ),
            Verdict::Revise => "请按下列建议修改草稿，修改后再提交部门负责人审核。".to_string(),
            Verdict::Advice => format!(
                "未发现必须修改的问题，下列建议请酌情采纳；发布前仍须经部门负责人审核（{review}）。"
            ),
            Verdict::Pass => format!(
                "未命中自检规则；自检只覆盖能自动识别的问题，其余要靠人判断。按{review}，发布前仍须经部门负责人审核。"
            ),
        }
    }

    /// The label staff see.
    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Pass => "可提交部门负责人审核",
            Verdict::Advice => "可提交审核（有建议）",
            Verdict::Revise => "修改后再提交审核",
            Verdict::Senior => "需高层审批",
            Verdict::Block => "禁止发布",
        }
    }

    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Advice => "advice",
            Verdict::Revise => "revise",
            Verdict::Senior => "senior",
            Verdict::Block => "block",
        }
    }

    /// The verdict for a set of severities: the highest one, or `Pass`.
    pub fn from_severities(it: impl IntoIterator<Item = Severity>) -> Verdict {
        it.into_iter().max().map_or(Verdict::Pass, Verdict::from)
    }
}

impl From<Severity> for Verdict {
    fn from(s: Severity) -> Verdict {
        match s {
            Severity::Advice => Verdict::Advice,
            Severity::Revise => Verdict::Revise,
            Severity::Senior => Verdict::Senior,
            Severity::Block => Verdict::Block,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with a draft. Offsets count characters (Unicode scalar
/// values) of the *original* text, whatever normalisation matched.
///
/// The texts that come from the rule are shared with it (`Arc<str>`): a
/// harsh draft has a finding every 150 bytes, and copying four strings for
/// each was a sixth of the engine's time in allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's id (kebab-case).
    pub rule: Arc<str>,
    /// The handbook clause, e.g. `3.3.3`.
    pub clause: Arc<str>,
    pub severity: Severity,
    /// What is wrong and why (Chinese).
    pub message: Arc<str>,
    /// How to fix it (Chinese).
    pub suggestion: Arc<str>,
    /// Text to put in place of `[start, end)`, when the rule has one
    /// (a phone number masked as `138****5678`).
    pub replacement: Option<Arc<str>>,
    pub start: usize,
    pub end: usize,
    /// The original text of `[start, end)`.
    pub text: String,
}

/// The result of checking one draft: findings in text order and the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

impl Report {
    /// Is this the right report for a labelled draft that breaks `clauses`
    /// (none: clean)? The accuracy corpus's one measure (issue 10): a clean
    /// draft is right below `revise` (advice is allowed), a violation when a
    /// finding cites one of its clauses, at any severity.
    pub fn is_right<S: AsRef<str>>(&self, clauses: &[S]) -> bool {
        if clauses.is_empty() {
            self.verdict < Verdict::Revise
        } else {
            self.findings
                .iter()
                .any(|f| clauses.iter().any(|c| c.as_ref() == &*f.clause))
        }
    }
}

/// A rules file's name (as shown in errors, e.g. `book/rules/publishing.toml`)
/// and its text. The engine never touches the file system, so callers read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_back_from_their_names_and_nothing_else() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        }
        for bad in ["", "Block", "high", "禁止发布"] {
            let err = bad.parse::<Severity>().unwrap_err();
            assert!(
                err.to_string().contains("advice、revise、senior、block"),
                "{err}"
            );
        }
    }

    #[test]
    fn verdicts_follow_severities_and_next_steps_cite_clauses_by_label() {
        let from: Vec<Verdict> = Severity::ALL.into_iter().map(Verdict::from).collect();
        assert_eq!(&Verdict::ALL[1..], &from[..]);
        let review = crate::clause_label(REVIEW_CLAUSE).unwrap();
        let senior = crate::clause_label(SENIOR_CLAUSE).unwrap();
        // (verdict, the clause its next step cites, or None)
        for (verdict, cites) in [
            (Verdict::Pass, Some(&review)),
            (Verdict::Advice, Some(&review)),
            (Verdict::Revise, None),
            (Verdict::Senior, Some(&senior)),
            (Verdict::Block, None),
        ] {
            let next = verdict.next_step_zh();
            if let Some(label) = cites {
                assert!(next.contains(label.as_str()), "{verdict}: {next}");
            }
        }
        assert!(!Verdict::Pass.next_step_zh().contains("未发现违反"));
    }
}
