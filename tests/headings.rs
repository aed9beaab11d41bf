//! Stand-alone headings (`layout: heading` on a section, an item list and a
//! sub-item list): the label and lead on a line of their own at levels 2, 3
//! and 4, in the Markdown, the HTML and the PDF, and the profile's
//! `heading3_bold`/`heading4_bold` reaching them. Runs of the binary are
//! bounded in time and memory.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use zongjie::doc::{Block, parse};
use zongjie::fonts::FontSet;
use zongjie::pdf::layout::{LineKind, layout};
use zongjie::profile::Profile;
use zongjie::render::Templates;

mod common;

const DATA: &str = "tests/fixtures/features/headings.yaml";
const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

fn markdown() -> String {
    let templates = Templates::load(None).unwrap();
    let c =
        zongjie::build::compile(Path::new(DATA), &templates).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    c.markdown
}

#[test]
fn heading_layouts_give_headings_of_levels_two_to_four() {
    let md = markdown();
    for line in [
        "### （一）推进医学高峰建设\n\n全面提升能力，持续发力。\n",
        "#### 1.加快项目建设\n\n推进重点项目。\n",
        "##### （1）市级项目\n\n完成投资。\n",
        "#### 2.强化人才支撑\n\n引进人才。\n\n（1）培养骨干。\n",
        // A run-in section beside it is unchanged.
        "*（二）普通段落*。原样。",
    ] {
        assert!(md.contains(line), "{line:?} not in\n{md}");
    }
    let headings: Vec<(u8, String)> = parse(&md)
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => Some((*level, text.clone())),
            _ => None,
        })
        .collect();
    let levels: Vec<u8> = headings.iter().map(|h| h.0).collect();
    assert_eq!(levels, [1, 2, 3, 4, 4, 3], "{headings:?}");
    // A heading takes no 。 unless one was typed.
    assert_eq!(headings[1].1, "（一）推进医学高峰建设");
}

#[test]
fn the_profile_sets_levels_three_and_four_bold_in_the_pdf() {
    let doc = parse(&markdown());
    let bold_of = |profile: &Profile| -> Vec<(u8, bool)> {
        let l = layout(&doc, profile, &FontSet::bundled()).expect("layout");
        l.pages
            .iter()
            .flat_map(|p| &p.lines)
            .filter_map(|line| match line.kind {
                LineKind::Heading(level @ 3..=4) => {
                    Some((level, line.glyphs.iter().all(|g| g.bold)))
                }
                _ => None,
            })
            .collect()
    };
    let plain = bold_of(&Profile::default());
    assert_eq!(plain, [(3, false), (4, false), (4, false), (3, false)]);
    let mut profile = Profile::default();
    profile.headings.heading3_bold = true;
    assert_eq!(
        bold_of(&profile),
        [(3, true), (4, false), (4, false), (3, true)]
    );
    profile.headings.heading4_bold = true;
    assert!(bold_of(&profile).iter().all(|(_, bold)| *bold));
}

#[test]
fn html_and_pdf_set_each_heading_on_its_own_line() {
    let dir = common::temp("headings");
    std::fs::copy(DATA, dir.join("h.yaml")).unwrap();
    std::fs::write(
        dir.join("profile.yaml"),
        "headings: {heading3_bold: true}\n",
    )
    .unwrap();
    let (out, _) = common::bounded(
        &dir,
        &[
            "build",
            "h.yaml",
            "--strict",
            "--out",
            "o",
            "--ignore-system-fonts",
        ],
        &[],
        MEMORY_LIMIT_KIB,
        TIME_LIMIT,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("o/h.html")).unwrap();
    for tag in [
        "<h3 class=\"h2\">（一）推进医学高峰建设</h3>",
        "<h4 class=\"h3\">1.加快项目建设</h4>",
        "<h5 class=\"h4\">（1）市级项目</h5>",
    ] {
        assert!(html.contains(tag), "{tag} not in the page");
    }
    assert!(html.contains("--heading3-weight: 700"), "bold per profile");
    let Ok(text) = Command::new("pdftotext")
        .arg(dir.join("o/h.pdf"))
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext missing: PDF line check skipped");
        return;
    };
    let text = String::from_utf8_lossy(&text.stdout);
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    for heading in [
        "（一）推进医学高峰建设",
        "1.加快项目建设",
        "（1）市级项目",
        "（2）县级项目",
    ] {
        assert!(
            lines.iter().any(|l| l == heading),
            "{heading} not on its own line:\n{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sub_items_deeper_than_one_level_or_in_run_on_lists_are_errors() {
    let templates = Templates::load(None).unwrap();
    let compile = |yaml: &str| {
        zongjie::build::compile_source(Path::new("r.yaml"), yaml.as_bytes(), &templates)
            .err()
            .unwrap_or_default()
    };
    let deep = "doc: {title: 测试, issuer: 某委, year: 2022}\nparts:\n  - title: 甲\n    sections:\n      - lead: 乙\n        items:\n          layout: block\n          items:\n            - lead: 丙\n              items:\n                - lead: 丁\n                  items: [戊]\n";
    let d = compile(deep);
    assert!(
        d.iter()
            .any(|d| d.message.contains("nest one level deep") && d.line == 12),
        "{d:?}"
    );
    let inline = "doc: {title: 测试, issuer: 某委, year: 2022}\nparts:\n  - title: 甲\n    sections:\n      - lead: 乙\n        items:\n          - lead: 丙\n            items: [丁]\n";
    let d = compile(inline);
    assert!(
        d.iter()
            .any(|d| d.message.contains("cannot have sub-items") && d.line == 8),
        "{d:?}"
    );
    let layout = "doc: {title: 测试, issuer: 某委, year: 2022}\nparts:\n  - title: 甲\n    sections:\n      - lead: 乙\n        layout: headline\n";
    let d = compile(layout);
    assert!(
        d.iter()
            .any(|d| d.message.contains("unknown section layout `headline`") && d.line == 6),
        "{d:?}"
    );
}
