//! The search's synonym table, `book/search/synonyms.toml`: the words a new
//! hire types (朋友圈, 手机号, 辞职, pyq) mapped to the words the policy uses
//! (发布, 个人隐私, 离职), and variant spellings that OpenCC's character table
//! does not fold the way the handbook writes them (帳 → 帐 in OpenCC, but the
//! handbook writes 账号).
//!
//! It is the admin's data, so it is validated like the rest of the book: every
//! target must occur in what search covers (a synonym pointing at a word the
//! book never uses finds nothing, silently), and every entry names the clause
//! it is meant to find (`finds`), which must contain one of its targets. The
//! browser test runs every entry through the real search bar and expects that
//! clause (`tests/browser/search.test.mjs`).
//!
//! Keys and targets are folded with [`normalize_char`] (Traditional,
//! full-width, case), the same fold the search applies to queries.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, Diagnostics, line_of};
use crate::search_index::normalize_char;
use crate::sources;

/// Where the table lives, relative to `book/`.
pub const FILE: &str = "search/synonyms.toml";

/// One everyday word and what it means in the policy's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    /// Folded, as the search compares it.
    pub word: String,
    /// The policy's words, folded; a target that is itself a synonym brings its
    /// own targets too (`pyq` → 朋友圈 → 发布), one level deep.
    pub terms: Vec<String>,
    /// The clause the entry is meant to find, by its current id (it ranks
    /// first among the synonym's hits, and the browser test expects it).
    pub finds: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    pub entries: Vec<Synonym>,
    /// Variant character → the character the handbook writes (帐 → 账).
    pub variants: Vec<(char, char)>,
    /// Reminders for the admin (a `finds` that was renumbered).
    pub notes: Vec<String>,
}

/// What the table is checked against: the searchable text of the book.
pub struct Book<'a> {
    /// Does this folded word occur in anything search covers?
    pub occurs: &'a dyn Fn(&str) -> bool,
    /// The clauses an id may mean, each as (current id, folded title and
    /// text): the clause numbered so now, then the one whose anchor it was
    /// (renumbered since, see `editions`). Empty if there is none.
    pub clauses: &'a dyn Fn(&str) -> Vec<(String, String)>,
}

fn fold(s: &str) -> String {
    s.chars().map(normalize_char).collect()
}

impl Synonyms {
    /// Reads `book/search/synonyms.toml`. A book without one (the test
    /// fixtures) has no synonyms.
    pub fn load(book_dir: &Path, book: &Book<'_>) -> Result<Synonyms> {
        let path = book_dir.join(FILE);
        if !path.exists() {
            return Ok(Synonyms::default());
        }
        let text = sources::read_text(book_dir, &path)?;
        Synonyms::parse(&sources::shown(book_dir, &path), &text, book)
            .map_err(|errors| anyhow::anyhow!(Diagnostics(errors)))
    }

