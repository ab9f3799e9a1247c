//! A hostile evasion battery (issue 10): five prohibited payloads × every
//! trick family people use to slip them past a keyword filter, through
//! `RuleSet::check` with the real rules. Prints the share caught per family
//! and overall, and asserts the overall pass-through rate. A second table of
//! clean look-alikes (dates, decimals, prices, course names, 烤鸭, 一二年级…)
//! must stay clean: a false join is as bad as a miss.

mod common;

use wxcheck::Context;

/// The payloads, each in a carrier sentence (`{}` marks its place) that is
/// clean without it.
const PAYLOADS: &[(&str, &str, &str)] = &[
    ("包过", "包过", "本班{}，欢迎报名"),
    ("100%通过", "100%通过", "考试{}，欢迎报名"),
    ("mobile", "13912345678", "有事联系{}谢谢"),
    ("resident-id", "110101199003074477", "请核对身份证号{}谢谢"),
    ("赌博", "赌博", "周末一起{}吧"),
];

/// Inserts `sep` between every two characters (Han payloads) or between the
/// digit groups people write (3-4-4 for a mobile, 6-8-4 for an ID).
fn split(payload: &str, sep: &str) -> String {
    let groups: Vec<String> = match payload.len() {
        11 => vec![
            payload[..3].into(),
            payload[3..7].into(),
            payload[7..].into(),
        ],
        18 => vec![
            payload[..6].into(),
            payload[6..14].into(),
            payload[14..].into(),
        ],
        _ => payload.chars().map(String::from).collect(),
    };
    groups.join(sep)
}

fn is_digits(p: &str) -> bool {
    p.bytes().all(|b| b.is_ascii_digit())
}

fn map_chars(p: &str, f: impl Fn(char) -> String) -> String {
    p.chars().map(f).collect()
}

fn fullwidth(c: char) -> String {
    match c {
        '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap().to_string(),
        _ => c.to_string(),
    }
}

fn traditional(c: char) -> String {
    match c {
        '过' => '過',
        '赌' => '賭',
        '通' => '通',
        c => c,
    }
    .to_string()
}

fn numerals(p: &str, set: [char; 10]) -> String {
    map_chars(p, |c| match c.to_digit(10) {
        Some(d) => set[d as usize].to_string(),
        None => c.to_string(),
    })
}

