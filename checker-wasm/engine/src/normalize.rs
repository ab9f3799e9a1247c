//! The normaliser: what the matcher sees instead of the draft, and the way back.
//!
//! People dodge keyword filters with full-width letters (ＶＩＰ), Traditional
//! characters (賭博), zero-width spaces, circled digits (①③⑧) and separators
//! wedged between characters (赌*博, 包-过, 138 1234 5678). Matching runs on a
//! folded copy in which all of that is undone, and every byte of the copy
//! remembers which original character it came from, so findings point at the
//! exact original span.
//!
//! Folding is per character (width, digit forms, Traditional → Simplified,
//! lower case, dropping format characters), then separator runs are dropped
//! when they sit between two Han characters, or between two short digit groups
//! (at most 8 digits each: phone numbers, ID and card numbers are written in
//! groups of 3–8). The group limit keeps two numbers written side by side
//! (`13812345678 13912345678`) from fusing into one long run that is neither.
//! A single line break between Han characters or digit groups goes like a
//! space (包\n过 is a dodge); a blank line never does, so paragraphs stay
//! paragraphs.
//!
//! Second round (issue 10): Unicode spaces (NBSP), bidi controls, invisible
//! fillers, control characters and combining marks; emoji, symbols and brackets
//! between Han characters; digit groups split by `./_、～+#` or a line break, or
//! each wrapped in brackets or quotes ((135)(2109)(8846): not a note in
//! brackets after a number) (only when the chain is long enough to be personal
//! data, so 3.5 and 2027/1/1 stay); letters and digits dressed up as symbols
//! (ⓑ, 𝐛, ᵇ, Cyrillic а, ¹⁰⁰) and pinyin tone marks; `100 % 通过`; HTML entities
//! (`&#21253;`, `&amp;`); and the variant table (`crate::variants`: baoguo →
//! 包过). Chinese numerals (一三九…) are *not* folded here: word rules must keep
//! seeing 一二年级 and 三个月; the personal-data validators read them instead
//! (`validators::numerals`).
//!
//! `normalize(normalize(s)) == normalize(s)` holds (a property test checks it).

use crate::t2s::may_change;
pub use crate::t2s::{is_traditional_only, to_simplified};

/// Digit groups longer than this are not joined across a separator.
const MAX_DIGIT_GROUP: usize = 8;

/// What one character folds to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// Invisible formatting: gone.
    Drop,
    One(char),
    /// Circled and parenthesised numbers 10–20 (⑩ → `10`).
    Two(char, char),
}

fn digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

fn number(n: u32) -> Fold {
    if n < 10 {
        Fold::One(digit(n))
    } else {
        Fold::Two(digit(n / 10), digit(n % 10))
    }
}

/// Characters that render as nothing a reader would call a character:
/// zero-width and bidi controls (RLO/LRO/isolates reorder or hide text without
/// adding any), fillers (U+3164 HANGUL FILLER, U+2800 BRAILLE BLANK and U+115F/
/// U+1160 look like blanks but are letters to Unicode), variation selectors and
/// tags, C0/C1 control characters other than tab and line breaks (NUL), and
/// combining marks (a mark stacked on 包 is still 包 to a reader).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\0'..='\u{08}' | '\u{0B}' | '\u{0C}' | '\u{0E}'..='\u{1F}' | '\u{7F}'..='\u{84}'
        | '\u{86}'..='\u{9F}'
        | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
        || is_combining(c)
}

/// Combining marks (general category Mn/Me) in the blocks that hold them in
/// bulk. Not the full Unicode table: its size in the wasm build buys nothing
/// for Chinese drafts, where marks only ever appear stacked on as decoration.
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{302A}'..='\u{302F}'
        | '\u{3099}' | '\u{309A}' | '\u{FE20}'..='\u{FE2F}')
}

/// Folds one character: width (NFKC for the ranges that matter here: full-width
/// ASCII, the ideographic space, enclosed digits, circled and mathematical
/// letters, superscript and subscript digits), Traditional → Simplified,
/// lower case (ASCII and Latin) without accents, letters that look Latin
/// ([`LOOK_ALIKES`]), invisible characters dropped.
pub fn fold_char(c: char) -> Fold {
    if c.is_ascii() {
        return if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r') {
            Fold::Drop
        } else {
            Fold::One(c.to_ascii_lowercase())
        };
    }
    let u = c as u32;
    if (0x3400..=0x9FFF).contains(&u) {
        // Han: the common case, only Traditional → Simplified applies.
        return Fold::One(to_simplified(c));
    }
    let c = match u {
        0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c).to_ascii_lowercase(),
        // Spaces of every width, the no-break ones included: 138\u{A0}1234
        // must join like 138 1234.
        0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000 => ' ',
        0x85 | 0x2028 | 0x2029 => '\n',
        0xFFE5 => '¥',
        // The Arabic and small percent signs (100٪通过, 100﹪通过).
        0x066A | 0xFE6A => '%',
        // Ⅽ, the Roman numeral for 100, is the letter to a reader (Ⅽ%通过:
        // `c%` is a variant of 100%).
        0x216D | 0x217D => 'c',
        0x2460..=0x2473 => return number(u - 0x2460 + 1), // ①–⑳
        0x2474..=0x2487 => return number(u - 0x2474 + 1), // ⑴–⒇
        0x2488..=0x249B => return number(u - 0x2488 + 1), // ⒈–⒛
        0x24EA | 0x24FF => '0',                           // ⓪ ⓿
        0x24EB..=0x24F4 => return number(u - 0x24EB + 11), // ⓫–⓴
        0x24F5..=0x24FE => return number(u - 0x24F5 + 1), // ⓵–⓾
        0x2776..=0x277F => return number(u - 0x2776 + 1), // ❶–❿
        0x2780..=0x2789 => return number(u - 0x2780 + 1), // ➀–➉
        0x278A..=0x2793 => return number(u - 0x278A + 1), // ➊–➓
        0x3251..=0x325F => return number(u - 0x3251 + 21), // ㉑–㉟
        0x1D7CE..=0x1D7FF => digit((u - 0x1D7CE) % 10),   // mathematical digits
        0x3021..=0x3029 => digit(u - 0x3020),             // Suzhou numerals 〡–〩
        // Superscript and subscript digits (¹⁰⁰%, ₁₃₉…).
        0x2070 => '0',
        0xB9 => '1',
        0xB2 => '2',
        0xB3 => '3',
        0x2074..=0x2079 => digit(u - 0x2070),
        0x2080..=0x2089 => digit(u - 0x2080),
        // Letters dressed up as symbols, each a plain letter to a reader:
        // circled (ⓑⓐⓞ) and the mathematical styles (𝐛𝐚𝐨: thirteen styles
        // of 52 letters, upper then lower). Not the squared emoji letters
        // (🅰, 🅱): drafts put them between Han characters as decoration
        // (答🅰️案), where an emoji is dropped, more often than they spell.
        0x24B6..=0x24CF => latin(u - 0x24B6),
        0x24D0..=0x24E9 => latin(u - 0x24D0),
        0x1D400..=0x1D6A3 => latin((u - 0x1D400) % 52 % 26),
        _ if is_invisible(c) => return Fold::Drop,
        _ => match look_alike(c) {
            Some(letter) => letter,
            None => to_simplified(c),
        },
    };
    Fold::One(plain_latin(lower_latin(c)))
}

/// The lower-case ASCII letter `n` places after `a`.
fn latin(n: u32) -> char {
    char::from_u32(u32::from(b'a') + n).unwrap_or('a')
}

