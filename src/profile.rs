//! The layout profile: every number of the GB/T 9704 layout (paper, margins,
//! grid, faces and sizes per role, page numbers, tables, signature) with the
//! standard's defaults, and loading of a user's partial YAML profile that
//! overrides any of them. Shared by the PDF and HTML writers.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::tr;

/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// The complete layout profile. `Profile::default()` is the national layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    pub page: PageProfile,
    pub grid: GridProfile,
    pub fonts: FontRoles,
    pub title: TitleProfile,
    pub headings: HeadingProfile,
    pub page_number: PageNumberProfile,
    pub signature: SignatureProfile,
    pub table: TableProfile,
    pub metadata: MetadataProfile,
    pub text: TextProfile,
}

/// Paper and text block, in millimetres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageProfile {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margin_top_mm: f32,
    /// Binding (left) margin.
    pub margin_left_mm: f32,
    pub text_width_mm: f32,
    pub text_height_mm: f32,
}

impl PageProfile {
    /// The margin below the text block (what is left of the height).
    pub fn margin_bottom_mm(&self) -> f32 {
        self.height_mm - self.margin_top_mm - self.text_height_mm
    }

    /// The margin right of the text block (what is left of the width).
    pub fn margin_right_mm(&self) -> f32 {
        self.width_mm - self.margin_left_mm - self.text_width_mm
    }
}

/// The character grid of the text block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridProfile {
    pub lines_per_page: u32,
    pub chars_per_line: u32,
    /// Distance between baselines in points (the standard gives none; tools use 28–29.45).
    pub line_pitch_pt: f32,
    /// First-line indent of paragraphs and headings, in characters.
    pub indent_chars: f32,
}

/// One font role: size, preferred faces in order, an optional font file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleProfile {
    pub size_pt: f32,
    /// Family names (or font file names such as `simfang.ttf`) tried in
    /// order in the `--font-path` folders and then the system fonts. A
    /// `:bold` suffix asks for the bold weight of a family.
    pub families: Vec<String>,
    /// A font file that fills the role before any search.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Face index inside a collection file (`.ttc`).
    #[serde(default)]
    pub index: u32,
    /// The font name the DOCX writes for the role (default: the official
    /// face, such as 仿宋_GB2312; `仿宋` or any other name the office has).
    #[serde(default)]
    pub docx_name: Option<String>,
}

/// A partial role in a user file: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleOverride {
    size_pt: Option<f32>,
    families: Option<Vec<String>>,
    file: Option<PathBuf>,
    index: Option<u32>,
    docx_name: Option<String>,
}

/// The font roles of the layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FontRoles {
    /// 2号 小标宋.
    pub title: RoleProfile,
    /// 3号 仿宋 (body, levels 3 and 4, signature, date).
    pub body: RoleProfile,
    /// 3号 黑体 (`一、` headings, attachment labels).
    pub heading1: RoleProfile,
    /// 3号 楷体 (`（一）` headings and run-in leads).
    pub heading2: RoleProfile,
    /// 4号 宋体 page numbers.
    pub page_number: RoleProfile,
    /// Table body (仿宋, 小4 by default).
    pub table: RoleProfile,
}

/// The title block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TitleProfile {
    /// Blank grid lines between the title and the body.
    pub blank_lines_after: u32,
    /// Widest title line as a fraction of the text width.
    pub max_width_fraction: f32,
    /// Fewest characters allowed on the last line of a multi-line title.
    pub min_last_line_chars: u32,
}

/// Heading and emphasis options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeadingProfile {
    /// Level 3 (`1.`) headings in bold (many offices do).
    pub heading3_bold: bool,
    /// Level 4 (`（1）`) headings in bold.
    pub heading4_bold: bool,
    /// `**一是…**` item leads in bold.
    pub strong_bold: bool,
    /// Bold is drawn as a stroke of this width, in em.
    pub bold_stroke_em: f32,
}

/// Where page numbers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageNumberPlacement {
    /// Odd pages right, even pages left (double-sided printing).
    #[serde(alias = "alternating", alias = "odd-even", alias = "odd_even")]
    Alternate,
    /// Centred on every page.
    #[serde(
        alias = "center",
        alias = "centre",
        alias = "centered",
        alias = "middle"
    )]
    Centred,
    /// Right on every page.
    Right,
}

/// Page numbers: `— N —` in 4号 宋体 below the text block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageNumberProfile {
    pub show: bool,
    /// Format; `{n}` is replaced by the page number.
    pub format: String,
    pub placement: PageNumberPlacement,
    /// From the bottom of the text block to the top of the number.
    pub offset_mm: f32,
    /// Distance from the text block's edge, in characters of the number's size.
    pub indent_chars: f32,
}

/// 署名 and 成文日期 (GB/T 9704 7.3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignatureProfile {
    /// Blank lines between the body and the signature.
    pub blank_lines_before: u32,
    /// 署名 right indent in characters.
    pub right_indent_chars: f32,
    /// The date's first character sits this many characters right of the signature's.
    pub date_shift_chars: f32,
}

/// The task table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TableProfile {
    pub line_pitch_pt: f32,
    /// Space above and below the text of a cell.
    pub padding_pt: f32,
    /// Space left and right of the text of a cell (Word's 0.19 cm).
    pub cell_margin_pt: f32,
    pub rule_width_pt: f32,
    /// Header row in the level-1 face (黑体).
    pub header_bold_face: bool,
    /// Set tables on landscape pages (the portrait page turned a quarter
    /// clockwise, so the table's head is at the binding edge of an odd page
    /// and the outer edge of an even one); an attachment holding a table
    /// turns with it. The page number stays where portrait pages have it.
    pub landscape: bool,
}

/// The optional metadata block (索引号, 文号, …) above the title.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetadataProfile {
    pub print: bool,
}

/// What is done to the report's text before any writer sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextProfile {
    pub ascii_punctuation: AsciiPunctuation,
}

/// ASCII `, ; : ? ! ( )` next to Chinese text: kept as typed, or turned
/// into `， ； ： ？ ！ （ ）` (`crate::text::full_width_punctuation`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AsciiPunctuation {
    #[default]
    #[serde(alias = "as-typed", alias = "as_typed")]
    Keep,
    #[serde(
        alias = "fullwidth",
        alias = "full_width",
        alias = "full",
        alias = "全角"
    )]
    FullWidth,
}

impl TextProfile {
    /// The Markdown intermediate with the text options applied, so the
    /// Markdown, HTML and PDF writers all see the same text.
    pub fn apply(&self, markdown: String) -> String {
        match self.ascii_punctuation {
            AsciiPunctuation::Keep => markdown,
            AsciiPunctuation::FullWidth => crate::text::full_width_punctuation(&markdown),
        }
    }
}

impl Default for FontRoles {
    /// Sizes of GB/T 9704; each role's families are the one lookup list of
    /// `fonts::Role::families` (official faces, then stand-ins).
    fn default() -> Self {
        use crate::fonts::Role;
        let role = |size_pt: f32, r: Role| RoleProfile {
            size_pt,
            families: r.families(),
            file: None,
            index: 0,
            docx_name: None,
        };
        FontRoles {
            title: role(22.0, Role::Title),
            body: role(16.0, Role::Body),
            heading1: role(16.0, Role::Heading1),
            heading2: role(16.0, Role::Heading2),
            page_number: role(14.0, Role::PageNumber),
            table: role(12.0, Role::Table),
        }
    }
}

