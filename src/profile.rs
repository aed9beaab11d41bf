//! The layout profile: every number of the GB/T 9704 layout (paper, margins,
//! grid, faces and sizes per role, page numbers, tables, signature) with the
//! standard's defaults, and loading of a user's partial YAML profile that
//! overrides any of them. Shared by the PDF and HTML writers.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
}

/// A partial role in a user file: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleOverride {
    size_pt: Option<f32>,
    families: Option<Vec<String>>,
    file: Option<PathBuf>,
    index: Option<u32>,
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
    Alternate,
    /// Centred on every page.
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
    pub padding_pt: f32,
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

fn role(size_pt: f32, families: &[&str]) -> RoleProfile {
    RoleProfile {
        size_pt,
        families: families.iter().map(|s| s.to_string()).collect(),
        file: None,
        index: 0,
    }
}

const FANGSONG: &[&str] = &[
    "仿宋_GB2312",
    "FangSong_GB2312",
    "仿宋",
    "FangSong",
    "方正仿宋_GBK",
    "方正仿宋简体",
    "华文仿宋",
    "STFangsong",
    "simfang.ttf",
    "FANGSONG_GB2312.TTF",
    "fangsong_gb2312.ttf",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
];

impl Default for FontRoles {
    fn default() -> Self {
        FontRoles {
            title: role(
                22.0,
                &[
                    "方正小标宋简体",
                    "方正小标宋_GBK",
                    "FZXiaoBiaoSong-B05S",
                    "FZXiaoBiaoSong-B05",
                    "小标宋",
                    "FZXBSJW.TTF",
                    "FZXBSK.TTF",
                    "Noto Serif CJK SC:bold",
                    "Source Han Serif SC:bold",
                    "Source Han Serif CN:bold",
                    "Noto Serif SC:bold",
                ],
            ),
            body: role(16.0, FANGSONG),
            heading1: role(
                16.0,
                &[
                    "黑体",
                    "SimHei",
                    "方正黑体_GBK",
                    "方正黑体简体",
                    "华文黑体",
                    "STHeiti",
                    "simhei.ttf",
                    "Noto Sans CJK SC",
                    "Source Han Sans SC",
                    "Source Han Sans CN",
                    "Noto Sans SC",
                    "WenQuanYi Zen Hei",
                    "WenQuanYi Micro Hei",
                ],
            ),
            heading2: role(
                16.0,
                &[
                    "楷体_GB2312",
                    "KaiTi_GB2312",
                    "楷体",
                    "KaiTi",
                    "方正楷体_GBK",
                    "方正楷体简体",
                    "华文楷体",
                    "STKaiti",
                    "simkai.ttf",
                    "KAITI_GB2312.TTF",
                    "kaiti_gb2312.ttf",
                    "LXGW WenKai",
                    "霞鹜文楷",
                    "AR PL UKai CN",
                    "AR PL KaitiM GB",
                ],
            ),
            page_number: role(
                14.0,
                &[
                    "宋体",
                    "SimSun",
                    "华文宋体",
                    "STSong",
                    "simsun.ttc",
                    "Noto Serif CJK SC",
                    "Source Han Serif SC",
                    "Source Han Serif CN",
                    "Noto Serif SC",
                ],
            ),
            table: role(12.0, FANGSONG),
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
    /// Checks that the numbers make a usable page.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let p = &self.page;
        let checks: [(&str, bool); 8] = [
            (
                "page.width_mm",
                p.width_mm > 0.0 && p.margin_left_mm + p.text_width_mm <= p.width_mm,
            ),
            (
                "page.height_mm",
                p.height_mm > 0.0 && p.margin_top_mm + p.text_height_mm <= p.height_mm,
            ),
            ("page.text_width_mm", p.text_width_mm > 10.0),
            ("page.text_height_mm", p.text_height_mm > 10.0),
            ("grid.lines_per_page", self.grid.lines_per_page >= 3),
            ("grid.chars_per_line", self.grid.chars_per_line >= 4),
            (
                "grid.line_pitch_pt",
                self.grid.line_pitch_pt > 0.0
                    && self.grid.line_pitch_pt * self.grid.lines_per_page as f32
                        <= self.text_height() + 0.5,
            ),
            ("table.line_pitch_pt", self.table.line_pitch_pt > 0.0),
        ];
        for (key, ok) in checks {
            if !ok {
                return Err(ProfileError::Invalid {
                    key: key.to_string(),
                });
            }
        }
        for (name, r) in self.fonts.roles() {
            if !(r.size_pt > 1.0 && r.size_pt < 200.0) {
                return Err(ProfileError::Invalid {
                    key: format!("fonts.{name}.size_pt"),
                });
            }
        }
        Ok(())
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
    /// A YAML or schema error (unknown key, wrong type) with its location.
    Parse {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
    /// A value that makes no usable page.
    Invalid { key: String },
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
            ProfileError::Invalid { key } => {
                write!(f, "profile value `{key}` makes no usable page")
            }
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
                message: e.message().trim().to_string(),
            }
        })?
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let message = e.to_string();
            let message = message
                .lines()
                .next()
                .unwrap_or("invalid profile")
                .to_string();
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
        metadata
    );
    if let Some(r) = file.fonts {
        apply_role(&mut p.fonts.title, r.title, base_dir);
        apply_role(&mut p.fonts.body, r.body, base_dir);
        apply_role(&mut p.fonts.heading1, r.heading1, base_dir);
        apply_role(&mut p.fonts.heading2, r.heading2, base_dir);
        apply_role(&mut p.fonts.page_number, r.page_number, base_dir);
        apply_role(&mut p.fonts.table, r.table, base_dir);
    }
    p.validate()?;
    Ok(p)
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
        assert!(matches!(
            parse_profile("grid:\n  line_pitch_pt: 40\n", Path::new("p.yaml")),
            Err(ProfileError::Invalid { .. })
        ));
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
}
