//! Generated labels: 一、 （一） (一) 1. 1、 （1） (1) 一是 第一， ① and table 序号,
//! plus Chinese numerals (一百零一) and Chinese dates (2023年5月19日).
//!
//! A data file names a style by a *sample* of its first label (`一、`, `①`, `无`);
//! [`Style::from_sample`] reads the sample and [`Style::label`] generates the label
//! for any 1-based position. Every style works for any `n`:
//!
//! - Chinese styles use [`chinese_numeral`]: 十一、 二十、 九十九、 一百、;
//! - [`Style::Circled`] uses the Unicode circled numbers ①..⑳ (U+2460..U+2473),
//!   ㉑..㉟ (U+3251..U+325F) and ㊱..㊿ (U+32B1..U+32BF); **past 50 there is no
//!   circled glyph, so the label falls back to `(51)`, `(52)`, …** (ASCII
//!   parentheses, as in 001). Position 0 gives ⓪.
//! - [`Style::None`] gives the empty string.
//!
//! Everything here is pure: no I/O, no global state, no panics on any input.

/// A numbering style, named after the first label it produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// 一、 二、 … 十一、
    ChineseComma,
    /// （一） with full-width parentheses
    ChineseParen,
    /// (一) with ASCII parentheses, as used by real reports
    ChineseParenAscii,
    /// 1. 2.
    ArabicDot,
    /// 1、 2、
    ArabicComma,
    /// （1） with full-width parentheses
    ArabicParen,
    /// (1) with ASCII parentheses
    ArabicParenAscii,
    /// 一是 二是 … 十一是 (run-in enumerations)
    Enumeration,
    /// 第一， 第二， …
    Ordinal,
    /// ① ② … ㊿, then (51)
    Circled,
    /// 1 2 3 (table 序号)
    Plain,
    /// 无: unnumbered, the label is empty
    None,
}

/// Every style, in the order of [`Style::KNOWN_SAMPLES`].
const ALL_STYLES: [Style; 12] = [
    Style::ChineseComma,
    Style::ChineseParen,
    Style::ChineseParenAscii,
    Style::ArabicDot,
    Style::ArabicComma,
    Style::ArabicParen,
    Style::ArabicParenAscii,
    Style::Enumeration,
    Style::Ordinal,
    Style::Circled,
    Style::Plain,
    Style::None,
];

impl Style {
    /// The samples [`Style::from_sample`] accepts (besides `none` and the empty
    /// string), one per style, for error hints.
    pub const KNOWN_SAMPLES: &'static [&'static str] = &[
        "一、",
        "（一）",
        "(一)",
        "1.",
        "1、",
        "（1）",
        "(1)",
        "一是",
        "第一，",
        "①",
        "1",
        "无",
    ];

    /// Reads a style from a sample of its first label. Surrounding whitespace is
    /// ignored; `无`, `none` (any case) and the empty string mean unnumbered.
    /// Returns `None` (the `Option`) for anything else.
    pub fn from_sample(sample: &str) -> Option<Style> {
        let s = sample.trim();
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Some(Style::None);
        }
        Style::KNOWN_SAMPLES
            .iter()
            .position(|known| *known == s)
            .and_then(|i| ALL_STYLES.get(i).copied())
    }

    /// The first label of this style, as written in a data file (`无` for
    /// [`Style::None`]). `Style::from_sample(style.sample()) == Some(style)`.
    pub fn sample(self) -> &'static str {
        let i = ALL_STYLES.iter().position(|s| *s == self).unwrap_or(0);
        Style::KNOWN_SAMPLES.get(i).copied().unwrap_or("")
    }

    /// The label for the 1-based position `n` (empty for [`Style::None`]).
    pub fn label(self, n: usize) -> String {
        let n64 = n as u64;
        match self {
            Style::ChineseComma => format!("{}、", chinese_numeral(n64)),
            Style::ChineseParen => format!("（{}）", chinese_numeral(n64)),
            Style::ChineseParenAscii => format!("({})", chinese_numeral(n64)),
            Style::ArabicDot => format!("{n}."),
            Style::ArabicComma => format!("{n}、"),
            Style::ArabicParen => format!("（{n}）"),
            Style::ArabicParenAscii => format!("({n})"),
            Style::Enumeration => format!("{}是", chinese_numeral(n64)),
            Style::Ordinal => format!("第{}，", chinese_numeral(n64)),
            Style::Circled => circled(n),
            Style::Plain => n.to_string(),
            Style::None => String::new(),
        }
    }
}

