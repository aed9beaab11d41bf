//! The 附件说明 (GB/T 9704 7.3.4) of a report with a signature and
//! attachments, in every format: the Markdown line the templates write, the
//! HTML, the PDF text through the real binary (bounded in time and memory,
//! as in `tests/bad_inputs.rs`), and the PDF geometry: one blank line under
//! the body, 2 characters in, further entries under the first number, a
//! long title's wrapped line under its first character.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use zongjie::doc::{Block, parse};
use zongjie::fonts::FontSet;
use zongjie::pdf::layout;
use zongjie::profile::Profile;
use zongjie::render::Templates;

mod common;
use common::temp;

const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

const LONG: &str =
    "2024年全市卫生健康系统深化医药卫生体制改革和推进健康丽水建设重点工作任务分解清单";

fn data(signature: bool, titles: &[&str]) -> String {
    let mut s = format!(
        "doc: {{title: 测试报告, year: 2023, issuer: 丽水市卫生健康委员会, written: \"2024-01-10\", signature: {signature}}}\nintro: 正文第一段。\n"
    );
    if !titles.is_empty() {
        s.push_str("attachments:\n");
    }
    for t in titles {
        s.push_str(&format!("  - {{title: \"{t}\", intro: 见附件。}}\n"));
    }
    s
}

/// Runs the binary in `dir` under the memory limit, asserting the time
/// bound and success.
fn zongjie(dir: &Path, args: &[&str]) {
    let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

fn markdown(src: &str) -> String {
    let templates = Templates::load(None).expect("templates");
    zongjie::build::compile_source(Path::new("r.yaml"), src.as_bytes(), &templates)
        .unwrap_or_else(|d| panic!("{d:#?}"))
        .markdown
}

#[test]
fn markdown_carries_the_note_between_body_and_signature() {
    let md = markdown(&data(true, &["2024年重点工作任务清单", "项目表"]));
    let note = "<!-- zongjie:attachment-note -->\n附件：1. 2024年重点工作任务清单\\\n2. 项目表\n\n<!-- zongjie:signature -->\n丽水市卫生健康委员会\n";
    assert!(md.contains(&format!("正文第一段。\n\n{note}")), "{md}");
    // One attachment: no number, no full stop.
    let md = markdown(&data(true, &["2024年重点工作任务清单"]));
    assert!(
        md.contains("<!-- zongjie:attachment-note -->\n附件：2024年重点工作任务清单\n"),
        "{md}"
    );
    // Without a signature (a report for the web) or attachments: no note.
    assert!(!markdown(&data(false, &["清单"])).contains("附件："));
    assert!(!markdown(&data(true, &[])).contains("附件："));
}

#[test]
fn html_and_pdf_print_the_note() {
    let dir = temp("attachment-note");
    std::fs::write(
        dir.join("r.yaml"),
        data(true, &["2024年重点工作任务清单", "项目表"]),
    )
    .unwrap();
    zongjie(
        &dir,
        &[
            "build",
            "r.yaml",
            "--format",
            "html,pdf",
            "--out",
            "o",
            "--ignore-system-fonts",
        ],
    );
    let html = std::fs::read_to_string(dir.join("o/r.html")).unwrap();
    assert!(
        html.contains("<div class=\"attachment-note\"><span class=\"note-lead\">附件：</span>"),
        "{html}"
    );
    let text: String = zongjie::html::visible_text(&html)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("正文第一段。附件：1.2024年重点工作任务清单2.项目表丽水市卫生健康委员会"),
        "{text}"
    );
    let Ok(out) = Command::new("pdftotext")
        .arg(dir.join("o/r.pdf"))
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext missing: PDF text check skipped");
        return;
    };
    let text: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        text.contains("正文第一段。附件：1.2024年重点工作任务清单2.项目表丽水市卫生健康委员会"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pdf_note_is_indented_and_aligned() {
    let doc = parse(&markdown(&data(true, &[LONG, "项目表"])));
    let note = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::AttachmentNote(_)))
        .expect("a note");
    let profile = Profile::default();
    let l = layout(&doc, &profile, &FontSet::bundled()).expect("layout");
    let page = &l.pages[0];
    let lines: Vec<_> = page.lines.iter().filter(|x| x.block == note).collect();
    assert_eq!(lines.len(), 3, "the long title wraps once, then 2.");
    let body = page.lines.iter().find(|x| x.block == note - 1).unwrap();
    assert_eq!(
        lines[0].grid.unwrap(),
        body.grid.unwrap() + 2,
        "one blank line under the body"
    );
    let pitch = f64::from(profile.char_pitch());
    let left = f64::from(profile.page.margin_left_mm * zongjie::profile::PT_PER_MM);
    let x = |g: &zongjie::pdf::PlacedGlyph| f64::from(g.box_x);
    let first = &lines[0].glyphs;
    assert_eq!(
        lines[0].text().chars().take(5).collect::<String>(),
        "附件：1."
    );
    assert!(
        (x(&first[0]) - (left + 2.0 * pitch)).abs() < 0.5,
        "附 2 characters in: {} vs {}",
        x(&first[0]),
        left + 2.0 * pitch
    );
    // The title's first character, and the wrapped line under it.
    let title_start = first.iter().find(|g| g.ch == '2').unwrap();
    assert!(
        (x(&lines[1].glyphs[0]) - x(title_start)).abs() < 0.5,
        "wrapped line at {} under the title at {}",
        x(&lines[1].glyphs[0]),
        x(title_start)
    );
    // `2.` under `1.`.
    let one = first.iter().find(|g| g.ch == '1').unwrap();
    assert_eq!(lines[2].glyphs[0].ch, '2');
    assert!(
        (x(&lines[2].glyphs[0]) - x(one)).abs() < 0.5,
        "2. at {} under 1. at {}",
        x(&lines[2].glyphs[0]),
        x(one)
    );
    // No full stop after the titles; the signature follows a blank line.
    assert!(!lines.iter().any(|x| x.text().ends_with('。')));
    let sig = page
        .lines
        .iter()
        .find(|x| x.kind == zongjie::pdf::LineKind::Signature)
        .unwrap();
    assert_eq!(sig.grid.unwrap(), lines[2].grid.unwrap() + 2);
}

