//! The PDF writer: doc tree → print-ready PDF in the GB/T 9704 layout.
//! `layout` (engine, pagination), `linebreak` (Chinese line breaking and
//! justification), `title` (balanced title lines), `table` (column widths)
//! and `write` (krilla: subset fonts, metadata, outline, tags).

pub mod layout;
pub mod linebreak;
pub mod table;
pub mod title;
mod write;

pub use layout::{
    DRAFT_MARK, Layout, Line, LineKind, OutlineEntry, Page, PlacedGlyph, Rule, Watermark, layout,
};

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Diagnostic, Pos, Severity};
use crate::doc::Document;
use crate::fonts::FontSet;
use crate::profile::Profile;
use crate::tr;

/// Options that are not layout: they come from the caller's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfOptions {
    /// Creation date (year, month, day) for the PDF metadata; `None` writes none.
    /// The caller derives it from `SOURCE_DATE_EPOCH` or the document's
    /// `written` date (see `creation_date`), never from the clock.
    pub created: Option<(i32, u8, u8)>,
}

/// A rendered PDF and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfOutput {
    pub bytes: Vec<u8>,
    /// Which face printed characters a role's face lacks (notices).
    pub notes: Vec<String>,
    /// Characters no face can print (see `missing_glyph_diagnostics`).
    pub missing: Vec<char>,
    pub pages: usize,
}

/// Why no PDF could be written.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfError {
    Profile(String),
    Fonts(String),
    /// `FontSet::faces[face]` cannot be embedded (damaged, or beyond what
    /// the subsetter takes), with the subsetter's reason.
    Font {
        face: usize,
        reason: String,
    },
    Write(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Profile(m) => f.write_str(&tr!("layout profile: {m}", "版式配置：{m}")),
            PdfError::Fonts(m) => f.write_str(&tr!("fonts: {m}", "字体：{m}")),
            PdfError::Font { reason, .. } => f.write_str(&tr!(
                "a font cannot be embedded: {reason}",
                "有一个字体无法嵌入（subsetter：{reason}）"
            )),
            PdfError::Write(m) => {
                f.write_str(&tr!("writing the PDF: {m}", "写出文件时出错（{m}）"))
            }
        }
    }
}

impl std::error::Error for PdfError {}

/// Lays out and writes the document.
pub fn render(
    doc: &Document,
    profile: &Profile,
    fonts: &FontSet,
    options: &PdfOptions,
) -> Result<PdfOutput, PdfError> {
    let laid = layout(doc, profile, fonts)?;
    let bytes = write::write(doc, &laid, fonts, profile.headings.bold_stroke_em, options)?;
    Ok(PdfOutput {
        bytes,
        notes: laid.notes,
        missing: laid.missing,
        pages: laid.pages.len(),
    })
}

/// Located diagnostics shown one by one; the rest are summed up in one.
const MAX_MISSING_SHOWN: usize = 50;

/// One warning per character no face can print, at its first occurrence
/// in the document's sources (the data file, then its imports; YAML
/// comment lines skipped), or about `document` when no source has it (it
/// came from a template). One pass over the sources.
pub fn missing_glyph_diagnostics(
    missing: &[char],
    sources: &[crate::load::Source],
    document: &Path,
) -> Vec<Diagnostic> {
    let mut wanted: BTreeSet<char> = missing.iter().copied().collect();
    let mut found: BTreeMap<char, (usize, Pos)> = BTreeMap::new();
    for (i, source) in sources.iter().enumerate() {
        for (l, line) in source.text.lines().enumerate() {
            if wanted.is_empty() {
                break;
            }
            if line.trim_start().starts_with('#') {
                continue;
            }
            for (col, c) in line.chars().enumerate() {
                if wanted.remove(&c) {
                    found.insert(
                        c,
                        (
                            i,
                            Pos {
                                line: l + 1,
                                col: col + 1,
                            },
                        ),
                    );
                }
            }
        }
    }
    let message = |c: char| {
        tr!(
            "PDF: no font has the character {c} (U+{:04X}): it prints as an empty box",
            "PDF：所有字体都没有「{c}」这个字符（U+{:04X}），印出来会是一个空框",
            u32::from(c)
        )
    };
    let hint = tr!(
        "install a font that has it and name it in the profile (`fonts.<role>.families` or `file`) or with --font-path; `zongjie fonts` shows what is used",
        "请安装含有这个字符的字体，并在版式配置中写明（`fonts.<role>.families` 或 `file`），或用 `--font-path` 指定字体所在的文件夹；运行 `zongjie fonts` 可查看现在用的字体"
    );
    // In reading order: file, line, column; those from templates last.
    let mut order: Vec<char> = missing.to_vec();
    order.sort_by_key(|c| {
        found
            .get(c)
            .map_or((usize::MAX, 0, 0), |&(i, p)| (i, p.line, p.col))
    });
    let mut out = Vec::new();
    for &c in order.iter().take(MAX_MISSING_SHOWN) {
        let d = match found.get(&c) {
            Some(&(i, pos)) => {
                let s = &sources[i];
                Diagnostic::warning(&s.path, &s.text, pos, message(c))
            }
            None => Diagnostic::about_file(
                Severity::Warning,
                document,
                tr!(
                    "{} (from a template, not the data)",
                    "{}（这个字符来自模板，不在数据文件里）",
                    message(c)
                ),
            ),
        };
        out.push(d.with_hint(hint.clone()));
    }
    if missing.len() > MAX_MISSING_SHOWN {
        let rest: String = order[MAX_MISSING_SHOWN..].iter().take(200).collect();
        out.push(
            Diagnostic::about_file(
                Severity::Warning,
                document,
                tr!(
                    "PDF: {} more characters no font has: {rest}{}",
                    "PDF：另有 {} 个字符所有字体都没有：{rest}{}",
                    missing.len() - MAX_MISSING_SHOWN,
                    if missing.len() > MAX_MISSING_SHOWN + 200 {
                        "…"
                    } else {
                        ""
                    }
                ),
            )
            .with_hint(hint),
        );
    }
    out
}

