//! The admin's settings (`book/settings.toml`) and the `{{name}}` references to
//! them in the handbook text.
//!
//! Values live in one file so that the company name, the reply deadline of
//! 四（二）3, the version and the effective date are each stated once. A reference
//! to a name that is not set fails the build at the referencing line: a published
//! policy must never show `{{reply_hours}}` or an empty gap to a reader.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::diagnostics::{Diagnostic, line_of};

/// Names the build itself fills in; they look like settings in the Markdown.
pub const GENERATED_BLOCKS: &[&str] = &["rule_catalogue"];

#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// Whether clauses marked `<!-- 补全 -->` show the "please confirm" note.
    pub show_completion_marks: bool,
}

impl Settings {
    pub fn load(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取设置文件 {}", path.display()))?;
        Settings::parse(&path.display().to_string(), &text)
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
    /// Every unknown or empty name is reported, each with its line.
    pub fn substitute(&self, file: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
        let mut out = String::with_capacity(text.len());
        let mut errors = Vec::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            let line = Some(line_of(text, offset + start));
            if name.starts_with('#') || GENERATED_BLOCKS.contains(&name) {
                // mdBook's own `{{#include}}` and blocks the build generates.
                out.push_str(&rest[start..start + 2 + end + 2]);
            } else if !is_setting_name(name) {
                errors.push(Diagnostic::new(
                    file,
                    line,
                    format!("`{{{{{name}}}}}` 不是合法的设置名（只能用小写字母、数字和下划线）"),
                ));
            } else {
                match self.get(name) {
                    Some(value) if !value.trim().is_empty() => out.push_str(value),
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
            let consumed = start + 2 + end + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        out.push_str(rest);
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
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
    fn leaves_generated_blocks_and_mdbook_directives() {
        let text = "{{rule_catalogue}} {{#include x.md}}";
        assert_eq!(settings().substitute("a.md", text).unwrap(), text);
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
