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
    lead(branch).map(|(literals, _)| literals)
}

/// [`leading_literals`] and the rest of the branch after them.
fn lead(branch: &str) -> Option<(Vec<&str>, &str)> {
    if branch.starts_with('(') {
        return match atom(branch)? {
            (Atom::Literals(alts), rest) if !is_quantifier(rest.chars().next()) => {
                Some((alts, rest))
            }
            _ => None,
        };
    }
    let run_end = branch.find(is_meta).unwrap_or(branch.len());
    let mut run = &branch[..run_end];
    if is_quantifier(branch[run_end..].chars().next()) {
        // The last character is quantified: only what precedes it is certain.
        let last = run.chars().next_back()?;
        run = &run[..run.len() - last.len_utf8()];
    }
    (!run.is_empty()).then(|| (vec![run], &branch[run.len()..]))
}

/// Whether `branch` can match text that starts with `anchor`.
pub(crate) fn can_start_with(branch: &str, anchor: &str) -> bool {
    leading_literals(branch).is_none_or(|lits| {
        lits.iter()
            .any(|l| l.starts_with(anchor) || anchor.starts_with(l))
    })
}

/// A set of characters, as single characters and inclusive ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CharSet {
    chars: Vec<char>,
    ranges: Vec<(char, char)>,
}

impl CharSet {
    pub(crate) fn contains(&self, c: char) -> bool {
        self.chars.contains(&c) || self.ranges.iter().any(|&(a, b)| a <= c && c <= b)
    }
}

/// What is known about a branch before running its regex: every match
/// starts with one of `leads`, then (when known) a character of `next`, and
/// (when known) contains one of `ahead` somewhere after the lead, and
/// (natively, when known) a character of `within.0` starting at most
/// `within.1` bytes after the lead ([`within`]). Natively a branch with no
/// readable lead has the empty lead.
///
/// This is what makes a failing anchored try cheap: a regex-lite search costs
/// about a microsecond however short its window, while 包括, 内部通知, 密码忘了
/// and 保证每节课都有反馈 are ordinary sentences that start at an anchor (包,
/// 内部, 密码, 保证) and cannot continue into a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Prefilter {
    leads: Vec<String>,
    next: Option<CharSet>,
    ahead: Option<Vec<String>>,
    #[cfg(not(target_arch = "wasm32"))]
    within: Option<(CharSet, usize)>,
}

impl Prefilter {
    /// False only when the branch cannot match at the start of `at` within
    /// `window` bytes.
    pub(crate) fn may_match(&self, at: &str, window: usize) -> bool {
        self.leads.iter().any(|lead| {
            let Some(rest) = at.get(..window).unwrap_or(at).strip_prefix(lead.as_str()) else {
                return false;
            };
            self.next
                .as_ref()
                .is_none_or(|next| rest.chars().next().is_some_and(|c| next.contains(c)))
                && self
                    .ahead
                    .as_ref()
                    .is_none_or(|ahead| ahead.iter().any(|l| rest.contains(l.as_str())))
                && self.within_holds(rest)
        })
    }

    /// Whether a character of the required class starts within reach of
    /// `rest`, the text after the lead.
    #[cfg(not(target_arch = "wasm32"))]
    fn within_holds(&self, rest: &str) -> bool {
        self.within.as_ref().is_none_or(|(class, reach)| {
            rest.char_indices()
                .take_while(|&(i, _)| i <= *reach)
                .any(|(_, c)| class.contains(c))
        })
    }

    #[cfg(target_arch = "wasm32")]
    fn within_holds(&self, _: &str) -> bool {
        true
    }
}

/// The [`Prefilter`] of `branch`, or `None` when it knows nothing useful
/// (nothing readable after its lead; in the wasm, also no readable lead).
pub(crate) fn prefilter(branch: &str) -> Option<Prefilter> {
    let (leads, mut rest) = match lead(branch) {
        Some(lead) => lead,
        // Natively, a branch without a lead is read from its start: the
        // score list's (a surname class, a name …, then the score) has
        // nothing else to go by. The wasm leaves such branches to the regex
        // (this and [`within`] are 0.9 KB gzipped of its size budget).
        #[cfg(not(target_arch = "wasm32"))]
        None => (vec![""], branch),
        #[cfg(target_arch = "wasm32")]
        None => return None,
    };
    #[cfg(not(target_arch = "wasm32"))]
    let within = within(rest);
    #[cfg(not(target_arch = "wasm32"))]
    let known = within.is_some();
    #[cfg(target_arch = "wasm32")]
    let known = false;
    // The first characters of the elements up to the first required one;
    // `None` once an element could start with nearly anything.
    let mut next = Some(CharSet::default());
    let mut next_done = false;
    let mut ahead = None;
    while let Some((atom, min, after)) = element(rest) {
        if !next_done {
            match (&atom, next.as_mut()) {
                (Atom::Literals(alts), Some(set)) => set
                    .chars
                    .extend(alts.iter().filter_map(|a| a.chars().next())),
                (Atom::Class(Some(class)), Some(set)) => {
                    set.chars.extend(&class.chars);
                    set.ranges.extend(&class.ranges);
                }
                _ => next = None,
            }
            next_done = min > 0;
        }
        if let (Atom::Literals(alts), true) = (&atom, min > 0) {
            ahead = Some(alts.iter().map(|a| a.to_string()).collect());
            break;
        }
        rest = after;
    }
    // Without a required element the match could end right after the lead.
    let next = next.filter(|_| next_done);
    (next.is_some() || ahead.is_some() || known).then(|| Prefilter {
        leads: leads.iter().map(|l| l.to_string()).collect(),
        next,
        ahead,
        #[cfg(not(target_arch = "wasm32"))]
        within,
    })
}