/// The ASCII letter a modifier letter (ᵇᵃᵒ, ʰ), a subscript letter (ₐ) or
/// a Cyrillic letter that looks like a Latin one (bаoguо with Cyrillic а
/// and о) stands for. By hand, a small table sorted by character for a
/// binary search (a `match` of the same arms was twice the wasm bytes): the
/// Unicode confusables list would cost the wasm build far more than these
/// few letters that drafts use.
const LOOK_ALIKES: &[(char, u8)] = &[
    ('ʰ', b'h'),
    ('ʲ', b'j'),
    ('ʳ', b'r'),
    ('ʷ', b'w'),
    ('ʸ', b'y'),
    ('ˡ', b'l'),
    ('ˢ', b's'),
    ('ˣ', b'x'),
    ('Ѕ', b's'),
    ('І', b'i'),
    ('Ј', b'j'),
    ('А', b'a'),
    ('В', b'b'),
    ('Е', b'e'),
    ('К', b'k'),
    ('М', b'm'),
    ('Н', b'h'),
    ('О', b'o'),
    ('Р', b'p'),
    ('С', b'c'),
    ('Т', b't'),
    ('У', b'y'),
    ('Х', b'x'),
    ('а', b'a'),
    ('е', b'e'),
    ('о', b'o'),
    ('р', b'p'),
    ('с', b'c'),
    ('у', b'y'),
    ('х', b'x'),
    ('ѕ', b's'),
    ('і', b'i'),
    ('ј', b'j'),
    ('һ', b'h'),
    ('ԁ', b'd'),
    ('ԝ', b'w'),
    ('ᵃ', b'a'),
    ('ᵇ', b'b'),
    ('ᵈ', b'd'),
    ('ᵉ', b'e'),
    ('ᵍ', b'g'),
    ('ᵏ', b'k'),
    ('ᵐ', b'm'),
    ('ᵒ', b'o'),
    ('ᵖ', b'p'),
    ('ᵗ', b't'),
    ('ᵘ', b'u'),
    ('ᵛ', b'v'),
    ('ᶜ', b'c'),
    ('ᶠ', b'f'),
    ('ᶻ', b'z'),
    ('ⁱ', b'i'),
    ('ⁿ', b'n'),
    ('ₐ', b'a'),
    ('ₑ', b'e'),
    ('ₒ', b'o'),
    ('ₓ', b'x'),
    ('ₕ', b'h'),
    ('ₖ', b'k'),
    ('ₗ', b'l'),
    ('ₘ', b'm'),
    ('ₙ', b'n'),
    ('ₚ', b'p'),
    ('ₛ', b's'),
    ('ₜ', b't'),
];

fn look_alike(c: char) -> Option<char> {
    LOOK_ALIKES
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .map(|i| char::from(LOOK_ALIKES[i].1))
}

/// A lower-case Latin letter without its accent: pinyin written with tone
/// marks (bǎi fēn bǎi, dǔ bó) is the same pinyin to a reader, and so to the
/// variant table, which lists it plain. ü stays ü (lü is not lu). A string
/// indexed from U+00E0 to U+017F ('.' for a letter kept as it is): smaller in
/// the wasm than a `match` of the same ranges.
const PLAIN_LATIN: &[u8; 160] = b"aaaaaa..eeeeiiii..ooooo..uuu.....a.a.a.............e.e.e.e.e.............i.i.i.i.............................o.o.o.......................u.u.u.u.u.u............";

fn plain_latin(c: char) -> char {
    let u = c as u32;
    let plain = match u {
        0xE0..=0x17F => PLAIN_LATIN[(u - 0xE0) as usize],
        0x1CE => b'a',
        0x1D0 => b'i',
        0x1D2 => b'o',
        0x1D4 => b'u',
        0x1D6 | 0x1D8 | 0x1DA | 0x1DC => return 'ü',
        _ => b'.',
    };
    if plain == b'.' { c } else { char::from(plain) }
}

/// Lower case for the Latin letters a Chinese draft actually contains (ASCII,
/// Latin-1, Latin Extended-A). Deliberately not `char::to_lowercase`: its
/// Unicode tables would cost the wasm build more than they could ever catch.
fn lower_latin(c: char) -> char {
    let u = c as u32;
    let l = match u {
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        0x100..=0x137 | 0x14A..=0x177 if u.is_multiple_of(2) => u + 1,
        0x139..=0x148 if !u.is_multiple_of(2) => u + 1,
        _ => u,
    };
    char::from_u32(l).unwrap_or(c)
}

/// Han ideographs: separators between two of them are evasion, not layout.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Characters wedged between Han characters to dodge filters (after folding):
/// ASCII and CJK punctuation that does not end a clause, brackets (【包】过,
/// 包(过)), the ellipsis, line breaks (at most one in a run: a blank line is a
/// paragraph, see [`Normalized::new`]), and symbols and emoji (保🔥过). Not
/// `，。！？；：`: those really separate clauses, and joining across them
/// makes words that nobody wrote. Nor “ and ”, which quote words (see
/// `quotes.rs`), but for two characters quoted one by one (“赌”“博”: the
/// blind evasion battery's; [`QUOTE_PAIRS`]), whose ”“ between them
/// [`Normalized::new`] drops. Dropping the ” after any one quoted character (“包”过) was tried:
/// development's 别用“最”“第一” and 跆拳道的“踢”不是 changed, and a test
/// draft's “押”一下 stopped being found. の stands for 的 in 火星文 (包の过).
/// Quotation marks that quote two characters one by one (“赌”“博”,
/// ‘赌’‘博’, 《包》《过》), whose closing and opening marks between them
/// [`Normalized::new`] drops.
const QUOTE_PAIRS: [(char, char); 3] = [('“', '”'), ('‘', '’'), ('《', '》')];

pub(crate) fn is_han_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\n'
            | '\r'
            | '*'
            | '-'
            | '_'
            | '.'
            | '/'
            | '\\'
            | '|'
            | '~'
            | '+'
            | '='
            | '#'
            | '^'
            | '`'
            | '\''
            | '"'
            | '&'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '·'
            | '•'
            | '×'
            | '‐'
            ..='―'
                | '−'
                | '…'
                | '‥'
                | '‧'
                | '※'
                | '【'
                | '】'
                | '〔'
                | '〕'
                | '〖'..='〛'
                | '「'..='』'
                | '〰'
                | '・'
                | '～'
                | 'の'
    ) || is_symbol(c)
}

/// Symbols and emoji (arrows, technical and geometric shapes, enclosed letters,
/// dingbats, enclosed CJK letters such as ㊙ and ㊗, the emoji planes), except
/// those the variant table reads as characters (🐴 → 码): they must survive
/// until it does.
fn is_symbol(c: char) -> bool {
    matches!(c as u32, 0x2190..=0x21FF | 0x2300..=0x23FF | 0x2460..=0x27BF | 0x2900..=0x2BFF
        | 0x3200..=0x32FF | 0x1F000..=0x1FAFF)
        && !crate::variants::SYMBOLS.contains(&c)
}

/// `is_han_separator(c) || is_digit_separator(c)` for ASCII `c` (false for
/// anything else), as one bit test.
#[inline(always)]
fn is_ascii_separator(c: char) -> bool {
    const MASK: u128 = {
        let seps = b" \t\n\r*-_./\\|~+=#^`'\"&()[]{}<>,";
        let mut m = 0u128;
        let mut k = 0;
        while k < seps.len() {
            m |= 1 << seps[k];
            k += 1;
        }
        m
    };
    (c as u32) < 128 && MASK & (1u128 << (c as u32)) != 0
}

/// ASCII bytes the fast path leaves to the slow one whatever precedes them:
/// `&` (an entity may start there) and control characters but tab and line
/// breaks (dropped).
const SLOW_ASCII: u128 = {
    let mut m = (1u128 << b'&') | (1 << 0x7F);
    let mut k = 0;
    while k < 0x20 {
        if !matches!(k, b'\t' | b'\n' | b'\r') {
            m |= 1 << k;
        }
        k += 1;
    }
    m
};

/// Bit `u - 0x3000` for the separators among U+3000–U+301F (、《》【】〔〕〖〗〘〙〚〛
/// 「」『』), so the fast path tests CJK punctuation with one shift; a test
/// checks it against [`is_han_separator`] and [`is_digit_separator`]. U+3000
/// folds to a space and never reaches it.
const CJK_SEPARATORS: u32 = {
    let seps: &[u32] = &[
        0x3001, 0x300A, 0x300B, 0x300C, 0x300D, 0x300E, 0x300F, 0x3010, 0x3011, 0x3014, 0x3015,
        0x3016, 0x3017, 0x3018, 0x3019, 0x301A, 0x301B,
    ];
    let mut m = 0u32;
    let mut k = 0;
    while k < seps.len() {
        m |= 1 << (seps[k] - 0x3000);
        k += 1;
    }
    m
};

/// Characters used to group digits: the strong ones (138 1234 5678,
/// 138-1234-5678, and what never writes a number: 138🔥1234, 138…1234,
/// 138·1234) join any two short groups; the weak ones
/// ([`is_weak_digit_separator`]) only a chain long enough to be personal data.
fn is_digit_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '-' | '‐'..='―' | '−' | '·' | '•' | '・' | '…' | '‥' | '※'
    ) || is_weak_digit_separator(c)
        || (!c.is_ascii() && is_symbol(c))
}

