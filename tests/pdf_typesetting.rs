//! Even task tables and body punctuation, measured glyph by glyph on the
//! engine's page model of the real examples (`data/*.yaml`, bundled fonts
//! only), with the same limits `scripts/measure-typesetting.py` checks on
//! the PDFs:
//! - task table: fewer than 1 % of cell lines with a gap over 0.2 em
//!   between neighbouring glyphs (before: 7.9 %, `*  市  卫`); the text
//!   keeps Word's 5.4 pt from the column rules;
//! - body: fewer than 3 % of mid-line full-width marks set in half width
//!   (before: 11.4 %) and fewer than 0.5 % of lines with a CJK gap over
//!   12 % of the cell;
//! - `——` never split and drawn without a gap between its halves.

use std::path::Path;

use zongjie::build;
use zongjie::doc::parse;
use zongjie::fonts::FontSet;
use zongjie::pdf::{Layout, Line, LineKind, layout};
use zongjie::profile::Profile;
use zongjie::render::Templates;

fn laid_out(path: &str) -> Layout {
    let templates = Templates::load(None).expect("templates");
    let compiled = build::compile(Path::new(path), &templates).unwrap_or_else(|d| panic!("{d:?}"));
    layout(
        &parse(&compiled.markdown),
        &Profile::default(),
        &FontSet::bundled(),
    )
    .expect("layout")
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// The widest space between the boxes of two neighbouring glyphs, in em.
fn widest_gap(l: &Line) -> f32 {
    l.glyphs
        .windows(2)
        .map(|w| (w[1].box_x - (w[0].box_x + w[0].box_w)) / w[0].size)
        .fold(0.0, f32::max)
}

#[test]
fn task_table_cell_lines_are_evenly_set_and_clear_of_the_rules() {
    let l = laid_out("data/wenzhou-2023-tasks.yaml");
    let mut lines = 0;
    let mut gappy = Vec::new();
    for page in &l.pages {
        let edges: Vec<f32> = page
            .rules
            .iter()
            .filter(|r| r.x1 == r.x2)
            .map(|r| r.x1)
            .collect();
        for line in &page.lines {
            if !matches!(line.kind, LineKind::TableCell { .. }) || line.glyphs.is_empty() {
                continue;
            }
            lines += 1;
            if widest_gap(line) > 0.2 {
                gappy.push(line.text());
            }
            let (left, right) = line.extent();
            for &e in &edges {
                assert!(
                    e <= left - 5.0 || e >= right + 5.0,
                    "{} within 5 pt of a rule at {e}",
                    line.text()
                );
            }
            let t = line.text();
            if let Some(i) = t.find('*') {
                let next = t[i + 1..].chars().next();
                assert!(next.is_some_and(is_cjk), "* parted from its unit: {t}");
            }
        }
    }
    println!(
        "table: {} of {lines} cell lines gapped {gappy:?}",
        gappy.len()
    );
    assert!(lines > 300, "{lines} cell lines");
    assert!(
        gappy.len() * 100 < lines,
        "{} of {lines}: {gappy:?}",
        gappy.len()
    );
}

#[test]
fn body_marks_stay_full_width_and_lines_are_not_loose() {
    let l = laid_out("data/lishui-2022.yaml");
    let cell = Profile::default().char_pitch();
    let (mut marks, mut squeezed, mut lines, mut loose) = (0, 0, 0, 0);
    for page in &l.pages {
        for line in page.lines.iter().filter(|x| x.kind == LineKind::Body) {
            let g = &line.glyphs;
            lines += 1;
            for m in g.iter().skip(1).take(g.len().saturating_sub(2)) {
                if "，。、；：？！（）《》“”‘’".contains(m.ch) {
                    marks += 1;
                    if m.box_w < 0.75 * cell {
                        squeezed += 1;
                    }
                }
            }
            let worst = g
                .windows(2)
                .filter(|w| is_cjk(w[0].ch) && is_cjk(w[1].ch))
                .map(|w| w[1].box_x - (w[0].box_x + w[0].box_w))
                .fold(0.0, f32::max);
            if worst > 0.12 * cell {
                loose += 1;
            }
        }
    }
    println!("body: {squeezed} of {marks} mid-line marks squeezed, {loose} of {lines} lines loose");
    assert!(marks > 500, "{marks} marks");
    assert!(squeezed * 100 < marks * 3, "{squeezed} of {marks} squeezed");
    assert!(loose * 1000 < lines * 5, "{loose} of {lines} loose");
}

#[test]
fn two_em_dashes_are_one_unbroken_mark() {
    // The dash at every position of the line, so some fall on a break.
    let mut md = String::from("# 标题\n\n");
    for pad in 0..30 {
        md.push_str(&"一".repeat(pad));
        md.push_str("维护群众利益——城乡统筹发展，");
    }
    md.push_str("完成。\n");
    let l = layout(&parse(&md), &Profile::default(), &FontSet::bundled()).expect("layout");
    let body: Vec<&Line> = l
        .pages
        .iter()
        .flat_map(|p| &p.lines)
        .filter(|x| x.kind == LineKind::Body)
        .collect();
    let mut pairs = 0;
    for (k, line) in body.iter().enumerate() {
        let g = &line.glyphs;
        if k + 1 < body.len() {
            let ends = g.last().map(|x| x.ch) == Some('—');
            let starts = body[k + 1].glyphs.first().map(|x| x.ch) == Some('—');
            assert!(!(ends && starts), "—— split after {}", line.text());
        }
        for w in g.windows(2).filter(|w| w[0].ch == '—' && w[1].ch == '—') {
            pairs += 1;
            assert!(
                (w[1].box_x - (w[0].box_x + w[0].box_w)).abs() < 1e-3,
                "gap in ——"
            );
            // Each half's ink is stretched over its whole box.
            for h in w {
                assert!(h.hscale > 1.0 && h.x < h.box_x, "{h:?}");
            }
        }
    }
    assert_eq!(pairs, 30);
}
