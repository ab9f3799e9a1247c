//! The company's values (`book/settings.toml`) as rules files refer to them:
//! `{{hotline}}`, `{{service_email}}` … in a rule's texts, filled in by the
//! loader from a map the caller reads (the engine does no IO).
//!
//! Keeping the hotline, the e-mail domain and the 统一社会信用代码 in the
//! settings file means a company that adopts the handbook changes them once,
//! and no rule quietly keeps the previous company's number in its allow list.

use crate::error::{RuleError, explain_toml_error};
use std::collections::BTreeMap;

/// Setting names and their values, as text.
pub type Settings = BTreeMap<String, String>;

/// Reads a settings file into the map [`crate::RuleSet::load_with`] takes.
///
/// Text and integer values are kept (an integer as its digits); other values
/// (`show_completion_marks = true`) are not text a rule could quote, so they
/// are left out. The handbook build validates the settings file strictly;
/// this reader is for the CLI and the tests.
pub fn parse_settings(file: &str, text: &str) -> Result<Settings, RuleError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, message) = explain_toml_error(text, &e);
        RuleError::new(file, line, None, message)
    })?;
    Ok(table
        .into_iter()
        .filter_map(|(k, v)| match v {
            toml::Value::String(s) => Some((k, s)),
            toml::Value::Integer(i) => Some((k, i.to_string())),
            _ => None,
        })
        .collect())
}

/// How a filled-in value is written into the rule's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fill {
    /// As is (messages, words, allow phrases, examples).
    Text,
    /// As a regex literal matching the value's *normalised* form, since
    /// patterns run over normalised text (`400-820-6688` is `4008206688`
    /// there): admin-written values are text, never regex syntax.
    Regex,
}

/// Replaces every `{{name}}` in `value`. Each problem is a Chinese message
/// saying what to do; the caller adds file, line and rule.
///
/// The syntax is the handbook's (`xtask/src/settings.rs`): the name is
/// trimmed and must be lower-case letters, digits and `_`.
pub(crate) fn fill(value: &str, settings: &Settings, how: Fill) -> Result<String, Vec<String>> {
    if !value.contains("{{") {
        return Ok(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut errors = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            errors.push(
                "`{{` 没有对应的 `}}`：引用设置请写成 {{名称}}，例如 {{hotline}}".to_string(),
            );
            rest = "";
            break;
        };
        let name = after[..end].trim();
        if !is_setting_name(name) {
            errors.push(format!(
                "`{{{{{name}}}}}` 不是合法的设置名：设置名只能用小写字母、数字和下划线，\
                 请改成 book/settings.toml 中的名称"
            ));
        } else {
            match settings.get(name).map(String::as_str) {
                Some(v) if !v.trim().is_empty() => match how {
                    Fill::Text => out.push_str(v),
                    Fill::Regex => {
                        out.push_str(&regex_lite::escape(&crate::normalize::normalize(v)))
                    }
                },
                Some(_) => errors.push(format!(
                    "设置 `{name}` 为空：请在 book/settings.toml 中填写它的值"
                )),
                None => errors.push(format!(
                    "未知的设置 `{name}`：请在 book/settings.toml 中添加 {name} = \"…\"，或改正拼写"
                )),
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn is_setting_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        parse_settings(
            "s.toml",
            "hotline = \"400-820-6688\"\nreply_hours = 2\nempty = \"\"\nflag = true\n",
        )
        .unwrap()
    }

    #[test]
    fn fills_text_and_regex() {
        let s = settings();
        for (value, how, want) in [
            ("热线 {{hotline}}", Fill::Text, "热线 400-820-6688"),
            ("{{ reply_hours }}小时", Fill::Text, "2小时"),
            ("热线{{hotline}}", Fill::Regex, "热线4008206688"),
            ("no refs", Fill::Text, "no refs"),
            ("{masked}", Fill::Text, "{masked}"),
        ] {
            assert_eq!(fill(value, &s, how).unwrap(), want, "{value}");
        }
        let meta = parse_settings("s.toml", "d = \"Ab.cd+e\"").unwrap();
        // Normalised (lower case), and regex syntax escaped.
        assert_eq!(fill("{{d}}", &meta, Fill::Regex).unwrap(), "ab\\.cd\\+e");
    }

    #[test]
    fn each_bad_reference_is_one_error() {
        let s = settings();
        for (value, want) in [
            ("{{hotlin}}", "未知的设置 `hotlin`"),
            ("{{empty}}", "设置 `empty` 为空"),
            ("{{flag}}", "未知的设置 `flag`"),
            ("{{Hot-Line}}", "`{{Hot-Line}}` 不是合法的设置名"),
            ("{{hotline", "`{{` 没有对应的 `}}`"),
        ] {
            let errors = fill(value, &s, Fill::Text).unwrap_err();
            assert_eq!(errors.len(), 1, "{value}: {errors:?}");
            assert!(errors[0].starts_with(want), "{value}: {}", errors[0]);
        }
    }

    #[test]
    fn settings_syntax_errors_are_chinese_with_the_line() {
        let e = parse_settings("s.toml", "a = \"1\"\nb = 2 3\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("TOML 格式错误"), "{}", e.message);
    }
}
