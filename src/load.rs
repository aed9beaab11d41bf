//! Reading data files: bytes → UTF-8 text (BOM stripped, CRLF normalised,
//! GBK/GB18030 recognised and refused with a conversion hint) → YAML →
//! `model::DataFile`, with every error located; then imports, relative to
//! the importing file: only data files inside the project (`ImportScope`),
//! each read once per document and shared, cycles detected, and the files
//! and bytes one document pulls in capped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::files::{self, Kind};
use crate::i18n::{self, Lang, pick};
use crate::model::{DataFile, pos};
use crate::tr;

/// Largest data file read, in bytes (larger files are refused, not parsed).
pub const MAX_FILE_BYTES: usize = Kind::Data.cap() as usize;
/// Deepest nesting of YAML values.
pub const MAX_DEPTH: usize = 64;
/// Most YAML values (scalars, list entries, map entries) in one file.
pub const MAX_NODES: usize = 400_000;
/// Most aliases (`*name`) in one file.
pub const MAX_ALIASES: usize = 1_000;
/// Deepest chain of imports followed.
pub const MAX_IMPORT_DEPTH: usize = 16;
/// Most files one document pulls in, itself included; a file imported
/// along several paths counts once per path (that is how often the later
/// stages walk it), though it is read and parsed only once.
pub const MAX_IMPORTED_FILES: usize = 256;
/// Longest import path (the system's own limit on Linux).
pub const MAX_IMPORT_PATH_BYTES: usize = 4096;
/// Most bytes of data one document pulls in, counted the same way.
pub const MAX_IMPORTED_BYTES: u64 = 32 << 20;

/// One source file's text, kept for diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

/// A parsed data file with its imports, each loaded the same way; a file
/// imported more than once is loaded once and shared.
#[derive(Debug)]
pub struct Loaded {
    pub source: Source,
    pub data: DataFile,
    /// alias → the imported file.
    pub imports: BTreeMap<String, Arc<Loaded>>,
}

/// The folders imports may come from (real paths): the project, that is
/// the folder trees of the inputs, plus any the user allowed explicitly.
/// Each data file's own folder is always allowed.
#[derive(Debug, Clone, Default)]
pub struct ImportScope {
    roots: Vec<PathBuf>,
}

impl ImportScope {
    /// Imports from under `folders` (those that exist).
    pub fn new<'a>(folders: impl IntoIterator<Item = &'a PathBuf>) -> Self {
        let mut roots: Vec<PathBuf> = folders
            .into_iter()
            .filter_map(|f| std::fs::canonicalize(f).ok())
            .collect();
        roots.sort();
        roots.dedup();
        ImportScope { roots }
    }

    /// The project of the command line's inputs: every folder given and
    /// the folder of every file given, plus the `extra` folders allowed.
    pub fn of_inputs(inputs: &[PathBuf], extra: &[PathBuf]) -> Self {
        let folders: Vec<PathBuf> = inputs
            .iter()
            .map(|i| if i.is_dir() { i.clone() } else { folder_of(i) })
            .chain(extra.iter().cloned())
            .collect();
        ImportScope::new(&folders)
    }

    /// This scope and the folder of `document` (as named and as resolved).
    fn for_document(&self, document: &Path) -> ImportScope {
        let own = [
            Some(folder_of(document)),
            std::fs::canonicalize(document)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
        ];
        let mut roots = self.roots.clone();
        roots.extend(
            own.iter()
                .flatten()
                .filter_map(|f| std::fs::canonicalize(f).ok()),
        );
        roots.sort();
        roots.dedup();
        ImportScope { roots }
    }

    /// Whether the real path `real` is under one of the folders.
    pub fn allows(&self, real: &Path) -> bool {
        self.roots.iter().any(|r| real.starts_with(r))
    }
}

/// The folder a file is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads and parses `path` and everything it imports; imports may come
/// only from the data file's own folder tree.
pub fn load(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    load_in(path, &ImportScope::default())
}

/// Reads and parses `path` and everything it imports from within `scope`.
pub fn load_in(path: &Path, scope: &ImportScope) -> Result<Loaded, Vec<Diagnostic>> {
    // Any other file would have its lines quoted in YAML errors.
    if !is_data_file_name(path) {
        return Err(vec![
            Diagnostic::file_error(
                path,
                tr!(
                    "{} is not a data file (.yaml or .yml)",
                    "{} 不是数据文件（数据文件以 .yaml 或 .yml 结尾）",
                    path.display()
                ),
            )
            .with_hint(pick(
                "data files are YAML text named *.yaml or *.yml; rename it if it is one",
                "数据文件是名为 *.yaml 或 *.yml 的 YAML 文本；如果它就是数据文件，请改名",
            )),
        ]);
    }
    let bytes = files::read(path, Kind::Data).map_err(|d| vec![d])?;
    load_bytes_in(path, &bytes, scope)
}

/// Parses `bytes` as the data file `path` without reading that file (the
/// path names it in diagnostics); its imports are read relative to `path`.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Loaded, Vec<Diagnostic>> {
    load_bytes_in(path, bytes, &ImportScope::default())
}

/// `load_bytes` with imports from within `scope`.
pub fn load_bytes_in(
    path: &Path,
    bytes: &[u8],
    scope: &ImportScope,
) -> Result<Loaded, Vec<Diagnostic>> {
    let mut loader = Loader {
        scope: scope.for_document(path),
        stack: Vec::new(),
        done: BTreeMap::new(),
        files: 1,
        bytes: bytes.len() as u64,
        over_budget: false,
        errors: Vec::new(),
    };
    match loader.file(path, bytes) {
        Some(loaded) if loader.errors.is_empty() => Ok(loaded),
        _ => Err(loader.errors),
    }
}

/// A file already loaded for this document, and what it pulls in (itself
/// and its imports, counted once per path).
enum Done {
    Loaded {
        loaded: Arc<Loaded>,
        files: usize,
        bytes: u64,
    },
    /// Its errors are already reported.
    Failed,
}

/// The state of loading one document and its imports.
struct Loader {
    scope: ImportScope,
    /// Real paths of the files being loaded, outermost first (cycles).
    stack: Vec<PathBuf>,
    /// Real path → the file loaded once for the whole document.
    done: BTreeMap<PathBuf, Done>,
    /// Files and bytes pulled in so far, counted once per import path.
    files: usize,
    bytes: u64,
    /// A budget was exceeded (reported once): no further imports are read.
    over_budget: bool,
    errors: Vec<Diagnostic>,
}

impl Loader {
    /// Parses one file and loads its imports; `None` when it or one of
    /// its imports failed (the errors are in `self.errors`).
    fn file(&mut self, path: &Path, bytes: &[u8]) -> Option<Loaded> {
        if bytes.len() > MAX_FILE_BYTES {
            self.errors.push(too_large(path));
            return None;
        }
        let parsed = decode(path, bytes).and_then(|text| Ok((parse(path, &text)?, text)));
        let (data, text) = match parsed {
            Ok(p) => p,
            Err(d) => {
                self.errors.push(d);
                return None;
            }
        };
        let source = Source {
            path: path.to_path_buf(),
            text,
        };
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.stack.push(key);
        let mut imports = BTreeMap::new();
        let mut failed = false;
        for (alias, target) in &data.imports {
            if self.over_budget {
                failed = true;
                break;
            }
            let at = pos(target.referenced);
            let error = |message: String| {
                Diagnostic::error(path, &source.text, at, message)
                    .with_len(target.value.chars().count())
            };
            if self.errors.len() >= crate::resolve::MAX_DIAGNOSTICS {
                self.errors.push(
                    error(tr!(
                        "stopped loading the imports after {} problems",
                        "已发现 {} 个问题，其余导入不再读取",
                        crate::resolve::MAX_DIAGNOSTICS
                    ))
                    .with_hint(pick(
                        "fix the problems above and check again",
                        "请先改正上面的问题，再重新检查",
                    )),
                );
                self.over_budget = true;
                failed = true;
                break;
            }
            match self.import(path, alias, &target.value) {
                Ok(loaded) => {
                    imports.insert(alias.clone(), loaded);
                }
                Err(Some((message, hint))) => {
                    self.errors.push(error(message).with_hint(hint));
                    failed = true;
                }
                Err(None) => failed = true,
            }
        }
        self.stack.pop();
        (!failed).then_some(Loaded {
            source,
            data,
            imports,
        })
    }