/// ① for 1..=50, ⓪ for 0, `(n)` past 50.
fn circled(n: usize) -> String {
    let code = match n {
        0 => Some(0x24EA),
        1..=20 => Some(0x2460 + (n as u32 - 1)),
        21..=35 => Some(0x3251 + (n as u32 - 21)),
        36..=50 => Some(0x32B1 + (n as u32 - 36)),
        _ => None,
    };
    match code.and_then(char::from_u32) {
        Some(c) => c.to_string(),
        None => format!("({n})"),
    }
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// Chinese numeral for `n`, as used in structural ordinals: 一, 十, 十一, 二十,
/// 一百, 一百零一, 一百一十, 一千, 一千零一, 一万, 十万, 十万零一十, 一亿 … 0 → 零.
/// A leading 一十 is written 十 (十一, 十万), an inner one is kept (一百一十, 零一十).
pub fn chinese_numeral(n: u64) -> String {
    if n == 0 {
        return "零".to_string();
    }
    numeral(n, true)
}

/// `n` > 0; `leading` when these digits begin the whole numeral.
fn numeral(n: u64, leading: bool) -> String {
    const WAN: u64 = 10_000;
    const YI: u64 = 100_000_000;
    if n >= YI {
        group(n / YI, n % YI, "亿", YI / 10, leading)
    } else if n >= WAN {
        group(n / WAN, n % WAN, "万", WAN / 10, leading)
    } else {
        below_wan(n, leading)
    }
}

/// `high` + `unit` + `low`, with 零 when `low` skips the next digit position.
fn group(high: u64, low: u64, unit: &str, next: u64, leading: bool) -> String {
    let mut s = numeral(high, leading);
    s.push_str(unit);
    if low > 0 {
        if low < next {
            s.push('零');
        }
        s.push_str(&numeral(low, false));
    }
    s
}

/// 1..=9999.
fn below_wan(n: u64, leading: bool) -> String {
    const UNITS: [(u64, &str); 4] = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut s = String::new();
    let mut zero_pending = false;
    for (value, unit) in UNITS {
        let d = (n / value % 10) as usize;
        if d == 0 {
            if !s.is_empty() {
                zero_pending = true;
            }
            continue;
        }
        if zero_pending {
            s.push('零');
            zero_pending = false;
        }
        let omit_one = d == 1 && value == 10 && leading && s.is_empty();
        if !omit_one {
            s.push(DIGITS[d]);
        }
        s.push_str(unit);
    }
    s
}

/// Chinese date for an ISO date: `2023-05-19` → `2023年5月19日` (Arabic
/// numerals, no zero padding). A time after the date (`2023-10-16 18:53`,
/// `2023-10-16T18:53:00`) is accepted and dropped. `None` when the text is not
/// a valid calendar date (or the time part is not a valid `HH:MM[:SS]`).
pub fn date_cn(iso: &str) -> Option<String> {
    let s = iso.trim();
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim_start())),
        None => (s, None),
    };
    if let Some(t) = time
        && !valid_time(t)
    {
        return None;
    }
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    let year: u32 = ascii_number(y)?;
    let month: u32 = ascii_number(m)?;
    let day: u32 = ascii_number(d)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year}年{month}月{day}日"))
}

/// Digits only (no sign, no spaces), unlike `str::parse`.
fn ascii_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, optionally followed by `Z` or a UTC
/// offset `+08:00` / `-05:00`.
fn valid_time(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (clock, offset) = match t.find(['+', '-']) {
        Some(i) => (t[..i].trim_end(), Some(&t[i + 1..])),
        None => (t, None),
    };
    if let Some(o) = offset
        && !clock_fields(o, 2)
    {
        return false;
    }
    clock_fields(clock, 3)
}