    /// Parses and validates the table; every mistake is reported, each at its line.
    pub fn parse(file: &str, text: &str, book: &Book<'_>) -> Result<Synonyms, Vec<Diagnostic>> {
        let root = match DeTable::parse(text) {
            Ok(root) => root,
            Err(err) => {
                let (line, message) = wxcheck::explain_toml_error(text, &err);
                return Err(vec![Diagnostic::new(file, line, message)]);
            }
        };
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>| Some(line_of(text, span.start));
        let mut raw: Vec<RawEntry> = Vec::new();
        let mut variants = Vec::new();
        for (key, value) in root.get_ref() {
            match (&**key.get_ref(), value.get_ref()) {
                ("synonyms", DeValue::Table(table)) => {
                    for (word, entry) in table {
                        let line = at(word.span());
                        match read_entry(word.get_ref(), entry, line) {
                            Ok(e) => raw.push(e),
                            Err(message) => errors.push(Diagnostic::new(file, line, message)),
                        }
                    }
                }
                ("variants", DeValue::Table(table)) => {
                    for (from, to) in table {
                        let line = at(from.span());
                        match read_variant(from.get_ref(), to, book) {
                            Ok(pair) => variants.push(pair),
                            Err(message) => errors.push(Diagnostic::new(file, line, message)),
                        }
                    }
                }
                (name @ ("synonyms" | "variants"), _) => errors.push(Diagnostic::new(
                    file,
                    at(key.span()),
                    format!("`{name}` 必须是一个表（写成 [{name}]，下面每行一条）"),
                )),
                (other, _) => errors.push(Diagnostic::new(
                    file,
                    at(key.span()),
                    format!("不认识的表 `{other}`：只能有 [synonyms] 和 [variants]"),
                )),
            }
        }
        // The parsed table is sorted by key: back to the admin's order.
        raw.sort_by_key(|e| e.3);
        errors.sort_by_key(|e| e.line);
        // Words are compared folded: 帳號 and 账号 are one key.
        let mut seen: BTreeMap<String, Option<usize>> = BTreeMap::new();
        for (word, _, _, line) in &raw {
            if let Some(first) = seen.insert(word.clone(), *line) {
                errors.push(Diagnostic::new(
                    file,
                    *line,
                    format!(
                        "“{word}”重复：第 {} 行已经写过（繁简、全半角、大小写视为同一个词），请合并成一条",
                        first.unwrap_or(0)
                    ),
                ));
            }
        }
        let direct: BTreeMap<&str, &Vec<String>> =
            raw.iter().map(|(w, to, _, _)| (w.as_str(), to)).collect();
        let mut entries = Vec::new();
        let mut notes = Vec::new();
        for (word, to, finds, line) in &raw {
            let mut terms: Vec<String> = Vec::new();
            let mut bad = false;
            for target in to {
                let chained = direct
                    .get(target.as_str())
                    .copied()
                    .filter(|_| target != word);
                if target == word {
                    errors.push(Diagnostic::new(
                        file,
                        *line,
                        format!("“{word}”指向了它自己：请写手册里的说法"),
                    ));
                    bad = true;
                } else if !(book.occurs)(target) && chained.is_none() {
                    errors.push(Diagnostic::new(
                        file,
                        *line,
                        format!(
                            "“{word}”指向的“{target}”在手册的条款和检查规则里都没有出现，搜索它找不到任何内容：请改成手册原文里的词"
                        ),
                    ));
                    bad = true;
                }
                push_unique(&mut terms, target);
                for t in chained.into_iter().flatten() {
                    if t != word {
                        push_unique(&mut terms, t);
                    }
                }
            }
            if bad {
                continue;
            }
            let candidates = (book.clauses)(finds);
            let found = candidates
                .iter()
                .find(|(_, text)| terms.iter().any(|t| text.contains(t.as_str())));
            match found {
                _ if candidates.is_empty() => errors.push(Diagnostic::new(
                    file,
                    *line,
                    format!("“{word}”的 finds = \"{finds}\" 不是手册里的条款编号（例如 3.1.2）"),
                )),
                None => errors.push(Diagnostic::new(
                    file,
                    *line,
                    format!(
                        "“{word}”应找到条款 {finds}，但该条不含“{}”中的任何一个：请改 to 或 finds",
                        terms.join("”“")
                    ),
                )),
                Some((id, _)) => {
                    if id != finds {
                        notes.push(format!(
                            "{file}:{}: “{word}”的 finds = \"{finds}\" 所指的条款现在编号为 {id}，请改为 finds = \"{id}\"",
                            line.unwrap_or(0)
                        ));
                    }
                    entries.push(Synonym {
                        word: word.clone(),
                        terms,
                        finds: id.clone(),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(Synonyms {
                entries,
                variants,
                notes,
            })
        } else {
            Err(errors)
        }
    }
}

fn push_unique(list: &mut Vec<String>, s: &str) {
    if !list.iter().any(|x| x == s) {
        list.push(s.to_string());
    }
}

type RawEntry = (String, Vec<String>, String, Option<usize>);

/// `"朋友圈" = { to = ["发布"], finds = "3.1.2" }`
fn read_entry(
    word: &str,
    entry: &Spanned<DeValue<'_>>,
    line: Option<usize>,
) -> Result<RawEntry, String> {
    let word = fold(word.trim());
    if word.is_empty() {
        return Err("同义词不能是空的".into());
    }
    let DeValue::Table(table) = entry.get_ref() else {
        return Err(format!(
            "“{word}”应写成 {{ to = [\"手册里的词\"], finds = \"条款编号\" }}"
        ));
    };
    let mut to = Vec::new();
    let mut finds = None;
    for (key, value) in table {
        match (&**key.get_ref(), value.get_ref()) {
            ("to", DeValue::Array(items)) => {
                for item in items {
                    match item.get_ref() {
                        DeValue::String(s) if !s.trim().is_empty() => {
                            to.push(fold(s.trim()));
                        }
                        _ => return Err(format!("“{word}”的 to 里每一项都必须是非空的文字")),
                    }
                }
            }
            ("finds", DeValue::String(s)) => finds = Some(s.trim().to_string()),
            ("to" | "finds", _) => {
                return Err(format!(
                    "“{word}”：to 是文字列表（[\"发布\"]），finds 是条款编号（\"3.1.2\"）"
                ));
            }
            (other, _) => {
                return Err(format!(
                    "“{word}”里不认识的键 `{other}`：只能有 to 和 finds"
                ));
            }
        }
    }
    if to.is_empty() {
        return Err(format!(
            "“{word}”缺少 to（它在手册里的说法），或 to 是空列表"
        ));
    }
    let Some(finds) = finds else {
        return Err(format!(
            "“{word}”缺少 finds：写上搜索它应当找到的条款编号，例如 finds = \"3.1.2\""
        ));
    };
    Ok((word, to, finds, line))
}

/// `"帐" = "账"`: one character each, and the handbook writes the second.
fn read_variant(
    from: &str,
    to: &Spanned<DeValue<'_>>,
    book: &Book<'_>,
) -> Result<(char, char), String> {
    let DeValue::String(to) = to.get_ref() else {
        return Err(format!("异体字“{from}”应写成 \"{from}\" = \"手册用的字\""));
    };
    let one = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if (c as u32) < 0x1_0000 => Some(c),
            _ => None,
        }
    };
    let (Some(f), Some(t)) = (one(from), one(to)) else {
        return Err(format!(
            "异体字“{from}” = “{to}”：两边都必须是一个常用汉字（整词的说法请写在 [synonyms] 里）"
        ));
    };
    let t = normalize_char(t);
    if normalize_char(f) == t {
        return Err(format!("“{from}”已经会被当作“{to}”，这一行可以删掉"));
    }
    if !(book.occurs)(&t.to_string()) {
        return Err(format!("异体字“{from}”指向的“{to}”在手册里没有出现"));
    }
    Ok((f, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "员工应及时回复客户。离职员工应交接账号。发布内容需审核。朋友圈";

    fn parse(toml: &str) -> Result<Synonyms, Vec<String>> {
        let occurs = |w: &str| TEXT.contains(w);
        // 2.2.4 was 2.2.3 when published (a clause was inserted before it).
        let clauses = |id: &str| {
            let text = |id: &str, t: &str| vec![(id.to_string(), t.to_string())];
            match id {
                "4.2.3" => text("4.2.3", "员工应及时回复客户。"),
                "2.2.3" => [
                    text("2.2.3", "新插入的条款。"),
                    text("2.2.4", "离职员工应交接账号。"),
                ]
                .concat(),
                "3.1.2" => text("3.1.2", "发布内容需审核。"),
                _ => Vec::new(),
            }
        };
        let book = Book {
            occurs: &occurs,
            clauses: &clauses,
        };
        Synonyms::parse("book/search/synonyms.toml", toml, &book)
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reads_entries_chains_and_variants() {
        let s = parse(
            "[synonyms]\n\"辭職\" = { to = [\"离职\"], finds = \"2.2.3\" }\n\
             \"朋友圈\" = { to = [\"发布\"], finds = \"3.1.2\" }\n\
             \"PYQ\" = { to = [\"朋友圈\"], finds = \"3.1.2\" }\n\
             [variants]\n\"帐\" = \"账\"\n",
        )
        .unwrap();
        assert_eq!(s.entries[0].word, "辞职", "keys are folded");
        let pyq = s.entries.iter().find(|e| e.word == "pyq").unwrap();
        assert_eq!(pyq.terms, ["朋友圈", "发布"], "one level of chaining");
        assert_eq!(s.variants, [('帐', '账')]);
        // 辞职 names 2.2.3, renumbered 2.2.4 since: followed, and the admin told.
        assert_eq!(s.entries[0].finds, "2.2.4");
        assert_eq!(s.notes.len(), 1);
        assert!(s.notes[0].contains("现在编号为 2.2.4"), "{:?}", s.notes);
    }

    /// Bad entries, one per row: what the admin wrote, and the error it gives.
    #[test]
    fn bad_entries_are_reported_at_their_line() {
        const CASES: &[(&str, &str)] = &[
            (
                "[synonyms]\n\"红包\" = { to = [\"红利\"], finds = \"3.1.2\" }\n",
                "synonyms.toml:2: “红包”指向的“红利”在手册的条款和检查规则里都没有出现",
            ),
            (
                "[synonyms]\n\"辞职\" = { to = [\"离职\"] }\n",
                "synonyms.toml:2: “辞职”缺少 finds",
            ),
            (
                "[synonyms]\n\n\"辞职\" = { to = [], finds = \"2.2.3\" }\n",
                "synonyms.toml:3: “辞职”缺少 to",
            ),
            (
                "[synonyms]\n\"辞职\" = { to = [\"离职\"], finds = \"9.9.9\" }\n",
                "“辞职”的 finds = \"9.9.9\" 不是手册里的条款编号",
            ),
            (
                "[synonyms]\n\"辞职\" = { to = [\"离职\"], finds = \"3.1.2\" }\n",
                "“辞职”应找到条款 3.1.2，但该条不含“离职”",
            ),
            (
                "[synonyms]\n\"辞职\" = [\"离职\"]\n",
                "synonyms.toml:2: “辞职”应写成",
            ),
            (
                "[synonyms]\n\"辞职\" = { to = [\"离职\"], find = \"2.2.3\" }\n",
                "不认识的键 `find`",
            ),
            (
                "[synonyms]\n\"辞职\" = { to = [\"离职\"], finds = \"2.2.3\" }\n\"辭職\" = { to = [\"离职\"], finds = \"2.2.3\" }\n",
                "synonyms.toml:3: “辞职”重复：第 2 行已经写过",
            ),
            (
                "[synonyms]\n\"回复\" = { to = [\"回复\"], finds = \"4.2.3\" }\n",
                "“回复”指向了它自己",
            ),
            (
                "[variants]\n\"帐号\" = \"账号\"\n",
                "synonyms.toml:2: 异体字“帐号” = “账号”：两边都必须是一个常用汉字",
            ),
            (
                "[variants]\n\"帐\" = \"幛\"\n",
                "异体字“帐”指向的“幛”在手册里没有出现",
            ),
            (
                "[variants]\n\"帳\" = \"帐\"\n",
                "“帳”已经会被当作“帐”，这一行可以删掉",
            ),
            ("[synonym]\n", "synonyms.toml:1: 不认识的表 `synonym`"),
            (
                "[synonyms]\n\"辞职\" = { to = [“离职”], finds = \"2.2.3\" }\n",
                "synonyms.toml:2:",
            ),
        ];
        for (toml, expected) in CASES {
            let errors = parse(toml).expect_err(toml);
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{toml}\nexpected: {expected}\ngot: {errors:?}"
            );
        }
    }

    #[test]
    fn all_mistakes_of_a_file_are_reported_together() {
        let errors = parse(
            "[synonyms]\n\"甲\" = { to = [\"无此词\"], finds = \"2.2.3\" }\n\"乙\" = { to = [\"离职\"] }\n",
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
