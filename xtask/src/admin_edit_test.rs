//! The admin's round trip, played on a copy of the live book: change a
//! setting, reword a clause, insert a clause mid-section (following the
//! build's own message to re-point the rules), bump the version, build, and
//! find exactly those changes on the 修订记录 page.
//!
//! Everything it touches is chosen from the book as it is, not named here, so
//! the test keeps working after any ordinary edit of the policy, published or
//! still pending.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::clauses::ClauseKind;
use crate::handbook::Handbook;
use crate::site::tests::copy_dir;
use crate::site::{BuildOptions, build};

fn analyse(book: &Path) -> Handbook {
    let md = mdbook_driver::MDBook::load(book).unwrap();
    Handbook::analyse(book, &md.book).unwrap_or_else(|e| panic!("{e:#}"))
}

fn options(book: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        repo_root: crate::repo_root(),
        book_dir: book.to_path_buf(),
        out_dir: out.to_path_buf(),
        skip_wasm: true,
        release_edition: false,
    }
}

/// Rewrites one `key = "value"` line of `settings.toml`.
fn set_setting(book: &Path, key: &str, value: &str) {
    let path = book.join("settings.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = Regex::new(&format!(r#"(?m)^{key}\s*=.*$"#)).unwrap();
    assert!(line.is_match(&text), "settings.toml has no {key}");
    let text = line.replace(&text, format!("{key} = \"{value}\"").as_str());
    std::fs::write(path, text.as_ref()).unwrap();
}

/// (kind, clause label) pairs listed in one 修订记录 section.
fn listed_changes(changelog: &str, section: &str) -> BTreeSet<(String, String)> {
    let start = changelog
        .find(&format!("id=\"{section}\""))
        .unwrap_or_else(|| panic!("no section {section} in the changelog"));
    let end = changelog[start..]
        .find("</section>")
        .map_or(changelog.len(), |e| start + e);
    let entry =
        Regex::new(r#"<li id="[^"]*" class="change change-([a-z-]+)"><span class="change-kind">[^<]*</span> (?:[^<→]*→ )?(?:<a [^>]*>)?([^<]+)"#)
            .unwrap();
    entry
        .captures_iter(&changelog[start..end])
        .map(|c| (c[1].to_string(), c[2].trim().to_string()))
        .collect()
}

fn section_of<'a>(changelog: &'a str, id: &str) -> &'a str {
    let start = changelog.find(&format!("id=\"{id}\"")).unwrap();
    let end = start + changelog[start..].find("</section>").unwrap();
    &changelog[start..end]
}

