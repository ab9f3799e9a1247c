//! Clauses as first-class citizens: parsing the policy's natural Markdown
//! structure into numbered clauses, and annotating it for the HTML renderer.
//!
//! The admin writes plain Markdown — `# 三、信息发布管理`, `## （三）禁止发布内容`,
//! `1. …` — and never marks up a clause by hand. This module derives everything
//! else from that structure: the stable IDs (`3.3.1`), the labels (`三（三）1`),
//! the anchors (`c-3-3-1`) and the machine-readable clause index. The Markdown is
//! the one source of truth; the numbering the admin typed is checked, not trusted,
//! because CommonMark itself would silently renumber `1. 2. 4.` as one list.

use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, line_of};
use crate::rule_docs::escape;

/// Marker an admin puts into a clause whose text was completed by the editors
/// rather than taken from the original policy.
pub const COMPLETION_MARKER: &str = "<!-- 补全 -->";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClauseKind {
    Chapter,
    Section,
    Item,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clause {
    /// `3.3.1`
    pub id: String,
    /// `三（三）1`
    pub label: String,
    /// Chapter or section title; for an item its lead phrase (`合规性原则`) if it
    /// has one, else its section's title.
    pub title: String,
    /// Plain text: an item's text, a section's or chapter's own paragraphs.
    pub text: String,
    /// Page relative to the site root, e.g. `publishing.html`.
    pub page: String,
    /// `c-3-3-1`
    pub anchor: String,
    pub kind: ClauseKind,
    /// The text was completed by the editors (see [`COMPLETION_MARKER`]).
    pub completed: bool,
    /// Anchors this clause had in earlier editions (see `editions`): each is
    /// an `id` on its element too, so old links still land on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
}

/// An anchor a clause had in an earlier edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alias {
    pub anchor: String,
    /// The clause's label while the anchor was its own (`三（三）2`).
    pub label: String,
    /// The last edition in which the anchor was its own.
    pub edition: String,
}

impl Clause {
    pub fn url(&self) -> String {
        format!("{}#{}", self.page, self.anchor)
    }
}

/// Every clause of the handbook in reading order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClauseIndex {
    pub clauses: Vec<Clause>,
}

impl ClauseIndex {
    pub fn get(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }
}

/// A policy chapter: its clauses and where each sits in the source.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub number: u32,
    /// Source line of the `#` heading, for cross-chapter numbering errors.
    pub line: usize,
    pub clauses: Vec<Clause>,
    structure: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Block {
    /// A `##` section heading; the section runs to the next one.
    Section { id: String, at: usize },
    /// A top-level ordered list of items.
    Items {
        range: Range<usize>,
        items: Vec<ItemSource>,
    },
}

#[derive(Debug, Clone)]
struct ItemSource {
    id: String,
    number: u32,
    range: Range<usize>,
}

pub fn anchor_of(id: &str) -> String {
    format!("c-{}", id.replace('.', "-"))
}

/// `3` → `三`, `12` → `十二`. The numerals come from the engine's
/// [`wxcheck::clause_label`], so the handbook and the checker label alike.
pub fn chinese_numeral(n: u32) -> String {
    wxcheck::clause_label(&n.to_string()).unwrap_or_else(|| n.to_string())
}

fn parse_chinese_numeral(s: &str) -> Option<u32> {
    (1..=99).find(|&n| chinese_numeral(n) == s)
}

/// `三、信息发布管理` → (3, `信息发布管理`)
fn split_chapter_heading(heading: &str) -> Option<(u32, &str)> {
    let (num, title) = heading.split_once('、')?;
    Some((parse_chinese_numeral(num.trim())?, title.trim()))
}

/// `（三）禁止发布内容` → (3, `禁止发布内容`); ASCII parentheses are accepted too.
fn split_section_heading(heading: &str) -> Option<(u32, &str)> {
    let rest = heading
        .strip_prefix('（')
        .or_else(|| heading.strip_prefix('('))?;
    let close = rest.find(['）', ')'])?;
    let num = parse_chinese_numeral(rest[..close].trim())?;
    let title = rest[close..].trim_start_matches(['）', ')']).trim();
    Some((num, title))
}

