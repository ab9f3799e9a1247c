//! Personal numbers written in Chinese numerals: 一三九一二三四五六七八,
//! 壹叁玖…, 幺三八… (幺, 两, 拐, 勾 and 洞 are how digits are read out over
//! a line), or mixed with digits (139一二三四5678); also Roman numerals
//! standing for digits (Ⅰ3Ⅸ5…) and the letters o and l inside a run of
//! digits (l5OO3927l84). Digits spelled out in words are `spelled.rs`'s.
//!
//! Only the validators read numerals as digits. Folding them in the
//! normaliser would rewrite what word rules see (一二年级, 三个月, 一一对应)
//! and the spans of every finding around them; here, a run is only looked at
//! when it has at least 11 digit-like characters (the shortest personal
//! number), and only a run that passes a validator's checks is reported, so
//! 三三两两 or 一二三四五六七 in a lesson plan never are.

use super::{Hit, resident_id};
use crate::rules::Validator;

/// The digit a Chinese numeral (as a code point) stands for. Inlined
/// natively, where the numeral runs' probe calls it at every eleventh byte;
/// not in the wasm, where each copy is bytes on the phone.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn numeral(c: u32) -> Option<u8> {
    Some(match c {
        // The radio readings (幺两三四五六拐八勾洞, as digits are read out
        // over a line) and 参, what Traditional 參 (for 叁) folds to.
        0x3007 | 0x96F6 | 0x6D1E => 0, // 〇 零 洞
        0x4E00 | 0x58F9 | 0x5E7A => 1, // 一 壹 幺
        0x4E8C | 0x8D30 | 0x4E24 => 2, // 二 贰 两
        0x4E09 | 0x53C1 | 0x53C2 => 3, // 三 叁 参
        0x56DB | 0x8086 => 4,          // 四 肆
        0x4E94 | 0x4F0D => 5,          // 五 伍
        0x516D | 0x9646 => 6,          // 六 陆
        0x4E03 | 0x67D2 | 0x62D0 => 7, // 七 柒 拐
        0x516B | 0x634C => 8,          // 八 捌
        0x4E5D | 0x7396 | 0x52FE => 9, // 九 玖 勾
        // Homophones written for digits (腰伞扒溜尔铃酒妻舞似久, 妖伞霸 漆零二伍:
        // the blind evasion batteries'). Common characters among them (要,
        // 山) only ever make a run when eleven digit-likes stand together,
        // which words do not, and a run is reported only when a validator
        // takes it. Not those that stand next to numbers in ordinary text:
        // 吧 after one (身份证号是四四零…一五吧？ would be a digit too long),
        // 期 and 起 (出生日期1990年…, 9月1日起) beside dates, whose pieces
        // an ID given in parts is read from.
        0x94C3 | 0x7075 | 0x73B2 => 0,                   // 铃 灵 玲
        0x8170 | 0x5996 | 0x8981 | 0x4F9D | 0x8863 => 1, // 腰 妖 要 依 衣
        0x5C14 | 0x8033 => 2,                            // 尔 耳
        0x4F1E | 0x5C71 | 0x6563 => 3,                   // 伞 山 散
        0x4F3C | 0x6B7B | 0x601D | 0x5BFA => 4,          // 似 死 思 寺
        0x821E | 0x5348 | 0x543E => 5,                   // 舞 午 吾
        0x6E9C | 0x6D41 | 0x7559 => 6,                   // 溜 流 留
        0x59BB | 0x6F06 => 7,                            // 妻 漆
        0x6252 | 0x5DF4 | 0x9738 => 8,                   // 扒 巴 霸
        0x9152 | 0x4E45 | 0x6551 => 9,                   // 酒 久 救
        // Roman numerals Ⅰ–Ⅸ and ⅰ–ⅸ standing for digits (Ⅰ3Ⅸ5…).
        0x2160..=0x2168 => (c - 0x215F) as u8,
        0x2170..=0x2178 => (c - 0x216F) as u8,
        _ => return None,
    })
}

/// The digit starting at byte `i` of `b` (an ASCII digit, the letters o, l
/// and i that look like 0 and 1 (1OO, l5OO3927l84, I5I; folded, so lower
/// case), or a
/// three-byte numeral) and its length in bytes. Inlined natively only, as
/// [`numeral`] is.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn digit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    match b[i..] {
        [x, ..] if x.is_ascii_digit() => Some((x - b'0', 1)),
        [b'o', ..] => Some((0, 1)),
        [b'l' | b'i', ..] => Some((1, 1)),
        [x, y, z, ..] if (0xE2..=0xE9).contains(&x) => {
            let u = (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
            numeral(u).map(|d| (d, 3))
        }
        _ => None,
    }
}

