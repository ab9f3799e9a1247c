//! Clause ids (`3.3.1`) and the labels the handbook prints (`三（三）1`).

const NUMERALS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

fn chinese(n: u32) -> Option<String> {
    match n {
        1..=9 => Some(NUMERALS[n as usize].to_string()),
        10 => Some("十".to_string()),
        11..=19 => Some(format!("十{}", NUMERALS[(n - 10) as usize])),
        20..=99 => {
            let tail = if n.is_multiple_of(10) {
                ""
            } else {
                NUMERALS[(n % 10) as usize]
            };
            Some(format!("{}十{}", NUMERALS[(n / 10) as usize], tail))
        }
        _ => None,
    }
}

/// Formats a clause id the way the handbook labels it: chapter `3` → `三`,
/// section `3.3` → `三（三）`, item `3.3.1` → `三（三）1`. `None` when `id` is
/// not one to three positive numbers separated by dots. This is pure formatting:
/// whether the clause exists is the handbook's business (`RuleSet::check_clauses`).
pub fn clause_label(id: &str) -> Option<String> {
    let parts: Vec<u32> = id
        .split('.')
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                None
            } else {
                p.parse().ok().filter(|&n| n > 0)
            }
        })
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [c] => chinese(*c),
        [c, s] => Some(format!("{}（{}）", chinese(*c)?, chinese(*s)?)),
        [c, s, i] => Some(format!("{}（{}）{}", chinese(*c)?, chinese(*s)?, i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::clause_label;

    #[test]
    fn labels() {
        for (id, want) in [
            ("3", Some("三")),
            ("3.3", Some("三（三）")),
            ("3.3.3", Some("三（三）3")),
            ("6.1.2", Some("六（一）2")),
            ("7.10", Some("七（十）")),
            ("3.", None),
            ("0.1", None),
            ("1.2.3.4", None),
            ("a", None),
        ] {
            assert_eq!(clause_label(id).as_deref(), want, "{id}");
        }
    }
}