/// A heading that is meant as a chapter but not written `三、标题`:
/// `三.标题`, `三 标题`, `第三章 标题`. Its number, so that the chapter
/// order is still checked without a cascade.
fn loose_chapter_number(heading: &str) -> Option<u32> {
    let heading = heading.trim();
    let num = match heading.strip_prefix('第') {
        Some(rest) => rest.split_once('章')?.0,
        None => {
            let end = heading
                .find(|c: char| !"一二三四五六七八九十".contains(c))
                .unwrap_or(heading.len());
            if !heading[end..].starts_with(['.', '．', '，', ',', ' ', '　', ':', '：']) {
                return None;
            }
            &heading[..end]
        }
    };
    parse_chinese_numeral(num.trim())
}

/// The chapter number of a page's `#` heading, also when it is written
/// loosely (the page then has an error of its own).
pub fn chapter_heading(text: &str) -> Option<(u32, usize)> {
    let mut events = Parser::new(text).into_offset_iter();
    while let Some((event, range)) = events.next() {
        if let Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }) = event
        {
            let heading = collect_text(&mut events, TagEnd::Heading(HeadingLevel::H1));
            let number = split_chapter_heading(&heading)
                .map(|(n, _)| n)
                .or_else(|| loose_chapter_number(&heading))?;
            return Some((number, line_of(text, range.start)));
        }
    }
    None
}

/// One break in a run of numbers that should read 1, 2, 3 …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberingError {
    /// Position in the run.
    pub index: usize,
    pub expected: u32,
    pub got: u32,
    /// `got` already appeared earlier in the run.
    pub repeated: bool,
}

impl NumberingError {
    /// What went wrong, as the messages say it: 重复, 倒退 or 不连续.
    pub fn what(&self) -> &'static str {
        if self.repeated {
            "重复"
        } else if self.got < self.expected {
            "倒退"
        } else {
            "不连续"
        }
    }
}

/// Checks that `numbers` count 1, 2, 3 … and reports each break once.
///
/// One mistake must give one error, not one per following number: after a
/// break the check resynchronises. If the next number is what would follow
/// the expected one, the wrong number was a typo (`1 1 3`, `一 二 九 四`) and
/// the count goes on as expected; otherwise the run goes on from what was
/// written (a missing `1 2 4 5`, an inserted `1 2 2 3`).
pub fn numbering_errors(numbers: &[u32]) -> Vec<NumberingError> {
    let mut errors = Vec::new();
    let mut expected = 1;
    for (index, &got) in numbers.iter().enumerate() {
        if got != expected {
            errors.push(NumberingError {
                index,
                expected,
                got,
                repeated: numbers[..index].contains(&got),
            });
            expected = if numbers.get(index + 1) == Some(&(expected + 1)) {
                expected
            } else {
                got
            };
        }
        expected += 1;
    }
    errors
}

pub fn label_of(id: &str) -> String {
    wxcheck::clause_label(id).unwrap_or_else(|| id.to_string())
}