impl Default for PageProfile {
    fn default() -> Self {
        PageProfile {
            width_mm: 210.0,
            height_mm: 297.0,
            margin_top_mm: 37.0,
            margin_left_mm: 28.0,
            text_width_mm: 156.0,
            text_height_mm: 225.0,
        }
    }
}

impl Default for GridProfile {
    fn default() -> Self {
        GridProfile {
            lines_per_page: 22,
            chars_per_line: 28,
            line_pitch_pt: 28.95,
            indent_chars: 2.0,
        }
    }
}

impl Default for TitleProfile {
    fn default() -> Self {
        TitleProfile {
            blank_lines_after: 1,
            max_width_fraction: 1.0,
            min_last_line_chars: 3,
        }
    }
}

impl Default for HeadingProfile {
    fn default() -> Self {
        HeadingProfile {
            heading3_bold: false,
            heading4_bold: false,
            strong_bold: true,
            bold_stroke_em: 0.03,
        }
    }
}

impl Default for PageNumberProfile {
    fn default() -> Self {
        PageNumberProfile {
            show: true,
            format: "— {n} —".to_string(),
            placement: PageNumberPlacement::Alternate,
            offset_mm: 7.0,
            indent_chars: 1.0,
        }
    }
}

impl Default for SignatureProfile {
    fn default() -> Self {
        SignatureProfile {
            blank_lines_before: 1,
            right_indent_chars: 2.0,
            date_shift_chars: 2.0,
        }
    }
}

impl Default for TableProfile {
    fn default() -> Self {
        TableProfile {
            line_pitch_pt: 18.0,
            padding_pt: 3.0,
            cell_margin_pt: 5.4,
            rule_width_pt: 0.5,
            header_bold_face: true,
            landscape: false,
        }
    }
}

impl Profile {
    /// Width of the text block in points.
    pub fn text_width(&self) -> f32 {
        self.page.text_width_mm * PT_PER_MM
    }
    /// Height of the text block in points.
    pub fn text_height(&self) -> f32 {
        self.page.text_height_mm * PT_PER_MM
    }
    /// Character pitch of the grid (156 mm / 28 ≈ 15.79 pt).
    pub fn char_pitch(&self) -> f32 {
        self.text_width() / self.grid.chars_per_line.max(1) as f32
    }
    /// Every number of the profile with its key, value, range and unit, in
    /// the order of `zongjie profile` (the ranges are documented in
    /// docs/profile.md).
    pub fn numbers(&self) -> Vec<Number> {
        let (p, g, t, h) = (&self.page, &self.grid, &self.title, &self.headings);
        let (pn, sg, tb) = (&self.page_number, &self.signature, &self.table);
        let n = |key: &'static str, value: f64, min: f64, max: f64, unit: &'static str| Number {
            key: key.into(),
            value,
            min,
            max,
            unit,
        };
        let mut out = vec![
            n("page.width_mm", p.width_mm.into(), 50.0, 2000.0, "mm"),
            n("page.height_mm", p.height_mm.into(), 50.0, 2000.0, "mm"),
            n(
                "page.margin_top_mm",
                p.margin_top_mm.into(),
                0.0,
                1000.0,
                "mm",
            ),
            n(
                "page.margin_left_mm",
                p.margin_left_mm.into(),
                0.0,
                1000.0,
                "mm",
            ),
            n(
                "page.text_width_mm",
                p.text_width_mm.into(),
                10.0,
                2000.0,
                "mm",
            ),
            n(
                "page.text_height_mm",
                p.text_height_mm.into(),
                10.0,
                2000.0,
                "mm",
            ),
            n(
                "grid.lines_per_page",
                g.lines_per_page.into(),
                3.0,
                200.0,
                "lines",
            ),
            n(
                "grid.chars_per_line",
                g.chars_per_line.into(),
                4.0,
                200.0,
                "characters",
            ),
            n(
                "grid.line_pitch_pt",
                g.line_pitch_pt.into(),
                1.0,
                500.0,
                "pt",
            ),
            n(
                "grid.indent_chars",
                g.indent_chars.into(),
                0.0,
                10.0,
                "characters",
            ),
        ];
        for (name, r) in self.fonts.roles() {
            out.push(Number {
                key: format!("fonts.{name}.size_pt"),
                value: r.size_pt.into(),
                min: 2.0,
                max: 200.0,
                unit: "pt",
            });
        }
        out.extend([
            n(
                "title.blank_lines_after",
                t.blank_lines_after.into(),
                0.0,
                10.0,
                "lines",
            ),
            n(
                "title.max_width_fraction",
                t.max_width_fraction.into(),
                0.2,
                1.0,
                "",
            ),
            n(
                "title.min_last_line_chars",
                t.min_last_line_chars.into(),
                0.0,
                20.0,
                "characters",
            ),
            n(
                "headings.bold_stroke_em",
                h.bold_stroke_em.into(),
                0.0,
                0.2,
                "em",
            ),
            n(
                "page_number.offset_mm",
                pn.offset_mm.into(),
                0.0,
                100.0,
                "mm",
            ),
            n(
                "page_number.indent_chars",
                pn.indent_chars.into(),
                0.0,
                20.0,
                "characters",
            ),
            n(
                "signature.blank_lines_before",
                sg.blank_lines_before.into(),
                0.0,
                10.0,
                "lines",
            ),
            n(
                "signature.right_indent_chars",
                sg.right_indent_chars.into(),
                0.0,
                20.0,
                "characters",
            ),
            n(
                "signature.date_shift_chars",
                sg.date_shift_chars.into(),
                -10.0,
                10.0,
                "characters",
            ),
            n(
                "table.line_pitch_pt",
                tb.line_pitch_pt.into(),
                1.0,
                200.0,
                "pt",
            ),
            n("table.padding_pt", tb.padding_pt.into(), 0.0, 50.0, "pt"),
            n(
                "table.cell_margin_pt",
                tb.cell_margin_pt.into(),
                0.0,
                50.0,
                "pt",
            ),
            n(
                "table.rule_width_pt",
                tb.rule_width_pt.into(),
                0.0,
                10.0,
                "pt",
            ),
        ]);
        out
    }

