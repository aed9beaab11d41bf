//! Times and sizes of the PDF writer on the two fixtures (the 5,000-character
//! 丽水 report and the 温州 task table), with the Noto CJK faces from
//! `fonts-noto-cjk` in every role so the figures compare with the typst
//! anchor, and the line breaker alone per glyph on the report's paragraphs
//! and on one paragraph sixteen times as long (it must stay linear).
//! Whole-process timings next to typst: `scripts/bench-pdf.sh`. Plain
//! `main`: no criterion.
//!
//!     cargo bench --bench pdf

use std::path::PathBuf;
use std::time::Instant;

use zongjie::doc::parse;
use zongjie::fonts::{FontOptions, FontSet, describe, resolve_fonts};
use zongjie::pdf::linebreak::{LineSpec, break_paragraph};
use zongjie::pdf::{PdfOptions, render};
use zongjie::profile::Profile;

fn main() {
    let noto = PathBuf::from(
        std::env::var("NOTO_DIR").unwrap_or_else(|_| "/usr/share/fonts/opentype/noto".into()),
    );
    let mut profile = Profile::default();
    // typst's anchor sets the leads in the body face: do the same.
    profile.fonts.heading2.families = vec!["Noto Serif CJK SC".into()];
    for r in [
        &mut profile.fonts.body,
        &mut profile.fonts.page_number,
        &mut profile.fonts.table,
    ] {
        r.families = vec!["Noto Serif CJK SC".into()];
    }
    profile.fonts.heading1.families = vec!["Noto Sans CJK SC".into()];
    profile.fonts.title.families = vec!["Noto Serif CJK SC:bold".into()];
    let t = Instant::now();
    let fonts = if noto.is_dir() {
        resolve_fonts(
            &profile,
            &FontOptions {
                font_paths: vec![noto],
                ignore_system_fonts: true,
            },
        )
        .unwrap_or_else(|_| FontSet::bundled())
    } else {
        eprintln!(
            "note: {} missing (apt-get install fonts-noto-cjk): bundled fonts",
            noto.display()
        );
        FontSet::bundled()
    };
    let resolve_ms = t.elapsed().as_secs_f64() * 1000.0;
    print!("{}", describe(&fonts));
    println!("font resolution (reads the .ttc files): {resolve_ms:.0} ms");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-pdf");
    std::fs::create_dir_all(&out).ok();
    for (name, md) in [
        (
            "report-001",
            include_str!("../tests/fixtures/pdf/report-001.md"),
        ),
        (
            "tasks-002",
            include_str!("../tests/fixtures/pdf/tasks-002.md"),
        ),
    ] {
        let doc = parse(md);
        let opts = PdfOptions {
            created: Some((2023, 5, 19)),
        };
        let mut times = Vec::new();
        let mut bytes = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            let pdf = match render(&doc, &profile, &fonts, &opts) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("{name}: {e}");
                    return;
                }
            };
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            bytes = pdf.bytes;
        }
        times.sort_by(f64::total_cmp);
        let path = out.join(format!("{name}.pdf"));
        std::fs::write(&path, &bytes).ok();
        println!(
            "{name}: {:.0} KB, median {:.0} ms (min {:.0} ms) → {}",
            bytes.len() as f64 / 1024.0,
            times[times.len() / 2],
            times[0],
            path.display()
        );
    }
    line_breaking();
}

/// Nanoseconds per glyph of `break_paragraph` (synthetic widths: CJK 1,
/// half-width ½, a 28-character measure with a 2-character indent), on the
/// report's paragraphs and on their text as one paragraph repeated 16×.
fn line_breaking() {
    let md = include_str!("../tests/fixtures/pdf/report-001.md");
    let paragraphs: Vec<Vec<char>> = md
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('|') && l.chars().count() > 20)
        .map(|l| l.chars().collect())
        .collect();
    let widths = |cs: &[char]| -> Vec<f64> {
        cs.iter()
            .map(|&c| {
                if zongjie::pdf::linebreak::is_half_width(c) {
                    0.5
                } else {
                    1.0
                }
            })
            .collect()
    };
    let spec = LineSpec {
        width: 28.0,
        first_indent: 2.0,
        rest_indent: 0.0,
        justify: true,
    };
    let whole: Vec<char> = paragraphs.concat();
    let long: Vec<char> = std::iter::repeat_n(whole.as_slice(), 16)
        .flatten()
        .copied()
        .collect();
    let cases = [
        ("report paragraphs", paragraphs.clone()),
        ("one paragraph, 16×", vec![long]),
    ];
    for (name, paras) in cases {
        let ws: Vec<Vec<f64>> = paras.iter().map(|p| widths(p)).collect();
        let glyphs: usize = paras.iter().map(Vec::len).sum();
        let mut best = f64::INFINITY;
        let mut lines = 0;
        for _ in 0..5 {
            let t = Instant::now();
            lines = 0;
            for (p, w) in paras.iter().zip(&ws) {
                lines += break_paragraph(p, w, &spec).len();
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "line breaking, {name}: {glyphs} glyphs, {lines} lines, {:.0} ns per glyph (best of 5)",
            best * 1e9 / glyphs as f64
        );
    }
}