    /// Loads one import of `from`: the shared file, or the message and
    /// hint of an error at the import (`None`: reported elsewhere).
    fn import(
        &mut self,
        from: &Path,
        alias: &str,
        target: &str,
    ) -> Result<Arc<Loaded>, Option<(String, String)>> {
        let fail = |message: String, hint: &str| Err(Some((message, hint.to_string())));
        if target.len() > MAX_IMPORT_PATH_BYTES {
            return fail(
                tr!(
                    "import `{alias}`: the path is longer than {MAX_IMPORT_PATH_BYTES} bytes",
                    "导入 `{alias}`：路径超过 {MAX_IMPORT_PATH_BYTES} 字节"
                ),
                pick(
                    "import paths are relative to the file that imports them, e.g. `2022.yaml`",
                    "导入路径相对于导入它的文件，例如 `2022.yaml`",
                ),
            );
        }
        let target_path = from.parent().unwrap_or(Path::new("")).join(target);
        let shown = target_path.display();
        let Ok(real) = std::fs::canonicalize(&target_path) else {
            // Whether a file outside the project exists is not told either.
            if !self.scope.allows(&resolved_lexically(&target_path)) {
                return fail(
                    tr!(
                        "import `{alias}`: {shown} is outside the project (the folders of the data files given)",
                        "导入 `{alias}`：{shown} 在项目之外（项目是所给数据文件所在的文件夹）"
                    ),
                    pick(
                        "imports must be data files inside the input folders; to allow another folder, pass --import-root FOLDER",
                        "只能导入输入文件夹内的数据文件；如需允许其他文件夹，请加上 --import-root 文件夹",
                    ),
                );
            }
            return fail(
                tr!(
                    "import `{alias}`: file not found: {shown}",
                    "导入 `{alias}`：找不到文件 {shown}"
                ),
                pick(
                    "import paths are relative to the file that imports them",
                    "导入路径相对于导入它的文件",
                ),
            );
        };
        // Checked before anything is read, so nothing outside is ever quoted.
        if !self.scope.allows(&real) {
            return fail(
                tr!(
                    "import `{alias}`: {shown} is outside the project (the folders of the data files given)",
                    "导入 `{alias}`：{shown} 在项目之外（项目是所给数据文件所在的文件夹）"
                ),
                pick(
                    "imports must be data files inside the input folders; to allow another folder, pass --import-root FOLDER",
                    "只能导入输入文件夹内的数据文件；如需允许其他文件夹，请加上 --import-root 文件夹",
                ),
            );
        }
        if real.is_dir() {
            return fail(
                tr!(
                    "import `{alias}`: {shown} is a folder, not a data file",
                    "导入 `{alias}`：{shown} 是文件夹，不是数据文件"
                ),
                pick(
                    "import one data file (.yaml) by its path",
                    "请写出要导入的那一个数据文件（.yaml）的路径",
                ),
            );
        }
        if !is_data_file_name(Path::new(target)) {
            return fail(
                tr!(
                    "import `{alias}`: {shown} is not a data file (.yaml or .yml)",
                    "导入 `{alias}`：{shown} 不是数据文件（数据文件以 .yaml 或 .yml 结尾）"
                ),
                pick(
                    "import a YAML data file; other files are never read as data",
                    "请导入 YAML 数据文件；其他文件不会当作数据读取",
                ),
            );
        }
        if let Some(first) = self.stack.iter().position(|p| *p == real) {
            let chain: Vec<String> = self.stack[first..]
                .iter()
                .chain([&real])
                .map(|p| file_name(p))
                .collect();
            return fail(
                tr!("import cycle: {}", "循环导入：{}", chain.join(" → ")),
                pick(
                    "a file cannot import itself, directly or through other files",
                    "文件不能导入自己，无论是直接导入还是经由其他文件导入",
                ),
            );
        }
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            return fail(
                tr!(
                    "imports nested deeper than {MAX_IMPORT_DEPTH} files",
                    "导入嵌套超过 {MAX_IMPORT_DEPTH} 层"
                ),
                pick(
                    "import the data a document needs from the document itself",
                    "请在文档本身中直接导入它需要的数据",
                ),
            );
        }
        if let Some(done) = self.done.get(&real) {
            return match done {
                Done::Failed => Err(None),
                Done::Loaded {
                    loaded,
                    files,
                    bytes,
                } => {
                    let loaded = loaded.clone();
                    self.pull_in(alias, *files, *bytes)?;
                    Ok(loaded)
                }
            };
        }
        let bytes = match files::read(&target_path, Kind::Data) {
            Ok(b) => b,
            Err(d) => {
                let message = tr!("import `{alias}`: {}", "导入 `{alias}`：{}", d.message);
                return Err(Some((message, d.hint.unwrap_or_default())));
            }
        };
        let (files_before, bytes_before) = (self.files, self.bytes);
        self.pull_in(alias, 1, bytes.len() as u64)?;
        let done = match self.file(&target_path, &bytes) {
            Some(loaded) => Done::Loaded {
                loaded: Arc::new(loaded),
                files: self.files - files_before,
                bytes: self.bytes - bytes_before,
            },
            None => Done::Failed,
        };
        let result = match &done {
            Done::Loaded { loaded, .. } => Ok(loaded.clone()),
            Done::Failed => Err(None),
        };
        self.done.insert(real, done);
        result
    }

    /// Counts `files` and `bytes` more pulled in by import `alias`; an
    /// error there when that crosses a budget.
    fn pull_in(
        &mut self,
        alias: &str,
        files: usize,
        bytes: u64,
    ) -> Result<(), Option<(String, String)>> {
        self.files += files;
        self.bytes += bytes;
        let message = if self.files > MAX_IMPORTED_FILES {
            tr!(
                "import `{alias}`: the document pulls in more than {MAX_IMPORTED_FILES} files through its imports",
                "导入 `{alias}`：本文档经由导入读取的文件超过 {MAX_IMPORTED_FILES} 个"
            )
        } else if self.bytes > MAX_IMPORTED_BYTES {
            tr!(
                "import `{alias}`: the document pulls in more than {} MiB of data through its imports",
                "导入 `{alias}`：本文档经由导入读取的数据超过 {} MiB",
                MAX_IMPORTED_BYTES >> 20
            )
        } else {
            return Ok(());
        };
        self.over_budget = true;
        Err(Some((
            message,
            pick(
                "a file imported along several paths counts each time; import shared data once, from the document itself",
                "同一文件经由几条路径导入时每次都计数；共用的数据请只在文档本身中导入一次",
            )
            .into(),
        )))
    }
}

/// The real path a path that does not exist would have: its deepest
/// existing folder resolved, the rest (`..` applied) appended.
fn resolved_lexically(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let mut rest = Vec::new();
    let mut base = normal.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(base) {
            return rest.iter().rev().fold(real, |p, r| p.join(r));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return normal,
        }
    }
}

/// Whether a file name is a data file's: `.yaml` or `.yml`, in any case.
pub fn is_data_file_name(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn too_large(path: &Path) -> Diagnostic {
    files::too_large(path, Kind::Data)
}

/// Bytes → text: strips a UTF-8 BOM and normalises CRLF; refuses other
/// encodings with a hint how to convert them.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if let Some(offset) = text.find('\0') {
                let at = position_of(text, offset);
                return Err(Diagnostic::error(
                    path,
                    text,
                    at,
                    pick(
                        "the file contains a NUL byte: it is not a text file",
                        "文件中有空字节（NUL）：这不是文本文件",
                    ),
                )
                .with_hint(pick(
                    "data files are UTF-8 YAML text",
                    "数据文件是 UTF-8 编码的 YAML 文本",
                )));
            }
            let text = text.replace("\r\n", "\n");
            if let Some((offset, c)) = text.char_indices().find(|&(_, c)| is_invisible_control(c)) {
                let at = position_of(&text, offset);
                // The snippet shows the controls as visible stand-ins.
                let shown: String = text.chars().map(visible_control).collect();
                return Err(Diagnostic::error(
                    path,
                    &shown,
                    at,
                    tr!(
                        "the invisible control character {} is in the text",
                        "文本中有不可见的控制字符 {}",
                        control_name(c)
                    ),
                )
                .with_hint(control_hint(c)));
            }
            Ok(text)
        }
        Err(_) if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") => {
            Err(Diagnostic::error(
                path,
                "",
                Pos { line: 1, col: 1 },
                pick(
                    "the file is encoded in UTF-16, not UTF-8",
                    "文件是 UTF-16 编码，不是 UTF-8",
                ),
            )
            .with_hint(pick(
                "save it as UTF-8 (in Notepad: 另存为 → 编码 UTF-8; or `iconv -f UTF-16 -t UTF-8`)",
                "请另存为 UTF-8 编码（记事本：另存为 → 编码 UTF-8；或运行 `iconv -f UTF-16 -t UTF-8`）",
            )))
        }
        Err(err) => {
            let offset = err.valid_up_to();
            let at = position_of(&String::from_utf8_lossy(&bytes[..offset]), offset);
            let (decoded, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            let looks_chinese = !had_errors
                && decoded
                    .chars()
                    .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                    .count()
                    > 0;
            let d = Diagnostic::error(
                path,
                "",
                at,
                if looks_chinese {
                    pick(
                        "the file is encoded in GBK/GB18030, not UTF-8",
                        "文件是 GBK/GB18030 编码，不是 UTF-8",
                    )
                } else {
                    pick("the file is not UTF-8 text", "文件不是 UTF-8 编码的文本")
                },
            );
            Err(if looks_chinese {
                d.with_hint(tr!(
                    "convert it once: `iconv -f GB18030 -t UTF-8 {0} > {0}.utf8 && mv {0}.utf8 {0}` (or in WPS/Notepad: 另存为 → 编码 UTF-8)",
                    "请转换一次编码：`iconv -f GB18030 -t UTF-8 {0} > {0}.utf8 && mv {0}.utf8 {0}`（或在 WPS、记事本中：另存为 → 编码 UTF-8）",
                    path.display()
                ))
            } else {
                d.with_hint(pick(
                    "save the file as UTF-8 (data files are YAML text)",
                    "请把文件另存为 UTF-8 编码（数据文件是 YAML 文本）",
                ))
            })
        }
    }
}