/// Separators that also write decimals (3.5), dates (2027/1/1), lists
/// (1、2、3), ranges (3~5), products (3*5), tables (3|5), sums (3+5) and
/// tags (#188#6620#), and brackets or quotes round each group
/// ((135)(2109)(8846), “182”“7406”, 【430104】【…】: the blind evasion
/// battery's, see [`wraps_groups`]): joined only when the whole chain of
/// groups they connect has at least [`MIN_CHAIN`] digits, the shortest
/// personal number (a mobile), so `3.5` and `2027/1/1` stay as written and
/// `138.1234.5678` joins. `,` too, with two more conditions (see
/// [`comma_joins`]), since it also writes thousands and separates whole
/// numbers in a list.
fn is_weak_digit_separator(c: char) -> bool {
    matches!(
        c,
        '.' | '/' | '_' | '、' | '~' | '\n' | '\r' | '*' | '|' | '\\' | '&' | '+' | '#' | ','
    ) || is_digit_wrapper(c)
}

/// Whether a `,` between two digit groups joins them (135,0246,1879 and
/// 3,1,0,1,…: the blind evasion battery's), on top of the weak separators'
/// long chain: not before a group of thousands (see [`thousands`]), and not
/// when the digits before it already make a whole number (`left`: at least
/// [`MIN_CHAIN`]) unless that chain was itself joined across commas, so that
/// a list (138 1234 0001, 139 5678 0002) keeps its numbers apart.
fn comma_joins(left: usize, thousands: bool, comma_chain: bool) -> bool {
    !thousands && (left < MIN_CHAIN || comma_chain)
}

/// The character `c` that `rest` starts with, or the one an HTML entity
/// there stands for, and how many bytes it takes: how the fold reads the
/// original text, for the lookaheads that must read it alike.
fn char_or_entity(rest: &str, c: char) -> (char, usize) {
    match entity(rest).filter(|_| c == '&') {
        Some((d, bytes, _)) => (d, bytes),
        None => (c, c.len_utf8()),
    }
}

/// Whether the first character that `rest` (original text, after the
/// character being folded) folds to, entities read and dropped characters
/// skipped, is a letter: then the character before it is no lone letter.
fn letter_next(rest: &str) -> bool {
    let mut at = 0;
    while let Some(c) = rest[at..].chars().next() {
        let (c, bytes) = char_or_entity(&rest[at..], c);
        at += bytes;
        match fold_char(c) {
            Fold::Drop => {}
            Fold::One(f) | Fold::Two(f, _) => return f.is_ascii_lowercase(),
        }
    }
    false
}

/// [`fold_char`], but ⭕ and ○ next to a digit are zeros (44⭕1⭕6…, 2○24:
/// the blind evasion battery's): right after a digit (`after_digit`), or
/// right before one (the first character of `rest` that folding keeps).
/// Elsewhere they are decoration, dropped between Han characters. The fold
/// and its lookaheads all read them through this, so that they agree and a
/// fold folds to itself.
fn fold_in_number(c: char, after_digit: bool, rest: &str) -> Fold {
    if matches!(c, '⭕' | '○') && (after_digit || zero_or_digit_next(rest)) {
        Fold::One('0')
    } else if let Some(d) = script_digit(c) {
        // Kaomoji borrow these (٩(๑❛ᴗ❛๑)۶): a digit only beside another.
        Fold::One(if after_digit || zero_or_digit_next(rest) {
            d
        } else {
            c
        })
    } else {
        fold_char(c)
    }
}

/// The decimal digits of other scripts, a number to any reader who knows
/// them (١٣٨…, १८१…, ๑๓७…), by their zeros: Arabic-Indic, Persian, the Indic
/// scripts, Thai, Lao, Myanmar, Khmer. Not the Suzhou numerals, which no
/// kaomoji uses ([`fold_char`]). A table, not a `match` of ranges: smaller
/// in the wasm.
fn script_digit(c: char) -> Option<char> {
    const ZEROS: [u32; 15] = [
        0x0660, 0x06F0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
        0x0E50, 0x0ED0, 0x1040, 0x17E0,
    ];
    let u = c as u32;
    // Most characters at one compare (natively only: the wasm keeps its
    // bytes, a table scan of 15 for a character the fast path left).
    #[cfg(not(target_arch = "wasm32"))]
    if !(ZEROS[0]..=ZEROS[ZEROS.len() - 1] + 9).contains(&u) {
        return None;
    }
    ZEROS
        .iter()
        .find(|&&zero| u.wrapping_sub(zero) < 10)
        .map(|zero| digit(u - zero))
}

/// Whether the first character of `rest` that folding keeps is a digit
/// (１, ①, ٣) or another ⭕ or ○.
fn zero_or_digit_next(rest: &str) -> bool {
    rest.chars()
        .map(|n| (n, script_digit(n).map_or_else(|| fold_char(n), Fold::One)))
        .find(|(_, f)| !matches!(f, Fold::Drop))
        .is_some_and(|(n, f)| match f {
            _ if matches!(n, '⭕' | '○') => true,
            Fold::One(d) | Fold::Two(d, _) => d.is_ascii_digit(),
            Fold::Drop => false,
        })
}

/// Whether the digit group starting with the folded char `first` (and
/// `second`), continuing into `rest` of the original text, is a group of
/// thousands after a comma (1,280,000): three digits, then a comma or no
/// digit separator at all. A three-digit group that another separator
/// continues (00,000 00000) is not: a first fold joins it to the next, and
/// the result must fold to itself.
fn thousands(first: char, second: Option<char>, rest: &str) -> bool {
    if right_digits(first, second, rest) != 3 {
        return false;
    }
    let mut digits = usize::from(first.is_ascii_digit())
        + usize::from(second.is_some_and(|d| d.is_ascii_digit()));
    for (at, c) in rest.char_indices() {
        match fold_in_number(c, digits > 0, &rest[at + c.len_utf8()..]) {
            Fold::Drop => {}
            Fold::One(d) if d.is_ascii_digit() && digits < 3 => digits += 1,
            Fold::Two(d, e) if d.is_ascii_digit() && e.is_ascii_digit() && digits < 2 => {
                digits += 2
            }
            Fold::One(f) | Fold::Two(f, _) => return f == ',' || !is_digit_separator(f),
        }
    }
    true
}

/// Brackets and quotes that may close a wrapped digit group.
fn closes_group(c: char) -> bool {
    matches!(c, ')' | ']' | '】' | '”' | '"' | '’' | '》')
}

/// Brackets and quotes that may open a wrapped digit group.
fn opens_group(c: char) -> bool {
    matches!(c, '(' | '[' | '【' | '“' | '"' | '‘' | '《')
}

/// Brackets and quotes that may wrap a digit group.
fn is_digit_wrapper(c: char) -> bool {
    closes_group(c) || opens_group(c)
}

/// Whether a separator run between two digit groups that holds a bracket or
/// quote closes one group and opens the next ()(, 】【, ”“, ""): only then
/// are both groups wrapped alike. A bracket after a number opens a note
/// (0571-8866 1250（24小时）), and that must not join the 24.
fn wraps_groups(run: &[Held]) -> bool {
    match run.iter().position(|e| closes_group(e.0)) {
        Some(i) => run[i + 1..].iter().any(|e| opens_group(e.0)),
        None => false,
    }
}

/// A chain of digit groups joined across weak separators has at least this
/// many digits (a mobile number).
const MIN_CHAIN: usize = 11;

/// A draft's folded copy, and the way back from it to the original.
///
/// Folding is almost always one character for one, so rather than remember
/// the origin of every byte (four bytes of map per byte of text, written for
/// every character: once a third of the normaliser's time), it records only
/// where the offset between folded and original character indices changes: a
/// dropped character, a separator run dropped, a circled number folded to two
/// digits. Mapping back counts characters, which is only done for the few
/// spans a draft's findings have.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// `(k, d)`: from folded character `k` on, the original character index
    /// is `k + d` (until the next entry). Sorted by `k`, which is unique.
    shifts: Vec<(usize, isize)>,
    /// `(k, end)`: folded character `k` stands for original characters up to
    /// `end` (exclusive), not just the one at its origin: an HTML entity
    /// (`&#21253;` → 包) or a variant spelling (baoguo → 包过). Sorted by `k`;
    /// empty for nearly every draft.
    wide: Vec<(usize, usize)>,
    /// The original has a right-to-left override (so [`Normalized::new`]
    /// folds it again in display order); noticed by the fold rather than by
    /// a scan of its own.
    reversed: bool,
    /// Where the folded text's sentences and clauses end, found on first
    /// use and shared by the stance checks and the learned model.
    ends: std::cell::OnceCell<crate::stance::Ends>,
    /// How many characters of the folded text come before each 8-byte
    /// word of it (and, last, in all), found on first use: a byte offset's
    /// character index is then one count of at most 7 bytes
    /// ([`Normalized::char_index`]), for any number of offsets in any order.
    char_blocks: std::cell::OnceCell<Vec<u32>>,
}

