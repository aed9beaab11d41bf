//! The Markdown writer: the canonical text as compiled.

use super::{Context, Written};

/// The document's Markdown, as it is.
pub fn write(ctx: &Context) -> Written {
    Written {
        bytes: ctx.compiled.markdown.clone().into_bytes(),
        diagnostics: Vec::new(),
    }
}
