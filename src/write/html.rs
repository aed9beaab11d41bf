//! The HTML writer's entry: the compiled document's doc tree in the page
//! template (`crate::html`), the faces of the PDF's font set embedded.

use crate::compile::Compiled;
use crate::diag::{Diagnostic, Severity};
use crate::render::Templates;

use super::{Context, Written};

/// The page of `ctx`'s document, with the profile's HTML options.
pub fn write(ctx: &Context) -> Result<Written, Diagnostic> {
    let options = crate::html::HtmlOptions::from_profile(&ctx.typesetting.profile);
    let (page, diagnostics) = html(
        ctx.compiled,
        ctx.templates,
        &options,
        ctx.typesetting.fonts.as_ref(),
    )?;
    Ok(Written {
        bytes: page.into_bytes(),
        diagnostics,
    })
}

/// The HTML page of a compiled document (the doc tree in the page template),
/// with the faces of `fonts` embedded when given, and the writer's warnings.
pub fn html(
    compiled: &Compiled,
    templates: &Templates,
    options: &crate::html::HtmlOptions,
    fonts: Option<&crate::fonts::FontSet>,
) -> Result<(String, Vec<Diagnostic>), Diagnostic> {
    let page =
        crate::html::render_with_fonts(compiled.doc(), options, fonts, templates.page_template())
            .map_err(|e| templates.page_diagnostic(&e))?;
    let input = compiled.input();
    let warnings = page
        .warnings
        .iter()
        .map(|w| Diagnostic::about_file(Severity::Warning, input, w.clone()))
        .collect();
    Ok((page.html, warnings))
}