    /// Checks that every number is finite and in its range, and that
    /// together they make a usable page: the text block on the paper, the
    /// grid's lines in the text block, indents shorter than a line, the page
    /// number on the page. The error names the keys at fault, the value and
    /// what it must be.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let defaults = Profile::default().numbers();
        for (num, default) in self.numbers().iter().zip(&defaults) {
            let v = num.value;
            let what = if v.is_nan() {
                tr!("is not a number", "不是数字")
            } else if v.is_infinite() {
                tr!("is infinite", "是无穷大")
            } else if v < num.min || v > num.max {
                tr!("is {}", "为 {}", short(v))
            } else {
                continue;
            };
            let gap = zh_gap(unit_words(num.unit));
            return Err(ProfileError::Invalid {
                keys: vec![num.key.clone()],
                message: tr!(
                    "`{}` {what}: it must be between {} and {}{}{} (the default is {})",
                    "`{}` {what}，应在 {} 到 {}{}{}{gap}之间（默认值为 {}）",
                    num.key,
                    short(num.min),
                    short(num.max),
                    if num.unit.is_empty() { "" } else { " " },
                    unit_words(num.unit),
                    short(default.value)
                ),
            });
        }
        let (p, g) = (&self.page, &self.grid);
        let invalid = |keys: &[&str], message: String| {
            Err(ProfileError::Invalid {
                keys: keys.iter().map(|k| k.to_string()).collect(),
                message,
            })
        };
        if p.margin_left_mm + p.text_width_mm > p.width_mm {
            return invalid(
                &["page.text_width_mm", "page.margin_left_mm", "page.width_mm"],
                tr!(
                    "the text block runs off the page: `page.margin_left_mm` + `page.text_width_mm` is {} + {} mm, wider than `page.width_mm` ({} mm); make the margin or the text narrower, or the page wider",
                    "正文区超出了纸张：`page.margin_left_mm` + `page.text_width_mm` 为 {} + {} mm，比纸张宽度 `page.width_mm`（{} mm）还宽；请把左边距或正文区宽度改小，或把纸张改宽",
                    short(p.margin_left_mm.into()),
                    short(p.text_width_mm.into()),
                    short(p.width_mm.into())
                ),
            );
        }
        if p.margin_top_mm + p.text_height_mm > p.height_mm {
            return invalid(
                &[
                    "page.text_height_mm",
                    "page.margin_top_mm",
                    "page.height_mm",
                ],
                tr!(
                    "the text block runs off the page: `page.margin_top_mm` + `page.text_height_mm` is {} + {} mm, taller than `page.height_mm` ({} mm); make the margin or the text shorter, or the page taller",
                    "正文区超出了纸张：`page.margin_top_mm` + `page.text_height_mm` 为 {} + {} mm，比纸张高度 `page.height_mm`（{} mm）还高；请把上边距或正文区高度改小，或把纸张改高",
                    short(p.margin_top_mm.into()),
                    short(p.text_height_mm.into()),
                    short(p.height_mm.into())
                ),
            );
        }
        let grid_height = f64::from(g.line_pitch_pt) * f64::from(g.lines_per_page);
        if grid_height > f64::from(self.text_height()) + 0.5 {
            return invalid(
                &[
                    "grid.line_pitch_pt",
                    "grid.lines_per_page",
                    "page.text_height_mm",
                ],
                tr!(
                    "the grid does not fit the text block: {} lines × {} pt is {} pt, more than `page.text_height_mm` ({} mm = {} pt); use fewer lines, a smaller `grid.line_pitch_pt` or a taller text block",
                    "正文区放不下这么多行：{} 行 × {} pt 为 {} pt，超过了正文区高度 `page.text_height_mm`（{} mm = {} pt）；请减少行数、把 `grid.line_pitch_pt` 改小，或把正文区加高",
                    g.lines_per_page,
                    short(g.line_pitch_pt.into()),
                    short(grid_height),
                    short(p.text_height_mm.into()),
                    short(self.text_height().into())
                ),
            );
        }
        let chars = g.chars_per_line as f32;
        for (key, v) in [
            ("grid.indent_chars", g.indent_chars),
            (
                "signature.right_indent_chars",
                self.signature.right_indent_chars,
            ),
            ("page_number.indent_chars", self.page_number.indent_chars),
        ] {
            if v >= chars {
                return invalid(
                    &[key, "grid.chars_per_line"],
                    tr!(
                        "`{key}` ({}) leaves no room on a line of `grid.chars_per_line` ({}) characters; it must be less",
                        "`{key}`（{}）不小于每行字数 `grid.chars_per_line`（{}），一行里就没有位置了；请改成比每行字数小的数",
                        short(v.into()),
                        g.chars_per_line
                    ),
                );
            }
        }
        let number_bottom = p.margin_top_mm
            + p.text_height_mm
            + self.page_number.offset_mm
            + self.fonts.page_number.size_pt / PT_PER_MM;
        if self.page_number.show && number_bottom > p.height_mm {
            return invalid(
                &[
                    "page_number.offset_mm",
                    "fonts.page_number.size_pt",
                    "page.height_mm",
                ],
                tr!(
                    "the page number falls off the page: `page_number.offset_mm` ({} mm) below the text block ends {} mm down a {} mm page; make the offset smaller",
                    "页码超出了纸张：页码在正文区下方 `page_number.offset_mm`（{} mm）处，下沿到了纸张顶端以下 {} mm，而纸张只有 {} mm 高；请把这个距离改小",
                    short(self.page_number.offset_mm.into()),
                    short(number_bottom.into()),
                    short(p.height_mm.into())
                ),
            );
        }
        Ok(())
    }
}

/// One number of the profile and the closed range it must lie in.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Dotted key, as in the file: `table.rule_width_pt`.
    pub key: String,
    pub value: f64,
    pub min: f64,
    pub max: f64,
    /// `mm`, `pt`, `lines`…; empty for a fraction.
    pub unit: &'static str,
}

/// A unit of [`Number::unit`] in the current language: `lines` and
/// `characters` in words, `mm`, `pt` and `em` as they are.
fn unit_words(unit: &str) -> &str {
    unit_in(crate::i18n::current(), unit)
}

/// [`unit_words`] in a given language.
fn unit_in(lang: Lang, unit: &str) -> &str {
    match (lang, unit) {
        (Lang::Zh, "lines") => "行",
        (Lang::Zh, "characters") => "字",
        _ => unit,
    }
}

/// The space that sets Chinese text off after a number's unit `unit`:
/// one after ASCII or no unit (`100 mm 之间`, `1 之间`), none after
/// Chinese (`200 行之间`).
fn zh_gap(unit: &str) -> &'static str {
    if unit.chars().last().is_some_and(|c| !c.is_ascii()) {
        ""
    } else {
        " "
    }
}

