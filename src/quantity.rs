//! Quantities and their decimal arithmetic: parsing the QUANTITY grammar of the
//! data format (`约18万人次`, `2-3个`, `14.02亿元`, `7/10万以内`, `-20.17%`),
//! 完成率 and 占比 ([`ratio_percent`]), 增减 and 同比 ([`change`], [`Change`]),
//! stated changes ([`stated_change`]) and the agreement checks between stated
//! and computed figures ([`Change::agrees_with`], [`rate_agrees`],
//! [`percent_agrees`]).
//!
//! All arithmetic is `rust_decimal` (never `f64`), with checked operations: a
//! number too large for a `Decimal` (more than 28 digits, or a product that
//! overflows) is an error, never a panic. Rounding is half-up on the decimal
//! value, away from zero at the midpoint (50.25 → 50.3, -0.05 → -0.1).
//!
//! Grammar, in order (the typed text is always kept in [`Quantity::text`]):
//!
//! ```text
//! [约|近|超过|逾]? [+|-]? N ([-~～] N)? [万亿|亿|万]? [余|多]? unit? [以上|以下|以内]?
//! ```
//!
//! N is ASCII digits with an optional fraction (`4.0`, `0.5`); full-width
//! digits are rejected with a hint giving the ASCII spelling. A 万/亿 directly
//! after the number is a scale (×10⁴, ×10⁸; `万亿` ×10¹², an extension for
//! national figures); a 万 after `/` is part of the unit (`179.97/10万`). The
//! unit is what remains before the bound suffix. A unit may start with a
//! Latin letter (`5km`, `3mg/L`) but not with `e`/`E` right after the digits:
//! `1e400个` is refused as an exponent rather than read as 1 with the unit
//! `e400个`. A quantity has at most [`MAX_QUANTITY_CHARS`] characters and its
//! unit at most [`MAX_UNIT_CHARS`]. `%`, `％` and `‰` are the
//! percentage units ([`PercentKind`]), and `％` counts as `%` when units are
//! compared.
//!
//! Changes of percentages are differences in 个百分点 (个千分点 for ‰). The
//! difference of two typed percentages is exact and is shown with the larger
//! number of decimals typed (91.59% vs 91.18% → 0.41个百分点; 85% vs 80.5% →
//! 4.5个百分点); `digits` is used only if that difference ever needs rounding
//! (it cannot for plain typed values). Other changes are relative,
//! (value − prev) / |prev| × 100, rounded half-up to `digits`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::i18n::{self, pick};
use crate::tr;

/// The largest number of digits a typed number may have: every number of up
/// to 28 digits fits a `Decimal` exactly.
const MAX_DIGITS: usize = 28;

const APPROX: [&str; 4] = ["超过", "约", "近", "逾"];
const SCALES: [(&str, u32); 3] = [("万亿", 12), ("亿", 8), ("万", 4)];
const PLUS: [&str; 2] = ["余", "多"];
const BOUNDS: [&str; 3] = ["以上", "以下", "以内"];
const RANGE_DASHES: [char; 3] = ['-', '~', '～'];
/// Characters that never belong in a unit: prose punctuation and spaces.
const NOT_IN_UNIT: [char; 22] = [
    '，', '。', '；', '：', '、', '！', '？', ',', ';', ':', '!', '?', '【', '】', '"', '“', '”',
    '（', '）', '(', ')', '\u{3000}',
];
/// The longest quantity (or stated change) read, in characters: a figure
/// with its words and unit, never prose.
pub const MAX_QUANTITY_CHARS: usize = 64;
/// The longest unit, in characters (`个百分点`, `份/千人`, `万千瓦时` are 3–4).
pub const MAX_UNIT_CHARS: usize = 16;
const POINTS: &str = "个百分点";
const PERMILLE_POINTS: &str = "个千分点";
fn hint_forms() -> &'static str {
    pick(
        "write a number and its unit, e.g. 4000余名, 约18万人次, 2-3个, 14.02亿元, 91.59%, 7/10万以内",
        "请写一个数和它的单位，例如 4000余名、约18万人次、2-3个、14.02亿元、91.59%、7/10万以内",
    )
}

/// The name of what is being read or computed, in the current language
/// (`quantity`, `a percentage`, …).
fn what_words(what: &str) -> &str {
    if !i18n::zh() {
        return what;
    }
    match what {
        "quantity" => "数量",
        "change" | "a change" => "增减",
        "a percentage" => "百分比",
        "a rate" => "完成率",
        "a relative change" => "相对变化",
        other => other,
    }
}

/// A typed quantity, parsed. `text` is the exact typed text (trimmed of
/// surrounding whitespace); the other fields are its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    /// The typed text, reproduced as written.
    pub text: String,
    /// 约 | 近 | 超过 | 逾
    pub approx: Option<String>,
    /// The (first) number, as typed, before scaling; carries a typed sign.
    pub low: Decimal,
    /// The second number of a range (`2-3个` → 3).
    pub high: Option<Decimal>,
    /// Power of ten of a 万 (4) / 亿 (8) / 万亿 (12) scale; 0 without one.
    pub scale: u32,
    /// 余 | 多
    pub plus: Option<String>,
    /// What follows the number: `个`, `元`, `%`, `/10万`, `份/千人`; may be empty.
    pub unit: String,
    /// 以上 | 以下 | 以内
    pub bound: Option<String>,
    /// Decimal places typed (`4.0个` → 1; for a range, the larger of the two).
    pub decimals: u32,
}

/// A quantity or computation error: what is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    pub message: String,
    pub hint: String,
}

impl QuantityError {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> QuantityError {
        QuantityError {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hint.is_empty() {
            f.write_str(&self.message)
        } else {
            let (message, hint) = (&self.message, &self.hint);
            f.write_str(&tr!(
                "{message} (hint: {hint})",
                "{message}（提示：{hint}）"
            ))
        }
    }
}

impl std::error::Error for QuantityError {}

/// The two percentage units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentKind {
    /// `%` (or full-width `％`); changes are in 个百分点
    Percent,
    /// `‰`; changes are in 个千分点
    Permille,
}

impl PercentKind {
    /// The unit of a difference of two such values: 个百分点 / 个千分点.
    pub fn points_unit(self) -> &'static str {
        match self {
            PercentKind::Percent => POINTS,
            PercentKind::Permille => PERMILLE_POINTS,
        }
    }
}

fn overflow(what: &str) -> QuantityError {
    QuantityError::new(
        tr!(
            "number too large while computing {}",
            "计算{}时数字太大",
            what_words(what)
        ),
        pick(
            "use a 万 or 亿 scale or fewer digits (at most 28 significant digits)",
            "请用万、亿作单位，或减少位数（有效数字最多 28 位）",
        ),
    )
}

