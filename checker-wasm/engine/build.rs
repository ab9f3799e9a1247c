//! Turns OpenCC's `TSCharacters.txt` into a sorted static table at compile time,
//! so the engine has no data files to load at run time (the wasm build has no fs).

use std::collections::BTreeMap;
use std::fmt::Write as _;

fn main() {
    variants();
    let src = "data/TSCharacters.txt";
    println!("cargo::rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).expect("read data/TSCharacters.txt");
    // from -> (first target, is `from` itself among the targets?)
    let mut map: BTreeMap<char, (char, bool)> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (from, targets) = line.split_once('\t').expect("tab-separated line");
        let mut fc = from.chars();
        let (Some(from), None) = (fc.next(), fc.next()) else {
            panic!("not a single char: {line}")
        };
        let targets: Vec<char> = targets
            .split(' ')
            .map(|t| {
                let mut c = t.chars();
                match (c.next(), c.next()) {
                    (Some(c), None) => c,
                    _ => panic!("not a single char target: {line}"),
                }
            })
            .collect();
        map.insert(from, (targets[0], targets.contains(&from)));
    }
    // Resolve chains (薴 -> 苧 -> 苎) so that folding is idempotent.
    let resolved: Vec<(char, char, bool)> = map
        .iter()
        .map(|(&from, &(mut to, keeps_self))| {
            for _ in 0..4 {
                match map.get(&to) {
                    Some(&(next, _)) if next != to => to = next,
                    _ => break,
                }
            }
            (from, to, keeps_self)
        })
        // An entry whose first target is itself (覆 -> 覆 复) changes nothing.
        .filter(|(f, t, _)| f != t)
        .collect();
    // The table is most of the wasm's data, so it is stored the way it
    // gzips best (wasm + glue 149.7 → 138.9 KB gzipped, against two `char`
    // arrays; see DESIGN.md, "Data"). The sorted Traditional characters as LEB128
    // deltas from the previous one (mostly one byte), decoded on first use;
    // their Simplified forms as three byte planes (low, middle, high byte of
    // the code point), read in place: a plane of one kind of byte compresses
    // better than interleaved four-byte `char`s with two zero bytes each.
    let mut out = String::new();
    let n = resolved.len();
    let mut deltas = Vec::with_capacity(n * 2);
    let mut prev = 0u32;
    for &(from, _, _) in &resolved {
        let mut d = from as u32 - prev;
        prev = from as u32;
        loop {
            let byte = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                deltas.push(byte);
                break;
            }
            deltas.push(byte | 0x80);
        }
    }
    writeln!(
        out,
        "/// Traditional characters, sorted: LEB128 deltas from the previous one."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static FROM_DELTAS: [u8; {}] = {deltas:?};",
        deltas.len()
    )
    .unwrap();
    writeln!(out, "/// How many characters `FROM_DELTAS` holds.").unwrap();
    writeln!(out, "pub(crate) const LEN: usize = {n};").unwrap();
    let plane = |shift: u32| -> Vec<u8> {
        resolved
            .iter()
            .map(|e| ((e.1 as u32 >> shift) & 0xff) as u8)
            .collect()
    };
    writeln!(
        out,
        "/// Their Simplified forms (chains resolved), the code point's bytes in\n\
         /// three planes: low, middle, high."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static TO_PLANES: [[u8; {n}]; 3] = [{:?}, {:?}, {:?}];",
        plane(0),
        plane(8),
        plane(16)
    )
    .unwrap();
    let mut keep = vec![0u64; n.div_ceil(64)];
    for (i, e) in resolved.iter().enumerate() {
        if e.2 {
            keep[i / 64] |= 1 << (i % 64);
        }
    }
    writeln!(
        out,
        "/// Bit i: the i-th Traditional character is itself one of its targets (乾, 覆)."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static KEEPS_SELF: [u64; {}] = {keep:?};",
        keep.len()
    )
    .unwrap();
    // One bit per BMP code point that has an entry (changing or not): a cheap
    // fast path so ordinary Simplified text never reaches the binary search.
    let mut bits = vec![0u64; 1024];
    for (f, t, _) in &resolved {
        let c = *f as u32;
        if c < 0x10000 && f != t {
            bits[(c / 64) as usize] |= 1 << (c % 64);
        }
    }
    writeln!(out, "pub(crate) static BMP_BITS: [u64; 1024] = {bits:?};").unwrap();
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("t2s_table.rs");
    std::fs::write(dest, out).unwrap();
}

/// Compiles `data/variants.toml` into `variants_table.rs`: one entry per
/// form, and the non-Han symbols among the forms (the normaliser must not drop
/// them as separators). Errors name the entry, in Chinese: whoever edits the
/// table reads them.
/// The `[[stand-in]]` entries of `data/variants.toml` (emoji read as the
/// word they stand for, `second_reading.rs`) as `STAND_INS`, sorted by emoji.
fn stand_ins(src: &str, table: &toml::Table, out: &mut String) {
    let mut pairs: BTreeMap<char, String> = BTreeMap::new();
    let entries = table.get("stand-in").and_then(|v| v.as_array());
    for (n, e) in entries.into_iter().flatten().enumerate() {
        let place = format!("{src} 第 {} 个 [[stand-in]]", n + 1);
        let e = e.as_table().unwrap_or_else(|| panic!("{place}：应为表"));
        for k in e.keys() {
            assert!(
                matches!(k.as_str(), "emoji" | "reads" | "must-flag" | "must-pass"),
                "{place}：未知字段 `{k}`，请删除或改正"
            );
        }
        let reads = e
            .get("reads")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| panic!("{place}：缺少 `reads`（这个表情代表的字）"));
        let emoji = e
            .get("emoji")
            .and_then(|v| v.as_array())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| panic!("{place}：缺少 `emoji`（表情列表）"));
        for x in emoji {
            let mut chars = x.as_str().map(str::chars).into_iter().flatten();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                panic!("{place}：`emoji` 的每一项应为一个字符：{x}")
            };
            assert!(
                !c.is_ascii() && !matches!(c as u32, 0x3400..=0x9FFF | 0x20000..=0x3FFFF),
                "{place}：`{c}` 不是表情或符号"
            );
            if pairs.insert(c, reads.to_string()).is_some() {
                panic!("{place}：`{c}` 在别的 [[stand-in]] 里已有读法");
            }
        }
    }
    let pairs: Vec<(char, String)> = pairs.into_iter().collect();
    writeln!(
        out,
        "pub(crate) static STAND_INS: &[(char, &str)] = &{pairs:?};"
    )
    .unwrap();
}

