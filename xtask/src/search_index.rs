//! The search index: the clause index as a classic script for `book/assets/search.js`.
//!
//! mdBook's elasticlunr index tokenises on spaces and so finds no Chinese at all;
//! our search is a substring search over clauses instead, run in the browser. The
//! index ships as a script that assigns `window.wxSearchIndex`, because pages are
//! opened from `file://` too, where nothing can be fetched.
//!
//! # What the script carries
//!
//! - `c`: one row per clause, `[id, label, title, text, page]` (`page` indexes
//!   `pages`), plus a sixth element, the anchor, only when it is not the one
//!   [`anchor_of`] derives from the id. An item whose title is its section's (it
//!   has no lead phrase) ships an empty title: it is shown, not searched, so a
//!   search for a section title finds the section, not every item in it.
//! - `fold`: the Traditional → Simplified pairs (`賬账號号…`) for exactly the
//!   Traditional forms of the characters that occur in the index, taken from
//!   [`wxcheck::normalize::to_simplified`], the checker's table: one source of
//!   truth; plus the synonym table's variant pairs (帐 → 账) and the Traditional
//!   forms that OpenCC folds onto their first character (帳 → 帐 → 账).
//! - `r`: one row per checker rule, `[id, clause, severity, title, body,
//!   words, examples]`: the catalogue is searched too, because a new hire's
//!   words (包过, 红包) are often a rule's words and not the policy's. `title`
//!   is the message's first sentence (what the catalogue shows as the rule's
//!   heading), `body` the message and suggestion, `words` what a word or
//!   co-occurrence rule looks for, `examples` its must-flag examples. Patterns and ids are not searched: readers never see them.
//! - `syn`: the synonym table (`book/search/synonyms.toml`, see
//!   [`crate::synonyms`]) as `[[word, [terms…], clause], …]`, folded; the
//!   clause an entry names ranks first among its synonym hits.
//! - `py`: the pinyin readings (all of them: 行 is `xing` and `hang`) of every Han
//!   character in the index, for full-pinyin queries (`mima` → 密码). Initials
//!   (`mm`) are deliberately not supported: measured on the handbook, 69–76% of
//!   the clauses that two-letter initials hit do not contain the word (the
//!   measurement is in the docs of this module's tests).
//!
//! # Normalisation
//!
//! [`normalize_char`] folds Traditional to Simplified, full-width ASCII to
//! half-width and ASCII upper to lower case, one UTF-16 unit to one, so offsets in
//! the folded text are offsets in the displayed text. `search.js` applies the
//! very same fold, driven by `fold`, to the index when it loads and to every
//! query. The display text is what ships, not a second, folded copy that would
//! double the file. Folding is one regex replace over the whole index, done when
//! the page goes idle, not on the first keystroke: building the engine, fold
//! included, takes about 1 ms for the handbook and 20–80 ms for one 50× larger.

use std::collections::{BTreeMap, BTreeSet};

use pinyin::ToPinyinMulti;
use serde::Serialize;
use wxcheck::normalize::to_simplified;

use crate::clauses::{ClauseIndex, ClauseKind, anchor_of};
use crate::handbook::Handbook;
use crate::synonyms::{self, Synonyms};

/// Bumped when the shape of the script changes; `search.js` checks it.
const FORMAT_VERSION: u32 = 2;

/// The JS source of the search index script for the whole handbook.
pub fn render(handbook: &Handbook, synonyms: &Synonyms) -> String {
    render_parts(&handbook.clauses, &rule_rows(handbook), synonyms)
}

/// Loads and validates the synonym table against what search covers.
pub fn load_synonyms(book_dir: &std::path::Path, handbook: &Handbook) -> anyhow::Result<Synonyms> {
    let rules = rule_rows(handbook);
    let searchable = searchable_text(&handbook.clauses, &rules);
    let occurs = |w: &str| searchable.contains(w);
    let clauses = |id: &str| {
        let anchor = anchor_of(id);
        let renumbered = handbook.clauses.clauses.iter().filter(|c| {
            c.id != id && (c.anchor == anchor || c.aliases.iter().any(|a| a.anchor == anchor))
        });
        handbook
            .clauses
            .get(id)
            .into_iter()
            .chain(renumbered)
            .map(|c| {
                let text = format!("{}\n{}", c.title, c.text);
                (c.id.clone(), text.chars().map(normalize_char).collect())
            })
            .collect()
    };
    let synonyms = synonyms::Synonyms::load(
        book_dir,
        &synonyms::Book {
            occurs: &occurs,
            clauses: &clauses,
        },
    )?;
    for note in &synonyms.notes {
        eprintln!("  提醒：{note}");
    }
    Ok(synonyms)
}