/// Characters that must not be in a data file: C0 controls but tab and
/// line feed, DEL, C1 controls, and the bidirectional embeddings, overrides
/// and isolates (U+202A–202E, U+2066–2069), which make what is read on
/// screen differ from what is printed.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A control character as a visible stand-in (`␛` for ESC, `�` where
/// Unicode has no picture); every other character as it is.
fn visible_control(c: char) -> char {
    match c as u32 {
        n @ (0..=0x8 | 0xb..=0x1f) => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ if is_invisible_control(c) => '\u{fffd}',
        _ => c,
    }
}

/// `U+001B (ESC)`: the code point and its usual name.
fn control_name(c: char) -> String {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
        "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
        "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    let name = match c as u32 {
        n @ 0..=0x1f => C0[n as usize],
        0x7f => "DEL",
        0x202a => pick("LEFT-TO-RIGHT EMBEDDING", "从左到右嵌入符"),
        0x202b => pick("RIGHT-TO-LEFT EMBEDDING", "从右到左嵌入符"),
        0x202c => pick("POP DIRECTIONAL FORMATTING", "方向格式结束符"),
        0x202d => pick("LEFT-TO-RIGHT OVERRIDE", "从左到右强制符"),
        0x202e => pick("RIGHT-TO-LEFT OVERRIDE", "从右到左强制符"),
        0x2066 => pick("LEFT-TO-RIGHT ISOLATE", "从左到右隔离符"),
        0x2067 => pick("RIGHT-TO-LEFT ISOLATE", "从右到左隔离符"),
        0x2068 => pick("FIRST STRONG ISOLATE", "首强字符隔离符"),
        0x2069 => pick("POP DIRECTIONAL ISOLATE", "方向隔离结束符"),
        _ => pick("a C1 control", "C1 控制字符"),
    };
    let code = c as u32;
    tr!("U+{code:04X} ({name})", "U+{code:04X}（{name}）")
}

fn control_hint(c: char) -> &'static str {
    match c {
        '\r' => pick(
            "a carriage return without a line feed: save the file with LF (Unix) or CRLF (Windows) line endings",
            "这是没有换行符跟随的回车符：请用 LF（Unix）或 CRLF（Windows）换行方式保存文件",
        ),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => pick(
            "delete it: a bidirectional control reorders the text on screen, so what you read is not what is printed (in an editor, search for \\u202E or show invisible characters)",
            "请删除它：双向控制符会打乱屏幕上文字的顺序，看到的与印出的不一致（可在编辑器中搜索 \\u202E，或打开“显示不可见字符”）",
        ),
        _ => pick(
            "delete it (it usually comes from copying text out of another program; turn on \"show invisible characters\" in the editor to see it); tabs and line breaks are fine",
            "请删除它（通常是从其他程序复制文字时带进来的；在编辑器中打开“显示不可见字符”即可看到）；制表符和换行不受影响",
        ),
    }
}

/// 1-based line and character column of a byte offset.
pub fn position_of(text: &str, offset: usize) -> Pos {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line,
        col: before[line_start..].chars().count() + 1,
    }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_aliases: MAX_ALIASES,
            max_recorded_anchor_events: 100_000,
            max_recorded_anchor_bytes: MAX_FILE_BYTES,
            max_total_scalar_bytes: MAX_FILE_BYTES,
        },
    }
}

/// YAML text → `DataFile`, or one located diagnostic.
pub fn parse(path: &Path, text: &str) -> Result<DataFile, Diagnostic> {
    if text
        .trim()
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::error(
            path,
            text,
            Pos { line: 1, col: 1 },
            pick("the data file is empty", "数据文件是空的"),
        )
        .with_hint(pick(
            "start with `doc:` (title, year, issuer) and `parts:`; `zongjie new report.yaml` writes a commented example",
            "请从 `doc:`（标题、年份、发文单位）和 `parts:` 写起；运行 `zongjie new report.yaml` 可生成一份带注释的示例",
        )));
    }
    if let Some(d) = tag_error(path, text) {
        return Err(d);
    }
    if let Some(d) = escaped_control_error(path, text) {
        return Err(d);
    }
    let mut data = serde_saphyr::from_str_with_options::<DataFile>(text, options())
        .map_err(|e| yaml_error(path, text, &e))?;
    locate_short_metrics(&mut data.metrics, text);
    for part in &mut data.parts {
        locate_short_metrics(&mut part.metrics, text);
        for section in &mut part.sections {
            locate_short_metrics(&mut section.metrics, text);
        }
    }
    Ok(data)
}

/// The first YAML tag (`!!null`, `!!binary`, `!custom`, …) in the file, as an
/// error: a tag silently changes or drops the value it is on, and data files
/// need none. `!!str` and the bare `!` only say "text" and are allowed.
fn tag_error(path: &Path, text: &str) -> Option<Diagnostic> {
    use serde_saphyr::granit_parser::{Event, Parser};
    if !text.contains('!') {
        return None;
    }
    for item in Parser::new_from_str(text) {
        // A syntax error is reported by the real parse, with its wording.
        let (event, span) = item.ok()?;
        let (tag, value) = match &event {
            Event::Scalar(v, _, _, Some(t)) => (t, Some(v.as_ref())),
            Event::SequenceStart(_, _, Some(t)) | Event::MappingStart(_, _, Some(t)) => (t, None),
            _ => continue,
        };
        let suffix = tag.suffix();
        let core = tag.suffix_in_namespace("tag:yaml.org,2002:");
        let written = format!("{}{suffix}", tag.original_handle());
        // `!` alone is the non-specific tag: "read as text".
        if core.as_deref() == Some("str") || written == "!" || suffix.is_empty() {
            continue;
        }
        let marker = span.tag_start.unwrap_or(span.start);
        let at = Pos {
            line: marker.line(),
            col: marker.col() + 1,
        };
        let (message, hint) = match core.as_deref().unwrap_or("") {
            "null" => (
                tr!(
                    "the YAML tag `{written}` empties this value{}",
                    "YAML 标记 `{written}` 会把这个值变为空{}",
                    value
                        .filter(|v| !v.is_empty())
                        .map(|v| tr!(": `{v}` would be dropped", "：`{v}` 会被丢掉"))
                        .unwrap_or_default()
                ),
                tr!(
                    "remove the tag; to leave a field empty, leave it out",
                    "请删除这个标记；字段不需要填写时，直接不写这一行"
                ),
            ),
            "binary" => (
                tr!(
                    "the YAML tag `{written}` decodes the value as base64: a data file holds readable text",
                    "YAML 标记 `{written}` 会把这个值当作 base64 解码：数据文件里应当是可读的文字"
                ),
                tr!(
                    "remove the tag and write the text itself",
                    "请删除这个标记，直接写出文字"
                ),
            ),
            "bool" | "int" | "float" | "seq" | "map" | "timestamp" | "set" | "omap" | "pairs" => (
                tr!(
                    "the YAML tag `{written}` is not used in data files",
                    "数据文件不使用 YAML 标记 `{written}`"
                ),
                tr!(
                    "remove it: each field is read as what it is documented to be (docs/data-format.md)",
                    "请删除它：每个字段都按文档（docs/data-format.md）规定的类型读取"
                ),
            ),
            _ => (
                tr!(
                    "unknown YAML tag `{written}`: it would be ignored and the value read without it",
                    "不认识的 YAML 标记 `{written}`：它会被忽略，值照常读取"
                ),
                tr!(
                    "remove it; to start a text with `!`, quote the text",
                    "请删除它；如果文字本身以 `!` 开头，请给整段文字加上引号"
                ),
            ),
        };
        return Some(
            Diagnostic::error(path, text, at, message)
                .with_len(written.chars().count())
                .with_hint(hint),
        );
    }
    None
}

/// The first control character written as an escape in a double-quoted
/// text (`"\\e[2J"`, `"\\u202E"`, `"\\0"`), as an error at the escape: typed
/// ones are refused by `decode`, and an escaped one would reach the outputs
/// raw just the same.
fn escaped_control_error(path: &Path, text: &str) -> Option<Diagnostic> {
    use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};
    if !text.contains('\\') {
        return None;
    }
    for item in Parser::new_from_str(text) {
        // A syntax error is reported by the real parse, with its wording.
        let (event, span) = item.ok()?;
        let Event::Scalar(value, ScalarStyle::DoubleQuoted, _, _) = &event else {
            continue;
        };
        let Some(c) = value.chars().find(|&c| is_invisible_control(c)) else {
            continue;
        };
        let start = span.start.byte_offset().unwrap_or_else(|| {
            offset_of(
                text,
                Pos {
                    line: span.start.line(),
                    col: span.start.col() + 1,
                },
            )
        });
        let end = span.end.byte_offset().unwrap_or(text.len()).min(text.len());
        let (at, len, written) = text
            .get(start..end)
            .and_then(first_control_escape)
            .map(|(i, written)| {
                (
                    position_of(text, start + i),
                    written.chars().count(),
                    written,
                )
            })
            .unwrap_or_else(|| (position_of(text, start), 1, String::new()));
        let message = match written.is_empty() {
            true => tr!(
                "this text holds the invisible control character {}",
                "这段文字中有不可见的控制字符 {}",
                control_name(c)
            ),
            false => tr!(
                "the escape `{written}` writes the invisible control character {} into the text",
                "转义符 `{written}` 会在文字中写入不可见的控制字符 {}",
                control_name(c)
            ),
        };
        let hint = match c {
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => pick(
                "delete the escape: a bidirectional control reorders the text on screen, so what you read is not what is printed",
                "请删除这个转义符：双向控制符会打乱屏幕上文字的顺序，看到的与印出的不一致",
            ),
            _ => pick(
                "delete the escape: a report's text holds no control characters (for a line break write a `|` block; `\\t` and `\\n` are fine)",
                "请删除这个转义符：报告的文字中不应有控制字符（需要换行时请用 `|` 块；`\\t` 和 `\\n` 可以使用）",
            ),
        };
        return Some(
            Diagnostic::error(path, text, at, message)
                .with_len(len)
                .with_hint(hint),
        );
    }
    None
}

