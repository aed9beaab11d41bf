//! The `.docx` of the bundled examples (data/*.yaml), unpacked and its XML
//! inspected: the page and the document grid, styles with Word's built-in
//! names and the official east-Asian faces, east-Asian fonts on every run,
//! odd and even footers with a PAGE field, the task table's grid widths and
//! repeating header, no theme part, document properties from the data or
//! SOURCE_DATE_EPOCH, the same bytes twice. Each build runs under a time
//! and memory bound.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use common::*;
use zongjie::doc::{Block, parse};
use zongjie::docx::{DocxOptions, render};
use zongjie::profile::{Profile, parse_profile};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const MEMORY_KIB: u64 = 2 * 1024 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Builds one bundled example as md and docx into `dir` (bounded).
fn build(dir: &Path, name: &str, env: &[(&str, &str)]) -> (Vec<u8>, String) {
    let input = root().join("data").join(format!("{name}.yaml"));
    let input = input.to_str().unwrap();
    let (out, _) = bounded(
        dir,
        &["build", input, "--out", "o", "--format", "md,docx"],
        env,
        MEMORY_KIB,
        TIME_LIMIT,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docx = std::fs::read(dir.join(format!("o/{name}.docx"))).expect("docx written");
    let md = std::fs::read_to_string(dir.join(format!("o/{name}.md"))).expect("md written");
    (docx, md)
}

/// The package's parts by name, in zip order.
fn unpack(bytes: &[u8]) -> Vec<(String, String)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).expect("UTF-8 XML");
            (f.name().unwrap().to_string(), s)
        })
        .collect()
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    &parts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no part {name}"))
        .1
}

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attribute((W, name))
}