impl Quantity {
    /// Parses a quantity (see the module docs for the grammar).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(QuantityError::new(
                pick("empty quantity", "数量是空的"),
                hint_forms(),
            ));
        }
        too_long(t, "quantity")?;
        if let Some(ascii) = ascii_digits(t) {
            return Err(QuantityError::new(
                tr!(
                    "full-width digits in quantity \"{t}\"",
                    "数量“{t}”中用了全角数字"
                ),
                tr!("type ASCII digits: {ascii}", "请用半角数字：{ascii}"),
            ));
        }
        let mut rest = t;
        let approx = strip_any_prefix(&mut rest, &APPROX);
        let negative = if let Some(r) = rest.strip_prefix('-') {
            rest = r;
            true
        } else if let Some(r) = rest.strip_prefix('+') {
            rest = r;
            false
        } else {
            false
        };
        let (mut low, mut decimals, after) = take_number(rest, t)?;
        check_not_exponent(after, t)?;
        rest = after;
        if negative {
            low.set_sign_negative(true);
            if low.is_zero() {
                low.set_sign_positive(true);
            }
        }
        let mut high = None;
        if let Some(dash) = rest.chars().next().filter(|c| RANGE_DASHES.contains(c)) {
            let r = &rest[dash.len_utf8()..];
            if !r.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(QuantityError::new(
                    tr!(
                        "range without a second number in \"{t}\"",
                        "“{t}”中的范围缺少第二个数"
                    ),
                    pick(
                        "write a range as 2-3个, or drop the dash",
                        "范围请写成 2-3个 这样，或去掉连接号",
                    ),
                ));
            }
            let (h, hd, after) = take_number(r, t)?;
            check_not_exponent(after, t)?;
            if h < low {
                return Err(QuantityError::new(
                    tr!("range goes down in \"{t}\"", "“{t}”中的范围前大后小"),
                    pick(
                        "write the smaller number first: 2-3个",
                        "请把较小的数写在前面：2-3个",
                    ),
                ));
            }
            high = Some(h);
            decimals = decimals.max(hd);
            rest = after;
        }
        let mut scale = 0;
        for (word, power) in SCALES {
            if let Some(r) = rest.strip_prefix(word) {
                scale = power;
                rest = r;
                break;
            }
        }
        let plus = strip_any_prefix(&mut rest, &PLUS);
        let mut bound = None;
        for word in BOUNDS {
            if let Some(r) = rest.strip_suffix(word) {
                bound = Some(word.to_string());
                rest = r;
                break;
            }
        }
        check_unit(rest, t)?;
        Ok(Quantity {
            text: t.to_string(),
            approx,
            low,
            high,
            scale,
            plus,
            unit: rest.to_string(),
            bound,
            decimals,
        })
    }

    /// The value for arithmetic: `low` × 10^`scale` (`14.02亿元` → 1402000000).
    /// A range cannot be computed with and gives an error.
    pub fn scaled(&self) -> Result<Decimal, QuantityError> {
        if self.high.is_some() {
            return Err(QuantityError::new(
                tr!(
                    "cannot compute with the range \"{}\"",
                    "范围“{}”不能用来计算",
                    self.text
                ),
                pick(
                    "give a single number for a value used in 完成率, 占比 or 同比",
                    "用于计算完成率、占比或同比的值，请写成一个数",
                ),
            ));
        }
        let mut factor = Decimal::ONE;
        for _ in 0..self.scale {
            factor = factor
                .checked_mul(Decimal::TEN)
                .ok_or_else(|| overflow(&self.text))?;
        }
        self.low
            .checked_mul(factor)
            .ok_or_else(|| overflow(&self.text))
    }

    /// `%`, `％` or `‰`.
    pub fn is_percent(&self) -> bool {
        self.percent_kind().is_some()
    }

    /// Which percentage unit this is, if any.
    pub fn percent_kind(&self) -> Option<PercentKind> {
        match self.unit.as_str() {
            "%" | "％" => Some(PercentKind::Percent),
            "‰" => Some(PercentKind::Permille),
            _ => None,
        }
    }

    /// The unit as compared in arithmetic (`％` is `%`).
    pub fn unit_key(&self) -> &str {
        if self.unit == "％" { "%" } else { &self.unit }
    }

    /// Whether two quantities can be computed together (units agree after
    /// scaling: `22150万元` and `2.1716亿元` do).
    pub fn same_unit(&self, other: &Quantity) -> bool {
        self.unit_key() == other.unit_key()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(s)
    }
}

/// The text with full-width digits (and a full-width point, sign or tilde)
/// turned into ASCII, if it has any full-width digit.
fn ascii_digits(t: &str) -> Option<String> {
    if !t.chars().any(|c| ('０'..='９').contains(&c)) {
        return None;
    }
    Some(
        t.chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' => '-',
                '＋' => '+',
                '～' => '~',
                _ => c,
            })
            .collect(),
    )
}

fn strip_any_prefix(rest: &mut &str, words: &[&str]) -> Option<String> {
    for word in words {
        if let Some(r) = rest.strip_prefix(word) {
            *rest = r;
            return Some((*word).to_string());
        }
    }
    None
}

