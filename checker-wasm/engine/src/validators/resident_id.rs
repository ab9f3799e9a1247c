//! Resident ID numbers (GB 11643-1999): six-digit region code (first digit
//! 1–8), a real birth date (leap years included), a three-digit sequence and
//! a mod-11 check character (0–9 or X). A number failing any of these is not an
//! ID. An all-digit 统一社会信用代码 almost always fails the ID checks (the two
//! check characters use different moduli); the rare number valid as both is
//! taken for a USCC only when the text labels it as one (信用代码, 税号 just
//! before it), so real IDs are not let through by a 1-in-31 coincidence.

use super::{Hit, mask, uscc};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10x98765432";

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |n, &b| n * 10 + u32::from(b - b'0'))
}

fn is_real_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// Is `id` (18 bytes: 17 digits then a digit or lower-case `x`) a valid ID?
pub fn is_valid(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b'1'..=b'8').contains(&id[0]) {
        return false;
    }
    if !is_real_date(num(&id[6..10]), num(&id[10..12]), num(&id[12..14])) {
        return false;
    }
    let sum: u32 = id[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == id[17]
}

/// The length in bytes of the ID's check character X at the start of
/// `rest`, if it is one: `x` (folded), or written as the Roman numeral Ⅹ,
/// the multiplication sign × or ✖, or as 叉 or 艾克斯, as it is read out (the
/// blind evasion batteries').
pub(crate) fn spelled_x(rest: &str) -> Option<usize> {
    ["x", "Ⅹ", "ⅹ", "×", "✖", "叉", "艾克斯"]
        .into_iter()
        .find(|x| rest.starts_with(x))
        .map(str::len)
}

/// ID numbers among `runs` (maximal digit runs of `text`): 18 digits, or 17
/// followed by `x`, not glued to other letters or digits, but for the
/// letters that only label it: a student's 学籍号 is `G` (or `L`, a temporary
/// one) and the holder's ID number (学籍号G330106201203154327; folded, so
/// lower case), and `ID` or `sfz` (身份证) may be written right against it
/// (ID310104…: the blind evasion battery's).
pub fn find(text: &str, runs: &[(usize, usize)]) -> Vec<Hit> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    for &(i, e) in runs {
        let letters = b[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let label = matches!(&b[i - letters..i], b"g" | b"l" | b"id" | b"sfz")
            && !(i > letters && b[i - letters - 1].is_ascii_digit());
        if letters > 0 && !label {
            continue;
        }
        // The number as 18 bytes, its check character as `x` however spelled.
        let mut id = [0u8; 18];
        let end = match spelled_x(&text[e..]) {
            Some(len) if e - i == 17 => {
                id[..17].copy_from_slice(&b[i..e]);
                id[17] = b'x';
                e + len
            }
            _ if e - i == 18 => {
                id.copy_from_slice(&b[i..e]);
                e
            }
            _ => continue,
        };
        let alone = !b.get(end).is_some_and(u8::is_ascii_alphanumeric);
        if alone && is_valid(&id) && !(uscc::is_valid(&id) && uscc::labelled(text, i)) {
            hits.push(Hit {
                start: i,
                end,
                masked: mask(std::str::from_utf8(&id).expect("ASCII"), 6, 4),
            });
        }
    }
    hits
}

/// Words that say a draft is about an ID number, without which [`split`]
/// does not look; the Latin ones only as words of their own (not in video).
const ID_CUES: [&str; 4] = ["身份", "证件", "id", "sfz"];

/// Whether `text` holds one of [`ID_CUES`]. This runs on every draft
/// without an ID, so each cue is first looked for with `contains` (which
/// the standard library vectorises for short needles; walking
/// `match_indices` of five cues was 9 % of the mixed corpus's time), and
/// only a Latin one found is checked for letters around it.
fn names_an_id(text: &str) -> bool {
    let b = text.as_bytes();
    ID_CUES.iter().any(|cue| {
        text.contains(cue)
            && (!cue.is_ascii()
                || text.match_indices(cue).any(|(at, _)| {
                    !(at > 0 && b[at - 1].is_ascii_alphabetic()
                        || b.get(at + cue.len()).is_some_and(u8::is_ascii_alphabetic))
                }))
    })
}

/// Where the ID's parts end: region 6, year 10, month 12, day 14, sequence
/// 17, check digit 18. In a draft that does not name an ID, pieces are
/// joined only when each ends at one of these (330205 | 一九八九0606 | 6264,
/// which the fold makes 330205一九八九0606 6264: 14 and 18).
const PART_ENDS: [usize; 6] = [6, 10, 12, 14, 17, 18];

/// How many characters may stand between two pieces of a split ID
/// (，后四位 is five).
const SPLIT_GAP: usize = 6;