fn elements<'a, 'i>(
    doc: &'a roxmltree::Document<'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    doc.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The text of a paragraph (`w:t`, `w:br` as a line break).
fn para_text(p: roxmltree::Node) -> String {
    p.descendants()
        .filter_map(|n| match n.tag_name().name() {
            "t" => n.text().map(str::to_string),
            "br" => Some("\n".to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn report_docx_has_the_grid_styles_fonts_and_page_numbers() {
    let dir = temp("docx-report");
    let (bytes, md) = build(&dir, "lishui-2022", &[]);
    let parts = unpack(&bytes);
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "docProps/app.xml",
            "word/document.xml",
            "word/_rels/document.xml.rels",
            "word/styles.xml",
            "word/settings.xml",
            "word/fontTable.xml",
            "word/footer1.xml",
            "word/footer2.xml",
        ]
    );
    assert!(
        !names
            .iter()
            .any(|n| n.contains("theme") || n.contains("numbering"))
    );
    for (name, xml) in &parts {
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!xml.contains("theme"), "{name} names a theme");
    }

    // Page and grid: A4, 37/28/35/26 mm, 22 lines × 28 characters.
    let doc_xml = part(&parts, "word/document.xml");
    let d = roxmltree::Document::parse(doc_xml).unwrap();
    let grid = elements(&d, "docGrid").next().expect("docGrid");
    assert_eq!(attr(grid, "type"), Some("linesAndChars"));
    assert_eq!(attr(grid, "linePitch"), Some("579"));
    assert_eq!(attr(grid, "charSpace"), Some("-848"));
    let size = elements(&d, "pgSz").next().unwrap();
    assert_eq!(
        (attr(size, "w"), attr(size, "h")),
        (Some("11906"), Some("16838"))
    );
    let mar = elements(&d, "pgMar").next().unwrap();
    let m: Vec<&str> = ["top", "left", "bottom", "right"]
        .iter()
        .map(|k| attr(mar, k).unwrap())
        .collect();
    assert_eq!(m, ["2098", "1587", "1984", "1474"]);

    // Styles: Word's built-in names with the official faces and sizes.
    let s = roxmltree::Document::parse(part(&parts, "word/styles.xml")).unwrap();
    let style = |name: &str| {
        elements(&s, "style")
            .find(|st| {
                st.children()
                    .any(|c| c.tag_name().name() == "name" && attr(c, "val") == Some(name))
            })
            .unwrap_or_else(|| panic!("no style {name}"))
    };
    for (name, face, half_points) in [
        ("Normal", "仿宋_GB2312", "32"),
        ("Title", "方正小标宋简体", "44"),
        ("heading 1", "黑体", "32"),
        ("heading 2", "楷体_GB2312", "32"),
        ("footer", "宋体", "28"),
    ] {
        let st = style(name);
        let fonts = st
            .descendants()
            .find(|n| n.tag_name().name() == "rFonts")
            .unwrap();
        assert_eq!(attr(fonts, "eastAsia"), Some(face), "{name}");
        let sz = st
            .descendants()
            .find(|n| n.tag_name().name() == "sz")
            .unwrap();
        assert_eq!(attr(sz, "val"), Some(half_points), "{name}");
    }
    let normal_ind = style("Normal")
        .descendants()
        .find(|n| n.tag_name().name() == "ind")
        .unwrap();
    assert_eq!(attr(normal_ind, "firstLineChars"), Some("200"));

    // Every run with text names its east-Asian face; full-width marks
    // that Word would set in the Latin face carry the east-Asian hint.
    let mut runs = 0;
    for r in elements(&d, "r") {
        let text: String = r
            .children()
            .filter(|c| c.tag_name().name() == "t")
            .filter_map(|c| c.text())
            .collect();
        if text.is_empty() {
            continue;
        }
        runs += 1;
        let fonts = r
            .descendants()
            .find(|n| n.tag_name().name() == "rFonts")
            .unwrap_or_else(|| panic!("run without fonts: {text}"));
        assert!(attr(fonts, "eastAsia").is_some(), "{text}");
        if text.contains(['“', '”', '…', '—']) {
            assert_eq!(attr(fonts, "hint"), Some("eastAsia"), "{text}");
        }
    }
    assert!(runs > 50, "{runs} runs");
    // Labels are literal text, never Word numbering.
    assert!(!doc_xml.contains("numPr"));
    let heading1: Vec<String> = elements(&d, "p")
        .filter(|p| {
            p.descendants()
                .any(|n| n.tag_name().name() == "pStyle" && attr(n, "val") == Some("Heading1"))
        })
        .map(para_text)
        .collect();
    assert!(
        heading1.len() >= 2 && heading1[0].starts_with("一、"),
        "{heading1:?}"
    );
    // The （一） lead is a 楷体 run inside its paragraph, followed by 仿宋.
    let lead = elements(&d, "p")
        .find(|p| para_text(*p).starts_with("（一）") || para_text(*p).starts_with("(一)"))
        .expect("a （一） paragraph");
    let faces: Vec<&str> = lead
        .descendants()
        .filter(|n| n.tag_name().name() == "rFonts")
        .filter_map(|n| attr(n, "eastAsia"))
        .collect();
    assert_eq!(&faces[..2], ["楷体_GB2312", "仿宋_GB2312"]);

    // Every paragraph of the Markdown, in order.
    let tree = parse(&md);
    let expected: Vec<String> = tree
        .blocks
        .iter()
        .filter(|b| !matches!(b, Block::Table(_)))
        .map(|b| b.plain_text().replace('\n', ""))
        .filter(|t| !t.is_empty())
        .collect();
    let got: Vec<String> = elements(&d, "p")
        .map(|p| para_text(p).replace('\n', ""))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(got, expected);

    // Page numbers: odd right and even left, one character (14 pt) in,
    // each `— N —` with a PAGE field; settings ask for both.
    assert!(part(&parts, "word/settings.xml").contains("<w:evenAndOddHeaders/>"));
    for (file, jc, side) in [
        ("word/footer1.xml", "right", "right"),
        ("word/footer2.xml", "left", "left"),
    ] {
        let f = roxmltree::Document::parse(part(&parts, file)).unwrap();
        let j = elements(&f, "jc").next().unwrap();
        assert_eq!(attr(j, "val"), Some(jc), "{file}");
        let ind = elements(&f, "ind").next().unwrap();
        assert_eq!(attr(ind, side), Some("280"), "{file}");
        let instr: String = elements(&f, "instrText").filter_map(|n| n.text()).collect();
        assert_eq!(instr.trim(), "PAGE", "{file}");
        let text: String = elements(&f, "t").filter_map(|n| n.text()).collect();
        assert_eq!(text, "— 1 —", "{file}");
        let fonts = elements(&f, "rFonts").next().unwrap();
        assert_eq!(attr(fonts, "eastAsia"), Some("宋体"));
        assert_eq!(attr(fonts, "hint"), Some("eastAsia"));
    }
    let types: BTreeMap<&str, usize> =
        elements(&d, "footerReference").fold(BTreeMap::new(), |mut m, n| {
            *m.entry(attr(n, "type").unwrap()).or_default() += 1;
            m
        });
    assert_eq!(types, BTreeMap::from([("default", 1), ("even", 1)]));

    // Document properties: title, author = issuer, the data's date.
    let core = part(&parts, "docProps/core.xml");
    let meta = &tree.meta;
    assert!(
        core.contains(&format!(
            "<dc:title>{}</dc:title>",
            meta.title.as_deref().unwrap()
        )),
        "{core}"
    );
    assert!(
        core.contains(&format!(
            "<dc:creator>{}</dc:creator>",
            meta.issuer.as_deref().unwrap()
        )),
        "{core}"
    );
    let written = meta.written.as_deref().expect("written date");
    assert!(
        core.contains(&format!(">{written}T00:00:00Z</dcterms:created>")),
        "{core}"
    );
}

#[test]
fn task_table_has_grid_widths_and_a_repeating_header_row() {
    let dir = temp("docx-tasks");
    let (bytes, md) = build(&dir, "wenzhou-2023-tasks", &[]);
    let parts = unpack(&bytes);
    let d = roxmltree::Document::parse(part(&parts, "word/document.xml")).unwrap();
    let tree = parse(&md);
    let Some(Block::Table(t)) = tree.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
        panic!("no table in the Markdown")
    };
    let tbl = elements(&d, "tbl").next().expect("a w:tbl");
    // Cells are ragged (left or centred), as in the PDF: never justified.
    let cell_xml = part(&parts, "word/document.xml");
    for cell in cell_xml.split("<w:tc>").skip(1) {
        let cell = &cell[..cell.find("</w:tc>").unwrap_or(cell.len())];
        assert!(
            !cell.contains("<w:jc w:val=\"both\"/>"),
            "a justified cell: {cell}"
        );
    }
    let tbl_w: i64 = attr(elements(&d, "tblW").next().unwrap(), "w")
        .unwrap()
        .parse()
        .unwrap();
    let cols: Vec<i64> = elements(&d, "gridCol")
        .map(|g| attr(g, "w").unwrap().parse().unwrap())
        .collect();
    assert_eq!(cols.len(), t.header.len());
    assert_eq!(cols.iter().sum::<i64>(), tbl_w);
    assert_eq!(tbl_w, 8844, "the 156 mm text width");
    // 序号 narrow, 攻坚举措 (the most text) widest.
    assert!(
        cols[0] < cols[1] && cols[3] == *cols.iter().max().unwrap(),
        "{cols:?}"
    );
    let rows: Vec<roxmltree::Node> = tbl
        .children()
        .filter(|n| n.tag_name().name() == "tr")
        .collect();
    assert_eq!(rows.len(), t.rows.len() + 1);
    let header_rows: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.descendants().any(|n| n.tag_name().name() == "tblHeader"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(header_rows, [0], "only the header row repeats");
    assert!(!elements(&d, "cantSplit").any(|_| true), "rows may split");
    // Each cell: its width, one paragraph per line (①②… items), the text as given.
    for (row, tr) in std::iter::once(&t.header).chain(t.rows.iter()).zip(&rows) {
        let tcs: Vec<roxmltree::Node> = tr
            .children()
            .filter(|n| n.tag_name().name() == "tc")
            .collect();
        for ((cell, tc), w) in row.iter().zip(&tcs).zip(&cols) {
            let tcw = tc
                .descendants()
                .find(|n| n.tag_name().name() == "tcW")
                .unwrap();
            assert_eq!(attr(tcw, "w").unwrap().parse::<i64>().unwrap(), *w);
            let paras: Vec<String> = tc
                .children()
                .filter(|n| n.tag_name().name() == "p")
                .map(para_text)
                .collect();
            assert_eq!(&paras, cell);
        }
    }
    assert!(
        t.rows
            .iter()
            .flatten()
            .flatten()
            .any(|l| l.starts_with('*')),
        "the example marks a lead unit"
    );
    // Cell padding as the PDF: 3 pt above and below.
    let mar = elements(&d, "tblCellMar").next().unwrap();
    let top = mar
        .children()
        .find(|n| n.tag_name().name() == "top")
        .unwrap();
    assert_eq!(attr(top, "w"), Some("60"));
}

#[test]
fn same_bytes_twice_and_source_date_epoch_is_honoured() {
    let a = temp("docx-same-a");
    let b = temp("docx-same-b");
    let (one, _) = build(&a, "wenzhou-2023-tasks", &[]);
    let (two, _) = build(&b, "wenzhou-2023-tasks", &[]);
    assert!(one == two, "two builds differ");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&one)).unwrap();
    for i in 0..z.len() {
        let f = z.by_index(i).unwrap();
        let t = f.last_modified().expect("a time");
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (1980, 1, 1, 0, 0),
            "{:?}",
            f.name()
        );
    }
    let c = temp("docx-epoch");
    let (dated, _) = build(
        &c,
        "wenzhou-2023-tasks",
        &[("SOURCE_DATE_EPOCH", "1684454400")],
    );
    let core = unpack(&dated)
        .into_iter()
        .find(|(n, _)| n == "docProps/core.xml")
        .unwrap()
        .1;
    assert!(
        core.contains(">2023-05-19T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    assert!(
        core.contains(">2023-05-19T00:00:00Z</dcterms:modified>"),
        "{core}"
    );
    assert!(one != dated);
}

