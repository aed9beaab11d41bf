//! Times and sizes of the PDF writer on the two fixtures (the 5,000-character
//! 丽水 report and the 温州 task table), with the Noto CJK faces from
//! `fonts-noto-cjk` in every role so the figures compare with the typst
//! anchor (`scripts/bench-pdf.sh` runs both). Plain `main`: no criterion.
//!
//!     cargo bench --bench pdf

use std::path::PathBuf;
use std::time::Instant;

use zongjie::doc::parse;
use zongjie::fonts::{FontOptions, FontSet, describe, resolve_fonts};
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
}
