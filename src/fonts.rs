//! Fonts: the six layout roles (title, body, heading1, heading2, page
//! number, table) resolved to faces in the order profile file →
//! `--font-path` folders → system fonts → bundled open fonts compiled into
//! the binary; the fallback chain for characters a face lacks; `describe`
//! for `zongjie fonts`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::i18n::{Lang, io_error};
use crate::profile::{Profile, RoleProfile};
use crate::tr;

/// The bundled faces, subset to the 通用规范汉字表 (8,105 characters) ∪
/// GB 2312 plus the marks and units reports use by
/// `scripts/make-fonts.py` (licences in `fonts/`). Compiled in, so any
/// copy of the binary prints a 仿宋 body without a `fonts/` folder beside it.
const BUNDLED: [(&str, &str, &[u8]); 5] = [
    (
        "FandolFang",
        "FandolFang-Regular.otf",
        include_bytes!("../fonts/FandolFang-Regular.otf"),
    ),
    (
        "FandolKai",
        "FandolKai-Regular.otf",
        include_bytes!("../fonts/FandolKai-Regular.otf"),
    ),
    (
        "Noto Serif CJK SC",
        "NotoSerifSC-Regular.otf",
        include_bytes!("../fonts/NotoSerifSC-Regular.otf"),
    ),
    (
        "Noto Serif CJK SC Bold",
        "NotoSerifSC-Bold.otf",
        include_bytes!("../fonts/NotoSerifSC-Bold.otf"),
    ),
    (
        "Noto Sans CJK SC Medium",
        "NotoSansSC-Medium.otf",
        include_bytes!("../fonts/NotoSansSC-Medium.otf"),
    ),
];
const BUNDLED_FANG: usize = 0;
const BUNDLED_KAI: usize = 1;
const BUNDLED_SERIF: usize = 2;
const BUNDLED_SERIF_BOLD: usize = 3;
const BUNDLED_SANS: usize = 4;

/// The official 公文 faces of each role: a system face named here stands in
/// without a notice. File names are matched against file names.
const FANGSONG_OFFICIAL: &[&str] = &[
    "仿宋_GB2312",
    "FangSong_GB2312",
    "仿宋",
    "FangSong",
    "方正仿宋_GBK",
    "方正仿宋_GB2312",
    "方正仿宋简体",
    "FZFangSong-Z02",
    "FZFangSong-Z02S",
    "simfang.ttf",
    "FANGSONG_GB2312.TTF",
];
/// Open or other-foundry faces that look like the role, tried after the
/// official ones; the bundled face of the role comes after all of them.
const FANGSONG_STAND_INS: &[&str] = &[
    "Zhuque Fangsong (technical preview)",
    "Zhuque Fangsong",
    "朱雀仿宋",
    "华文仿宋",
    "STFangsong",
    "FandolFang",
];
const TITLE_OFFICIAL: &[&str] = &[
    "方正小标宋简体",
    "方正小标宋_GBK",
    "方正小标宋_GB2312",
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "小标宋",
    "FZXBSJW.TTF",
    "FZXBSK.TTF",
];
const TITLE_STAND_INS: &[&str] = &["华文中宋", "STZhongsong"];
const HEI_OFFICIAL: &[&str] = &[
    "黑体",
    "SimHei",
    "方正黑体_GBK",
    "方正黑体简体",
    "FZHei-B01",
    "FZHei-B01S",
    "simhei.ttf",
];
const HEI_STAND_INS: &[&str] = &["华文黑体", "STHeiti"];
const KAI_OFFICIAL: &[&str] = &[
    "楷体_GB2312",
    "KaiTi_GB2312",
    "楷体",
    "KaiTi",
    "方正楷体_GBK",
    "方正楷体简体",
    "FZKai-Z03",
    "FZKai-Z03S",
    "simkai.ttf",
    "KAITI_GB2312.TTF",
];
const KAI_STAND_INS: &[&str] = &["华文楷体", "STKaiti", "FandolKai"];
const SONG_OFFICIAL: &[&str] = &[
    "宋体",
    "SimSun",
    "方正书宋_GBK",
    "FZShuSong-Z01",
    "simsun.ttc",
];
const SONG_STAND_INS: &[&str] = &[
    "华文宋体",
    "STSong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
];

