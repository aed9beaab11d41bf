//! The profile option `text.ascii_punctuation: full-width`, through the real
//! binary: the bundled 丽水 report (ASCII marks from its source) comes out
//! with no ASCII `, ; : ? ! ( )` between Chinese characters in its Markdown,
//! HTML and PDF, and without the option nothing changes; the same option in
//! the data file (`text:`, as the shipped example sets it) converts them and
//! silences `check`. Each run is bounded in time and memory (as in
//! `tests/bad_inputs.rs`).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;
use common::{root, temp};

const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// Runs the binary in `dir` under the memory limit, asserting the time
/// bound and success; returns stderr.
fn zongjie(dir: &Path, args: &[&str]) -> String {
    let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stderr
}

/// The shipped 丽水 example as published: without its own `text:` option
/// and with the source's `(一)` labels.
fn lishui_as_published(dir: &Path) {
    let data = std::fs::read_to_string(root().join("data/lishui-2022.yaml")).unwrap();
    let option = "text: {ascii_punctuation: full-width}\n";
    assert!(data.contains(option), "the example sets the option");
    let data = data
        .replace(option, "")
        .replace("section: （一）", "section: (一)");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/lishui-2022.yaml"), data).unwrap();
}

fn is_chinese(c: char) -> bool {
    zongjie::text::is_cjk(c) || "“”‘’".contains(c)
}

/// ASCII `, ; : ? ! ( )` with a Chinese character on both sides.
fn ascii_between_chinese(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .filter(|w| ",;:?!()".contains(w[1]) && is_chinese(w[0]) && is_chinese(w[2]))
        .map(|w| w.iter().collect())
        .collect()
}

/// ASCII marks with a Chinese character on at least one side.
fn ascii_next_to_chinese(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            ",;:?!()".contains(chars[i])
                && ((i > 0 && is_chinese(chars[i - 1]))
                    || chars.get(i + 1).is_some_and(|&c| is_chinese(c)))
        })
        .count()
}

#[test]
fn full_width_option_converts_the_lishui_report_in_every_format() {
    let dir = temp("ascii-punct");
    lishui_as_published(&dir);
    let args = |out: &'static str| {
        [
            "build",
            "data",
            "--format",
            "md,html",
            "--out",
            out,
            "--ignore-system-fonts",
        ]
    };
    // Without the option the text is as typed: hundreds of ASCII marks.
    zongjie(&dir, &args("keep"));
    let kept = std::fs::read_to_string(dir.join("keep/lishui-2022.md")).unwrap();
    let before = ascii_between_chinese(&kept).len();
    assert!(before > 400, "{before}");
    assert!(kept.contains("*(一)落实落细疫情防控,牢牢守住底线*"));

    // The profile next to the data turns them full-width.
    std::fs::write(
        dir.join("data/profile.yaml"),
        "text: {ascii_punctuation: full-width}\n",
    )
    .unwrap();
    zongjie(&dir, &args("full"));
    let md = std::fs::read_to_string(dir.join("full/lishui-2022.md")).unwrap();
    assert_eq!(ascii_between_chinese(&md), Vec::<String>::new());
    assert_eq!(ascii_next_to_chinese(&md), 0);
    assert!(
        md.contains("*（一）落实落细疫情防控，牢牢守住底线*"),
        "{md}"
    );
    // Numbers keep their ASCII marks.
    assert!(md.contains("1+4+8+N"));
    let html = std::fs::read_to_string(dir.join("full/lishui-2022.html")).unwrap();
    let text = zongjie::html::visible_text(&html);
    assert_eq!(ascii_between_chinese(&text), Vec::<String>::new());
    assert!(
        text.contains("（一）落实落细疫情防控，牢牢守住底线。"),
        "{text}"
    );
    eprintln!(
        "丽水 Markdown: {before} ASCII marks between Chinese characters kept, {} with full-width",
        ascii_between_chinese(&md).len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn full_width_option_reaches_the_pdf() {
    let dir = temp("ascii-punct-pdf");
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试报告, year: 2022, issuer: 某委}\nintro: \"2022年,全市共3,000人(含12:30到岗者)参加;成效明显!\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("zongjie.toml"),
        "[text]\nascii_punctuation = \"full-width\"\n",
    )
    .unwrap();
    zongjie(
        &dir,
        &[
            "build",
            "r.yaml",
            "--format",
            "pdf",
            "--out",
            "o",
            "--ignore-system-fonts",
        ],
    );
    let Ok(out) = Command::new("pdftotext")
        .arg(dir.join("o/r.pdf"))
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext missing: PDF text check skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        text.contains("2022年，全市共3,000人（含12:30到岗者）参加；成效明显！"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_names_the_option_in_its_ascii_punctuation_warning() {
    let dir = temp("ascii-punct-check");
    lishui_as_published(&dir);
    let stderr = zongjie(&dir, &["check", "data/lishui-2022.yaml"]);
    let warning = stderr
        .split("\n\n")
        .find(|d| d.contains("ASCII punctuation between Chinese characters"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        warning.contains("text: {ascii_punctuation: full-width}"),
        "{warning}"
    );
    // It names the place where the option also silences this warning.
    assert!(
        warning.contains("at the top of this data file"),
        "{warning}"
    );
}

#[test]
fn the_data_files_own_option_converts_and_silences_check() {
    let dir = temp("ascii-punct-data");
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试报告, year: 2022, issuer: 某委}\ntext: {ascii_punctuation: full-width}\nintro: \"2022年,全市共3,000人(含12:30到岗者)参加;成效明显!\"\n",
    )
    .unwrap();
    let stderr = zongjie(&dir, &["check", "--strict", "r.yaml"]);
    assert!(!stderr.contains("warning:"), "{stderr}");
    zongjie(&dir, &["build", "r.yaml", "--format", "md", "--out", "o"]);
    let md = std::fs::read_to_string(dir.join("o/r.md")).unwrap();
    assert!(
        md.contains("2022年，全市共3,000人（含12:30到岗者）参加；成效明显！"),
        "{md}"
    );
    // Without it, the same text is warned about under --strict.
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试报告, year: 2022, issuer: 某委}\nintro: \"2022年,全市共3,000人参加\"\n",
    )
    .unwrap();
    let (out, _) = common::bounded(
        &dir,
        &["check", "--strict", "r.yaml"],
        &[],
        MEMORY_LIMIT_KIB,
        TIME_LIMIT,
    );
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_profiles_option_silences_check_and_build_as_the_data_files_does() {
    let dir = temp("ascii-punct-profile");
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试报告, year: 2022, issuer: 某委}\nintro: \"2022年,全市共3,000人参加;成效明显!\"\n",
    )
    .unwrap();
    let strict = |dir: &Path, args: &[&str]| {
        let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Without a profile the marks are warned about, and --strict fails.
    let (code, stderr) = strict(&dir, &["check", "--strict", "r.yaml"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("ASCII punctuation"), "{stderr}");
    // The profile next to the data converts them in every output, so
    // neither check nor build warns.
    std::fs::write(
        dir.join("profile.yaml"),
        "text: {ascii_punctuation: full-width}\n",
    )
    .unwrap();
    let (code, stderr) = strict(&dir, &["check", "--strict", "r.yaml"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    let (code, stderr) = strict(
        &dir,
        &[
            "build", "--strict", "r.yaml", "--format", "md", "--out", "o",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let md = std::fs::read_to_string(dir.join("o/r.md")).unwrap();
    assert!(md.contains("2022年，全市共3,000人参加；成效明显！"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}