/// Every trick: (family, name, evasion of the payload; `None` where the
/// trick does not apply to it).
type Apply = Box<dyn Fn(&str) -> Option<String>>;
type Trick = (&'static str, String, Apply);

fn tricks() -> Vec<Trick> {
    let mut t: Vec<Trick> = Vec::new();
    let mut add = |family: &'static str, name: &str, f: Apply| {
        t.push((family, name.to_string(), f));
    };
    add("control", "plain", Box::new(|p| Some(p.to_string())));
    add(
        "width-traditional",
        "traditional",
        Box::new(|p| (!is_digits(p)).then(|| map_chars(p, traditional))),
    );
    add(
        "width-traditional",
        "fullwidth",
        Box::new(|p| Some(map_chars(p, fullwidth))),
    );
    add(
        "width-traditional",
        "traditional+fullwidth",
        Box::new(|p| Some(map_chars(&map_chars(p, traditional), fullwidth))),
    );
    for (name, sep) in [
        ("space", " "),
        ("two spaces", "  "),
        ("nbsp", "\u{A0}"),
        ("ideographic space", "\u{3000}"),
        ("thin space", "\u{2009}"),
        ("narrow nbsp", "\u{202F}"),
        ("tab", "\t"),
    ] {
        add("spaces", name, Box::new(move |p| Some(split(p, sep))));
    }
    for (name, sep) in [
        ("dash", "-"),
        ("dot", "."),
        ("slash", "/"),
        ("underscore", "_"),
        ("star", "*"),
        ("tilde", "~"),
        ("fullwidth tilde", "～"),
        ("enumeration comma", "、"),
        ("middle dot", "·"),
        ("bar", "|"),
        ("em dash", "—"),
    ] {
        add("punctuation", name, Box::new(move |p| Some(split(p, sep))));
    }
    for (name, sep) in [
        ("zwsp", "\u{200B}"),
        ("zwnj", "\u{200C}"),
        ("zwj", "\u{200D}"),
        ("bom", "\u{FEFF}"),
        ("word joiner", "\u{2060}"),
        ("soft hyphen", "\u{AD}"),
    ] {
        add("zero-width", name, Box::new(move |p| Some(split(p, sep))));
    }
    for (name, sep) in [
        ("lrm", "\u{200E}"),
        ("rlm", "\u{200F}"),
        ("lre", "\u{202A}"),
        ("lro", "\u{202D}"),
        ("pdf", "\u{202C}"),
        ("lri", "\u{2066}"),
        ("pdi", "\u{2069}"),
    ] {
        add("bidi", name, Box::new(move |p| Some(split(p, sep))));
    }
    add(
        "bidi",
        "lro wrap",
        Box::new(|p| Some(format!("\u{202D}{p}\u{202C}"))),
    );
    add(
        "bidi",
        "rlo reversal",
        Box::new(|p| {
            Some(format!(
                "\u{202E}{}\u{202C}",
                p.chars().rev().collect::<String>()
            ))
        }),
    );
    for (name, sep) in [
        ("hangul filler", "\u{3164}"),
        ("braille blank", "\u{2800}"),
        ("choseong filler", "\u{115F}"),
        ("jungseong filler", "\u{1160}"),
        ("halfwidth filler", "\u{FFA0}"),
    ] {
        add("fillers", name, Box::new(move |p| Some(split(p, sep))));
    }
    add("controls-marks", "nul", Box::new(|p| Some(split(p, "\0"))));
    add(
        "controls-marks",
        "control",
        Box::new(|p| Some(split(p, "\u{1}"))),
    );
    add(
        "controls-marks",
        "acute",
        Box::new(|p| Some(map_chars(p, |c| format!("{c}\u{301}")))),
    );
    add(
        "controls-marks",
        "enclosing circle",
        Box::new(|p| Some(map_chars(p, |c| format!("{c}\u{20DD}")))),
    );
    add(
        "controls-marks",
        "cgj",
        Box::new(|p| Some(split(p, "\u{34F}"))),
    );
    for (name, sep) in [
        ("fire", "🔥"),
        ("thumbs skin tone", "👍🏻"),
        ("heart vs16", "❤\u{FE0F}"),
        ("zwj family", "👨\u{200D}👩"),
        ("star", "★"),
        ("reference mark", "※"),
        ("arrow", "→"),
    ] {
        add(
            "emoji-symbols",
            name,
            Box::new(move |p| Some(split(p, sep))),
        );
    }
    for (name, open, close) in [
        ("lenticular", "【", "】"),
        ("parentheses", "(", ")"),
        ("fullwidth parentheses", "（", "）"),
        ("corner", "「", "」"),
    ] {
        add(
            "brackets",
            name,
            Box::new(move |p| {
                (!is_digits(p)).then(|| map_chars(p, |c| format!("{open}{c}{close}")))
            }),
        );
    }
    add("brackets", "ellipsis", Box::new(|p| Some(split(p, "…"))));
    add("line-breaks", "lf", Box::new(|p| Some(split(p, "\n"))));
    add("line-breaks", "crlf", Box::new(|p| Some(split(p, "\r\n"))));
    add(
        "digit-forms",
        "circled",
        Box::new(|p| {
            p.contains(|c: char| c.is_ascii_digit())
                .then(|| numerals(p, ['⓪', '①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨']))
        }),
    );
    add(
        "digit-forms",
        "math bold",
        Box::new(|p| {
            p.contains(|c: char| c.is_ascii_digit())
                .then(|| numerals(p, ['𝟎', '𝟏', '𝟐', '𝟑', '𝟒', '𝟓', '𝟔', '𝟕', '𝟖', '𝟗']))
        }),
    );
    add(
        "digit-forms",
        "plus 86",
        Box::new(|p| (p.len() == 11).then(|| format!("+86 {p}"))),
    );
    for (name, set) in [
        (
            "一二三",
            ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
        ),
        (
            "零",
            ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
        ),
        (
            "壹贰叁",
            ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'],
        ),
        (
            "幺两",
            ['〇', '幺', '两', '三', '四', '五', '六', '七', '八', '九'],
        ),
    ] {
        add(
            "chinese-numerals",
            name,
            Box::new(move |p| (is_digits(p)).then(|| numerals(p, set))),
        );
    }
    add(
        "chinese-numerals",
        "mixed",
        Box::new(|p| {
            is_digits(p).then(|| {
                let n = numerals(
                    &p[3..7],
                    ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
                );
                format!("{}{n}{}", &p[..3], &p[7..])
            })
        }),
    );
    add(
        "html",
        "decimal entities",
        Box::new(|p| {
            Some(map_chars(p, |c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&#{};", c as u32)
                }
            }))
        }),
    );
    add(
        "html",
        "hex entities",
        Box::new(|p| {
            Some(map_chars(p, |c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&#x{:X};", c as u32)
                }
            }))
        }),
    );
    add("html", "amp between", Box::new(|p| Some(split(p, "&amp;"))));
    add(
        "html",
        "nbsp entity",
        Box::new(|p| Some(split(p, "&nbsp;"))),
    );
    add(
        "html",
        "double escaped",
        Box::new(|p| {
            Some(map_chars(p, |c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&amp;#{};", c as u32)
                }
            }))
        }),
    );
    // Payload-specific spellings: pinyin, homophones, rewordings.
    for (name, payload, form) in [
        ("pinyin", "包过", "baoguo"),
        ("half pinyin", "包过", "bao过"),
        ("homophone", "包过", "包锅"),
        ("homophone traditional", "包过", "包鍋"),
        ("emoji inside", "包过", "包🔥过"),
        ("percent spaced", "100%通过", "100 % 通过"),
        ("percent short", "100%通过", "100%过"),
        ("percent words", "100%通过", "百分百过"),
        ("pinyin", "赌博", "dubo"),
        ("half pinyin", "赌博", "du博"),
        ("homophone", "赌博", "堵博"),
        ("homophone 2", "赌博", "赌搏"),
        ("issue: 包🈴过", "包过", "包🈴过"),
        ("issue: 保❤过", "包过", "保❤过"),
        ("issue: ｂａｏ过", "包过", "ｂａｏ过"),
    ] {
        add(
            "variants",
            name,
            Box::new(move |p| (p == payload).then(|| form.to_string())),
        );
    }
    // Allow-list abuse: an allowed phrase that contains the payload hides it.
    // Left to the allow-list logic (the lead's); counted, not fixed here.
    add(
        "allow-abuse",
        "不包过不收费",
        Box::new(|p| (p == "包过").then(|| "不包过不收费".into())),
    );
    add(
        "allow-abuse",
        "不禁止赌博",
        Box::new(|p| (p == "赌博").then(|| "不禁止赌博".into())),
    );
    add(
        "combined",
        "traditional+nbsp+zwsp",
        Box::new(|p| Some(split(&map_chars(p, traditional), "\u{A0}\u{200B}"))),
    );
    add(
        "combined",
        "fullwidth+dots",
        Box::new(|p| Some(map_chars(&split(p, "."), fullwidth))),
    );
    add(
        "combined",
        "emoji+newline",
        Box::new(|p| Some(split(p, "🔥\n"))),
    );
    add(
        "combined",
        "rlo+fullwidth",
        Box::new(|p| {
            Some(format!(
                "\u{202E}{}\u{202C}",
                map_chars(p, fullwidth).chars().rev().collect::<String>()
            ))
        }),
    );
    t
}

