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
    /// `book/rules/x.toml:12: 规则 foo：…`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(rule) = &self.rule {
            write!(f, "规则 {rule}：")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

/// A rule example that does not behave as its rule says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub file: String,
    /// The example's own line (the rule's line for rules read from JSON).
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
        write!(f, "{}:{}: 规则 {}：", self.file, self.line, self.rule)?;
        if self.must_flag {
            write!(
                f,
                "must-flag 例句「{}」在场景 {} 下没有被本规则标记：\
                 请补充规则的 words 或 pattern 使它命中，或把这句移到 must-pass",
                self.example, self.context
            )
        } else {
            write!(
                f,
                "must-pass 例句「{}」在场景 {} 下被本规则标记了：\
                 请在规则的 allow 中加入包含命中词的无害短语，或把这句移到 must-flag",
                self.example, self.context
            )
        }
    }
}

impl std::error::Error for ExampleFailure {}

/// A TOML syntax error explained for the admin: the 1-based line it is on
/// and a Chinese message saying what is wrong and what to do.
///
/// toml's messages are English and name grammar terms (`std-table close`);
/// the common ones are mapped here by their leading description, the rest get
/// a generic Chinese lead with the original message after it. Used for rules
/// files and, by the xtask, for `book/settings.toml`.
pub fn explain_toml_error(text: &str, error: &toml::de::Error) -> (Option<usize>, String) {
    let line = error.span().map(|s| line_of(text, s.start));
    let original = error.message();
    // What the parser stumbled on, when it is a single character: full-width
    // quotes and commas typed by a Chinese input method are the usual culprit.
    let found = error
        .span()
        .and_then(|s| text.get(s.start..).and_then(|t| t.chars().next()));
    let hint = match found {
        Some('“' | '”' | '‘' | '’') => "（这里是中文引号，TOML 只认英文引号 \" 或 '）",
        Some('，') => "（这里是中文逗号“，”，TOML 只认英文逗号 ,）",
        Some('＝') => "（这里是全角等号“＝”，请改为英文 =）",
        Some('［' | '］') => "（这里是全角方括号，请改为英文 [ ]）",
        _ => "",
    };
    let message = match TOML_ERRORS
        .iter()
        .find(|(prefixes, _, _)| prefixes.iter().any(|p| original.starts_with(p)))
    {
        Some((_, what, fix)) => format!("TOML 格式错误：{what}{hint}。{fix}"),
        None => format!(
            "TOML 格式错误{hint}（原文：{original}）。请对照上下行的写法检查这一行：\
             每行写成 键 = 值，文字用英文引号括起，数组写成 [\"甲\", \"乙\"]"
        ),
    };
    (line, message)
}