/// Reads `digits[.digits]` at the start of `s`: (value, decimals typed, rest).
fn take_number<'a>(s: &'a str, whole: &str) -> Result<(Decimal, u32, &'a str), QuantityError> {
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    if int_len == 0 {
        let hint = if s.starts_with('.') && s[1..].starts_with(|c: char| c.is_ascii_digit()) {
            pick("write a leading zero: 0.5", "请在小数点前写上 0：0.5").to_string()
        } else {
            tr!(
                "a quantity starts with an Arabic number (GB/T 15835); {}",
                "数量以阿拉伯数字开头（GB/T 15835）；{}",
                hint_forms()
            )
        };
        return Err(QuantityError::new(
            tr!(
                "no number in quantity \"{whole}\"",
                "数量“{whole}”中没有数字"
            ),
            hint,
        ));
    }
    let mut end = int_len;
    let mut frac_len = 0;
    if s[end..].starts_with('.') {
        frac_len = s[end + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if frac_len == 0 {
            return Err(QuantityError::new(
                tr!(
                    "malformed number in quantity \"{whole}\"",
                    "数量“{whole}”中的数写得不对"
                ),
                pick(
                    "a decimal point must be followed by digits: 4.0, 14.02",
                    "小数点后面要有数字：4.0、14.02",
                ),
            ));
        }
        end += 1 + frac_len;
    }
    let rest = &s[end..];
    if rest.starts_with('.') {
        return Err(QuantityError::new(
            tr!(
                "malformed number in quantity \"{whole}\"",
                "数量“{whole}”中的数写得不对"
            ),
            pick(
                "a number has at most one decimal point: 14.02",
                "一个数最多只有一个小数点：14.02",
            ),
        ));
    }
    if let Some(r) = rest.strip_prefix([',', '，'])
        && r.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(QuantityError::new(
            tr!(
                "thousands separator in quantity \"{whole}\"",
                "数量“{whole}”中用了千位分隔符"
            ),
            pick(
                "reports write numbers without separators: 22150万元, 186750名",
                "报告中的数字不加分隔符：22150万元、186750名",
            ),
        ));
    }
    if int_len + frac_len > MAX_DIGITS {
        return Err(QuantityError::new(
            tr!(
                "number with too many digits in quantity \"{whole}\"",
                "数量“{whole}”中的数位数太多"
            ),
            tr!(
                "at most {MAX_DIGITS} digits; use a 万 or 亿 scale: 3.88万个, 14.02亿元",
                "最多 {MAX_DIGITS} 位数字；请用万、亿作单位：3.88万个、14.02亿元"
            ),
        ));
    }
    let value = Decimal::from_str_exact(&s[..end]).map_err(|e| {
        QuantityError::new(
            tr!(
                "cannot read the number in quantity \"{whole}\": {e}",
                "无法读取数量“{whole}”中的数（{e}）"
            ),
            tr!("at most {MAX_DIGITS} digits", "最多 {MAX_DIGITS} 位数字"),
        )
    })?;
    Ok((value, frac_len as u32, rest))
}

/// A quantity or change longer than [`MAX_QUANTITY_CHARS`] is refused (its
/// start is quoted), so no message or output repeats a runaway value.
fn too_long(t: &str, what: &str) -> Result<(), QuantityError> {
    let count = t.chars().count();
    if count <= MAX_QUANTITY_CHARS {
        return Ok(());
    }
    let start: String = t.chars().take(16).collect();
    Err(QuantityError::new(
        match i18n::zh() {
            true => format!(
                "{}“{start}…”有 {count} 个字；最多 {MAX_QUANTITY_CHARS} 个字",
                what_words(what)
            ),
            false => format!(
                "{what} \"{start}…\" is {count} characters long; a {what} takes at most {MAX_QUANTITY_CHARS}"
            ),
        },
        pick(
            "a metric holds one number and its unit (14.02亿元, 91.59%); keep the prose in the text and refer to the metric with 【key】",
            "指标只写一个数和它的单位（14.02亿元、91.59%）；叙述的文字请写在正文里，用【指标名】引用指标",
        ),
    ))
}

/// The exponent trap: `1e400个` would read as the number 1 with the unit
/// `e400个`. A unit may start with other Latin letters (`5km`, `3mg/L`,
/// `200MW`), but never with `e`/`E` directly after the digits; nor with `_`
/// (`1_000`, a programmer's digit separator).
fn check_not_exponent(after: &str, whole: &str) -> Result<(), QuantityError> {
    match after.chars().next() {
        Some('e' | 'E') => Err(QuantityError::new(
            tr!(
                "number with an exponent in quantity \"{whole}\"",
                "数量“{whole}”中的数带有指数"
            ),
            pick(
                "write the figure out in full, with a 万 or 亿 scale when it is large: 12000个, 1.2万个, 3.5亿元; an `e` right after the digits reads as an exponent, not a unit",
                "请把数完整写出，数大时用万、亿作单位：12000个、1.2万个、3.5亿元；紧跟在数字后面的 `e` 会被当作指数，而不是单位",
            ),
        )),
        Some('_') => Err(QuantityError::new(
            tr!(
                "digit separator `_` in quantity \"{whole}\"",
                "数量“{whole}”中用了数字分隔符 `_`"
            ),
            pick(
                "reports write numbers without separators: 22150万元, 186750名",
                "报告中的数字不加分隔符：22150万元、186750名",
            ),
        )),
        _ => Ok(()),
    }
}

fn check_unit(unit: &str, whole: &str) -> Result<(), QuantityError> {
    let count = unit.chars().count();
    if count > MAX_UNIT_CHARS {
        return Err(QuantityError::new(
            tr!(
                "the unit of quantity \"{whole}\" is {count} characters long; a unit takes at most {MAX_UNIT_CHARS}",
                "数量“{whole}”的单位有 {count} 个字；单位最多 {MAX_UNIT_CHARS} 个字"
            ),
            pick(
                "write a short unit (个, 万元, 人次, 份/千人) and keep the prose in the text",
                "请写简短的单位（个、万元、人次、份/千人），叙述的文字写在正文里",
            ),
        ));
    }
    if let Some(c) = unit.chars().next()
        && (c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | '~' | '～'))
    {
        return Err(QuantityError::new(
            tr!(
                "unexpected \"{c}\" after the number in quantity \"{whole}\"",
                "数量“{whole}”中数字后面不应有“{c}”"
            ),
            hint_forms(),
        ));
    }
    if let Some(c) = unit
        .chars()
        .find(|c| c.is_whitespace() || NOT_IN_UNIT.contains(c))
    {
        return Err(QuantityError::new(
            match i18n::zh() {
                true if c.is_whitespace() => format!("数量“{whole}”的单位中不应有空格"),
                true => format!("数量“{whole}”的单位中不应有“{c}”"),
                false => format!("unexpected \"{c}\" in the unit of quantity \"{whole}\""),
            },
            pick(
                "a metric holds one number and its unit; keep the prose in the text and refer to the metric with 【key】",
                "指标只写一个数和它的单位；叙述的文字请写在正文里，用【指标名】引用指标",
            ),
        ));
    }
    Ok(())
}

/// Rounds half-up on the decimal value (away from zero at the midpoint):
/// 50.25 → 50.3, 0.05 → 0.1, -0.05 → -0.1. `digits` beyond the value's own
/// decimals leaves it unchanged.
pub fn round_half_up(d: Decimal, digits: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r
}

/// `d` rounded half-up and written with exactly `digits` decimals, no
/// thousands separators, `-` for negatives: 50.3, 102, 0.41, 4.0.
pub fn format_decimal(d: Decimal, digits: u32) -> String {
    let r = round_half_up(d, digits);
    let mut s = r.to_string();
    let have = r.scale();
    if digits > have {
        if have == 0 {
            s.push('.');
        }
        for _ in have..digits {
            s.push('0');
        }
    }
    s
}