/// Builds the shift list while the folded text grows.
struct Shifts {
    list: Vec<(usize, isize)>,
    wide: Vec<(usize, usize)>,
    /// Original index minus folded index of the next character pushed, when
    /// it continues the current one-for-one run.
    current: isize,
}

impl Shifts {
    /// The folded character `k` comes from original character `origin`.
    #[inline]
    fn set(&mut self, k: usize, origin: usize) {
        let d = origin as isize - k as isize;
        if d == self.current {
            return;
        }
        self.current = d;
        match self.list.last_mut() {
            Some(last) if last.0 == k => last.1 = d,
            _ => self.list.push((k, d)),
        }
    }

    /// The folded character `k` comes from original characters
    /// `start..end`.
    #[inline]
    fn set_span(&mut self, k: usize, (start, end): (usize, usize)) {
        self.set(k, start);
        if end != start + 1 {
            self.wide.push((k, end));
        }
    }
}

/// One character of the slow path, held back while it may be a separator
/// that goes: the folded character and its original span.
type Held = (char, (usize, usize));

impl Normalized {
    /// Folds `s`: characters ([`Normalized::fold`]), then variant spellings
    /// (`crate::variants`), folding again where a variant was replaced (its
    /// canonical form may now join a neighbour: 包 baoguo → 包 包过 →
    /// 包包过), until nothing changes, so normalising is idempotent.
    pub fn new(s: &str) -> Normalized {
        Normalized::folded(s).with_variants()
    }

    /// `s` with its characters folded, in display order, but no variant
    /// replaced yet: [`Normalized::with_variants`] finishes it. The check
    /// looks for the variants' forms in the same automaton scan as the
    /// rules' words and calls that only where one may fit (native builds;
    /// see `Compiled::variants_may_fit` in `matcher.rs`).
    pub(crate) fn folded(s: &str) -> Normalized {
        let norm = Normalized::fold(s);
        if norm.reversed {
            return Normalized::unreverse(s);
        }
        norm
    }

    /// A [`Normalized::folded`] text with its variant spellings replaced,
    /// as [`Normalized::new`] gives it.
    pub(crate) fn with_variants(self) -> Normalized {
        let mut norm = self;
        // Each round replaces variants by canonical forms that contain none,
        // so a second round finds nothing in practice; the bound only keeps a
        // bad table from looping.
        for _ in 0..4 {
            let Some(replaced) = crate::variants::apply(&norm) else {
                break;
            };
            let refolded = Normalized::fold(&replaced.text);
            norm = norm.compose(&replaced).compose(&refolded);
        }
        norm
    }

