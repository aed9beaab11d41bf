//! Renders realistic documents (the 丽水 2022 report, the 温州 task table)
//! with the bundled fonts only and checks the GB/T 9704 layout: the grid,
//! 避头尾, justification, page numbers, headings kept with their text, the
//! attachment page, and — with poppler-utils installed — the text round
//! trip through `pdftotext` and embedded subset fonts through `pdffonts`.

use std::path::PathBuf;
use std::process::Command;

mod common;

use zongjie::doc::{Block, Document, parse};
use zongjie::fonts::FontSet;
use zongjie::pdf::linebreak::{is_no_end, is_no_start};
use zongjie::pdf::{Layout, LineKind, PdfOptions, layout, render};
use zongjie::profile::{PT_PER_MM, Profile};

const REPORT: &str = include_str!("fixtures/pdf/report-001.md");
const TASKS: &str = include_str!("fixtures/pdf/tasks-002.md");

fn laid(md: &str) -> (Document, Layout) {
    let doc = parse(md);
    let l = layout(&doc, &Profile::default(), &FontSet::bundled()).expect("layout");
    (doc, l)
}

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf");
    std::fs::create_dir_all(&d).ok();
    d
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn report_fits_the_grid() {
    let (doc, l) = laid(REPORT);
    let p = Profile::default();
    let pitch = p.char_pitch();
    let left = p.page.margin_left_mm * PT_PER_MM;
    let right = left + p.text_width();
    assert!(l.pages.len() >= 8, "{} pages", l.pages.len());
    let mut full = 0;
    let mut counts = Vec::new();
    for page in &l.pages {
        let grid: Vec<u32> = page.lines.iter().filter_map(|x| x.grid).collect();
        assert!(
            grid.len() <= 22,
            "page {} has {} grid lines",
            page.number,
            grid.len()
        );
        assert!(grid.iter().all(|&g| g < 22));
        let mut sorted = grid.clone();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            grid.len(),
            "two lines on one grid line, page {}",
            page.number
        );
        for line in &page.lines {
            let text = line.text();
            let Some(first) = text.chars().next() else {
                continue;
            };
            let last = text.chars().last().unwrap_or(first);
            if line.kind == LineKind::Body {
                let starts_block = page
                    .lines
                    .iter()
                    .position(|x| x == line)
                    .is_some_and(|i| i == 0 || page.lines[i - 1].block != line.block)
                    && line
                        .glyphs
                        .first()
                        .is_some_and(|g| (g.box_x - left - 2.0 * pitch).abs() < 0.01);
                if !starts_block {
                    assert!(!is_no_start(first), "line starts with {first}: {text}");
                }
                if !line.last_of_block {
                    assert!(!is_no_end(last), "line ends with {last}: {text}");
                    // Justified to the full measure: exactly 28 grid characters wide.
                    let (_, r) = line.extent();
                    assert!(
                        (r - right).abs() < 0.01,
                        "line not justified ({r} vs {right}): {text}"
                    );
                    assert!(line.justified);
                    let indent = ((line.extent().0 - left) / pitch).round();
                    let chars = line.grid_chars() + indent;
                    // Nominal count (CJK 1, half-width ½): more than 28 where
                    // marks are set in half width, fewer where an unbreakable
                    // number is pushed down or an ASCII mark fills a cell.
                    assert!((22.0..=29.0).contains(&chars), "{chars} characters: {text}");
                    let set = line.set_cells(pitch) + indent;
                    assert!(set <= 28.0 + 0.01, "{set} cells: {text}");
                    counts.push(set);
                    full += 1;
                }
            }
        }
        // Page number on every page: odd right, even left, 7 mm under the block.
        let num = page
            .lines
            .iter()
            .find(|x| x.kind == LineKind::PageNumber)
            .expect("page number");
        assert_eq!(num.text(), format!("— {} —", page.number));
        let (a, b) = num.extent();
        if page.number % 2 == 1 {
            assert!((b - (right - 14.0)).abs() < 0.5, "odd page number at {b}");
        } else {
            assert!((a - (left + 14.0)).abs() < 0.5, "even page number at {a}");
        }
        let bottom = p.page.margin_top_mm * PT_PER_MM + p.text_height();
        assert!(num.baseline > bottom + 7.0 * PT_PER_MM);
        // A heading never sits alone on the last grid line.
        if let Some(lastline) = page
            .lines
            .iter()
            .filter(|x| x.grid.is_some())
            .max_by_key(|x| x.grid)
            && let LineKind::Heading(_) = lastline.kind
        {
            assert!(
                lastline.block + 1 >= doc.blocks.len(),
                "heading alone at the foot of page {}",
                page.number
            );
        }
    }
    assert!(full > 150, "{full} full lines");
    // Every justified line spans exactly 28 cells (asserted above). Solid
    // lines fill them with their own boxes (a mark in half width counts ½,
    // an ASCII mark widened to a full cell 1), nothing spread between
    // characters: all of them in this text (365 of 413 before marks were
    // squeezed mid-line and breaks chosen per paragraph).
    let solid = counts.iter().filter(|&&c| (c - 28.0).abs() < 0.01).count();
    let loose = counts.iter().filter(|&&c| c < 26.0).count();
    println!(
        "{} full lines: {solid} fill 28 cells, {loose} fewer than 26",
        counts.len()
    );
    assert_eq!(loose, 0, "loose lines");
    assert!(
        solid * 100 >= counts.len() * 98,
        "only {solid} of {} full lines fill 28 cells",
        counts.len()
    );
}

