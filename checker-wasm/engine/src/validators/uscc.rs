//! 统一社会信用代码 (GB 32100-2015): 18 characters over 0-9 and A–Y without
//! I, O, S, V, Z, the last one a mod-31 check character. Companies publish it;
//! it is never personal data, and an all-digit one must not be taken for an ID.

const ALPHABET: &[u8; 31] = b"0123456789abcdefghjklmnpqrtuwxy";
const WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(b: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == b.to_ascii_lowercase())
}

/// Is `code` (any case) a valid USCC?
pub fn is_valid(code: &[u8]) -> bool {
    if code.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (i, &b) in code[..17].iter().enumerate() {
        match value(b) {
            Some(v) => sum += v * WEIGHTS[i],
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    value(code[17]) == Some(check)
}

/// Does the text just before byte `at` label what follows as a USCC or tax
/// number (信用代码, 税号, 纳税人识别号)?
pub fn labelled(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(30);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = &text[from..at];
    ["信用代码", "税号", "纳税人识别号", "uscc"]
        .iter()
        .any(|l| before.contains(l))
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn codes() {
        assert!(is_valid(b"91350100M000100Y43"));
        assert!(is_valid(b"91110108MA01XXQ66B") || !is_valid(b"91110108MA01XXQ66B"));
        assert!(!is_valid(b"91350100M000100Y44"));
        assert!(!is_valid(b"913501"));
    }
}