fn render_with(md: &str, profile: &str) -> Vec<(String, String)> {
    let p: Profile = parse_profile(profile, Path::new("profile.yaml")).expect("profile");
    let out = render(&parse(md), &p, &DocxOptions::default()).expect("docx");
    unpack(&out.bytes)
}

const TASKS: &str = include_str!("fixtures/pdf/tasks-002.md");
const REPORT: &str = include_str!("fixtures/pdf/report-001.md");

#[test]
fn profile_chooses_font_names_and_centred_page_numbers() {
    let parts = render_with(
        REPORT,
        "fonts:\n  body: {docx_name: 仿宋}\n  heading2: {docx_name: 楷体}\npage_number: {placement: centred}\n",
    );
    let doc = part(&parts, "word/document.xml");
    assert!(doc.contains("w:eastAsia=\"仿宋\""));
    assert!(doc.contains("w:eastAsia=\"楷体\""));
    assert!(!doc.contains("仿宋_GB2312") && !doc.contains("楷体_GB2312"));
    assert!(
        doc.contains("w:eastAsia=\"黑体\""),
        "unchanged roles keep the official face"
    );
    assert!(!part(&parts, "word/settings.xml").contains("evenAndOddHeaders"));
    assert!(!parts.iter().any(|(n, _)| n == "word/footer2.xml"));
    assert!(part(&parts, "word/footer1.xml").contains("<w:jc w:val=\"center\"/>"));
    // The official default: 仿宋_GB2312, with 仿宋 named for Words without it.
    let parts = render_with(REPORT, "");
    assert!(
        part(&parts, "word/fontTable.xml")
            .contains("<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/>")
    );
}