/// A required character class of `rest` (the branch after its lead) that
/// only elements of bounded length precede, with the most bytes they can
/// span: a match has a character of the class starting at most that far
/// in. The score list (`[^\x00-\x7f][^…]{1,2}[ ]?:?[ ]?[^…]{0,6}?[ ]?[0-9]{2,3}…`,
/// tried at every surname) needs a digit within 40 bytes of the surname,
/// which 这周的作业 or 王老师说 do not have. `None` when an unbounded or
/// unreadable element comes first.
#[cfg(not(target_arch = "wasm32"))]
fn within(mut rest: &str) -> Option<(CharSet, usize)> {
    let mut reach = 0;
    loop {
        let (atom, after_atom) = atom(rest)?;
        let (min, after) = quantifier(after_atom)?;
        if let (Atom::Class(Some(class)), true) = (&atom, min > 0) {
            return Some((class.clone(), reach));
        }
        let max = max_count(&after_atom[..after_atom.len() - after.len()])?;
        reach += max * atom.max_bytes();
        rest = after;
    }
}

/// The maximum count of the quantifier `q` (as written, lazy `?` and all;
/// empty for none), `None` when unbounded.
#[cfg(not(target_arch = "wasm32"))]
fn max_count(q: &str) -> Option<usize> {
    match q.chars().next() {
        None | Some('?') => Some(1),
        Some('{') => {
            let body = &q[1..q.find('}')?];
            match body.split_once(',') {
                None => body.trim().parse().ok(),
                Some((_, max)) => max.trim().parse().ok(),
            }
        }
        _ => None,
    }
}

/// One element of a branch, as far as the prefilter cares.
enum Atom<'a> {
    /// A literal character or a group of plain literal alternatives.
    Literals(Vec<&'a str>),
    /// A character class; `None` when negated (nearly anything).
    Class(Option<CharSet>),
}

#[cfg(not(target_arch = "wasm32"))]
impl Atom<'_> {
    /// The most bytes one occurrence of the atom can match.
    fn max_bytes(&self) -> usize {
        match self {
            Atom::Literals(alts) => alts.iter().map(|a| a.len()).max().unwrap_or(0),
            Atom::Class(Some(set)) => set
                .chars
                .iter()
                .chain(set.ranges.iter().map(|(_, b)| b))
                .map(|c| c.len_utf8())
                .max()
                .unwrap_or(0),
            Atom::Class(None) => 4,
        }
    }
}

/// Reads the element at the start of `rest` with its quantifier: the atom,
/// its minimum count and what follows. `None` at the end of the branch and
/// for anything it cannot read.
fn element(rest: &str) -> Option<(Atom<'_>, usize, &str)> {
    let (atom, after) = atom(rest)?;
    let (min, after) = quantifier(after)?;
    Some((atom, min, after))
}

/// Reads the atom at the start of `rest` (a plain literal group, a class or a
/// literal character) and what follows it. `None` at the end of the branch
/// and for anything else (nested groups, escapes outside classes, `.`,
/// assertions).
fn atom(rest: &str) -> Option<(Atom<'_>, &str)> {
    let first = rest.chars().next()?;
    match first {
        '(' => {
            let inner_and_rest = rest[1..].strip_prefix("?:").unwrap_or(&rest[1..]);
            let close = inner_and_rest.find(')')?;
            let alts: Vec<&str> = inner_and_rest[..close].split('|').collect();
            if alts.iter().any(|a| a.is_empty() || a.chars().any(is_meta)) {
                return None;
            }
            Some((Atom::Literals(alts), &inner_and_rest[close + 1..]))
        }
        '[' => {
            let (class, after) = class(&rest[1..])?;
            Some((Atom::Class(class), after))
        }
        c if !is_meta(c) => Some((
            Atom::Literals(vec![&rest[..c.len_utf8()]]),
            &rest[c.len_utf8()..],
        )),
        _ => None,
    }
}

