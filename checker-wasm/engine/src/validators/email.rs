//! E-mail addresses: `local@domain.tld`, scanned around each `@` by hand
//! (cheaper and smaller in wasm than a regex).

use super::Hit;

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

pub fn find(text: &str) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    let mut from = 0;
    for at in memchr_iter(b'@', b) {
        if at < from {
            continue;
        }
        let mut s = at;
        while s > from && at - s < 64 && is_local(b[s - 1]) {
            s -= 1;
        }
        while s < at && !b[s].is_ascii_alphanumeric() {
            s += 1;
        }
        let mut e = at + 1;
        while e < b.len() && e - at <= 255 && is_domain(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let domain = &text[at + 1..e];
        let ok = s < at
            && domain.split('.').count() >= 2
            && domain.split('.').all(|l| !l.is_empty())
            && domain
                .rsplit('.')
                .next()
                .is_some_and(|t| t.len() >= 2 && t.bytes().all(|c| c.is_ascii_alphabetic()));
        if ok {
            let local = &text[s..at];
            let first = local.chars().next().unwrap_or('*');
            hits.push(Hit {
                start: s,
                end: e,
                masked: format!("{first}***@{domain}"),
            });
            from = e;
        }
    }
    hits
}

fn memchr_iter(needle: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    hay.iter()
        .enumerate()
        .filter(move |(_, b)| **b == needle)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn emails() {
        let h = find("邮箱zhang.san@qq.com，谢谢");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].masked, "z***@qq.com");
        assert!(find("@所有人 明天开会").is_empty());
        assert!(find("a@b").is_empty());
    }
}
