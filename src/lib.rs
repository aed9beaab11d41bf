//! zongjie: YAML data → Chinese government work reports (Markdown, HTML, PDF).
//! The pipeline stages are described in ARCHITECTURE.md.
//!
//! ```
//! use std::path::Path;
//! use zongjie::{build, doc, render::Templates};
//!
//! let data = "
//! doc: {issuer: 丽水市卫生健康委员会, year: 2022}
//! metrics:
//!   县域就诊率: {value: 91.59%, prev: 91.18%}
//! parts:
//!   - title: 2022年卫生健康工作总结
//!     sections:
//!       - lead: 医疗服务能力有力提升
//!         text: 县域就诊率达【县域就诊率】，【县域就诊率.同比】。
//! ";
//! let templates = Templates::load(None).unwrap();
//! let report = build::compile_source(Path::new("report.yaml"), data.as_bytes(), &templates).unwrap();
//! let text = doc::parse(&report.markdown).plain_paragraphs();
//! assert_eq!(text[0], "丽水市卫生健康委员会2022年工作总结和2023年工作要点");
//! assert_eq!(text[1], "一、2022年卫生健康工作总结");
//! assert_eq!(text[2], "（一）医疗服务能力有力提升。县域就诊率达91.59%，同比增加0.41个百分点。");
//! ```

// Diagnostics are the error type throughout; they are on the cold path, so
// their size does not matter.
#![allow(clippy::result_large_err)]

/// The JSON Schema of the data format (`zongjie schema`); example files
/// point yaml-language-server at it for completion and validation.
pub const SCHEMA: &str = include_str!("../schema/zongjie.schema.json");

pub mod build;
pub mod cli;
pub mod cli_zh;
pub mod columns;
pub mod compile;
pub mod diag;
pub mod doc;
pub mod docx;
pub mod files;
pub mod fonts;
pub mod html;
pub mod i18n;
pub mod import;
pub mod load;
pub mod metrics;
pub mod metrics_view;
pub mod model;
pub mod numbering;
pub mod pdf;
pub mod preview;
pub mod profile;
pub mod quantity;
pub mod render;
pub mod resolve;
pub mod starter;
pub mod text;
pub mod webfonts;
pub mod write;

/// The preview's pipeline adapter, at its old path.
pub use preview::site;