/// Whether a profile family entry names a font file rather than a family.
pub fn is_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".ttf", ".otf", ".ttc", ".otc"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A layout role that a face fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Title,
    Body,
    Heading1,
    Heading2,
    PageNumber,
    Table,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Title,
        Role::Body,
        Role::Heading1,
        Role::Heading2,
        Role::PageNumber,
        Role::Table,
    ];

    /// The profile key of the role.
    pub fn key(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Body => "body",
            Role::Heading1 => "heading1",
            Role::Heading2 => "heading2",
            Role::PageNumber => "page_number",
            Role::Table => "table",
        }
    }

    /// The official face the role stands for.
    pub fn official(self) -> &'static str {
        match self {
            Role::Title => "小标宋",
            Role::Body | Role::Table => "仿宋",
            Role::Heading1 => "黑体",
            Role::Heading2 => "楷体",
            Role::PageNumber => "宋体",
        }
    }

    /// The official faces of the role, in the order they are tried.
    pub fn official_families(self) -> &'static [&'static str] {
        match self {
            Role::Title => TITLE_OFFICIAL,
            Role::Body | Role::Table => FANGSONG_OFFICIAL,
            Role::Heading1 => HEI_OFFICIAL,
            Role::Heading2 => KAI_OFFICIAL,
            Role::PageNumber => SONG_OFFICIAL,
        }
    }

    /// Faces that stand in for the official ones (with a notice).
    pub fn stand_in_families(self) -> &'static [&'static str] {
        match self {
            Role::Title => TITLE_STAND_INS,
            Role::Body | Role::Table => FANGSONG_STAND_INS,
            Role::Heading1 => HEI_STAND_INS,
            Role::Heading2 => KAI_STAND_INS,
            Role::PageNumber => SONG_STAND_INS,
        }
    }

    /// The one lookup list of the role, shared by the PDF lookup (the
    /// profile's default `families`) and the HTML font stacks: official
    /// faces, then stand-ins.
    pub fn families(self) -> Vec<String> {
        self.official_families()
            .iter()
            .chain(self.stand_in_families())
            .map(|s| (*s).to_string())
            .collect()
    }

    /// Whether `name` (a family or file name) is an official face of the role.
    pub fn is_official(self, name: &str) -> bool {
        let name = name.strip_suffix(":bold").unwrap_or(name);
        self.official_families()
            .iter()
            .any(|o| o.eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        self as usize
    }

    fn profile(self, p: &Profile) -> &RoleProfile {
        match self {
            Role::Title => &p.fonts.title,
            Role::Body => &p.fonts.body,
            Role::Heading1 => &p.fonts.heading1,
            Role::Heading2 => &p.fonts.heading2,
            Role::PageNumber => &p.fonts.page_number,
            Role::Table => &p.fonts.table,
        }
    }

    fn bundled(self) -> usize {
        match self {
            Role::Title => BUNDLED_SERIF_BOLD,
            Role::Body | Role::Table => BUNDLED_FANG,
            Role::PageNumber => BUNDLED_SERIF,
            Role::Heading1 => BUNDLED_SANS,
            Role::Heading2 => BUNDLED_KAI,
        }
    }

    /// Bundled faces tried, in order, for a character the role's face lacks.
    fn bundled_fallbacks(self) -> [usize; 2] {
        match self {
            Role::Heading1 => [BUNDLED_SANS, BUNDLED_SERIF],
            _ => [self.bundled(), BUNDLED_SERIF],
        }
    }
}

/// Where a face came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontSource {
    /// A `file:` in the profile.
    Profile,
    /// A `--font-path` folder.
    FontPath,
    /// The system's fonts.
    System,
    /// Compiled into the binary.
    Bundled,
}

impl FontSource {
    /// Where the face came from, in a word of `lang` (`zongjie fonts`).
    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (FontSource::Profile, Lang::En) => "profile",
            (FontSource::FontPath, Lang::En) => "path",
            (FontSource::System, Lang::En) => "system",
            (FontSource::Bundled, Lang::En) => "bundled",
            (FontSource::Profile, Lang::Zh) => "版式配置",
            (FontSource::FontPath, Lang::Zh) => "--font-path",
            (FontSource::System, Lang::Zh) => "系统",
            (FontSource::Bundled, Lang::Zh) => "内置",
        }
    }
}