    /// Folds `s` in display order where a right-to-left override (U+202E)
    /// reverses it: `\u{202E}过包\u{202C}` shows as 包过, so that is what is
    /// matched. The override runs to the next PDF (U+202C) or line end;
    /// nested embeddings are not modelled (no draft needs them). A finding
    /// inside it spans the whole reversed segment.
    fn unreverse(s: &str) -> Normalized {
        let chars: Vec<char> = s.chars().collect();
        let mut order: Vec<usize> = (0..chars.len()).collect();
        // Each reversed character stands for the whole reversed segment, so
        // any range of it maps back to an original span in order.
        let mut spans: Vec<(usize, usize)> = (0..chars.len()).map(|j| (j, j + 1)).collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\u{202E}' {
                let end = (i + 1..chars.len())
                    .find(|&j| matches!(chars[j], '\u{202C}' | '\n' | '\r'))
                    .unwrap_or(chars.len());
                order[i + 1..end].reverse();
                spans[i + 1..end].fill((i + 1, end));
                i = end;
            } else {
                i += 1;
            }
        }
        let reordered = Normalized::from_spans(
            order.iter().zip(&spans).map(|(&j, &span)| (chars[j], span)),
            chars.len(),
        );
        reordered.compose(&Normalized::fold(&reordered.text))
    }

    /// `inner` normalised this text further: the result has `inner`'s text,
    /// mapped back through both to this one's original.
    fn compose(&self, inner: &Normalized) -> Normalized {
        let mut shifts = Shifts {
            list: Vec::new(),
            wide: Vec::new(),
            current: 0,
        };
        let n = inner.text.chars().count();
        for k in 0..n {
            let (a, b) = (inner.origin(k), inner.origin_end(k));
            shifts.set_span(k, (self.origin(a), self.origin_end(b - 1)));
        }
        shifts.set(n, self.origin(inner.origin(n)));
        Normalized {
            text: inner.text.clone(),
            shifts: shifts.list,
            wide: shifts.wide,
            reversed: false,
            ends: Default::default(),
            char_blocks: Default::default(),
        }
    }

    /// A text of folded characters with their original spans, in order.
    pub(crate) fn from_spans(
        pieces: impl IntoIterator<Item = (char, (usize, usize))>,
        end: usize,
    ) -> Normalized {
        let mut shifts = Shifts {
            list: Vec::new(),
            wide: Vec::new(),
            current: 0,
        };
        let mut text = String::new();
        let mut k = 0;
        for (c, span) in pieces {
            shifts.set_span(k, span);
            text.push(c);
            k += 1;
        }
        shifts.set(k, end);
        Normalized {
            text,
            shifts: shifts.list,
            wide: shifts.wide,
            reversed: false,
            ends: Default::default(),
            char_blocks: Default::default(),
        }
    }

    /// Folds `s` character by character. One pass, linear in its length:
    /// runs of characters that fold one for one are copied by
    /// [`fold_one_for_one`]; everything else (separators, drops, two-character
    /// folds, HTML entities) goes one character at a time, with separator runs
    /// held back until the next kept character shows whether they go.
    fn fold(s: &str) -> Normalized {
        let mut text = String::with_capacity(s.len());
        let mut shifts = Shifts {
            list: Vec::new(),
            wide: Vec::new(),
            current: 0,
        };
        let mut pending: Vec<Held> = Vec::new();
        // Where in `text` the digit group that may still grow to the left
        // begins: after a separator between two groups is dropped, the group
        // to the right starts afresh (limits apply per group).
        let mut group_floor = 0usize;
        // Whether the digits just before were joined across a comma.
        let mut comma_chain = false;
        // Whether the letter just before was joined to a lone letter across
        // a dash or dot (d-u-b-o), so that it counts as lone too.
        let mut letter_chain = false;
        let mut reversed = false;
        // The character at byte `at` of `s` is original character `i`.
        let (mut at, mut i) = (0, 0);
        while at < s.len() {
            if pending.is_empty() {
                let (end, chars) = fold_one_for_one(s, at, &mut text, letter_chain);
                letter_chain &= chars == 0;
                (at, i) = (end, i + chars);
                if at == s.len() {
                    break;
                }
            }
            let c = s[at..].chars().next().expect("at a char boundary");
            reversed |= c == '\u{202E}';
            // An HTML entity stands for one character and spans several.
            let (c, next, width) = match c {
                '&' | '＆' => match entity(&s[at..]) {
                    Some((d, bytes, chars)) => (d, at + bytes, chars),
                    None => (c, at + c.len_utf8(), 1),
                },
                _ => (c, at + c.len_utf8(), 1),
            };
            let span = (i, i + width);
            // The slow path counts folded characters itself; on entry the
            // count follows from the current one-for-one run.
            let mut k = (i as isize - shifts.current) as usize;
            let mut push = |text: &mut String, c: char, span: (usize, usize)| {
                shifts.set_span(k, span);
                text.push(c);
                k += 1;
            };
            let after_digit = pending.is_empty() && text.ends_with(|p: char| p.is_ascii_digit());
            let (a, b) = match fold_in_number(c, after_digit, &s[next..]) {
                Fold::Drop => (None, None),
                Fold::One(a) => (Some(a), None),
                Fold::Two(a, b) => (Some(a), Some(b)),
            };
            for (n, c) in a.into_iter().chain(b).enumerate() {
                let rest_of_fold = if n == 0 { b } else { None };
                if is_han_separator(c) || is_digit_separator(c) {
                    pending.push((c, span));
                    continue;
                }
                let mut joined_letter = false;
                if !pending.is_empty() {
                    let comma = pending.iter().any(|e| e.0 == ',');
                    let drop = match text.chars().next_back() {
                        _ if pending.iter().filter(|e| e.0 == '\n').count() > 1 => false,
                        Some(p) if is_han(p) && is_han(c) => {
                            pending.iter().all(|e| is_han_separator(e.0))
                                || QUOTE_PAIRS.iter().any(|&(open, close)| {
                                    pending.iter().map(|e| e.0).eq([close, open])
                                        && text.chars().nth_back(1) == Some(open)
                                        && s[next..].starts_with(close)
                                })
                        }
                        Some(p) if p.is_ascii_digit() && c.is_ascii_digit() => {
                            pending.iter().all(|e| is_digit_separator(e.0))
                                && (!pending.iter().any(|e| is_digit_wrapper(e.0))
                                    || wraps_groups(&pending))
                                && trailing_digits(&text[group_floor..]) <= MAX_DIGIT_GROUP
                                && right_digits(c, rest_of_fold, &s[next..]) <= MAX_DIGIT_GROUP
                                && (pending.iter().all(|e| !is_weak_digit_separator(e.0))
                                    || trailing_digits_up_to(&text, MIN_CHAIN)
                                        + chain_digits(c, rest_of_fold, &s[next..])
                                        >= MIN_CHAIN)
                                && (!comma
                                    || comma_joins(
                                        trailing_digits_up_to(&text, MIN_CHAIN),
                                        thousands(c, rest_of_fold, &s[next..]),
                                        comma_chain,
                                    ))
                        }
                        // d-u-b-o, B.A.O: a dash or dot between letters that
                        // each stand alone goes (not in well-known, www.qq.com).
                        Some(p) if p.is_ascii_lowercase() && c.is_ascii_lowercase() => {
                            let lone_before = letter_chain
                                || !text[..text.len() - 1]
                                    .ends_with(|x: char| x.is_ascii_lowercase());
                            let lone_after = !match rest_of_fold {
                                Some(x) => x.is_ascii_lowercase(),
                                None => letter_next(&s[next..]),
                            };
                            pending.len() == 1
                                && matches!(pending[0].0, '-' | '.')
                                && lone_before
                                && lone_after
                        }
                        // 100 % 通过: a percentage is one token with its number
                        // and reads straight on into the Han after it.
                        Some(p) if (p.is_ascii_digit() && c == '%') || (p == '%' && is_han(c)) => {
                            pending.iter().all(|e| is_han_separator(e.0))
                        }
                        _ => false,
                    };
                    comma_chain = drop && (comma || comma_chain);
                    joined_letter = drop && c.is_ascii_lowercase();
                    if drop {
                        group_floor = text.len();
                    } else {
                        for &(c, span) in &pending {
                            push(&mut text, c, span);
                        }
                    }
                    pending.clear();
                }
                comma_chain &= c.is_ascii_digit();
                letter_chain = joined_letter;
                push(&mut text, c, span);
            }
            // Whatever comes next (a run or not) is folded character `k` from
            // original character `i + width`, unless it is held back.
            shifts.set(k, i + width);
            (at, i) = (next, i + width);
        }
        if !pending.is_empty() {
            for (k, (c, span)) in (text.chars().count()..).zip(pending) {
                shifts.set_span(k, span);
                text.push(c);
            }
        }
        Normalized {
            text,
            shifts: shifts.list,
            wide: shifts.wide,
            reversed,
            ends: Default::default(),
            char_blocks: Default::default(),
        }
    }

    /// The folded text the matchers run on.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The sentence and clause ends of the folded text.
    pub(crate) fn ends(&self) -> &crate::stance::Ends {
        self.ends
            .get_or_init(|| crate::stance::Ends::new(self.text.as_bytes()))
    }

    /// The original character index of folded character `k`.
    pub(crate) fn origin(&self, k: usize) -> usize {
        let n = self.shifts.partition_point(|&(at, _)| at <= k);
        let d = if n == 0 { 0 } else { self.shifts[n - 1].1 };
        (k as isize + d) as usize
    }

    /// One past the last original character folded character `k` stands for.
    pub(crate) fn origin_end(&self, k: usize) -> usize {
        if !self.wide.is_empty()
            && let Ok(n) = self.wide.binary_search_by_key(&k, |w| w.0)
        {
            return self.wide[n].1;
        }
        self.origin(k) + 1
    }

    /// Maps a byte range `[start, end)` of the folded text (on char boundaries,
    /// non-empty) to a range of original *character* indices.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        self.original_spans(&[(start, end)])[0]
    }

    /// [`Normalized::original_span`] for many ranges at once. Each bound's
    /// character index comes from [`Normalized::char_index`]: no sort of
    /// the bounds (the ranges come in any order) and no walk between them,
    /// which were most of the cost when this walked the text once for all.
    pub fn original_spans(&self, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let mut out = crate::pool::take();
        out.reserve(ranges.len());
        for &(start, end) in ranges {
            debug_assert!(start < end && end <= self.text.len());
            // The last character of the range is the one before `end`.
            out.push((
                self.origin(self.char_index(start)),
                self.origin_end(self.char_index(end) - 1),
            ));
        }
        out
    }

    /// The number of characters of the folded text before byte `at` (a
    /// character boundary).
    fn char_index(&self, at: usize) -> usize {
        let bytes = self.text.as_bytes();
        let words = self.char_blocks.get_or_init(|| {
            let mut before = Vec::with_capacity(bytes.len() / 8 + 2);
            let mut n = 0u32;
            let mut chunks = bytes.chunks_exact(8);
            for word in &mut chunks {
                before.push(n);
                let word: [u8; 8] = word.try_into().expect("eight bytes");
                n += char_starts(u64::from_le_bytes(word));
            }
            before.push(n);
            before
        });
        let w = at / 8;
        let starts = bytes[w * 8..at]
            .iter()
            .filter(|&&x| is_char_start(x))
            .count();
        words[w] as usize + starts
    }
}

/// Named HTML entities people paste (from web editors) or use to dodge
/// filters; everything else is written as a number.
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("lrm", '\u{200E}'),
    ("rlm", '\u{200F}'),
    ("shy", '\u{AD}'),
    ("middot", '·'),
    ("bull", '•'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("times", '×'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("yen", '¥'),
];

/// The HTML entity `s` starts with (`&#21253;`, `&#x5305;`, `&amp;`): the
/// character, its length in bytes and in characters. Written by hand because
/// the decoders on crates.io return a new string, and the span of each entity
/// is what matters here.
///
/// Decoding must not create entities that a second pass would decode
/// (`normalize` is idempotent), so a numeric entity for an ASCII letter,
/// digit or `&#;` is left alone, and `&amp;` followed by what completes an
/// entity (`&amp;#21253;`, double-escaped HTML) is decoded as that entity.
fn entity(s: &str) -> Option<(char, usize, usize)> {
    let amp = s
        .chars()
        .next()
        .filter(|&c| fold_char(c) == Fold::One('&'))?;
    let (mut c, mut bytes, mut chars) = entity_body(&s[amp.len_utf8()..])?;
    (bytes, chars) = (bytes + amp.len_utf8(), chars + 1);
    while c == '&' {
        match entity_body(&s[bytes..]) {
            Some((d, b, n)) => (c, bytes, chars) = (d, bytes + b, chars + n),
            None => break,
        }
    }
    Some((c, bytes, chars))
}

/// Decodes an entity after its `&` (`#21253;`, `#x5305;`, `amp;`), read
/// through the character fold, as a second pass would see it (`am\0p;` is
/// `amp;` once the NUL is dropped): the character, and the bytes and
/// characters it took.
fn entity_body(s: &str) -> Option<(char, usize, usize)> {
    let mut body = [0u8; 10];
    let (mut n, mut bytes, mut chars) = (0, 0, 0);
    let mut ended = false;
    for c in s.chars().take(20) {
        bytes += c.len_utf8();
        chars += 1;
        match fold_char(c) {
            Fold::Drop => {}
            Fold::One(';') => {
                ended = true;
                break;
            }
            Fold::One(f) if (f.is_ascii_alphanumeric() || f == '#') && n < body.len() => {
                body[n] = f as u8;
                n += 1;
            }
            _ => return None,
        }
    }
    let body = std::str::from_utf8(&body[..n]).ok().filter(|_| ended)?;
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        let c = char::from_u32(n)?;
        match fold_char(c) {
            Fold::One(f) if f.is_ascii_alphanumeric() || matches!(f, '&' | '#' | ';') => {
                return None;
            }
            Fold::Two(..) => return None,
            _ => c,
        }
    } else {
        NAMED_ENTITIES.iter().find(|e| e.0 == body)?.1
    };
    Some((c, bytes, chars))
}

