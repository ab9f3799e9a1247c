//! 企业微信会话内容存档: one decrypted message (as `GetChatData` +
//! `DecryptData` give it) into a [`Message`].
//!
//! Fields read: `msgid`, `action` (`send` / `recall` / `switch`), `from`,
//! `tolist`, `roomid` (empty one-to-one), `msgtime` (UTC ms), `msgtype`, and the
//! body named after the type. Text is taken out of every type that carries
//! some (see [`TEXT_KEYS`]); `mixed` and `chatrecord` items hold their content
//! as a JSON string, which is parsed and flattened in order.

use super::{Bad, Kind, Message, repair_surrogates};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Keys whose string values are message text, in any body.
const TEXT_KEYS: &[&str] = &[
    "content",
    "title",
    "description",
    "desc",
    "votetitle",
    "voteitem",
    "wish",
    "remarks",
    "topic",
    "feed_desc",
];

/// Types whose items carry their content as a JSON string.
const NESTED: &[&str] = &["mixed", "chatrecord"];

/// WeCom's external contacts' user ids start with `wo` or `wm`; internal
/// user ids are the company's own account names.
pub fn is_external_id(id: &str) -> bool {
    id.starts_with("wo") || id.starts_with("wm")
}

/// The members every record has, decoded straight into their types; the
/// body is kept raw and parsed only when its text is needed (a full
/// `serde_json::Value` tree per message cost more than checking it).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Head<'a> {
    msgid: String,
    action: String,
    from: String,
    tolist: Vec<String>,
    roomid: String,
    #[serde(borrow)]
    msgtime: Option<&'a RawValue>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
    user: String,
    msgtype: String,
    #[serde(borrow)]
    text: Option<&'a RawValue>,
    #[serde(borrow)]
    revoke: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct TextBody<'a> {
    #[serde(borrow, default)]
    content: Cow<'a, str>,
}

pub fn parse(raw: &[u8]) -> Result<Message, Bad> {
    let text = std::str::from_utf8(raw).map_err(|e| Bad {
        id: id_from_broken(&String::from_utf8_lossy(raw)),
        error: format!("不是合法的 UTF-8（第 {} 个字节处）", e.valid_up_to() + 1),
    })?;
    match serde_json::from_str::<Head>(text) {
        Ok(head) => from_head(head, text, None),
        Err(e) => {
            if let Some(repaired) = repair_surrogates(text)
                && let Ok(head) = serde_json::from_str::<Head>(&repaired)
            {
                return from_head(head, &repaired, Some("含孤立的 \\uD800 类转义，已替换为 �"));
            }
            Err(Bad {
                id: id_from_broken(text),
                error: super::json_error_zh(&e),
            })
        }
    }
}

fn from_head(h: Head, raw: &str, note: Option<&'static str>) -> Result<Message, Bad> {
    let id = (!h.msgid.is_empty()).then(|| h.msgid.clone());
    let time_ms = h.msgtime.or(h.time).and_then(|t| {
        let t = t.get();
        t.parse::<i64>()
            .ok()
            .or_else(|| serde_json::from_str::<String>(t).ok()?.parse().ok())
    });
    let room = !h.roomid.is_empty();
    let external = h.msgid.ends_with("_external")
        || is_external_id(&h.from)
        || h.tolist.iter().any(|t| is_external_id(t));
    let conversation = if room {
        h.roomid.clone()
    } else {
        let mut pair = vec![h.from.as_str()];
        pair.extend(h.tolist.iter().map(String::as_str));
        pair.sort_unstable();
        pair.dedup();
        pair.join(" ↔ ")
    };
    let msgtype = h.msgtype.as_str();
    let kind = if h.action == "switch" {
        Kind::Skip("切换企业（switch）".into())
    } else if h.action == "recall" || msgtype == "revoke" {
        let pre = h
            .revoke
            .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
            .and_then(|r| {
                r.get("pre_msgid")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_default();
        Kind::Recall(pre)
    } else if msgtype.is_empty() {
        return Err(Bad {
            id,
            error: "缺少 msgtype 字段".into(),
        });
    } else {
        let mut parts = Vec::new();
        match h.text.map(|t| serde_json::from_str::<TextBody>(t.get())) {
            // The common case, parsed straight into its one field.
            Some(Ok(t)) if msgtype == "text" => {
                if !t.content.trim().is_empty() {
                    parts.push(t.content.into_owned());
                }
            }
            _ => {
                // Any other type: its body is the member named after it (or `info`).
                let members: BTreeMap<String, &RawValue> =
                    serde_json::from_str(raw).unwrap_or_default();
                let body = members.get(msgtype).or_else(|| members.get("info"));
                if let Some(v) = body.and_then(|b| serde_json::from_str::<Value>(b.get()).ok()) {
                    collect(&v, NESTED.contains(&msgtype), &mut parts);
                }
            }
        }
        if parts.is_empty() {
            Kind::Skip(h.msgtype.clone())
        } else {
            Kind::Text(parts.join("\n"))
        }
    };
    let sender = if h.action == "switch" { h.user } else { h.from };
    Ok(Message {
        id,
        time_ms,
        sender,
        conversation,
        is_sender: None,
        room,
        external,
        kind,
        context: None,
        extra: None,
        note,
    })
}

/// Text strings of a body, objects in key order (serde_json's map is sorted;
/// turning on `preserve_order` would change the engine's own native JSON). In `mixed` / `chatrecord`
/// items, a `content` string that is itself a JSON object is parsed and
/// walked (its own `content`, `title` …); a plain string is text.
fn collect(v: &Value, nested: bool, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match v {
                    Value::String(s) if TEXT_KEYS.contains(&k.as_str()) => {
                        let inner = nested
                            .then(|| s.trim_start())
                            .filter(|t| t.starts_with('{'))
                            .and_then(|t| serde_json::from_str::<Value>(t).ok());
                        match inner {
                            Some(inner) => collect(&inner, nested, out),
                            None if !s.trim().is_empty() => out.push(s.clone()),
                            None => {}
                        }
                    }
                    Value::Array(_) | Value::Object(_) => collect(v, nested, out),
                    _ => {}
                }
            }
        }
        Value::Array(a) => {
            for v in a {
                match v {
                    Value::String(s) if !s.trim().is_empty() => out.push(s.clone()),
                    _ => collect(v, nested, out),
                }
            }
        }
        _ => {}
    }
}

