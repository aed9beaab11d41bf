//! The writers, side by side: each takes one `Context` (the compiled
//! document with its doc tree, templates, typesetting, date) and returns
//! bytes plus `Diagnostic`s, writing nothing. `Format` is the one place
//! that knows, per format, its extension, whether it needs fonts, which
//! templates beyond the genre's it reads, whether it is dated, and which
//! writer renders it. `md`, `html`, `pdf`, `docx` are thin entries into
//! the engines (`crate::html`, `crate::pdf`, `crate::docx`).

use std::ffi::OsStr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::compile::Compiled;
use crate::diag::Diagnostic;
use crate::render::Templates;

pub mod docx;
pub mod html;
pub mod md;
pub mod pdf;
pub mod typesetting;

pub use html::html;
pub use pdf::{glyph_coverage, pdf};
pub use typesetting::{
    PROFILE_NAMES, Typesetting, font_notes, found_profile_refusal, profile_path_for, typesetting,
};

/// An output format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Md,
    Html,
    Pdf,
    Docx,
}

impl Format {
    /// The output file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    /// Whether its writer needs the resolved fonts (the PDF sets them; the
    /// HTML page embeds them; the DOCX names them only). Fonts are resolved
    /// only for such formats.
    pub fn needs_fonts(self) -> bool {
        match self {
            Format::Md | Format::Docx => false,
            Format::Html | Format::Pdf => true,
        }
    }

    /// The templates it reads besides the genre's Markdown templates.
    pub fn templates(self) -> &'static [&'static str] {
        match self {
            Format::Html => &[crate::render::PAGE_TEMPLATE],
            Format::Md | Format::Pdf | Format::Docx => &[],
        }
    }

    /// Whether its bytes carry a date (`SOURCE_DATE_EPOCH`).
    pub fn dated(self) -> bool {
        matches!(self, Format::Pdf | Format::Docx)
    }

    /// Whether its writer checks the glyphs itself and says which face
    /// stood in for which role; without such a format the coverage check
    /// runs on its own (`glyph_coverage`).
    pub fn sets_type(self) -> bool {
        matches!(self, Format::Pdf)
    }

    /// The document in this format, and the writer's findings.
    pub fn render(self, ctx: &Context) -> Result<Written, Diagnostic> {
        match self {
            Format::Md => Ok(md::write(ctx)),
            Format::Html => html::write(ctx),
            Format::Pdf => pdf::write(ctx),
            Format::Docx => docx::write(ctx),
        }
    }
}

/// Everything a writer reads.
pub struct Context<'a> {
    pub compiled: &'a Compiled,
    pub templates: &'a Templates,
    pub typesetting: &'a Typesetting,
    /// `SOURCE_DATE_EPOCH` (seconds since 1970), read once per run.
    pub epoch: Option<u64>,
}

/// A writer's output: the file's bytes and what the user should know.
pub struct Written {
    pub bytes: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One output of a compiled document, as bytes, and the writer's warnings
/// (`SOURCE_DATE_EPOCH` read from the environment).
pub fn render_format(
    compiled: &Compiled,
    templates: &Templates,
    typesetting: &Typesetting,
    format: Format,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    let ctx = Context {
        compiled,
        templates,
        typesetting,
        epoch: epoch_from_env()?,
    };
    format.render(&ctx).map(|w| (w.bytes, w.diagnostics))
}

/// `SOURCE_DATE_EPOCH` from the environment, checked.
pub fn epoch_from_env() -> Result<Option<u64>, Diagnostic> {
    source_date_epoch(std::env::var_os(SOURCE_DATE_EPOCH).as_deref())
}

/// The date a dated format carries: `epoch`, else the data's `written`.
fn created(compiled: &Compiled, epoch: Option<u64>) -> Option<(i32, u8, u8)> {
    let epoch = epoch.map(|secs| secs.to_string());
    crate::pdf::creation_date(epoch.as_deref(), compiled.report.doc.written.as_deref())
}

/// The name of the variable that dates PDFs.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// The latest date `SOURCE_DATE_EPOCH` may name: 9999-12-31 23:59:59 UTC.
const MAX_EPOCH: u64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` as seconds since 1970 (`None` when unset or empty).
/// Anything but plain digits, or a date after the year 9999, is an error.
pub fn source_date_epoch(value: Option<&OsStr>) -> Result<Option<u64>, Diagnostic> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()));
    match text.and_then(|t| t.parse::<u64>().ok()) {
        Some(secs) if secs <= MAX_EPOCH => Ok(Some(secs)),
        _ => Err(Diagnostic::file_error(
            Path::new(SOURCE_DATE_EPOCH),
            crate::tr!(
                "the environment variable {SOURCE_DATE_EPOCH} is `{}`, not a whole number of seconds since 1970-01-01 UTC",
                "环境变量 `{SOURCE_DATE_EPOCH}` 的值是 `{}`，不是从 1970-01-01 UTC 起算的整秒数",
                value.to_string_lossy()
            ),
        )
        .with_hint(crate::tr!(
            "write digits only, at most {MAX_EPOCH} (the end of 9999), e.g. {SOURCE_DATE_EPOCH}=$(git log -1 --format=%ct); or unset it to date the PDF by the data's `written`",
            "只写数字，最大 {MAX_EPOCH}（9999 年底），例如 `{SOURCE_DATE_EPOCH}=$(git log -1 --format=%ct)`；或者取消这个变量，PDF 的日期就按数据文件的 `written` 填写"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_digits_within_range() {
        let epoch = |v: &str| source_date_epoch(Some(OsStr::new(v)));
        assert_eq!(source_date_epoch(None).unwrap(), None);
        assert_eq!(epoch("").unwrap(), None);
        assert_eq!(epoch("0").unwrap(), Some(0));
        assert_eq!(epoch("1700000000").unwrap(), Some(1_700_000_000));
        for bad in [
            "abc",
            "1e9",
            "-1",
            " 1",
            "1.5",
            "+1",
            "99999999999999999999",
            "253402300800",
        ] {
            let d = epoch(bad).unwrap_err();
            assert!(
                d.message.contains("SOURCE_DATE_EPOCH"),
                "{bad}: {}",
                d.message
            );
            assert!(
                d.hint.as_deref().unwrap_or("").contains("digits only"),
                "{bad}"
            );
        }
    }
}