#[test]
fn signature_date_and_attachment_are_placed_as_in_the_pdf() {
    let parts = render_with(REPORT, "");
    let d = roxmltree::Document::parse(part(&parts, "word/document.xml")).unwrap();
    let styled = |style: &str| {
        elements(&d, "p")
            .find(|p| {
                p.descendants()
                    .any(|n| n.tag_name().name() == "pStyle" && attr(n, "val") == Some(style))
            })
            .unwrap_or_else(|| panic!("no {style} paragraph"))
    };
    let right_ind = |p: roxmltree::Node| -> i64 {
        let ind = p
            .descendants()
            .find(|n| n.tag_name().name() == "ind")
            .unwrap();
        attr(ind, "right").unwrap().parse().unwrap()
    };
    let (sig, date) = (styled("Signature"), styled("Date"));
    assert_eq!(para_text(sig), "丽水市卫生健康委员会");
    assert_eq!(para_text(date), "2023年5月19日");
    // 10 characters signed 2 characters from the right; the date (3 hanzi
    // and 7 half-width digits: 6.5 characters) starts 2 characters right
    // of the signature, so it ends 3.5 characters from the right.
    let pitch = 442.2047 / 28.0 * 20.0;
    assert!(
        (right_ind(sig) as f64 - 2.0 * pitch).abs() < 2.0,
        "{}",
        right_ind(sig)
    );
    assert!(
        (right_ind(date) as f64 - 3.5 * pitch).abs() < 2.0,
        "{}",
        right_ind(date)
    );

    let parts = render_with(TASKS, "");
    let d = roxmltree::Document::parse(part(&parts, "word/document.xml")).unwrap();
    let label = elements(&d, "p")
        .find(|p| para_text(*p) == "附件1")
        .expect("the attachment label");
    let style = label
        .descendants()
        .find(|n| n.tag_name().name() == "pStyle")
        .unwrap();
    assert_eq!(attr(style, "val"), Some("AttachmentLabel"));
    let faces: Vec<&str> = label
        .descendants()
        .filter(|n| n.tag_name().name() == "rFonts")
        .filter_map(|n| attr(n, "eastAsia"))
        .collect();
    assert_eq!(faces, ["黑体"]);
    // Title on line 3: label, one empty line, title.
    let after: Vec<String> = label
        .next_siblings()
        .skip(1)
        .filter(|n| n.is_element())
        .take(2)
        .map(para_text)
        .collect();
    assert_eq!(after, ["", "2023年卫生健康攻坚任务清单"]);
    // A label after body text starts a new page.
    let md = format!(
        "---\ntitle: 报告\n---\n\n# 报告\n\n正文。\n\n{}",
        &TASKS[TASKS.find("<!--").unwrap()..]
    );
    let parts = render_with(&md, "");
    let doc = part(&parts, "word/document.xml");
    let at = doc.find(">附件1<").unwrap();
    assert!(
        doc[..at]
            .rfind("<w:pageBreakBefore/>")
            .is_some_and(|b| b > doc[..at].rfind("正文").unwrap())
    );
}