#[test]
fn evasion_battery() {
    let rules = common::rules();
    let tricks = tricks();
    // family → (cases, caught); in first-seen order.
    let mut families: Vec<(&str, usize, usize)> = Vec::new();
    let mut through = Vec::new();
    let mut total = (0, 0);
    for (family, name, f) in &tricks {
        for &(label, payload, carrier) in PAYLOADS {
            let Some(evasion) = f(payload) else { continue };
            let (head, tail) = carrier.split_once("{}").unwrap();
            let draft = format!("{head}{evasion}{tail}");
            let start = head.chars().count();
            let end = start + evasion.chars().count();
            let hit = common::caught(&rules, &draft, start, end);
            if *family == "control" {
                assert!(hit, "the plain payload {label} must be caught: {draft:?}");
                let clean = format!("{head}{tail}");
                assert!(
                    rules.check(&clean, Context::Public).findings.is_empty(),
                    "carrier not clean: {clean}"
                );
            }
            match families.iter_mut().find(|e| e.0 == *family) {
                Some(e) => (e.1, e.2) = (e.1 + 1, e.2 + usize::from(hit)),
                None => families.push((family, 1, usize::from(hit))),
            }
            total = (total.0 + 1, total.1 + usize::from(hit));
            if !hit {
                through.push(format!("{family}/{name} × {label}: {draft:?}"));
            }
        }
    }
    println!("{:<20} {:>6} {:>7}", "family", "cases", "caught");
    for (family, n, c) in &families {
        println!(
            "{family:<20} {n:>6} {:>6.0}%",
            100.0 * *c as f64 / *n as f64
        );
    }
    println!(
        "overall: {} cases, {} caught, {} through ({:.1}%)",
        total.0,
        total.1,
        total.0 - total.1,
        100.0 * (total.0 - total.1) as f64 / total.0 as f64
    );
    for t in &through {
        println!("through: {t}");
    }
    assert!(
        total.0 >= 250,
        "the battery has {} cases, fewer than 250",
        total.0
    );
    // What this round reaches (21 of 374 through): the two allow-list abuse
    // cases are the lead's; 16 are 100%通过 with a decimal-like separator or
    // brackets between its digits (1.0.0.%, 【1】【0】【0】: joining those would
    // turn 99.5% into 995%); 2 are 、 between Han characters (a list
    // separator, kept: 语文、数学); 1 is 100%通过 with emoji+line breaks.
    assert!(
        through.len() <= MAX_THROUGH,
        "{} cases got through (at most {MAX_THROUGH} expected)",
        through.len()
    );
}