#[test]
fn hostile_titles_stay_text_and_many_attachments_stay_bounded() {
    let dir = temp("attachment-note-hostile");
    let hostile = [
        "<script>alert(1)</script>",
        "**粗**\\\\反斜杠",
        "1. 列表",
        "# 标题 | 表",
        "<!-- zongjie:signature -->",
    ];
    let long = "很长的附件名称".repeat(5_000);
    let mut titles: Vec<String> = (0..60)
        .map(|i| format!("{}{i}", hostile[i % hostile.len()]))
        .collect();
    titles.push(long);
    let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    std::fs::write(dir.join("r.yaml"), data(true, &refs)).unwrap();
    zongjie(
        &dir,
        &["build", "r.yaml", "--out", "o", "--ignore-system-fonts"],
    );
    let md = std::fs::read_to_string(dir.join("o/r.md")).unwrap();
    let doc = parse(&md);
    let notes: Vec<_> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::AttachmentNote(n) => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].entries.len(), 61);
    assert_eq!(notes[0].entries[0].number, "1. ");
    assert_eq!(notes[0].entries[0].title, "<script>alert(1)</script>0");
    assert_eq!(notes[0].entries[2].title, "1. 列表2");
    assert_eq!(notes[0].entries[4].title, "<!-- zongjie:signature -->4");
    // One signature: the one in a title stayed text.
    let signatures = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Signature(_)))
        .count();
    assert_eq!(signatures, 1);
    let html = std::fs::read_to_string(dir.join("o/r.html")).unwrap();
    assert!(!html.contains("<script>alert"));
    let _ = std::fs::remove_dir_all(&dir);
}
