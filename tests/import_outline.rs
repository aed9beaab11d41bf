//! The outline the importer finds, on transforms of seed 001: signature
//! and date added at the end, an attachment, the 一是 items of a section
//! written as `1.` or `（1）` paragraphs or as `第一，` — each imported
//! (library API), built, and compared with the source paragraph by
//! paragraph.

use std::path::Path;

use zongjie::doc;
use zongjie::render::Templates;

fn seed() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = "001_90e35aa37e5e9a91.txt";
    let candidates = [
        root.join("../shared/seeds").join(name),
        root.join("../../shared/seeds").join(name),
        Path::new("/work/shared/seeds").join(name),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or(&candidates[0]);
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The body paragraphs of `text` (chrome lines of seed 001 left out).
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .skip_while(|l| !l.starts_with("丽水市卫生健康委员会2022年"))
        .filter(|l| !l.starts_with("发布时间"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// Imports `text`, returns the draft and the built paragraphs.
fn round(text: &str) -> (String, Vec<String>) {
    let imported = zongjie::import::import(Path::new("s.txt"), text.as_bytes()).expect("imports");
    let templates = Templates::load(None).unwrap();
    let built = zongjie::build::compile_source(
        Path::new("draft.yaml"),
        imported.yaml.as_bytes(),
        &templates,
    )
    .unwrap_or_else(|d| panic!("{d:#?}\n{}", imported.yaml));
    (
        imported.yaml,
        doc::parse(&built.markdown).plain_paragraphs(),
    )
}

fn assert_same(what: &str, got: &[String], want: &[String]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{what}: paragraph {}", i + 1);
    }
    assert_eq!(got.len(), want.len(), "{what}: paragraph count");
    eprintln!(
        "round trip {what}: {}/{} paragraphs matched",
        want.len(),
        want.len()
    );
}

#[test]
fn signature_date_and_attachment_are_found() {
    let text = format!(
        "{}\n\n丽水市卫生健康委员会\n\n2023年5月19日\n\n附件\n\n2023年卫生健康工作攻坚任务清单\n\n具体任务见各责任单位的分解方案。\n",
        seed().trim_end()
    );
    let (draft, got) = round(&text);
    assert!(
        draft.contains("signature: true") && draft.contains("written: \"2023-05-19\""),
        "{draft}"
    );
    assert!(
        draft.contains("attachments:\n  - title: \"2023年卫生健康工作攻坚任务清单\""),
        "{draft}"
    );
    let mut want = paragraphs(&text);
    // The attachment's label and title come after the signature, as written.
    want.retain(|p| !p.is_empty());
    // A report with a signature and attachments gets the generated 附件说明
    // line between its body and the signature (GB/T 9704 7.3.4).
    let signature = want
        .iter()
        .rposition(|p| p == "丽水市卫生健康委员会")
        .expect("signature");
    want.insert(signature, "附件：2023年卫生健康工作攻坚任务清单".into());
    assert_same(
        "seed 001 with signature, date and an attachment",
        &got,
        &want,
    );
}

/// Section (二)'s 一是…四是 items rewritten as numbered paragraphs.
fn with_block_items(label: fn(usize) -> String) -> String {
    let text = seed();
    let line = text
        .lines()
        .find(|l| l.starts_with("(二)成功争取"))
        .unwrap()
        .to_string();
    let (_, style, items) = zongjie::import::outline::split_enumeration(&line).unwrap();
    assert_eq!(style, zongjie::numbering::Style::Enumeration);
    let at = line.find("一是").unwrap();
    let mut new = line[..at].to_string();
    for (i, item) in items.iter().enumerate() {
        new.push_str("\n\n");
        new.push_str(&label(i + 1));
        new.push_str(item);
    }
    text.replacen(&line, &new, 1)
}

#[test]
fn numbered_paragraphs_become_block_items() {
    for (what, label) in [
        ("1.", (|n| format!("{n}.")) as fn(usize) -> String),
        ("（1）", |n| format!("（{n}）")),
        ("①", |n| zongjie::numbering::Style::Circled.label(n)),
    ] {
        let text = with_block_items(label);
        let (draft, got) = round(&text);
        assert!(
            draft.lines().any(|l| l.starts_with("numbering:")
                && l.contains(&format!("item: {what}}}"))
                || l.contains(&format!("item: \"{what}\"}}")))
                && draft.contains("style: 一是"),
            "{what}: {draft}"
        );
        assert!(
            draft.contains("- lead: 围绕大病重病少出市,推进浙西南区域医疗高地建设"),
            "{draft}"
        );
        assert_same(
            &format!("seed 001 with `{what}` items"),
            &got,
            &paragraphs(&text),
        );
    }
}

#[test]
fn ordinal_enumeration_is_found() {
    let text = seed();
    let line = text
        .lines()
        .find(|l| l.starts_with("(二)成功争取"))
        .unwrap()
        .to_string();
    let new = ["一是", "二是", "三是", "四是"]
        .iter()
        .zip(["第一，", "第二，", "第三，", "第四，"])
        .fold(line.clone(), |l, (a, b)| l.replacen(a, b, 1));
    let text = text.replacen(&line, &new, 1);
    let (draft, got) = round(&text);
    assert!(
        draft.contains("item: 第一，}") && draft.contains("style: 一是"),
        "{draft}"
    );
    assert_same("seed 001 with 第一，… items", &got, &paragraphs(&text));
}

#[test]
fn a_heading_line_without_full_stop_stays_text_with_a_comment() {
    let text = seed().replacen(
        "(一)落实落细疫情防控,牢牢守住底线。",
        "(一)落实落细疫情防控,牢牢守住底线\n\n",
        1,
    );
    let (draft, got) = round(&text);
    assert!(
        draft.contains("# 请核对：这一节的标题行没有句号"),
        "{draft}"
    );
    assert_same(
        "seed 001 with a section heading on its own line",
        &got,
        &paragraphs(&text),
    );
}

#[test]
fn numbered_paragraphs_followed_by_text_keep_their_labels() {
    let text = with_block_items(|n| format!("{n}.")).replacen(
        "(三)努力实现共同富裕",
        "以上工作为下一步打下了基础。\n\n(三)努力实现共同富裕",
        1,
    );
    let imported = zongjie::import::import(Path::new("s.txt"), text.as_bytes()).unwrap();
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.message.contains("kept as text, labels included"))
    );
    let (_, got) = round(&text);
    assert_same(
        "seed 001 with `1.` paragraphs followed by text",
        &got,
        &paragraphs(&text),
    );
}

