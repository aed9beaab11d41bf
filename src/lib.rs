//! zongjie: YAML data → Chinese government work reports (Markdown, HTML, PDF).
//! The pipeline stages are described in ARCHITECTURE.md.

// Diagnostics are the error type throughout; they are on the cold path, so
// their size does not matter.
#![allow(clippy::result_large_err)]

/// The JSON Schema of the data format (`zongjie schema`); example files
/// point yaml-language-server at it for completion and validation.
pub const SCHEMA: &str = include_str!("../schema/zongjie.schema.json");

pub mod build;
pub mod cli;
pub mod diag;
pub mod doc;
pub mod fonts;
pub mod html;
pub mod load;
pub mod metrics;
pub mod model;
pub mod numbering;
pub mod pdf;
pub mod preview;
pub mod profile;
pub mod quantity;
pub mod render;
pub mod resolve;
pub mod site;
pub mod text;