/// `HH:MM` (and `:SS[.fff]` when `max_fields` is 3) within range.
fn clock_fields(t: &str, max_fields: usize) -> bool {
    let fields: Vec<&str> = t.split(':').collect();
    if !(2..=max_fields).contains(&fields.len()) {
        return false;
    }
    let limits = [23, 59, 60];
    fields.iter().zip(limits).enumerate().all(|(i, (f, max))| {
        let (whole, fraction) = match f.split_once('.') {
            Some((w, frac)) if i == 2 => (w, Some(frac)),
            _ => (*f, None),
        };
        whole.len() == 2
            && ascii_number(whole).is_some_and(|v| v <= max)
            && fraction.is_none_or(|frac| ascii_number(frac).is_some())
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels at the positions the brief asks for: 1, 2, 10, 11, 20, 21, 99.
    const POSITIONS: [usize; 7] = [1, 2, 10, 11, 20, 21, 99];

    fn labels(style: Style) -> Vec<String> {
        POSITIONS.iter().map(|&n| style.label(n)).collect()
    }

    #[test]
    fn chinese_comma() {
        assert_eq!(
            labels(Style::ChineseComma),
            [
                "一、",
                "二、",
                "十、",
                "十一、",
                "二十、",
                "二十一、",
                "九十九、"
            ]
        );
    }

    #[test]
    fn chinese_paren() {
        assert_eq!(
            labels(Style::ChineseParen),
            [
                "（一）",
                "（二）",
                "（十）",
                "（十一）",
                "（二十）",
                "（二十一）",
                "（九十九）"
            ]
        );
    }

    #[test]
    fn chinese_paren_ascii() {
        assert_eq!(
            labels(Style::ChineseParenAscii),
            [
                "(一)",
                "(二)",
                "(十)",
                "(十一)",
                "(二十)",
                "(二十一)",
                "(九十九)"
            ]
        );
    }

    #[test]
    fn arabic_styles() {
        assert_eq!(
            labels(Style::ArabicDot),
            ["1.", "2.", "10.", "11.", "20.", "21.", "99."]
        );
        assert_eq!(
            labels(Style::ArabicComma),
            ["1、", "2、", "10、", "11、", "20、", "21、", "99、"]
        );
        assert_eq!(
            labels(Style::ArabicParen),
            [
                "（1）", "（2）", "（10）", "（11）", "（20）", "（21）", "（99）"
            ]
        );
        assert_eq!(
            labels(Style::ArabicParenAscii),
            ["(1)", "(2)", "(10)", "(11)", "(20)", "(21)", "(99)"]
        );
        assert_eq!(
            labels(Style::Plain),
            ["1", "2", "10", "11", "20", "21", "99"]
        );
    }

    #[test]
    fn enumeration_and_ordinal() {
        assert_eq!(
            labels(Style::Enumeration),
            [
                "一是",
                "二是",
                "十是",
                "十一是",
                "二十是",
                "二十一是",
                "九十九是"
            ]
        );
        assert_eq!(
            labels(Style::Ordinal),
            [
                "第一，",
                "第二，",
                "第十，",
                "第十一，",
                "第二十，",
                "第二十一，",
                "第九十九，"
            ]
        );
    }

    #[test]
    fn circled_up_to_fifty_then_fallback() {
        assert_eq!(
            labels(Style::Circled),
            ["①", "②", "⑩", "⑪", "⑳", "㉑", "(99)"]
        );
        assert_eq!(Style::Circled.label(35), "㉟");
        assert_eq!(Style::Circled.label(36), "㊱");
        assert_eq!(Style::Circled.label(50), "㊿");
        assert_eq!(Style::Circled.label(51), "(51)");
        assert_eq!(Style::Circled.label(0), "⓪");
        // every label 1..=50 is a single distinct character
        let all: Vec<String> = (1..=50).map(|n| Style::Circled.label(n)).collect();
        assert!(all.iter().all(|l| l.chars().count() == 1));
        let mut dedup = all.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), 50);
    }

    #[test]
    fn none_is_empty() {
        assert_eq!(labels(Style::None), ["", "", "", "", "", "", ""]);
    }

    #[test]
    fn huge_positions_do_not_panic() {
        for style in ALL_STYLES {
            let _ = style.label(usize::MAX);
            let _ = style.label(0);
        }
        assert_eq!(
            Style::Circled.label(usize::MAX),
            format!("({})", usize::MAX)
        );
    }

    #[test]
    fn samples_round_trip() {
        for style in ALL_STYLES {
            assert_eq!(Style::from_sample(style.sample()), Some(style), "{style:?}");
            if style != Style::None {
                assert_eq!(style.label(1), style.sample(), "{style:?}");
            }
        }
        assert_eq!(Style::KNOWN_SAMPLES.len(), ALL_STYLES.len());
    }

    #[test]
    fn from_sample_variants() {
        assert_eq!(Style::from_sample(" 一、 "), Some(Style::ChineseComma));
        assert_eq!(Style::from_sample("(一)"), Some(Style::ChineseParenAscii));
        assert_eq!(Style::from_sample("（一）"), Some(Style::ChineseParen));
        assert_eq!(Style::from_sample("(1)"), Some(Style::ArabicParenAscii));
        assert_eq!(Style::from_sample("第一，"), Some(Style::Ordinal));
        assert_eq!(Style::from_sample("无"), Some(Style::None));
        assert_eq!(Style::from_sample("NONE"), Some(Style::None));
        assert_eq!(Style::from_sample(""), Some(Style::None));
        assert_eq!(Style::from_sample("二、"), None);
        assert_eq!(Style::from_sample("a)"), None);
        assert_eq!(Style::from_sample("②"), None);
    }

    #[test]
    fn chinese_numerals() {
        let cases: [(u64, &str); 24] = [
            (0, "零"),
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (1000, "一千"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (9999, "九千九百九十九"),
            (10_000, "一万"),
            (10_010, "一万零一十"),
            (100_000, "十万"),
            (100_010, "十万零一十"),
            (110_000, "十一万"),
            (1_100_000, "一百一十万"),
            (100_000_000, "一亿"),
            (100_050_000, "一亿零五万"),
        ];
        for (n, want) in cases {
            assert_eq!(chinese_numeral(n), want, "{n}");
        }
        assert_eq!(chinese_numeral(110_000_000), "一亿一千万");
        assert_eq!(chinese_numeral(1_000_000_000_000), "一万亿");
        assert!(!chinese_numeral(u64::MAX).is_empty());
    }

    #[test]
    fn dates() {
        assert_eq!(date_cn("2023-05-19").as_deref(), Some("2023年5月19日"));
        assert_eq!(
            date_cn("2023-10-16 18:53").as_deref(),
            Some("2023年10月16日")
        );
        assert_eq!(
            date_cn("2023-10-16T18:53:00").as_deref(),
            Some("2023年10月16日")
        );
        assert_eq!(date_cn(" 2023-1-2 ").as_deref(), Some("2023年1月2日"));
        for with_time in [
            "2023-10-16T18:53:00Z",
            "2023-10-16T18:53:00+08:00",
            "2023-10-16 18:53:00.25 -05:00",
            "2023-10-16T18:53:00.5",
        ] {
            assert_eq!(
                date_cn(with_time).as_deref(),
                Some("2023年10月16日"),
                "{with_time}"
            );
        }
        assert_eq!(date_cn("2024-02-29").as_deref(), Some("2024年2月29日"));
        assert_eq!(date_cn("2000-02-29").as_deref(), Some("2000年2月29日"));
        for bad in [
            "",
            "2023",
            "2023-05",
            "2023-13-01",
            "2023-00-10",
            "2023-02-29",
            "1900-02-29",
            "2023-04-31",
            "2023-05-19-1",
            "23-05-19",
            "2023-05-19 25:00",
            "2023-05-19 abc",
            "2023-+5-19",
            "２０２３-05-19",
            "2023/05/19",
            "2023-05-19 18:60",
            "2023-05-19 18:53:00.x",
            "2023-05-19 18:53+8",
            "2023-05-19 18:53.5",
            "2023-05-19T",
            "2023-05-19 18:53:00:00",
        ] {
            assert_eq!(date_cn(bad), None, "{bad:?}");
        }
    }
}
