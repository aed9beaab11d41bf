//! The DOCX writer's entry: the compiled document's doc tree written by
//! `crate::docx` with the profile (grid, styles, font names: no font files),
//! its properties dated by `SOURCE_DATE_EPOCH` or the data's `written`.

use crate::compile::Compiled;
use crate::diag::{Diagnostic, Severity};
use crate::tr;

use super::{Context, Typesetting, Written};

/// The DOCX of `ctx`'s document, with the writer's warnings.
pub fn write(ctx: &Context) -> Result<Written, Diagnostic> {
    dated(ctx.compiled, ctx.typesetting, ctx.epoch)
}

fn dated(
    compiled: &Compiled,
    typesetting: &Typesetting,
    epoch: Option<u64>,
) -> Result<Written, Diagnostic> {
    let input = compiled.input();
    let doc = compiled.doc();
    let options = crate::docx::DocxOptions {
        title: doc.meta.title.clone(),
        author: doc.meta.issuer.clone(),
        created: super::created(compiled, epoch),
    };
    let out = crate::docx::render(doc, &typesetting.profile, &options)
        .map_err(|e| Diagnostic::file_error(input, tr!("DOCX: {e}", "DOCX：{e}")))?;
    let diagnostics = out
        .warnings
        .into_iter()
        .map(|w| Diagnostic::about_file(Severity::Warning, input, w))
        .collect();
    Ok(Written {
        bytes: out.bytes,
        diagnostics,
    })
}