/// The first escape in a double-quoted text's source that stands for an
/// invisible control: its byte offset and how it is written (`\\x07`).
fn first_control_escape(quoted: &str) -> Option<(usize, String)> {
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            continue;
        }
        let (_, kind) = chars.next()?;
        let digits = match kind {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        let hex: String = chars.clone().take(digits).map(|(_, h)| h).collect();
        for _ in 0..digits {
            chars.next();
        }
        let decoded = match kind {
            '0' => Some('\0'),
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            'N' => Some('\u{85}'),
            'x' | 'u' | 'U' => u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32),
            _ => None,
        };
        if decoded.is_some_and(is_invisible_control) {
            return Some((i, format!("\\{kind}{hex}")));
        }
    }
    None
}

/// A metric in short form (`托位: 3.88万个`) has its value where the whole
/// metric is; a number's typed spelling (`4.0`) is re-read from the source.
fn locate_short_metrics(metrics: &mut crate::model::Metrics, text: &str) {
    for metric in metrics.values_mut() {
        let outer = metric.referenced;
        let Some(value) = metric.value.value.as_mut() else {
            continue;
        };
        if value.referenced.line() > 0 {
            continue;
        }
        value.referenced = outer;
        value.defined = outer;
        if value.value.numeric() {
            let span = outer.span();
            let typed = span
                .byte_offset()
                .zip(span.byte_len())
                .and_then(|(start, len)| text.get(start as usize..(start + len) as usize));
            value.value.0 = match typed {
                Some(t) => t.trim().to_string(),
                None => value.value.0.trim_start_matches('\0').to_string(),
            };
        }
    }
}

fn yaml_error(path: &Path, text: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    let message = strip_location_suffix(&raw);
    let mut at = e.location().map(pos).unwrap_or_default();
    // An empty map or list may be one whose first entry was indented with
    // a slip, on the next line.
    let shape = matches!(
        message.as_str(),
        "expected mapping start" | "expected sequence start"
    );
    if let Some(d) = typing_slip(path, text, at, shape) {
        return d;
    }
    if let serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } = e.without_snippet() {
        let first = first_key_line(text, at, key)
            .map(|line| match line == at.line {
                true => tr!(" (both on line {line})", "（都在第 {line} 行）"),
                false => tr!(
                    " (lines {line} and {})",
                    "（第 {line} 行和第 {} 行）",
                    at.line
                ),
            })
            .unwrap_or_default();
        return Diagnostic::error(
            path,
            text,
            at,
            tr!(
                "`{key}` appears twice in this map{first}",
                "`{key}` 在这一层写了两次{first}"
            ),
        )
        .with_len(key.chars().count())
        .with_hint(pick(
            "each key may appear once in a map: merge the two entries, or delete one",
            "同一层中每个字段只能写一次：请把两处合并，或删去其中一处",
        ));
    }
    if message.contains("tab") {
        // The parser names the token it was reading; point at the tab itself.
        let line_start = offset_of(
            text,
            Pos {
                line: at.line,
                col: 1,
            },
        );
        if let Some(i) = text[line_start..].find('\t') {
            at = position_of(text, line_start + i);
        }
        return Diagnostic::error(
            path,
            text,
            at,
            pick(
                "a tab here: YAML indents only with spaces",
                "这里有一个制表符（Tab）：YAML 只能用空格缩进",
            ),
        )
        .with_hint(pick(
            "replace the tab with spaces (set the editor to insert spaces for Tab); a tab inside a text needs quotes or a `|` block",
            "请把制表符换成空格（可把编辑器设为按 Tab 键时插入空格）；文字中间确需制表符时，请加引号或使用 `|` 块",
        ));
    }
    if matches!(
        e.without_snippet(),
        serde_saphyr::Error::UnknownAnchor { .. }
    ) {
        let name: String = text[offset_of(text, at)..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        let bare = name.trim_start_matches('*');
        let key = text.lines().nth(at.line.saturating_sub(1)).unwrap_or("");
        let hint = if key.contains("lead:") || key.contains("units:") {
            tr!(
                "the * before a lead unit is generated: write `lead: {bare}` (cooperating units go in `units:`); to start a text with *, quote it: \"{name}\"",
                "牵头单位前的 * 是自动生成的：请写 `lead: {bare}`（配合单位写在 `units:` 中）；如果文字本身以 * 开头，请加引号：\"{name}\""
            )
        } else {
            tr!(
                "to start a text with *, quote it: \"{name}\"; an alias `*{bare}` repeats a value marked `&{bare}` earlier in the file",
                "如果文字本身以 * 开头，请加引号：\"{name}\"；别名 `*{bare}` 用来重复文件前面以 `&{bare}` 标记的值"
            )
        };
        return Diagnostic::error(
            path,
            text,
            at,
            tr!(
                "`{name}`: a value that starts with `*` refers to a YAML anchor `&{bare}`, and there is none",
                "`{name}`：以 `*` 开头的值是在引用 YAML 锚点 `&{bare}`，但文件中没有这个锚点"
            ),
        )
        .with_len(name.chars().count())
        .with_hint(hint);
    }
    // The hint is chosen by the English words; the message is shown in the
    // current language.
    let shown = plain_message_in(i18n::current(), &message);
    let message = plain_message_in(Lang::En, &message);
    let mut d = Diagnostic::error(path, text, at, shown);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            d.len = field.chars().count().max(1);
            let known: Vec<&str> = expected
                .trim_start_matches(", expected one of ")
                .trim_start_matches(", expected ")
                .split(", ")
                .map(|s| s.trim_matches('`'))
                .filter(|s| !s.is_empty())
                .collect();
            d.message = tr!("unknown field `{field}`", "没有 `{field}` 这个字段");
            d = match did_you_mean(field, known.iter().copied()) {
                Some(s) => d.with_hint(crate::diag::did_you_mean_hint(&format!("`{s}`"))),
                None if known.is_empty() => {
                    d.with_hint(pick("this map takes no fields", "这一层不能写任何字段"))
                }
                None => {
                    let list = match i18n::zh() {
                        true => format!("`{}`", known.join("`、`")),
                        false => known.join(", "),
                    };
                    d.with_hint(tr!(
                        "known fields here: {list}",
                        "这一层可以写的字段：{list}"
                    ))
                }
            };
        }
    } else if message.starts_with("expected a map here") && at.line == 1 && at.col == 1 {
        d.message = pick(
            "a data file must be a map (doc:, metrics:, parts:, …), not a list or a single value",
            "数据文件的最外层应当是 `键: 值` 形式的字段（`doc:`、`metrics:`、`parts:` 等），不能是列表或单个值",
        )
        .into();
        d = d.with_hint(pick(
            "see docs/data-format.md, or run `zongjie new report.yaml` for a commented example",
            "请参阅 docs/data-format.md，或运行 `zongjie new report.yaml` 生成一份带注释的示例",
        ));
    } else if message.starts_with("duplicate mapping key") {
        d = d.with_hint(pick(
            "each key may appear once in a map; merge the two entries",
            "同一层中每个字段只能写一次：请把两处合并",
        ));
    } else if message.starts_with("invalid type")
        || message.contains("; found ")
        || message.starts_with("expected a list")
        || message.starts_with("expected a map")
        || message.starts_with("expected a text")
    {
        d = d.with_hint(pick(
            "check the value's shape against docs/data-format.md (text, list or map)",
            "请对照 docs/data-format.md 检查这个值的形式（文字、列表还是 `键: 值` 字段）",
        ));
    } else if message.contains("budget")
        || message.contains("limit")
        || message.starts_with("aliases")
        || message.starts_with("values nested")
        || message.starts_with("more than")
    {
        d = d.with_hint(pick(
            "the file is too large or too deeply nested (or expands too many aliases) for a report",
            "对一份报告来说，这个文件太大、嵌套太深（或展开的别名太多）",
        ));
    } else if message.starts_with("`: `") {
        d = d.with_hint(pick(
            "quote the whole text (\"…\"), write the colon full-width `：` as Chinese text does, or use a `|` block",
            "请给整段文字加引号（\"…\"），或像中文行文那样把冒号写成全角 `：`，或使用 `|` 块",
        ));
    } else if message.starts_with("this line is indented") {
        d = d.with_hint(pick(
            "entries of one list start with `- ` in the same column; a further field of an entry lines up with the entry's first field, after its `- `; every line of a `|` text is indented at least as far as its first line",
            "同一列表的各条目以 `- ` 开头，并且 `- ` 在同一列；条目的其他字段与该条目第一个字段（`- ` 之后）对齐；`|` 文字的每一行至少与它的第一行缩进一样多",
        ));
    } else if message.starts_with("digits must be") || message.starts_with(DIGITS_ZH) {
        d.len = message.rsplit(' ').next().map_or(1, |n| n.chars().count());
        d = d.with_hint(pick(
            "`digits` is the number of decimal places of the computed rates and changes (1 when left out)",
            "`digits` 是计算出的比率和增减保留的小数位数（不写时为 1）",
        ));
    } else if message.starts_with("expected a whole number") {
        d = d.with_hint(pick(
            "write the number with ASCII digits, without quotes or units",
            "请用半角阿拉伯数字写这个数，不加引号，也不带单位",
        ));
    }
    if d.hint.is_none() {
        d = d.with_hint(pick(
            "check the YAML syntax here: closing brackets and quotes, and indentation with spaces",
            "请检查这里的 YAML 写法：括号和引号是否闭合，缩进是否都用空格",
        ));
    }
    d
}

