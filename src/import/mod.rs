//! `zongjie import`: last year's report (text copied from a web page, a GBK
//! export, Markdown, a .docx through [`docx`]) → a YAML draft in the data format that renders the same
//! text. Stages, each a pure function: [`decode`] (bytes → text), [`chrome`]
//! (site chrome dropped, metadata kept), [`damage`] (mojibake repaired, damage
//! listed), [`outline`] (paragraphs → parts, sections, items, task table),
//! with `--metrics` [`figures`] (computable figures → `metrics`), and
//! [`draft`] (outline → commented YAML).

pub mod chrome;
pub mod damage;
pub mod decode;
pub mod docx;
pub mod draft;
pub mod figures;
pub mod outline;

use std::path::Path;

use crate::diag::{Diagnostic, Pos, Severity};
use crate::i18n;
use crate::tr;

/// Files larger than this are refused (a year's report is ~100 KB).
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;

/// Notes reported per import; the rest are counted in one line.
pub const MAX_NOTES: usize = 100;

/// One source line and its 1-based number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub no: usize,
}

/// Something the importer noticed, at a source line (1-based; 0: the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub severity: Severity,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: String,
}

impl Note {
    pub fn new(
        severity: Severity,
        line: usize,
        col: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Note {
            severity,
            line,
            col: col.max(1),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The draft and everything noticed on the way.
#[derive(Debug)]
pub struct Imported {
    pub yaml: String,
    pub encoding: &'static str,
    pub notes: Vec<Diagnostic>,
}

/// Reads a source file, bounded: a directory, a FIFO or a device is refused
/// before it is opened for reading, and at most [`MAX_SOURCE_BYTES`] are read.
pub fn read_source(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        let e = i18n::io_error(&e);
        Diagnostic::file_error(path, tr!("cannot read the file: {e}", "无法读取文件：{e}"))
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| cannot(e).with_hint(i18n::pick("check the file name", "请检查文件名")))?;
    if !meta.is_file() {
        let message = if meta.is_dir() {
            tr!("this is a folder", "这是文件夹，不是文件")
        } else {
            tr!(
                "this is not a regular file (a pipe or a device)",
                "这不是普通文件（是管道或设备）"
            )
        };
        return Err(Diagnostic::file_error(path, message)
            .with_hint(i18n::pick("name the report's file", "请指定报告所在的文件")));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    Ok(bytes)
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Lift the figures the tool can compute exactly into `metrics`.
    pub metrics: bool,
}

/// Imports the source `bytes` read from `path` with the default options.
pub fn import(path: &Path, bytes: &[u8]) -> Result<Imported, Diagnostic> {
    import_with(path, bytes, Options::default())
}

/// Imports the source `bytes` read from `path`.
pub fn import_with(path: &Path, bytes: &[u8], options: Options) -> Result<Imported, Diagnostic> {
    if bytes.len() > MAX_SOURCE_BYTES {
        let mib = MAX_SOURCE_BYTES >> 20;
        return Err(Diagnostic::file_error(
            path,
            tr!("file is larger than {mib} MiB", "文件超过 {mib} MiB"),
        )
        .with_hint(i18n::pick(
            "import the report's own text, not an archive or a book",
            "请只导入报告本身的文字，不要导入压缩包或整本书",
        )));
    }
    let mut word: Option<docx::Extracted> = None;
    let decoded = if docx::is_docx(bytes) {
        let mut extracted = docx::extract(bytes).map_err(|e| {
            Diagnostic::file_error(path, e).with_hint(i18n::pick(
                "open it in Word or WPS and save it again, or save it as .txt",
                "请用 Word 或 WPS 打开后重新保存，或另存为 .txt",
            ))
        })?;
        let text = std::mem::take(&mut extracted.text);
        word = Some(extracted);
        decode::Decoded {
            text,
            encoding: "docx",
        }
    } else {
        decode::decode(bytes)
            .map_err(|e| Diagnostic::file_error(path, e.message).with_hint(e.hint))?
    };
    let text = decoded.text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, t)| Line {
            text: t.to_string(),
            no: i + 1,
        })
        .collect();
    let (lines, mut notes) = damage::repair(lines);
    let (lines, chrome) = chrome::strip(lines);
    notes.extend(damage::findings(&lines));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source_lines = if options.metrics {
        lines.clone()
    } else {
        Vec::new()
    };
    let mut outline = outline::outline(lines, &mut notes);
    if options.metrics {
        figures::lift(&mut outline, &source_lines, &mut notes);
    }
    let yaml = draft::write(&outline, &chrome.meta, &name);
    notes.sort_by_key(|n| (n.line, n.col));
    let more = notes.len().saturating_sub(MAX_NOTES);
    notes.truncate(MAX_NOTES);
    if more > 0 {
        notes.push(Note::new(
            Severity::Note,
            0,
            1,
            tr!("{more} more notes not shown", "另有 {more} 条说明未显示"),
            i18n::pick(
                "fix the ones shown and import again, or check the draft's `# 请核对` comments",
                "请先处理显示出来的几条再重新导入，或查看草稿中的 `# 请核对` 注释",
            ),
        ));
    }
    let notes = match &word {
        Some(w) => located_in_word(notes, path, w),
        None => notes
            .into_iter()
            .map(|n| {
                Diagnostic::new(
                    n.severity,
                    path,
                    &text,
                    Pos {
                        line: n.line,
                        col: n.col,
                    },
                    n.message,
                )
                .with_hint(n.hint)
            })
            .collect(),
    };
    Ok(Imported {
        yaml,
        encoding: decoded.encoding,
        notes,
    })
}

/// Notes on a `.docx`, located as Word shows the document: `file:N:col` is
/// the Nth paragraph with text (table cells' paragraphs counted), its
/// snippet that paragraph, and the message says where (paragraph N or
/// table/row/column) and how the paragraph starts, for Word's Find.
fn located_in_word(notes: Vec<Note>, path: &Path, w: &docx::Extracted) -> Vec<Diagnostic> {
    let view = w.paragraphs.join("\n");
    notes
        .into_iter()
        .map(|n| {
            let place = n
                .line
                .checked_sub(1)
                .and_then(|i| w.places.get(i))
                .and_then(|p| p.as_ref());
            let Some((place, skip)) = place else {
                return Diagnostic::about_file(n.severity, path, n.message).with_hint(n.hint);
            };
            let para = w.paragraphs.get(place.paragraph() - 1);
            let start: String = para.map_or(String::new(), |p| {
                let mut s: String = p.chars().take(12).collect();
                if p.chars().count() > 12 {
                    s.push('…');
                }
                s
            });
            let at = match place {
                docx::Place::Paragraph { n } => tr!("paragraph {n}", "第 {n} 段"),
                docx::Place::Cell {
                    table, row, col, ..
                } => tr!(
                    "table {table}, row {row}, column {col}",
                    "第 {table} 个表格第 {row} 行第 {col} 列"
                ),
            };
            let message = &n.message;
            let message = if start.is_empty() {
                tr!("{message} (in Word: {at})", "{message}（在 Word 中：{at}）")
            } else {
                tr!(
                    "{message} (in Word: {at}, “{start}”)",
                    "{message}（在 Word 中：{at}，以“{start}”开头）"
                )
            };
            let (line, col) = if para.is_some() {
                (place.paragraph(), n.col.saturating_sub(*skip).max(1))
            } else {
                (0, 1)
            };
            Diagnostic::new(n.severity, path, &view, Pos { line, col }, message).with_hint(n.hint)
        })
        .collect()
}
