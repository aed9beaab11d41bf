//! The `.docx` opened by a real office suite: LibreOffice (`soffice
//! --headless --convert-to pdf`, installed by `.ci/run`) converts the
//! bundled examples and a report with signature and date, and `pdftotext`
//! must give back every paragraph of the Markdown in order, at most 22
//! lines on a page, and every line of every task-table cell in its column.
//! Skipped, with a message, where `soffice` or `pdftotext` is absent.
//!
//! The machine may have no CJK fonts: fontconfig is pointed at the
//! repository's bundled faces (official names aliased to them) through a
//! temporary `FONTCONFIG_FILE`, and each run gets a fresh LibreOffice
//! profile. One conversion for all documents, bounded in time.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use zongjie::doc::{Block, Document, parse};

const MEMORY_KIB: u64 = 2 * 1024 * 1024;
const CONVERT_LIMIT: Duration = Duration::from_secs(240);

fn available(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A fontconfig file for the bundled fonts, the official names aliased to them.
fn fontconfig(dir: &Path) -> PathBuf {
    let fonts = root().join("fonts");
    let aliases = [
        ("仿宋_GB2312", "FandolFang"),
        ("楷体_GB2312", "FandolKai"),
        ("黑体", "Noto Sans SC"),
        ("宋体", "Noto Serif SC"),
        ("方正小标宋简体", "Noto Serif SC"),
    ]
    .iter()
    .map(|(a, b)| {
        format!("<alias><family>{a}</family><prefer><family>{b}</family></prefer></alias>")
    })
    .collect::<String>();
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir>{aliases}</fontconfig>\n",
            fonts.display(),
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    conf
}

/// Converts the .docx files to `to` (`pdf`, or `txt:…` for LibreOffice's
/// own reading of the text) in one soffice run, bounded in time.
fn convert(dir: &Path, files: &[PathBuf], to: &str) -> Result<(), String> {
    let conf = fontconfig(dir);
    let mut child = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("lo-profile").display()
        ))
        .args(["--convert-to", to, "--outdir"])
        .arg(dir.join("lo"))
        .args(files)
        .env("FONTCONFIG_FILE", &conf)
        .env("HOME", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("soffice did not start: {e}"))?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            if status.success() {
                return Ok(());
            }
            return Err(format!("soffice failed: {status}"));
        }
        if start.elapsed() > CONVERT_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("soffice took more than {CONVERT_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn pdftotext(args: &[&str], pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext {pdf:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A page number line: `— 3 —`.
fn is_page_number(line: &str) -> bool {
    let t = squeeze(line);
    t.starts_with('—')
        && t.ends_with('—')
        && t.chars().filter(|c| c.is_ascii_digit()).count() >= 1
        && t.chars().all(|c| c == '—' || c.is_ascii_digit())
}

/// The pages of a PDF as its lines (layout mode), page numbers left out,
/// and how many lines each page has.
fn pages(pdf: &Path) -> Vec<Vec<String>> {
    pdftotext(&["-layout"], pdf)
        .split('\u{c}')
        .map(|p| {
            p.lines()
                .filter(|l| !l.trim().is_empty() && !is_page_number(l))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Every paragraph (not table) of the doc tree is found in the text, in order.
/// Sentence marks, which LibreOffice's rendering may leave out where it
/// hangs one past the end of a line (the text export keeps them).
const HANGING_MARKS: &[char] = &['。', '，', '、', '；', '：', '？', '！'];

/// `raw` is the text in reading order, page numbers left out; with
/// `marks` false, sentence marks are compared on neither side.
fn assert_paragraphs_in_order(name: &str, doc: &Document, raw: &str, marks: bool) {
    let keep = |c: &char| marks || !HANGING_MARKS.contains(c);
    let text: String = raw
        .lines()
        .filter(|l| !is_page_number(l))
        .map(squeeze)
        .collect::<String>()
        .chars()
        .filter(keep)
        .collect();
    let mut at = 0;
    let mut found = 0;
    for block in doc.blocks.iter().filter(|b| !matches!(b, Block::Table(_))) {
        let want: String = squeeze(&block.plain_text()).chars().filter(keep).collect();
        if want.is_empty() {
            continue;
        }
        match text[at..].find(&want) {
            Some(i) => {
                at += i + want.len();
                found += 1;
            }
            None => panic!(
                "{name}: paragraph {found} not found after what precedes it: {want}\n--- the text from there:\n{}",
                text[at..].chars().take(400).collect::<String>()
            ),
        }
    }
    assert!(found > 0, "{name}: no paragraphs");
}

/// Words of a PDF with their page and box (`pdftotext -bbox`).
struct Word {
    page: usize,
    x: f64,
    y: f64,
    text: String,
}

fn words(pdf: &Path) -> Vec<Word> {
    let html = pdftotext(&["-bbox"], pdf);
    let mut out = Vec::new();
    let mut page = 0;
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let num = |key: &str| -> f64 {
            let from = rest.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
            let to = from + rest[from..].find('"').unwrap();
            rest[from..to].parse().unwrap()
        };
        let text = rest[rest.find('>').unwrap() + 1..rest.rfind("</word>").unwrap()]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"");
        let (x0, x1) = (num("xMin"), num("xMax"));
        out.push(Word {
            page,
            x: (x0 + x1) / 2.0,
            y: num("yMin"),
            text,
        });
    }
    out
}

/// Column edges of the first table of a .docx, in points from the page's
/// left edge (the table is as wide as the text block).
fn column_edges(docx: &[u8], left_pt: f64) -> Vec<f64> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let mut edges = vec![left_pt];
    for piece in xml.split("<w:gridCol w:w=\"").skip(1) {
        let w: f64 = piece[..piece.find('"').unwrap()].parse().unwrap();
        edges.push(edges.last().unwrap() + w / 20.0);
    }
    edges
}

#[test]
fn libreoffice_gives_back_every_paragraph_line_and_cell() {
    if !available("soffice", "--version") || !available("pdftotext", "-v") {
        eprintln!("skipped: LibreOffice (soffice) or pdftotext is not installed");
        return;
    }
    let dir = temp("docx-libreoffice");
    let mut files = Vec::new();
    for name in ["lishui-2022", "wenzhou-2023-tasks"] {
        let input = root().join("data").join(format!("{name}.yaml"));
        let (out, _) = bounded(
            &dir,
            &[
                "build",
                input.to_str().unwrap(),
                "--out",
                "o",
                "--format",
                "md,docx",
            ],
            &[],
            MEMORY_KIB,
            Duration::from_secs(60),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        files.push(dir.join(format!("o/{name}.docx")));
    }
    // A report with 署名 and 成文日期.
    let report_md = include_str!("fixtures/pdf/report-001.md");
    let report = zongjie::docx::render(
        &parse(report_md),
        &zongjie::profile::Profile::default(),
        &zongjie::docx::DocxOptions::default(),
    )
    .unwrap();
    std::fs::write(dir.join("o/report-001.docx"), &report.bytes).unwrap();
    files.push(dir.join("o/report-001.docx"));
    // The task table on landscape pages.
    let landscape =
        zongjie::profile::parse_profile("table:\n  landscape: true\n", Path::new("profile.yaml"))
            .unwrap();
    let tasks_md = std::fs::read_to_string(dir.join("o/wenzhou-2023-tasks.md")).unwrap();
    let turned = zongjie::docx::render(
        &parse(&tasks_md),
        &landscape,
        &zongjie::docx::DocxOptions::default(),
    )
    .unwrap();
    std::fs::write(dir.join("o/tasks-landscape.docx"), &turned.bytes).unwrap();
    files.push(dir.join("o/tasks-landscape.docx"));
    if let Err(e) = convert(&dir, &files, "pdf") {
        eprintln!("skipped: {e}");
        return;
    }
    if let Err(e) = convert(&dir, &files, "txt:Text (encoded):UTF8") {
        panic!("LibreOffice converted to PDF but not to text: {e}");
    }
    let pdf = |name: &str| dir.join(format!("lo/{name}.pdf"));
    let md = |name: &str| std::fs::read_to_string(dir.join(format!("o/{name}.md"))).unwrap();

    // Body text: every paragraph in order, at most 22 lines on a page.
    for (name, markdown) in [
        ("lishui-2022", md("lishui-2022")),
        ("report-001", report_md.to_string()),
        ("wenzhou-2023-tasks", md("wenzhou-2023-tasks")),
    ] {
        let pages = pages(&pdf(name));
        let doc = parse(&markdown);
        // LibreOffice reads every paragraph back, every mark included …
        let txt = std::fs::read_to_string(dir.join(format!("lo/{name}.txt"))).unwrap();
        assert_paragraphs_in_order(name, &doc, &txt, true);
        // … and prints every character of them in order.
        assert_paragraphs_in_order(name, &doc, &pdftotext(&["-raw"], &pdf(name)), false);
        let lines: Vec<usize> = pages.iter().map(Vec::len).collect();
        eprintln!(
            "{name}: LibreOffice made {} pages, lines per page {lines:?}",
            pages.len()
        );
        if !doc.blocks.iter().any(|b| matches!(b, Block::Table(_))) {
            assert!(
                lines.iter().all(|&n| n <= 22),
                "{name}: more than 22 lines on a page: {lines:?}"
            );
            // Body lines hold 28 characters, as in the PDF: a line laid
            // out as if each glyph needed two grid cells holds about 14.
            let mut filled: Vec<usize> = pages
                .iter()
                .flatten()
                .map(|l| squeeze(l).chars().count())
                .collect();
            filled.sort_unstable();
            let median = filled[filled.len() / 2];
            assert!(
                median >= 26,
                "{name}: body lines hold {median} characters (median), not 28: {filled:?}"
            );
        }
    }

    // Every line of every cell of the task table, in its column, in order.
    let name = "wenzhou-2023-tasks";
    let doc = parse(&md(name));
    let Some(Block::Table(t)) = doc.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
        panic!("no table")
    };
    let left = 28.0 * 72.0 / 25.4;
    let bottom = (37.0 + 225.0) * 72.0 / 25.4;
    let edges = column_edges(&std::fs::read(&files[1]).unwrap(), left);
    assert_eq!(edges.len(), t.header.len() + 1);
    let mut in_table: Vec<Word> = words(&pdf(name))
        .into_iter()
        .filter(|w| w.y < bottom)
        .collect();
    in_table.sort_by(|a, b| {
        (a.page, a.y)
            .partial_cmp(&(b.page, b.y))
            .unwrap()
            .then(a.x.total_cmp(&b.x))
    });
    let mut cells = 0;
    for (c, head) in t.header.iter().enumerate() {
        let column: String = in_table
            .iter()
            .filter(|w| w.x >= edges[c] && w.x < edges[c + 1])
            .map(|w| w.text.as_str())
            .collect();
        // The header repeats on every page: keep its first appearance.
        let head = squeeze(&head.join(""));
        let column = match column.find(&head) {
            Some(i) => format!(
                "{}{}",
                &column[..i + head.len()],
                column[i + head.len()..].replace(&head, "")
            ),
            None => panic!("{name}: header {head} not in column {c}: {column}"),
        };
        let mut at = 0;
        for row in &t.rows {
            for line in row.get(c).into_iter().flatten() {
                let want = squeeze(line);
                if want.is_empty() {
                    continue;
                }
                match column[at..].find(&want) {
                    Some(i) => at += i + want.len(),
                    None => panic!(
                        "{name}: cell line not found in column {c}: {want}\n--- column from there:\n{}",
                        column[at..].chars().take(300).collect::<String>()
                    ),
                }
                cells += 1;
            }
        }
    }
    assert!(cells > 50, "{cells} cell lines");

    // Landscape pages carry the page number where the portrait pages have
    // it once the sheet is turned back: on the left edge (the portrait
    // foot), odd pages at its lower end, even pages at its upper end, and
    // nothing at the landscape page's own foot.
    let (page_w, page_h) = (297.0 * 72.0 / 25.4, 210.0 * 72.0 / 25.4);
    let table_left = 35.0 * 72.0 / 25.4;
    let all = words(&pdf("tasks-landscape"));
    let count = all.iter().map(|w| w.page).max().unwrap_or(0);
    assert!(count >= 2, "{count} landscape pages");
    for page in 1..=count {
        let on: Vec<&Word> = all.iter().filter(|w| w.page == page).collect();
        let mut edge: Vec<&&Word> = on.iter().filter(|w| w.x < table_left).collect();
        edge.sort_by(|a, b| a.y.total_cmp(&b.y));
        let text: String = edge.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            text,
            format!("—{page}—"),
            "page {page}: the left edge holds {text:?}"
        );
        let y = edge[0].y;
        if page % 2 == 1 {
            assert!(
                y > page_h / 2.0,
                "odd page {page}: number at y {y}, not low"
            );
        } else {
            assert!(
                y < page_h / 2.0,
                "even page {page}: number at y {y}, not high"
            );
        }
        let foot: Vec<&str> = on
            .iter()
            .filter(|w| w.y > page_h - 26.0 * 72.0 / 25.4)
            .map(|w| w.text.as_str())
            .collect();
        assert!(
            foot.is_empty(),
            "page {page}: words at the foot: {foot:?} ({page_w} wide)"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