fn unit_mismatch(a: &Quantity, b: &Quantity) -> QuantityError {
    let show = |q: &Quantity| {
        if q.unit.is_empty() {
            "(no unit)".to_string()
        } else {
            format!("\"{}\"", q.unit)
        }
    };
    let show_zh = |q: &Quantity| {
        if q.unit.is_empty() {
            format!("{} 没有单位", q.text)
        } else {
            format!("{} 的单位是“{}”", q.text, q.unit)
        }
    };
    QuantityError::new(
        match i18n::zh() {
            true => format!("单位不一致：{}，{}", show_zh(a), show_zh(b)),
            false => format!(
                "unit mismatch: {} in {} and {} in {}",
                show(a),
                a.text,
                show(b),
                b.text
            ),
        },
        match (a.percent_kind(), b.percent_kind()) {
            (Some(_), None) if b.unit.is_empty() => tr!(
                "write the rate with its unit: {}{}",
                "比率请带上单位：{}{}",
                b.text,
                a.unit
            ),
            (None, Some(_)) if a.unit.is_empty() => tr!(
                "write the rate with its unit: {}{}",
                "比率请带上单位：{}{}",
                a.text,
                b.unit
            ),
            _ => pick(
                "both quantities need the same unit (万/亿 scales may differ: 22150万元 and 2.1716亿元 agree)",
                "两个数量的单位要相同（万、亿可以不同：22150万元 和 2.1716亿元 可以比较）",
            )
            .into(),
        },
    )
}

fn division_by_zero(what: &str, base: &Quantity) -> QuantityError {
    QuantityError::new(
        tr!(
            "division by zero: {} with a base of {}",
            "除数为零：计算{}时基数是 {}",
            what_words(what),
            base.text
        ),
        pick(
            "the base (plan, of, prev) must not be zero",
            "基数（`plan`、`of`、`prev`）不能为零",
        ),
    )
}

/// value / base × 100, exact (not rounded). Units must agree after scaling.
fn exact_percent(value: &Quantity, base: &Quantity, what: &str) -> Result<Decimal, QuantityError> {
    if !value.same_unit(base) {
        return Err(unit_mismatch(value, base));
    }
    let v = value.scaled()?;
    let b = base.scaled()?;
    if b.is_zero() {
        return Err(division_by_zero(what, base));
    }
    v.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|x| x.checked_div(b))
        .ok_or_else(|| overflow(what))
}

/// 完成率 / 占比 as a number: value / base × 100 rounded half-up to `digits`
/// (14.02亿元 / 27.87亿元 → 50.3).
pub fn ratio_percent_value(
    value: &Quantity,
    base: &Quantity,
    digits: u32,
) -> Result<Decimal, QuantityError> {
    Ok(round_half_up(
        exact_percent(value, base, "a percentage")?,
        digits,
    ))
}

/// 完成率 / 占比 as text: `14.02亿元` of `27.87亿元` → `50.3%`;
/// `22150万元` of `2.1716亿元` → `102.0%`. Units must agree after scaling; a
/// zero base is a division-by-zero error; a range cannot be computed.
pub fn ratio_percent(
    value: &Quantity,
    base: &Quantity,
    digits: u32,
) -> Result<String, QuantityError> {
    let p = exact_percent(value, base, "a percentage")?;
    Ok(format!("{}%", format_decimal(p, digits)))
}

/// Whether a stated rate (`rate: 50.3%`) agrees with value / base × 100: the
/// exact ratio, rounded half-up to the decimals the rate was typed with, equals
/// the stated number. A bound relaxes the test (`100%以上`: at least; `以下`,
/// `以内`: at most). The stated rate must be a `%` quantity.
pub fn rate_agrees(
    stated: &Quantity,
    value: &Quantity,
    base: &Quantity,
) -> Result<bool, QuantityError> {
    if stated.percent_kind() != Some(PercentKind::Percent) || stated.high.is_some() {
        return Err(QuantityError::new(
            tr!(
                "a stated rate must be one percentage, not \"{}\"",
                "写明的完成率应当是一个百分数，不能是“{}”",
                stated.text
            ),
            pick("write the rate like 50.3%", "完成率请写成 50.3% 这样"),
        ));
    }
    let computed = round_half_up(exact_percent(value, base, "a rate")?, stated.decimals);
    Ok(match stated.bound.as_deref() {
        Some("以上") => computed >= stated.low,
        Some(_) => computed <= stated.low,
        None => computed == stated.low,
    })
}

/// Whether two numbers agree within rounding: |a − b| ≤ half a unit of the
/// less precise of the two (`20.2` with 1 digit and `20.17` with 2 agree;
/// `20.3` and `20.17` do not).
pub fn values_agree(a: Decimal, a_digits: u32, b: Decimal, b_digits: u32) -> bool {
    let places = a_digits.min(b_digits).min(27);
    let tolerance = Decimal::new(5, places + 1);
    a.checked_sub(b).is_some_and(|d| d.abs() <= tolerance)
}

/// Whether a stated percentage (`rate: 50%`) agrees with a computed one given
/// as text (`50.3%`, from [`ratio_percent`]) within the rounding of the less
/// precise ([`values_agree`]). Errors when either is not a single percentage
/// of the same kind. [`rate_agrees`] is stricter and preferred when the value
/// and base are at hand.
pub fn percent_agrees(stated: &str, computed: &str) -> Result<bool, QuantityError> {
    let s = Quantity::parse(stated)?;
    let c = Quantity::parse(computed)?;
    if !s.is_percent()
        || s.percent_kind() != c.percent_kind()
        || s.high.is_some()
        || c.high.is_some()
    {
        return Err(QuantityError::new(
            tr!(
                "cannot compare \"{stated}\" with \"{computed}\" as percentages",
                "“{stated}”和“{computed}”不能作为百分数比较"
            ),
            pick(
                "write the stated rate like 50.3%",
                "写明的完成率请写成 50.3% 这样",
            ),
        ));
    }
    Ok(values_agree(s.low, s.decimals, c.low, c.decimals))
}

/// Direction of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Flat,
}

/// A change between two values, computed or stated: `0.41个百分点` up,
/// `20.17%` down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Absolute amount, ≥ 0 (zero for [`Direction::Flat`]).
    pub amount: Decimal,
    pub direction: Direction,
    /// `个百分点`, `个千分点` or `%`.
    pub unit: String,
    /// Decimals the amount is written with.
    pub digits: u32,
}

