//! zongjie: YAML data → Chinese government work reports (Markdown, HTML, PDF).
//! The pipeline stages are described in ARCHITECTURE.md.

pub mod doc;
pub mod fonts;
pub mod pdf;
pub mod profile;
