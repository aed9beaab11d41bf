//! Arbitrary bytes as a data file: decode → YAML → model → resolve →
//! Markdown with the built-in templates → doc tree → HTML. Every stage must
//! return a result or diagnostics, never panic or hang.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zongjie::render::Templates;

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| match Templates::load(None) {
        Ok(t) => t,
        Err(d) => panic!("built-in templates do not load: {d:?}"),
    })
}

fuzz_target!(|data: &[u8]| {
    // A folder that does not exist: relative imports are never found.
    let path = Path::new("/nonexistent-zongjie-fuzz/input.yaml");
    match zongjie::build::compile_source(path, data, templates()) {
        Ok(compiled) => {
            let doc = zongjie::doc::parse(&compiled.markdown);
            let _ = zongjie::html::render(&doc, &zongjie::html::HtmlOptions::default(), templates().page_template());
            // A PDF writer call goes here when it exists.
        }
        Err(diags) => {
            // Every failure is explained, and renders in every format.
            assert!(!diags.is_empty());
            for format in [zongjie::diag::Format::Human, zongjie::diag::Format::Json] {
                let _ = zongjie::diag::render_all(&diags, format);
            }
        }
    }
});
