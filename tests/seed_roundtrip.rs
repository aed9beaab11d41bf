//! The example data reproduces the seed documents: render each data file,
//! parse the Markdown back into the doc tree, strip the markup, and compare
//! with the source text paragraph by paragraph. The seeds are kept as
//! published; what the data files normalise on purpose (each says so in a
//! comment) is applied to the seed text before comparing: `as_normalised`.

use std::path::Path;

use zongjie::build::compile;
use zongjie::doc::{self, Block};
use zongjie::render::Templates;

/// The published seed text as the example data prints it: ASCII marks next
/// to Chinese text full-width (`text: {ascii_punctuation: full-width}`), and
/// the one typo fixed in the data (a space for 、 in 院科两优、德医双强).
fn as_normalised(seed: &str) -> String {
    zongjie::text::full_width_punctuation(seed).replace("院科两优 德医双强", "院科两优、德医双强")
}

/// The 丽水 seed's paragraphs, normalised.
fn lishui_seed() -> Vec<String> {
    let seed = std::fs::read_to_string("tests/fixtures/seeds/lishui-2022.txt").unwrap();
    seed.lines()
        .filter(|l| !l.trim().is_empty())
        .map(as_normalised)
        .collect()
}

fn rendered(data: &str) -> doc::Document {
    let templates = Templates::load(None).expect("built-in templates load");
    let compiled =
        compile(Path::new(data), &templates).unwrap_or_else(|d| panic!("{data} fails: {d:#?}"));
    doc::parse(&compiled.markdown)
}

#[test]
fn lishui_report_reproduces_the_seed_text() {
    let expected = lishui_seed();
    assert!(expected.iter().any(|p| p.contains("（一）")));
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
        let mut want: Vec<Vec<String>> = serde_json::from_value(want.clone()).unwrap();
        for line in want.iter_mut().flatten() {
            *line = as_normalised(line);
        }
        // Row 3's one responsible body is its lead unit in the data.
        if i == 2 {
            want[4][0].insert(0, '*');
        }
        assert_eq!(got, &want, "row {}", i + 1);
    }
}

/// Whitespace removed: pdftotext and HTML layout add spaces and breaks.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that every paragraph of the seed occurs in `text`, in order.
fn assert_in_order(text: &str, what: &str) {
    let mut from = 0;
    for (i, para) in lishui_seed().iter().enumerate() {
        let para = squash(para);
        match text[from..].find(&para) {
            Some(at) => from += at + para.len(),
            None => panic!(
                "{what}: paragraph {} missing or out of order: {}…",
                i + 1,
                para.chars().take(30).collect::<String>()
            ),
        }
    }
}

#[test]
fn html_of_the_report_holds_every_seed_paragraph_in_order() {
    let templates = Templates::load(None).unwrap();
    let compiled = compile(Path::new("data/lishui-2022.yaml"), &templates).unwrap();
    let page = zongjie::build::html(
        &compiled,
        &templates,
        &zongjie::html::HtmlOptions::default(),
        Some(&zongjie::fonts::FontSet::bundled()),
    )
    .unwrap()
    .0;
    let text = zongjie::html::visible_text(&page);
    assert_in_order(&squash(&text), "HTML");
}

#[test]
fn pdf_of_the_report_gives_back_every_seed_paragraph_in_order() {
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("note: pdftotext not installed (apt-get install poppler-utils); skipping");
        return;
    }
    let templates = Templates::load(None).unwrap();
    let compiled = compile(Path::new("data/lishui-2022.yaml"), &templates).unwrap();
    let typesetting = zongjie::build::Typesetting {
        profile_path: None,
        profile: zongjie::profile::Profile::default(),
        fonts: Some(zongjie::fonts::FontSet::bundled()),
    };
    let (pdf, _) = zongjie::build::pdf(&compiled, &typesetting).unwrap();
    let path = std::env::temp_dir().join(format!("zongjie-seed-{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout);
    // Page numbers `— N —` and page breaks interrupt paragraphs.
    let text: String = text
        .lines()
        .filter(|l| !(l.trim().starts_with('—') && l.trim().ends_with('—')))
        .collect::<Vec<_>>()
        .join("");
    assert_in_order(&squash(&text), "PDF");
}