/// Font bytes shared between faces and the PDF writer.
pub type FontBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// One loaded face.
#[derive(Clone)]
pub struct Face {
    pub name: String,
    pub source: FontSource,
    /// The file (bundled faces: the file name in `fonts/`).
    pub file: PathBuf,
    pub index: u32,
    pub data: FontBytes,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("name", &self.name)
            .field("source", &self.source)
            .field("file", &self.file)
            .field("index", &self.index)
            .finish()
    }
}

impl Face {
    pub fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }
}

/// The faces that fill the roles, and the fallback order for missing glyphs.
#[derive(Debug, Clone)]
pub struct FontSet {
    /// Every loaded face; role faces first, then the bundled fallbacks.
    pub faces: Vec<Face>,
    roles: [usize; 6],
    /// Index into `faces` of each bundled face.
    bundled_at: [usize; BUNDLED.len()],
    /// Notes for the user, e.g. which face stands in for an official one.
    pub notes: Vec<String>,
}

impl FontSet {
    /// Index into `faces` of the face filling `role`.
    pub fn role(&self, role: Role) -> usize {
        self.roles[role.index()]
    }

    /// Faces to try for a character: the role's own, then the role's
    /// bundled face and the bundled 宋 (黑 for headings), then the rest.
    pub fn fallback_order(&self, role: Role) -> impl Iterator<Item = usize> + '_ {
        let preferred = role.bundled_fallbacks().map(|b| self.bundled_at[b]);
        let mut seen = vec![false; self.faces.len()];
        let mut order = Vec::with_capacity(self.faces.len());
        for i in std::iter::once(self.role(role))
            .chain(preferred)
            .chain(0..self.faces.len())
        {
            if i < seen.len() && !seen[i] {
                seen[i] = true;
                order.push(i);
            }
        }
        order.into_iter()
    }

    /// One notice per (role, stand-in face): which characters the role's
    /// face lacks and which face printed them. `used` maps a role and the
    /// face that printed a character to the characters so printed.
    pub fn stand_in_notes(
        &self,
        used: &std::collections::BTreeMap<(Role, usize), std::collections::BTreeSet<char>>,
    ) -> Vec<String> {
        const SHOWN: usize = 20;
        let mut out = Vec::new();
        for (&(role, face), chars) in used {
            let own = self.role(role);
            if face == own || chars.is_empty() {
                continue;
            }
            let (Some(own_face), Some(stand_in)) = (self.faces.get(own), self.faces.get(face))
            else {
                continue;
            };
            let mut list: String = chars.iter().take(SHOWN).collect();
            if chars.len() > SHOWN {
                list.push('…');
            }
            out.push(tr!(
                "{} role ({}): {} lacks {} character{} ({list}), printed from {}",
                "`{}`（{}）用的 {} 缺少 {} 个字{}（{list}），这些字改用 {} 印出",
                role.key(),
                role.official(),
                own_face.name,
                chars.len(),
                if chars.len() == 1 || crate::i18n::zh() {
                    ""
                } else {
                    "s"
                },
                stand_in.name
            ));
        }
        out
    }

    /// Only the bundled faces (reproducible output, tests).
    pub fn bundled() -> FontSet {
        let faces: Vec<Face> = (0..BUNDLED.len()).map(bundled_face).collect();
        let roles = Role::ALL.map(|r| r.bundled());
        let notes = Role::ALL
            .iter()
            .map(|&r| bundled_note(r, &faces[r.bundled()].name))
            .collect();
        FontSet {
            faces,
            roles,
            bundled_at: std::array::from_fn(|i| i),
            notes,
        }
    }
}

fn bundled_face(i: usize) -> Face {
    let (name, file, bytes) = BUNDLED[i];
    let data: FontBytes = Arc::new(bytes);
    Face {
        name: name.to_string(),
        source: FontSource::Bundled,
        file: PathBuf::from(file),
        index: 0,
        data,
    }
}