/// Parses one Markdown page. Returns `Ok(None)` for pages that are not policy
/// chapters (their `#` heading is not `N、…`), and every structural error found,
/// each naming `file:line`.
pub fn parse_chapter(
    file: &str,
    page: &str,
    text: &str,
) -> Result<Option<Chapter>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let err = |errors: &mut Vec<Diagnostic>, at: usize, msg: String| {
        errors.push(Diagnostic::new(file, Some(line_of(text, at)), msg))
    };

    let mut chapter: Option<(u32, String, usize)> = None;
    let mut chapter_text = String::new();
    let mut clauses: Vec<Clause> = Vec::new();
    let mut structure = Vec::new();
    // (number, index into `clauses`) of the current section
    let mut section: Option<(u32, usize)> = None;
    // Typed numbers and offsets of the sections, and of each section's items
    // (by section occurrence, so a repeated `（一）` starts its own count);
    // checked at the end, each run as a whole (see [`numbering_errors`]).
    let mut seen_sections: Vec<(u32, usize)> = Vec::new();
    let mut section_items: Vec<Vec<(u32, usize)>> = Vec::new();

    let mut events = Parser::new_ext(
        text,
        Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES,
    )
    .into_offset_iter()
    .peekable();
    let mut depth = 0usize; // container nesting outside the constructs handled below
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let heading = collect_text(&mut events, TagEnd::Heading(level));
                match level {
                    HeadingLevel::H1 => {
                        if chapter.is_some() {
                            err(
                                &mut errors,
                                range.start,
                                "一章只能有一个一级标题（# …）".into(),
                            );
                            continue;
                        }
                        let Some((number, title)) = split_chapter_heading(&heading) else {
                            if let Some(number) = loose_chapter_number(&heading) {
                                err(
                                    &mut errors,
                                    range.start,
                                    format!(
                                        "章标题应写成“{}、标题”（中文数字加顿号“、”），而不是“{heading}”",
                                        chinese_numeral(number)
                                    ),
                                );
                                return Err(errors);
                            }
                            // Not a policy chapter (front page, tools, changelog).
                            return Ok(None);
                        };
                        chapter = Some((number, title.to_string(), range.start));
                        clauses.push(Clause {
                            id: number.to_string(),
                            label: chinese_numeral(number),
                            title: title.to_string(),
                            text: String::new(),
                            page: page.to_string(),
                            anchor: anchor_of(&number.to_string()),
                            kind: ClauseKind::Chapter,
                            completed: heading_has_marker(text, &range),
                            aliases: Vec::new(),
                        });
                    }
                    HeadingLevel::H2 => {
                        let Some((chapter_no, _, _)) = chapter else {
                            err(
                                &mut errors,
                                range.start,
                                "节标题（## …）之前缺少章标题（# 一、…）".into(),
                            );
                            continue;
                        };
                        let Some((number, title)) = split_section_heading(&heading) else {
                            err(
                                &mut errors,
                                range.start,
                                format!("节标题应写成“（一）标题”的形式，而不是“{heading}”"),
                            );
                            continue;
                        };
                        seen_sections.push((number, range.start));
                        section_items.push(Vec::new());
                        let id = format!("{chapter_no}.{number}");
                        section = Some((number, clauses.len()));
                        structure.push(Block::Section {
                            id: id.clone(),
                            at: range.start,
                        });
                        clauses.push(Clause {
                            label: label_of(&id),
                            anchor: anchor_of(&id),
                            id,
                            title: title.to_string(),
                            text: String::new(),
                            page: page.to_string(),
                            kind: ClauseKind::Section,
                            completed: heading_has_marker(text, &range),
                            aliases: Vec::new(),
                        });
                    }
                    _ => err(
                        &mut errors,
                        range.start,
                        "正文中只能使用一级（章）和二级（节）标题".into(),
                    ),
                }
            }
            Event::Start(Tag::List(Some(_))) if depth == 0 && chapter.is_some() => {
                let Some((section_no, section_index)) = section else {
                    err(
                        &mut errors,
                        range.start,
                        "编号条款必须位于某一节（## （一）…）之下".into(),
                    );
                    skip_to_end(&mut events, TagEnd::List(true));
                    continue;
                };
                let chapter_no = chapter.as_ref().map(|c| c.0).unwrap_or_default();
                let typed = section_items.last_mut().expect("a section is open");
                let mut items = Vec::new();
                while let Some((event, item_range)) = events.next() {
                    match event {
                        Event::Start(Tag::Item) => {
                            let item_text = collect_text(&mut events, TagEnd::Item);
                            let source = &text[item_range.clone()];
                            let number = leading_number(source)
                                .unwrap_or_else(|| typed.last().map_or(1, |(n, _)| n + 1));
                            typed.push((number, item_range.start));
                            let id = format!("{chapter_no}.{section_no}.{number}");
                            let section_title = clauses[section_index].title.clone();
                            clauses.push(Clause {
                                label: label_of(&id),
                                anchor: anchor_of(&id),
                                title: lead_phrase(&item_text).unwrap_or(section_title),
                                text: item_text,
                                page: page.to_string(),
                                kind: ClauseKind::Item,
                                completed: source.contains(COMPLETION_MARKER),
                                aliases: Vec::new(),
                                id: id.clone(),
                            });
                            items.push(ItemSource {
                                id,
                                number,
                                range: item_range,
                            });
                        }
                        Event::End(TagEnd::List(true)) => break,
                        _ => {}
                    }
                }
                structure.push(Block::Items { range, items });
            }
            Event::Start(Tag::Paragraph) if depth == 0 => {
                let paragraph = collect_text(&mut events, TagEnd::Paragraph);
                let target = match section {
                    Some((_, index)) => &mut clauses[index].text,
                    None => &mut chapter_text,
                };
                if !target.is_empty() {
                    target.push('\n');
                }
                target.push_str(&paragraph);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let Some((number, _, at)) = chapter else {
        return Ok(None);
    };
    let numbers: Vec<u32> = seen_sections.iter().map(|(n, _)| *n).collect();
    for e in numbering_errors(&numbers) {
        let message = if e.repeated {
            format!("节编号重复：（{}）已经出现过", chinese_numeral(e.got))
        } else {
            format!(
                "节编号{}：这里应为（{}），实际为（{}）",
                e.what(),
                chinese_numeral(e.expected),
                chinese_numeral(e.got)
            )
        };
        err(&mut errors, seen_sections[e.index].1, message);
    }
    for items in &section_items {
        let numbers: Vec<u32> = items.iter().map(|(n, _)| *n).collect();
        for e in numbering_errors(&numbers) {
            err(
                &mut errors,
                items[e.index].1,
                format!(
                    "条款编号{}：这里应为 {}，实际为 {}",
                    e.what(),
                    e.expected,
                    e.got
                ),
            );
        }
    }
    errors.sort_by_key(|d| d.line);
    if let Some(first) = clauses.first_mut() {
        first.text = chapter_text;
    }
    if errors.is_empty() {
        Ok(Some(Chapter {
            number,
            line: line_of(text, at),
            clauses,
            structure,
        }))
    } else {
        Err(errors)
    }
}

