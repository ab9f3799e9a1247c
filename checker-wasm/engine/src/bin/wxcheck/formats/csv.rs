//! The desktop exporters' CSV files, read by column name (so column order and
//! extra columns do not matter):
//!
//! - MemoTrace-style: `localId, TalkerId, Type, SubType, IsSender, CreateTime,
//!   Status, StrContent, StrTime, Remark, NickName, Sender` (UTF-8 with BOM);
//! - PyWxDump-style: `id, MsgSvrID, type_name, is_sender, talker, room_name,
//!   msg, src, CreateTime`.
//!
//! Both come from a personal WeChat account, so `IsSender` / `is_sender` says
//! whether its owner (the staff member) wrote the message, a `…@chatroom` id
//! marks a group, and every other chat is with someone outside the company.

use super::{Bad, Format, Kind, Message, parse_time};

/// Column positions of one file, found from its header.
pub struct Columns {
    format: Format,
    idx: Vec<Option<usize>>,
    width: usize,
}

const MEMOTRACE: &[&str] = &[
    "localId",
    "TalkerId",
    "Type",
    "SubType",
    "IsSender",
    "CreateTime",
    "StrContent",
    "StrTime",
    "Remark",
    "NickName",
    "Sender",
];
const MEMOTRACE_REQUIRED: &[&str] = &["TalkerId", "Type", "IsSender", "StrContent"];

const PYWXDUMP: &[&str] = &[
    "id",
    "MsgSvrID",
    "type_name",
    "is_sender",
    "talker",
    "room_name",
    "msg",
    "CreateTime",
];
const PYWXDUMP_REQUIRED: &[&str] = &["type_name", "is_sender", "msg"];

impl Columns {
    /// Maps the header; a missing required column is an error naming it.
    pub fn new(format: Format, header: &csv::ByteRecord) -> Result<Columns, String> {
        let (names, required) = match format {
            Format::MemoTrace => (MEMOTRACE, MEMOTRACE_REQUIRED),
            _ => (PYWXDUMP, PYWXDUMP_REQUIRED),
        };
        let find = |name: &str| {
            header.iter().position(|h| {
                let h = h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h);
                h.trim_ascii() == name.as_bytes()
            })
        };
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|n| find(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "表头缺少 {} 需要的列：{}",
                format.label_zh(),
                missing.join("、")
            ));
        }
        Ok(Columns {
            format,
            idx: names.iter().map(|n| find(n)).collect(),
            width: header.len(),
        })
    }

    fn get<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        let names = match self.format {
            Format::MemoTrace => MEMOTRACE,
            _ => PYWXDUMP,
        };
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.idx[i])
            .and_then(|i| row.get(i))
            .map_or("", |s| s.trim())
    }
}

/// One data row into a message.
pub fn parse(cols: &Columns, row: &csv::ByteRecord) -> Result<Message, Bad> {
    let mut fields = Vec::with_capacity(row.len());
    for (i, f) in row.iter().enumerate() {
        match std::str::from_utf8(f) {
            Ok(s) => fields.push(s.to_string()),
            Err(_) => {
                let id = fields.first().cloned().filter(|s: &String| !s.is_empty());
                return Err(Bad {
                    id,
                    error: format!("第 {} 列不是合法的 UTF-8", i + 1),
                });
            }
        }
    }
    let get = |name| cols.get(&fields, name);
    if row.len() != cols.width {
        return Err(Bad {
            id: fields.first().cloned().filter(|s| !s.is_empty()),
            error: format!(
                "有 {} 列，表头有 {} 列（记录可能被截断或引号未闭合）",
                row.len(),
                cols.width
            ),
        });
    }
    let flag = |s: &str| match s {
        "1" | "true" | "True" => Some(true),
        "0" | "false" | "False" => Some(false),
        _ => None,
    };
    match cols.format {
        Format::MemoTrace => {
            let talker = get("TalkerId");
            let is_sender = flag(get("IsSender"));
            let room = talker.ends_with("@chatroom");
            let sender = match (get("Sender"), is_sender) {
                (s, _) if !s.is_empty() => s.to_string(),
                (_, Some(true)) => "本人".to_string(),
                _ => [get("Remark"), get("NickName"), talker]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or("")
                    .to_string(),
            };
            let (ty, sub) = (get("Type"), get("SubType"));
            let content = get("StrContent");
            let kind = match (ty, sub) {
                ("1", _) | ("49", "57") => text_or_empty(content),
                _ => Kind::Skip(memotrace_type(ty, sub)),
            };
            let id = [get("localId")]
                .into_iter()
                .find(|s| !s.is_empty())
                .map(str::to_string);
            Ok(Message {
                id,
                time_ms: parse_time(get("CreateTime")).or_else(|| parse_time(get("StrTime"))),
                sender,
                conversation: talker.to_string(),
                is_sender,
                room,
                external: true,
                kind,
                ..Message::default()
            })
        }
        _ => {
            let is_sender = flag(get("is_sender"));
            let conversation = match get("room_name") {
                "" => get("talker"),
                r => r,
            };
            let ty = get("type_name");
            let kind = match ty {
                "文本" | "引用回复" | "text" => text_or_empty(get("msg")),
                "" => Kind::Skip("未知类型".into()),
                other => Kind::Skip(other.to_string()),
            };
            let id = [get("MsgSvrID"), get("id")]
                .into_iter()
                .find(|s| !s.is_empty())
                .map(str::to_string);
            Ok(Message {
                id,
                time_ms: parse_time(get("CreateTime")),
                sender: match (get("talker"), is_sender) {
                    ("", Some(true)) => "本人".to_string(),
                    (t, _) => t.to_string(),
                },
                conversation: conversation.to_string(),
                is_sender,
                room: conversation.ends_with("@chatroom"),
                external: true,
                kind,
                ..Message::default()
            })
        }
    }
}

fn text_or_empty(s: &str) -> Kind {
    if s.is_empty() {
        Kind::Empty
    } else {
        Kind::Text(s.to_string())
    }
}

/// WeChat's message type numbers, as the desktop databases store them.
fn memotrace_type(ty: &str, sub: &str) -> String {
    let name = match ty {
        "3" => "图片",
        "34" => "语音",
        "42" => "名片",
        "43" => "视频",
        "47" => "表情",
        "48" => "位置",
        "49" if sub == "6" => "文件",
        "49" if sub == "5" => "链接",
        "49" if sub == "33" || sub == "36" => "小程序",
        "49" => "应用消息",
        "50" => "音视频通话",
        "10000" | "10002" => "系统消息",
        _ => return format!("类型 {ty}"),
    };
    name.to_string()
}