/// Whether a digit-like starts at byte `i` of `b`: [`digit_at`] for the
/// walks around a probe, inlined natively only, as [`numeral`] is.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn is_digit_at(b: &[u8], i: usize) -> bool {
    digit_at(b, i).is_some()
}

/// The length in bytes of a weak separator at byte `i` of `b`, if one
/// stands there: one between two digit-likes joins them into a run (一五一
/// 〇〇八九 三二七四, 18６-零7４②-九九三一, 一八八、零五五三、二六四七,
/// 155丨0618丨3324, (136)5507(2298): the blind evasion batteries'). The
/// normaliser joins
/// groups of ASCII digits already; it does not know numerals. Inlined
/// natively only, as [`numeral`] is.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn separator_at(b: &[u8], i: usize) -> Option<usize> {
    match b[i..] {
        [
            b' ' | b'-' | b',' | b'.' | b'_' | b'|' | b'/' | b'~' | b'(' | b')' | b'[' | b']',
            ..,
        ] => Some(1),
        [0xE3, 0x80, 0x81, ..] | [0xE4, 0xB8, 0xA8, ..] => Some(3), // 、 丨
        [0xC2, 0xB7, ..] => Some(2),                                // ·
        _ => None,
    }
}

/// The fewest bytes a run can have: eleven ASCII digits and letters (o, l).
const MIN_BYTES: usize = super::MIN_RUN;

/// Maximal runs of at least 11 digits and numerals, with one weak separator
/// at most between two of them ([`separator_at`]), that hold a numeral or a
/// separator (pure digit runs are the ASCII scan's). o and l count as
/// numerals, so
/// hello13812345678 gives llo13812345678 here too: fourteen digits, which
/// no validator takes, while the ASCII scan still finds the mobile.
///
/// Such a run has at least [`MIN_BYTES`] bytes, so a run starting anywhere in
/// `i..=i + MIN_BYTES - 1` covers byte `i + MIN_BYTES - 1`: one probe of the
/// character there rules out all those starts when it is neither a digit
/// nor a separator (as in `long_digit_runs`). Only around a probe that is
/// one (一 and the comma are common) is the text decoded character by
/// character.
pub fn runs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // No qualifying run starts before `i` other than those found, and `i` is
    // a character boundary.
    let mut i = 0;
    while i + MIN_BYTES <= b.len() {
        let mut probe = i + MIN_BYTES - 1;
        while !crate::normalize::is_char_start(b[probe]) {
            probe -= 1;
        }
        if digit_at(b, probe).is_none() && separator_at(b, probe).is_none() {
            i = probe + crate::normalize::char_len(b[probe]);
            continue;
        }
        let before = |at: usize| {
            let mut k = at - 1;
            while !crate::normalize::is_char_start(b[k]) {
                k -= 1;
            }
            k
        };
        // Back to the start of the run (not before `i`), then forward to
        // its end, counting digits, numerals and separators.
        let mut start = probe;
        while start > i {
            let k = before(start);
            if is_digit_at(b, k) && (is_digit_at(b, start) || start == probe) {
                start = k;
            } else if separator_at(b, k).is_some() && k > i && is_digit_at(b, start) {
                let d = before(k);
                if !is_digit_at(b, d) {
                    break;
                }
                start = d;
            } else {
                break;
            }
        }
        if !is_digit_at(b, start) {
            // The probe was a separator with no digit before it.
            start += separator_at(b, start).unwrap_or(1);
        }
        let (mut end, mut n, mut numerals, mut separators) = (start, 0, 0, 0);
        while end < b.len() {
            if let Some((_, len)) = digit_at(b, end) {
                n += 1;
                numerals += usize::from(!b[end].is_ascii_digit());
                end += len;
            } else if let Some(len) = separator_at(b, end)
                && n > 0
                && end + len < b.len()
                && is_digit_at(b, end + len)
            {
                separators += 1;
                end += len;
            } else {
                break;
            }
        }
        if n >= super::MIN_RUN && numerals + separators > 0 {
            out.push((start, end));
        }
        // `b[end]` is no digit: skip it too.
        i = if end < b.len() {
            end + crate::normalize::char_len(b[end])
        } else {
            end
        };
    }
    out
}