/// Everything search covers, folded: what a synonym's target must occur in.
fn searchable_text(index: &ClauseIndex, rules: &[RuleRow]) -> String {
    let mut all = String::new();
    for c in &index.clauses {
        for s in [&c.label, &c.title, &c.text] {
            all.push_str(s);
            all.push('\n');
        }
    }
    for r in rules {
        for s in [&r.3, &r.4, &r.5, &r.6] {
            all.push_str(s);
            all.push('\n');
        }
    }
    all.chars().map(normalize_char).collect()
}

/// `[id, clause, severity, title, body, words, examples]`.
#[derive(Serialize)]
struct RuleRow(String, String, String, String, String, String, String);

fn rule_rows(handbook: &Handbook) -> Vec<RuleRow> {
    // Clause order, as in the catalogue.
    let mut rules: Vec<&wxcheck::Rule> = handbook.rules.rules().iter().collect();
    let order = |id: &str| handbook.clauses.clauses.iter().position(|c| c.id == id);
    rules.sort_by_key(|r| order(&r.clause));
    rules
        .into_iter()
        .map(|r| {
            let words: Vec<&str> = match &r.matcher {
                wxcheck::Matcher::Words { words } => words.iter().map(String::as_str).collect(),
                wxcheck::Matcher::Near { parts, .. } => {
                    parts.iter().flatten().map(String::as_str).collect()
                }
                _ => Vec::new(),
            };
            // Only what the rule flags: a must-pass example (不承诺包过) found
            // by 包过 would read as the rule's answer, and it doubles the size.
            let examples: Vec<&str> = r.examples_flag.iter().map(String::as_str).collect();
            RuleRow(
                r.id.to_string(),
                r.clause.to_string(),
                r.severity.label_zh().to_string(),
                crate::rule_docs::rule_title(&r.message),
                format!("{}\n{}", r.message, r.suggestion),
                words.join("、"),
                examples.join("\n"),
            )
        })
        .collect()
}

fn render_parts(index: &ClauseIndex, rules: &[RuleRow], synonyms: &Synonyms) -> String {
    let payload = build(index, rules, synonyms);
    let json = serde_json::to_string(&payload).expect("the search index serialises");
    format!(
        "// Search index of the handbook, generated by `cargo xtask build` from the clause index. Do not edit.\n\
         window.wxSearchIndex={json};\n"
    )
}