#[test]
fn report_text_survives_layout_in_order() {
    let (doc, l) = laid(REPORT);
    for (i, b) in doc.blocks.iter().enumerate() {
        let laid: String = l
            .pages
            .iter()
            .flat_map(|p| p.lines.iter())
            .filter(|x| x.block == i)
            .map(|x| x.text())
            .collect();
        assert_eq!(squash(&laid), squash(&b.plain_text()), "block {i}");
    }
    assert!(l.missing.is_empty(), "{:?}", l.missing);
}

#[test]
fn title_is_centred_on_balanced_lines_and_body_follows_a_blank_line() {
    let (_, l) = laid(REPORT);
    let p = Profile::default();
    let left = p.page.margin_left_mm * PT_PER_MM;
    let centre = left + p.text_width() / 2.0;
    let titles: Vec<_> = l.pages[0]
        .lines
        .iter()
        .filter(|x| x.kind == LineKind::Title)
        .collect();
    assert_eq!(titles.len(), 2);
    assert_eq!(titles[0].text(), "丽水市卫生健康委员会");
    for t in &titles {
        let (a, b) = t.extent();
        assert!(((a + b) / 2.0 - centre).abs() < 0.5);
        assert_eq!(t.glyphs[0].size, 22.0);
    }
    let first_body = l.pages[0]
        .lines
        .iter()
        .find(|x| x.kind == LineKind::Body)
        .expect("body");
    assert_eq!(
        first_body.grid,
        Some(3),
        "one blank line after a two-line title"
    );
}

#[test]
fn signature_and_date_follow_gbt9704() {
    let (_, l) = laid(REPORT);
    let p = Profile::default();
    let pitch = p.char_pitch();
    let right = p.page.margin_left_mm * PT_PER_MM + p.text_width();
    let last = l.pages.last().expect("pages");
    let sig = last
        .lines
        .iter()
        .find(|x| x.kind == LineKind::Signature)
        .expect("signature");
    let date = last
        .lines
        .iter()
        .find(|x| x.kind == LineKind::Date)
        .expect("date");
    assert_eq!(sig.text(), "丽水市卫生健康委员会");
    assert!(
        (sig.extent().1 - (right - 2.0 * pitch)).abs() < 0.01,
        "署名 right indent 2"
    );
    assert!(
        (date.extent().0 - (sig.extent().0 + 2.0 * pitch)).abs() < 0.01,
        "date 2 characters right"
    );
    assert_eq!(date.grid.zip(sig.grid).map(|(d, s)| d - s), Some(1));
    let body_last = last
        .lines
        .iter()
        .filter(|x| x.kind == LineKind::Body)
        .filter_map(|x| x.grid)
        .max();
    if let (Some(b), Some(s)) = (body_last, sig.grid) {
        assert_eq!(s, b + 2, "one blank line before the signature");
    }
}

