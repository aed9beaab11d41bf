//! The character grid of full lines, measured on the real examples
//! (`data/lishui-2022.yaml` through the whole pipeline and the seed text in
//! `tests/fixtures/pdf/report-001.md`) with the engine's own line data.
//!
//! Two counts per full line (a body line that is not its paragraph's last):
//! - nominal: CJK and full-width punctuation 1, half-width ½, whatever
//!   their set width (what `pdftotext` shows);
//! - set: the cells the glyph boxes occupy — a full-width mark compressed to
//!   half width counts ½, an ASCII mark between Chinese characters set in a
//!   full cell counts 1. A line is *solid* when its boxes fill exactly 28
//!   cells, so no space is spread between its characters.

use std::collections::BTreeMap;
use std::path::Path;

use zongjie::build;
use zongjie::doc::parse;
use zongjie::fonts::FontSet;
use zongjie::pdf::{Layout, LineKind, layout};
use zongjie::profile::{PT_PER_MM, Profile};
use zongjie::render::Templates;

const REPORT: &str = include_str!("fixtures/pdf/report-001.md");

struct Counts {
    nominal: Vec<f32>,
    set: Vec<f32>,
    /// Paragraph last lines holding a single character (punctuation aside).
    lone: Vec<String>,
}

fn measure(l: &Layout) -> Counts {
    let p = Profile::default();
    let pitch = p.char_pitch();
    let left = p.page.margin_left_mm * PT_PER_MM;
    let mut c = Counts {
        nominal: Vec::new(),
        set: Vec::new(),
        lone: Vec::new(),
    };
    for page in &l.pages {
        for line in page.lines.iter().filter(|x| x.kind == LineKind::Body) {
            if line.last_of_block {
                let t = line.text();
                let body = t
                    .chars()
                    .filter(|&ch| !zongjie::pdf::linebreak::is_no_start(ch))
                    .count();
                if body < 2 && t.chars().count() < 4 {
                    c.lone.push(t);
                }
                continue;
            }
            let indent = ((line.extent().0 - left) / pitch).round();
            c.nominal.push(line.grid_chars() + indent);
            // Half cells, so float noise does not split a bucket.
            c.set
                .push(((line.set_cells(pitch) + indent) * 2.0).round() / 2.0);
        }
    }
    c
}

fn histogram(v: &[f32]) -> String {
    let mut h: BTreeMap<i32, usize> = BTreeMap::new();
    for x in v {
        *h.entry((x * 2.0).round() as i32).or_default() += 1;
    }
    h.iter()
        .rev()
        .map(|(k, n)| format!("{}: {n}", *k as f32 / 2.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn report(name: &str, l: &Layout) -> Counts {
    let c = measure(l);
    println!(
        "{name}: {} full lines; nominal [{}]; set [{}]; lone last lines {:?}",
        c.nominal.len(),
        histogram(&c.nominal),
        histogram(&c.set),
        c.lone
    );
    c
}

/// The 丽水 example with its marks as published (ASCII `, ; : ( )`): the
/// shipped file prints them full-width (`text:`), which sets 23 of its 418
/// full lines in 27–27.5 cells (compressed punctuation pairs); this test
/// keeps measuring the text it was written for.
fn lishui() -> Layout {
    let templates = Templates::load(None).expect("templates");
    let data = std::fs::read_to_string("data/lishui-2022.yaml").expect("example");
    let option = "text: {ascii_punctuation: full-width}\n";
    assert!(data.contains(option));
    let data = data
        .replace(option, "")
        .replace("section: （一）", "section: (一)");
    let compiled = build::compile_source(
        Path::new("data/lishui-2022.yaml"),
        data.as_bytes(),
        &templates,
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    layout(
        &parse(&compiled.markdown),
        &Profile::default(),
        &FontSet::bundled(),
    )
    .expect("layout")
}

/// Every full line of both texts fills exactly 28 cells with its own boxes
/// (before: 365 of 413), and no paragraph ends on a lone character (before:
/// `施。` and `务。`).
#[test]
fn every_full_line_fills_the_grid_and_no_last_line_is_lone() {
    let seed = layout(&parse(REPORT), &Profile::default(), &FontSet::bundled()).expect("layout");
    for (name, l) in [("lishui-2022", lishui()), ("report-001", seed)] {
        let c = report(name, &l);
        assert!(c.set.len() > 380, "{name}: {} full lines", c.set.len());
        let solid = c.set.iter().filter(|&&x| x == 28.0).count();
        assert!(
            c.set.iter().all(|&x| x <= 28.0),
            "{name}: a full line wider than 28 cells"
        );
        assert!(
            solid * 100 >= c.set.len() * 98,
            "{name}: {solid} of {} full lines fill 28 cells",
            c.set.len()
        );
        assert!(c.lone.is_empty(), "{name}: lone last lines {:?}", c.lone);
    }
}