/// A run of digits and numerals read as ASCII digits.
pub struct Read {
    pub digits: String,
    /// `at[j]`: where digit `j` starts in the text; one more for the end.
    at: Vec<usize>,
    /// Where each group (between separators) starts, as a digit index, and
    /// the number of digits last.
    groups: Vec<usize>,
}

impl Read {
    /// Whether a separator stands in the run: a bank card is never read
    /// across one (sixteen digits of dates and prices pass Luhn's check one
    /// time in ten).
    pub fn has_separator(&self) -> bool {
        self.groups.len() > 2
    }
}

/// The run `text[s..e]` of digits, numerals and separators, read.
pub fn read(text: &str, s: usize, e: usize) -> Read {
    let b = text.as_bytes();
    let mut read = Read {
        digits: String::with_capacity(e - s + 1),
        at: Vec::with_capacity(e - s + 1),
        groups: vec![0],
    };
    let mut i = s;
    while i < e {
        match digit_at(b, i) {
            Some((d, len)) => {
                read.digits.push(char::from(b'0' + d));
                read.at.push(i);
                i += len;
            }
            None => {
                i += separator_at(b, i).unwrap_or(1);
                read.groups.push(read.digits.len());
            }
        }
    }
    read.at.push(e);
    read.groups.push(read.digits.len());
    read
}