/// An ID number given in pieces: 前六位310104，生日20010120，后四位2104;
/// 610113，1966年08月12日，1723; 前半：420106196⏎后半：503145471 (the blind
/// evasion battery's). Consecutive groups of digits or Chinese numerals,
/// each gap at most [`SPLIT_GAP`] characters with no sentence end in it,
/// that together make 17 digits and an x, or 18, and pass the checks of a
/// real ID. In a draft that names an ID (`ID_CUES`), any pieces: the
/// checksum, the date and the region already make a chance concatenation
/// rare, and the cue makes it rarer. In a draft that does not, only the ID's
/// own parts, region, birthday and the rest ([`PART_ENDS`]: 330205
/// 一九八九0606 6264, 422802【19730912】1512). `groups` are the draft's
/// [`super::pieces::digit_groups`], found once for every validator (an ID
/// in numerals alone with one separator between its pieces is
/// `numerals::runs`'). The hit covers the pieces and what is between.
pub(crate) fn split(text: &str, groups: &[super::pieces::Group]) -> Vec<Hit> {
    let cued = names_an_id(text);
    let joins = |a: usize, b: usize| super::pieces::joins(&text[a..b], SPLIT_GAP);
    let mut hits = Vec::new();
    for first in 0..groups.len() {
        // Given tail first (尾号123X，前十四位…).
        if let Some((id, start, end)) =
            super::pieces::tail_first(text, groups, first, 18, Some(spelled_x))
            && is_valid(&id)
        {
            hits.push(Hit {
                start,
                end,
                masked: mask(std::str::from_utf8(&id).expect("ASCII"), 6, 4),
            });
        }
        // Without a cue the first piece ends where a part does.
        if !cued && !PART_ENDS.contains(&groups[first].len) {
            continue;
        }
        let mut id = Vec::with_capacity(18);
        for (k, g) in groups.iter().enumerate().skip(first) {
            if (k > first && !joins(groups[k - 1].end, g.start)) || id.len() + g.len > 18 {
                break;
            }
            g.digits_into(text, &mut id);
            let mut end = g.end;
            if k > first
                && id.len() == 17
                && let Some(len) = spelled_x(&text[end..])
            {
                id.push(b'x');
                end += len;
            }
            if k > first && id.len() == 18 {
                let mut at = 0;
                let parts = groups[first..=k].iter().all(|g| {
                    at += g.len;
                    PART_ENDS.contains(&at)
                });
                if (cued || parts) && is_valid(&id) {
                    hits.push(Hit {
                        start: groups[first].start,
                        end,
                        masked: mask(std::str::from_utf8(&id).expect("ASCII"), 6, 4),
                    });
                }
                break;
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validators::{Validator, find as run};

    fn find(t: &str) -> Vec<Hit> {
        run(Validator::ResidentId, t)
    }

    #[test]
    fn ids() {
        assert!(is_valid(b"11010519491231002x"));
        assert!(is_valid(b"110101199003074477"));
        assert!(!is_valid(b"110101199003074478")); // check digit
        assert!(!is_valid(b"110101199002304476")); // no 30 February
        assert!(!is_valid(b"910101199003074477")); // region
        assert_eq!(find("身份证11010519491231002x。").len(), 1);
        assert!(find("单号110101199003074477123").is_empty());
        // A 学籍号 is G (or L) and the ID; other letters glued on are not.
        assert_eq!(find("学籍号g110101199003074477，官网可查").len(), 1);
        assert_eq!(find("l110101199003074477").len(), 1);
        assert!(find("ag110101199003074477").is_empty());
        assert!(find("订单k110101199003074477").is_empty());
        assert_eq!(find("id310104198109129300，代缴社保用").len(), 1);
        // The check character X spelled otherwise.
        assert_eq!(find("身份证11010519491231002叉，最后一位是叉").len(), 1);
        assert_eq!(find("身份证11010519491231002艾克斯").len(), 1);
        assert_eq!(
            find("身份证11010519491231002Ⅹ")[0].masked,
            "110105********002x"
        );
        assert!(find("身份证11010519491231003叉").is_empty());
    }

    /// (normalised text, how many hits): IDs in pieces.
    #[test]
    fn split_ids() {
        for (text, want) in [
            (
                "身份证信息:前六位110101,生日19900307,后四位4477,帮我填表",
                1,
            ),
            ("身份证:110101,1990年03月07日,4477", 1),
            ("身份证前半:110101199\n后半:003074477", 1),
            ("身份证:地区码110101,出生19900307,顺序码447,校验位7", 1),
            ("前六位110101,生日19900307,后四位4477", 1), // no cue, but the three parts
            ("前半:110101199\n后半:003074477", 0),       // no cue, not the parts
            ("请核对:110101 一九九〇0307 4477", 1),
            ("核酸补录 110105【19491231】002x", 1),
            ("编号 110101 19900307 4477", 1),
            ("请核对:110101一九九〇0307 4477", 1),
            ("登记一下:11010119900307后面再加4477", 1),
            ("编号 1101011 9900307 4477", 0), // not where the parts end
            ("地区码110101,出生日期1990年03月07日,顺序码447,校验码7", 1),
            ("身份证:110101。1990年03月07日,4477", 0), // a sentence ends
            ("身份证:110101,这是我们在1990年03月07日收到的那份,4477", 0), // too far apart
            ("身份证:110101,19900307,4478", 0),        // check digit
            ("id:110101199,003074477", 1),
            ("video:110101199,003074477", 0),
            ("帮我办卡,后四位4477,前十四位11010119900307", 1),
            ("证件尾号002x,前十四位11010519491231", 1),
            ("尾号4477,前面是11010119900308", 0), // check digit
        ] {
            assert_eq!(
                super::split(text, &crate::validators::pieces::digit_groups(text, 0)).len(),
                want,
                "{text}"
            );
        }
        // In numerals alone, with one separator between the pieces: the
        // numeral runs' (the validator as a whole finds it).
        assert_eq!(
            find("身份证壹壹零壹零壹,壹玖玖零零叁零柒,肆肆柒柒").len(),
            1
        );
        assert_eq!(find("sfz310104198109129300").len(), 1);
        assert!(find("orderid310104198109129300").is_empty());
        assert!(find("3id310104198109129300").is_empty());
    }
}