/// Cases of the battery allowed through (of 374).
const MAX_THROUGH: usize = 21;

/// Clean look-alikes: what a false join or a greedy variant would flag.
#[test]
fn look_alikes_stay_clean() {
    let rules = common::rules();
    let mut flagged = Vec::new();
    for text in [
        "2027/1/1开课",
        "2027/01/01报到",
        "2024.11.29 13:00上课",
        "价格3.5元",
        "每节课1.5小时",
        "学费3980.00元",
        "学费3,980元/期",
        "IP 192.168.1.1",
        "版本1.2.3.4",
        "第1、2、3、4、5、6课",
        "订单2027/11/29/0001",
        "课时3~5天",
        "尺寸3*5米",
        "第1|2|3页",
        "语文、数学、英语",
        "99.5%的家长满意",
        "时间9:00-21:00",
        "《高级英语》课程",
        "【暑期班】报名开始",
        "（一）课程介绍",
        "Kaohsiung campus",
        "kaolin clay",
        "makao",
        "bao bao",
        "北京烤鸭",
        "周末烧烤",
        "一二年级",
        "三个月",
        "三三两两",
        "练习一二三四五六七八九",
        "树立教师威信",
        "路口拥堵博物馆门口",
        "拥堵博士楼前",
        "面包锅里",
        "吃饱过后",
        "🐴年大吉",
        "第一段。\n\n过段时间再说",
        "不包过",
        "通过率不高",
        "R&D center",
        "a &amp; b",
        "&#21253;子很好吃",
        "这次考试不包括听力",
        "保证金200元",
        "电话400-820-6688",
        "单号 13812345678901",
    ] {
        let report = rules.check(text, Context::Public);
        if !report.findings.is_empty() {
            flagged.push(format!(
                "{text:?}: {:?}",
                report.findings.iter().map(|f| &f.text).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        flagged.is_empty(),
        "look-alikes flagged:\n{}",
        flagged.join("\n")
    );
}