/// The id of a record that is not valid JSON, when its start still shows one
/// (`{"msgid":"…` or `{"id":…`), so the error can name it.
pub fn id_from_broken(text: &str) -> Option<String> {
    for key in ["\"msgid\"", "\"id\""] {
        let Some(at) = text.find(key) else { continue };
        let rest = text[at + key.len()..].trim_start().strip_prefix(':')?;
        // Raw, so a large numeric id comes back digit for digit.
        let mut values = serde_json::Deserializer::from_str(rest)
            .into_iter::<Box<serde_json::value::RawValue>>();
        if let Some(Ok(v)) = values.next() {
            return Some(match serde_json::from_str::<String>(v.get()) {
                Ok(s) => s,
                Err(_) => v.get().to_string(),
            });
        }
        let rest = rest.trim_start().strip_prefix('"')?;
        return Some(rest.split('"').next().unwrap_or(rest).to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(json: &str) -> String {
        match parse(json.as_bytes()).unwrap().kind {
            Kind::Text(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bodies() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"msgid":"1","action":"send","msgtype":"text","text":{"content":"你好"}}"#,
                "你好",
            ),
            (
                r#"{"msgid":"2","action":"send","msgtype":"mixed","mixed":{"item":[{"type":"text","content":"{\"content\":\"第一段\"}"},{"type":"image","content":"{\"md5sum\":\"ab\"}"},{"type":"text","content":"{\"content\":\"第二段\"}"}]}}"#,
                "第一段\n第二段",
            ),
            (
                r#"{"msgid":"3","action":"send","msgtype":"link","link":{"title":"标题","description":"说明","link_url":"http://x"}}"#,
                "说明\n标题",
            ),
            (
                r#"{"msgid":"4","action":"send","msgtype":"chatrecord","chatrecord":{"title":"群聊记录","item":[{"type":"ChatRecordText","content":"{\"content\":\"转发的话\"}"}]}}"#,
                "转发的话\n群聊记录",
            ),
            (
                r#"{"msgid":"5","action":"send","msgtype":"markdown","info":{"content":"**加粗**"}}"#,
                "**加粗**",
            ),
            (
                r#"{"msgid":"6","action":"send","msgtype":"text","text":{"content":"{\"content\":\"不展开\"}"}}"#,
                "{\"content\":\"不展开\"}",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(text_of(json), *want, "{json}");
        }
    }

    #[test]
    fn broken_ids() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#"{"msgid":"abc_external","action":"se"#,
                Some("abc_external"),
            ),
            (r#"{"msgid":"abc"#, Some("abc")),
            (
                r#"{"id":12345678901234567890,"text":"#,
                Some("12345678901234567890"),
            ),
            (r#"{"text":"x"#, None),
        ];
        for (text, want) in cases {
            assert_eq!(id_from_broken(text).as_deref(), *want, "{text}");
        }
    }
}