/// Item numbers written the Chinese way, read or rejected — never merged.
///
/// CommonMark knows only `1.` and `1)` followed by a space as list items. A
/// list typed `1、甲` / `2、乙` is one paragraph to it, and `2、乙` after an
/// item is a continuation of that item: the clauses would silently merge
/// (76 clauses became 73). So, in policy chapters only:
///
/// - `1、` `1．` `1）` and `1.` / `1)` without the space are read as the item
///   marker they mean and rewritten to `1. ` (line numbers are unchanged);
/// - a line that would still merge into the line above — any line inside a
///   paragraph starting with a number marker, `（1）`, `(1)` or `第一条` — is
///   an error saying how to write it;
/// - a paragraph of its own starting with `（1）` or `第一条` (not a clause in
///   this handbook's scheme, where `第X条` numbers a whole law and `（1）` is
///   ambiguous between an item and a sub-point) or with `（一）` (a section
///   heading missing its `##`) is an error saying how to write it.
///
/// Inside an item, a separate, indented paragraph starting with `（1）` is a
/// sub-point and fine.
pub fn read_item_markers(file: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
    if chapter_heading(text).is_none() {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for (line_start, _, _) in paragraph_lines(text) {
        let indent = leading_blank(&text[line_start..]);
        let at = line_start + indent;
        if let Some(marker) = loose_item_marker(&text[at..]) {
            out.push_str(&text[cursor..at + marker.start]);
            out.push_str(". ");
            cursor = at + marker.end;
        }
    }
    out.push_str(&text[cursor..]);

    let mut errors: Vec<Diagnostic> = Vec::new();
    // A paragraph of lines all numbered the same wrong way is one mistake:
    // one error at its first such line, counting the others.
    let mut group: Option<(usize, std::mem::Discriminant<NumberedLine>, usize)> = None;
    let close_group = |errors: &mut Vec<Diagnostic>, group: Option<(usize, _, usize)>| {
        if let Some((index, _, more)) = group
            && more > 0
        {
            let d: &mut Diagnostic = &mut errors[index];
            d.message
                .push_str(&format!("（本段其后还有 {more} 行同样的写法）"));
        }
    };
    for (line_start, first, in_list) in paragraph_lines(&out) {
        if first {
            close_group(&mut errors, group.take());
        }
        let rest = &out[line_start + leading_blank(&out[line_start..])..];
        let Some(kind) = numbered_line(rest) else {
            continue;
        };
        if let Some((_, seen, more)) = &mut group
            && *seen == std::mem::discriminant(&kind)
        {
            *more += 1;
            continue;
        }
        let message = match kind {
            NumberedLine::Item(n) if !first => {
                format!("这一行的“{n}.”不会另起一条，会并入上一行：请在这一行上面空一行")
            }
            NumberedLine::Paren(n) if !first => format!(
                "这一行以“（{n}）”开头，会与上一行并成一段：若是本节的条款，请写成“{n}. …”；若是上一条下的分项，请在它上面空一行并缩进三个空格"
            ),
            NumberedLine::Paren(n) if !in_list => format!(
                "以“（{n}）”开头的段落不会被识别为条款：若是本节的条款，请写成“{n}. …”；若是上一条下的分项，请缩进三个空格"
            ),
            NumberedLine::Article(n) if !first || !in_list => format!(
                "“第{}条”不会被识别为条款：请写成“{n}. …”（每节从 1 起编号）",
                chinese_numeral(n)
            ),
            NumberedLine::Section(n) if !first || !in_list => format!(
                "以“（{0}）”开头的段落不会被识别为节：节标题请写成“## （{0}）标题”",
                chinese_numeral(n)
            ),
            _ => continue,
        };
        close_group(&mut errors, group.take());
        group = Some((errors.len(), std::mem::discriminant(&kind), 0));
        errors.push(Diagnostic::new(
            file,
            Some(line_of(&out, line_start)),
            message,
        ));
    }
    close_group(&mut errors, group.take());
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Bytes of leading spaces, tabs and ideographic spaces.
fn leading_blank(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t', '　']).len()
}

/// `(line start, first line of its paragraph, paragraph inside a list)` for
/// every line of every paragraph and list item text (not code, tables or HTML).
/// A line start may point at the line's indentation.
fn paragraph_lines(text: &str) -> Vec<(usize, bool, bool)> {
    let mut lines = Vec::new();
    let mut lists = 0usize;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_)) => lists += 1,
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Paragraph) => lines.push((range.start, true, lists > 0)),
            // A tight list item's text has no paragraph events; a line break
            // marks the next line of a paragraph or item either way.
            Event::SoftBreak | Event::HardBreak => lines.push((range.end, false, lists > 0)),
            _ => {}
        }
    }
    lines
}

