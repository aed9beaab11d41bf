//! The PDF writer's entry: the compiled document's doc tree laid out and
//! written by `crate::pdf` with the profile and fonts, dated by
//! `SOURCE_DATE_EPOCH` or the data's `written`; and its glyph coverage
//! check on its own, for builds and checks that make no PDF.

use crate::compile::Compiled;
use crate::diag::{Diagnostic, Severity};
use crate::tr;

use super::{Context, Typesetting, Written};

/// The PDF of `ctx`'s document, with the writer's findings as diagnostics.
pub fn write(ctx: &Context) -> Result<Written, Diagnostic> {
    dated(ctx.compiled, ctx.typesetting, ctx.epoch)
}

/// The PDF of a compiled document dated by `epoch` (seconds since 1970).
fn dated(
    compiled: &Compiled,
    typesetting: &Typesetting,
    epoch: Option<u64>,
) -> Result<Written, Diagnostic> {
    let input = compiled.input();
    let Some(fonts) = &typesetting.fonts else {
        return Err(Diagnostic::file_error(
            input,
            tr!(
                "internal: fonts were not resolved for a PDF",
                "内部错误：生成 PDF 前没有确定字体"
            ),
        ));
    };
    let options = crate::pdf::PdfOptions {
        created: super::created(compiled, epoch),
    };
    let out = crate::pdf::render(compiled.doc(), &typesetting.profile, fonts, &options)
        .map_err(|e| Diagnostic::file_error(input, tr!("PDF: {e}", "PDF：{e}")))?;
    // The font set's own stand-in notes are said once per run by the
    // batch (`super::font_notes`), not once per document.
    let mut diagnostics: Vec<Diagnostic> = out
        .notes
        .iter()
        .map(|n| {
            Diagnostic::about_file(
                Severity::Note,
                input,
                tr!("PDF fonts: {n}", "PDF 字体：{n}"),
            )
        })
        .collect();
    diagnostics.extend(crate::pdf::missing_glyph_diagnostics(
        &out.missing,
        &compiled.sources,
        input,
    ));
    Ok(Written {
        bytes: out.bytes,
        diagnostics,
    })
}

/// The PDF of a compiled document, dated by `SOURCE_DATE_EPOCH` from the
/// environment, with the writer's warnings as diagnostics.
pub fn pdf(
    compiled: &Compiled,
    typesetting: &Typesetting,
) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostic> {
    dated(compiled, typesetting, super::epoch_from_env()?).map(|w| (w.bytes, w.diagnostics))
}

/// The PDF writer's coverage check without writing a PDF: its glyph lookup
/// over the document's text with `typesetting`'s fonts, and its located
/// warning for each character no face can print (empty when fonts were not
/// resolved). Linear in the text, no layout.
pub fn glyph_coverage(compiled: &Compiled, typesetting: &Typesetting) -> Vec<Diagnostic> {
    let Some(fonts) = &typesetting.fonts else {
        return Vec::new();
    };
    let missing = crate::pdf::layout::missing_chars(&compiled.markdown, fonts);
    crate::pdf::missing_glyph_diagnostics(&missing, &compiled.sources, compiled.input())
}
