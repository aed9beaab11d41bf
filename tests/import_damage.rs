//! Damage in a source, made by transforming seed 001: each finding is a
//! note at the source line, repairs are exact where the bytes allow, and
//! what is not repaired is kept as published.

mod import_support;

use import_support::*;

fn seed_text() -> String {
    String::from_utf8(seed("001_90e35aa37e5e9a91.txt")).unwrap()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn skipped_part_number_keeps_its_number() {
    let text = seed_text().replace("二、2023年卫生健康工作要点", "三、2023年卫生健康工作要点");
    let line = line_of(&text, "三、2023年");
    let dir = temp("import-skip");
    std::fs::write(dir.join("s.txt"), &text).unwrap();
    let (code, notes) = run(&dir, &["import", "s.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{notes}");
    assert!(
        notes.contains(&format!("s.txt:{line}:1")) && notes.contains("part 二 is missing"),
        "{notes}"
    );
    let draft = std::fs::read_to_string(dir.join("draft.yaml")).unwrap();
    assert!(draft.contains("- omitted: true   # 请核对"), "{draft}");
    let expected: Vec<String> = lishui_expected()
        .into_iter()
        .map(|p| p.replace("二、2023年卫生健康工作要点", "三、2023年卫生健康工作要点"))
        .collect();
    let (got, _) = import_and_build("skip2", "s.txt", text.as_bytes());
    assert_round_trip("seed 001 with part 二 numbered 三", &got, &expected);
}

#[test]
fn skipped_section_number_keeps_its_number() {
    let text = seed_text().replacen("(三)努力实现共同富裕", "(四)努力实现共同富裕", 1);
    let text = text.replacen("(四)创新推进数字化改革", "(五)创新推进数字化改革", 1);
    let text = text.replacen("(五)超常规推进", "(六)超常规推进", 1);
    let text = text.replacen("(六)全面加强党建引领", "(七)全面加强党建引领", 1);
    let line = line_of(&text, "(四)努力实现共同富裕");
    let (got, notes) = import_and_build("skip-section", "s.txt", text.as_bytes());
    assert!(
        notes.contains(&format!("s.txt:{line}:1")) && notes.contains("section (三) is missing"),
        "{notes}"
    );
    let expected: Vec<String> = text
        .lines()
        .skip(5)
        .filter(|l| !l.trim().is_empty() && !l.starts_with("发布时间"))
        .map(String::from)
        .collect();
    assert_round_trip("seed 001 with section (三) skipped", &got, &expected);
}

/// The last 40 characters as GBK read as Latin-1, one byte lost in the
/// middle: repaired but for the broken character, reported at the line.
#[test]
fn mojibake_tail_with_a_lost_byte_is_repaired_and_located() {
    let text = seed_text();
    let last = text
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap()
        .to_string();
    let cut = last.char_indices().rev().nth(39).unwrap().0;
    let tail = &last[cut..];
    assert!(
        tail.chars().take(21).all(|c| !c.is_ascii()),
        "a tail without ASCII: {tail}"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(tail);
    let mut bytes = gbk.into_owned();
    bytes.remove(41); // the second byte of the 21st character
    let moji: String = bytes.iter().map(|&b| b as char).collect();
    let damaged = text.replacen(&last, &format!("{}{moji}", &last[..cut]), 1);
    let line = line_of(&text, &last[..cut]);
    let (got, notes) = import_and_build("moji-tail", "s.txt", damaged.as_bytes());
    assert!(
        notes.contains("misread as Latin-1") && notes.contains("one byte was lost"),
        "{notes}"
    );
    assert!(notes.contains(&format!("s.txt:{line}:")), "{notes}");
    let mut expected = lishui_expected();
    let n = matched(
        "seed 001 with a mojibake tail and a lost byte",
        &got,
        &expected,
    );
    assert_eq!(n, expected.len() - 1, "all but the damaged paragraph");
    // Which of two neighbouring characters lost the byte is not always
    // knowable from the bytes: the repair may break the one before it.
    let want: Vec<char> = expected.pop().unwrap().chars().collect();
    let have: Vec<char> = got.last().unwrap().chars().collect();
    assert_eq!(have.len(), want.len(), "{have:?}");
    let wrong: Vec<usize> = (0..want.len()).filter(|&i| have[i] != want[i]).collect();
    assert!(
        wrong.len() <= 2 && wrong.windows(2).all(|w| w[1] == w[0] + 1),
        "{wrong:?}"
    );
    assert_eq!(have.iter().filter(|c| **c == '\u{FFFD}').count(), 1);
    assert!(wrong.iter().any(|&i| have[i] == '\u{FFFD}'));
    let _ = tail;
}

#[test]
fn repeated_passage_is_left_out_with_a_note() {
    let text = seed_text();
    let first = text
        .lines()
        .find(|l| l.starts_with("(一)落实落细"))
        .unwrap();
    let repeat = first.chars().skip(20).take(120).collect::<String>();
    let damaged = text.replacen(
        "\n\n(二)成功争取示范项目",
        &format!("\n\n{repeat}\n\n(二)成功争取示范项目"),
        1,
    );
    let line = damaged.lines().position(|l| l == repeat).unwrap() + 1;
    let (got, notes) = import_and_build("repeat", "s.txt", damaged.as_bytes());
    assert!(
        notes.contains("only repeats text of line 13")
            && notes.contains(&format!("s.txt:{line}:1")),
        "{notes}"
    );
    assert_round_trip("seed 001 with a repeated passage", &got, &lishui_expected());
    assert_eq!(got.len(), lishui_expected().len());
}

/// Spaces between Chinese characters (OCR, column wraps) and stray
/// characters are listed, not changed.
#[test]
fn ocr_spaces_and_stray_characters_are_listed_not_changed() {
    let text = seed_text().replacen("主动谋划,积极作为", "主动 谋划,积极\u{FFFD}作为", 1);
    let line = line_of(&text, "主动 谋划");
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .position(|c| c == ' ')
        .unwrap()
        + 1;
    let (got, notes) = import_and_build("ocr", "s.txt", text.as_bytes());
    assert!(
        notes.contains(&format!("s.txt:{line}:{col}"))
            && notes.contains("space between two Chinese"),
        "{notes}"
    );
    assert!(notes.contains("stray character U+FFFD"), "{notes}");
    let expected: Vec<String> = lishui_expected()
        .into_iter()
        .map(|p| p.replacen("主动谋划,积极作为", "主动 谋划,积极\u{FFFD}作为", 1))
        .collect();
    assert_round_trip(
        "seed 001 with OCR spaces and a stray character",
        &got,
        &expected,
    );
}

/// One paragraph a line (no blank lines), then the same with a paragraph
/// split mid-word: the split is reported at its line and kept.
#[test]
fn line_per_paragraph_text_and_a_mid_word_split() {
    let clean =
        std::fs::read_to_string(common::root().join("tests/fixtures/seeds/lishui-2022.txt"))
            .unwrap();
    let (got, _) = import_and_build("lines", "clean.txt", clean.as_bytes());
    assert_round_trip(
        "seed 001's clean text, a paragraph a line",
        &got,
        &lishui_expected(),
    );
    let para = clean
        .lines()
        .find(|l| l.starts_with("(二)成功争取"))
        .unwrap();
    let at = para.char_indices().nth(60).unwrap().0;
    let split = clean.replacen(para, &format!("{}\n{}", &para[..at], &para[at..]), 1);
    let line = line_of(&split, &para[..at]) + 1;
    let (got, notes) = import_and_build("lines-split", "split.txt", split.as_bytes());
    assert!(
        notes.contains(&format!("split.txt:{line}:1")) && notes.contains("split mid-word"),
        "{notes}"
    );
    matched(
        "seed 001's clean text with a paragraph split mid-word",
        &got,
        &lishui_expected(),
    );
}
