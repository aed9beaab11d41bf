//! Every input under `tests/fixtures/fuzz-regressions/` through the same
//! functions as the fuzz targets (`fuzz/fuzz_targets/`): `load_resolve/`
//! files as data-file bytes, `markdown_html/` files as Markdown. Each once
//! crashed, overflowed or took quadratic time; none may panic now, and each
//! finishes within a bound.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zongjie::render::Templates;

const LIMIT: Duration = Duration::from_secs(10);

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz-regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn load_resolve_regressions() {
    let templates = Templates::load(None).expect("built-in templates");
    let files = inputs("load_resolve");
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        let start = Instant::now();
        // The fuzz target's path: a folder that does not exist.
        match zongjie::build::compile_source(
            Path::new("/nonexistent-zongjie-fuzz/input.yaml"),
            &bytes,
            &templates,
        ) {
            Ok(compiled) => {
                let doc = zongjie::doc::parse(&compiled.markdown);
                zongjie::html::render(
                    &doc,
                    &zongjie::html::HtmlOptions::default(),
                    templates.page_template(),
                )
                .expect("page");
            }
            Err(diags) => {
                assert!(!diags.is_empty(), "{}", file.display());
                let _ = zongjie::diag::render_all(&diags, zongjie::diag::Format::Human);
            }
        }
        assert!(
            start.elapsed() < LIMIT,
            "{}: {:?}",
            file.display(),
            start.elapsed()
        );
    }
}

#[test]
fn markdown_html_regressions() {
    for file in inputs("markdown_html") {
        let bytes = std::fs::read(&file).expect("read");
        let Ok(markdown) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let start = Instant::now();
        let doc = zongjie::doc::parse(markdown);
        zongjie::html::render(
            &doc,
            &zongjie::html::HtmlOptions::default(),
            zongjie::html::DEFAULT_PAGE_TEMPLATE,
        )
        .expect("page");
        assert!(
            start.elapsed() < LIMIT,
            "{}: {:?}",
            file.display(),
            start.elapsed()
        );
    }
}
