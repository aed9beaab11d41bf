//! Fonts: the six layout roles (title, body, heading1, heading2, page
//! number, table) resolved to faces in the order profile file →
//! `--font-path` folders → system fonts → bundled open fonts compiled into
//! the binary; the fallback chain for characters a face lacks; `describe`
//! for `zongjie fonts`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::profile::{Profile, RoleProfile};

/// The bundled faces: GB 2312 subsets built by `scripts/make-fonts.py`
/// (licences in `fonts/`).
const BUNDLED: [(&str, &str, &[u8]); 4] = [
    (
        "Noto Serif CJK SC",
        "NotoSerifSC-Regular-GB2312.otf",
        include_bytes!("../fonts/NotoSerifSC-Regular-GB2312.otf"),
    ),
    (
        "Noto Serif CJK SC Bold",
        "NotoSerifSC-Bold-GB2312.otf",
        include_bytes!("../fonts/NotoSerifSC-Bold-GB2312.otf"),
    ),
    (
        "Noto Sans CJK SC",
        "NotoSansSC-Regular-GB2312.otf",
        include_bytes!("../fonts/NotoSansSC-Regular-GB2312.otf"),
    ),
    (
        "LXGW WenKai",
        "LXGWWenKai-Regular-GB2312.ttf",
        include_bytes!("../fonts/LXGWWenKai-Regular-GB2312.ttf"),
    ),
];
const BUNDLED_SERIF: usize = 0;
const BUNDLED_SERIF_BOLD: usize = 1;
const BUNDLED_SANS: usize = 2;
const BUNDLED_KAI: usize = 3;

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
            Role::Body | Role::PageNumber | Role::Table => BUNDLED_SERIF,
            Role::Heading1 => BUNDLED_SANS,
            Role::Heading2 => BUNDLED_KAI,
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
    fn label(self) -> &'static str {
        match self {
            FontSource::Profile => "profile",
            FontSource::FontPath => "path",
            FontSource::System => "system",
            FontSource::Bundled => "bundled",
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
    /// Notes for the user, e.g. which face stands in for an official one.
    pub notes: Vec<String>,
}

impl FontSet {
    /// Index into `faces` of the face filling `role`.
    pub fn role(&self, role: Role) -> usize {
        self.roles[role.index()]
    }

    /// Faces to try for a character, the role's own first.
    pub fn fallback_order(&self, role: Role) -> impl Iterator<Item = usize> + '_ {
        let first = self.role(role);
        std::iter::once(first).chain((0..self.faces.len()).filter(move |&i| i != first))
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
    format!(
        "{} role ({}): no installed face, using bundled {name}",
        role.key(),
        role.official()
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
            } => {
                write!(f, "font for role `{role}`: {}: {message}", path.display())
            }
            FontError::FontPath { path, problem } => {
                write!(f, "font path {} {problem}", path.display())
            }
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
                        problem: format!("is {what}, not a font file or folder"),
                    });
                }
                if m.len() > crate::files::Kind::Font.cap() {
                    return Err(FontError::FontPath {
                        path: p.clone(),
                        problem: format!(
                            "is larger than {}",
                            crate::files::cap_words(crate::files::Kind::Font)
                        ),
                    });
                }
                path_db.load_font_file(p).map_err(|e| FontError::FontPath {
                    path: p.clone(),
                    problem: format!("cannot be read: {e}"),
                })?;
            }
            Err(_) => {
                return Err(FontError::FontPath {
                    path: p.clone(),
                    problem: "does not exist".into(),
                });
            }
        }
    }
    let mut sys_db = fontdb::Database::new();
    let need_system = !opts.ignore_system_fonts
        && Role::ALL
            .iter()
            .any(|r| r.profile(profile).file.is_none() && !r.profile(profile).families.is_empty());
    if need_system {
        sys_db.load_system_fonts();
    }

    let mut faces: Vec<Face> = Vec::new();
    let mut roles = [0usize; 6];
    let mut notes = Vec::new();
    for role in Role::ALL {
        let rp = role.profile(profile);
        let found = if let Some(path) = &rp.file {
            Some(load_profile_file(role, path, rp.index)?)
        } else {
            find_in(&path_db, &rp.families, FontSource::FontPath)
                .or_else(|| find_in(&sys_db, &rp.families, FontSource::System))
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
    for i in 0..BUNDLED.len() {
        intern(&mut faces, bundled_face(i));
    }
    Ok(FontSet {
        faces,
        roles,
        notes,
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
    let face = ttf_parser::Face::parse(&bytes, index).map_err(|e| err(e.to_string()))?;
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

/// Finds the first wanted family (or file name) in a database.
fn find_in(db: &fontdb::Database, wanted: &[String], source: FontSource) -> Option<Face> {
    if db.is_empty() {
        return None;
    }
    for w in wanted {
        let (name, bold) = match w.strip_suffix(":bold") {
            Some(n) => (n, true),
            None => (w.as_str(), false),
        };
        let target = if bold { 700 } else { 400 };
        let is_file = [".ttf", ".otf", ".ttc", ".otc"]
            .iter()
            .any(|e| name.to_ascii_lowercase().ends_with(e));
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
            let Some(bytes) = font_bytes(&path, source) else {
                continue;
            };
            let Ok(face) = ttf_parser::Face::parse((*bytes).as_ref(), info.index) else {
                continue;
            };
            let name = face_name(&face)
                .or_else(|| info.families.first().map(|(f, _)| f.clone()))
                .unwrap_or_else(|| file_stem(&path));
            return Some(Face {
                name,
                source,
                file: path,
                index: info.index,
                data: bytes,
            });
        }
    }
    None
}

/// One line per role: role, face, source, file (for `zongjie fonts`).
pub fn describe(set: &FontSet) -> String {
    let mut out = String::new();
    for role in Role::ALL {
        let Some(f) = set.faces.get(set.role(role)) else {
            continue;
        };
        let file = if f.source == FontSource::Bundled {
            format!("(built in: fonts/{})", f.file.display())
        } else if f.index > 0 {
            format!("{}#{}", f.file.display(), f.index)
        } else {
            f.file.display().to_string()
        };
        out.push_str(&format!(
            "{:<12} {:<5} {:<28} {:<8} {}\n",
            role.key(),
            role.official(),
            f.name,
            f.source.label(),
            file
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(set.faces[set.role(Role::Heading2)].name, "LXGW WenKai");
        let d = describe(&set);
        assert_eq!(d.lines().count(), 6);
        assert!(
            d.contains("heading2") && d.contains("LXGW WenKai") && d.contains("bundled"),
            "{d}"
        );
        assert!(set.notes.iter().any(|n| n.contains("楷体")));
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