/// The change from `prev` to `value` (增减, 同比). Two `%` values give a
/// difference in 个百分点, two `‰` values one in 个千分点 (exact, shown with
/// the larger number of decimals typed); other values give the relative change
/// (value − prev) / |prev| × 100 rounded half-up to `digits`, in `%`. Units must
/// agree (after 万/亿 scaling); a zero `prev` is a division-by-zero error for a
/// relative change.
pub fn change(value: &Quantity, prev: &Quantity, digits: u32) -> Result<Change, QuantityError> {
    if !value.same_unit(prev) {
        return Err(unit_mismatch(value, prev));
    }
    let v = value.scaled()?;
    let p = prev.scaled()?;
    let diff = v.checked_sub(p).ok_or_else(|| overflow("a change"))?;
    let (signed, unit, places) = match value.percent_kind() {
        Some(kind) => {
            let mut places = value.decimals.max(prev.decimals);
            let mut signed = diff;
            if diff.normalize().scale() > places {
                places = places.max(digits);
                signed = round_half_up(diff, places);
            }
            (signed, kind.points_unit(), places)
        }
        None => {
            if p.is_zero() {
                return Err(division_by_zero("a relative change", prev));
            }
            let relative = diff
                .checked_mul(Decimal::ONE_HUNDRED)
                .and_then(|x| x.checked_div(p.abs()))
                .ok_or_else(|| overflow("a change"))?;
            (round_half_up(relative, digits), "%", digits)
        }
    };
    Ok(Change::from_signed(signed, unit, places))
}

const UP_WORDS: [&str; 5] = ["增长", "增加", "上升", "提高", "提升"];
const DOWN_WORDS: [&str; 4] = ["下降", "减少", "降低", "回落"];
fn hint_change() -> &'static str {
    pick(
        "write a change like -20.17%, +0.41个百分点, 下降20.17% or 持平",
        "增减请写成 -20.17%、+0.41个百分点、下降20.17% 或 持平 这样",
    )
}

/// Reads a stated change: `-20.17%` (down 20.17 %), `+0.41个百分点` and
/// `0.41个百分点` (up), `下降20.17%`, `增长3.5%`, `增加0.41个百分点`, `持平`.
/// Units: `%` (also `％`), `个百分点` (also `百分点`), `个千分点` (also `千分点`).
/// The comparison (同比, 比上年) belongs in the metric's `vs`, not here.
pub fn stated_change(text: &str) -> Result<Change, QuantityError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(QuantityError::new(
            pick("empty change", "增减是空的"),
            hint_change(),
        ));
    }
    too_long(t, "change")?;
    if t == "持平" {
        return Ok(Change {
            amount: Decimal::ZERO,
            direction: Direction::Flat,
            unit: "%".into(),
            digits: 0,
        });
    }
    if let Some(ascii) = ascii_digits(t) {
        return Err(QuantityError::new(
            tr!(
                "full-width digits in change \"{t}\"",
                "增减“{t}”中用了全角数字"
            ),
            tr!("type ASCII digits: {ascii}", "请用半角数字：{ascii}"),
        ));
    }
    for head in ["同比", "环比", "比上年", "较上年"] {
        if let Some(change) = t.strip_prefix(head) {
            return Err(QuantityError::new(
                tr!(
                    "change \"{t}\" starts with the comparison \"{head}\"",
                    "增减“{t}”以比较词“{head}”开头"
                ),
                tr!(
                    "put \"{head}\" in the metric's vs field and write only the change: {change}",
                    "请把“{head}”写在指标的 `vs` 字段中，这里只写增减：{change}"
                ),
            ));
        }
    }
    let mut rest = t;
    let mut down = false;
    let mut word = false;
    if let Some(w) = UP_WORDS.iter().find(|w| rest.starts_with(**w)) {
        rest = &rest[w.len()..];
        word = true;
    } else if let Some(w) = DOWN_WORDS.iter().find(|w| rest.starts_with(**w)) {
        rest = &rest[w.len()..];
        word = true;
        down = true;
    }
    if let Some(r) = rest.strip_prefix(['-', '+', '−']) {
        if word {
            return Err(QuantityError::new(
                tr!(
                    "change \"{t}\" has both a word and a sign",
                    "增减“{t}”中既有文字又有正负号"
                ),
                pick(
                    "write either 下降20.17% or -20.17%",
                    "请写成 下降20.17% 或 -20.17%，二者选一",
                ),
            ));
        }
        down = !rest.starts_with('+');
        rest = r;
    }
    let (amount, decimals, unit_text) = take_number(rest, t)?;
    let unit = match unit_text {
        "%" | "％" => "%",
        "个百分点" | "百分点" => POINTS,
        "个千分点" | "千分点" => PERMILLE_POINTS,
        other => {
            return Err(QuantityError::new(
                tr!(
                    "unknown unit \"{other}\" in change \"{t}\"",
                    "增减“{t}”中的单位“{other}”不认识"
                ),
                hint_change(),
            ));
        }
    };
    let signed = if down { -amount } else { amount };
    Ok(Change::from_signed(signed, unit, decimals))
}

impl Change {
    fn from_signed(signed: Decimal, unit: &str, digits: u32) -> Change {
        let direction = if signed.is_zero() {
            Direction::Flat
        } else if signed.is_sign_negative() {
            Direction::Down
        } else {
            Direction::Up
        };
        let mut amount = signed.abs();
        amount.set_sign_positive(true);
        Change {
            amount,
            direction,
            unit: unit.to_string(),
            digits,
        }
    }

    /// The amount with the sign of the direction.
    pub fn signed(&self) -> Decimal {
        match self.direction {
            Direction::Down => -self.amount,
            Direction::Up => self.amount,
            Direction::Flat => Decimal::ZERO,
        }
    }

    /// Whether the unit is 个百分点 / 个千分点 (a difference of rates).
    pub fn is_points(&self) -> bool {
        self.unit == POINTS || self.unit == PERMILLE_POINTS
    }

    /// 【k.增减】: the amount and unit, `0.41个百分点`, `20.17%`.
    pub fn amount_text(&self) -> String {
        format!("{}{}", format_decimal(self.amount, self.digits), self.unit)
    }

    /// 【k.同比】: `vs` + verb + amount, e.g. `同比增加0.41个百分点`,
    /// `同比上年下降20.17%`; a flat change is `vs` + `持平`. Default verbs:
    /// 增加/下降 for 个百分点 and 个千分点, 增长/下降 for relative changes.
    pub fn phrase(&self, vs: &str, up: Option<&str>, down: Option<&str>) -> String {
        let default_up = if self.is_points() { "增加" } else { "增长" };
        match self.direction {
            Direction::Flat => format!("{vs}持平"),
            Direction::Up => format!("{vs}{}{}", up.unwrap_or(default_up), self.amount_text()),
            Direction::Down => format!("{vs}{}{}", down.unwrap_or("下降"), self.amount_text()),
        }
    }