/// The byte range (in `line`'s text, offset by the caller) of a marker that
/// means an item number but is not one to CommonMark: `1、` `1．` `1）`, or
/// `1.` `1)` not followed by a space. One or two digits only, and never before
/// a digit (`2.5倍`), so years and decimals stay text.
fn loose_item_marker(line: &str) -> Option<Range<usize>> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    let mark = line[digits..].chars().next()?;
    let after = line[digits + mark.len_utf8()..].chars().next();
    let loose = match mark {
        '、' | '．' | '）' => true,
        '.' | ')' => after.is_some_and(|c| !c.is_whitespace()),
        _ => false,
    };
    if !loose || after.is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(digits..digits + mark.len_utf8())
}

/// How a paragraph line starts, when it starts like a numbered clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberedLine {
    /// `3.` `3、` …
    Item(u32),
    /// `（3）` `(3)`
    Paren(u32),
    /// `（三）`
    Section(u32),
    /// `第三条`
    Article(u32),
}

fn numbered_line(line: &str) -> Option<NumberedLine> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let mut rest = line[digits..].chars();
        let mark = rest.next()?;
        let n = line[..digits].parse().ok()?;
        return (['.', ')', '、', '．', '）'].contains(&mark)
            && !rest.next().is_some_and(|c| c.is_ascii_digit()))
        .then_some(NumberedLine::Item(n));
    }
    if let Some(rest) = line.strip_prefix('第') {
        let (num, _) = rest.split_once('条')?;
        return parse_chinese_numeral(num).map(NumberedLine::Article);
    }
    let inner = line.strip_prefix(['（', '('])?;
    let close = inner.find(['）', ')'])?;
    let num = &inner[..close];
    if let Ok(n) = num.parse::<u32>() {
        return (num.len() <= 2).then_some(NumberedLine::Paren(n));
    }
    parse_chinese_numeral(num).map(NumberedLine::Section)
}
fn heading_has_marker(text: &str, range: &Range<usize>) -> bool {
    text[range.clone()].contains(COMPLETION_MARKER)
}

