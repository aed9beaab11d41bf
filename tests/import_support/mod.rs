//! Helpers of the import tests: run the binary bounded, import and build,
//! compare paragraph units in order and print `round trip NAME: m/n`.
#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;

use std::path::Path;
use std::time::Duration;

pub use common::temp;
use zongjie::doc::{self, Block};

pub const TIME_LIMIT: Duration = Duration::from_secs(20);
pub const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// Runs the binary under a memory bound and a wall-clock check.
pub fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A document's text as comparison units: a paragraph each, a table row
/// each (its cells' lines joined, cells separated by a tab).
pub fn units(d: &doc::Document) -> Vec<String> {
    let mut out = Vec::new();
    for b in &d.blocks {
        match b {
            Block::Table(t) => {
                for row in std::iter::once(&t.header).chain(&t.rows) {
                    out.push(
                        row.iter()
                            .map(|c| c.concat())
                            .collect::<Vec<_>>()
                            .join("\t"),
                    );
                }
            }
            other => {
                let t = other.plain_text();
                if !t.is_empty() {
                    out.push(t);
                }
            }
        }
    }
    out
}

/// Imports `bytes` as `name`, builds the draft, and returns the units of the
/// built Markdown and the import's diagnostics.
pub fn import_and_build(test: &str, name: &str, bytes: &[u8]) -> (Vec<String>, String) {
    import_and_build_with(test, name, bytes, &[])
}

/// [`import_and_build`] with more flags for `import` (`--metrics`).
pub fn import_and_build_with(
    test: &str,
    name: &str,
    bytes: &[u8],
    flags: &[&str],
) -> (Vec<String>, String) {
    let dir = temp(&format!("import-{test}"));
    std::fs::write(dir.join(name), bytes).unwrap();
    let mut args = vec!["import", name, "-o", "draft.yaml"];
    args.extend_from_slice(flags);
    let (code, notes) = run(&dir, &args);
    assert_eq!(code, 0, "import {name} fails:\n{notes}");
    let (code, err) = run(
        &dir,
        &["build", "draft.yaml", "--format", "md", "--out", "out"],
    );
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    assert_eq!(code, 0, "the draft does not build:\n{err}\n{draft}");
    let md = std::fs::read_to_string(dir.join("out/draft.md")).unwrap();
    (units(&doc::parse(&md)), notes)
}

/// How many of `expected` occur in `got` in order; prints the figure and
/// the first paragraph that is not matched.
pub fn matched(what: &str, got: &[String], expected: &[String]) -> usize {
    let mut from = 0;
    let mut n = 0;
    let mut first_miss = None;
    for e in expected {
        match got[from..].iter().position(|g| g == e) {
            Some(at) => {
                from += at + 1;
                n += 1;
            }
            None => {
                first_miss.get_or_insert_with(|| e.chars().take(40).collect::<String>());
            }
        }
    }
    eprintln!(
        "round trip {what}: {n}/{} paragraphs matched",
        expected.len()
    );
    if let Some(m) = first_miss {
        eprintln!("  first unmatched: {m}…");
    }
    n
}

pub fn assert_round_trip(what: &str, got: &[String], expected: &[String]) {
    let n = matched(what, got, expected);
    assert_eq!(n, expected.len(), "{what}: got\n{got:#?}");
}

/// A seed document from shared/seeds, beside the checkout (CI) or beside
/// the worktree folder.
pub fn seed(name: &str) -> Vec<u8> {
    let root = common::root();
    let candidates = [
        root.join("../shared/seeds").join(name),
        root.join("../../shared/seeds").join(name),
        Path::new("/work/shared/seeds").join(name),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or(&candidates[0]);
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn lishui_expected() -> Vec<String> {
    std::fs::read_to_string(common::root().join("tests/fixtures/seeds/lishui-2022.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// A data file rendered to text as a web page or an office suite's text
/// export holds it: a paragraph a line with blank lines between, a table as
/// tab-started cells (cell lines continue without a tab), rows apart.
/// Returns the text and its units.
pub fn rendered_text(data: &str) -> (String, Vec<String>) {
    let templates = zongjie::render::Templates::load(None).unwrap();
    let compiled = zongjie::build::compile(&common::root().join(data), &templates)
        .unwrap_or_else(|d| panic!("{data}: {d:#?}"));
    let d = doc::parse(&compiled.markdown);
    let mut text = String::new();
    for b in &d.blocks {
        match b {
            Block::Table(t) => {
                for row in std::iter::once(&t.header).chain(&t.rows) {
                    for cell in row {
                        text.push('\t');
                        text.push_str(&cell.join("\n"));
                        text.push('\n');
                    }
                    text.push('\n');
                }
            }
            other => {
                let t = other.plain_text();
                if !t.is_empty() {
                    text.push_str(&t);
                    text.push_str("\n\n");
                }
            }
        }
    }
    (text, units(&d))
}

/// The seed 002 table as units: the header, then each row's cells joined.
pub fn wenzhou_expected() -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::root().join("tests/fixtures/seeds/wenzhou-2023-tasks.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut out = vec![
        json["header"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\t"),
    ];
    for row in json["rows"].as_array().unwrap() {
        let cells: Vec<String> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c.as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap())
                    .collect::<String>()
            })
            .collect();
        out.push(cells.join("\t"));
    }
    out
}