/// Runs validator `v` on a run of `text` ending at byte `e`, already
/// [`read`] as digits; hits are mapped back to byte ranges of `text`. A run with separators is also read
/// as every stretch of its whole groups (a number next to a numeral word,
/// 壹叁捌零贰柒陆肆叁玖壹，一直没人接; numbers in a list, 一三六…、一三八…):
/// only those as long as the number `v` looks for.
pub fn find(v: Validator, text: &str, e: usize, read: Read) -> Vec<Hit> {
    let Read { digits, at, groups } = read;
    let n = digits.len();
    // A resident ID may end in x (however spelled), written after the numerals.
    let x = resident_id::spelled_x(&text[e..]).map(|len| e + len);
    // The lengths a stretch can have to be what `v` looks for (with an x
    // after it, an ID has 17 digits).
    let fits = |len: usize, with_x: bool| match v {
        Validator::Phone => len == 11,
        Validator::ResidentId => len == 18 || (with_x && len == 17),
        Validator::BankCard | Validator::Email => false,
    };
    let mut hits = Vec::new();
    for (k, &first) in groups[..groups.len() - 1].iter().enumerate() {
        for (j, &last) in groups.iter().enumerate().skip(k + 1) {
            let ends_run = j == groups.len() - 1;
            let whole = k == 0 && ends_run;
            if last - first > 19 {
                break;
            }
            if !whole && !fits(last - first, ends_run && x.is_some()) {
                continue;
            }
            let mut window = digits[first..last].to_string();
            if ends_run && x.is_some() {
                window.push('x');
            }
            hits.extend(
                super::in_digits(v, &window, last - first)
                    .into_iter()
                    .map(|h| Hit {
                        start: at[first + h.start],
                        end: if first + h.end > n {
                            x.unwrap_or(e)
                        } else {
                            at[first + h.end]
                        },
                        masked: h.masked,
                    }),
            );
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::runs;

    /// The probing scan finds exactly the runs a plain character walk finds.
    #[test]
    fn probing_matches_a_plain_walk() {
        let plain = |s: &str| {
            let is_digit = |c: char| {
                c.is_ascii_digit()
                    || "oli〇零洞一壹幺二贰两三叁参四肆五伍六陆七柒拐八捌九玖勾ⅠⅨⅰⅸ".contains(c)
            };
            let is_separator = |c: char| " -,._|/~()[]、丨".contains(c);
            let mut out = Vec::new();
            // (start, digits, numerals, separators, end of the last digit)
            let mut run: Option<(usize, usize, usize, usize, usize)> = None;
            let mut pending = false;
            for (i, c) in s.char_indices().chain([(s.len(), '。')]) {
                if is_digit(c) {
                    let r = run.get_or_insert((i, 0, 0, 0, i));
                    r.1 += 1;
                    r.2 += usize::from(!c.is_ascii_digit());
                    r.3 += usize::from(pending);
                    r.4 = i + c.len_utf8();
                    pending = false;
                } else if is_separator(c) && run.is_some() && !pending {
                    pending = true;
                } else {
                    if let Some((start, n, numerals, separators, end)) = run.take()
                        && n >= 11
                        && numerals + separators > 0
                    {
                        out.push((start, end));
                    }
                    pending = false;
                }
            }
            out
        };
        let pieces = [
            "一", "3", "九", "a", "好", "。", "两", "", "〇", "o", "l", "Ⅸ", "Ⅹ", " ", "、", ",",
            "丨",
        ];
        let mut random = crate::random_text::RandomText::new(7);
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..random.below(64) {
                let run = random.below(16);
                let p = pieces[random.below(pieces.len())];
                let q = pieces[random.below(pieces.len())];
                s.push_str(&p.repeat(run));
                s.push_str(q);
            }
            assert_eq!(runs(&s), plain(&s), "{s}");
        }
    }

    use crate::rules::Validator;
    use crate::validators::find;

    /// (validator, normalised text, how many hits)
    #[test]
    fn numerals_as_digits() {
        for (v, text, want) in [
            (Validator::Phone, "电话一三九一二三四五六七八", 1),
            (Validator::Phone, "电话幺三九幺二三四五六七八", 1),
            (Validator::Phone, "电话壹叁玖壹贰叁肆伍陆柒捌", 1),
            (Validator::Phone, "电话139一二三四5678", 1),
            (Validator::Phone, "电话一三九〇二三四五六七八", 1),
            (Validator::Phone, "老师电话幺五九洞幺二八九三六七", 1),
            (Validator::Phone, "值班手机幺三两拐勾洞洞幺五三四", 1),
            (Validator::Phone, "联系壹参玖伍贰零捌柒陆肆壹", 1), // 聯係壹參玖… folded
            (Validator::Phone, "私聊l5oo3927l84", 1),
            (Validator::Phone, "ⅰ3ⅸ5ⅶ2ⅷ0ⅵ4ⅲ是我手机", 1),
            (Validator::Phone, "Ⅰ3Ⅸ5Ⅶ2Ⅷ0Ⅵ4Ⅲ是我手机", 1),
            (Validator::Phone, "hello13812345678", 1),
            (Validator::Phone, "lol, cool", 0),
            (Validator::Phone, "一二年级三个月", 0),
            (Validator::Phone, "三三两两一二三四五六七", 0),
            (Validator::Phone, "一三九一二三四五六七八九", 0), // 12 digits
            (
                Validator::ResidentId,
                "身份证一一〇一〇一一九九〇〇三〇七四四七七",
                1,
            ),
            (
                Validator::ResidentId,
                "身份证一一〇一〇五一九四九一二三一〇〇二x",
                1,
            ),
            (
                Validator::ResidentId,
                "一一〇一〇一一九九〇〇三〇七四四七八",
                0,
            ),
            (Validator::ResidentId, "身份证号11o1o1199oo3o74477", 1),
            // Groups with one weak separator between them.
            (Validator::Phone, "一五一 〇〇八九 三二七四 课程咨询", 1),
            (Validator::Phone, "一八八、零五五三、二六四七 打我电话", 1),
            (Validator::Phone, "186-零742-九九三一", 1),
            (Validator::Phone, "155丨0618丨3324 资料找我要", 1),
            (Validator::Phone, "一 3 8 5 零 4 7 七 6 2 9 打这个", 1),
            (Validator::Phone, "一五一  〇〇八九  三二七四", 0), // two separators
            (Validator::Phone, "(136)5507(2298) 张姐", 1),
            (Validator::Phone, "i5i 2o87 3346 收到请回复", 1),
            (
                Validator::ResidentId,
                "学生证:四三一〇〇二 二〇〇四〇三一七 〇二四〇",
                1,
            ),
            (Validator::BankCard, "20241130,20250115", 0), // never across a separator
            (
                Validator::Phone,
                "电话是壹叁捌零贰柒陆肆叁玖壹,一直没人接",
                1,
            ),
            (
                Validator::Phone,
                "一三六七一八二九零四五、一三八一二零九三三七六、一三九二二八七六五四三",
                3,
            ),
        ] {
            let hits = find(v, text);
            assert_eq!(hits.len(), want, "{v:?} {text}");
            for h in hits {
                assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
                assert!(h.start < h.end);
            }
        }
    }
}