fn bundled_note(role: Role, name: &str) -> String {
    tr!(
        "{} role ({}): no installed face, using bundled {name}",
        "`{}`（{}）在电脑上没有找到可用的字体，使用内置的 {name}",
        role.key(),
        role.official()
    )
}

fn stand_in_note(role: Role, face: &Face) -> String {
    tr!(
        "{} role ({}): no official face found, using {} face {} ({})",
        "`{}`（{}）没有找到标准字体，改用{}字体 {}（{}）",
        role.key(),
        role.official(),
        match (face.source == FontSource::System, crate::i18n::zh()) {
            (true, false) => "system",
            (false, false) => "--font-path",
            (true, true) => "系统",
            (false, true) => " `--font-path` 中的",
        },
        face.name,
        face.file.display()
    )
}

/// Where to look for fonts besides the profile.
#[derive(Debug, Clone, Default)]
pub struct FontOptions {
    /// Folders searched before the system fonts (`--font-path`).
    pub font_paths: Vec<PathBuf>,
    /// Use only the profile's files, the font paths and the bundled fonts.
    pub ignore_system_fonts: bool,
}

/// Errors of `resolve_fonts`.
#[derive(Debug)]
pub enum FontError {
    /// A font file named in the profile cannot be read or is no font.
    ProfileFile {
        role: &'static str,
        path: PathBuf,
        message: String,
    },
    /// A `--font-path` entry is not a folder or a readable font file.
    FontPath { path: PathBuf, problem: String },
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FontError::ProfileFile {
                role,
                path,
                message,
            } => f.write_str(&tr!(
                "font for role `{role}`: {}: {message}",
                "`{role}` 的字体文件 {}：{message}",
                path.display()
            )),
            FontError::FontPath { path, problem } => f.write_str(&tr!(
                "font path {} {problem}",
                "`--font-path` 给出的 {} {problem}",
                path.display()
            )),
        }
    }
}

impl std::error::Error for FontError {}

/// Resolves every role: profile file → font paths → system → bundled.
pub fn resolve_fonts(profile: &Profile, opts: &FontOptions) -> Result<FontSet, FontError> {
    let mut path_db = fontdb::Database::new();
    for p in &opts.font_paths {
        // fontdb's folder walk skips what is not a regular file; a file
        // given by name is checked here, so opening it cannot block.
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => path_db.load_fonts_dir(p),
            Ok(m) => {
                if let Some(what) = crate::files::not_regular(&m) {
                    return Err(FontError::FontPath {
                        path: p.clone(),
                        problem: tr!(
                            "is {what}, not a font file or folder",
                            "是{what}，不是字体文件或文件夹"
                        ),
                    });
                }
                if m.len() > crate::files::Kind::Font.cap() {
                    return Err(FontError::FontPath {
                        path: p.clone(),
                        problem: tr!(
                            "is larger than {}",
                            "超过了 {}",
                            crate::files::cap_words(crate::files::Kind::Font)
                        ),
                    });
                }
                path_db.load_font_file(p).map_err(|e| FontError::FontPath {
                    path: p.clone(),
                    problem: tr!("cannot be read: {e}", "无法读取（{e}）", e = io_error(&e)),
                })?;
            }
            Err(_) => {
                return Err(FontError::FontPath {
                    path: p.clone(),
                    problem: tr!("does not exist", "不存在"),
                });
            }
        }
    }
    let need_system = !opts.ignore_system_fonts
        && Role::ALL
            .iter()
            .any(|r| r.profile(profile).file.is_none() && !r.profile(profile).families.is_empty());
    let no_fonts = fontdb::Database::new();
    let sys_db = if need_system {
        system_fonts()
    } else {
        &no_fonts
    };

    let mut files = FontFiles::default();
    let mut faces: Vec<Face> = Vec::new();
    let mut roles = [0usize; 6];
    let mut notes = Vec::new();
    for role in Role::ALL {
        let rp = role.profile(profile);
        let found = if let Some(path) = &rp.file {
            Some(load_profile_file(role, path, rp.index)?)
        } else {
            let hit = find_in(&path_db, &rp.families, FontSource::FontPath, &mut files)
                .or_else(|| find_in(sys_db, &rp.families, FontSource::System, &mut files));
            hit.map(|(face, wanted)| {
                if !role.is_official(&wanted) {
                    notes.push(stand_in_note(role, &face));
                }
                face
            })
        };
        let face = match found {
            Some(f) => f,
            None => {
                let f = bundled_face(role.bundled());
                notes.push(bundled_note(role, &f.name));
                f
            }
        };
        roles[role.index()] = intern(&mut faces, face);
    }
    // The bundled faces always follow as fallbacks for missing characters.
    let bundled_at = std::array::from_fn(|i| intern(&mut faces, bundled_face(i)));
    Ok(FontSet {
        faces,
        roles,
        bundled_at,
        notes,
    })
}