#[test]
fn task_table_repeats_its_header_and_splits_rows_cleanly() {
    let (doc, l) = laid(TASKS);
    assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
    let first = &l.pages[0];
    let label = first
        .lines
        .iter()
        .find(|x| x.kind == LineKind::AttachmentLabel)
        .expect("label");
    assert_eq!((label.text().as_str(), label.grid), ("附件1", Some(0)));
    let title = first
        .lines
        .iter()
        .find(|x| x.kind == LineKind::Title)
        .expect("title");
    assert_eq!(title.grid, Some(2), "attachment title on line 3");
    let p = Profile::default();
    let top = p.page.margin_top_mm * PT_PER_MM;
    let bottom = top + p.text_height();
    for page in &l.pages {
        let header = common::table_header(page);
        assert_eq!(
            header, "序号项目名称2023年攻坚目标攻坚举措责任单位",
            "page {}",
            page.number
        );
        for line in page
            .lines
            .iter()
            .filter(|x| matches!(x.kind, LineKind::TableCell { .. }))
        {
            assert!(
                line.baseline < bottom && line.baseline > top,
                "cell line outside the text block"
            );
        }
        assert!(
            page.rules
                .iter()
                .all(|r| r.y1 >= top - 0.1 && r.y2 <= bottom + 0.1)
        );
        assert!(page.lines.iter().any(|x| x.kind == LineKind::PageNumber));
    }
    // Every cell's text is there, in order, once (repeated headers aside).
    let Block::Table(t) = &doc.blocks[2] else {
        panic!("table expected")
    };
    for (ri, row) in std::iter::once(&t.header).chain(t.rows.iter()).enumerate() {
        for (ci, cell) in row.iter().enumerate() {
            let got: String = l
                .pages
                .iter()
                .flat_map(|p| p.lines.iter())
                .filter(|x| matches!(x.kind, LineKind::TableCell { row, col, repeated_header: false } if row == ri && col == ci))
                .map(|x| x.text())
                .collect();
            assert_eq!(squash(&got), squash(&cell.concat()), "row {ri} col {ci}");
        }
    }
    // Items ①② start their own lines.
    let starts = l
        .pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .filter(|x| x.text().starts_with('②'))
        .count();
    assert!(starts >= 10, "{starts}");
}

#[test]
fn output_is_deterministic_and_carries_metadata() {
    let doc = parse(REPORT);
    let fonts = FontSet::bundled();
    let opts = PdfOptions {
        created: Some((2023, 5, 19)),
    };
    let a = render(&doc, &Profile::default(), &fonts, &opts).expect("pdf");
    let b = render(&doc, &Profile::default(), &fonts, &opts).expect("pdf");
    assert_eq!(a.bytes, b.bytes);
    assert!(a.bytes.starts_with(b"%PDF-"));
    // Only used glyphs are embedded; FandolFang's outlines take about
    // 800 bytes a glyph (Noto Serif: 300), so the 仿宋 body costs more.
    assert!(a.bytes.len() < 700_000, "{} bytes", a.bytes.len());
    let raw = String::from_utf8_lossy(&a.bytes);
    assert!(raw.contains("D:20230519"), "creation date");
    assert!(raw.contains("/Outlines"));
    assert!(raw.contains("/StructTreeRoot"));
}

#[test]
fn missing_glyphs_are_named() {
    let doc = parse("# 标题\n\n正文𠀀字\u{200d}。\n");
    let l = layout(&doc, &Profile::default(), &FontSet::bundled()).expect("layout");
    // Once each; a zero-width joiner prints nothing anyway.
    assert_eq!(l.missing, ['𠀀'], "{:?}", l.missing);
}

#[test]
fn odd_documents_do_not_panic() {
    for md in [
        "",
        "# \n",
        "<!-- zongjie:pagebreak -->\n",
        "| a |\n|---|\n| |\n",
        "<!-- zongjie:date -->\n2023年5月19日\n",
        "<!-- zongjie:attachment -->\n附件2\n",
        &"长".repeat(5000),
        &"a".repeat(3000),
    ] {
        assert!(render_bundled(md).pages >= 1);
    }
}

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        println!("note: {name} not installed (apt-get install poppler-utils); skipping its checks");
    }
    ok
}

