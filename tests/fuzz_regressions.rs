//! Every input under `tests/fixtures/fuzz-regressions/` through the same
//! functions as the fuzz targets (`fuzz/fuzz_targets/`): `load_resolve/`
//! files as data-file bytes, `markdown_html/` files as Markdown,
//! `title_break/` files as the title breaker's input. Each once
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

/// The `title_break` target's input: byte 1 the measure, byte 2 the fewest
/// characters of the last line, the rest the title; its widths.
fn title_width(c: char) -> f64 {
    if matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}') || c.is_control() {
        0.0
    } else if zongjie::pdf::linebreak::is_half_width(c) {
        0.5
    } else {
        1.0
    }
}

#[test]
fn title_break_regressions() {
    let files = inputs("title_break");
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        let [a, b, rest @ ..] = bytes.as_slice() else {
            continue;
        };
        let chars: Vec<char> = String::from_utf8_lossy(rest).chars().collect();
        let widths: Vec<f64> = chars.iter().map(|&c| title_width(c)).collect();
        let start = Instant::now();
        let lines = zongjie::pdf::title::break_title(
            &chars,
            &widths,
            1.0,
            f64::from(a % 64 + 1),
            usize::from(b % 8),
        );
        // Lines in order, none empty, nothing lost but spaces at a break.
        let mut at = 0;
        for r in &lines {
            assert!(
                r.start >= at && r.end <= chars.len(),
                "{}: {lines:?}",
                file.display()
            );
            assert!(
                chars[at..r.start].iter().all(|c| c.is_whitespace()),
                "{}: {lines:?}",
                file.display()
            );
            assert!(r.end > r.start, "{}: {lines:?}", file.display());
            at = r.end;
        }
        assert!(chars[at..].iter().all(|c| c.is_whitespace()));
        assert!(
            start.elapsed() < LIMIT,
            "{}: {:?}",
            file.display(),
            start.elapsed()
        );
    }
}