/// A one-paragraph report followed by the task table as its attachment.
fn report_then_tasks() -> String {
    format!(
        "---\ntitle: 报告\n---\n\n# 报告\n\n正文。\n\n{}",
        &TASKS[TASKS.find("<!--").unwrap()..]
    )
}

#[test]
fn landscape_profile_puts_the_table_in_its_own_landscape_section() {
    let parts = render_with(&report_then_tasks(), "table:\n  landscape: true\n");
    let d = roxmltree::Document::parse(part(&parts, "word/document.xml")).unwrap();
    let sections: Vec<(Option<&str>, Option<&str>)> = elements(&d, "pgSz")
        .map(|n| (attr(n, "w"), attr(n, "orient")))
        .collect();
    assert_eq!(
        sections,
        [(Some("11906"), None), (Some("16838"), Some("landscape"))]
    );
    // The wider measure: 225 mm.
    let tbl_w = attr(elements(&d, "tblW").next().unwrap(), "w").unwrap();
    assert_eq!(tbl_w, "12756");
    // The portrait section ends before the attachment label.
    let doc = part(&parts, "word/document.xml");
    assert!(doc.find("</w:sectPr>").unwrap() < doc.find(">附件1<").unwrap());
    // A page break before a landscape table: the section break alone
    // starts the new page (no empty page), and portrait comes back after.
    let md = "# 报告\n\n正文。\n\n<!-- zongjie:pagebreak -->\n\n| 序号 | 单位 |\n| --- | --- |\n| 1 | 甲 |\n\n后文。\n";
    let parts = render_with(md, "table:\n  landscape: true\n");
    let doc = part(&parts, "word/document.xml");
    assert_eq!(doc.matches("<w:pageBreakBefore/>").count(), 0, "{doc}");
    assert_eq!(doc.matches("<w:sectPr>").count(), 3);
    assert_eq!(doc.matches("w:orient=\"landscape\"").count(), 1);
    assert!(doc.rfind("<w:sectPr>").unwrap() > doc.find("后文").unwrap());
}

