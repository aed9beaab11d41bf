//! Landscape task tables (`table.landscape: true`): the attachment holding
//! the table is set on A4 turned a quarter clockwise, its columns use the
//! wider measure, the header repeats on every page, and every page keeps its
//! `— N —` where portrait pages have it.

use std::path::Path;
use std::process::Command;

mod common;

use zongjie::doc::parse;
use zongjie::fonts::FontSet;
use zongjie::pdf::{Layout, LineKind, PdfOptions, layout, render};
use zongjie::profile::{PT_PER_MM, Profile, parse_profile};

const REPORT: &str = include_str!("fixtures/pdf/report-001.md");
const TASKS: &str = include_str!("fixtures/pdf/tasks-002.md");

fn landscape() -> Profile {
    parse_profile("table:\n  landscape: true\n", Path::new("profile.yaml")).expect("profile")
}

fn laid(md: &str, p: &Profile) -> Layout {
    layout(&parse(md), p, &FontSet::bundled()).expect("layout")
}

#[test]
fn the_profile_option_defaults_to_portrait() {
    assert!(!Profile::default().table.landscape);
    let p = landscape();
    assert!(p.table.landscape);
    assert_eq!(
        p.table.line_pitch_pt,
        Profile::default().table.line_pitch_pt
    );
}

#[test]
fn task_table_pages_are_landscape_with_repeated_header_and_page_numbers() {
    let p = landscape();
    let l = laid(TASKS, &p);
    let portrait = laid(TASKS, &Profile::default());
    let (a4w, a4h) = (p.page.width_mm * PT_PER_MM, p.page.height_mm * PT_PER_MM);
    assert!(l.pages.len() >= 2, "{} pages", l.pages.len());
    // The wider measure wraps the cells into fewer lines.
    let cell_lines = |l: &Layout| {
        l.pages
            .iter()
            .flat_map(|p| p.lines.iter())
            .filter(|x| matches!(x.kind, LineKind::TableCell { .. }))
            .count()
    };
    assert!(
        cell_lines(&l) * 10 < cell_lines(&portrait) * 8,
        "{} cell lines vs {} in portrait",
        cell_lines(&l),
        cell_lines(&portrait)
    );
    // The turned text block: the portrait bottom margin on the left, the
    // binding margin on top.
    let left = a4h - p.page.margin_top_mm * PT_PER_MM - p.text_height();
    let top = p.page.margin_left_mm * PT_PER_MM;
    let (width, bottom) = (p.text_height(), top + p.text_width());
    for page in &l.pages {
        assert!(page.landscape, "page {}", page.number);
        assert!((page.width - a4h).abs() < 0.01 && (page.height - a4w).abs() < 0.01);
        let header = common::table_header(page);
        assert_eq!(
            header, "序号项目名称2023年攻坚目标攻坚举措责任单位",
            "page {}",
            page.number
        );
        for line in page.lines.iter().filter(|x| x.kind != LineKind::PageNumber) {
            let (a, b) = line.extent();
            assert!(
                a >= left - 0.1 && b <= left + width + 0.1,
                "{}",
                line.text()
            );
            assert!(
                line.baseline > top && line.baseline < bottom,
                "{}",
                line.text()
            );
        }
        for r in &page.rules {
            assert!(r.y1 >= top - 0.1 && r.y2 <= bottom + 0.1);
            assert!(r.x1 >= left - 0.1 && r.x2 <= left + width + 0.1);
        }
        // Columns recomputed for the wider measure: the table spans it.
        let xs: Vec<f32> = page.rules.iter().flat_map(|r| [r.x1, r.x2]).collect();
        let span = xs.iter().copied().fold(f32::MIN, f32::max)
            - xs.iter().copied().fold(f32::MAX, f32::min);
        assert!(
            (span - width).abs() < 0.1,
            "table {span} wide, measure {width}"
        );
        // The page number where portrait pages have it, in their frame,
        // turned with the page.
        let num = page
            .lines
            .iter()
            .find(|x| x.kind == LineKind::PageNumber)
            .expect("page number");
        assert_eq!(num.text(), format!("— {} —", page.number));
        assert!(num.portrait_frame);
        let same = portrait
            .pages
            .iter()
            .find(|q| q.number % 2 == page.number % 2)
            .and_then(|q| q.lines.iter().find(|x| x.kind == LineKind::PageNumber))
            .expect("portrait page number");
        assert!((num.baseline - same.baseline).abs() < 0.01);
        let (pa, pb) = same.extent();
        let (na, nb) = num.extent();
        if page.number % 2 == 1 {
            assert!((nb - pb).abs() < 0.01, "odd: right-aligned");
        } else {
            assert!((na - pa).abs() < 0.01, "even: left-aligned");
        }
    }
    // The attachment label and title turn with the table.
    let first = &l.pages[0];
    let label = first
        .lines
        .iter()
        .find(|x| x.kind == LineKind::AttachmentLabel)
        .expect("label");
    assert_eq!((label.text().as_str(), label.grid), ("附件1", Some(0)));
    assert!((label.extent().0 - left).abs() < 0.01);
}

#[test]
fn documents_without_tables_do_not_turn() {
    let a = laid(REPORT, &landscape());
    let b = laid(REPORT, &Profile::default());
    assert_eq!(a, b);
    assert!(a.pages.iter().all(|p| !p.landscape));
}

#[test]
fn body_text_after_a_landscape_table_returns_to_portrait() {
    let md = "# 标题\n\n正文一段。\n\n| 序号 | 名称 |\n| --- | --- |\n| 1 | 甲 |\n\n后面的正文。\n";
    let l = laid(md, &landscape());
    let orient: Vec<bool> = l.pages.iter().map(|p| p.landscape).collect();
    assert_eq!(orient, [false, true, false]);
    assert!(
        l.pages[2]
            .lines
            .iter()
            .any(|x| x.text().contains("后面的正文"))
    );
}

#[test]
fn landscape_pdf_has_turned_pages_and_their_numbers() {
    let out = render(
        &parse(TASKS),
        &landscape(),
        &FontSet::bundled(),
        &PdfOptions::default(),
    )
    .expect("pdf");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf");
    std::fs::create_dir_all(&dir).ok();
    let path = dir.join("tasks-landscape.pdf");
    std::fs::write(&path, &out.bytes).expect("write");
    let Ok(info) = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "99"])
        .arg(&path)
        .output()
    else {
        println!("note: pdfinfo not installed (apt-get install poppler-utils); skipping");
        return;
    };
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let sizes: Vec<&str> = info
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .collect();
    assert_eq!(sizes.len(), out.pages, "{info}");
    for s in sizes {
        assert!(s.contains("841.89 x 595.27"), "{s}");
    }
    let text = Command::new("pdftotext")
        .arg("-raw")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let pages: Vec<String> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    assert_eq!(pages.len(), out.pages);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("—{}—", i + 1)), "page {}", i + 1);
    }
}