/// The creation date: `SOURCE_DATE_EPOCH` (seconds, UTC) when given and
/// valid, else the document's `written` date (`YYYY-MM-DD`).
pub fn creation_date(
    source_date_epoch: Option<&str>,
    written: Option<&str>,
) -> Option<(i32, u8, u8)> {
    if let Some(secs) = source_date_epoch.and_then(|s| s.trim().parse::<i64>().ok()) {
        return Some(civil_from_days(secs.div_euclid(86_400)));
    }
    let w = written?;
    let mut it = w.trim().splitn(3, '-');
    let y = it.next()?.parse::<i32>().ok()?;
    let m = it.next()?.parse::<u8>().ok()?;
    let d: String = it
        .next()?
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let d = d.parse::<u8>().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((if m <= 2 { y + 1 } else { y }) as i32, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> crate::load::Source {
        crate::load::Source {
            path: path.into(),
            text: text.into(),
        }
    }

    #[test]
    fn missing_glyphs_are_located_at_their_first_occurrence_in_the_sources() {
        let sources = [
            source(
                "r.yaml",
                "# 喆 in a comment\ndoc:\n  title: 工作总结\nintro: 张喆和𠀀\n",
            ),
            source("i.yaml", "text: 珺珺\n"),
        ];
        let d = missing_glyph_diagnostics(&['喆', '珺', '𠀀', '堃'], &sources, Path::new("r.yaml"));
        let at: Vec<(String, usize, usize)> = d
            .iter()
            .map(|d| (d.file.display().to_string(), d.line, d.col))
            .collect();
        assert_eq!(
            at,
            [
                ("r.yaml".to_string(), 4, 9),
                ("r.yaml".to_string(), 4, 11),
                ("i.yaml".to_string(), 1, 7),
                ("r.yaml".to_string(), 0, 0),
            ],
            "{d:#?}"
        );
        assert!(d[0].message.contains("喆 (U+5586)"), "{}", d[0].message);
        assert!(d[1].message.contains("U+20000"));
        assert!(d[3].message.contains("from a template"), "{}", d[3].message);
        assert!(
            d.iter()
                .all(|d| d.severity == Severity::Warning && d.hint.is_some())
        );
    }

    #[test]
    fn thousands_of_missing_glyphs_give_a_bounded_report() {
        let missing: Vec<char> = ('\u{20000}'..'\u{21388}').collect();
        let text: String = missing.iter().collect();
        let sources = [source("r.yaml", &format!("intro: {text}\n"))];
        let start = std::time::Instant::now();
        let d = missing_glyph_diagnostics(&missing, &sources, Path::new("r.yaml"));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(d.len(), MAX_MISSING_SHOWN + 1);
        assert_eq!((d[0].line, d[0].col), (1, 8));
        assert!(
            d[MAX_MISSING_SHOWN]
                .message
                .contains("4950 more characters"),
            "{}",
            d[MAX_MISSING_SHOWN].message
        );
    }

    #[test]
    fn creation_date_prefers_source_date_epoch() {
        assert_eq!(
            creation_date(Some("1684454400"), Some("2020-01-01")),
            Some((2023, 5, 19))
        );
        assert_eq!(creation_date(Some("0"), None), Some((1970, 1, 1)));
        assert_eq!(creation_date(None, Some("2023-05-19")), Some((2023, 5, 19)));
        assert_eq!(
            creation_date(Some("x"), Some("2023-5-9")),
            Some((2023, 5, 9))
        );
        assert_eq!(creation_date(None, Some("2023-13-01")), None);
        assert_eq!(creation_date(None, None), None);
    }
}
