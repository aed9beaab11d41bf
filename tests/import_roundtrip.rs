//! The test of `zongjie import`: a clean source, imported and built with
//! `build --format md`, gives back every paragraph of the source in order,
//! character for character. Inputs are the two real seeds, the example data
//! rendered to text, and transforms of them (GBK, UTF-16, lines split
//! mid-word, web-page chrome added, mojibake injected) — never idealised text.
//! Each test prints `round trip NAME: matched/total`.

mod import_support;

use std::path::Path;

use import_support::*;

#[test]
fn seed_001_web_page_round_trips() {
    let (got, notes) = import_and_build("s1", "001.txt", &seed("001_90e35aa37e5e9a91.txt"));
    assert_round_trip(
        "seed 001 (web page, ASCII punctuation)",
        &got,
        &lishui_expected(),
    );
    assert_eq!(
        got.len(),
        lishui_expected().len(),
        "nothing added: {got:#?}"
    );
    assert!(notes.contains("ASCII punctuation"), "{notes}");
    assert!(
        !notes.contains("当前位置"),
        "chrome is dropped, not reported: {notes}"
    );
}

#[test]
fn seed_001_draft_keeps_outline_and_metadata() {
    let dir = temp("import-outline");
    std::fs::write(dir.join("001.txt"), seed("001_90e35aa37e5e9a91.txt")).unwrap();
    let (code, notes) = run(&dir, &["import", "001.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{notes}");
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    assert!(
        draft.starts_with("# yaml-language-server: $schema="),
        "{draft}"
    );
    for want in [
        "index_no: \"11332500MB1960337R/2023-43840\"",
        "doc_no: 丽卫〔2023〕46号",
        "written: \"2023-05-19\"",
        "issuer: 丽水市卫生健康委员会",
        "year: 2022",
        "genre: 年度总结和要点",
        "numbering: {part: 一、, section: (一), item: 一是}",
        "- lead: 落实落细疫情防控,牢牢守住底线",
        "- lead: 以党建为统领,着力开创卫生健康综合治理新局面",
    ] {
        assert!(draft.contains(want), "missing `{want}` in\n{draft}");
    }
    let loaded = zongjie::load::load(&dir.join("draft.yaml")).expect("the draft loads");
    let parts = &loaded.data.parts;
    assert_eq!(parts.len(), 2);
    assert_eq!((parts[0].sections.len(), parts[1].sections.len()), (6, 8));
    assert!(parts[1].intro.is_some(), "part 二 keeps its intro");
    let body: String = draft
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.starts_with("numbering:"))
        .collect();
    assert!(
        !body.contains("(一)") && !body.contains("一是围绕"),
        "labels removed"
    );
}

#[test]
fn seed_002_task_table_round_trips() {
    let (got, notes) = import_and_build("s2", "002.txt", &seed("002_cb932b672b738f31.txt"));
    assert_round_trip(
        "seed 002 (tab-extracted task table)",
        &got,
        &wenzhou_expected(),
    );
    assert!(
        notes.contains("no lead unit"),
        "row 3 has no lead unit: {notes}"
    );
}

#[test]
fn example_data_rendered_to_text_round_trips() {
    for data in ["data/lishui-2022.yaml", "data/wenzhou-2023-tasks.yaml"] {
        let (text, expected) = rendered_text(data);
        let name = Path::new(data)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let (got, notes) = import_and_build(&name, &format!("{name}.txt"), text.as_bytes());
        assert_round_trip(&format!("{data} rendered to text"), &got, &expected);
        assert_eq!(got.len(), expected.len(), "{notes}");
    }
}

/// Seed 001 with its lines as GBK, UTF-16 (both byte orders) and UTF-8 with BOM.
#[test]
fn seed_001_in_other_encodings_round_trips() {
    let text = String::from_utf8(seed("001_90e35aa37e5e9a91.txt")).unwrap();
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    for (what, bytes) in [
        ("GBK", gbk.into_owned()),
        ("UTF-16LE", le),
        ("UTF-16BE", be),
        ("UTF-8 BOM CRLF", bom),
    ] {
        let (got, _) = import_and_build(&what.replace(' ', "-"), "001.txt", &bytes);
        assert_round_trip(&format!("seed 001 as {what}"), &got, &lishui_expected());
    }
}

/// Seed 001 with every paragraph longer than 60 characters wrapped mid-word at 37 (as
/// a column layout or an e-mail does), blank lines still between paragraphs.
#[test]
fn seed_001_with_wrapped_lines_round_trips() {
    let text = String::from_utf8(seed("001_90e35aa37e5e9a91.txt")).unwrap();
    let mut wrapped = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let width = if chars.len() > 60 {
            37
        } else {
            chars.len().max(1)
        };
        for (i, chunk) in chars.chunks(width).enumerate() {
            if i > 0 {
                wrapped.push('\n');
            }
            wrapped.extend(chunk);
        }
        wrapped.push('\n');
    }
    let (got, _) = import_and_build("wrapped", "001.txt", wrapped.as_bytes());
    assert_round_trip(
        "seed 001 wrapped every 37 characters",
        &got,
        &lishui_expected(),
    );
}