/// One UTF-16 unit of text as the search compares it: Traditional → Simplified
/// (Basic Multilingual Plane only, so the fold never changes a string's length in
/// JS), full-width ASCII → ASCII, ideographic space → space, ASCII lower case.
pub fn normalize_char(c: char) -> char {
    let s = to_simplified(c);
    let c = if is_bmp(c) && is_bmp(s) { s } else { c };
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

fn is_bmp(c: char) -> bool {
    (c as u32) < 0x1_0000
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

#[derive(Serialize)]
struct Payload<'a> {
    v: u32,
    pages: Vec<String>,
    /// The rule catalogue's page (rules link to `rp#rule-{id}`).
    rp: &'static str,
    c: Vec<Row>,
    r: &'a [RuleRow],
    syn: Vec<(&'a str, &'a [String], &'a str)>,
    fold: String,
    py: Pinyin,
}

/// `[id, label, title, text, page]` or, with an unusual anchor, `[…, page, anchor]`.
#[derive(Serialize)]
#[serde(untagged)]
enum Row {
    Plain(String, String, String, String, usize),
    Anchored(String, String, String, String, usize, String),
}

/// Readings of the index's Han characters: `c[i]` reads as the syllables
/// `s[j]` for every `j` listed at `r[i]` (space-separated entries, `.`-separated
/// indexes).
#[derive(Serialize)]
struct Pinyin {
    s: String,
    c: String,
    r: String,
}

fn build<'a>(index: &ClauseIndex, rules: &'a [RuleRow], synonyms: &'a Synonyms) -> Payload<'a> {
    let mut pages: Vec<String> = Vec::new();
    let mut section_titles: BTreeMap<&str, &str> = BTreeMap::new();
    let mut rows = Vec::with_capacity(index.clauses.len());
    for clause in &index.clauses {
        let page = match pages.iter().position(|p| *p == clause.page) {
            Some(i) => i,
            None => {
                pages.push(clause.page.clone());
                pages.len() - 1
            }
        };
        if clause.kind == ClauseKind::Section {
            section_titles.insert(&clause.id, &clause.title);
        }
        let inherited = clause.kind == ClauseKind::Item
            && clause
                .id
                .rsplit_once('.')
                .and_then(|(section, _)| section_titles.get(section))
                .is_some_and(|t| *t == clause.title);
        let title = if inherited {
            String::new()
        } else {
            clause.title.clone()
        };
        let (id, label, text) = (clause.id.clone(), clause.label.clone(), clause.text.clone());
        rows.push(if clause.anchor == anchor_of(&clause.id) {
            Row::Plain(id, label, title, text, page)
        } else {
            Row::Anchored(id, label, title, text, page, clause.anchor.clone())
        });
    }

    // Every character a folded clause can contain (pinyin covers clauses only).
    let clause_chars: BTreeSet<char> = index
        .clauses
        .iter()
        .flat_map(|c| [&c.label, &c.title, &c.text])
        .flat_map(|s| s.chars().map(normalize_char))
        .collect();
    let mut chars = clause_chars.clone();
    chars.extend(
        searchable_text(
            &ClauseIndex {
                clauses: Vec::new(),
            },
            rules,
        )
        .chars(),
    );

    Payload {
        v: FORMAT_VERSION,
        pages,
        rp: crate::rule_docs::PAGE,
        c: rows,
        r: rules,
        syn: synonyms
            .entries
            .iter()
            .map(|e| (e.word.as_str(), e.terms.as_slice(), e.finds.as_str()))
            .collect(),
        fold: fold_table(&chars, &synonyms.variants),
        py: pinyin_table(&clause_chars),
    }
}

/// `t s t s …`: every BMP character that folds onto a character of the index and
/// is not that character; a variant pair (帐 → 账) also takes the Traditional
/// forms OpenCC folds onto its first character (帳).
fn fold_table(chars: &BTreeSet<char>, variants: &[(char, char)]) -> String {
    let mut out = String::new();
    for t in (0..0x1_0000u32).filter_map(char::from_u32) {
        let s = to_simplified(t);
        let s = variants
            .iter()
            .find(|(v, _)| *v == t || *v == s)
            .map_or(s, |&(_, target)| target);
        if s != t && is_bmp(s) && chars.contains(&s) {
            out.push(t);
            out.push(s);
        }
    }
    out
}

fn pinyin_table(chars: &BTreeSet<char>) -> Pinyin {
    let mut syllables: Vec<&'static str> = Vec::new();
    let mut hans = String::new();
    let mut readings: Vec<String> = Vec::new();
    for &c in chars.iter().filter(|&&c| is_han(c)) {
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        let mut ids: Vec<usize> = Vec::new();
        for p in multi {
            let plain = p.plain();
            let id = match syllables.iter().position(|s| *s == plain) {
                Some(i) => i,
                None => {
                    syllables.push(plain);
                    syllables.len() - 1
                }
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        hans.push(c);
        readings.push(
            ids.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("."),
        );
    }
    Pinyin {
        s: syllables.join(" "),
        c: hans,
        r: readings.join(" "),
    }
}

#[cfg(test)]
mod tests {
    //! The pinyin decision, measured on the handbook's own text (78 paragraphs and
    //! items; every 2-, 3- and 4-character Han sequence occurring at least twice
    //! as a query; a false hit is a clause matched by the pinyin that does not
    //! contain the characters):
    //!
    //! | query            | precision | queries with a false hit | of which homophones |
    //! |------------------|-----------|--------------------------|---------------------|
    //! | full, 2 syllables| 0.924     | 16.5%                    | 88 of 100 false hits|
    //! | full, 3 syllables| 0.969     | 7.2%                     | 20 of 20            |
    //! | full, 4 syllables| 0.991     | 2.4%                     | 3 of 3              |
    //! | initials, 2      | 0.239     | 97.4%                    |                     |
    //! | initials, 3      | 0.571     | 63.1%                    |                     |
    //! | initials, 4      | 0.944     | 11.9%                    |                     |
    //!
    //! Full pinyin is kept (its false hits are almost all true homophones, which a
    //! pinyin search cannot tell apart, and they rank after every literal match);
    //! initials are not.

    use super::*;
    use crate::clauses::{Clause, label_of};

    fn normalize(s: &str) -> String {
        s.chars().map(normalize_char).collect()
    }

    fn clause(id: &str, title: &str, text: &str, page: &str) -> Clause {
        let kind = match id.matches('.').count() {
            0 => ClauseKind::Chapter,
            1 => ClauseKind::Section,
            _ => ClauseKind::Item,
        };
        Clause {
            id: id.to_string(),
            label: label_of(id),
            title: title.to_string(),
            text: text.to_string(),
            page: page.to_string(),
            anchor: anchor_of(id),
            kind,
            completed: false,
            aliases: Vec::new(),
        }
    }

    fn sample() -> ClauseIndex {
        ClauseIndex {
            clauses: vec![
                clause("2", "微信账号管理", "", "accounts.html"),
                clause("2.2", "账号安全", "员工应妥善保管账号。", "accounts.html"),
                clause(
                    "2.2.1",
                    "密码管理",
                    "密码管理：定期更换ＷｅＣｈａｔ密码。",
                    "accounts.html",
                ),
                clause("2.2.2", "账号安全", "不得将账号借给他人。", "accounts.html"),
            ],
        }
    }

    fn payload_json(index: &ClauseIndex) -> serde_json::Value {
        let js = render_parts(index, &[], &Synonyms::default());
        let json = js
            .lines()
            .find_map(|l| l.strip_prefix("window.wxSearchIndex="))
            .and_then(|l| l.strip_suffix(';'))
            .expect("one assignment line");
        serde_json::from_str(json).expect("valid JSON")
    }

    #[test]
    fn normalises_traditional_width_and_case() {
        assert_eq!(
            normalize("賬號ＷｅＣｈａｔ　ＩＤ１２３"),
            "账号wechat id123"
        );
        assert_eq!(normalize("三（三）3"), "三(三)3");
        assert_eq!(normalize("密码"), "密码");
    }

    #[test]
    fn normalisation_keeps_utf16_length() {
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            assert_eq!(c.len_utf16(), normalize_char(c).len_utf16(), "{c:?}");
        }
    }

    #[test]
    fn normalisation_is_idempotent() {
        for c in (0..0x1_0000u32).filter_map(char::from_u32) {
            let once = normalize_char(c);
            assert_eq!(normalize_char(once), once, "{c:?}");
        }
    }

    #[test]
    fn rows_pages_and_inherited_titles() {
        let v = payload_json(&sample());
        assert_eq!(v["v"], FORMAT_VERSION);
        assert_eq!(v["pages"], serde_json::json!(["accounts.html"]));
        assert_eq!(
            v["c"][0],
            serde_json::json!(["2", "二", "微信账号管理", "", 0])
        );
        assert_eq!(
            v["c"][2][2], "密码管理",
            "a lead phrase is the item's own title"
        );
        assert_eq!(
            v["c"][3][2], "",
            "an item inheriting its section's title ships none"
        );
    }

    #[test]
    fn unusual_anchor_is_shipped() {
        let mut index = sample();
        index.clauses[1].anchor = "elsewhere".into();
        let v = payload_json(&index);
        assert_eq!(v["c"][1].as_array().unwrap().len(), 6);
        assert_eq!(v["c"][1][5], "elsewhere");
        assert_eq!(v["c"][0].as_array().unwrap().len(), 5);
    }

    #[test]
    fn fold_covers_traditional_forms_of_index_characters_only() {
        let v = payload_json(&sample());
        let fold: Vec<char> = v["fold"].as_str().unwrap().chars().collect();
        let pairs: Vec<(char, char)> = fold.chunks(2).map(|p| (p[0], p[1])).collect();
        assert!(pairs.contains(&('賬', '账')));
        assert!(pairs.contains(&('號', '号')));
        assert!(pairs.contains(&('碼', '码')));
        assert!(
            !pairs.iter().any(|&(_, s)| s == '赌'),
            "赌 is not in the index"
        );
        for (t, s) in pairs {
            assert_eq!(to_simplified(t), s);
            assert_ne!(t, s);
        }
    }

    #[test]
    fn pinyin_table_has_every_reading() {
        let mut index = sample();
        index
            .clauses
            .push(clause("2.2.3", "账号安全", "银行", "accounts.html"));
        let v = payload_json(&index);
        let syllables: Vec<&str> = v["py"]["s"].as_str().unwrap().split(' ').collect();
        let hans: Vec<char> = v["py"]["c"].as_str().unwrap().chars().collect();
        let readings: Vec<&str> = v["py"]["r"].as_str().unwrap().split(' ').collect();
        assert_eq!(hans.len(), readings.len());
        let of = |c: char| -> Vec<&str> {
            let i = hans.iter().position(|&h| h == c).unwrap();
            readings[i]
                .split('.')
                .map(|j| syllables[j.parse::<usize>().unwrap()])
                .collect()
        };
        assert_eq!(of('密'), ["mi"]);
        assert_eq!(of('码'), ["ma"]);
        assert!(of('行').contains(&"hang") && of('行').contains(&"xing"));
        assert!(!hans.contains(&'w'), "only Han characters carry readings");
    }

    #[test]
    fn script_is_one_classic_assignment() {
        let js = render_parts(&sample(), &[], &Synonyms::default());
        assert!(js.starts_with("// Search index"));
        assert!(!js.contains("</script"));
        assert_eq!(js.matches("window.wxSearchIndex=").count(), 1);
    }

    /// Writes the real handbook's index and a synthetic one 50× larger to
    /// `target/search-bench/` for `tests/browser/search.bench.mjs`. Needs a built
    /// site (`site/clauses.json`): `cargo test -p xtask -- --ignored write_bench_indexes`.
    #[test]
    #[ignore = "needs a built site; run by tests/browser/search.bench.mjs"]
    fn write_bench_indexes() {
        let root = crate::repo_root();
        let json = std::fs::read_to_string(root.join("site/clauses.json"))
            .expect("site/clauses.json: run `cargo xtask build`");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let real: Vec<Clause> = value["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                let mut clause = clause(&s("id"), &s("title"), &s("text"), &s("page"));
                clause.label = s("label");
                clause.anchor = s("anchor");
                clause
            })
            .collect();
        let chapters = real
            .iter()
            .filter(|c| c.kind == ClauseKind::Chapter)
            .count() as u32;
        let mut big = Vec::with_capacity(real.len() * 50);
        for copy in 0..50u32 {
            for c in &real {
                let mut parts: Vec<u32> = c.id.split('.').map(|p| p.parse().unwrap()).collect();
                parts[0] += copy * chapters;
                let id = parts
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                // Rotate each copy's text so the copies differ but keep the
                // handbook's vocabulary and length.
                let chars: Vec<char> = c.text.chars().collect();
                let shift = if chars.is_empty() {
                    0
                } else {
                    (copy as usize * 13) % chars.len()
                };
                let text: String = chars[shift..].iter().chain(&chars[..shift]).collect();
                let mut x = clause(&id, &c.title, &text, &format!("x{copy}-{}", c.page));
                x.kind = c.kind;
                big.push(x);
            }
        }
        let out = root.join("target/search-bench");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(
            out.join("real.js"),
            render_parts(&ClauseIndex { clauses: real }, &[], &Synonyms::default()),
        )
        .unwrap();
        std::fs::write(
            out.join("x50.js"),
            render_parts(&ClauseIndex { clauses: big }, &[], &Synonyms::default()),
        )
        .unwrap();
    }
}