/// The system's fonts (names and places, not their bytes), found once per
/// process: a batch or a preview session scans the font folders once, not
/// per profile or per save. A font installed meanwhile is seen on the next
/// run.
fn system_fonts() -> &'static fontdb::Database {
    static SYSTEM: std::sync::OnceLock<fontdb::Database> = std::sync::OnceLock::new();
    SYSTEM.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db
    })
}

/// Adds a face unless the same file and index is already there.
fn intern(faces: &mut Vec<Face>, face: Face) -> usize {
    if let Some(i) = faces
        .iter()
        .position(|f| f.file == face.file && f.index == face.index && f.source == face.source)
    {
        return i;
    }
    faces.push(face);
    faces.len() - 1
}

fn load_profile_file(role: Role, path: &Path, index: u32) -> Result<Face, FontError> {
    let err = |message: String| FontError::ProfileFile {
        role: role.key(),
        path: path.to_path_buf(),
        message,
    };
    // Read, not mapped: the user's file may be rewritten or truncated
    // while the build runs, and a truncated map is a SIGBUS.
    let bytes = crate::files::read(path, crate::files::Kind::Font).map_err(|d| {
        // The path is said once, before the message.
        let shown = path.display().to_string();
        err(d
            .message
            .strip_prefix(&shown)
            .map_or(d.message.clone(), |m| m.trim_start().to_string()))
    })?;
    let face = ttf_parser::Face::parse(&bytes, index).map_err(|e| err(face_error(e)))?;
    let name = face_name(&face).unwrap_or_else(|| file_stem(path));
    let data: FontBytes = Arc::new(bytes);
    Ok(Face {
        name,
        source: FontSource::Profile,
        file: path.to_path_buf(),
        index,
        data,
    })
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The face's full name (name ID 4), English first.
fn face_name(face: &ttf_parser::Face<'_>) -> Option<String> {
    let names = face.names();
    let mut best: Option<String> = None;
    for n in names {
        if n.name_id == ttf_parser::name_id::FULL_NAME
            && let Some(s) = n.to_string()
        {
            if n.language_id == 0x409 {
                return Some(s);
            }
            best.get_or_insert(s);
        }
    }
    best
}

/// The font files one `resolve_fonts` has opened: a file that fills several
/// roles (a collection's faces, a body face also used for tables and page
/// numbers) is read or mapped once and its bytes shared.
#[derive(Default)]
struct FontFiles {
    opened: Vec<(PathBuf, FontSource, FontBytes)>,
}

impl FontFiles {
    fn get(&mut self, path: &Path, source: FontSource) -> Option<FontBytes> {
        if let Some((_, _, bytes)) = self
            .opened
            .iter()
            .find(|(p, s, _)| p == path && *s == source)
        {
            return Some(Arc::clone(bytes));
        }
        let bytes = font_bytes(path, source)?;
        self.opened
            .push((path.to_path_buf(), source, Arc::clone(&bytes)));
        Some(bytes)
    }
}

/// The bytes of a face found by discovery: a `--font-path` file (the
/// user's, which may change during the build) is read whole; a system font
/// is mapped, so a large collection costs only the pages used.
fn font_bytes(path: &Path, source: FontSource) -> Option<FontBytes> {
    let kind = crate::files::Kind::Font;
    if source == FontSource::System {
        let map = crate::files::map(path, kind).ok()?;
        Some(Arc::new(map))
    } else {
        let bytes = crate::files::read(path, kind).ok()?;
        Some(Arc::new(bytes))
    }
}

/// Finds the first wanted family (or file name) in a database; the face and
/// the entry of `wanted` it matched.
fn find_in(
    db: &fontdb::Database,
    wanted: &[String],
    source: FontSource,
    files: &mut FontFiles,
) -> Option<(Face, String)> {
    if db.is_empty() {
        return None;
    }
    for w in wanted {
        let (name, bold) = match w.strip_suffix(":bold") {
            Some(n) => (n, true),
            None => (w.as_str(), false),
        };
        let target = if bold { 700 } else { 400 };
        let is_file = is_file_name(name);
        let mut best: Option<(u16, &fontdb::FaceInfo)> = None;
        for info in db.faces() {
            let path = match &info.source {
                fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p,
                fontdb::Source::Binary(_) => continue,
            };
            let matches = if is_file {
                path.file_name()
                    .is_some_and(|f| f.to_string_lossy().eq_ignore_ascii_case(name))
            } else {
                info.families
                    .iter()
                    .any(|(f, _)| f.eq_ignore_ascii_case(name))
                    || info.post_script_name.eq_ignore_ascii_case(name)
            };
            if !matches {
                continue;
            }
            let dist = info.weight.0.abs_diff(target);
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, info));
            }
        }
        if let Some((_, info)) = best {
            let path = match &info.source {
                fontdb::Source::File(p) | fontdb::Source::SharedFile(p, _) => p.clone(),
                fontdb::Source::Binary(_) => continue,
            };
            let Some(bytes) = files.get(&path, source) else {
                continue;
            };
            let Ok(face) = ttf_parser::Face::parse((*bytes).as_ref(), info.index) else {
                continue;
            };
            let name = face_name(&face)
                .or_else(|| info.families.first().map(|(f, _)| f.clone()))
                .unwrap_or_else(|| file_stem(&path));
            let face = Face {
                name,
                source,
                file: path,
                index: info.index,
                data: bytes,
            };
            return Some((face, w.clone()));
        }
    }
    None
}