/// A number as a person writes it: `0.5`, `-1`, `28.95` (no float noise).
fn short(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == r.trunc() && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

impl FontRoles {
    /// The roles with their profile keys, in a fixed order.
    pub fn roles(&self) -> [(&'static str, &RoleProfile); 6] {
        [
            ("title", &self.title),
            ("body", &self.body),
            ("heading1", &self.heading1),
            ("heading2", &self.heading2),
            ("page_number", &self.page_number),
            ("table", &self.table),
        ]
    }
}

/// Errors of `load_profile`.
#[derive(Debug)]
pub enum ProfileError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// An error at a place in the file: YAML or TOML syntax, an unknown
    /// key, a wrong type, or a number out of its range.
    Parse {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// Numbers that make no usable page: `keys` are the keys at fault,
    /// the one to point at first.
    Invalid { keys: Vec<String>, message: String },
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProfileError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            ProfileError::Parse {
                path,
                line,
                column,
                message,
            } => {
                write!(f, "{}:{line}:{column}: {message}", path.display())
            }
            ProfileError::Invalid { message, .. } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// The file form: roles are partial, everything else uses serde defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ProfileFile {
    page: Option<PageProfile>,
    grid: Option<GridProfile>,
    fonts: Option<RolesFile>,
    title: Option<TitleProfile>,
    headings: Option<HeadingProfile>,
    page_number: Option<PageNumberProfile>,
    signature: Option<SignatureProfile>,
    table: Option<TableProfile>,
    metadata: Option<MetadataProfile>,
    text: Option<TextProfile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RolesFile {
    title: Option<RoleOverride>,
    body: Option<RoleOverride>,
    heading1: Option<RoleOverride>,
    heading2: Option<RoleOverride>,
    page_number: Option<RoleOverride>,
    table: Option<RoleOverride>,
}

fn apply_role(base: &mut RoleProfile, o: Option<RoleOverride>, base_dir: &Path) {
    let Some(o) = o else { return };
    if let Some(v) = o.size_pt {
        base.size_pt = v;
    }
    if let Some(v) = o.families {
        base.families = v;
    }
    if let Some(v) = o.file {
        base.file = Some(if v.is_relative() { base_dir.join(v) } else { v });
    }
    if let Some(v) = o.index {
        base.index = v;
    }
    if let Some(v) = o.docx_name {
        base.docx_name = Some(v);
    }
}

/// Parses a YAML profile text over the defaults. Font files named relative
/// to `base_dir`. Errors carry line and column.
/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let p = crate::load::position_of(text, offset);
    (p.line as u64, p.col as u64)
}

/// Parses a profile: TOML when `path` ends in `.toml`, else YAML. Keys not
/// given keep their defaults; unknown keys are errors with line:column.
pub fn parse_profile(text: &str, path: &Path) -> Result<Profile, ProfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let file: ProfileFile = if text.trim().is_empty() {
        ProfileFile::default()
    } else if is_toml {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |span| line_column(text, span.start));
            ProfileError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: parser_message(e.message().trim(), true),
            }
        })?
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let message = e.to_string();
            let message = without_location(message.lines().next().unwrap_or("invalid profile"));
            let message = plain_type_error(text, line, column, &message)
                .unwrap_or_else(|| parser_message(&message, false));
            ProfileError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        })?
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let mut p = Profile::default();
    macro_rules! take {
        ($($f:ident),*) => { $( if let Some(v) = file.$f { p.$f = v; } )* };
    }
    take!(
        page,
        grid,
        title,
        headings,
        page_number,
        signature,
        table,
        metadata,
        text
    );
    if let Some(r) = file.fonts {
        apply_role(&mut p.fonts.title, r.title, base_dir);
        apply_role(&mut p.fonts.body, r.body, base_dir);
        apply_role(&mut p.fonts.heading1, r.heading1, base_dir);
        apply_role(&mut p.fonts.heading2, r.heading2, base_dir);
        apply_role(&mut p.fonts.page_number, r.page_number, base_dir);
        apply_role(&mut p.fonts.table, r.table, base_dir);
    }
    match p.validate() {
        Ok(()) => Ok(p),
        Err(ProfileError::Invalid { keys, message }) => {
            let at = keys
                .iter()
                .find_map(|k| locate_key(text, is_toml, k).map(|pos| (k, pos)));
            match at {
                Some((_, (line, column))) => Err(ProfileError::Parse {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                }),
                None => Err(ProfileError::Invalid { keys, message }),
            }
        }
        Err(e) => Err(e),
    }
}

/// Line and column of the value of a dotted key (`table.padding_pt`) in
/// a profile's text, when the file gives it.
fn locate_key(text: &str, is_toml: bool, key: &str) -> Option<(u64, u64)> {
    let path: Vec<&str> = key.split('.').collect();
    if is_toml {
        let root = toml::de::DeTable::parse(text).ok()?;
        let mut table = root.get_ref();
        let (last, parents) = path.split_last()?;
        for part in parents {
            let (_, v) = table.iter().find(|(k, _)| k.get_ref() == part)?;
            match v.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
        let (_, v) = table.iter().find(|(k, _)| k.get_ref() == last)?;
        Some(line_column(text, v.span().start))
    } else {
        // `.nan` and `.inf` as text: untyped, they would be refused.
        let options = serde_saphyr::options! {
            non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
        };
        let root: YamlNode = serde_saphyr::from_str_with_options(text, options).ok()?;
        let mut node = &root;
        let mut at = None;
        for part in path {
            let (_, v) = node.0.iter().find(|(k, _)| k == part)?;
            at = Some((v.referenced.line(), v.referenced.column()));
            node = &v.value;
        }
        at
    }
}

/// A YAML type error (`invalid floating point`, `invalid u32`, `expected
/// string scalar`) in plain words: the key, the kind of value it takes and
/// its range, and what was found. `None`: not a type error.
/// A parser message without the `error: line 2 column 14: ` it starts with:
/// the diagnostic says where, once, as `file:line:col`.
fn without_location(message: &str) -> String {
    let mut m = message.trim();
    m = m.strip_prefix("error:").map_or(m, str::trim_start);
    if let Some(rest) = m.strip_prefix("line ")
        && let Some((place, after)) = rest.split_once(": ")
        && place
            .split(" column ")
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        m = after;
    }
    m.to_string()
}

fn plain_type_error(text: &str, line: u64, column: u64, raw: &str) -> Option<String> {
    let kind = raw.rsplit(": ").next().unwrap_or(raw).trim();
    let whole = [
        "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64",
    ]
    .iter()
    .find(|t| kind == format!("invalid {t}"));
    let expected = if kind.contains("floating point") || kind.contains("f64") {
        tr!("a number", "数字")
    } else if let Some(t) = whole {
        let max = match *t {
            "u8" => u64::from(u8::MAX),
            "u16" => u64::from(u16::MAX),
            "u32" => u64::from(u32::MAX),
            _ => u64::MAX,
        };
        tr!("a whole number from 0 to {max}", " 0 到 {max} 的整数")
    } else if kind.contains("string") {
        tr!("text (a name or a file path)", "文字（名称或文件路径）")
    } else if kind.contains("bool") {
        tr!("true or false", " `true` 或 `false`")
    } else {
        return None;
    };
    let key = key_at(text, line, column)?;
    // A key with a known range says it, whatever the parser's words were.
    let expected = match Profile::default()
        .numbers()
        .into_iter()
        .find(|n| n.key == key)
    {
        Some(n) => {
            let unit = if n.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", unit_words(n.unit))
            };
            if crate::i18n::zh() {
                format!(
                    " {} 到 {}{unit}{}之间的{}",
                    short(n.min),
                    short(n.max),
                    zh_gap(&unit),
                    if whole.is_some() { "整数" } else { "数字" }
                )
            } else {
                format!(
                    "{} between {} and {}{unit}",
                    if whole.is_some() {
                        "a whole number"
                    } else {
                        "a number"
                    },
                    short(n.min),
                    short(n.max),
                )
            }
        }
        None => expected,
    };
    let found = text
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .map(|l| {
            value_text(
                &l.chars()
                    .skip(column.saturating_sub(1) as usize)
                    .collect::<String>(),
            )
        })
        .filter(|f| !f.is_empty())
        .map(|f| format!("`{}`", f.chars().take(40).collect::<String>()))
        .unwrap_or_else(|| tr!("nothing", "空值"));
    let found = if found == "`~`" || found == "`null`" {
        tr!("nothing (`~` is no value)", "空值（`~` 表示没有值）")
    } else {
        found
    };
    // In Chinese a quoted value is set off by a space, a word is not.
    let space = if found.starts_with('`') { " " } else { "" };
    Some(tr!(
        "`{key}` takes {expected}; found {found}",
        "`{key}` 应填{expected}；这里写的是{space}{found}"
    ))
}

/// A YAML or TOML parser's message as a reader of the current language
/// understands it: in Chinese, the common kinds (unknown key, value not
/// among the choices, a key given twice, a mapping or list expected, a
/// value of the wrong type) in words, any other as a sentence with the
/// parser's own text after it. English: the parser's text as it is.
fn parser_message(raw: &str, toml: bool) -> String {
    match crate::i18n::current() {
        Lang::En => raw.to_string(),
        Lang::Zh => parser_message_zh(raw, toml),
    }
}

/// The names of a serde `expected …` list: `one of a, b`, `` `a` or `b` ``,
/// each in backticks, joined with 、.
fn choices_zh(list: &str) -> String {
    let list = list.trim();
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|name| name.trim().trim_matches('`'))
        .filter(|name| !name.is_empty())
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join("、")
}

