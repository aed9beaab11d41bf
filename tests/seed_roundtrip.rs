//! The example data reproduces the seed documents: render each data file,
//! parse the Markdown back into the doc tree, strip the markup, and compare
//! with the source text paragraph by paragraph.

use std::path::Path;

use zongjie::build::compile;
use zongjie::doc::{self, Block};
use zongjie::render::Templates;

fn rendered(data: &str) -> doc::Document {
    let templates = Templates::load(None).expect("built-in templates load");
    let compiled =
        compile(Path::new(data), &templates).unwrap_or_else(|d| panic!("{data} fails: {d:#?}"));
    doc::parse(&compiled.markdown)
}

#[test]
fn lishui_report_reproduces_the_seed_text() {
    let expected = std::fs::read_to_string("tests/fixtures/seeds/lishui-2022.txt").unwrap();
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    let got = rendered("data/lishui-2022.yaml").plain_paragraphs();
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "paragraph {} differs", i + 1);
    }
    assert_eq!(got.len(), expected.len(), "paragraph count");
}

#[test]
fn wenzhou_task_table_reproduces_the_seed_table() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/seeds/wenzhou-2023-tasks.json").unwrap(),
    )
    .unwrap();
    let doc = rendered("data/wenzhou-2023-tasks.yaml");
    let table = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .expect("a table");
    let header: Vec<String> = table.header.iter().map(|c| c.join("")).collect();
    assert_eq!(serde_json::json!(header), expected["header"]);
    let rows = expected["rows"].as_array().unwrap();
    assert_eq!(table.rows.len(), rows.len());
    for (i, (got, want)) in table.rows.iter().zip(rows).enumerate() {
        assert_eq!(serde_json::json!(got), *want, "row {}", i + 1);
    }
}