/// Appends to `text` the folded form of the characters from byte `from` of
/// `s` on that fold one for one: Han (Traditional → Simplified), ASCII (lower
/// case), full-width ASCII, CJK punctuation U+3001–U+301F, and separators that
/// cannot be dropped because the character before them is neither Han nor a
/// digit (the spaces of English, 9.5 after a letter). Returns where the first
/// other character starts (or the end) and how many characters it consumed.
///
/// This is the bulk of any draft, so it works on bytes: characters that fold
/// to themselves are not decoded into `char`s or pushed one by one, but
/// copied a run at a time.
#[inline]
fn fold_one_for_one(s: &str, from: usize, text: &mut String, letter_chain: bool) -> (usize, usize) {
    let b = s.as_bytes();
    // Bytes `run..at` fold to themselves and are not yet copied.
    let (mut run, mut at, mut chars) = (from, from, 0);
    // A separator is kept as it is unless it follows a Han character or a
    // digit (then whether it goes depends on what follows: the slow path).
    let keeps = |sep: char, text: &String, run: usize, at: usize| {
        let prev = if at > run {
            s[run..at].chars().next_back()
        } else {
            text.chars().next_back()
        };
        match prev {
            // A closing quote after a Han character may close one of two
            // characters quoted one by one (《包》《过》): the slow path's.
            Some(p) if is_han(p) => {
                !is_han_separator(sep) && !QUOTE_PAIRS.iter().any(|q| q.1 == sep)
            }
            Some(p) if p.is_ascii_digit() => !is_digit_separator(sep),
            Some('%') => !is_han_separator(sep),
            // d-u-b-o: a dash or dot after a letter that stands alone (in
            // the folded text, or joined so by the slow path just before) is
            // the slow path's to judge.
            Some(p) if p.is_ascii_lowercase() && matches!(sep, '-' | '.') => {
                let before_p = match at - run {
                    0 => text.len().checked_sub(2).map(|k| text.as_bytes()[k]),
                    1 => text.as_bytes().last().copied(),
                    _ => Some(b[at - 2]),
                };
                !((letter_chain && at == from) || !before_p.is_some_and(|x| x.is_ascii_lowercase()))
            }
            _ => true,
        }
    };
    loop {
        let (folded, len) = match b[at..] {
            [] => break,
            [x, ..] if x < 0x80 => {
                // `&` may start an entity; control characters are dropped.
                if SLOW_ASCII & (1 << x) != 0 {
                    break;
                }
                if !x.is_ascii_uppercase() {
                    // A comma matters only after a digit (it joins no Han):
                    // the common comma of running text costs one byte test.
                    let after_digit = || {
                        if at > run {
                            b.get(at - 1)
                        } else {
                            text.as_bytes().last()
                        }
                        .is_some_and(u8::is_ascii_digit)
                    };
                    if is_ascii_separator(char::from(x))
                        && (x != b',' || after_digit())
                        && !keeps(char::from(x), text, run, at)
                    {
                        break;
                    }
                    at += 1;
                    chars += 1;
                    continue;
                }
                (char::from(x.to_ascii_lowercase()), 1)
            }
            // Three bytes: U+0800–U+FFFF.
            [x, y, z, ..] if x & 0xF0 == 0xE0 => {
                let u =
                    (u32::from(x & 0x0F) << 12) | (u32::from(y & 0x3F) << 6) | u32::from(z & 0x3F);
                if (0x3400..=0x9FFF).contains(&u) {
                    if !may_change(u) {
                        at += 3;
                        chars += 1;
                        // The run of Han characters that follows, most of
                        // any draft, in a loop of its own: lead bytes
                        // 0xE4–0xE9 are U+4000–U+9FFF, all Han, so only the
                        // Traditional test is left (about half the
                        // instructions of a turn of the loop above).
                        // Native only: the wasm's size budget.
                        #[cfg(not(target_arch = "wasm32"))]
                        while let Some(&[x, y, z]) = b.get(at..at + 3)
                            && (0xE4..=0xE9).contains(&x)
                            && !may_change(
                                (u32::from(x & 0x0F) << 12)
                                    | (u32::from(y & 0x3F) << 6)
                                    | u32::from(z & 0x3F),
                            )
                        {
                            at += 3;
                            chars += 1;
                        }
                        continue;
                    }
                    let c = char::from_u32(u).expect("a Han code point");
                    match to_simplified(c) {
                        same if same == c => {
                            at += 3;
                            chars += 1;
                            continue;
                        }
                        simplified => (simplified, 3), // may leave the BMP (㑮 → 𫝈)
                    }
                } else if (0x3001..=0x301F).contains(&u) {
                    if CJK_SEPARATORS & (1 << (u - 0x3000)) != 0 {
                        let c = char::from_u32(u).expect("CJK punctuation");
                        if !keeps(c, text, run, at) {
                            break;
                        }
                    }
                    at += 3;
                    chars += 1;
                    continue;
                } else if (0xFF01..=0xFF5E).contains(&u) {
                    let a = char::from_u32(u - 0xFEE0).expect("ASCII");
                    if a == '&' {
                        break; // may start an entity
                    }
                    if is_ascii_separator(a) && !keeps(a, text, run, at) {
                        break;
                    }
                    (a.to_ascii_lowercase(), 3)
                } else {
                    break;
                }
            }
            _ => break,
        };
        text.push_str(&s[run..at]);
        text.push(folded);
        at += len;
        chars += 1;
        run = at;
    }
    text.push_str(&s[run..at]);
    (at, chars)
}

/// The number of characters in valid UTF-8 `bytes`: the bytes that are no
/// continuation byte, counted 32 at a time into a byte-sized sum so the
/// compiler vectorises it (`chars().count()` pays a setup cost that the short
/// gaps between findings never earn back).
pub(crate) fn count_chars(bytes: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut n = 0;
    for block in &mut blocks {
        let block: &[u8; BLOCK] = block.try_into().expect("BLOCK bytes");
        n += usize::from(
            block
                .iter()
                .fold(0u8, |k, &x| k.wrapping_add(u8::from(is_char_start(x)))),
        );
    }
    let rest = blocks.remainder();
    // Natively, what is left eight bytes at a time (most calls count short
    // stretches, and the byte loop over up to 31 bytes was most of their
    // cost).
    #[cfg(not(target_arch = "wasm32"))]
    let rest = {
        let mut words = rest.chunks_exact(8);
        for word in &mut words {
            n += char_starts(u64::from_le_bytes(word.try_into().expect("eight bytes"))) as usize;
        }
        words.remainder()
    };
    n + rest.iter().filter(|&&x| is_char_start(x)).count()
}

