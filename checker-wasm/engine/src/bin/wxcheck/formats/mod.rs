//! The export formats an auditor really has, read into one [`Message`] shape.
//!
//! - [`wecom`]: 企业微信会话内容存档, decrypted, as JSON lines or one JSON array;
//! - [`csv`]: the desktop exporters' CSV files (MemoTrace-style and PyWxDump-style);
//! - [`drafts`]: this tool's own JSON lines (`{"id","text","context",…}`).
//!
//! Every reader turns one record into a `Message` or a [`Bad`] record that
//! names the record's id when it has one; nothing is dropped.

pub mod csv;
pub mod drafts;
pub mod wecom;

use std::fmt;
use std::str::FromStr;
use wxcheck::Context;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// 企业微信会话内容存档, one JSON object per line.
    WecomLines,
    /// 企业微信会话内容存档, one JSON array of objects.
    WecomArray,
    MemoTrace,
    PyWxDump,
    /// `{"id","text","context"}` per line.
    Drafts,
}

impl Format {
    pub fn label_zh(self) -> &'static str {
        match self {
            Format::WecomLines => "企业微信会话存档（JSON 行）",
            Format::WecomArray => "企业微信会话存档（JSON 数组）",
            Format::MemoTrace => "MemoTrace 式 CSV",
            Format::PyWxDump => "PyWxDump 式 CSV",
            Format::Drafts => "wxcheck JSONL",
        }
    }

    /// Guesses the format from the first bytes of an input (BOM removed).
    pub fn detect(head: &[u8]) -> Option<Format> {
        let first_line = head
            .split(|&b| b == b'\n' || b == b'\r')
            .next()
            .unwrap_or(b"");
        let has = |needle: &str| {
            first_line
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        };
        match head.first()? {
            b'[' => Some(Format::WecomArray),
            b'{' if has("\"msgid\"") || has("\"msgtype\"") || has("\"action\"") => {
                Some(Format::WecomLines)
            }
            b'{' => Some(Format::Drafts),
            _ if has("StrContent") || has("IsSender") => Some(Format::MemoTrace),
            _ if has("MsgSvrID") || has("is_sender") || has("type_name") => Some(Format::PyWxDump),
            _ => None,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParseFormatError(pub String);

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "未知的格式 `{}`（可选：wecom、wecom-array、memotrace、pywxdump、jsonl）",
            self.0
        )
    }
}

impl FromStr for Format {
    type Err = ParseFormatError;
    fn from_str(s: &str) -> Result<Format, ParseFormatError> {
        match s {
            "wecom" => Ok(Format::WecomLines),
            "wecom-array" => Ok(Format::WecomArray),
            "memotrace" => Ok(Format::MemoTrace),
            "pywxdump" => Ok(Format::PyWxDump),
            "jsonl" => Ok(Format::Drafts),
            _ => Err(ParseFormatError(s.to_string())),
        }
    }
}

/// One chat message, whatever export it came from.
#[derive(Debug, Default)]
pub struct Message {
    /// msgid, localId, MsgSvrID or the draft's id.
    pub id: Option<String>,
    /// Milliseconds since the Unix epoch (UTC).
    pub time_ms: Option<i64>,
    pub sender: String,
    /// The room, or the pair of people of a one-to-one chat.
    pub conversation: String,
    /// The export says whether the account owner sent it (IsSender / is_sender).
    pub is_sender: Option<bool>,
    pub room: bool,
    /// Someone outside the company takes part (a `_external` msgid, an
    /// external user id, or any one-to-one chat of a personal account).
    pub external: bool,
    pub kind: Kind,
    /// A context the record itself names (the drafts format).
    pub context: Option<Context>,
    /// The drafts format's other fields, as raw JSON members, passed through.
    pub extra: Option<String>,
    /// A repair made while reading (e.g. a lone surrogate replaced).
    pub note: Option<&'static str>,
}

#[derive(Debug, Default)]
pub enum Kind {
    /// Text to audit.
    Text(String),
    /// A message with no text to check, by type (图片, 语音, agree, switch …).
    Skip(String),
    /// A recall of an earlier message (its msgid).
    Recall(String),
    #[default]
    Empty,
}

/// A record that could not be read.
#[derive(Debug)]
pub struct Bad {
    pub id: Option<String>,
    pub error: String,
}

/// serde_json's error in Chinese, with the column where it happened (the
/// line is the record's own, named by the caller).
pub fn json_error_zh(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let col = e.column();
    match e.classify() {
        Category::Eof => format!("记录在第 {col} 列处中断（被截断），不是完整的 JSON 对象"),
        Category::Syntax => format!("不是合法的 JSON：第 {col} 列有语法错误"),
        Category::Data => format!("字段类型不对（第 {col} 列附近），例如应为文字的字段是数字"),
        Category::Io => "读取失败".to_string(),
    }
}

/// Milliseconds since the epoch from a `CreateTime`-like value: seconds or
/// milliseconds as digits, or a local time `2024-03-01 10:00:00` in Asia/Shanghai.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        // Seconds until the year 5138; anything larger is milliseconds.
        return Some(if n.abs() < 100_000_000_000 {
            n * 1000
        } else {
            n
        });
    }
    let dt: jiff::civil::DateTime = s.replace('/', "-").parse().ok()?;
    dt.to_zoned(china())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// Asia/Shanghai: a fixed UTC+8 with no daylight saving since 1991, so no
