//! This tool's own JSON lines: `{"id":…,"text":"…","context":"customer"}`,
//! any other fields passed through unchanged.
//!
//! Values are kept as raw JSON text, so a large numeric id (or any number)
//! comes back digit for digit, and a field this tool does not read can hold
//! anything, even a lone surrogate escape, without spoiling the record.

use super::{Bad, Kind, Message, parse_time, repair_surrogates, wecom::id_from_broken};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use wxcheck::Context;

/// One parsed draft line.
pub struct Draft {
    /// The `id` member as raw JSON (`null` when absent).
    pub id_raw: String,
    pub text: String,
    pub context: Option<Context>,
    /// Every other member, as `"key":raw` JSON, in key order.
    pub extra: Vec<(String, String)>,
    /// The text had a lone surrogate escape, replaced with U+FFFD.
    pub note: Option<&'static str>,
}

/// A draft line that could not be read: its id when one shows, and why.
pub struct DraftError {
    pub id_raw: String,
    pub error: String,
}

pub fn parse_draft(raw: &[u8]) -> Result<Draft, DraftError> {
    let text = std::str::from_utf8(raw).map_err(|e| DraftError {
        id_raw: raw_id(&String::from_utf8_lossy(raw)),
        error: format!("不是合法的 UTF-8（第 {} 个字节处）", e.valid_up_to() + 1),
    })?;
    let members: BTreeMap<String, &RawValue> =
        serde_json::from_str(text).map_err(|e| DraftError {
            id_raw: raw_id(text),
            error: super::json_error_zh(&e),
        })?;
    let id_raw = members
        .get("id")
        .map_or("null".to_string(), |v| v.get().to_string());
    let fail = |error: String| DraftError {
        id_raw: id_raw.clone(),
        error,
    };
    let raw_text = members
        .get("text")
        .ok_or_else(|| fail("缺少 text 字段".into()))?
        .get();
    let (text, note) = match serde_json::from_str::<String>(raw_text) {
        Ok(t) => (t, None),
        Err(e) => match repair_surrogates(raw_text).and_then(|t| serde_json::from_str(&t).ok()) {
            Some(t) => (t, Some("text 含孤立的 \\uD800 类转义，已替换为 � 后检查")),
            None if raw_text.starts_with('"') => {
                return Err(fail(format!(
                    "text 字段无法读取：{}",
                    super::json_error_zh(&e)
                )));
            }
            None => return Err(fail("text 字段必须是字符串".into())),
        },
    };
    let context = match members.get("context") {
        None => None,
        Some(v) if v.get() == "null" => None,
        Some(v) => Some(
            serde_json::from_str::<String>(v.get())
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| {
                    fail(format!(
                        "未知的场景 {}（可选：public、customer、group）",
                        v.get()
                    ))
                })?,
        ),
    };
    let extra = members
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "id" | "text" | "context"))
        .map(|(k, v)| (k.clone(), v.get().to_string()))
        .collect();
    Ok(Draft {
        id_raw,
        text,
        context,
        extra,
        note,
    })
}

/// The id of a line that does not parse, as raw JSON (`null` if none shows).
fn raw_id(text: &str) -> String {
    id_from_broken(text).map_or("null".into(), |id| {
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            id
        } else {
            serde_json::to_string(&id).expect("string")
        }
    })
}

/// A draft line as an audit message. Drafts are staff's unless `is_sender`
/// says otherwise; `sender` / `from`, `time`, `conversation` are read when
/// present.
pub fn parse(raw: &[u8]) -> Result<Message, Bad> {
    let d = parse_draft(raw).map_err(|e| Bad {
        id: (e.id_raw != "null").then(|| unquote(&e.id_raw)),
        error: e.error,
    })?;
    let field = |names: &[&str]| {
        d.extra
            .iter()
            .find(|(k, _)| names.contains(&k.as_str()))
            .map(|(_, v)| unquote(v))
    };
    let is_sender = field(&["is_sender", "IsSender"]).map(|v| matches!(v.as_str(), "1" | "true"));
    let extra = (!d.extra.is_empty()).then(|| {
        d.extra
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).expect("string")))
            .collect::<Vec<_>>()
            .join(",")
    });
    Ok(Message {
        id: (d.id_raw != "null").then(|| unquote(&d.id_raw)),
        time_ms: field(&["time", "msgtime", "CreateTime"]).and_then(|t| parse_time(&t)),
        sender: field(&["sender", "from"]).unwrap_or_default(),
        conversation: field(&["conversation", "room", "roomid"]).unwrap_or_default(),
        is_sender: Some(is_sender.unwrap_or(true)),
        room: false,
        external: true,
        kind: if d.text.trim().is_empty() {
            Kind::Empty
        } else {
            Kind::Text(d.text)
        },
        context: d.context,
        extra,
        note: d.note,
    })
}

/// A raw JSON value as plain text: strings without quotes, others as written.
fn unquote(raw: &str) -> String {
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string())
}