/// Separators of the packed variant table (`PACKED`).
const RECORD: char = '\u{1e}';
const FIELD: char = '\u{1f}';
const ITEM: char = '\u{1d}';

fn variants() {
    let src = "data/variants.toml";
    println!("cargo::rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).expect("read data/variants.toml");
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{src}：TOML 格式错误：{e}"));
    let mut out = String::new();
    let mut symbols = std::collections::BTreeSet::new();
    let mut all_forms = Vec::new();
    let mut canonicals = Vec::new();
    // The table as one string (forms, canonical texts and context lists
    // between control characters), split on first use (`variants::table`):
    // as a static array of `Variant`s it was six fat pointers a form, which
    // gzip cannot shrink (about 2 KB of the wasm).
    let mut packed = String::new();
    for key in table.keys() {
        assert!(
            key == "variant" || key == "stand-in",
            "{src}：未知的表 `{key}`，只能写 [[variant]] 或 [[stand-in]]"
        );
    }
    let entries = table
        .get("variant")
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("{src}：缺少 [[variant]] 条目"));
    for (n, e) in entries.iter().enumerate() {
        let place = format!("{src} 第 {} 个 [[variant]]", n + 1);
        let e = e.as_table().unwrap_or_else(|| panic!("{place}：应为表"));
        for k in e.keys() {
            assert!(
                matches!(
                    k.as_str(),
                    "canonical"
                        | "forms"
                        | "only_before"
                        | "only_after"
                        | "not_before"
                        | "not_after"
                        | "must-flag"
                        | "must-pass"
                ),
                "{place}：未知字段 `{k}`，请删除或改正"
            );
        }
        let list = |k: &str| -> Vec<String> {
            e.get(k).map_or_else(Vec::new, |v| {
                v.as_array()
                    .unwrap_or_else(|| panic!("{place}：`{k}` 应为字符串列表"))
                    .iter()
                    .map(|s| {
                        s.as_str()
                            .filter(|s| !s.is_empty())
                            .unwrap_or_else(|| panic!("{place}：`{k}` 中有空的或非字符串的项"))
                            .to_string()
                    })
                    .collect()
            })
        };
        let canonical = e
            .get("canonical")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| panic!("{place}：缺少 `canonical`（规范写法）"));
        let forms = list("forms");
        assert!(!forms.is_empty(), "{place}：`forms` 不能为空");
        let ctx = |k: &str| list(k).join(&ITEM.to_string());
        for form in &forms {
            assert!(
                form.chars().all(|c| !c.is_uppercase()),
                "{place}：变体 `{form}` 应写成小写（匹配在小写文本上进行）"
            );
            symbols.extend(form.chars().filter(|&c| {
                !c.is_ascii() && !matches!(c as u32, 0x3400..=0x9FFF | 0x20000..=0x3FFFF)
            }));
            if all_forms.contains(form) {
                panic!("{place}：变体 `{form}` 在前面已经写过，同一个写法只能出现一次");
            }
            all_forms.push(form.clone());
            assert!(
                ![form.as_str(), canonical]
                    .into_iter()
                    .chain(
                        ["only_before", "only_after", "not_before", "not_after"]
                            .map(&list)
                            .iter()
                            .flatten()
                            .map(String::as_str)
                    )
                    .any(|t| t.contains([RECORD, FIELD, ITEM])),
                "{place}：变体中不能有控制字符 U+001D–U+001F"
            );
            if !packed.is_empty() {
                packed.push(RECORD);
            }
            packed.push_str(form);
            packed.push(FIELD);
            packed.push_str(canonical);
            for k in ["only_before", "only_after", "not_before", "not_after"] {
                packed.push(FIELD);
                packed.push_str(&ctx(k));
            }
        }
        canonicals.push((place, canonical.to_string()));
    }
    writeln!(
        out,
        "/// Records split by {RECORD:?}, fields by {FIELD:?}, list items by {ITEM:?}:\n\
         /// form, canonical, only_before, only_after, not_before, not_after."
    )
    .unwrap();
    writeln!(out, "pub(crate) static PACKED: &str = {packed:?};").unwrap();
    // A canonical text containing a form would be replaced again and again.
    for (place, c) in &canonicals {
        if let Some(f) = all_forms.iter().find(|f| c.contains(f.as_str())) {
            panic!("{place}：规范写法 `{c}` 含有变体 `{f}`，会被反复替换");
        }
    }
    let symbols: Vec<char> = symbols.into_iter().collect();
    writeln!(out, "pub(crate) static SYMBOLS: &[char] = &{symbols:?};").unwrap();
    stand_ins(src, &table, &mut out);
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("variants_table.rs");
    std::fs::write(dest, out).unwrap();
}
