//! The admin's settings (`book/settings.toml`) and the `{{name}}` references to
//! them in the handbook text.
//!
//! Values live in one file so that the company name, the reply deadline of
//! 四（二）3, the version and the effective date are each stated once. A reference
//! to a name that is not set fails the build at the referencing line: a published
//! policy must never show `{{reply_hours}}` or an empty gap to a reader.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use anyhow::{Result, bail};
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::diagnostics::{Diagnostic, line_of};
use crate::sources;

/// Names the build itself fills in; they look like settings in the Markdown.
pub const GENERATED_BLOCKS: &[&str] = &[
    "rule_catalogue",
    "edition_history",
    "edition_notice",
    "draft_note",
];

#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// Whether clauses marked `<!-- 补全 -->` show the "please confirm" note.
    pub show_completion_marks: bool,
}

impl Settings {
    /// Reads `book/settings.toml` (`path`); its folder is the book.
    pub fn load(path: &Path) -> Result<Settings> {
        let book_dir = path.parent().unwrap_or(path);
        let text = sources::read_text(book_dir, path)?;
        Settings::parse(&sources::shown(book_dir, path), &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<Settings> {
        let table: toml::Table = match text.parse() {
            Ok(table) => table,
            Err(err) => {
                let (line, message) = wxcheck::explain_toml_error(text, &err);
                bail!(Diagnostic::new(file, line, message));
            }
        };
        let mut values = BTreeMap::new();
        let mut show_completion_marks = true;
        for (key, value) in table {
            let line = find_key_line(text, &key);
            match (key.as_str(), value) {
                ("show_completion_marks", toml::Value::Boolean(b)) => show_completion_marks = b,
                ("show_completion_marks", _) => {
                    bail!(Diagnostic::new(
                        file,
                        line,
                        "show_completion_marks 必须是 true 或 false"
                    ))
                }
                (_, toml::Value::String(s)) => {
                    if s.contains('\n') {
                        bail!(Diagnostic::new(
                            file,
                            line,
                            format!("设置 `{key}` 不能包含换行")
                        ));
                    }
                    values.insert(key, s);
                }
                (_, toml::Value::Integer(i)) => {
                    values.insert(key, i.to_string());
                }
                (_, other) => bail!(Diagnostic::new(
                    file,
                    line,
                    format!("设置 `{key}` 必须是文字或数字，而不是 {}", other.type_str())
                )),
            }
        }
        Ok(Settings {
            values,
            show_completion_marks,
        })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Every text setting by name: what the rules files' `{{name}}`
    /// references are filled in from (`wxcheck::RuleSet::load_with`).
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// Replaces every `{{name}}` in `text`. `file` names the source in errors.
    /// Every unknown or empty name, unclosed `{{` and mdBook directive is
    /// reported, each with its line.
    ///
    /// Values are text, never markup: a value is written so that Markdown and
    /// HTML show it literally ([`markdown_text`]); inside code, where Markdown
    /// shows text as it is, it goes in unchanged. No setting is raw HTML — none
    /// needs to be, and an admin's value must not be able to add a tag (a
    /// `company_name` of `<meta http-equiv="refresh" …>` redirected the front
    /// page). `\{{` writes a literal `{{`.
    pub fn substitute(&self, file: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
        let code = code_ranges(text);
        let mut out = String::with_capacity(text.len());
        let mut errors = Vec::new();
        let mut cursor = 0;
        let mut search = 0;
        let mut references: Vec<Range<usize>> = Vec::new();
        while let Some(found) = text[search..].find("{{") {
            let start = search + found;
            let line = Some(line_of(text, start));
            if text[..start].ends_with('\\') {
                let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                if let Some(end) = text[start..line_end].find("}}") {
                    references.push(start..start + end + 2);
                }
                search = start + 2;
                continue;
            }
            // The reference must close on its own line. An unclosed `{{name`
            // is an error, not a warning: it would be published as a broken
            // template, and a `}}` further down would swallow the text between.
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let Some(end) = text[start + 2..line_end].find("}}") else {
                errors.push(Diagnostic::new(
                    file,
                    line,
                    "`{{` 没有配对的 `}}`：引用设置请写成 {{名称}}（写在同一行）；若要显示 {{ 本身，请写成 \\{{",
                ));
                search = start + 2;
                continue;
            };
            let close = start + 2 + end + 2;
            let name = text[start + 2..start + 2 + end].trim();
            search = close;
            references.push(start..close);
            if GENERATED_BLOCKS.contains(&name) {
                continue;
            }
            if name.starts_with('#') {
                // mdBook's `{{#include …}}` and friends are rejected rather than
                // half-supported: the build analyses each chapter file as written
                // (clause numbers, settings, all at file:line), and mdBook would
                // expand the directive only afterwards, outside those checks.
                let directive = name.split_whitespace().next().unwrap_or(name);
                errors.push(Diagnostic::new(
                    file,
                    line,
                    format!(
                        "本手册不支持 mdBook 的 {{{{{directive} …}}}}：请把要引用的内容直接写进本章；若要显示这段文字本身，请写成 \\{{{{{directive} …}}}}"
                    ),
                ));
                continue;
            }
            if !is_setting_name(name) {
                errors.push(Diagnostic::new(
                    file,
                    line,
                    format!("`{{{{{name}}}}}` 不是合法的设置名（只能用小写字母、数字和下划线）"),
                ));
                continue;
            }
            let in_code = code.iter().find(|(range, _)| range.contains(&start));
            match self.get(name) {
                Some(value) if !value.trim().is_empty() => {
                    out.push_str(&text[cursor..start]);
                    match in_code {
                        Some((_, true)) if value.contains('`') => errors.push(Diagnostic::new(
                            file,
                            line,
                            format!("设置 `{name}` 含反引号 `，不能用在行内代码里：请把引用移出代码，或从设置中去掉反引号"),
                        )),
                        Some(_) => out.push_str(value),
                        None => out.push_str(&markdown_text(value)),
                    }
                    cursor = close;
                }
                Some(_) => errors.push(Diagnostic::new(
                    file,
                    line,
                    format!("设置 `{name}` 为空，请在 book/settings.toml 中填写"),
                )),
                None => errors.push(Diagnostic::new(
                    file,
                    line,
                    format!("未知的设置 `{name}`：请在 book/settings.toml 中定义，或改正拼写"),
                )),
            }
        }
        out.push_str(&text[cursor..]);
        // `reply_hours}}` lost its `{{`: it would be published as it stands.
        for (at, _) in text.match_indices("}}") {
            let name_len = text[..at]
                .bytes()
                .rev()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
                .count();
            if name_len > 0 && !references.iter().any(|r| r.contains(&at)) {
                errors.push(Diagnostic::new(
                    file,
                    Some(line_of(text, at)),
                    format!(
                        "`{}}}}}` 前面缺少 `{{{{`：引用设置请写成 {{{{{}}}}}",
                        &text[at - name_len..at],
                        &text[at - name_len..at]
                    ),
                ));
            }
        }
        errors.sort_by_key(|d| d.line);
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

/// `value` written as Markdown that renders exactly `value` as text.
///
/// Every ASCII punctuation character becomes a numeric character reference
/// (`<` → `&#60;`): CommonMark treats references as literal text, never as
/// markup (`*`, `_`, `[`, `<`, `\`, `#`, `|` …), and HTML decodes them to the
/// same text, so the value stays text also inside the admin's own HTML
/// (`<p title="{{company_name}}">`). Backslash escapes would not: HTML shows
/// them. Leading and trailing whitespace is encoded too, so a value can
/// neither indent a line into a code block nor end it with a hard break.
pub fn markdown_text(value: &str) -> String {
    let last = value.chars().count().saturating_sub(1);
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        if c.is_ascii_punctuation() || ((i == 0 || i == last) && c.is_whitespace()) {
            out.push_str(&format!("&#{};", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Byte ranges of code in `text`, with whether each is an inline code span.
fn code_ranges(text: &str) -> Vec<(Range<usize>, bool)> {
    Parser::new_ext(text, Options::ENABLE_TABLES)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Code(_) => Some((range, true)),
            Event::Start(Tag::CodeBlock(_)) => Some((range, false)),
            _ => None,
        })
        .collect()
}

fn is_setting_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::parse(
            "settings.toml",
            "reply_hours = 2\ncompany_name = \"某公司\"\nempty = \"\"\n",
        )
        .unwrap()
    }

    #[test]
    fn substitutes_known_names() {
        let out = settings()
            .substitute(
                "a.md",
                "应在{{reply_hours}}小时内回复，{{ company_name }}。",
            )
            .unwrap();
        assert_eq!(out, "应在2小时内回复，某公司。");
    }

    #[test]
    fn reports_unknown_and_empty_names_with_lines() {
        let errors = settings()
            .substitute("a.md", "第一行\n{{nope}}\n{{empty}}")
            .unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2);
        assert!(shown[0].starts_with("a.md:2:"), "{}", shown[0]);
        assert!(shown[0].contains("nope"));
        assert!(shown[1].starts_with("a.md:3:"), "{}", shown[1]);
    }

    #[test]
    fn leaves_generated_blocks_and_escaped_braces() {
        let text = "{{rule_catalogue}} \\{{#include x.md}} \\{{company_name}}";
        assert_eq!(settings().substitute("a.md", text).unwrap(), text);
    }

    /// (text, error at line 2 containing)
    #[test]
    fn broken_references_are_errors_at_their_line() {
        let cases = [
            ("甲\n{{company_name 乙\n", "没有配对的 `}}`"),
            ("甲\n{{company_name\n}}\n", "没有配对的 `}}`"),
            (
                "甲\n{{#include other.md}}\n",
                "不支持 mdBook 的 {{#include …}}",
            ),
            ("甲\n```\n{{#rustdoc_include x.rs}}\n```\n", ""),
            ("甲\n{{Company}}\n", "不是合法的设置名"),
            (
                "甲\n应在reply_hours}}小时内\n",
                "`reply_hours}}` 前面缺少 `{{`：引用设置请写成 {{reply_hours}}",
            ),
        ];
        for (text, expected) in cases {
            let errors = settings().substitute("a.md", text).unwrap_err();
            assert_eq!(errors.len(), 1, "{text}: {errors:?}");
            let shown = errors[0].to_string();
            let line = if expected.is_empty() {
                "a.md:3:"
            } else {
                "a.md:2:"
            };
            assert!(
                shown.starts_with(line) && shown.contains(expected),
                "{text}: {shown}"
            );
        }
    }

    #[test]
    fn values_are_text_in_markdown_and_html() {
        let hostile = "<meta http-equiv=\"refresh\" content=\"0;url=https://x.invalid\">*强调*_x_ [链接](y) \\ `c` # |";
        let settings = Settings::parse(
            "s.toml",
            &format!("company_name = {}\n", toml::Value::String(hostile.into())),
        )
        .unwrap();
        for text in [
            "# {{company_name}}手册\n",
            "正文 {{company_name}} 正文\n",
            "<p title=\"{{company_name}}\">{{company_name}}</p>\n",
            "| 甲 | {{company_name}} |\n| --- | --- |\n| 1 | 2 |\n",
        ] {
            let markdown = settings.substitute("a.md", text).unwrap();
            let mut html = String::new();
            pulldown_cmark::html::push_html(
                &mut html,
                Parser::new_ext(&markdown, Options::ENABLE_TABLES),
            );
            assert!(
                !html.contains("<meta") && !html.contains("<em>") && !html.contains("<a "),
                "{text}:\n{html}"
            );
            // What a reader sees is the value itself.
            let decoded = html
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            let decoded = decode_numeric(&decoded);
            assert!(decoded.contains(hostile), "{text}:\n{html}");
        }
        // In code the value goes in as it is: Markdown shows code literally.
        let code = settings
            .substitute("a.md", "```\n{{company_name}}\n```\n")
            .unwrap();
        assert!(code.contains(hostile));
    }

    /// `&#60;` → `<` (the references [`markdown_text`] writes, inside HTML attributes).
    fn decode_numeric(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find("&#") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find(';').map(|e| i + e).unwrap();
            let n: u32 = rest[i + 2..end].parse().unwrap();
            out.push(char::from_u32(n).unwrap());
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn syntax_errors_are_chinese_with_the_line_and_the_fix() {
        let err = Settings::parse("s.toml", "a = \"1\"\nhotline = 400-820-6688\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("s.toml:2: TOML 格式错误：数字、日期或 true/false 的写法不对。"),
            "{err}"
        );
        assert!(err.contains("请用英文引号括起来"), "{err}");
    }

    #[test]
    fn rejects_non_scalar_values_naming_the_line() {
        let err = Settings::parse("s.toml", "a = 1\nb = [1]\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:2:"), "{err}");
    }
}