/// The number the admin typed before an item (`3.` or `3)`).
fn leading_number(source: &str) -> Option<u32> {
    let digits: String = source
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `合规性原则：严格遵守……` → `合规性原则`
fn lead_phrase(text: &str) -> Option<String> {
    let (head, _) = text.split_once(['：', ':'])?;
    let len = head.chars().count();
    (2..=12).contains(&len).then(|| head.trim().to_string())
}

/// Plain text of everything up to `end`, consuming it. HTML (comments, tags) is dropped.
fn collect_text<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>,
    end: TagEnd,
) -> String {
    let mut out = String::new();
    for (event, _) in events.by_ref() {
        match event {
            Event::End(e) if e == end => break,
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {}
            Event::End(TagEnd::Paragraph) => out.push('\n'),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

fn skip_to_end<'a>(events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>, end: TagEnd) {
    for (event, _) in events.by_ref() {
        if matches!(&event, Event::End(e) if *e == end) {
            break;
        }
    }
}

/// How the annotated Markdown is rendered.
pub struct Annotate<'a> {
    /// Extra HTML placed inside a clause's element (the rules that enforce it).
    pub clause_note: &'a dyn Fn(&str) -> Option<String>,
}

impl Chapter {
    /// Rewrites the chapter's Markdown so that every clause sits in an element
    /// carrying `data-clause` and `id`, with a visible link to itself. The text
    /// in between is left to mdBook's own Markdown rendering.
    pub fn annotate(&self, text: &str, options: &Annotate<'_>) -> String {
        let mut splices: Vec<(Range<usize>, String)> = Vec::new();
        let chapter = &self.clauses[0];
        splices.push((
            0..0,
            format!("{}\n\n", open_tag("div", chapter, "clause clause-chapter")),
        ));
        let mut open_section = false;
        for block in &self.structure {
            match block {
                Block::Section { id, at } => {
                    let clause = self.clause(id);
                    let mut html = String::new();
                    if open_section {
                        html.push_str("</section>\n\n");
                    }
                    let _ = write!(
                        html,
                        "{}\n\n",
                        open_tag("section", clause, "clause clause-section")
                    );
                    splices.push((*at..*at, html));
                    // The label link goes right after the heading line.
                    let eol = text[*at..].find('\n').map_or(text.len(), |i| at + i + 1);
                    let mut after = format!("\n{}\n", anchor_link(clause));
                    after.push_str(&self.extras(clause, options));
                    after.push('\n');
                    splices.push((eol..eol, after));
                    open_section = true;
                }
                Block::Items { range, items } => {
                    let mut html = String::from("<ol class=\"clause-list\">\n");
                    for item in items {
                        let clause = self.clause(&item.id);
                        let _ = writeln!(
                            html,
                            "<li value=\"{}\" {}>{}",
                            item.number,
                            clause_attrs(clause, "clause clause-item"),
                            alias_targets(clause)
                        );
                        let _ = write!(html, "{}\n\n", anchor_link(clause));
                        html.push_str(&item_body(&text[item.range.clone()]));
                        html.push_str("\n\n");
                        html.push_str(&self.extras(clause, options));
                        html.push_str("</li>\n");
                    }
                    html.push_str("</ol>\n");
                    splices.push((range.clone(), html));
                }
            }
        }
        let mut close = String::from("\n\n");
        if open_section {
            close.push_str("</section>\n\n");
        }
        close.push_str("</div>\n");
        splices.push((text.len()..text.len(), close));

        let mut out = String::with_capacity(text.len() * 2);
        let mut cursor = 0;
        splices.sort_by_key(|(r, _)| (r.start, r.end));
        for (range, replacement) in splices {
            out.push_str(&text[cursor..range.start]);
            out.push_str(&replacement);
            cursor = range.end;
        }
        out.push_str(&text[cursor..]);
        out
    }

    fn clause(&self, id: &str) -> &Clause {
        self.clauses
            .iter()
            .find(|c| c.id == id)
            .expect("clause of this chapter")
    }

    fn extras(&self, clause: &Clause, options: &Annotate<'_>) -> String {
        let mut html = String::new();
        // Completed clauses are listed once, on the front page (`draft_note`),
        // not marked one by one: to a reader a mark on each looks unfinished.
        if let Some(note) = (options.clause_note)(&clause.id) {
            html.push_str(&note);
            html.push_str("\n\n");
        }
        html
    }
}

fn clause_attrs(clause: &Clause, class: &str) -> String {
    let class = if clause.completed {
        format!("{class} clause-completed")
    } else {
        class.to_string()
    };
    format!(
        "class=\"{class}\" id=\"{}\" data-clause=\"{}\" data-label=\"{}\"",
        clause.anchor, clause.id, clause.label
    )
}

fn open_tag(tag: &str, clause: &Clause, class: &str) -> String {
    format!(
        "<{tag} {}>{}",
        clause_attrs(clause, class),
        alias_targets(clause)
    )
}

/// Empty elements carrying the clause's old anchors, so that a link from an
/// earlier edition scrolls here; `assets/editions.js` explains the renumbering.
fn alias_targets(clause: &Clause) -> String {
    clause
        .aliases
        .iter()
        .map(|a| {
            format!(
                "<span class=\"clause-alias\" id=\"{}\" data-was=\"{}\" data-edition=\"{}\"></span>",
                escape(&a.anchor),
                escape(&a.label),
                escape(&a.edition)
            )
        })
        .collect()
}

fn anchor_link(clause: &Clause) -> String {
    format!(
        "<a class=\"clause-anchor\" href=\"#{anchor}\" title=\"点击复制本条链接\" aria-label=\"{label}：复制本条链接\">{label}</a>",
        anchor = clause.anchor,
        label = clause.label
    )
}

/// An item's Markdown without its `N.` marker, continuation lines dedented.
fn item_body(source: &str) -> String {
    let trimmed = source.trim_start();
    let marker_len = trimmed.chars().take_while(char::is_ascii_digit).count() + 1;
    let rest = &trimmed[marker_len..];
    let indent = marker_len + (rest.len() - rest.trim_start_matches(' ').len());
    let mut out = String::new();
    for (i, line) in rest.trim_start_matches(' ').lines().enumerate() {
        if i > 0 {
            out.push('\n');
            let spaces = line.len() - line.trim_start_matches(' ').len();
            out.push_str(&line[spaces.min(indent)..]);
        } else {
            out.push_str(line);
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "# 三、信息发布管理\n\n## （一）内容审核\n\n1. 合规性原则：第一条。\n2. 第二条。\n\n## （二）发布规范\n\n引言。\n\n1. 甲。<!-- 补全 -->\n";

    #[test]
    fn numerals_round_trip() {
        for n in 1..=99 {
            assert_eq!(parse_chinese_numeral(&chinese_numeral(n)), Some(n));
        }
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(21), "二十一");
    }

    #[test]
    fn parses_ids_labels_titles_and_text() {
        let chapter = parse_chapter("p.md", "p.html", CHAPTER).unwrap().unwrap();
        let rows: Vec<(&str, &str, &str, &str, bool)> = chapter
            .clauses
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.label.as_str(),
                    c.title.as_str(),
                    c.text.as_str(),
                    c.completed,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("3", "三", "信息发布管理", "", false),
                ("3.1", "三（一）", "内容审核", "", false),
                (
                    "3.1.1",
                    "三（一）1",
                    "合规性原则",
                    "合规性原则：第一条。",
                    false
                ),
                ("3.1.2", "三（一）2", "内容审核", "第二条。", false),
                ("3.2", "三（二）", "发布规范", "引言。", false),
                ("3.2.1", "三（二）1", "发布规范", "甲。", true),
            ]
        );
    }

    #[test]
    fn non_policy_pages_are_skipped() {
        assert!(
            parse_chapter("r.md", "index.html", "# 手册说明\n\n1. 列表\n")
                .unwrap()
                .is_none()
        );
    }

    fn error_of(text: &str) -> String {
        let errors = parse_chapter("c.md", "c.html", text).unwrap_err();
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn numbering_gap_names_the_line() {
        let e = error_of("# 一、总则\n\n## （一）甲\n\n1. a\n2. b\n4. d\n");
        assert!(e.starts_with("c.md:7:") && e.contains("不连续"), "{e}");
    }

    #[test]
    fn duplicate_item_names_the_line() {
        let e = error_of("# 一、总则\n\n## （一）甲\n\n1. a\n2. b\n2. c\n");
        assert!(e.starts_with("c.md:7:") && e.contains("重复"), "{e}");
    }

    #[test]
    fn section_gap_and_duplicate() {
        assert!(error_of("# 一、总则\n\n## （一）甲\n\n## （三）丙\n").starts_with("c.md:5:"));
        assert!(error_of("# 一、总则\n\n## （一）甲\n\n## （一）乙\n").contains("重复"));
    }

    #[test]
    fn item_outside_a_section() {
        let e = error_of("# 一、总则\n\n1. a\n");
        assert!(e.starts_with("c.md:3:") && e.contains("之下"), "{e}");
    }

    #[test]
    fn numbering_breaks_are_reported_once() {
        // (numbers, [(index, expected)])
        /// (position, expected number) of each reported break
        type Breaks = &'static [(usize, u32)];
        let cases: &[(&[u32], Breaks)] = &[
            (&[1, 2, 3], &[]),
            (&[1, 2, 4, 5], &[(2, 3)]),    // one missing
            (&[1, 2, 2, 3], &[(2, 3)]),    // one inserted twice
            (&[1, 1, 3], &[(1, 2)]),       // a typo
            (&[1, 2, 9, 4, 5], &[(2, 3)]), // 九 in place of 三
            (&[2, 3], &[(0, 1)]),          // starts late
            (&[1, 2, 3, 9], &[(3, 4)]),    // last one wrong
            (&[1, 3, 5], &[(1, 2), (2, 4)]),
        ];
        for (numbers, expected) in cases {
            let got: Vec<(usize, u32)> = numbering_errors(numbers)
                .iter()
                .map(|e| (e.index, e.expected))
                .collect();
            assert_eq!(&got, expected, "{numbers:?}");
        }
    }

    /// Chinese-style item numbers: read as items, or one error saying how to
    /// write them. (chapter body under `# 一、总则\n\n## （一）甲\n\n`,
    /// item ids or error fragments)
    #[test]
    fn chinese_item_numbers_are_read_or_rejected() {
        enum Want {
            Items(&'static [&'static str]),
            Errors(&'static [&'static str]),
        }
        use Want::*;
        let cases: &[(&str, Want)] = &[
            ("1、甲\n2、乙\n3、丙\n", Items(&["1.1.1", "1.1.2", "1.1.3"])),
            ("1.甲\n2.乙\n", Items(&["1.1.1", "1.1.2"])),
            ("1）甲\n2）乙\n", Items(&["1.1.1", "1.1.2"])),
            ("1. 甲\n2、乙\n", Items(&["1.1.1", "1.1.2"])),
            ("1、甲\n\n2、乙\n", Items(&["1.1.1", "1.1.2"])),
            (
                "1. 员工应当：\n\n   （1）甲；\n\n   （2）乙。\n",
                Items(&["1.1.1"]),
            ),
            ("说明：\n2.5倍的课时。\n", Items(&[])),
            ("2024、2025年两年。\n", Items(&[])),
            (
                "引言：\n2、乙\n",
                Errors(&["c.md:6: 这一行的“2.”不会另起一条"]),
            ),
            (
                "（1）甲\n（2）乙\n（3）丙\n",
                Errors(&[
                    "c.md:5: 以“（1）”开头的段落不会被识别为条款：若是本节的条款，请写成“1. …”",
                ]),
            ),
            (
                "1. 员工应当：\n（1）甲；\n（2）乙。\n",
                Errors(&[
                    "c.md:6: 这一行以“（1）”开头，会与上一行并成一段",
                    "本段其后还有 1 行",
                ]),
            ),
            (
                "第一条 甲\n\n第二条 乙\n",
                Errors(&[
                    "c.md:5: “第一条”不会被识别为条款：请写成“1. …”",
                    "c.md:7: “第二条”",
                ]),
            ),
            (
                "1. 甲\n\n（二）乙\n",
                Errors(&[
                    "c.md:7: 以“（二）”开头的段落不会被识别为节：节标题请写成“## （二）标题”",
                ]),
            ),
        ];
        for (body, want) in cases {
            let text = format!("# 一、总则\n\n## （一）甲\n\n{body}");
            let result = read_item_markers("c.md", &text).and_then(|text| {
                parse_chapter("c.md", "c.html", &text).map(|c| c.expect("a chapter"))
            });
            match (result, want) {
                (Ok(chapter), Items(ids)) => {
                    let got: Vec<&str> = chapter
                        .clauses
                        .iter()
                        .filter(|c| c.kind == ClauseKind::Item)
                        .map(|c| c.id.as_str())
                        .collect();
                    assert_eq!(&got, ids, "{body}");
                }
                (Err(errors), Errors(fragments)) => {
                    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    let all = shown.join("\n");
                    assert_eq!(
                        shown.len(),
                        fragments.iter().filter(|f| f.starts_with("c.md:")).count(),
                        "{body}:\n{all}"
                    );
                    for f in *fragments {
                        assert!(all.contains(f), "{body}: `{f}` not in\n{all}");
                    }
                }
                (Ok(_), Errors(_)) => panic!("{body}: accepted"),
                (Err(e), Items(_)) => panic!("{body}: {e:?}"),
            }
        }
    }

    #[test]
    fn other_pages_keep_their_lists() {
        let text = "# 手册说明\n\n1、甲\n2、乙\n";
        assert_eq!(read_item_markers("r.md", text).unwrap(), text);
    }

    #[test]
    fn loose_chapter_headings_are_errors_that_keep_their_number() {
        for heading in ["# 三.信息发布", "# 第三章 信息发布", "# 三 信息发布"] {
            let text = format!("{heading}\n\n## （一）甲\n");
            let e = error_of(&text);
            assert!(e.starts_with("c.md:1: 章标题应写成“三、标题”"), "{e}");
            assert_eq!(chapter_heading(&text), Some((3, 1)), "{heading}");
        }
    }

    #[test]
    fn annotation_wraps_every_clause() {
        let chapter = parse_chapter("p.md", "p.html", CHAPTER).unwrap().unwrap();
        let none = |_: &str| None;
        let out = chapter.annotate(CHAPTER, &Annotate { clause_note: &none });
        for c in &chapter.clauses {
            assert!(
                out.contains(&format!("id=\"{}\" data-clause=\"{}\"", c.anchor, c.id)),
                "{} missing in\n{out}",
                c.id
            );
        }
        assert!(
            !out.contains("本条为补全内容"),
            "no per-clause completion mark"
        );
        assert!(!out.contains("\n1. "), "list markers replaced:\n{out}");
    }
}