#[test]
fn admin_edits_renumbers_and_publishes_a_new_edition() {
    let work = std::env::temp_dir().join(format!("xtask-admin-edit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let book = work.join("book");
    copy_dir(&crate::repo_root().join("book"), &book);
    let site = work.join("site");
    let before = analyse(&book);
    let label = |id: &str, h: &Handbook| h.clauses.get(id).unwrap().label.clone();
    let version = before.settings.get("policy_version").unwrap().to_string();
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();

    // The published site before any edit: its 修订记录 rows must never change.
    build(&options(&book, &site)).unwrap_or_else(|e| panic!("{e:#}"));
    let last_slug = before
        .editions
        .last()
        .expect("the live book has a released edition")
        .version
        .replace('.', "-");
    let old_changelog = std::fs::read_to_string(site.join("changelog.html")).unwrap();
    let old_row = section_of(&old_changelog, &format!("rev-{last_slug}")).to_string();
    // Edits the admin has already made since the last edition (a clause
    // reworded, not yet published) are pending too and stay listed beside
    // this test's own: running the tests after an ordinary edit must pass.
    let pending_now = format!("rev-{}-pending", version.replace('.', "-"));
    if old_changelog.contains(&format!("id=\"{pending_now}\"")) {
        expected.extend(listed_changes(&old_changelog, &pending_now));
    }

    // 1. A setting: every clause whose text shows it changes.
    if let Some(hours) = before.settings.get("reply_hours") {
        let new = hours
            .parse::<u32>()
            .map_or("4".to_string(), |h| (h + 2).to_string());
        set_setting(&book, "reply_hours", &new);
        let after = analyse(&book);
        for c in &before.clauses.clauses {
            if after.clauses.get(&c.id).is_some_and(|a| a.text != c.text) {
                expected.insert(("changed".into(), c.label.clone()));
            }
        }
        assert!(
            !expected.is_empty(),
            "reply_hours appears in no clause text"
        );
    }

    // 2. Reword an item whose text is written verbatim in its chapter.
    let (reworded, page_file) = before
        .clauses
        .clauses
        .iter()
        .filter(|c| c.kind == ClauseKind::Item && c.text.ends_with('。') && !c.text.contains('\n'))
        .find_map(|c| {
            let (source, page) = before.pages.iter().find(|(_, p)| {
                p.chapter
                    .as_ref()
                    .is_some_and(|ch| ch.clauses.iter().any(|x| x.id == c.id))
            })?;
            let file = book.join("src").join(source);
            let text = std::fs::read_to_string(&file).ok()?;
            (text.matches(&c.text).count() == 1 && page.text.contains(&c.text))
                .then(|| (c.clone(), file))
        })
        .expect("some item is written verbatim");
    let text = std::fs::read_to_string(&page_file).unwrap();
    let reworded_text = format!("{}并留存记录备查。", reworded.text.trim_end_matches('。'));
    std::fs::write(&page_file, text.replacen(&reworded.text, &reworded_text, 1)).unwrap();
    expected.insert(("changed".into(), reworded.label.clone()));

    // 3. Insert a clause as item 2 of a section that a rule cites past item 1
    //    (so that the rule must follow), else of any section with two items.
    // Rules that the last edition recorded, still citing the same clause:
    // those the build must stop for when their clause moves.
    let recorded = &before.editions.last().expect("a released edition").rules;
    let tracked = |r: &&wxcheck::Rule| recorded.get(&*r.id).is_some_and(|c| *c == *r.clause);
    let cited: BTreeSet<&str> = before
        .rules
        .rules()
        .iter()
        .filter(tracked)
        .map(|r| &*r.clause)
        .collect();
    let items_of = |section: &str| -> Vec<String> {
        before
            .clauses
            .clauses
            .iter()
            .filter(|c| c.kind == ClauseKind::Item && c.id.rsplit_once('.').unwrap().0 == section)
            .map(|c| c.id.clone())
            .collect()
    };
    let sections: Vec<String> = before
        .clauses
        .clauses
        .iter()
        .filter(|c| c.kind == ClauseKind::Section && items_of(&c.id).len() >= 2)
        .map(|c| c.id.clone())
        .collect();
    let section = sections
        .iter()
        .find(|s| items_of(s)[1..].iter().any(|i| cited.contains(i.as_str())))
        .or(sections.first())
        .expect("a section with two items")
        .clone();
    let items = items_of(&section);
    let (source, _) = before
        .pages
        .iter()
        .find(|(_, p)| {
            p.chapter
                .as_ref()
                .is_some_and(|ch| ch.clauses.iter().any(|x| x.id == section))
        })
        .unwrap();
    let chapter_file = book.join("src").join(source);
    let text = std::fs::read_to_string(&chapter_file).unwrap();
    let heading = Regex::new(&format!(
        r"(?m)^## [（(]{}[）)]",
        regex::escape(&crate::clauses::chinese_numeral(
            section.rsplit_once('.').unwrap().1.parse().unwrap()
        ))
    ))
    .unwrap();
    let start = heading.find(&text).expect("section heading").end();
    let end = text[start..].find("\n#").map_or(text.len(), |e| start + e);
    let item_line = Regex::new(r"(?m)^(\d+)\. ").unwrap();
    let mut body = String::new();
    let mut inserted = false;
    let mut last = 0;
    for m in item_line.captures_iter(&text[start..end]) {
        let whole = m.get(0).unwrap();
        let n: u32 = m[1].parse().unwrap();
        body.push_str(&text[start + last..start + whole.start()]);
        if n == 2 && !inserted {
            body.push_str(
                "2. 员工不得在朋友圈转发未经公司核实的考试政策变动消息，确需转发的应注明来源。\n",
            );
            inserted = true;
        }
        body.push_str(&format!("{}. ", if n >= 2 { n + 1 } else { n }));
        last = whole.end();
    }
    body.push_str(&text[start + last..end]);
    assert!(
        inserted,
        "item 2 of {section} found in {}",
        chapter_file.display()
    );
    std::fs::write(
        &chapter_file,
        format!("{}{body}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    expected.insert(("added".into(), label(&format!("{section}.2"), &before)));
    for (k, id) in items.iter().enumerate().skip(1) {
        let new_label = crate::clauses::label_of(&format!("{section}.{}", k + 2));
        let kind = if *id == reworded.id {
            "changed-renumbered"
        } else {
            "renumbered"
        };
        if *id == reworded.id {
            expected.remove(&("changed".into(), reworded.label.clone()));
        }
        // A setting-changed clause that moved is both too.
        if expected.remove(&("changed".into(), label(id, &before))) {
            expected.insert(("changed-renumbered".into(), new_label));
            continue;
        }
        expected.insert((kind.into(), new_label));
    }

    // 4. The build stops at each rule left on a moved clause; follow its message.
    let moved: Vec<&str> = items[1..]
        .iter()
        .map(String::as_str)
        .filter(|i| cited.contains(i))
        .collect();
    if !moved.is_empty() {
        let err = format!("{:#}", build(&options(&book, &site)).unwrap_err());
        let fix = Regex::new(r#"(book/rules/[^:\s]+):(\d+)，改为 clause = "([0-9.]+)""#).unwrap();
        let fixes: Vec<(String, usize, String)> = fix
            .captures_iter(&err)
            .map(|c| (c[1].to_string(), c[2].parse().unwrap(), c[3].to_string()))
            .collect();
        let drifting = before
            .rules
            .rules()
            .iter()
            .filter(tracked)
            .filter(|r| moved.contains(&&*r.clause))
            .count();
        assert_eq!(
            fixes.len(),
            drifting,
            "one message per drifting rule:\n{err}"
        );
        assert!(err.contains("已是新插入的条款"), "{err}");
        let quoted = Regex::new(r#""[0-9.]+""#).unwrap();
        for (file, line, to) in fixes {
            let path = work.join(&file);
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<&str> = text.split('\n').collect();
            let fixed = quoted
                .replace(lines[line - 1], format!("\"{to}\"").as_str())
                .into_owned();
            assert!(
                lines[line - 1].trim_start().starts_with("clause"),
                "{file}:{line} is the clause line"
            );
            lines[line - 1] = &fixed;
            std::fs::write(&path, lines.join("\n")).unwrap();
        }
        // The previous site is untouched by the failed build.
        assert_eq!(
            std::fs::read_to_string(site.join("changelog.html")).unwrap(),
            old_changelog
        );
    }

    // 5. A new version; the build passes and shows exactly these changes.
    let new_version = format!("{version}.1");
    set_setting(&book, "policy_version", &new_version);
    build(&options(&book, &site)).unwrap_or_else(|e| panic!("{e:#}"));
    let changelog = std::fs::read_to_string(site.join("changelog.html")).unwrap();
    let pending = format!("rev-{}-pending", new_version.replace('.', "-"));
    assert_eq!(listed_changes(&changelog, &pending), expected);
    assert_eq!(section_of(&changelog, &format!("rev-{last_slug}")), old_row);

    // Badges beside the changed clauses; the old anchor lands on the moved clause.
    let page = std::fs::read_to_string(site.join(&reworded.page)).unwrap();
    assert!(
        page.contains("class=\"revision-badge\""),
        "badge on {}",
        reworded.page
    );
    let moved_page =
        std::fs::read_to_string(site.join(&before.clauses.get(&items[1]).unwrap().page)).unwrap();
    let old_anchor = &before.clauses.get(&items[1]).unwrap().anchor;
    let alias = format!("class=\"clause-alias\" id=\"{old_anchor}\"");
    let at = moved_page
        .find(&alias)
        .expect("old anchor kept as an alias");
    let owner = moved_page[..at].rfind("data-clause=\"").unwrap();
    let moved_to = format!("{section}.3");
    assert!(
        moved_page[owner..].starts_with(&format!("data-clause=\"{moved_to}\"")),
        "{old_anchor} sits in {moved_to}"
    );

    // 6. Freeze it: the snapshot is written and the text is now that edition.
    let mut release = options(&book, &site);
    release.release_edition = true;
    let report = build(&release).unwrap_or_else(|e| panic!("{e:#}"));
    let snapshot: PathBuf = report.released.expect("snapshot written");
    assert!(snapshot.ends_with(format!("{new_version}.json")));
    let released = analyse(&book);
    assert!(released.editions.released);
    let changelog = std::fs::read_to_string(site.join("changelog.html")).unwrap();
    let row = format!("rev-{}", new_version.replace('.', "-"));
    assert_eq!(listed_changes(&changelog, &row), expected);
    assert_eq!(section_of(&changelog, &format!("rev-{last_slug}")), old_row);
    // Releasing the same version again over different text is refused.
    set_setting(&book, "reply_hours", "9");
    let err = format!("{:#}", build(&release).unwrap_err());
    assert!(err.contains("已经定版"), "{err}");

    // XTASK_KEEP_TEST_DIR=1 keeps the edited book and site to look at.
    if std::env::var_os("XTASK_KEEP_TEST_DIR").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
}
