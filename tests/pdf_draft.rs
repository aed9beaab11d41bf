//! `draft: true` marks every page of the PDF with a diagonal 草稿 behind
//! the text, as the HTML page does: in the page model, in the rendered
//! pixels (`pdftoppm`), and invisibly to text extraction (`pdftotext`
//! gives the same text as the final document's).

use std::path::{Path, PathBuf};
use std::process::Command;

use zongjie::doc::parse;
use zongjie::fonts::{FontSet, Role};
use zongjie::pdf::{DRAFT_MARK, PdfOptions, layout, render};
use zongjie::profile::Profile;

const REPORT: &str = include_str!("fixtures/pdf/report-001.md");

fn draft(md: &str) -> String {
    md.replacen("---\n", "---\ndraft: true\n", 1)
}

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf-draft");
    std::fs::create_dir_all(&d).expect("out dir");
    d
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn every_page_of_a_draft_carries_the_mark_and_a_final_document_none() {
    let fonts = FontSet::bundled();
    let final_ = layout(&parse(REPORT), &Profile::default(), &fonts).expect("layout");
    assert!(final_.pages.iter().all(|p| p.watermark.is_none()));
    let laid = layout(&parse(&draft(REPORT)), &Profile::default(), &fonts).expect("layout");
    assert!(laid.pages.len() >= 8);
    assert_eq!(
        laid.pages.len(),
        final_.pages.len(),
        "the mark moves nothing"
    );
    for (page, plain) in laid.pages.iter().zip(&final_.pages) {
        assert_eq!(page.lines, plain.lines, "page {}", page.number);
        let w = page.watermark.as_ref().expect("a mark on every page");
        let text: String = w.glyphs.iter().map(|g| g.ch).collect();
        assert_eq!(text, DRAFT_MARK);
        assert!(
            w.glyphs.iter().all(|g| g.gid != 0),
            "the mark's glyphs exist"
        );
        assert!(
            w.glyphs
                .iter()
                .all(|g| g.face == fonts.role(Role::Heading1))
        );
        assert_eq!((w.cx, w.cy), (page.width / 2.0, page.height / 2.0));
        assert!(w.angle > 0.0 && w.gray > 0.5 && w.gray < 1.0, "{w:?}");
    }
}

/// Pixels of page 1 at 30 dpi in grey (PGM), from `pdftoppm`.
fn grey_pixels(pdf: &Path) -> Vec<u8> {
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", "30", "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .expect("pdftoppm");
    assert!(out.status.success());
    // P5 header: magic, width, height, maxval, then one byte per pixel.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while out.stdout[i].is_ascii_whitespace() {
            i += 1;
        }
        while !out.stdout[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    out.stdout[i + 1..].to_vec()
}

#[test]
fn the_mark_is_drawn_light_grey_and_is_not_text() {
    let dir = out_dir();
    let write = |name: &str, md: &str| {
        let out = render(
            &parse(md),
            &Profile::default(),
            &FontSet::bundled(),
            &PdfOptions::default(),
        )
        .expect("render");
        let path = dir.join(name);
        std::fs::write(&path, &out.bytes).expect("write");
        path
    };
    let final_ = write("final.pdf", REPORT);
    let draft = write("draft.pdf", &draft(REPORT));
    if !tool("pdftotext") || !tool("pdftoppm") {
        eprintln!("poppler-utils missing: pixel and text checks skipped");
        return;
    }
    let text = |p: &Path| {
        let out = Command::new("pdftotext")
            .arg(p)
            .arg("-")
            .output()
            .expect("pdftotext");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (t_final, t_draft) = (text(&final_), text(&draft));
    assert!(t_final.contains("丽水市卫生健康委员会"));
    assert_eq!(t_draft, t_final, "the mark is not extractable text");
    assert!(!t_draft.contains(DRAFT_MARK));
    // The mark's flat grey (0.85 → 217) covers far more of the page than
    // the antialiased edges of the text do (about 2,300 pixels against 900).
    let light = |px: &[u8]| px.iter().filter(|&&v| (214..=220).contains(&v)).count();
    let (l_final, l_draft) = (light(&grey_pixels(&final_)), light(&grey_pixels(&draft)));
    assert!(
        l_draft > l_final + 1000,
        "light grey pixels: draft {l_draft}, final {l_final}"
    );
}