/// Why a font file is no usable face, in the current language (ttf-parser's
/// own words in English).
fn face_error(e: ttf_parser::FaceParsingError) -> String {
    use ttf_parser::FaceParsingError as E;
    if !crate::i18n::zh() {
        return e.to_string();
    }
    match e {
        E::MalformedFont => "文件已损坏，不是完整的字体".to_string(),
        E::UnknownMagic => "这不是字体文件（应为 .ttf、.otf 或 .ttc）".to_string(),
        E::FaceIndexOutOfBounds => {
            "字体集中没有这个序号的字体；请检查 `fonts.<role>.index`（从 0 开始）".to_string()
        }
        other => format!("字体文件缺少必需的数据（{other}）"),
    }
}

/// One line per role: role, face, source, file (for `zongjie fonts`), in
/// the current language.
pub fn describe(set: &FontSet) -> String {
    describe_in(set, crate::i18n::current())
}

/// [`describe`] in `lang`; in English it is also part of the build stamp
/// (the same in every language, so a change of language rebuilds nothing).
pub fn describe_in(set: &FontSet, lang: Lang) -> String {
    let mut rows = Vec::new();
    for role in Role::ALL {
        let Some(f) = set.faces.get(set.role(role)) else {
            continue;
        };
        let file = if f.source == FontSource::Bundled {
            match lang {
                Lang::En => format!("(built in: fonts/{})", f.file.display()),
                Lang::Zh => format!("fonts/{}（随程序提供）", f.file.display()),
            }
        } else if f.index > 0 {
            format!("{}#{}", f.file.display(), f.index)
        } else {
            f.file.display().to_string()
        };
        rows.push(vec![
            role.key().to_string(),
            role.official().to_string(),
            f.name.clone(),
            f.source.label(lang).to_string(),
            file,
        ]);
    }
    // Aligned by display width: the official names are Chinese.
    crate::columns::table(&rows, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system's fonts are scanned once per process.
    #[test]
    fn system_fonts_are_found_once_per_process() {
        assert!(std::ptr::eq(system_fonts(), system_fonts()));
    }

    /// A font file that several roles use is read once: the second lookup
    /// hands out the same bytes, and a different source reads afresh.
    #[test]
    fn a_font_file_is_opened_once_per_resolution() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSansSC-Medium.otf"
        ));
        let mut files = FontFiles::default();
        let a = files.get(path, FontSource::FontPath).expect("readable");
        let b = files.get(path, FontSource::FontPath).expect("readable");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(files.opened.len(), 1);
        let c = files.get(path, FontSource::System).expect("mappable");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(files.opened.len(), 2);
        assert!(
            files
                .get(Path::new("/nonexistent/font.otf"), FontSource::FontPath)
                .is_none()
        );
    }

    #[test]
    fn bundled_faces_parse_and_cover_gb2312_samples() {
        let set = FontSet::bundled();
        for f in &set.faces {
            let face = ttf_parser::Face::parse(f.bytes(), 0).expect("bundled font parses");
            for c in "丽水卫生健康委员会，。、；：“”（）《》—…%0123456789ABCxyz①⑩".chars()
            {
                assert!(face.glyph_index(c).is_some(), "{} lacks {c}", f.name);
            }
        }
    }

    #[test]
    fn ignore_system_fonts_gives_bundled_roles() {
        let set = resolve_fonts(
            &Profile::default(),
            &FontOptions {
                font_paths: vec![],
                ignore_system_fonts: true,
            },
        )
        .unwrap();
        for r in Role::ALL {
            assert_eq!(set.faces[set.role(r)].source, FontSource::Bundled);
        }
        assert_eq!(set.faces[set.role(Role::Body)].name, "FandolFang");
        assert_eq!(set.faces[set.role(Role::Table)].name, "FandolFang");
        assert_eq!(set.faces[set.role(Role::Heading2)].name, "FandolKai");
        let d = describe(&set);
        assert_eq!(d.lines().count(), 6);
        // The columns after the Chinese official names line up.
        let name_at: Vec<usize> = d
            .lines()
            .map(|l| crate::columns::width(&l[..l.find("Fandol").or(l.find("Noto")).unwrap()]))
            .collect();
        assert!(name_at.windows(2).all(|w| w[0] == w[1]), "{d}");
        assert!(
            d.contains("heading2") && d.contains("FandolKai") && d.contains("bundled"),
            "{d}"
        );
        assert!(
            d.lines()
                .any(|l| l.starts_with("body") && l.contains("仿宋") && l.contains("FandolFang")),
            "{d}"
        );
        assert!(set.notes.iter().any(|n| n.contains("楷体")));
    }

    /// Every character of the 通用规范汉字表 and the marks reports use print
    /// in every role: from the role's face or a bundled fallback.
    #[test]
    fn every_role_covers_the_general_standard_table_and_marks() {
        let table = include_str!("../fonts/tgscc-8105.txt");
        let chars: Vec<char> = table.lines().filter_map(|l| l.chars().next()).collect();
        assert_eq!(chars.len(), 8105);
        let marks =
            "㎡℃‰№①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳×÷±～·，。、；：？！（）【】《》“”‘’—…％０１２３ＡＢＣ";
        let set = FontSet::bundled();
        let parsed: Vec<ttf_parser::Face<'_>> = set
            .faces
            .iter()
            .map(|f| ttf_parser::Face::parse(f.bytes(), f.index).unwrap())
            .collect();
        for role in Role::ALL {
            for c in chars.iter().copied().chain(marks.chars()) {
                assert!(
                    set.fallback_order(role)
                        .any(|i| parsed[i].glyph_index(c).is_some()),
                    "{} cannot print {c}",
                    role.key()
                );
            }
        }
        // The names beyond GB 2312 come from the bundled 宋, not a box.
        let fang = &parsed[set.role(Role::Body)];
        let serif = set.bundled_at[BUNDLED_SERIF];
        for c in "堃喆珺昇旻玥垚燚琤璟曌赟彧翀".chars() {
            assert!(fang.glyph_index(c).is_none(), "FandolFang has {c}");
            let by = set
                .fallback_order(Role::Body)
                .find(|&i| parsed[i].glyph_index(c).is_some());
            assert_eq!(by, Some(serif), "{c}");
        }
        let heading = set
            .fallback_order(Role::Heading1)
            .find(|&i| parsed[i].glyph_index('堃').is_some());
        assert_eq!(heading, Some(set.role(Role::Heading1)));
    }

    #[test]
    fn stand_in_notes_name_the_faces_once() {
        let set = FontSet::bundled();
        let mut used = std::collections::BTreeMap::new();
        let serif = set.bundled_at[BUNDLED_SERIF];
        used.insert((Role::Body, serif), "堃喆".chars().collect());
        used.insert((Role::Body, set.role(Role::Body)), "仿".chars().collect());
        let notes = set.stand_in_notes(&used);
        assert_eq!(
            notes,
            [
                "body role (仿宋): FandolFang lacks 2 characters (喆堃), printed from Noto Serif CJK SC"
            ]
        );
    }

    /// One list per role: the profile's default families and the HTML stacks
    /// come from `Role::families`, official faces first, and know the open
    /// 仿宋 faces.
    #[test]
    fn one_lookup_list_per_role() {
        let p = Profile::default();
        for r in Role::ALL {
            assert_eq!(r.profile(&p).families, r.families(), "{}", r.key());
            assert!(r.is_official(r.families()[0].as_str()));
        }
        let body = Role::Body.families();
        let pos = |n: &str| {
            body.iter()
                .position(|f| f == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert!(pos("仿宋_GB2312") < pos("方正仿宋_GBK"));
        assert!(pos("FangSong") < pos("Zhuque Fangsong"));
        assert!(pos("朱雀仿宋") < pos("FandolFang"));
        assert!(pos("STFangsong") < pos("FandolFang"));
        assert!(
            !body.iter().any(|f| f.contains("Noto")),
            "a 宋 face in the 仿宋 list"
        );
        assert!(!Role::Body.is_official("FandolFang"));
        assert!(Role::Body.is_official("fangsong"));
        let html = crate::html::HtmlOptions::from_profile(&p);
        for stack in [
            &html.body_fonts,
            &html.title_fonts,
            &html.heading1_fonts,
            &html.heading2_fonts,
            &html.table_fonts,
            &html.page_number_fonts,
        ] {
            for name in stack.iter() {
                assert!(
                    !is_file_name(name) && !name.contains(':'),
                    "{name} in {stack:?}"
                );
            }
        }
        assert_eq!(
            html.body_fonts.first().map(String::as_str),
            Some("仿宋_GB2312")
        );
        assert!(html.body_fonts.iter().any(|f| f == "FandolFang"));
        assert!(html.heading2_fonts.iter().any(|f| f == "FandolKai"));
    }

    #[test]
    fn font_path_fandol_fang_fills_the_body_with_a_notice() {
        let dir = std::env::temp_dir().join(format!("zongjie-fang-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("FandolFang-Regular.otf"), BUNDLED[BUNDLED_FANG].2).unwrap();
        let set = resolve_fonts(
            &Profile::default(),
            &FontOptions {
                font_paths: vec![dir.clone()],
                ignore_system_fonts: true,
            },
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).ok();
        for r in [Role::Body, Role::Table] {
            let f = &set.faces[set.role(r)];
            assert_eq!(f.source, FontSource::FontPath, "{}", r.key());
            assert!(f.file.ends_with("FandolFang-Regular.otf"));
        }
        assert!(
            set.notes.iter().any(|n| n.starts_with(
                "body role (仿宋): no official face found, using --font-path face FandolFang"
            )),
            "{:?}",
            set.notes
        );
    }

    #[test]
    fn font_path_folder_wins_over_bundled() {
        let dir = std::env::temp_dir().join(format!("zongjie-fonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kai.ttf"), BUNDLED[BUNDLED_KAI].2).unwrap();
        let set = resolve_fonts(
            &Profile::default(),
            &FontOptions {
                font_paths: vec![dir.clone()],
                ignore_system_fonts: true,
            },
        )
        .unwrap();
        let f = &set.faces[set.role(Role::Heading2)];
        assert_eq!(f.source, FontSource::FontPath);
        assert!(f.file.ends_with("kai.ttf"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn missing_profile_file_is_an_error() {
        let mut p = Profile::default();
        p.fonts.body.file = Some(PathBuf::from("/nonexistent/x.ttf"));
        assert!(matches!(
            resolve_fonts(&p, &FontOptions::default()),
            Err(FontError::ProfileFile { role: "body", .. })
        ));
    }
}