/// time zone database is needed.
pub fn china() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// `2024-03-01 10:00:00` in Asia/Shanghai.
pub fn format_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(china())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

/// Replaces `\uD800`-style escapes that are not part of a surrogate pair with
/// `\uFFFD`, so a lone surrogate spoils only the character (and the field it
/// is in), not the whole record. serde_json rejects such strings outright;
/// there is no lossy mode to ask for, hence this small pass over the raw JSON.
pub fn repair_surrogates(raw: &str) -> Option<String> {
    fn hex4(b: &[u8]) -> Option<u16> {
        let s = std::str::from_utf8(b.get(..4)?).ok()?;
        u16::from_str_radix(s, 16).ok()
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let (mut i, mut last, mut changed) = (0, 0, false);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(u) = hex4(&b[i + 2..]) else {
            i += 2;
            continue;
        };
        let pair_low = (0xD800..0xDC00).contains(&u)
            && b.get(i + 6) == Some(&b'\\')
            && b.get(i + 7) == Some(&b'u')
            && hex4(&b[(i + 8).min(b.len())..]).is_some_and(|l| (0xDC00..0xE000).contains(&l));
        if pair_low {
            i += 12;
        } else if (0xD800..0xE000).contains(&u) {
            out.push_str(&raw[last..i]);
            out.push_str("\\uFFFD");
            i += 6;
            last = i;
            changed = true;
        } else {
            i += 6;
        }
    }
    changed.then(|| {
        out.push_str(&raw[last..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        let cases: &[(&str, Option<Format>)] = &[
            ("[{\"msgid\":\"1\"}]", Some(Format::WecomArray)),
            (
                "{\"msgid\":\"1\",\"action\":\"send\"}\n",
                Some(Format::WecomLines),
            ),
            ("{\"id\":1,\"text\":\"a\"}\n", Some(Format::Drafts)),
            (
                "localId,TalkerId,Type,SubType,IsSender\n",
                Some(Format::MemoTrace),
            ),
            ("id,MsgSvrID,type_name,is_sender\n", Some(Format::PyWxDump)),
            ("hello", None),
            ("", None),
        ];
        for (head, want) in cases {
            assert_eq!(Format::detect(head.as_bytes()), *want, "{head}");
        }
    }

    #[test]
    fn json_errors_in_chinese() {
        let cases = [
            ("{\"a\":\"x", "被截断"),
            ("{\"a\" 1}", "语法错误"),
            ("[1]", "字段类型不对"),
        ];
        for (json, want) in cases {
            let e = serde_json::from_str::<std::collections::BTreeMap<String, String>>(json)
                .unwrap_err();
            assert!(
                json_error_zh(&e).contains(want),
                "{json}: {}",
                json_error_zh(&e)
            );
        }
    }

    #[test]
    fn times() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1709258400", Some(1_709_258_400_000)),
            ("1709258400123", Some(1_709_258_400_123)),
            ("2024-03-01 10:00:00", Some(1_709_258_400_000)),
            ("2024/03/01 10:00:00", Some(1_709_258_400_000)),
            ("昨天", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s), *want, "{s}");
        }
        assert_eq!(format_time(1_709_258_400_000), "2024-03-01 10:00:00");
    }

    #[test]
    fn surrogates() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{"a":"x\ud800y"}"#, Some(r#"{"a":"x\uFFFDy"}"#)),
            (r#"{"a":"\ud83d\ude00"}"#, None),
            (r#"{"a":"\\ud800"}"#, None),
            (r#"{"a":"\udc00\ud800"}"#, Some(r#"{"a":"\uFFFD\uFFFD"}"#)),
            (r#"{"a":"\u00e9"}"#, None),
        ];
        for (raw, want) in cases {
            assert_eq!(repair_surrogates(raw).as_deref(), *want, "{raw}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Bytes that look like archive records: JSON punctuation, escapes,
    /// surrogate escapes, CJK, invalid UTF-8.
    fn recordish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"{\"msgid\":\"a_external\",".to_vec()),
            Just(b"\"msgtype\":\"mixed\",\"mixed\":{\"item\":[{\"content\":\"{\\\"content\\\":\\\"x\\\"}\"}]}".to_vec()),
            Just(b"\"text\":{\"content\":\"\xe4\xbf\x9d\xe8\xbf\x87\"}".to_vec()),
            Just(b"\\ud800".to_vec()),
            Just(b"\\udc00\\u".to_vec()),
            Just(b"\"id\":12345678901234567890123,".to_vec()),
            Just(b"}".to_vec()),
            Just(b"\xff".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..8),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn readers_never_panic(bytes in recordish()) {
            let _ = wecom::parse(&bytes);
            let _ = drafts::parse(&bytes);
            if let Ok(s) = std::str::from_utf8(&bytes)
                && let Some(fixed) = repair_surrogates(s)
            {
                // The repair only ever replaces escapes; it never grows a lone surrogate.
                prop_assert!(repair_surrogates(&fixed).is_none());
            }
            let n = crate::input::Lines::new(&bytes[..]).count();
            prop_assert!(n <= bytes.len() + 1);
            let _ = crate::input::ArrayItems::new(&bytes[..]).count();
        }
    }
}