/// How the Chinese message of `digits:` out of range starts (see
/// `model::digits`), so that it gets the same hint as the English.
const DIGITS_ZH: &str = "`digits`（小数位数）";

/// The YAML layer's terse messages in words an author understands, in
/// `lang`: the parser's own English is kept only where no mapping applies
/// (after a Chinese sentence).
fn plain_message_in(lang: Lang, m: &str) -> String {
    let m = m.trim();
    let zh = lang == Lang::Zh;
    let say = |en: &str, cn: &str| if zh { cn.to_string() } else { en.to_string() };
    if m.starts_with("invalid i") || m.starts_with("invalid u") {
        say(
            "expected a whole number here (e.g. 2022)",
            "这里应当是一个整数（例如 2022）",
        )
    } else if m == "expected sequence start" {
        say(
            "expected a list here (`- item` lines, or `[a, b]`)",
            "这里应当是一个列表（以 `- ` 开头的各行，或 `[a, b]`）",
        )
    } else if m == "expected mapping start" {
        say(
            "expected a map here (`key: value` lines)",
            "这里应当是 `键: 值` 形式的字段（`key: value` 各行）",
        )
    } else if let Some((found, expected)) = m
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split_once(", expected "))
    {
        if zh {
            return format!(
                "这里应当是{}，实际写的是{}",
                expected_in_chinese(expected),
                found_in_chinese(found)
            );
        }
        let found = match found {
            "sequence" => "a list",
            "map" => "a map",
            "unit value" => "an empty value",
            f if f.starts_with("string") => "a text",
            f if f.starts_with("integer") || f.starts_with("floating") => "a number",
            f if f.starts_with("boolean") => "true/false",
            f => f,
        };
        format!("expected {expected}; found {found}")
    } else if m == "invalid boolean" {
        say(
            "expected `true` or `false` here",
            "这里应当是 `true` 或 `false`",
        )
    } else if m == "recursion limit exceeded" {
        budget_message_in(lang, "Depth")
    } else if let Some(rest) = m.strip_prefix("budget breached: ") {
        budget_message_in(lang, rest)
    } else if m == "mapping values are not allowed in this context" {
        say(
            "`: ` (a colon and a space) inside a text: YAML reads it as the end of a key",
            "文字中间有 `: `（冒号加空格）：YAML 会把它当作字段名的结束",
        )
    } else if m.starts_with("while parsing a block collection, did not find expected '-'") {
        say(
            "this line is indented like a list entry but does not start with `- `",
            "这一行的缩进像列表条目，但没有以 `- ` 开头",
        )
    } else if m.starts_with("while parsing a block mapping, did not find expected key") {
        say(
            "this line is indented wrongly for the map it is in (its key does not line up with the keys above)",
            "这一行的缩进不对（它的字段名没有与上面同一层的字段名对齐）",
        )
    } else if m == "while parsing a flow mapping, did not find expected ',' or '}'" {
        say(
            "a `{…}` map is not closed with `}`, or its entries are not separated by `, `",
            "`{…}` 没有用 `}` 闭合，或者其中各项没有用 `, ` 隔开",
        )
    } else if m == "while parsing a flow sequence, expected ',' or ']'" {
        say(
            "a `[…]` list is not closed with `]`, or its entries are not separated by `, `",
            "`[…]` 列表没有用 `]` 闭合，或者其中各项没有用 `, ` 隔开",
        )
    } else if m == "simple key expected ':'" {
        say(
            "expected `key: value` here (an ASCII colon and a space after the key), or a continued text indented further than its key",
            "这里应当是 `key: value`（字段名后是半角冒号和一个空格），或者是缩进比字段名更深的续行文字",
        )
    } else if m == "expected string scalar" {
        say(
            "expected a text here, not a list or a map",
            "这里应当是一段文字，不能是列表或 `键: 值` 字段",
        )
    } else if zh && (m.starts_with(DIGITS_ZH) || m.chars().next().is_some_and(crate::text::is_cjk))
    {
        // A message of this crate's own deserialisers, already in Chinese.
        m.to_string()
    } else if zh {
        parser_message_in_chinese(m)
    } else {
        m.to_string()
    }
}

/// What a type error expected, in Chinese: the data format's own words
/// (already Chinese) or serde's names of types.
fn expected_in_chinese(expected: &str) -> String {
    let e = expected.trim();
    let words = match e {
        "a string" | "a borrowed string" | "string" => "一段文字",
        "a sequence" | "sequence" => "一个列表（以 `- ` 开头的各行）",
        "a map" | "map" => "`键: 值` 形式的字段",
        "a boolean" | "bool" => "`true` 或 `false`",
        "a character" | "char" => "一个字",
        "unit" => "空值",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => "一个整数",
        "f32" | "f64" => "一个数",
        e if e.starts_with("struct ") => "`键: 值` 形式的字段",
        e if e.starts_with("a sequence") || e.starts_with("tuple") => {
            "一个列表（以 `- ` 开头的各行）"
        }
        e if e.starts_with("enum ") || e.starts_with("variant ") => "规定的取值之一",
        e => return e.to_string(),
    };
    words.to_string()
}

/// What a type error found, in Chinese.
fn found_in_chinese(found: &str) -> String {
    match found {
        "sequence" => "一个列表".to_string(),
        "map" => "`键: 值` 形式的字段".to_string(),
        "unit value" => "空值".to_string(),
        f if f.starts_with("string") => format!("文字{}", f.strip_prefix("string").unwrap_or("")),
        f if f.starts_with("integer") || f.starts_with("floating") => {
            let value = f.split_once(' ').map(|(_, v)| v).unwrap_or("");
            format!("数字 {value}").trim_end().to_string()
        }
        f if f.starts_with("boolean") => "`true`/`false`".to_string(),
        f => f.to_string(),
    }
}

/// The YAML parser's other messages (granit-parser and serde-saphyr) in
/// Chinese, by their kind; what has no mapping is said as a YAML syntax
/// error with the parser's words after it.
fn parser_message_in_chinese(m: &str) -> String {
    if let Some((_, words)) = PARSER_WORDS
        .iter()
        .find(|(prefixes, _)| prefixes.iter().any(|p| m.starts_with(p)))
    {
        return words.to_string();
    }
    if let Some(rest) = m.strip_prefix("unclosed bracket '") {
        let open = rest.trim_end_matches('\'');
        format!("括号 `{open}` 没有闭合")
    } else if m.starts_with("alias replay") || m.starts_with("alias expansion") {
        budget_message_in(Lang::Zh, "Aliases")
    } else if let Some(expected) = m.strip_prefix("expected ") {
        format!("这里应当是{}", expected_in_chinese(expected))
    } else if m.starts_with("missing field `") {
        let field = m
            .trim_start_matches("missing field `")
            .trim_end_matches('`');
        format!("缺少字段 `{field}`")
    } else if let Some((what, expected)) = m
        .strip_prefix("invalid value: ")
        .and_then(|r| r.split_once(", expected "))
    {
        format!(
            "这个值不对（{}）：这里应当是{}",
            found_in_chinese(what),
            expected_in_chinese(expected)
        )
    } else if let Some(rest) = m.strip_prefix("unknown variant `") {
        let (value, rest) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = rest
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ")
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>();
        match allowed.is_empty() {
            true => format!("`{value}` 不是这里允许的取值"),
            false => format!(
                "`{value}` 不是这里允许的取值；可以写：`{}`",
                allowed.join("`、`")
            ),
        }
    } else {
        format!("YAML 写法有误（解析器的说明：{m}）")
    }
}