/// The part and section counts and the leads of a draft.
fn outline_of(draft: &str) -> Vec<(usize, Vec<Option<String>>)> {
    let loaded = zongjie::load::load_bytes(Path::new("d.yaml"), draft.as_bytes())
        .unwrap_or_else(|e| panic!("{e:#?}"));
    loaded
        .data
        .parts
        .iter()
        .map(|p| {
            (
                p.sections.len(),
                p.sections
                    .iter()
                    .map(|s| s.lead.as_ref().map(|l| l.value.clone()))
                    .collect(),
            )
        })
        .collect()
}

/// Seed 001 with its part labels 一、 二、 taken off: the theme line before
/// each （一） is the heading of an unnumbered part, the outline (parts,
/// sections, leads) stays the source's.
#[test]
fn unnumbered_part_headings_before_sections_are_parts() {
    let text = seed()
        .replacen("一、2022年卫生健康工作总结", "2022年卫生健康工作总结", 1)
        .replacen("二、2023年卫生健康工作要点", "2023年卫生健康工作要点", 1);
    let (draft, got) = round(&text);
    let (labelled, _) = round(&seed());
    assert!(
        draft.contains("numbering: {part: 无, section: (一)"),
        "{draft}"
    );
    assert!(
        draft.contains("# 请核对：源文件这一部分的标题没有编号"),
        "{draft}"
    );
    assert_eq!(outline_of(&draft), outline_of(&labelled));
    assert_eq!(outline_of(&draft).len(), 2);
    assert_same("seed 001 without part labels", &got, &paragraphs(&text));
}

/// Seed 001 with every section's label taken off and its lead sentence on
/// a line of its own (a bold theme line before its paragraph, as many
/// reports print them): unnumbered sections, 6 and 8 as in the source.
#[test]
fn unlabelled_theme_lines_are_unnumbered_sections() {
    let mut text = String::new();
    for line in seed().lines() {
        let label = zongjie::import::outline::label_at(
            line,
            &[zongjie::numbering::Style::ChineseParenAscii],
        );
        match label {
            Some((_, _, len)) => {
                let (head, rest) = line[len..].split_once('。').unwrap();
                text.push_str(&format!("{head}\n\n{rest}\n"));
            }
            None => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    let (draft, got) = round(&text);
    assert!(draft.contains("numbering: {section: 无}"), "{draft}");
    assert!(
        draft.contains("item: 一是") && draft.contains("items:"),
        "{draft}"
    );
    assert!(
        draft.contains("# 请核对：这一部分的小标题没有编号"),
        "{draft}"
    );
    let outline = outline_of(&draft);
    assert_eq!(
        outline.iter().map(|p| p.0).collect::<Vec<_>>(),
        [6, 8],
        "{draft}"
    );
    assert_same(
        "seed 001 with unlabelled theme lines",
        &got,
        &paragraphs(&text),
    );
}

/// Short lines that are not headings (a list of names, a line per
/// sentence) are not taken for themes.
#[test]
fn short_lines_that_are_not_themes_stay_paragraphs() {
    let text = "某单位2024年工作总结\n\n张三\n\n李四\n\n今年完成了任务。\n\n王五\n\n赵六\n";
    let (draft, got) = round(text);
    assert!(!draft.contains("parts:"), "{draft}");
    assert_same("names on lines", &got, &paragraphs_all(text));
}

fn paragraphs_all(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Seed 001 with no labels at all (parts and sections): the two part
/// headings are found as unnumbered parts, their paragraphs kept in order.
#[test]
fn a_report_without_labels_keeps_its_part_headings() {
    let mut text = String::new();
    for line in seed().lines() {
        let label = zongjie::import::outline::label_at(
            line,
            &[
                zongjie::numbering::Style::ChineseParenAscii,
                zongjie::numbering::Style::ChineseComma,
            ],
        );
        text.push_str(&line[label.map_or(0, |l| l.2)..]);
        text.push('\n');
    }
    let (draft, got) = round(&text);
    assert!(draft.contains("numbering: {part: 无"), "{draft}");
    let loaded = zongjie::load::load_bytes(Path::new("d.yaml"), draft.as_bytes()).unwrap();
    let titles: Vec<String> = loaded
        .data
        .parts
        .iter()
        .map(|p| p.title.as_ref().unwrap().value.clone())
        .collect();
    assert_eq!(titles, ["2022年卫生健康工作总结", "2023年卫生健康工作要点"]);
    assert_same("seed 001 without any labels", &got, &paragraphs(&text));
}