/// How many of the eight bytes of `x` start a character: a continuation
/// byte is 10xxxxxx, so its bit 7 is set and its bit 6, moved up by the
/// shift, is not; the multiply sums the eight 0-or-1 flags into the top byte.
fn char_starts(x: u64) -> u32 {
    let continuation = x & !(x << 1) & 0x8080_8080_8080_8080;
    8 - ((continuation >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as u32
}

/// The length of the UTF-8 character whose first byte is `x`.
#[inline(always)]
pub(crate) fn char_len(x: u8) -> usize {
    match x {
        0..0x80 => 1,
        0xC0..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// Whether a byte of valid UTF-8 starts a character (is no continuation
/// byte `10xxxxxx`).
#[inline(always)]
pub(crate) fn is_char_start(x: u8) -> bool {
    (x as i8) >= -0x40
}

/// How many ASCII digits `text` ends with, counted up to one past the group
/// limit (enough to know it is exceeded).
fn trailing_digits(text: &str) -> usize {
    text.bytes()
        .rev()
        .take(MAX_DIGIT_GROUP + 1)
        .take_while(u8::is_ascii_digit)
        .count()
}

/// How many ASCII digits `text` ends with, counted up to `cap`.
fn trailing_digits_up_to(text: &str, cap: usize) -> usize {
    text.bytes()
        .rev()
        .take(cap)
        .take_while(u8::is_ascii_digit)
        .count()
}

/// Digits in the chain of groups that starts with the folded char `first`
/// (and `second`) and continues into `rest` of the original text: groups of
/// at most [`MAX_DIGIT_GROUP`] digits with separator runs between them. Counts
/// up to [`MIN_CHAIN`] and the end of the group that reaches it, so lookahead
/// stays bounded. That group is read to its end because a group too long to
/// join is no part of the chain, and where it ends can depend on a two-digit
/// fold (⑳): stopping at [`MIN_CHAIN`] inside it made `0.000-0000000⑳` fold
/// to `0.000-000000020` and that, folded again, to `0000-000000020`.
fn chain_digits(first: char, second: Option<char>, rest: &str) -> usize {
    let mut total = usize::from(first.is_ascii_digit());
    match second {
        Some(d) if d.is_ascii_digit() => total += 1,
        Some(_) => return total,
        None => {}
    }
    // Digits of the group being read, and whether a separator ended it.
    let (mut group, mut gap, mut gap_lines) = (total, false, 0);
    let mut at = 0;
    while let Some(c) = rest[at..].chars().next() {
        if (total >= MIN_CHAIN && gap) || group > MAX_DIGIT_GROUP {
            break;
        }
        // 139&amp;1234: the separator may be an entity.
        let (c, bytes) = char_or_entity(&rest[at..], c);
        at += bytes;
        let (f, width) = match fold_in_number(c, group > 0 && !gap, &rest[at..]) {
            Fold::Drop => continue,
            Fold::One(f) => (f, 1),
            Fold::Two(f, _) => (f, 2),
        };
        if f.is_ascii_digit() {
            if gap {
                (group, gap, gap_lines) = (0, false, 0);
            }
            group += width;
            total += width;
        } else if is_digit_separator(f) && !(f == '\n' && gap_lines > 0) {
            gap_lines += usize::from(f == '\n');
            gap = true;
        } else {
            break;
        }
    }
    if group > MAX_DIGIT_GROUP {
        // The last group is too long to join: it is not part of the chain.
        total -= group;
    }
    total
}

/// Length of the digit group starting with the folded char `first` (and the
/// second half `second` of a two-char fold), continuing into `rest` of the
/// original text; stops counting past the limit, so lookahead stays bounded.
fn right_digits(first: char, second: Option<char>, rest: &str) -> usize {
    let mut n = usize::from(first.is_ascii_digit());
    match second {
        Some(d) if d.is_ascii_digit() => n += 1,
        Some(_) => return n,
        None => {}
    }
    for (at, c) in rest.char_indices() {
        if n > MAX_DIGIT_GROUP {
            break;
        }
        match fold_in_number(c, n > 0, &rest[at + c.len_utf8()..]) {
            Fold::Drop => {}
            Fold::One(d) if d.is_ascii_digit() => n += 1,
            Fold::Two(d, e) if d.is_ascii_digit() && e.is_ascii_digit() => n += 2,
            _ => break,
        }
    }
    n
}

/// The folded text of `s` (convenience for tests and tools).
pub fn normalize(s: &str) -> String {
    Normalized::new(s).text
}

/// The canonical text a rule's `word` stands for when the word, folded, is
/// itself a variant's form that needs no context (柏分柏, were it a form of
/// 百分百). Rule words are normalised like drafts, so such a word is looked
/// for as the canonical text, everywhere: the rule silently grows. Loading
/// rules reports it (`rules::validate`). A word that merely contains a
/// form (押中率百分之百) reads the same before and after, and is left alone.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn variant_form_of(word: &str) -> Option<&'static str> {
    crate::variants::context_free_canonical(Normalized::folded(word).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count_chars` counts what `chars().count()` does, for every slice
    /// between character boundaries of texts mixing one- to four-byte
    /// characters (blocks, eight-byte words and the bytes left over).
    #[test]
    fn count_chars_is_chars_count() {
        let unit = ["a", "é", "包", "😀", "。", "1", "\n"];
        let mut random = crate::random_text::RandomText::new(5);
        for len in [0, 1, 7, 8, 9, 31, 32, 33, 70] {
            let s = random.text(&unit, len);
            let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
            for &a in &bounds {
                for &b in bounds.iter().filter(|&&b| b >= a) {
                    assert_eq!(
                        count_chars(&s.as_bytes()[a..b]),
                        s[a..b].chars().count(),
                        "{:?}",
                        &s[a..b]
                    );
                }
            }
        }
    }

    /// `char_index` (a count per 8-byte word, then the bytes of one word)
    /// counts what `chars().count()` does, at every character boundary of
    /// texts mixing one- to four-byte characters, of every length around a
    /// word's.
    #[test]
    fn char_index_is_chars_count() {
        let unit = ["a", "é", "包", "😀", "。", "1", "\n"];
        let mut random = crate::random_text::RandomText::new(29);
        for len in [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 40] {
            for _ in 0..20 {
                let norm = Normalized::fold(&random.text(&unit, len));
                let text = norm.as_str();
                for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                    assert_eq!(
                        norm.char_index(at),
                        text[..at].chars().count(),
                        "{text:?} {at}"
                    );
                }
            }
        }
    }

    /// [`look_alike`] binary-searches its table: it must stay sorted, with
    /// each character once.
    #[test]
    fn look_alikes_are_sorted() {
        assert!(LOOK_ALIKES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn folds() {
        for (input, want) in [
            ("賭博", "赌博"),
            ("赌*博", "赌博"),
            ("赌 博", "赌博"),
            ("包-过", "包过"),
            ("包.过", "包过"),
            ("包_过", "包过"),
            ("包\u{200B}过", "包过"),
            ("ＶＩＰ１３８", "vip138"),
            // Letters and digits dressed up (the blind evasion battery's).
            ("ⓗⓔⓛⓛⓞ", "hello"),
            ("ⒽⒾ", "hi"),
            ("𝐡𝐞𝐥𝐥𝐨 𝐰𝐨𝐫𝐥𝐝", "hello world"),
            ("𝑯𝒊", "hi"),
            ("ᵗᵉˢᵗ", "test"),
            ("tеst", "test"),
            ("nǐ hǎo", "ni hao"),
            ("lǜ", "lü"),
            // Digit groups each wrapped in brackets or quotes, or tagged,
            // join when the chain is long enough; a note in brackets after
            // a number does not.
            ("(135)(2109)(8846)", "(13521098846)"),
            ("“182”“7406”“3915”", "“18274063915”"),
            ("【430104】【19900107】【0687】", "【430104199001070687】"),
            ("#188#6620#1437#", "#18866201437#"),
            ("170+8821+4096", "17088214096"),
            ("0571-8866 1250（24小时）", "057188661250(24小时)"),
            ("(3)(5)", "(3)(5)"),
            ("3+5=8", "3+5=8"),
            ("138 1234 0001, 139 5678 0002", "13812340001, 13956780002"),
            ("¹⁰⁰%", "100%"),
            ("₁₃₉", "139"),
            ("m²", "m2"),
            ("①③⑧", "138"),
            ("⑩", "10"),
            ("138 1234 5678", "13812345678"),
            ("138-1234-5678", "13812345678"),
            ("１３８　１２３４　５６７８", "13812345678"),
            ("13812345678 13912345678", "13812345678 13912345678"),
            ("价格 3.5 元", "价格 3.5 元"),
            ("第一\n节课", "第一节课"),
            ("第一段。\n\n第二段", "第一段。\n\n第二段"),
            ("第一\n\n节课", "第一\n\n节课"),
            // Unicode spaces, bidi controls, fillers, controls, marks.
            ("138\u{A0}1234\u{A0}5678", "13812345678"),
            ("138\u{202F}1234\u{2009}5678", "13812345678"),
            ("包\u{A0}过", "包过"),
            ("\u{202E}过包\u{202C}", "包过"),
            ("包\u{2066}过\u{2069}", "包过"),
            ("包\u{200E}过", "包过"),
            ("包\u{3164}过", "包过"),
            ("包\u{2800}过", "包过"),
            ("包\u{115F}过", "包过"),
            ("包\0过", "包过"),
            ("包\u{0301}过", "包过"),
            ("包\u{20DD}过", "包过"),
            // Emoji, symbols, brackets, the ellipsis between Han.
            ("保🔥过", "保过"),
            ("包👍🏻过", "包过"),
            ("包❤\u{FE0F}过", "包过"),
            ("替㊙\u{FE0F}考", "替考"),
            ("包👨\u{200D}👩过", "包过"),
            ("【包】过", "【包过"),
            ("包【过】", "包过】"),
            ("包(过)", "包过)"),
            ("包（过）", "包过)"),
            ("包…过", "包过"),
            ("包「过」", "包过」"),
            // Sentence punctuation stays.
            ("不包。过", "不包。过"),
            ("包！过", "包!过"),
            ("包？过", "包?过"),
            ("包；过", "包;过"),
            ("包，过", "包,过"),
            // Digit groups across weak separators, only as a long chain.
            ("138.1234.5678", "13812345678"),
            ("138/1234/5678", "13812345678"),
            ("138_1234_5678", "13812345678"),
            ("138、1234、5678", "13812345678"),
            ("138～1234～5678", "13812345678"),
            ("138~1234~5678", "13812345678"),
            ("138\n1234\n5678", "13812345678"),
            ("138.1234 5678", "13812345678"),
            ("3.5", "3.5"),
            ("提高1.5分", "提高1.5分"),
            ("2027/1/1", "2027/1/1"),
            ("2027/01/01", "2027/01/01"),
            ("1、2、3", "1、2、3"),
            ("3~5天", "3~5天"),
            ("192.168.1.1", "192.168.1.1"),
            ("3.1415926535", "3.1415926535"),
            // One Han character quoted alone; の between Han characters.
            ("一起“赌”“博”", "一起“赌博”"),
            ("周末‘赌’‘博’", "周末‘赌博’"),
            ("事业编《包》《过》面试", "事业编《包过》面试"),
            ("‘182’‘7406’‘3915’", "‘18274063915’"),
            ("《论语》《孟子》", "《论语》《孟子》"),
            ("本科“包”过", "本科“包”过"),
            ("“包过”", "“包过”"),
            ("“好”与“坏”", "“好”与“坏”"),
            ("别用“最”“第一”", "别用“最”“第一”"),
            ("包の过", "包过"),
            // ⭕ and ○ are zeros next to a digit, decoration elsewhere.
            ("44⭕1⭕61974⭕4222388", "440106197404222388"),
            ("2○24年", "2024年"),
            ("⭕重要通知⭕", "⭕重要通知⭕"),
            ("包⭕过", "包过"),
            // Other scripts' digits are digits next to a digit, kaomoji
            // elsewhere; Suzhou numerals always.
            ("电话١٥٢٤٠١٨٧٨٠١", "电话15240187801"),
            ("१८१२८१९४८२१", "18128194821"),
            ("๑๓๗", "137"),
            ("٩(๑❛ᴗ❛๑)۶加油", "٩(๑❛ᴗ❛๑)۶加油"),
            ("〡〥〇〡", "15〇1"),
            // Letters spelled out one by one; not words.
            ("一起d-u-b-o吗", "一起赌博吗"),
            ("面试b.a.o g.u.o辅导", "面试包过辅导"),
            ("U.S.A.", "usa."),
            ("well-known", "well-known"),
            ("www.qq.com", "www.qq.com"),
            ("e.g. this", "eg. this"),
            // A blank line is a paragraph, even between single characters.
            ("包\n\n过", "包\n\n过"),
            // Read alike by the fold and its lookaheads (found by the
            // idempotence property).
            ("⭕１３８", "0138"),
            ("000_0⭕000000", "00000000000"),
            // Commas: groups join, thousands and lists of whole numbers do not.
            ("135,0246,1879", "13502461879"),
            ("135，0246，1879", "13502461879"),
            ("3,1,0,1,1,5,1,9,8,9,1,2,2,5,2,0,4,0", "310115198912252040"),
            ("430104,19900101,1234", "430104199001011234"),
            ("1,280,000", "1,280,000"),
            ("12,345,678,901", "12,345,678,901"),
            ("138 1234 0001, 139 5678 0002", "13812340001, 13956780002"),
            ("13812340001,13956780002", "13812340001,13956780002"),
            (
                "1,2,3 和 13812340001,13956780002",
                "1,2,3 和 13812340001,13956780002",
            ),
            ("第3,4,5题", "第3,4,5题"),
            // A three-digit group that another separator continues is no
            // thousands (and the first fold must fold to itself).
            ("00，000 00000_0", "00000000000"),
            ("1,280 5", "1,2805"),
            // A group made too long by a two-digit fold is no part of a chain
            // (and folding the result again changes nothing).
            ("0.000-0000000⑳", "0.000-000000020"),
            ("0.000-000000020", "0.000-000000020"),
            // Percentages.
            ("100 % 通过", "100%通过"),
            ("100 ％ 通过", "100%通过"),
            ("100% 过", "100%通过"),
            ("baoguo", "包过"),
            ("包 baoguo", "包包过"),
            ("包 鍋", "包过"),
            // HTML entities.
            ("&#21253;过", "包过"),
            ("&#x5305;过", "包过"),
            ("包&amp;过", "包过"),
            ("包&nbsp;过", "包过"),
            ("&amp;#21253;过", "包过"),
            ("a&amp;b", "a&b"),
            ("&#97;", "&#97;"),
            ("&amp;", "&"),
            ("&&#97;mp;", "&&#97;mp;"),
            ("&foo;", "&foo;"),
            ("&#xFF41;mp;", "&#xff41;mp;"),
            ("R&D", "r&d"),
            ("乾坤", "干坤"),
            ("覆盖", "覆盖"),
        ] {
            assert_eq!(normalize(input), want, "{input}");
            assert_eq!(normalize(want), want, "idempotent: {want}");
        }
    }

    #[test]
    fn idempotent_cases() {
        for s in [
            "0、000 ⑳13812345678",
            "000，0⑳-00000¡",
            "⭕&#65297;３８",
            "00，000 00000_0",
            "⭕１３８",
            "000_0⭕000000",
            "&amp;",
            "\u{202E}过包\u{202C}x",
            "&\0amp;",
            "＆amp;",
            "&am\u{200B}p;",
            "&AMP;#21253;",
        ] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }

    #[test]
    fn spans_map_back() {
        let n = Normalized::new("手机：１３８ 1234 5678！");
        let s = n.as_str();
        let start = s.find("138").unwrap();
        let end = start + "13812345678".len();
        assert_eq!(n.original_span(start, end), (3, 16));
    }

    #[test]
    fn fast_path_agrees() {
        for u in (0..0x80).chain(0x3000..0x3020).chain(0xFF00..0xFF60) {
            let c = char::from_u32(u).unwrap();
            let sep = matches!(fold_char(c), Fold::One(a) if is_han_separator(a) || is_digit_separator(a));
            if u < 0x80 {
                assert_eq!(is_ascii_separator(c), sep, "{u:x}");
            }
            if (0x3001..=0x301F).contains(&u) {
                assert_eq!(fold_char(c), Fold::One(c), "{u:x}");
                assert_eq!(CJK_SEPARATORS & (1 << (u - 0x3000)) != 0, sep, "{u:x}");
            }
        }
    }

    /// The loop over runs of Han characters (lead bytes 0xE4–0xE9) folds
    /// every one of them as `fold_char` does, Traditional ones included
    /// (they leave the loop), each after a Han character that entered it.
    #[test]
    fn han_run_agrees_with_fold_char() {
        let mut text = String::new();
        let mut want = String::new();
        for c in (0x4000..=0x9FFF).filter_map(char::from_u32) {
            text.extend(['一', c]);
            want.push('一');
            match fold_char(c) {
                Fold::One(a) => want.push(a),
                Fold::Two(a, b) => want.extend([a, b]),
                Fold::Drop => {}
            }
        }
        assert_eq!(Normalized::fold(&text).text, want);
    }

    #[test]
    fn traditional() {
        assert!(is_traditional_only('賭'));
        assert!(!is_traditional_only('乾'));
        assert!(!is_traditional_only('覆'));
        assert!(!is_traditional_only('赌'));
        assert_eq!(to_simplified('賭'), '赌');
        assert_eq!(to_simplified('薴'), '苎');
    }
}