/// toml's error descriptions (message prefixes) → what is wrong, what to do.
const TOML_ERRORS: &[(&[&str], &str, &str)] = &[
    (
        &[
            "unclosed array table",
            "unclosed table",
            "missing table open",
        ],
        "表头没有写完整",
        "规则的表头请写成 [[rule]]（两层英文方括号，单独占一行）",
    ),
    (
        &["unclosed array", "missing array opening"],
        "数组缺少方括号",
        "数组请写成 [\"甲\", \"乙\"]：以 [ 开始、以 ] 结束，可以跨多行",
    ),
    (
        &["missing comma between array elements"],
        "数组的两个元素之间缺少逗号",
        "请在相邻两个元素之间加上英文逗号 ,",
    ),
    (
        &["extra comma in array", "unexpected `=` in array"],
        "数组里有多余的逗号或等号",
        "数组里只写用英文逗号分隔的值，删去多余的符号",
    ),
    (
        &[
            "unclosed inline table",
            "missing inline table opening",
            "missing comma between key-value pairs",
            "missing key for inline table element",
            "extra comma in inline table",
            "invalid inline table element",
        ],
        "花括号 { … } 的写法不对",
        "规则文件里不需要 { }；如确需使用，请写成 { 键 = 值, 键 = 值 } 并放在同一行",
    ),
    (
        &[
            "string values must be quoted",
            "missing opening quote",
            "invalid value",
            "missing value",
        ],
        "值没有用引号括起来，或缺少值",
        "文字请用英文引号括起，例如 severity = \"block\"；列表写成 [\"甲\", \"乙\"]",
    ),
    (
        &[
            "invalid basic string",
            "invalid multi-line basic string",
            "invalid literal string",
            "invalid multi-line literal string",
            "invalid string",
        ],
        "字符串没有正确结束，或含有不允许的字符",
        "请检查这一行的引号是否成对（结尾也要有英文引号），需要换行时用三个引号 \"\"\"…\"\"\"",
    ),
    (
        &[
            "missing escaped value",
            "too few unicode value digits",
            "invalid escape",
        ],
        "反斜杠 \\ 后面的转义写法不对",
        "文字里要写反斜杠时请写成 \\\\，或改用单引号 '…' 括起（正则 pattern 建议一律用单引号）",
    ),
    (
        &["duplicate key"],
        "同一个表里重复写了同一个键",
        "请删去或合并重复的那一行；每条 [[rule]] 里每个键只能写一次",
    ),
    (
        &[
            "missing assignment between key-value pairs",
            "key with no value",
            "missing value for key",
        ],
        "键后面缺少 = 和值",
        "请写成 键 = 值，例如 severity = \"block\"",
    ),
    (
        &["extra `=`", "extra assignment between key-value pairs"],
        "多写了等号",
        "每行只写一个 =，写成 键 = 值",
    ),
    (
        &[
            "invalid unquoted key",
            "unquoted keys cannot be empty",
            "invalid key",
            "keys cannot be multi-line",
        ],
        "键名不合法",
        "键名只能用英文字母、数字、- 和 _（如 must-flag）；中文内容请写在等号右边的引号里",
    ),
    (
        &[
            "unexpected content",
            "unexpected key or value",
            "invalid key-value pair",
            "invalid table",
        ],
        "这一行有多余或无法识别的内容",
        "每行只写一个 键 = 值 或一个表头 [[rule]]；说明文字请写成以 # 开头的注释",
    ),
    (
        &["invalid comment character", "missing comment start"],
        "注释里有不允许的控制字符",
        "请删去这一行里看不见的控制字符（常见于从别处复制的文字），或重新输入这一行",
    ),
    (
        &["carriage return must be followed by newline"],
        "文件里有单独的回车符",
        "请用编辑器把换行符统一为 LF 或 CRLF 后保存",
    ),
    (
        &[
            "invalid integer",
            "invalid float",
            "invalid date",
            "invalid time",
            "invalid offset",
            "invalid boolean",
            "invalid binary",
            "invalid octal",
            "invalid hexadecimal",
            "invalid exponent",
            "invalid fraction",
            "invalid mantissa",
            "unexpected leading zero",
            "unexpected sign",
            "redundant",
            "integers with a radix",
            "radix must be lowercase",
            "`_` may only go between digits",
        ],
        "数字、日期或 true/false 的写法不对",
        "如果这是一段文字（电话号码、编号等），请用英文引号括起来",
    ),
    (
        &["cannot recurse further", "recursion limit"],
        "方括号或花括号嵌套太深",
        "请检查括号是否成对，去掉多余的 [ 或 {",
    ),
];

/// 1-based line number of byte offset `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::explain_toml_error;

    /// Broken TOML → the line and the start of the Chinese explanation.
    #[test]
    fn toml_errors_in_chinese() {
        for (text, line, want) in [
            ("a = \"1\"\n[[rule]\n", 2, "TOML 格式错误：表头没有写完整"),
            (
                "a = [\"x\" \"y\"]\n",
                1,
                "TOML 格式错误：数组的两个元素之间缺少逗号",
            ),
            (
                "a = [\"x\"，\"y\"]\n",
                1,
                "TOML 格式错误：数组的两个元素之间缺少逗号（这里是中文逗号",
            ),
            (
                "\n\nseverity = block\n",
                3,
                "TOML 格式错误：值没有用引号括起来",
            ),
            (
                "severity = “block”\n",
                1,
                "TOML 格式错误：值没有用引号括起来，或缺少值（这里是中文引号",
            ),
            ("a = \"x\na = 1\n", 1, "TOML 格式错误：字符串没有正确结束"),
            ("a = \"\\d\"\n", 1, "TOML 格式错误：反斜杠"),
            (
                "a = 1\na = 2\n",
                2,
                "TOML 格式错误：同一个表里重复写了同一个键",
            ),
            ("\nseverity\n", 2, "TOML 格式错误：键后面缺少 = 和值"),
            ("a = 1 2\n", 1, "TOML 格式错误：值没有用引号括起来"),
            (
                "[[rule]] x\n",
                1,
                "TOML 格式错误：这一行有多余或无法识别的内容",
            ),
            ("a = [\"x\"\n", 1, "TOML 格式错误："),
            (
                "a = 0123\n",
                1,
                "TOML 格式错误：数字、日期或 true/false 的写法不对",
            ),
            (
                "hotline = 400-820-6688\n",
                1,
                "TOML 格式错误：数字、日期或 true/false 的写法不对",
            ),
        ] {
            let err = text.parse::<toml::Table>().unwrap_err();
            let (got_line, message) = explain_toml_error(text, &err);
            assert_eq!(got_line, Some(line), "{text:?}: {message}");
            assert!(
                message.starts_with(want),
                "{text:?}: {message} ({})",
                err.message()
            );
            assert!(
                message.contains("。"),
                "{text:?}: says what to do: {message}"
            );
        }
    }
}