/// A type as serde names it (`u32`, `a string`, `struct GridProfile`,
/// `string "x"`), in Chinese words.
fn type_zh(t: &str) -> String {
    let t = t.trim();
    let (kind, value) = match t.split_once(' ') {
        Some((k, v)) if matches!(k, "string" | "integer" | "boolean") => (k, Some(v)),
        Some(("floating", v)) => ("floating", v.strip_prefix("point ")),
        _ => (t, None),
    };
    let word = match kind.trim_start_matches("a ").trim_start_matches("an ") {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "integer" => "整数",
        "f32" | "f64" | "floating" | "floating point" => "数字",
        "string" | "str" | "char" => "文字",
        "boolean" | "bool" => "`true` 或 `false`",
        "sequence" | "array" => "列表",
        "map" | "table" => "一组「字段: 值」",
        "unit value" | "null" | "none" => "空值",
        other if other.starts_with("struct ") || other.starts_with("map") => "一组「字段: 值」",
        other if other.starts_with("enum ") || other.starts_with("variant") => "可选的值之一",
        _ => return format!("`{t}`"),
    };
    match value {
        Some(v) => format!("{word} {}", v.trim()),
        None => word.to_string(),
    }
}

fn parser_message_zh(raw: &str, toml: bool) -> String {
    let raw = raw.trim();
    if let Some(rest) = raw.strip_prefix("unknown field `")
        && let Some((name, after)) = rest.split_once('`')
    {
        let after = after.trim_start_matches(',').trim();
        return match after.strip_prefix("expected ") {
            Some(list) => format!(
                "没有 `{name}` 这个字段；这一级可以写的字段有：{}",
                choices_zh(list)
            ),
            None => format!("没有 `{name}` 这个字段；这一级不能再写字段"),
        };
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `")
        && let Some((name, after)) = rest.split_once('`')
    {
        let after = after.trim_start_matches(',').trim();
        return match after.strip_prefix("expected ") {
            Some(list) => format!("`{name}` 不是可选的值；可以写：{}", choices_zh(list)),
            None => format!("`{name}` 不是可选的值"),
        };
    }
    if let Some(rest) = raw.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("字段 `{key}` 写了两次；请只保留一处");
    }
    if let Some(rest) = raw.strip_prefix("duplicate field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        return format!("字段 `{key}` 写了两次；请只保留一处");
    }
    if let Some(rest) = raw.strip_prefix("missing field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        return format!("缺少字段 `{key}`");
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("这里应填{}，写的却是{}", type_zh(expected), type_zh(found));
    }
    match raw {
        "expected mapping start" => {
            return "这里应写一组「字段: 值」（每个字段一行，比上一级多缩进两格）".to_string();
        }
        "expected sequence start" => {
            return "这里应写一个列表，例如 `[仿宋_GB2312, FangSong]`".to_string();
        }
        _ => {}
    }
    let language = if toml { "TOML" } else { "YAML" };
    format!("{language} 写法有误，请对照 `zongjie profile` 的输出修改（解析器原文：{raw}）")
}

/// The value written at the start of `rest`: a bracketed `[…]` / `{…}` to
/// its matching close, else up to the next `,` `]` `}` or comment.
fn value_text(rest: &str) -> String {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' if depth > 1 => depth -= 1,
            ']' | '}' if depth == 1 => return rest[..=i].trim().to_string(),
            ',' | ']' | '}' | '#' if depth == 0 => return rest[..i].trim().to_string(),
            _ => {}
        }
    }
    rest.trim().to_string()
}

/// The dotted key whose value is at (or last before) `line`:`column`.
fn key_at(text: &str, line: u64, column: u64) -> Option<String> {
    let root: YamlNode = serde_saphyr::from_str(text).ok()?;
    let mut best: Option<((u64, u64), String)> = None;
    // Depth-first over (node, dotted prefix); bounded by the profile's cap.
    let mut stack = vec![(&root, String::new())];
    while let Some((node, prefix)) = stack.pop() {
        for (k, v) in &node.0 {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            let at = (v.referenced.line(), v.referenced.column());
            if at <= (line, column) && best.as_ref().is_none_or(|(b, _)| at >= *b) {
                best = Some((at, key.clone()));
            }
            stack.push((&v.value, key));
        }
    }
    best.map(|(_, k)| k)
}

/// Line and column of a role's `file:` in a profile's text (to locate a
/// font file that is no font).
pub fn locate_font_file(text: &str, path: &Path, role: &str) -> Option<(u64, u64)> {
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    locate_key(text, is_toml, &format!("fonts.{role}.file"))
}

