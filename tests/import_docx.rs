//! `zongjie import` of a `.docx`: one written by LibreOffice from seed 001's
//! text (when `soffice` is installed; skipped with a message otherwise), and
//! a small one built here whose 一、 and （一） labels live only in
//! `numbering.xml`, with a task table as a Word table.

mod import_support;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use import_support::*;

#[test]
fn docx_written_by_libreoffice_round_trips() {
    let dir = temp("import-docx-lo");
    std::fs::write(dir.join("report.txt"), seed("001_90e35aa37e5e9a91.txt")).unwrap();
    let converted = Command::new("soffice")
        .args(["--headless", "--convert-to", "docx", "--outdir"])
        .arg(&dir)
        .arg(dir.join("report.txt"))
        .env("HOME", &dir)
        .output();
    match converted {
        Ok(out) if out.status.success() && dir.join("report.docx").exists() => {}
        Ok(out) => {
            eprintln!(
                "skipped: soffice could not convert: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        Err(e) => {
            eprintln!("skipped: soffice is not installed ({e})");
            return;
        }
    }
    let bytes = std::fs::read(dir.join("report.docx")).unwrap();
    let (got, notes) = import_and_build("docx-lo2", "report.docx", &bytes);
    assert_round_trip("seed 001 as .docx (LibreOffice)", &got, &lishui_expected());
    assert_eq!(got.len(), lishui_expected().len(), "{notes}");
    // The ASCII punctuation is reported at the paragraph Word shows: the
    // title is paragraph 1 of the text file's non-blank lines.
    assert!(
        notes.contains("ASCII punctuation") && notes.contains("(in Word: paragraph "),
        "{notes}"
    );
}

/// Damage in a .docx is located by the paragraph as Word shows it (its
/// number among the paragraphs with text and how it starts), a table cell
/// by table, row and column, not by a line of the extracted text.
#[test]
fn damage_in_a_docx_is_located_by_paragraph_and_cell() {
    let row = |cells: &[&[&str]]| {
        format!(
            "<w:tr>{}</w:tr>",
            cells.iter().map(|c| cell(c)).collect::<String>()
        )
    };
    let table = format!(
        "<w:tbl>{}{}</w:tbl>",
        row(&[
            &["序号"],
            &["项目名称"],
            &["目标"],
            &["举措"],
            &["责任单位"]
        ]),
        row(&[
            &["1"],
            &["医学高峰建设"],
            &["新增三甲 医院1家。"],
            &["推动创建。"],
            &["*市卫健委"]
        ]),
    );
    let body = [
        para("某市卫生健康委员会2024年工作总结", None),
        String::new(),
        para("", None),
        para("上半年，我委坚持以人民健康为中心。", None),
        para("各项工作稳步 推进，成效明显。", None),
        table,
    ]
    .concat();
    let dir = temp("import-docx-places");
    std::fs::write(dir.join("r.docx"), docx(&body)).unwrap();
    let (code, notes) = run(&dir, &["import", "r.docx", "-o", "d.yaml"]);
    assert_eq!(code, 0, "{notes}");
    assert!(
        notes.contains("r.docx:3:7")
            && notes.contains("(in Word: paragraph 3, “各项工作稳步 推进，成效…”)")
            && notes.contains("3 | 各项工作稳步 推进，成效明显。"),
        "{notes}"
    );
    assert!(
        notes.contains("(in Word: table 1, row 2, column 3, “新增三甲 医院1家。”)")
            && notes.contains("r.docx:11:5"),
        "{notes}"
    );
}

fn para(text: &str, num: Option<(u32, u32)>) -> String {
    let num_pr = num.map_or(String::new(), |(id, lvl)| {
        format!(
            r#"<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#
        )
    });
    format!(r#"<w:p>{num_pr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
}

fn cell(lines: &[&str]) -> String {
    let ps: String = lines.iter().map(|l| para(l, None)).collect();
    format!("<w:tc>{ps}</w:tc>")
}

/// A .docx package holding `body` and a numbering part: list 1 is 一、 /
/// （一） (chineseCounting, levels 0 and 1).
fn docx(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let numbering = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="7"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num></w:numbering>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
        ),
        ("word/document.xml", document.as_str()),
        ("word/numbering.xml", numbering),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn numbering_kept_in_numbering_xml_is_reconstructed() {
    let body = [
        para(
            "某市卫生健康委员会2024年上半年工作总结和下半年工作思路",
            None,
        ),
        para("上半年，我委坚持以人民健康为中心，各项工作稳步推进。", None),
        para("上半年工作总结", Some((1, 0))),
        para(
            "强化疫情防控。全面落实常态化防控措施，守住了不发生规模性疫情的底线。",
            Some((1, 1)),
        ),
        para(
            "深化医改。一是推进分级诊疗，县域就诊率达90%。二是完善医保支付，试点按病种付费。",
            Some((1, 1)),
        ),
        para("下半年工作思路", Some((1, 0))),
        para("持续提升服务能力。推进三甲医院创建。", Some((1, 1))),
    ]
    .concat();
    let dir = temp("import-docx-numbering");
    std::fs::write(dir.join("half.docx"), docx(&body)).unwrap();
    let (code, notes) = run(&dir, &["import", "half.docx", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{notes}");
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    for want in [
        "genre: 半年总结和计划",
        "half: 1",
        "year: 2024",
        "- title: 上半年工作总结",
        "- lead: 强化疫情防控",
        "- lead: 深化医改",
        "- 推进分级诊疗，县域就诊率达90%。",
        "numbering: {part: 一、, section: （一）, item: 一是}",
    ] {
        assert!(draft.contains(want), "missing `{want}` in\n{draft}");
    }
    let expected: Vec<String> = [
        "某市卫生健康委员会2024年上半年工作总结和下半年工作思路",
        "上半年，我委坚持以人民健康为中心，各项工作稳步推进。",
        "一、上半年工作总结",
        "（一）强化疫情防控。全面落实常态化防控措施，守住了不发生规模性疫情的底线。",
        "（二）深化医改。一是推进分级诊疗，县域就诊率达90%。二是完善医保支付，试点按病种付费。",
        "二、下半年工作思路",
        "（一）持续提升服务能力。推进三甲医院创建。",
    ]
    .map(String::from)
    .to_vec();
    let (got, _) = import_and_build("docx-numbering2", "half.docx", &docx(&body));
    assert_round_trip("hand-built .docx with numbering.xml", &got, &expected);
}

#[test]
fn word_table_becomes_a_task_table() {
    let row = |cells: &[&[&str]]| {
        format!(
            "<w:tr>{}</w:tr>",
            cells.iter().map(|c| cell(c)).collect::<String>()
        )
    };
    let table = format!(
        "<w:tbl>{}{}{}</w:tbl>",
        row(&[
            &["序号"],
            &["项目名称"],
            &["2024年攻坚目标"],
            &["攻坚举措"],
            &["责任单位"]
        ]),
        row(&[
            &["1"],
            &["医学高峰建设"],
            &["①新增三甲医院1家。", "②促进扩容。"],
            &["推动创建三甲专科医院。"],
            &["*市卫健委、市发改委"]
        ]),
        row(&[
            &["2"],
            &["县域医疗强化"],
            &["新增三级医院1家。"],
            &["①实施专项行动；", "②推进“山海”提升工程。"],
            &["各县（市、区）人民政府"]
        ]),
    );
    let body = format!("{}{table}", para("2024年卫生健康工作攻坚任务清单", None));
    let (got, notes) = import_and_build("docx-table", "tasks.docx", &docx(&body));
    let expected: Vec<String> = [
        "2024年卫生健康工作攻坚任务清单",
        "序号\t项目名称\t2024年攻坚目标\t攻坚举措\t责任单位",
        "1\t医学高峰建设\t①新增三甲医院1家。②促进扩容。\t推动创建三甲专科医院。\t*市卫健委、市发改委",
        "2\t县域医疗强化\t新增三级医院1家。\t①实施专项行动；②推进“山海”提升工程。\t各县（市、区）人民政府",
    ]
    .map(String::from)
    .to_vec();
    assert_round_trip("hand-built .docx with a Word table", &got, &expected);
    assert!(notes.contains("no lead unit"), "{notes}");
}

#[test]
fn broken_docx_is_a_clear_error() {
    let dir = temp("import-docx-broken");
    let mut bytes = docx(&para("正文", None));
    let at = bytes.len() / 2;
    bytes.truncate(at);
    std::fs::write(dir.join("cut.docx"), &bytes).unwrap();
    let (code, err) = run(&dir, &["import", "cut.docx"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cut.docx") && (err.contains("zip") || err.contains("docx")),
        "{err}"
    );
    let _ = Path::new("unused");
}