    /// Whether a stated change agrees with a computed one: same unit, and the
    /// signed amounts differ by at most half a unit of the less precise digits
    /// ([`values_agree`]); an up and a down never agree, a flat change agrees
    /// with a change too small to show at the less precise digits.
    pub fn agrees_with(&self, other: &Change) -> bool {
        let opposite = matches!(
            (self.direction, other.direction),
            (Direction::Up, Direction::Down) | (Direction::Down, Direction::Up)
        );
        self.unit == other.unit
            && !opposite
            && values_agree(self.signed(), self.digits, other.signed(), other.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The parts of a quantity, `|`-separated, `_` for none:
    /// approx|low|high|scale|plus|unit|bound|decimals.
    fn parts(q: &Quantity) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "_".into());
        let high = q.high.map_or_else(|| "_".into(), |h| h.to_string());
        let unit = if q.unit.is_empty() {
            "_"
        } else {
            q.unit.as_str()
        };
        format!(
            "{}|{}|{high}|{}|{}|{unit}|{}|{}",
            opt(&q.approx),
            q.low,
            q.scale,
            opt(&q.plus),
            opt(&q.bound),
            q.decimals
        )
    }

    #[test]
    fn grammar_examples() {
        let rows = [
            ("4000余名", "_|4000|_|0|余|名|_|0"),
            ("约18万人次", "约|18|_|4|_|人次|_|0"),
            ("2-3个", "_|2|3|0|_|个|_|0"),
            ("2~3个", "_|2|3|0|_|个|_|0"),
            ("2～3个", "_|2|3|0|_|个|_|0"),
            ("40%以上", "_|40|_|0|_|%|以上|0"),
            ("7/10万以内", "_|7|_|0|_|/10万|以内|0"),
            ("4.0个", "_|4.0|_|0|_|个|_|1"),
            ("14.02亿元", "_|14.02|_|8|_|元|_|2"),
            ("3.88万个", "_|3.88|_|4|_|个|_|2"),
            ("91.59%", "_|91.59|_|0|_|%|_|2"),
            ("5‰", "_|5|_|0|_|‰|_|0"),
            ("179.97/10万", "_|179.97|_|0|_|/10万|_|2"),
            ("1.15份/千人", "_|1.15|_|0|_|份/千人|_|2"),
            ("22150万元", "_|22150|_|4|_|元|_|0"),
            ("-20.17%", "_|-20.17|_|0|_|%|_|2"),
            ("118例", "_|118|_|0|_|例|_|0"),
            ("118", "_|118|_|0|_|_|_|0"),
            ("5万", "_|5|_|4|_|_|_|0"),
            ("近10万人", "近|10|_|4|_|人|_|0"),
            ("超过500人以上", "超过|500|_|0|_|人|以上|0"),
            ("逾1.2万亿元", "逾|1.2|_|12|_|元|_|1"),
            ("1.5-2.25万多户以下", "_|1.5|2.25|4|多|户|以下|2"),
            ("3.0版", "_|3.0|_|0|_|版|_|1"),
            ("1万例", "_|1|_|4|_|例|_|0"),
        ];
        for (text, want) in rows {
            let got = q(text);
            assert_eq!(parts(&got), want, "{text}");
            assert_eq!(got.text, text);
        }
    }

    #[test]
    fn bare_number_and_plus_sign() {
        let n = q("118");
        assert_eq!((n.low, n.unit.as_str(), n.scale), (d("118"), "", 0));
        assert_eq!(q("5万").scale, 4);
        assert_eq!(q("5万").unit, "");
        assert_eq!(q("+0.41%").low, d("0.41"));
        assert_eq!(q("-0").low.to_string(), "0");
    }

