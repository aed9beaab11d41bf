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

use crate::doc::Document;
use crate::fonts::FontSet;
use crate::profile::Profile;

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
    /// Faces standing in for official ones, characters without a glyph.
    pub warnings: Vec<String>,
    pub pages: usize,
}

/// Why no PDF could be written.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfError {
    Profile(String),
    Fonts(String),
    Write(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Profile(m) => write!(f, "layout profile: {m}"),
            PdfError::Fonts(m) => write!(f, "fonts: {m}"),
            PdfError::Write(m) => write!(f, "writing the PDF: {m}"),
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
        warnings: laid.warnings,
        pages: laid.pages.len(),
    })
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