/// A class body after its `[`: its characters (`None` when negated) and what
/// follows the closing `]`. Escapes are skipped over in a negated class and
/// not read in a positive one (`None`).
fn class(body: &str) -> Option<(Option<CharSet>, &str)> {
    let negated = body.starts_with('^');
    let items_from = usize::from(negated);
    let mut escaped = false;
    let mut close = None;
    for (i, c) in body.char_indices().skip(items_from) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ']' if i > items_from => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let close = close?;
    let after = &body[close + 1..];
    if negated {
        return Some((None, after));
    }
    let items: Vec<char> = body[..close].chars().collect();
    if items.contains(&'\\') || items.contains(&'[') {
        return None;
    }
    let mut set = CharSet::default();
    let mut k = 0;
    while k < items.len() {
        if k + 2 < items.len() && items[k + 1] == '-' {
            set.ranges.push((items[k], items[k + 2]));
            k += 3;
        } else {
            set.chars.push(items[k]);
            k += 1;
        }
    }
    Some((Some(set), after))
}

/// The minimum count of a quantifier at the start of `s` (1 when there is
/// none) and what follows it; `None` for one it cannot read.
fn quantifier(s: &str) -> Option<(usize, &str)> {
    fn lazy(t: &str) -> &str {
        t.strip_prefix('?').unwrap_or(t)
    }
    match s.chars().next() {
        Some('?' | '*') => Some((0, lazy(&s[1..]))),
        Some('+') => Some((1, lazy(&s[1..]))),
        Some('{') => {
            let close = s.find('}')?;
            let min = s[1..close].split(',').next()?.trim().parse().ok()?;
            Some((min, lazy(&s[close + 1..])))
        }
        _ => Some((1, s)),
    }
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
    fn reads_what_must_follow_the_lead() {
        let p = |b: &str| prefilter(b);
        let set = |chars: &[char], ranges: &[(char, char)]| CharSet {
            chars: chars.to_vec(),
            ranges: ranges.to_vec(),
        };
        let strings = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            p("(卖|包)(考试|今年)?(答案|考题)"),
            Some(Prefilter {
                leads: strings(&["卖", "包"]),
                next: Some(set(&['考', '今', '答', '考'], &[])),
                ahead: Some(strings(&["答案", "考题"])),
                within: None,
            })
        );
        assert_eq!(
            p("(密码|pwd)[ ]?(是|为)?[0-9a-z@]{4,}"),
            Some(Prefilter {
                leads: strings(&["密码", "pwd"]),
                next: Some(set(&[' ', '是', '为', '@'], &[('0', '9'), ('a', 'z')])),
                ahead: None,
                // After `[ ]?` (1 byte) and `(是|为)?` (3).
                within: Some((set(&['@'], &[('0', '9'), ('a', 'z')]), 4)),
            })
        );
        assert_eq!(
            p(r"(保证|确保)[^,，\n]{0,4}?(提分|考上)"),
            Some(Prefilter {
                leads: strings(&["保证", "确保"]),
                next: None,
                ahead: Some(strings(&["提分", "考上"])),
                within: None,
            })
        );
        assert_eq!(p("泄露版"), None); // the match can end after the lead
        assert_eq!(p("(a|b)c?"), None);
        assert_eq!(p("(a|b).x"), None);
        assert_eq!(p(r"(a)[\d]"), None);
        assert_eq!(p("ab?c").unwrap().next, Some(set(&['b', 'c'], &[])));
        assert_eq!(p("(a)x{0,2}y+").unwrap().ahead, Some(strings(&["y"])));
        let f = p("(卖|包)(考试|今年)?(答案|考题)").unwrap();
        assert!(f.may_match("包考试答案", 100));
        assert!(!f.may_match("包括答案", 100)); // 括 cannot follow
        assert!(!f.may_match("包考试的时间", 100)); // no 答案 or 考题 ahead
        assert!(!f.may_match("包考试答案", 9)); // not within the window
        // No lead: read from the start. A surname, a name of one or two
        // characters, up to six more, then a score: the digits must start
        // within 4 + 8 + 24 bytes (and the optional spaces and colon).
        let score = p(
            r"[^\x00-\x7f][^\x00-\x7f老师]{1,2}[ ]?:?[ ]?[^\x00-\x7f\n,。]{0,6}?[ ]?[0-9]{2,3}分",
        )
        .unwrap();
        assert_eq!(score.leads, strings(&[""]));
        assert_eq!(score.within, Some((set(&[], &[('0', '9')]), 40)));
        assert!(score.may_match("王小明 98分", 100));
        assert!(score.may_match("王小明期中考试成绩 98分", 100)); // the most characters before a score
        assert!(!score.may_match("周的作业完成得很好，继续加油！12分", 100));
        // A digit within reach: only the regex can say no.
        assert!(score.may_match("周六上午9点上课分班", 100));
        assert_eq!(
            p("[0-9]+分"),
            Some(Prefilter {
                leads: strings(&[""]),
                next: Some(set(&[], &[('0', '9')])),
                ahead: Some(strings(&["分"])),
                within: Some((set(&[], &[('0', '9')]), 0)),
            })
        );
        assert_eq!(p("(a|b)*[0-9]").unwrap().within, None); // unbounded before the class
        assert_eq!(p("x(ab|c)?[0-9]").unwrap().within.unwrap().1, 2);
        assert_eq!(p("x[a-c]{0,3}?é{2}[0-9]").unwrap().within.unwrap().1, 7);
        assert_eq!(p(r"\d+"), None);
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