/// A landscape section's page number is turned onto the sheet's left edge,
/// where the portrait pages have their foot: odd pages at its lower end
/// (portrait right), even pages at its upper end (portrait left).
#[test]
fn landscape_sections_carry_the_page_number_turned_onto_the_portrait_foot() {
    let parts = render_with(&report_then_tasks(), "table:\n  landscape: true\n");
    let doc = part(&parts, "word/document.xml");
    let d = roxmltree::Document::parse(doc).unwrap();
    let refs: Vec<Vec<(&str, &str)>> = elements(&d, "sectPr")
        .map(|s| {
            s.children()
                .filter(|c| c.tag_name().name() == "footerReference")
                .map(|c| (attr(c, "type").unwrap(), c.attribute((R, "id")).unwrap()))
                .collect()
        })
        .collect();
    assert_eq!(
        refs,
        [
            vec![("default", "rIdFooterOdd"), ("even", "rIdFooterEven")],
            vec![
                ("default", "rIdFooterOddTurned"),
                ("even", "rIdFooterEvenTurned")
            ],
        ]
    );
    let rels = part(&parts, "word/_rels/document.xml.rels");
    for (id, target) in [
        ("rIdFooterOddTurned", "footer3.xml"),
        ("rIdFooterEvenTurned", "footer4.xml"),
    ] {
        assert!(
            rels.contains(&format!("Id=\"{id}\"")) && rels.contains(target),
            "{rels}"
        );
        assert!(part(&parts, "[Content_Types].xml").contains(&format!("/word/{target}")));
    }
    for (name, jc) in [("word/footer3.xml", "right"), ("word/footer4.xml", "left")] {
        let f = roxmltree::Document::parse(part(&parts, name)).unwrap();
        let wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
        let offset = |axis: &str| -> i64 {
            let pos = f
                .descendants()
                .find(|n| n.has_tag_name((wp, axis)))
                .unwrap_or_else(|| panic!("{name}: no {axis}"));
            assert_eq!(pos.attribute("relativeFrom"), Some("page"), "{name}");
            pos.children()
                .find(|c| c.tag_name().name() == "posOffset")
                .and_then(|c| c.text())
                .unwrap()
                .parse()
                .unwrap()
        };
        let extent = f
            .descendants()
            .find(|n| n.has_tag_name((wp, "extent")))
            .unwrap();
        let cx: i64 = extent.attribute("cx").unwrap().parse().unwrap();
        let cy: i64 = extent.attribute("cy").unwrap().parse().unwrap();
        // Along the portrait text block: from the 28 mm left margin, 156 mm
        // long (EMU: 36,000 a millimetre).
        assert_eq!(
            (offset("positionV"), cy),
            (28 * 36_000, 156 * 36_000),
            "{name}"
        );
        // Across: its inner side 7 mm below the portrait text block (35 mm
        // from the portrait bottom edge), i.e. 28 mm from the left edge.
        assert_eq!(offset("positionH") + cx, 28 * 36_000, "{name}");
        let body = f
            .descendants()
            .find(|n| n.tag_name().name() == "bodyPr")
            .unwrap();
        assert_eq!(
            body.attribute("vert"),
            Some("vert"),
            "{name}: turned a quarter clockwise"
        );
        let xml = part(&parts, name);
        assert!(
            xml.contains(" PAGE ") && xml.contains(&format!("<w:jc w:val=\"{jc}\"/>")),
            "{xml}"
        );
    }
    // A portrait-only document has no turned footers.
    let parts = render_with(REPORT, "table:\n  landscape: true\n");
    assert!(parts.iter().all(|(n, _)| n != "word/footer3.xml"));
}

/// Every section's footer references name a part the package holds, and
/// only turned sections take the turned footers: also when the profile's
/// own page is landscape (wider than high), with and without turned tables.
#[test]
fn every_footer_reference_resolves_whatever_the_page_shape() {
    let wide = "page:\n  width_mm: 297\n  height_mm: 210\n  margin_top_mm: 28\n  margin_left_mm: 37\n  text_width_mm: 225\n  text_height_mm: 156\ngrid:\n  lines_per_page: 15\n  chars_per_line: 28\n";
    for (profile, turned_sections) in [
        ("{}\n".to_string(), 0),
        ("table:\n  landscape: true\n".to_string(), 1),
        (wide.to_string(), 0),
        (format!("{wide}table:\n  landscape: true\n"), 1),
    ] {
        let parts = render_with(&report_then_tasks(), &profile);
        let rels = part(&parts, "word/_rels/document.xml.rels");
        let doc = part(&parts, "word/document.xml");
        let d = roxmltree::Document::parse(doc).unwrap();
        let mut turned = 0;
        for s in elements(&d, "sectPr") {
            let ids: Vec<&str> = s
                .children()
                .filter(|c| c.tag_name().name() == "footerReference")
                .map(|c| c.attribute((R, "id")).unwrap())
                .collect();
            assert!(!ids.is_empty(), "{profile}: a section without footers");
            for id in &ids {
                assert!(
                    rels.contains(&format!("Id=\"{id}\"")),
                    "{profile}: {id} not in {rels}"
                );
            }
            turned += usize::from(ids.iter().any(|id| id.ends_with("Turned")));
        }
        assert_eq!(turned, turned_sections, "{profile}");
    }
}