    #[test]
    fn text_round_trips_exactly() {
        for text in [
            "4.0个",
            "14.02亿元",
            "约18万人次",
            "0.50%",
            "007个",
            "2-3个",
            "7/10万以内",
        ] {
            let parsed = q(text);
            assert_eq!(parsed.text, text);
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(q("  4.0个 ").text, "4.0个");
        assert_eq!(q("4.0个").low.to_string(), "4.0");
    }

    fn rejects(text: &str) -> QuantityError {
        match Quantity::parse(text) {
            Ok(q) => panic!("{text:?} parsed as {q:?}"),
            Err(e) => {
                assert!(
                    !e.message.is_empty() && !e.hint.is_empty(),
                    "{text:?}: {e:?}"
                );
                e
            }
        }
    }

    #[test]
    fn rejects_malformed() {
        for text in [
            "abc",
            "",
            "   ",
            "1..2",
            "1-",
            "1~",
            "1.",
            ".5",
            "1.2.3",
            "约",
            "个",
            "3-2个",
            "1-2-3个",
            "4000名，",
            "4 个",
            "1,000个",
            "三家",
            "40%(以上)",
        ] {
            rejects(text);
        }
        assert!(rejects("1-").message.contains("range"));
        assert!(rejects(".5").hint.contains("0.5"));
        assert!(!rejects(".nan").hint.contains("0.5"));
        assert!(rejects("1,000个").message.contains("thousands"));
    }

    #[test]
    fn runaway_values_and_units_are_refused() {
        let long_unit = format!("1{}", "个".repeat(MAX_UNIT_CHARS + 1));
        assert!(rejects(&long_unit).message.contains("unit"));
        assert!(Quantity::parse(&format!("1{}", "个".repeat(MAX_UNIT_CHARS))).is_ok());
        let e = rejects(&format!("1{}", "个".repeat(100_000)));
        assert!(e.message.len() < 200, "{e}");
        assert!(e.message.contains("100001 characters"), "{e}");
        assert!(stated_change(&format!("1{}", "%".repeat(100))).is_err());
        let e = change(&q("45.6"), &q("42.3%"), 1).unwrap_err();
        assert_eq!(e.hint, "write the rate with its unit: 45.6%");
    }

    #[test]
    fn exponents_are_refused_and_latin_units_kept() {
        for text in ["1e400个", "1e400", "1.5E3元", "2-3e2个", "5e-3%", "1_000个"] {
            let e = rejects(text);
            assert!(
                e.message.contains("exponent") || e.message.contains("separator"),
                "{text}: {e}"
            );
        }
        assert!(rejects("1e400个").hint.contains("write the figure out"));
        assert_eq!(q("5km").unit, "km");
        assert_eq!(q("3.2mg/L").unit, "mg/L");
        assert_eq!(q("200MW").unit, "MW");
        assert_eq!(q("1200个5G基站").unit, "个5G基站");
    }

    #[test]
    fn rejects_full_width_digits_with_hint() {
        let e = rejects("４０００余名");
        assert!(e.message.contains("full-width"), "{e}");
        assert_eq!(e.hint, "type ASCII digits: 4000余名");
        assert_eq!(
            rejects("１４．０２亿元").hint,
            "type ASCII digits: 14.02亿元"
        );
    }

    #[test]
    fn huge_numbers_are_errors_not_panics() {
        let forty = "1".repeat(40);
        assert!(rejects(&forty).message.contains("too many digits"));
        assert!(
            rejects(&format!("0.{forty}"))
                .message
                .contains("too many digits")
        );
        // 28 digits parse, but scaling them by 亿 overflows: an error
        let big = q(&format!("{}亿元", "9".repeat(28)));
        assert!(big.scaled().unwrap_err().message.contains("too large"));
        let base = q("0.0000000000000000000000001元");
        let top = q(&format!("{}元", "9".repeat(28)));
        assert!(ratio_percent(&top, &base, 1).is_err());
        assert!(change(&top, &base, 1).is_err());
        assert!(change(&q(&format!("-{}元", "9".repeat(28))), &top, 1).is_err());
    }

    #[test]
    fn scaling() {
        assert_eq!(q("14.02亿元").scaled().unwrap(), d("1402000000"));
        assert_eq!(q("3.88万个").scaled().unwrap(), d("38800"));
        assert_eq!(q("22150万元").scaled().unwrap(), d("221500000"));
        assert_eq!(q("1.2万亿元").scaled().unwrap(), d("1200000000000"));
        assert_eq!(q("179.97/10万").scaled().unwrap(), d("179.97"));
        assert!(q("2-3个").scaled().unwrap_err().message.contains("range"));
    }

    #[test]
    fn percent_kinds() {
        assert_eq!(q("91.59%").percent_kind(), Some(PercentKind::Percent));
        assert_eq!(q("91.59％").percent_kind(), Some(PercentKind::Percent));
        assert_eq!(q("5‰").percent_kind(), Some(PercentKind::Permille));
        assert!(q("40%以上").is_percent());
        assert!(!q("7/10万").is_percent());
        assert!(!q("118例").is_percent());
        assert!(q("1%").same_unit(&q("2％")));
    }

    #[test]
    fn half_up_rounding() {
        assert_eq!(round_half_up(d("50.25"), 1), d("50.3"));
        assert_eq!(round_half_up(d("0.05"), 1), d("0.1"));
        assert_eq!(round_half_up(d("-0.05"), 1), d("-0.1"));
        assert_eq!(round_half_up(d("50.249999"), 1), d("50.2"));
        assert_eq!(round_half_up(d("2.5"), 0), d("3"));
        assert_eq!(round_half_up(d("4.0"), 3), d("4.0"));
        assert_eq!(round_half_up(d("1.5"), 100), d("1.5"));
    }

    #[test]
    fn decimal_formatting() {
        assert_eq!(format_decimal(d("50.25"), 1), "50.3");
        assert_eq!(format_decimal(d("101.998"), 0), "102");
        assert_eq!(format_decimal(d("0.41"), 2), "0.41");
        assert_eq!(format_decimal(d("102"), 1), "102.0");
        assert_eq!(format_decimal(d("0.4"), 2), "0.40");
        assert_eq!(format_decimal(d("-20.174"), 2), "-20.17");
        assert_eq!(format_decimal(d("-0.04"), 1), "0.0");
        assert_eq!(format_decimal(d("1234567.5"), 0), "1234568");
        assert_eq!(format_decimal(d("1"), 30).len(), 32);
    }

    #[test]
    fn ratios_with_scales() {
        assert_eq!(
            ratio_percent(&q("14.02亿元"), &q("27.87亿元"), 1).unwrap(),
            "50.3%"
        );
        assert_eq!(
            ratio_percent(&q("2.7万个"), &q("3.88万个"), 1).unwrap(),
            "69.6%"
        );
        assert_eq!(
            ratio_percent(&q("22150万元"), &q("2.1716亿元"), 1).unwrap(),
            "102.0%"
        );
        assert_eq!(
            ratio_percent(&q("1402000000元"), &q("27.87亿元"), 2).unwrap(),
            "50.30%"
        );
        assert_eq!(ratio_percent(&q("1个"), &q("8个"), 1).unwrap(), "12.5%");
        assert_eq!(ratio_percent(&q("1个"), &q("3个"), 0).unwrap(), "33%");
        // half-up on the exact value: 201/400 = 50.25% → 50.3%
        assert_eq!(ratio_percent(&q("201个"), &q("400个"), 1).unwrap(), "50.3%");
        assert_eq!(
            ratio_percent_value(&q("201个"), &q("400个"), 1).unwrap(),
            d("50.3")
        );
    }

    #[test]
    fn ratio_errors() {
        let e = ratio_percent(&q("14.02亿元"), &q("3个"), 1).unwrap_err();
        assert!(
            e.message.contains("\"元\"") && e.message.contains("\"个\""),
            "{e}"
        );
        let e = ratio_percent(&q("3个"), &q("0个"), 1).unwrap_err();
        assert!(e.message.contains("division by zero"), "{e}");
        assert!(
            ratio_percent(&q("3个"), &q("0.0万个"), 1)
                .unwrap_err()
                .message
                .contains("division by zero")
        );
        assert!(ratio_percent(&q("2-3个"), &q("5个"), 1).is_err());
        let e = ratio_percent(&q("3"), &q("5个"), 1).unwrap_err();
        assert!(e.message.contains("no unit"), "{e}");
    }

    #[test]
    fn points_for_percentages() {
        let c = change(&q("91.59%"), &q("91.18%"), 1).unwrap();
        assert_eq!(
            (c.direction, c.unit.as_str(), c.digits),
            (Direction::Up, "个百分点", 2)
        );
        assert_eq!(c.amount, d("0.41"));
        assert_eq!(c.amount_text(), "0.41个百分点");
        assert_eq!(c.phrase("同比", None, None), "同比增加0.41个百分点");
        let c = change(&q("80.5%"), &q("85%"), 1).unwrap();
        assert_eq!(
            (c.direction, c.amount_text()),
            (Direction::Down, "4.5个百分点".to_string())
        );
        assert_eq!(c.phrase("同比", None, None), "同比下降4.5个百分点");
        let c = change(&q("85%"), &q("80%"), 3).unwrap();
        assert_eq!(c.amount_text(), "5个百分点");
        let c = change(&q("85.0%"), &q("85.00%"), 1).unwrap();
        assert_eq!(c.direction, Direction::Flat);
        assert_eq!(c.phrase("同比", None, None), "同比持平");
        let c = change(&q("5.2‰"), &q("4.8‰"), 1).unwrap();
        assert_eq!(c.amount_text(), "0.4个千分点");
        assert_eq!(
            c.phrase("比上年", Some("上升"), None),
            "比上年上升0.4个千分点"
        );
    }

    #[test]
    fn relative_changes() {
        let c = change(&q("118例"), &q("148例"), 2).unwrap();
        // (118 - 148) / 148 = -20.2702…%
        assert_eq!(
            (c.direction, c.amount_text()),
            (Direction::Down, "20.27%".to_string())
        );
        assert_eq!(c.phrase("同比上年", None, None), "同比上年下降20.27%");
        let c = change(&q("3.88万个"), &q("3.2万个"), 1).unwrap();
        assert_eq!(c.amount_text(), "21.3%");
        assert_eq!(c.phrase("同比", None, None), "同比增长21.3%");
        assert_eq!(c.phrase("同比", Some("提高"), None), "同比提高21.3%");
        // mixed scales: 1.1亿元 vs 10000万元 → +10%
        let c = change(&q("1.1亿元"), &q("10000万元"), 1).unwrap();
        assert_eq!(
            (c.direction, c.amount_text()),
            (Direction::Up, "10.0%".to_string())
        );
        // half-up: 2005/2000 - 1 = 0.25% → 0.3%
        assert_eq!(
            change(&q("2005人"), &q("2000人"), 1).unwrap().amount_text(),
            "0.3%"
        );
        // rounds to zero → flat
        let c = change(&q("100001人"), &q("100000人"), 1).unwrap();
        assert_eq!(c.direction, Direction::Flat);
        assert_eq!(c.phrase("同比", None, None), "同比持平");
    }

    #[test]
    fn change_errors() {
        let e = change(&q("5%"), &q("5‰"), 1).unwrap_err();
        assert!(
            e.message.contains("\"%\"") && e.message.contains("\"‰\""),
            "{e}"
        );
        assert!(
            change(&q("5%"), &q("5个"), 1)
                .unwrap_err()
                .message
                .contains("unit mismatch")
        );
        assert!(
            change(&q("5个"), &q("0个"), 1)
                .unwrap_err()
                .message
                .contains("division by zero")
        );
        assert!(
            change(&q("5%"), &q("0%"), 1).is_ok(),
            "points need no division"
        );
        assert!(change(&q("2-3个"), &q("1个"), 1).is_err());
    }

    #[test]
    fn stated_changes() {
        let c = stated_change("-20.17%").unwrap();
        assert_eq!(
            c,
            Change {
                amount: d("20.17"),
                direction: Direction::Down,
                unit: "%".into(),
                digits: 2
            }
        );
        assert_eq!(stated_change("下降20.17%").unwrap(), c);
        assert_eq!(stated_change(" −20.17％ ").unwrap(), c);
        let p = stated_change("+0.41个百分点").unwrap();
        assert_eq!(
            (p.direction, p.amount_text()),
            (Direction::Up, "0.41个百分点".to_string())
        );
        assert_eq!(stated_change("0.41个百分点").unwrap(), p);
        assert_eq!(stated_change("增加0.41百分点").unwrap(), p);
        assert_eq!(stated_change("2个千分点").unwrap().unit, "个千分点");
        assert_eq!(
            stated_change("增长3.5%")
                .unwrap()
                .phrase("同比", None, None),
            "同比增长3.5%"
        );
        assert_eq!(stated_change("持平").unwrap().direction, Direction::Flat);
        assert_eq!(stated_change("0%").unwrap().direction, Direction::Flat);
        for bad in [
            "",
            "abc",
            "-20.17",
            "下降-3%",
            "20.17例",
            "同比下降20.17%",
            "－２０%",
            "1..2%",
        ] {
            let e = stated_change(bad).unwrap_err();
            assert!(!e.hint.is_empty(), "{bad}");
        }
        assert!(
            stated_change("同比下降20.17%")
                .unwrap_err()
                .hint
                .contains("下降20.17%")
        );
    }

    #[test]
    fn agreement_of_changes() {
        let computed = change(&q("91.59%"), &q("91.18%"), 1).unwrap();
        assert!(
            stated_change("0.41个百分点")
                .unwrap()
                .agrees_with(&computed)
        );
        assert!(stated_change("0.4个百分点").unwrap().agrees_with(&computed));
        assert!(!stated_change("0.5个百分点").unwrap().agrees_with(&computed));
        assert!(
            !stated_change("-0.41个百分点")
                .unwrap()
                .agrees_with(&computed)
        );
        assert!(
            !stated_change("0.41%").unwrap().agrees_with(&computed),
            "unit differs"
        );
        let rel = change(&q("118例"), &q("148例"), 2).unwrap(); // down 20.27
        assert!(stated_change("-20.3%").unwrap().agrees_with(&rel));
        assert!(stated_change("-20%").unwrap().agrees_with(&rel));
        assert!(!stated_change("-20.17%").unwrap().agrees_with(&rel));
        assert!(!stated_change("20.27%").unwrap().agrees_with(&rel));
        let flat = change(&q("100001人"), &q("100000人"), 1).unwrap();
        assert!(stated_change("0.0%").unwrap().agrees_with(&flat));
        assert!(!stated_change("0.2%").unwrap().agrees_with(&flat));
    }

    #[test]
    fn agreement_of_rates() {
        let (v, b) = (q("14.02亿元"), q("27.87亿元")); // 50.3049…%
        assert!(rate_agrees(&q("50.3%"), &v, &b).unwrap());
        assert!(rate_agrees(&q("50%"), &v, &b).unwrap());
        assert!(rate_agrees(&q("50.30%"), &v, &b).unwrap());
        assert!(!rate_agrees(&q("50.4%"), &v, &b).unwrap());
        assert!(!rate_agrees(&q("50.31%"), &v, &b).unwrap());
        assert!(rate_agrees(&q("50%以上"), &v, &b).unwrap());
        assert!(!rate_agrees(&q("51%以上"), &v, &b).unwrap());
        assert!(rate_agrees(&q("51%以内"), &v, &b).unwrap());
        assert!(rate_agrees(&q("50.3个"), &v, &b).is_err());
        assert!(rate_agrees(&q("50.3%"), &v, &q("0亿元")).is_err());

        assert!(percent_agrees("50.3%", "50.3%").unwrap());
        assert!(percent_agrees("50%", "50.3%").unwrap());
        assert!(!percent_agrees("50.4%", "50.3%").unwrap());
        assert!(!percent_agrees("49%", "50.3%").unwrap());
        assert!(percent_agrees("50%", "5‰").is_err());
        assert!(percent_agrees("abc", "50.3%").is_err());

        assert!(values_agree(d("20.2"), 1, d("20.17"), 2));
        assert!(values_agree(d("20.2"), 1, d("20.25"), 2));
        assert!(!values_agree(d("20.3"), 1, d("20.17"), 2));
        assert!(values_agree(d("1"), 40, d("1"), 40));
    }

    #[test]
    fn error_display_has_hint() {
        let e = Quantity::parse("abc").unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("abc") && shown.contains("hint:"), "{shown}");
    }
}
