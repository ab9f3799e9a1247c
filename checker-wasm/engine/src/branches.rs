//! Which branches of a pattern rule can match at a given anchor.
//!
//! Policy patterns are wide alternations (`(保证|确保)…(提分|…)|(提分|…)[0-9]{2,3}分以上|…`)
//! and regex-lite's PikeVM pays for every live branch at every byte it steps.
//! A pattern is only ever tried where one of its anchors starts, so a branch
//! whose every match must begin with a literal that does not agree with that
//! anchor (neither is a prefix of the other) cannot match there. Each anchor
//! gets a regex of only the branches that can, which on the policy's patterns
//! is usually one branch of four.
//!
//! The analysis is deliberately shallow and errs one way: a branch whose
//! leading literals it cannot read for certain (a class, an escape, an
//! optional group, inline flags) is kept for every anchor.

/// The pattern's top-level branches (split at `|` outside groups and classes),
/// or `None` when inline flags (`(?i)` …) could change how later branches
/// read, in which case the pattern is used whole.
pub(crate) fn split(pattern: &str) -> Option<Vec<&str>> {
    let b = pattern.as_bytes();
    let (mut depth, mut in_class, mut i, mut from) = (0usize, false, 0usize, 0usize);
    let mut out = Vec::new();
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            _ if in_class => {}
            b'(' => {
                if b.get(i + 1) == Some(&b'?') && b.get(i + 2) != Some(&b':') {
                    return None;
                }
                depth += 1;
            }
            b')' => depth = depth.saturating_sub(1),
            b'|' if depth == 0 => {
                out.push(&pattern[from..i]);
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&pattern[from..]);
    Some(out)
}

/// Characters with a meaning in regex syntax: a literal run stops at them.
fn is_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$'
    )
}

fn is_quantifier(c: Option<char>) -> bool {
    matches!(c, Some('?' | '*' | '+' | '{'))
}

/// The literals one of which every match of `branch` starts with, when the
/// branch opens with a literal run (`泄露版`, `考前[…]`) or a group of plain
/// literal alternatives that is not quantified (`(试题|考题)泄露`).
pub(crate) fn leading_literals(branch: &str) -> Option<Vec<&str>> {
    if let Some(inner_and_rest) = branch.strip_prefix('(') {
        let inner_and_rest = inner_and_rest.strip_prefix("?:").unwrap_or(inner_and_rest);
        let close = inner_and_rest.find(')')?;
        let (inner, rest) = (&inner_and_rest[..close], &inner_and_rest[close + 1..]);
        if is_quantifier(rest.chars().next()) {
            return None;
        }
        let alts: Vec<&str> = inner.split('|').collect();
        let plain = alts
            .iter()
            .all(|a| !a.is_empty() && !a.chars().any(is_meta));
        return plain.then_some(alts);
    }
    let run_end = branch.find(is_meta).unwrap_or(branch.len());
    let mut run = &branch[..run_end];
    if is_quantifier(branch[run_end..].chars().next()) {
        // The last character is quantified: only what precedes it is certain.
        let last = run.chars().next_back()?;
        run = &run[..run.len() - last.len_utf8()];
    }
    (!run.is_empty()).then(|| vec![run])
}

/// Whether `branch` can match text that starts with `anchor`.
pub(crate) fn can_start_with(branch: &str, anchor: &str) -> bool {
    leading_literals(branch).is_none_or(|lits| {
        lits.iter()
            .any(|l| l.starts_with(anchor) || anchor.starts_with(l))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_only() {
        assert_eq!(
            split(r"(a|b)c|[|x]d|\|e|f(?:g|h)"),
            Some(vec!["(a|b)c", "[|x]d", r"\|e", "f(?:g|h)"])
        );
        assert_eq!(split("(?i)a|b"), None);
        assert_eq!(split("abc"), Some(vec!["abc"]));
    }

    #[test]
    fn reads_leading_literals() {
        for (branch, want) in [
            ("泄露版", Some(vec!["泄露版"])),
            ("考前[^,]{0,4}(出售|售卖)", Some(vec!["考前"])),
            (
                "(试题|考题|笔试题)泄露",
                Some(vec!["试题", "考题", "笔试题"]),
            ),
            ("(?:a|b)c", Some(vec!["a", "b"])),
            ("(提分|涨)?[0-9]分", None),
            ("(a|b.)c", None),
            ("[0-9]+分", None),
            (r"\d+", None),
            ("abc?d", Some(vec!["ab"])),
            ("a?b", None),
            ("密码[ ]?", Some(vec!["密码"])),
        ] {
            assert_eq!(leading_literals(branch), want, "{branch}");
        }
    }

    #[test]
    fn anchors_select_branches() {
        let b = "(通过率|上岸率|提分率)[0-9]{2}%";
        assert!(can_start_with(b, "提分")); // 提分率 starts with the anchor
        assert!(can_start_with(b, "通过率高"));
        assert!(!can_start_with(b, "保证"));
        assert!(can_start_with("[0-9]+分", "保证")); // unreadable: kept
    }
}