#[test]
fn hostile_text_stays_text_and_bounded() {
    // Markup characters, a control character, 300,000 characters in one paragraph.
    let long = "长".repeat(300_000);
    let md =
        format!("# <w:p>&amp;\n\n正文\u{7}<script>\n\n{long}\n\n| a | b |\n| --- | --- |\n| x |\n");
    let start = std::time::Instant::now();
    let out = render(&parse(&md), &Profile::default(), &DocxOptions::default()).expect("docx");
    eprintln!("300,000 characters: {:?}", start.elapsed());
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let parts = unpack(&out.bytes);
    let doc = part(&parts, "word/document.xml");
    roxmltree::Document::parse(doc).expect("well-formed");
    assert!(doc.contains("&lt;w:p&gt;&amp;<"), "{}", &doc[..600]);
    assert!(doc.contains("正文&lt;script&gt;"));
    assert!(
        out.warnings.iter().any(|w| w.contains("U+0007")),
        "{:?}",
        out.warnings
    );
    // A short row still has every grid cell.
    let d = roxmltree::Document::parse(doc).unwrap();
    let last = elements(&d, "tr").last().unwrap();
    assert_eq!(
        last.children()
            .filter(|n| n.tag_name().name() == "tc")
            .count(),
        2
    );
}

#[test]
fn docx_is_a_default_format_covered_by_the_manifest_and_check() {
    let dir = temp("docx-manifest");
    std::fs::write(dir.join("r.yaml"), "doc: {title: 清单}\nintro: 正文。\n").unwrap();
    let run = |args: &[&str], epoch: &str| {
        let (out, _) = bounded(
            &dir,
            args,
            &[("SOURCE_DATE_EPOCH", epoch)],
            MEMORY_KIB,
            TIME_LIMIT,
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // No --format: all four, the .docx among them.
    let (code, stderr) = run(&["build", "r.yaml", "--out", "all"], "86400");
    assert_eq!(code, Some(0), "{stderr}");
    for ext in ["md", "html", "pdf", "docx"] {
        assert!(dir.join(format!("all/r.{ext}")).is_file(), "no r.{ext}");
    }
    let build = ["build", "r.yaml", "--format", "md,docx", "--out", "o"];
    let check = [
        "build", "r.yaml", "--format", "md,docx", "--out", "o", "--check",
    ];
    let (code, stderr) = run(&build, "86400");
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run(&check, "86400");
    assert_eq!(code, Some(0), "{stderr}");
    // Another SOURCE_DATE_EPOCH is another .docx (its dates): rebuilt.
    let (code, stderr) = run(&build, "1700000000");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    let core = unpack(&std::fs::read(dir.join("o/r.docx")).unwrap())
        .into_iter()
        .find(|(n, _)| n == "docProps/core.xml")
        .unwrap()
        .1;
    assert!(
        core.contains(">2023-11-14T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    let (code, stderr) = run(&check, "1700000000");
    assert_eq!(code, Some(0), "{stderr}");
    // A missing .docx is out of date.
    std::fs::remove_file(dir.join("o/r.docx")).unwrap();
    let (code, stderr) = run(&check, "1700000000");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("r.docx"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn draft_header_and_page_numbers_on_the_right_or_hidden() {
    let draft = REPORT.replacen("---\n", "---\ndraft: true\n", 1);
    let parts = render_with(&draft, "page_number: {placement: right}\n");
    let header = part(&parts, "word/header1.xml");
    assert!(header.contains(">草稿<"), "{header}");
    let doc = part(&parts, "word/document.xml");
    assert!(doc.contains("<w:headerReference w:type=\"default\""));
    assert!(doc.contains("<w:headerReference w:type=\"even\""));
    // Right on every page: one footer, no even pages of their own.
    assert!(part(&parts, "word/footer1.xml").contains("<w:jc w:val=\"right\"/>"));
    assert!(!parts.iter().any(|(n, _)| n == "word/footer2.xml"));
    assert!(!part(&parts, "word/settings.xml").contains("evenAndOddHeaders"));
    // No page numbers: no footer part, no reference to one.
    let parts = render_with(REPORT, "page_number: {show: false}\n");
    assert!(!parts.iter().any(|(n, _)| n.contains("footer")));
    assert!(!part(&parts, "word/document.xml").contains("footerReference"));
    assert!(
        !parts.iter().any(|(n, _)| n.contains("header")),
        "no draft, no header"
    );
}