/// Renders Markdown to PDF with the default profile and the bundled fonts.
fn render_bundled(md: &str) -> zongjie::pdf::PdfOutput {
    render(
        &parse(md),
        &Profile::default(),
        &FontSet::bundled(),
        &PdfOptions::default(),
    )
    .expect("pdf")
}

fn check_pdf_with_poppler(md: &str, name: &str) {
    let doc = parse(md);
    let out = render_bundled(md);
    let path = out_dir().join(name);
    std::fs::write(&path, &out.bytes).expect("write pdf");
    if !tool("pdftotext") {
        return;
    }
    let text = Command::new("pdftotext")
        .arg("-raw")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let mut pages: Vec<&str> = text.split('\u{c}').collect();
    pages.retain(|p| !p.trim().is_empty());
    assert_eq!(pages.len(), out.pages);
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains(&format!("— {} —", i + 1)),
            "page {} has no page number",
            i + 1
        );
    }
    let flat = strip_page_numbers(&squash(&text));
    let mut at = 0;
    for (k, para) in doc.plain_paragraphs().iter().enumerate() {
        if md.contains('|') && k == 2 {
            // The table: rows split over pages interleave their cells, so
            // look for every laid-out cell line instead.
            let l = layout(&doc, &Profile::default(), &FontSet::bundled()).expect("layout");
            for line in l
                .pages
                .iter()
                .flat_map(|p| p.lines.iter())
                .filter(|x| x.kind != LineKind::PageNumber)
            {
                let c = squash(&line.text());
                assert!(flat.contains(&c), "table line missing from pdftotext: {c}");
            }
            continue;
        }
        let want = squash(para);
        let found = flat[at..].find(&want);
        assert!(
            found.is_some(),
            "paragraph {k} missing or out of order: {want}"
        );
        at += found.unwrap_or(0) + want.len();
    }
    let fonts = Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts");
    let listing = String::from_utf8_lossy(&fonts.stdout).to_string();
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{listing}");
    for r in rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        let n = cols.len();
        assert!(
            n >= 7 && cols[n - 5] == "yes" && cols[n - 4] == "yes",
            "font not embedded+subset: {r}"
        );
        assert!(cols[0].contains('+'), "subset tag missing: {r}");
    }
}

/// Removes `—N—` page numbers from squashed text.
fn strip_page_numbers(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '—' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '—' {
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn report_pdf_round_trips_through_pdftotext() {
    check_pdf_with_poppler(REPORT, "report-001.pdf");
}

#[test]
fn task_table_pdf_round_trips_through_pdftotext() {
    check_pdf_with_poppler(TASKS, "tasks-002.pdf");
}

/// Digits and letters of one number or word keep their natural spacing:
/// `91.59%` has no gap after its point, `CMI` no gaps between its letters.
#[test]
fn numbers_and_latin_words_are_set_as_words_not_on_the_grid() {
    let (_, l) = laid(
        "---\ntitle: t\n---\n\n县域就诊率达91.59%，同比增加0.41个百分点，36个临床专科实现CMI值同比提升。\n",
    );
    let glyphs: Vec<_> = l
        .pages
        .iter()
        .flat_map(|p| p.lines.iter())
        .flat_map(|line| line.glyphs.iter())
        .collect();
    let cell = 156.0 * 72.0 / 25.4 / 28.0;
    let x = |c: char, nth: usize| {
        glyphs
            .iter()
            .filter(|g| g.ch == c)
            .nth(nth)
            .map(|g| g.x)
            .expect("glyph")
    };
    // In `91.59`, the 5 follows the point at about the point's own width,
    // not half a cell later.
    assert!(
        x('5', 0) - x('.', 0) < 0.35 * cell,
        "gap after the point: {}",
        x('5', 0) - x('.', 0)
    );
    // M follows C at C's natural advance (on the grid it came a full cell later).
    let (c, m) = (x('C', 0), x('M', 0));
    assert!(m - c < 0.8 * cell, "CMI letter-spaced: C at {c}, M at {m}");
}
