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
    let out =
        crate::pdf::render(compiled.doc(), &typesetting.profile, fonts, &options).map_err(|e| {
            match e {
                crate::pdf::PdfError::Font { face, reason } => {
                    unembeddable_font(input, typesetting, &fonts.faces[face], face, &reason)
                }
                e => Diagnostic::file_error(input, tr!("PDF: {e}", "PDF：{e}")),
            }
        })?;
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

/// A face the PDF cannot embed, named with its file; a face the profile
/// names is located at that role's `file:` (the profile is read again: this
/// is the error path).
fn unembeddable_font(
    input: &std::path::Path,
    typesetting: &Typesetting,
    face: &crate::fonts::Face,
    index: usize,
    reason: &str,
) -> Diagnostic {
    let (name, file) = (&face.name, face.file.display());
    let message = tr!(
        "PDF: the font {name} ({file}) cannot be embedded: {reason}",
        "PDF：字体 {name}（{file}）无法嵌入（subsetter：{reason}）"
    );
    let hint = tr!(
        "the file is damaged or not a font zongjie can subset: name another face for its role in the profile",
        "这个文件已损坏，或者不是 zongjie 能截取子集的字体：请在版式配置里为它的角色另选一个字体"
    );
    let fonts = typesetting.fonts.as_ref();
    let role = crate::fonts::Role::ALL
        .into_iter()
        .find(|&r| fonts.is_some_and(|f| f.role(r) == index));
    let located = match (&typesetting.profile_path, role) {
        (Some(p), Some(role)) if face.source == crate::fonts::FontSource::Profile => {
            crate::files::read_text(p, crate::files::Kind::Profile)
                .ok()
                .and_then(|t| {
                    let (line, col) = crate::profile::locate_font_file(&t, p, role.key())?;
                    let at = crate::diag::Pos {
                        line: line as usize,
                        col: col as usize,
                    };
                    Some(Diagnostic::error(p, &t, at, message.clone()))
                })
        }
        _ => None,
    };
    located
        .unwrap_or_else(|| Diagnostic::file_error(input, message))
        .with_hint(hint)
}