/// A YAML document as nested mappings, each value with its place; other
/// values are empty nodes. Only for locating keys.
struct YamlNode(Vec<(String, serde_saphyr::Spanned<YamlNode>)>);

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = YamlNode;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<YamlNode, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    out.push((k, m.next_value()?));
                }
                Ok(YamlNode(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<YamlNode, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(YamlNode(Vec::new()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_i64<E>(self, _: i64) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_u64<E>(self, _: u64) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_f64<E>(self, _: f64) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_str<E>(self, _: &str) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_unit<E>(self) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<YamlNode, E> {
                Ok(YamlNode(Vec::new()))
            }
            fn visit_some<D2: serde::Deserializer<'de>>(
                self,
                d: D2,
            ) -> Result<YamlNode, D2::Error> {
                YamlNode::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// Loads a YAML profile file; keys it leaves out keep their defaults,
/// unknown keys are errors with line:col.
pub fn load_profile(path: &Path) -> Result<Profile, ProfileError> {
    let text = crate::files::read_text(path, crate::files::Kind::Profile).map_err(|d| {
        ProfileError::Io {
            path: path.to_path_buf(),
            error: std::io::Error::other(d.message),
        }
    })?;
    parse_profile(&text, path)
}

/// What each key of the profile means and which values it takes, for the
/// comments of `zongjie profile` (number ranges come from
/// [`Profile::numbers`]), in English and in Chinese. Keys are dotted;
/// `fonts.*` applies to every role.
const KEY_NOTES: &[(&str, &str, &str)] = &[
    (
        "page",
        "paper and text block (GB/T 9704: A4, text block 156 × 225 mm)",
        "纸张和正文区（GB/T 9704：A4 纸，正文区 156 × 225 mm）",
    ),
    ("page.width_mm", "paper width", "纸张宽度"),
    ("page.height_mm", "paper height", "纸张高度"),
    (
        "page.margin_top_mm",
        "from the paper's top edge to the text block",
        "纸张上边缘到正文区的距离（天头）",
    ),
    (
        "page.margin_left_mm",
        "binding (left) margin",
        "装订边（左边距）",
    ),
    (
        "page.text_width_mm",
        "width of the text block",
        "正文区宽度",
    ),
    (
        "page.text_height_mm",
        "height of the text block",
        "正文区高度",
    ),
    (
        "grid",
        "the character grid of the text block",
        "正文区的字行网格",
    ),
    ("grid.lines_per_page", "lines per page", "每页行数"),
    ("grid.chars_per_line", "characters per line", "每行字数"),
    (
        "grid.line_pitch_pt",
        "distance between baselines",
        "行距（相邻两行基线的距离）",
    ),
    (
        "grid.indent_chars",
        "first-line indent of paragraphs and headings",
        "段落和标题的首行缩进",
    ),
    (
        "fonts",
        "one entry per role: title, body, heading1, heading2, page_number, table",
        "每种用途一项：title（标题）、body（正文）、heading1（一级标题）、heading2（二级标题）、page_number（页码）、table（表格）",
    ),
    ("fonts.title", "2号 小标宋: the title", "2号小标宋：标题"),
    (
        "fonts.body",
        "3号 仿宋: body, levels 3 and 4, signature, date",
        "3号仿宋：正文、三级和四级标题、署名、成文日期",
    ),
    (
        "fonts.heading1",
        "3号 黑体: 一、 headings, attachment labels",
        "3号黑体：“一、”级标题、附件标识",
    ),
    (
        "fonts.heading2",
        "3号 楷体: （一） headings and run-in leads",
        "3号楷体：“（一）”级标题和段首领句",
    ),
    (
        "fonts.page_number",
        "4号 宋体: page numbers",
        "4号宋体：页码",
    ),
    (
        "fonts.table",
        "小4 仿宋: task tables",
        "小4号仿宋：任务表格",
    ),
    ("fonts.*.size_pt", "size", "字号"),
    (
        "fonts.*.families",
        "family names or font file names, tried in order (--font-path folders, then the system); name:bold asks for the bold weight",
        "字体名或字体文件名，依次查找（先 --font-path 指定的文件夹，再系统字体）；写成 名称:bold 表示要粗体",
    ),
    (
        "fonts.*.file",
        "a font file (.ttf/.otf/.ttc) that fills the role before any search; null: search families",
        "直接使用的字体文件（.ttf/.otf/.ttc），优先于查找；null 表示按 families 查找",
    ),
    (
        "fonts.*.index",
        "face index inside a .ttc collection, 0 or more",
        ".ttc 字体集中的字体序号，0 或更大",
    ),
    (
        "fonts.*.docx_name",
        "the font name written into the .docx (what Word/WPS looks up); null: the role's official face (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体)",
        "写进 .docx 的字体名（Word/WPS 按它找字体）；null 表示用该用途的标准字体（方正小标宋简体、仿宋_GB2312、黑体、楷体_GB2312、宋体）",
    ),
    ("title", "the title block", "标题"),
    (
        "title.blank_lines_after",
        "blank grid lines between the title and the body",
        "标题与正文之间空几行",
    ),
    (
        "title.max_width_fraction",
        "widest title line, as a fraction of the text width",
        "标题每行的最大宽度，占正文区宽度的比例",
    ),
    (
        "title.min_last_line_chars",
        "fewest characters on the last line of a title of several lines",
        "多行标题最后一行至少几个字",
    ),
    ("headings", "headings and emphasis", "标题层级和加粗"),
    (
        "headings.heading3_bold",
        "level-3 headings (1.) in bold: true or false",
        "三级标题（1.）是否加粗：true 或 false",
    ),
    (
        "headings.heading4_bold",
        "level-4 headings ((1)) in bold: true or false",
        "四级标题（(1)）是否加粗：true 或 false",
    ),
    (
        "headings.strong_bold",
        "run-in item leads (一是…) in bold: true or false",
        "段首领句（一是……）是否加粗：true 或 false",
    ),
    (
        "headings.bold_stroke_em",
        "bold is drawn as a stroke this wide",
        "加粗用描边表现，描边的粗细",
    ),
    (
        "page_number",
        "page numbers below the text block",
        "正文区下方的页码",
    ),
    (
        "page_number.show",
        "print page numbers: true or false",
        "是否印页码：true 或 false",
    ),
    (
        "page_number.format",
        "the number's text; {n} is the page number",
        "页码的文字；{n} 代表页码数字",
    ),
    (
        "page_number.placement",
        "alternate (odd pages right, even left) | centred (also center, centre, centered, middle) | right",
        "alternate（单页居右、双页居左）| centred（也可写 center、centre、centered、middle，居中）| right（居右）",
    ),
    (
        "page_number.offset_mm",
        "from the bottom of the text block to the top of the number",
        "正文区下边缘到页码上边缘的距离",
    ),
    (
        "page_number.indent_chars",
        "distance from the text block's edge, in characters of the number's size",
        "页码离正文区边缘的距离，以页码字号的字数计",
    ),
    (
        "signature",
        "署名 and 成文日期 under the body",
        "正文下方的署名和成文日期",
    ),
    (
        "signature.blank_lines_before",
        "blank lines between the body and the signature",
        "正文与署名之间空几行",
    ),
    (
        "signature.right_indent_chars",
        "the signature's right indent",
        "署名的右缩进",
    ),
    (
        "signature.date_shift_chars",
        "the date starts this many characters right of the signature",
        "成文日期比署名向右错开几个字",
    ),
    ("table", "task tables", "任务表格"),
    (
        "table.line_pitch_pt",
        "distance between baselines in a cell",
        "单元格内的行距（基线间距）",
    ),
    (
        "table.padding_pt",
        "space above and below a cell's text",
        "单元格文字上下的留白",
    ),
    (
        "table.cell_margin_pt",
        "space left and right of a cell's text",
        "单元格文字左右的留白",
    ),
    ("table.rule_width_pt", "width of the rules", "表格线的粗细"),
    (
        "table.header_bold_face",
        "header row in the heading1 face (黑体): true or false",
        "表头是否用一级标题字体（黑体）：true 或 false",
    ),
    (
        "table.landscape",
        "tables on landscape pages: true or false",
        "表格是否放在横向页面上：true 或 false",
    ),
    (
        "metadata",
        "the metadata block (索引号, 文号, …) above the title",
        "标题上方的版头信息（索引号、文号等）",
    ),
    (
        "metadata.print",
        "print it: true or false",
        "是否印出：true 或 false",
    ),
    (
        "text",
        "what is done to the report's text before any writer sees it",
        "在各种输出生成之前对报告文字做的处理",
    ),
    (
        "text.ascii_punctuation",
        "keep (as typed; check warns) | full-width (also fullwidth, full_width, 全角): ASCII , ; : ? ! ( ) next to Chinese text become ， ； ： ？ ！ （ ）",
        "keep（保持原样；检查时给出警告）| full-width（也可写 fullwidth、full_width、全角）：中文旁的半角 , ; : ? ! ( ) 改为 ， ； ： ？ ！ （ ）",
    ),
];

/// The comment of dotted `key` in `lang`: its meaning, and its range for a
/// number.
fn key_note(lang: Lang, key: &str, numbers: &[Number]) -> Option<String> {
    let generic = match key.split('.').collect::<Vec<_>>().as_slice() {
        ["fonts", role, field] if !role.is_empty() => format!("fonts.*.{field}"),
        _ => key.to_string(),
    };
    let meaning = KEY_NOTES
        .iter()
        .find(|(k, _, _)| *k == generic)
        .map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en })?;
    let range = numbers.iter().find(|n| n.key == key).map(|n| {
        let unit = if n.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", unit_in(lang, n.unit))
        };
        let separator = if lang == Lang::Zh { "；" } else { "; " };
        format!("{separator}{}–{}{unit}", n.min, n.max)
    });
    Some(format!("{meaning}{}", range.unwrap_or_default()))
}

/// The default profile as YAML with a comment on every key (its meaning,
/// allowed values or range): what `zongjie profile` prints. Reads back as
/// the defaults. The comments are in the current language.
pub fn commented_defaults() -> Result<String, String> {
    commented_defaults_in(crate::i18n::current())
}

/// [`commented_defaults`] with its comments in `lang`.
pub fn commented_defaults_in(lang: Lang) -> Result<String, String> {
    let defaults = Profile::default();
    let yaml = serde_saphyr::to_string(&defaults).map_err(|e| {
        if lang == Lang::Zh {
            format!("无法写出默认版式配置（{e}）")
        } else {
            e.to_string()
        }
    })?;
    let numbers = defaults.numbers();
    let mut out = String::from(if lang == Lang::Zh {
        "# zongjie 版式配置：GB/T 9704-2012 的默认值。请保存为数据文件旁边的 profile.yaml\n\
         # （或用 --profile 文件 指定），只保留要改的几项即可。\n"
    } else {
        "# zongjie layout profile: the GB/T 9704-2012 defaults. Save it as profile.yaml\n\
         # next to the data (or pass --profile FILE) and keep only the keys you change.\n"
    });
    // The dotted path of the keys above, one per indentation step of two.
    let mut path: Vec<String> = Vec::new();
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let key = (!body.starts_with('-'))
            .then(|| body.split_once(':').map(|(k, _)| k))
            .flatten();
        let Some(key) = key else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        path.truncate(indent / 2);
        path.push(key.to_string());
        let dotted = path.join(".");
        match key_note(lang, &dotted, &numbers) {
            Some(note) => out.push_str(&format!("{line}   # {note}\n")),
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_profiles_override_and_locate_unknown_keys() {
        let p = parse_profile("[grid]\nline_pitch_pt = 28.0\n", Path::new("zongjie.toml")).unwrap();
        assert_eq!(p.grid.line_pitch_pt, 28.0);
        assert_eq!(p.grid.chars_per_line, 28);
        match parse_profile("[grid]\nline_pich_pt = 28.0\n", Path::new("zongjie.toml")) {
            Err(ProfileError::Parse { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("line_pich_pt"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_match_the_standard() {
        let p = Profile::default();
        assert!((p.char_pitch() - 15.79).abs() < 0.01, "{}", p.char_pitch());
        assert_eq!(p.grid.lines_per_page, 22);
        assert_eq!(p.fonts.title.size_pt, 22.0);
        assert_eq!(p.fonts.page_number.size_pt, 14.0);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn partial_file_overrides_only_its_keys() {
        let yaml = "grid:\n  lines_per_page: 22\n  chars_per_line: 28\n  line_pitch_pt: 28.5\n  indent_chars: 2\npage_number:\n  placement: centred\nfonts:\n  body:\n    size_pt: 15\n";
        let p = parse_profile(yaml, Path::new("p.yaml")).unwrap();
        assert_eq!(p.grid.line_pitch_pt, 28.5);
        assert_eq!(p.page_number.placement, PageNumberPlacement::Centred);
        assert_eq!(p.page_number.format, "— {n} —");
        assert_eq!(p.fonts.body.size_pt, 15.0);
        assert_eq!(p.fonts.body.families, FontRoles::default().body.families);
        assert_eq!(p.fonts.title, FontRoles::default().title);
    }

    #[test]
    fn ascii_punctuation_option_reads_and_applies() {
        assert_eq!(
            Profile::default().text.ascii_punctuation,
            AsciiPunctuation::Keep
        );
        let p = parse_profile(
            "text: {ascii_punctuation: full-width}\n",
            Path::new("p.yaml"),
        )
        .unwrap();
        assert_eq!(p.text.ascii_punctuation, AsciiPunctuation::FullWidth);
        assert_eq!(p.text.apply("(一)甲,乙".into()), "（一）甲，乙");
        assert_eq!(
            Profile::default().text.apply("(一)甲,乙".into()),
            "(一)甲,乙"
        );
        let t = parse_profile(
            "[text]\nascii_punctuation = \"full-width\"\n",
            Path::new("zongjie.toml"),
        )
        .unwrap();
        assert_eq!(t.text.ascii_punctuation, AsciiPunctuation::FullWidth);
        // Obvious spellings are synonyms.
        for spelling in ["fullwidth", "full_width", "全角"] {
            let p = parse_profile(
                &format!("text:\n  ascii_punctuation: {spelling}\n"),
                Path::new("p.yaml"),
            )
            .unwrap();
            assert_eq!(p.text.ascii_punctuation, AsciiPunctuation::FullWidth);
        }
        match parse_profile("text:\n  ascii_punctuation: wide\n", Path::new("p.yaml")) {
            Err(ProfileError::Parse { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("full-width"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn section_fields_default_individually() {
        let p = parse_profile("grid:\n  line_pitch_pt: 28\n", Path::new("p.yaml")).unwrap();
        assert_eq!(p.grid.line_pitch_pt, 28.0);
        assert_eq!(p.grid.chars_per_line, 28);
    }

    #[test]
    fn unknown_key_is_an_error_with_location() {
        let err = parse_profile("grid:\n  line_pich_pt: 28\n", Path::new("p.yaml")).unwrap_err();
        match err {
            ProfileError::Parse {
                line,
                column,
                ref message,
                ..
            } => {
                assert_eq!(line, 2, "{message}");
                assert!(column >= 1);
                assert!(message.contains("line_pich_pt"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_profile("fonts:\n  bodyy: {}\n", Path::new("p.yaml")).is_err());
    }

    #[test]
    fn unusable_numbers_are_rejected() {
        match parse_profile("grid:\n  line_pitch_pt: 40\n", Path::new("p.yaml")) {
            Err(ProfileError::Parse {
                line,
                column,
                message,
                ..
            }) => {
                assert_eq!((line, column), (2, 18), "{message}");
                assert!(message.contains("22 lines × 40 pt is 880 pt"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn error_of(text: &str, file: &str) -> (u64, u64, String) {
        match parse_profile(text, Path::new(file)) {
            Err(ProfileError::Parse {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn negative_nan_and_infinite_numbers_are_errors_at_their_place() {
        for (yaml, key, what, at) in [
            (
                "table:\n  rule_width_pt: -1\n",
                "table.rule_width_pt",
                "is -1",
                (2, 18),
            ),
            (
                "table:\n  rule_width_pt: .nan\n",
                "table.rule_width_pt",
                "is not a number",
                (2, 18),
            ),
            (
                "headings:\n  bold_stroke_em: -1\n",
                "headings.bold_stroke_em",
                "is -1",
                (2, 19),
            ),
            (
                "table:\n  padding_pt: .nan\n",
                "table.padding_pt",
                "is not a number",
                (2, 15),
            ),
            (
                "grid:\n  indent_chars: .nan\n",
                "grid.indent_chars",
                "is not a number",
                (2, 17),
            ),
            (
                "page_number:\n  offset_mm: .inf\n",
                "page_number.offset_mm",
                "is infinite",
                (2, 14),
            ),
            (
                "fonts:\n  body:\n    size_pt: 0\n",
                "fonts.body.size_pt",
                "is 0",
                (3, 14),
            ),
            (
                "title:\n  max_width_fraction: .nan\n",
                "title.max_width_fraction",
                "is not a number",
                (2, 23),
            ),
        ] {
            let (line, column, message) = error_of(yaml, "p.yaml");
            assert_eq!((line, column), at, "{yaml}: {message}");
            assert!(
                message.starts_with(&format!("`{key}` {what}: it must be between ")),
                "{message}"
            );
            assert!(message.contains("(the default is "), "{message}");
        }
        let (line, column, message) = error_of("[table]\nrule_width_pt = nan\n", "zongjie.toml");
        assert_eq!((line, column), (2, 17), "{message}");
        assert!(
            message.contains("`table.rule_width_pt` is not a number"),
            "{message}"
        );
        let (line, _, message) = error_of(
            "[page_number]\nshow = true\noffset_mm = -inf\n",
            "zongjie.toml",
        );
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("is infinite"), "{message}");
    }

    #[test]
    fn nested_tables_and_flow_mappings_are_located_too() {
        let (line, column, m) = error_of("[fonts.body]\nsize_pt = nan\n", "zongjie.toml");
        assert_eq!((line, column), (2, 11), "{m}");
        let (line, column, m) = error_of("fonts: {body: {size_pt: .inf}}\n", "p.yaml");
        assert_eq!((line, column), (1, 25), "{m}");
        // An alias is located where it is used.
        let (line, _, m) = error_of(
            "table:\n  padding_pt: &x .nan\ngrid:\n  indent_chars: *x\n",
            "p.yaml",
        );
        assert_eq!(line, 4, "{m}");
        assert!(m.contains("`grid.indent_chars` is not a number"), "{m}");
    }

    #[test]
    fn an_empty_or_off_page_text_area_is_an_error() {
        let (line, _, m) = error_of("page:\n  margin_left_mm: 200\n", "p.yaml");
        assert_eq!(line, 2, "{m}");
        assert!(m.contains("the text block runs off the page"), "{m}");
        let (line, _, m) = error_of("page:\n  height_mm: 100\n", "p.yaml");
        assert_eq!(line, 2, "{m}");
        assert!(m.contains("taller than `page.height_mm` (100 mm)"), "{m}");
        assert!(
            error_of("grid:\n  lines_per_page: 0\n", "p.yaml")
                .2
                .contains("is 0")
        );
        assert!(
            error_of("grid:\n  chars_per_line: 0\n", "p.yaml")
                .2
                .contains("is 0")
        );
        assert!(
            error_of("page:\n  text_width_mm: 0\n", "p.yaml")
                .2
                .contains("is 0")
        );
        let (line, _, m) = error_of("grid:\n  chars_per_line: 8\n  indent_chars: 9\n", "p.yaml");
        assert_eq!(line, 3, "{m}");
        assert!(m.contains("leaves no room"), "{m}");
        let (line, _, m) = error_of("page_number:\n  offset_mm: 60\n", "p.yaml");
        assert_eq!(line, 2, "{m}");
        assert!(m.contains("the page number falls off the page"), "{m}");
        // A whole number where an integer is wanted is a type error, located.
        let (line, _, _) = error_of("grid:\n  lines_per_page: -1\n", "p.yaml");
        assert_eq!(line, 2);
    }

    #[test]
    fn every_default_is_inside_its_range() {
        for n in Profile::default().numbers() {
            assert!(n.value >= n.min && n.value <= n.max, "{n:?}");
        }
    }

    #[test]
    fn relative_font_file_resolves_next_to_the_profile() {
        let p = parse_profile(
            "fonts:\n  title:\n    file: f/x.ttf\n",
            Path::new("/d/p.yaml"),
        )
        .unwrap();
        assert_eq!(p.fonts.title.file.as_deref(), Some(Path::new("/d/f/x.ttf")));
    }

    #[test]
    fn the_chinese_comments_explain_every_key_and_read_back() {
        let text = commented_defaults_in(Lang::Zh).unwrap();
        let p = parse_profile(&text, Path::new("profile.yaml")).unwrap();
        assert_eq!(p, Profile::default());
        let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for line in text.lines() {
            let body = line.trim_start();
            if body.starts_with("- ") {
                continue;
            }
            let comment = line
                .split_once("# ")
                .map(|(_, c)| c)
                .unwrap_or_else(|| panic!("no comment: {line}"));
            assert!(chinese(comment), "not Chinese: {line}");
        }
        assert!(text.contains("lines_per_page: 22   # 每页行数；3–200 行\n"));
        assert!(text.contains("line_pitch_pt: 28.95   # 行距（相邻两行基线的距离）；1–500 pt\n"));
        // Every key of the table has its Chinese.
        assert!(
            KEY_NOTES
                .iter()
                .all(|(_, en, zh)| !en.is_empty() && chinese(zh))
        );
    }

    #[test]
    fn parser_messages_in_chinese_name_the_key_and_the_choices() {
        assert_eq!(
            parser_message_zh(
                "unknown field `line_pich`, expected one of `lines_per_page`, `indent_chars`",
                true
            ),
            "没有 `line_pich` 这个字段；这一级可以写的字段有：`lines_per_page`、`indent_chars`"
        );
        assert_eq!(
            parser_message_zh(
                "unknown variant `wide`, expected `keep` or `full-width`",
                false
            ),
            "`wide` 不是可选的值；可以写：`keep`、`full-width`"
        );
        assert_eq!(
            parser_message_zh(
                "duplicate mapping key: show, set DuplicateKeyPolicy in Options if acceptable",
                false
            ),
            "字段 `show` 写了两次；请只保留一处"
        );
        assert_eq!(
            parser_message_zh("invalid type: string \"x\", expected u32", true),
            "这里应填整数，写的却是文字 \"x\""
        );
        assert!(
            parser_message_zh("unclosed table, expected `]`", true).starts_with(
                "TOML 写法有误，请对照 `zongjie profile` 的输出修改（解析器原文：unclosed table"
            )
        );
        assert_eq!(unit_in(Lang::Zh, "lines"), "行");
        assert_eq!(unit_in(Lang::En, "lines"), "lines");
        assert_eq!(unit_in(Lang::Zh, "mm"), "mm");
    }

    #[test]
    fn commented_defaults_explain_every_key_and_read_back() {
        let text = commented_defaults().unwrap();
        let p = parse_profile(&text, Path::new("profile.yaml")).unwrap();
        assert_eq!(p, Profile::default());
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let body = line.trim_start();
            if body.starts_with("- ") {
                continue;
            }
            assert!(line.contains("   # "), "no comment: {line}");
        }
        assert!(
            text.contains(
                "placement: alternate   # alternate (odd pages right, even left) | centred"
            )
        );
        assert!(text.contains("width_mm: 210.0   # paper width; 50–2000 mm"));
        assert!(text.contains("size_pt: 22.0   # size; 2–200 pt"));
    }

    #[test]
    fn placement_takes_the_obvious_spellings() {
        for spelling in ["centred", "center", "centre", "centered", "middle"] {
            let p = parse_profile(
                &format!("page_number: {{placement: {spelling}}}\n"),
                Path::new("p.yaml"),
            )
            .unwrap();
            assert_eq!(
                p.page_number.placement,
                PageNumberPlacement::Centred,
                "{spelling}"
            );
        }
        let p = parse_profile(
            "[page_number]\nplacement = \"center\"\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(p.page_number.placement, PageNumberPlacement::Centred);
        let p = parse_profile("page_number: {placement: odd-even}\n", Path::new("p.yaml")).unwrap();
        assert_eq!(p.page_number.placement, PageNumberPlacement::Alternate);
        // What is printed stays the one spelling.
        assert!(
            commented_defaults()
                .unwrap()
                .contains("placement: alternate")
        );
    }

    #[test]
    fn a_parse_error_says_where_only_once() {
        match parse_profile("page_number:\n  placement: sideways\n", Path::new("p.yaml")) {
            Err(ProfileError::Parse {
                line,
                column,
                message,
                ..
            }) => {
                assert_eq!((line, column), (2, 14));
                assert!(
                    !message.contains("line 2") && !message.starts_with("error"),
                    "{message}"
                );
                assert!(message.contains("unknown variant `sideways`"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            without_location("error: line 2 column 14: unknown variant"),
            "unknown variant"
        );
        assert_eq!(without_location("line 12: bad"), "bad");
        assert_eq!(without_location("lines are bad: x"), "lines are bad: x");
    }
}