/// The example task table rendered to text, with a web page's chrome around it.
#[test]
fn chrome_added_to_rendered_data_is_dropped() {
    let (text, expected) = rendered_text("data/lishui-2022.yaml");
    let page = format!(
        "当前位置：首页 > 政务公开 > 规划计划\n【字体：大 中 小】\n索引号：001008003/2024-00012   文号：丽卫〔2024〕3号\n发布机构：丽水市卫生健康委员会  成文日期：2024年01月05日  公开方式：主动公开\n发布时间：2024-01-08 09:30  浏览次数：123  信息来源：市卫生健康委\n{text}【打印本页】【关闭窗口】\n"
    );
    let dir = temp("import-chrome");
    std::fs::write(dir.join("page.txt"), &page).unwrap();
    let (code, notes) = run(&dir, &["import", "page.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{notes}");
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    for want in [
        "index_no: \"001008003/2024-00012\"",
        "doc_no: 丽卫〔2024〕3号",
        "written: \"2024-01-05\"",
        "published: \"2024-01-08 09:30\"",
        "source: 市卫生健康委",
    ] {
        assert!(draft.contains(want), "missing `{want}`:\n{draft}");
    }
    let (got, _) = import_and_build("chrome2", "page.txt", page.as_bytes());
    assert_round_trip("data/lishui-2022.yaml as a web page", &got, &expected);
    assert_eq!(got.len(), expected.len(), "chrome left in: {got:#?}");
}

/// Seed 001 with one run of its text turned into GBK-read-as-Latin-1
/// mojibake: repaired, round-trips, and the repair is reported at its line.
#[test]
fn mojibake_is_repaired_and_located() {
    let text = String::from_utf8(seed("001_90e35aa37e5e9a91.txt")).unwrap();
    let run_text = "全面加强党建引领,工作保障不断强化";
    let (gbk, _, _) = encoding_rs::GBK.encode("全面加强党建引领");
    let moji: String = gbk.iter().map(|&b| b as char).collect();
    let damaged = text.replacen("全面加强党建引领", &moji, 1);
    assert_ne!(damaged, text);
    let line = text.lines().position(|l| l.contains(run_text)).unwrap() + 1;
    let (got, notes) = import_and_build("moji", "001.txt", damaged.as_bytes());
    assert_round_trip("seed 001 with a mojibake run", &got, &lishui_expected());
    assert!(
        notes.contains("misread as Latin-1") && notes.contains(&format!("001.txt:{line}:4")),
        "{notes}"
    );
}

/// The task table's year comes from its header (`2023年攻坚目标`) when the
/// source has no title; other wordings of the header map by their words,
/// and a header in another order is refused rather than mislabelled.
#[test]
fn task_table_year_and_columns_come_from_its_header() {
    let text = String::from_utf8(seed("002_cb932b672b738f31.txt")).unwrap();
    let dir = temp("import-task-year");
    std::fs::write(dir.join("002.txt"), &text).unwrap();
    let (code, notes) = run(&dir, &["import", "002.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{notes}");
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    assert!(draft.contains("\n  year: 2023\n"), "{draft}");

    let reworded = text
        .replacen("2023年攻坚目标", "2024年底前完成目标", 1)
        .replacen("攻坚举措", "主要措施", 1)
        .replacen("责任单位", "牵头单位", 1);
    let (got, _) = import_and_build("task-reworded", "t.txt", reworded.as_bytes());
    let mut expected = wenzhou_expected();
    expected[0] = "序号\t项目名称\t2024年底前完成目标\t主要措施\t牵头单位".to_string();
    assert_round_trip("seed 002 with a reworded header", &got, &expected);
    std::fs::write(dir.join("r.txt"), &reworded).unwrap();
    let (code, notes) = run(&dir, &["import", "r.txt", "-o", "r.yaml"]);
    assert_eq!(code, 0, "{notes}");
    let draft = std::fs::read_to_string(dir.join("r.yaml")).unwrap();
    assert!(draft.contains("\n  year: 2024\n"), "{draft}");

    let swapped = text
        .replacen("2023年攻坚目标", "@@", 1)
        .replacen("攻坚举措", "2023年攻坚目标", 1)
        .replacen("@@", "攻坚举措", 1);
    std::fs::write(dir.join("s.txt"), &swapped).unwrap();
    let (code, notes) = run(&dir, &["import", "s.txt", "-o", "s.yaml"]);
    assert_eq!(code, 0, "{notes}");
    assert!(
        notes.contains("reads as the 攻坚举措 column") && notes.contains("s.txt:3:"),
        "{notes}"
    );
    let draft = std::fs::read_to_string(dir.join("s.yaml")).unwrap();
    assert!(!draft.contains("\ntasks:"), "{draft}");
}
