//! Errors in rules files and failing rule examples, phrased for the admin who
//! edits the rules: file, line, rule id, then what is wrong (Chinese).

use std::fmt;

/// A problem in a rules file. Loading reports all of them at once, so one
/// build shows everything the admin has to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub message: String,
}

impl RuleError {
    pub(crate) fn new(
        file: &str,
        line: Option<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) -> RuleError {
        RuleError {
            file: file.to_string(),
            line,
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for RuleError {
    /// `book/rules/x.toml:12: 规则 `foo`: …`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(rule) = &self.rule {
            write!(f, "规则 `{rule}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

/// A rule example that does not behave as its rule says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub file: String,
    pub line: usize,
    pub rule: String,
    pub example: String,
    /// True for a `must-flag` example that was not flagged, false for a
    /// `must-pass` example that was.
    pub must_flag: bool,
    /// The context in which it went wrong.
    pub context: crate::Context,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: 规则 `{}`: ", self.file, self.line, self.rule)?;
        if self.must_flag {
            write!(
                f,
                "must-flag 例句「{}」在场景 {} 下没有被本规则标记",
                self.example, self.context
            )
        } else {
            write!(
                f,
                "must-pass 例句「{}」在场景 {} 下被本规则标记了",
                self.example, self.context
            )
        }
    }
}

impl std::error::Error for ExampleFailure {}
