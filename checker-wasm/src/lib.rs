//! The checker for the browser: a thin wasm-bindgen layer over the `wxcheck`
//! engine. It converts types and nothing else — no rule logic lives here.
//!
//! # Overview
//!
//! The page (`book/assets/checker/loader.js`) runs this on the main thread and
//! in a Web Worker:
//!
//! ```js
//! const checker = new wasm_bindgen.Checker(rulesJson);   // throws on bad rules
//! const report = JSON.parse(checker.check(draft, "public"));
//! const fingerprint = wasm_bindgen.sha256_hex(draft);     // for the review record
//! ```
//!
//! # Offsets are UTF-16
//!
//! The engine counts characters (Unicode scalar values); JavaScript strings
//! count UTF-16 code units. Every offset leaving this crate is converted, so
//! `draft.slice(f.start, f.end) === f.text` holds in the page, after emoji
//! (surrogate pairs), combining marks and CRLF line ends alike. The conversion
//! is the pure function [`char_to_utf16`], tested natively.
//!
//! A JavaScript string with a lone surrogate reaches Rust with that surrogate
//! replaced by U+FFFD: one UTF-16 unit for one, so offsets still line up.
//!
//! # Why JSON strings, not `JsValue` objects
//!
//! `serde-wasm-bindgen` would add size to a bundle shipped to phones, and
//! `JSON.parse` of a report is faster than building it object by object
//! across the boundary. The report's JSON is written by hand (a few fields,
//! strings and integers): that keeps serde's serializer and every `Serialize`
//! impl out of the wasm, about 2 KB gzipped. For the same reason there is no
//! `rulesVersion()` here: the build writes the rules version into the page's
//! metadata (`WX_ENGINE.meta.rulesVersion`), computed by the same engine.

use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;
use wxcheck::{Context, Report, RuleSet};