/// The YAML parser's messages (granit-parser and serde-saphyr) that have
/// one fixed Chinese sentence: the first whose prefix a message starts with.
const PARSER_WORDS: &[(&[&str], &str)] = &[
    (
        &["unclosed quote"],
        "引号没有闭合：开头的 `\"` 或 `'` 缺少与之配对的结尾引号",
    ),
    (
        &["multiple YAML documents detected"],
        "文件中有不止一个 YAML 文档（用 `---` 分开）：一个数据文件只能有一个",
    ),
    (
        &[
            "unexpected end of input",
            "unexpected eof",
            "unexpected EOF",
        ],
        "文件在这里意外结束：有括号、引号或列表没有写完",
    ),
    (
        &[
            "while parsing a block mapping",
            "unexpected EOF while parsing a block mapping",
        ],
        "这一行的缩进不对（它的字段名没有与上面同一层的字段名对齐）",
    ),
    (
        &["while parsing a flow mapping"],
        "`{…}` 没有用 `}` 闭合，或者其中各项没有用 `, ` 隔开",
    ),
    (
        &["while parsing a flow sequence"],
        "`[…]` 列表没有用 `]` 闭合，或者其中各项没有用 `, ` 隔开",
    ),
    (
        &[
            "while parsing a block collection",
            "block sequence entries are not allowed",
        ],
        "这一行的缩进像列表条目，但位置不对：同一列表的各条目应以 `- ` 开头，并且在同一列",
    ),
    (
        &[
            "mapping keys are not allowed",
            "mapping values are not allowed",
        ],
        "文字中间有 `: `（冒号加空格）：YAML 会把它当作字段名的结束",
    ),
    (
        &["invalid indentation", "simple key is no longer valid"],
        "这一行的缩进不对",
    ),
    (
        &["while parsing a quoted scalar, found unknown escape character"],
        "引号里的文字中，反斜杠 `\\` 后面的转义不认识：要写反斜杠本身请写 `\\\\`，或改用单引号",
    ),
    (
        &["while parsing a quoted scalar"],
        "引号里的文字中有写错的 `\\x`、`\\u` 转义",
    ),
    (
        &["invalid trailing content after"],
        "结尾引号后面还有文字：引号要把整段文字括起来",
    ),
    (
        &["while scanning a quoted scalar"],
        "引号里的文字没有结束就遇到了 `---` 或 `...`",
    ),
    (
        &[
            "while scanning a block scalar",
            "unexpected end of plain scalar",
        ],
        "`|` 或 `>` 块的写法不对：`|` 后面应当直接换行，文字写在下面并缩进",
    ),
    (
        &[
            "while parsing a tag",
            "while scanning a tag",
            "while scanning TAG",
            "unsupported tag",
        ],
        "`!` 开头的 YAML 标记写法不对；如果文字本身以 `!` 开头，请给整段文字加引号",
    ),
    (
        &["while scanning an anchor or alias", "while parsing anchor"],
        "`&` 或 `*` 后面应当是锚点名；如果文字本身以 `&` 或 `*` 开头，请给整段文字加引号",
    ),
    (
        &[
            "while scanning a directive",
            "while scanning a YAML directive",
            "while parsing a tag directive",
        ],
        "`%` 开头的行是 YAML 指令，数据文件中不需要；如果文字本身以 `%` 开头，请加引号",
    ),
    (
        &[
            "invalid content after document end",
            "did not find expected <document start>",
        ],
        "文档结束标记 `...` 后面还有内容",
    ),
    (
        &["while parsing a node, did not find expected node content"],
        "这里缺少值：冒号或 `- ` 后面应当写上内容",
    ),
    (
        &["unexpected character"],
        "这里有一个 YAML 不允许出现的字符；如果是文字的一部分，请给整段文字加引号",
    ),
    (&["YAML merge"], "数据文件不使用 YAML 的合并键 `<<`"),
    (
        &["invalid !!binary", "!!binary"],
        "数据文件不使用 `!!binary` 标记",
    ),
    (
        &[
            "cannot deserialize null into string",
            "cannot deserialize tagged scalar",
        ],
        "这里应当是一段文字，不能空着",
    ),
    (&["invalid boolean"], "这里应当是 `true` 或 `false`"),
    (
        &[
            "input is not valid UTF-8",
            "invalid utf-8",
            "invalid encoding",
        ],
        "文件不是 UTF-8 编码的文本",
    ),
    (
        &[
            "unexpected sequence end",
            "unexpected mapping end",
            "unexpected container end",
        ],
        "列表或 `键: 值` 字段在这里意外结束",
    ),
];

/// The first byte of the 1-based line and column `at` (clamped to the text).
fn offset_of(text: &str, at: Pos) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = text[line_start..].split('\n').next().unwrap_or("");
    line_start
        + line
            .char_indices()
            .nth(at.col.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
}

