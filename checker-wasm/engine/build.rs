//! Turns OpenCC's `TSCharacters.txt` into a sorted static table at compile time,
//! so the engine has no data files to load at run time (the wasm build has no fs).

use std::collections::BTreeMap;
use std::fmt::Write as _;

fn main() {
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
    // Two parallel arrays plus a bit set (8 bytes and a bit per entry, not
    // the 12 a tuple would take): this table is most of the wasm data.
    let mut out = String::new();
    let n = resolved.len();
    let list = |f: &dyn Fn(&(char, char, bool)) -> char| {
        resolved
            .iter()
            .map(|e| format!("{:?}", f(e)))
            .collect::<Vec<_>>()
            .join(",")
    };
    writeln!(out, "/// Traditional characters, sorted.").unwrap();
    writeln!(
        out,
        "pub(crate) static FROM: [char; {n}] = [{}];",
        list(&|e| e.0)
    )
    .unwrap();
    writeln!(out, "/// Their Simplified forms (chains resolved).").unwrap();
    writeln!(
        out,
        "pub(crate) static TO: [char; {n}] = [{}];",
        list(&|e| e.1)
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
        "/// Bit i: FROM[i] is itself one of its targets (乾, 覆)."
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