/// SHA-256 of `text` (UTF-8) as 64 lowercase hex digits: the draft's
/// fingerprint in the review record. From the `sha2` crate, so the page needs
/// neither `crypto.subtle` (missing on plain-http intranets) nor a hash of its own.
#[wasm_bindgen]
pub fn sha256_hex(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// A compiled rule set, ready to check drafts.
#[wasm_bindgen]
pub struct Checker {
    rules: RuleSet,
}

#[wasm_bindgen]
impl Checker {
    /// Loads the rules (the JSON `RuleSet::to_json` writes at build time),
    /// validating them again.
    #[wasm_bindgen(constructor)]
    pub fn new(rules_json: &str) -> Result<Checker, JsError> {
        RuleSet::from_json(rules_json)
            .map(|rules| Checker { rules })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Checks `text` in `context` (`public`, `customer` or `group`) and
    /// returns the report as JSON, offsets in UTF-16 code units.
    pub fn check(&self, text: &str, context: &str) -> Result<String, JsError> {
        let context: Context = context
            .parse()
            .map_err(|e: wxcheck::ParseContextError| JsError::new(&e.to_string()))?;
        Ok(report_json(text, &self.rules.check(text, context)))
    }
}

/// The report as JSON for the page: `{"verdict", "findings": [{"rule",
/// "clause", "label", "severity", "message", "suggestion", "replacement",
/// "start", "end", "text"}]}`, offsets converted to UTF-16 and `label` the
/// clause's label (三（三）3).
pub fn report_json(text: &str, report: &Report) -> String {
    let mut offsets: Vec<usize> = report
        .findings
        .iter()
        .flat_map(|f| [f.start, f.end])
        .collect();
    char_to_utf16(text, &mut offsets);
    let mut out = String::with_capacity(64 + report.findings.len() * 256);
    out.push_str("{\"verdict\":");
    push_json_str(&mut out, report.verdict.as_str());
    out.push_str(",\"findings\":[");
    for (i, (f, se)) in report
        .findings
        .iter()
        .zip(offsets.chunks_exact(2))
        .enumerate()
    {
        if i > 0 {
            out.push(',');
        }
        let label = wxcheck::clause_label(&f.clause);
        for (key, value) in [
            ("{\"rule\":", &*f.rule),
            (",\"clause\":", &f.clause),
            (",\"label\":", label.as_deref().unwrap_or(&f.clause)),
            (",\"severity\":", f.severity.as_str()),
            (",\"message\":", &f.message),
            (",\"suggestion\":", &f.suggestion),
            (",\"text\":", &f.text),
        ] {
            out.push_str(key);
            push_json_str(&mut out, value);
        }
        out.push_str(",\"replacement\":");
        match &f.replacement {
            Some(r) => push_json_str(&mut out, r),
            None => out.push_str("null"),
        }
        out.push_str(&format!(",\"start\":{},\"end\":{}}}", se[0], se[1]));
    }
    out.push_str("]}");
    out
}

/// Appends `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converts character offsets (Unicode scalar values) of `text` into UTF-16
/// code-unit offsets, in place; anything past the end maps to the UTF-16
/// length. Offsets may come in any order, but one forward pass serves them
/// when they mostly ascend, as a report's `start, end, start, end …` do: each
/// offset continues from the one before it, and only a step backwards restarts
/// from the beginning. (No sort: it would cost the wasm more than it saves.)
pub fn char_to_utf16(text: &str, offsets: &mut [usize]) {
    let mut rest = text.chars();
    let (mut char_pos, mut utf16_pos) = (0usize, 0usize);
    for offset in offsets.iter_mut() {
        if *offset < char_pos {
            rest = text.chars();
            (char_pos, utf16_pos) = (0, 0);
        }
        while char_pos < *offset {
            let Some(c) = rest.next() else { break };
            utf16_pos += c.len_utf16();
            char_pos += 1;
        }
        if char_pos < *offset {
            // Past the end: clamp, and keep the cursor consistent for the next offset.
            char_pos = *offset;
        }
        *offset = utf16_pos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(text, char offsets, expected UTF-16 offsets)`.
    fn t(text: &str, chars: &[usize], utf16: &[usize]) {
        let mut offsets = chars.to_vec();
        char_to_utf16(text, &mut offsets);
        assert_eq!(offsets, utf16, "text {text:?}");
    }

    #[test]
    fn json_strings_escape_what_json_requires() {
        let mut out = String::new();
        push_json_str(&mut out, "a\"b\\c\n\r\t\u{1}\u{1f}保😀\u{7f}");
        assert_eq!(
            out,
            r#""a\"b\\c\n\r\t\u0001\u001f保😀\u{7f}""#.replace("\\u{7f}", "\u{7f}")
        );
        let parsed: String = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed, "a\"b\\c\n\r\t\u{1}\u{1f}保😀\u{7f}");
    }

    #[test]
    fn sha256_hex_matches_known_digests() {
        for (text, hex) in [
            (
                "",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                "abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ] {
            assert_eq!(sha256_hex(text), hex, "{text:?}");
        }
    }

    #[test]
    fn ascii_and_han_are_one_unit_each() {
        t("", &[0], &[0]);
        t("abc", &[0, 1, 3], &[0, 1, 3]);
        t("本班包过", &[2, 4], &[2, 4]);
    }

    #[test]
    fn emoji_are_surrogate_pairs() {
        // 😀 is U+1F600: two UTF-16 units.
        t("😀包过", &[1, 3], &[2, 4]);
        t("😀😀x😀包过", &[4, 6], &[7, 9]);
        // A ZWJ family: 👩 ZWJ 👩 ZWJ 👧 = 5 chars, 8 units.
        t("👩\u{200d}👩\u{200d}👧保过", &[5, 7], &[8, 10]);
    }

    #[test]
    fn combining_marks_count_as_their_own_unit() {
        // e + U+0301 is two chars and two units.
        t("e\u{301}保过", &[2, 4], &[2, 4]);
        t("😀e\u{301}保过", &[3, 5], &[4, 6]);
    }

    #[test]
    fn crlf_counts_both_characters() {
        t("第一行\r\n包过", &[5, 7], &[5, 7]);
        t("😀\r\n😀\r\n包过", &[6, 8], &[8, 10]);
    }

    #[test]
    fn unordered_duplicate_and_out_of_range_offsets() {
        t("😀a😀b", &[4, 0, 2, 2, 1], &[6, 0, 3, 3, 2]);
        t("😀", &[5], &[2]);
    }

    #[test]
    fn slices_of_the_page_string_match_the_engine_text() {
        let rules = RuleSet::load(&[wxcheck::SourceFile {
            name: "t.toml".into(),
            text: r#"
[[rule]]
id = "exam-pass-promise"
clause = "3.1.1"
severity = "revise"
contexts = ["public"]
message = "承诺考试通过。"
suggestion = "删除承诺。"
words = ["保过", "包过"]
must-flag = ["本班包过"]
must-pass = ["欢迎报名"]
"#
            .into(),
        }])
        .unwrap();
        for text in [
            "😀👍🏽 本班包过\r\n再说一次：e\u{301}保过！",
            "\u{1F1E8}\u{1F1F3}包-過",
        ] {
            let json = report_json(text, &rules.check(text, Context::Public));
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let utf16: Vec<u16> = text.encode_utf16().collect();
            let findings = v["findings"].as_array().unwrap();
            assert!(!findings.is_empty());
            for f in findings {
                let (s, e) = (
                    f["start"].as_u64().unwrap() as usize,
                    f["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(
                    String::from_utf16(&utf16[s..e]).unwrap(),
                    f["text"].as_str().unwrap()
                );
                assert_eq!(f["label"], "三（一）1");
            }
        }
    }
}