/// The input-method slips that break YAML at or just above an error:
/// a full-width colon `：` after a key, a full-width or non-breaking space
/// as indentation or after `key:`. Named, at their character, with the fix.
fn typing_slip(path: &Path, text: &str, at: Pos, next_line: bool) -> Option<Diagnostic> {
    if at.line == 0 {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    // The line above counts only for a field name (ASCII) slip.
    for (line_no, ascii_only) in [(at.line, false), (at.line - 1, true)] {
        let Some(line) = line_no.checked_sub(1).and_then(|i| lines.get(i)) else {
            continue;
        };
        let from = (line_no == at.line).then_some(at.col);
        if let Some((col, message, hint)) = slip_in_line(line, from, ascii_only) {
            let at = Pos { line: line_no, col };
            return Some(Diagnostic::error(path, text, at, message).with_hint(hint));
        }
    }
    // A map's or list's first entry indented with a slip: YAML reads the
    // value above as empty and reports it there, a line too early.
    if !next_line {
        return None;
    }
    let (i, line) = lines
        .iter()
        .enumerate()
        .skip(at.line)
        .find(|(_, l)| !l.trim().is_empty())?;
    let (col, message, hint) = indent_slip(line)?;
    let at = Pos { line: i + 1, col };
    Some(Diagnostic::error(path, text, at, message).with_hint(hint))
}

/// A full-width or non-breaking space in a line's indentation.
fn indent_slip(line: &str) -> Option<(usize, String, String)> {
    const FULL: char = '\u{3000}';
    const NBSP: char = '\u{a0}';
    let (i, c) = line
        .chars()
        .take_while(|&c| matches!(c, ' ' | '\t' | FULL | NBSP))
        .enumerate()
        .find(|&(_, c)| matches!(c, FULL | NBSP))?;
    let (what, fix) = if c == FULL {
        (
            pick(
                "a full-width space `　` (U+3000)",
                "全角空格 `　`（U+3000）",
            ),
            pick(
                "replace each full-width space with two ASCII spaces (switch the input method to half-width, 半角)",
                "请把每个全角空格换成两个半角空格（把输入法切换到半角）",
            ),
        )
    } else {
        (
            pick("a non-breaking space (U+00A0)", "不间断空格（U+00A0）"),
            pick(
                "replace it with an ordinary space (non-breaking spaces come with text copied from Word or a web page)",
                "请把它换成普通空格（不间断空格一般是从 Word 或网页复制文字时带进来的）",
            ),
        )
    };
    Some((
        i + 1,
        tr!(
            "{what} indents this line: YAML indents only with ordinary spaces",
            "这一行用{what}缩进：YAML 只能用普通空格缩进"
        ),
        fix.into(),
    ))
}

/// A slip in one source line: (1-based column, message, hint). Keys are
/// looked for after the indentation and `- `, and at column `from`.
fn slip_in_line(
    line: &str,
    from: Option<usize>,
    ascii_only: bool,
) -> Option<(usize, String, String)> {
    const FULL: char = '\u{3000}';
    const NBSP: char = '\u{a0}';
    let chars: Vec<char> = line.chars().collect();
    let indent = chars
        .iter()
        .take_while(|&&c| matches!(c, ' ' | '\t' | FULL | NBSP))
        .count();
    if !ascii_only && let Some(slip) = indent_slip(line) {
        return Some(slip);
    }
    let mut key_start = indent;
    while chars.get(key_start) == Some(&'-') && chars.get(key_start + 1) == Some(&' ') {
        key_start += 2;
        while chars.get(key_start) == Some(&' ') {
            key_start += 1;
        }
    }
    let starts = [Some(key_start), from.map(|c| c.saturating_sub(1))];
    for start in starts.into_iter().flatten() {
        let key_len = chars[start.min(chars.len())..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .count();
        if key_len == 0 || key_len > 40 {
            continue;
        }
        let key: String = chars[start..start + key_len].iter().collect();
        if ascii_only && !key.is_ascii() {
            continue;
        }
        let end = start + key_len;
        match (chars.get(end), chars.get(end + 1)) {
            (Some('：'), _) => {
                return Some((
                    end + 1,
                    tr!(
                        "full-width colon `：` after `{key}`: YAML ends a key only with an ASCII colon `:`",
                        "`{key}` 后面是全角冒号 `：`：YAML 只认半角冒号 `:` 作为字段名的结束"
                    ),
                    tr!(
                        "type `{key}: ` (ASCII colon, then a space) instead of `{key}：`",
                        "请把 `{key}：` 改为 `{key}: `（半角冒号，后面加一个空格）"
                    ),
                ));
            }
            (Some(&c), Some(':')) if c == FULL || c == NBSP => {
                let what = match c {
                    FULL => pick(
                        "a full-width space `　` (U+3000)",
                        "全角空格 `　`（U+3000）",
                    ),
                    _ => pick("a non-breaking space (U+00A0)", "不间断空格（U+00A0）"),
                };
                return Some((
                    end + 1,
                    tr!(
                        "{what} between `{key}` and its colon: YAML reads it as part of the key",
                        "`{key}` 和冒号之间有{what}：YAML 会把它当作字段名的一部分"
                    ),
                    tr!(
                        "delete it and type `{key}: ` (the key, an ASCII colon, then an ordinary space)",
                        "请删除它，写成 `{key}: `（字段名、半角冒号，再加一个普通空格）"
                    ),
                ));
            }
            (Some(':'), Some(&c))
                if start == key_start
                    && key.is_ascii()
                    && key.starts_with(|k: char| k.is_ascii_alphabetic())
                    && !c.is_whitespace()
                    && !matches!(c, ':' | '/' | FULL | NBSP) =>
            {
                return Some((
                    end + 2,
                    tr!(
                        "no space after `{key}:`: YAML reads `{key}:{c}…` as one text, not as the key `{key}` and its value",
                        "`{key}:` 后面没有空格：YAML 会把 `{key}:{c}…` 整个当作一段文字，而不是字段 `{key}` 和它的值"
                    ),
                    tr!(
                        "type a space after the colon: `{key}: {c}…`",
                        "请在冒号后面加一个空格：`{key}: {c}…`"
                    ),
                ));
            }
            (Some(':'), Some(&c)) if c == FULL || c == NBSP => {
                let (what, why) = if c == FULL {
                    (
                        pick(
                            "a full-width space `　` (U+3000)",
                            "全角空格 `　`（U+3000）",
                        ),
                        pick(
                            "switch the input method to half-width, 半角",
                            "请把输入法切换到半角",
                        ),
                    )
                } else {
                    (
                        pick("a non-breaking space (U+00A0)", "不间断空格（U+00A0）"),
                        pick(
                            "non-breaking spaces come with text copied from Word or a web page",
                            "不间断空格一般是从 Word 或网页复制文字时带进来的",
                        ),
                    )
                };
                return Some((
                    end + 2,
                    tr!(
                        "{what} after `{key}:`: YAML needs an ordinary space after the colon",
                        "`{key}:` 后面是{what}：YAML 要求冒号后面是普通空格"
                    ),
                    tr!(
                        "type `{key}: ` with an ordinary space ({why})",
                        "请写成 `{key}: `，冒号后用普通空格（{why}）"
                    ),
                ));
            }
            _ => {}
        }
    }
    None
}

/// The line where `key` first appears in the map whose duplicate is at
/// `at`: the nearest line above with the key in the same column, searched
/// within the map (up to a line indented less, or the map's first entry).
fn first_key_line(text: &str, at: Pos, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(at.line.checked_sub(1)?)?;
    let flow_key = format!("{key}:");
    // A flow map on one line: the key earlier on the same line.
    let before: String = here.chars().take(at.col.saturating_sub(1)).collect();
    if before.contains(&format!("{{{flow_key}")) || before.contains(&format!(", {flow_key}")) {
        return Some(at.line);
    }
    for (i, line) in lines[..at.line - 1].iter().enumerate().rev() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.chars().count() - trimmed.chars().count();
        let mut col = indent + 1;
        let mut rest = trimmed;
        let mut dashed = false;
        while let Some(r) = rest.strip_prefix("- ") {
            let r2 = r.trim_start_matches(' ');
            col += rest.chars().count() - r2.chars().count();
            rest = r2;
            dashed = true;
        }
        if col < at.col {
            return None;
        }
        if col == at.col {
            if rest.starts_with(&flow_key) {
                return Some(i + 1);
            }
            if dashed {
                return None;
            }
        }
    }
    None
}

/// A breached resource budget (serde-saphyr's `Budget`) in words, in `lang`.
fn budget_message_in(lang: Lang, detail: &str) -> String {
    let kind = detail
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    let zh = lang == Lang::Zh;
    let mib = MAX_FILE_BYTES >> 20;
    match (kind, zh) {
        ("ScalarBytes" | "AliasAnchorRatio" | "Aliases" | "Anchors" | "MergeKeys", false) => {
            format!(
                "aliases (`*name`) expand to more text than a data file may hold ({mib} MiB, at most {MAX_ALIASES} aliases)"
            )
        }
        ("ScalarBytes" | "AliasAnchorRatio" | "Aliases" | "Anchors" | "MergeKeys", true) => {
            format!(
                "别名（`*名称`）展开后的文字超过了一个数据文件的上限（{mib} MiB，别名最多 {MAX_ALIASES} 个）"
            )
        }
        ("Depth", false) => format!("values nested deeper than {MAX_DEPTH} levels"),
        ("Depth", true) => format!("值的嵌套超过 {MAX_DEPTH} 层"),
        ("Nodes" | "Events", false) => {
            format!("more than {MAX_NODES} values (list entries, map keys and texts) in one file")
        }
        ("Nodes" | "Events", true) => {
            format!("一个文件中的值（列表条目、字段和文字）超过 {MAX_NODES} 个")
        }
        (_, false) => format!("the file exceeds a size limit ({detail})"),
        (_, true) => format!("文件超过了大小上限（{detail}）"),
    }
}

/// `… at line 2, column 3` → `…` (the location is shown separately).
fn strip_location_suffix(message: &str) -> String {
    let m = message.trim();
    let m = m.strip_prefix("error: ").unwrap_or(m);
    match m.rfind(" at line ") {
        Some(i) if m[i..].contains("column") => m[..i].to_string(),
        _ => m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_messages_have_chinese_words() {
        assert_eq!(
            plain_message_in(Lang::En, "unclosed quote"),
            "unclosed quote"
        );
        assert_eq!(
            plain_message_in(Lang::Zh, "unclosed bracket '['"),
            "括号 `[` 没有闭合"
        );
        assert_eq!(
            plain_message_in(Lang::Zh, "invalid type: sequence, expected a string"),
            "这里应当是一段文字，实际写的是一个列表"
        );
        assert_eq!(
            plain_message_in(Lang::En, "invalid type: sequence, expected a string"),
            "expected a string; found a list"
        );
        assert_eq!(budget_message_in(Lang::Zh, "Depth"), "值的嵌套超过 64 层");
        // A message no mapping knows: said in Chinese, the parser's words after.
        assert_eq!(
            plain_message_in(Lang::Zh, "something new"),
            "YAML 写法有误（解析器的说明：something new）"
        );
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = decode(Path::new("a.yaml"), b"\xEF\xBB\xBFdoc:\r\n  title: x\r\n").unwrap();
        assert_eq!(text, "doc:\n  title: x\n");
    }

    #[test]
    fn gbk_is_named_with_a_hint() {
        let (bytes, _, _) = encoding_rs::GBK.encode("doc:\n  title: 丽水市卫生健康委员会\n");
        let d = decode(Path::new("a.yaml"), &bytes).unwrap_err();
        assert!(d.message.contains("GBK"), "{}", d.message);
        assert!(d.hint.unwrap().contains("iconv"));
        assert_eq!((d.line, d.col), (2, 10));
    }

    #[test]
    fn unknown_field_suggests_the_closest() {
        let d = parse(Path::new("a.yaml"), "doc:\n  titel: x\n").unwrap_err();
        assert_eq!(d.message, "unknown field `titel`");
        assert_eq!((d.line, d.col), (2, 3));
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn top_level_list_and_empty_file() {
        let d = parse(Path::new("a.yaml"), "- a\n- b\n").unwrap_err();
        assert!(d.message.contains("must be a map"), "{}", d.message);
        let d = parse(Path::new("a.yaml"), "# only a comment\n").unwrap_err();
        assert!(d.message.contains("empty"));
    }

    #[test]
    fn typed_text_of_numbers_is_kept() {
        let data = parse(
            Path::new("a.yaml"),
            "metrics:\n  托位: 4.0\n  b: {value: 2022}\n",
        )
        .unwrap();
        assert_eq!(
            data.metrics["托位"].value.value.as_ref().unwrap().value.0,
            "4.0"
        );
    }

    #[test]
    fn item_locations_are_kept() {
        let src = "parts:\n  - sections:\n      - items:\n          - 甲\n          - {lead: 乙, text: 丙}\n";
        let data = parse(Path::new("a.yaml"), src).unwrap();
        let items = &data.parts[0].sections[0]
            .items
            .as_ref()
            .unwrap()
            .value
            .items;
        let first = items[0].text.as_ref().unwrap();
        assert_eq!((first.at.line(), first.at.column()), (4, 13));
        let lead = items[1].lead.as_ref().unwrap();
        assert_eq!((lead.at.line(), lead.at.column()), (5, 20));
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zongjie-load-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `f0` imports `f1` four times, `f1` imports `f2` four times, …
    fn fan_out(dir: &Path, levels: usize) {
        for i in 0..levels {
            let next = format!("f{}.yaml", i + 1);
            let imports = ["a", "b", "c", "d"]
                .map(|a| format!("{a}: {next}"))
                .join(", ");
            std::fs::write(
                dir.join(format!("f{i}.yaml")),
                format!("metrics: {{m{i}: 1个}}\nimports: {{{imports}}}\n"),
            )
            .unwrap();
        }
        std::fs::write(dir.join(format!("f{levels}.yaml")), "metrics: {z: 1个}\n").unwrap();
    }

    #[test]
    fn a_file_imported_along_several_paths_is_loaded_once() {
        let dir = temp("shared");
        fan_out(&dir, 3);
        let loaded = load(&dir.join("f0.yaml")).unwrap();
        let f1 = &loaded.imports["a"];
        assert!(Arc::ptr_eq(f1, &loaded.imports["d"]));
        assert!(Arc::ptr_eq(&f1.imports["a"], &f1.imports["b"]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn fanning_out_imports_stop_at_the_file_budget() {
        let dir = temp("fan");
        // 4^11 paths through 12 files.
        fan_out(&dir, 11);
        let start = std::time::Instant::now();
        let errors = load(&dir.join("f0.yaml")).unwrap_err();
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(errors.len(), 1, "{errors:?}");
        let e = &errors[0];
        assert!(
            e.message
                .ends_with("pulls in more than 256 files through its imports"),
            "{}",
            e.message
        );
        assert!(e.line == 2 && e.col > 1, "{e:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn import_problems_stop_at_the_diagnostic_limit() {
        let dir = temp("many");
        let imports: String = (0..150)
            .map(|i| format!("  a{i:03}: missing{i}.yaml\n"))
            .collect();
        std::fs::write(dir.join("r.yaml"), format!("imports:\n{imports}")).unwrap();
        let errors = load(&dir.join("r.yaml")).unwrap_err();
        assert_eq!(errors.len(), 101);
        assert_eq!(
            errors[100].message,
            "stopped loading the imports after 100 problems"
        );
        assert_eq!(errors[100].line, 102);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_300_000_character_import_path_is_refused_at_once() {
        let long = "a/".repeat(150_000) + "x.yaml";
        let text = format!("imports: {{a: {long}}}\n");
        let start = std::time::Instant::now();
        let errors = load_bytes(Path::new("r.yaml"), text.as_bytes()).unwrap_err();
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            errors[0].message,
            "import `a`: the path is longer than 4096 bytes"
        );
    }

    #[test]
    fn imports_stay_inside_the_scope() {
        let dir = temp("scope");
        let data = dir.join("data");
        let outside = dir.join("outside");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("x.yaml"), "metrics: {secret: 1个}\n").unwrap();
        std::fs::write(data.join("notes.txt"), "secret: text\n").unwrap();
        std::fs::write(
            data.join("r.yaml"),
            "imports: {a: ../outside/x.yaml, b: notes.txt, c: ../outside/none.yaml}\n",
        )
        .unwrap();
        let errors = load(&data.join("r.yaml")).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages[0]
                .ends_with("x.yaml is outside the project (the folders of the data files given)"),
            "{messages:?}"
        );
        assert!(
            messages[1].ends_with("notes.txt is not a data file (.yaml or .yml)"),
            "{messages:?}"
        );
        assert!(
            messages[2].ends_with(
                "none.yaml is outside the project (the folders of the data files given)"
            ),
            "{messages:?}"
        );
        assert!(errors.iter().all(|e| e.file == data.join("r.yaml")));
        let allowed = ImportScope::new([&outside]);
        let loaded = load_in(&data.join("r.yaml"), &allowed).unwrap_err();
        assert!(!loaded[0].message.contains("outside"), "{loaded:?}");
        std::fs::write(data.join("r.yaml"), "imports: {a: ../outside/x.yaml}\n").unwrap();
        assert!(load_in(&data.join("r.yaml"), &allowed).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn control_characters_written_as_escapes_are_located_errors() {
        let path = Path::new("a.yaml");
        for (text, written, name, col) in [
            ("doc: {title: \"标题\\e[2J\"}\n", "\\e", "U+001B (ESC)", 17),
            ("intro: \"a\\x07b\"\n", "\\x07", "U+0007 (BEL)", 10),
            (
                "intro: \"ab\\u202Ec\"\n",
                "\\u202E",
                "U+202E (RIGHT-TO-LEFT OVERRIDE)",
                11,
            ),
            ("intro: \"a\\\\0 \\0d\"\n", "\\0", "U+0000 (NUL)", 14),
            ("intro: \"a\\x9be\"\n", "\\x9b", "U+009B (a C1 control)", 10),
            (
                "intro: \"a\\U0000001b\"\n",
                "\\U0000001b",
                "U+001B (ESC)",
                10,
            ),
        ] {
            let d = parse(path, text).unwrap_err();
            assert_eq!(
                d.message,
                format!(
                    "the escape `{written}` writes the invisible control character {name} into the text"
                ),
                "{text}"
            );
            assert_eq!((d.line, d.col), (1, col), "{text}");
        }
        // Escapes of ordinary characters, tabs and line breaks are fine.
        let ok = parse(path, "intro: \"a\\tb\\nc\\\\e \\u4e2d \\x41\"\n").unwrap();
        assert_eq!(ok.intro.unwrap().0[0].value, "a\tb\nc\\e 中 A");
    }

    #[test]
    fn control_characters_are_located_errors() {
        let d = decode(
            Path::new("a.yaml"),
            "doc:\n  title: 标题\u{1b}]0;x\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            d.message,
            "the invisible control character U+001B (ESC) is in the text"
        );
        assert_eq!((d.line, d.col), (2, 12));
        assert_eq!(d.snippet.as_deref(), Some("  title: 标题␛]0;x"));
        let d = decode(Path::new("a.yaml"), "intro: 甲\u{202e}乙\n".as_bytes()).unwrap_err();
        assert!(
            d.message.contains("U+202E (RIGHT-TO-LEFT OVERRIDE)"),
            "{}",
            d.message
        );
        assert!(
            d.hint
                .unwrap()
                .contains("what you read is not what is printed")
        );
        let d = decode(Path::new("a.yaml"), "intro: 甲\u{85}\n".as_bytes()).unwrap_err();
        assert!(d.message.contains("U+0085 (a C1 control)"), "{}", d.message);
        let d = decode(Path::new("a.yaml"), b"a: 1\rb: 2\n").unwrap_err();
        assert!(d.hint.unwrap().contains("carriage return"));
        // Tabs, line feeds, CRLF and other format characters are fine.
        assert!(decode(Path::new("a.yaml"), "a:\t甲\u{200b}\r\nb: 2\n".as_bytes()).is_ok());
    }

    #[test]
    fn typing_slips_are_named_at_their_character() {
        let (col, message, hint) = slip_in_line("  title： 测试", None, false).unwrap();
        assert_eq!(col, 8);
        assert!(
            message.starts_with("full-width colon `：` after `title`"),
            "{message}"
        );
        assert!(hint.contains("`title: `"), "{hint}");
        // In a flow map, at the error's column.
        let (col, _, _) = slip_in_line("  托位: {value：45.6%}", Some(8), false).unwrap();
        assert_eq!(col, 13);
        let (col, message, _) = slip_in_line("  - lead:\u{a0}市卫健委", None, false).unwrap();
        assert_eq!(col, 10);
        assert!(message.contains("U+00A0"), "{message}");
        let (col, message, _) = slip_in_line(" \u{3000}year: 2022", None, false).unwrap();
        assert_eq!(col, 2);
        assert!(message.contains("U+3000"), "{message}");
        // Chinese text with a full-width colon is no slip on the line above.
        assert!(slip_in_line("  - 目标：完成任务", None, true).is_none());
        assert!(slip_in_line("  text: 目标：完成任务", None, false).is_none());
        // No space after the colon, or a non-breaking one before it.
        let (col, message, hint) = slip_in_line("  title:测试", None, false).unwrap();
        assert_eq!(col, 9);
        assert!(message.starts_with("no space after `title:`"), "{message}");
        assert!(hint.contains("`title: 测…`"), "{hint}");
        let (col, message, _) = slip_in_line("  title\u{a0}: x", None, false).unwrap();
        assert_eq!(col, 8);
        assert!(
            message.contains("between `title` and its colon"),
            "{message}"
        );
        // A time or a web address in a text is no slip.
        assert!(slip_in_line("  time: 10:30", Some(9), false).is_none());
        assert!(slip_in_line("  - https://x.cn", None, false).is_none());
    }

    #[test]
    fn a_slip_indenting_the_first_entry_is_named_on_its_line() {
        let path = Path::new("a.yaml");
        for text in [
            "doc:\n\u{3000}title: 测试\n",
            "parts:\n\n\u{3000}- title: 部分\n",
        ] {
            let d = parse(path, text).unwrap_err();
            assert!(d.message.contains("U+3000"), "{text}: {}", d.message);
            assert_eq!((d.line, d.col), (text.lines().count(), 1), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let src = "doc:\n  title: a\n  year: 1\n  title: b\n";
        let d = parse(Path::new("a.yaml"), src).unwrap_err();
        assert_eq!(
            d.message,
            "`title` appears twice in this map (lines 2 and 4)"
        );
        let src = "parts:\n  - title: a\n    intro: x\n    title: b\n  - title: c\n";
        let d = parse(Path::new("a.yaml"), src).unwrap_err();
        assert_eq!(
            d.message,
            "`title` appears twice in this map (lines 2 and 4)"
        );
        let d = parse(Path::new("a.yaml"), "metrics:\n  a: {value: 1, value: 2}\n").unwrap_err();
        assert_eq!(
            d.message,
            "`value` appears twice in this map (both on line 2)"
        );
    }

    #[test]
    fn a_tab_is_reported_where_it_is() {
        let src = format!(
            "{}doc:\n  title: 很长的标题文字\n\tyear: 2022\n",
            "# c\n".repeat(27)
        );
        let d = parse(Path::new("a.yaml"), &src).unwrap_err();
        assert_eq!((d.line, d.col), (30, 1));
        assert!(d.message.contains("tab"), "{}", d.message);
    }

    #[test]
    fn tags_are_errors_but_text_tags_and_exclamation_marks() {
        let ok =
            "doc:\n  title: !!str 2022\n  issuer: ! 某委\nintro: [好!, \"!不是标签\", 'a!b']\n";
        assert!(parse(Path::new("a.yaml"), ok).is_ok());
        let d = parse(Path::new("a.yaml"), "doc:\n  year: !!null 2022\n").unwrap_err();
        assert_eq!(
            d.message,
            "the YAML tag `!!null` empties this value: `2022` would be dropped"
        );
        assert_eq!((d.line, d.col), (2, 9));
        let d = parse(Path::new("a.yaml"), "parts: !custom\n  - title: a\n").unwrap_err();
        assert!(
            d.message.starts_with("unknown YAML tag `!custom`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn position_of_counts_characters() {
        assert_eq!(position_of("ab\n丽水x", 9), Pos { line: 2, col: 3 });
    }
}
