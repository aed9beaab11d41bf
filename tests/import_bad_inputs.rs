//! Hostile and odd inputs to `zongjie import`: each run is bounded in time
//! and memory, ends with exit code 0 or 1 (never a crash), and an error
//! names the cause and the file.

mod import_support;

use std::path::Path;

use import_support::*;

/// Runs `import ARGS` in `dir` and returns (code, stderr).
fn import(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    run(dir, &all)
}

fn refused(dir: &Path, file: &str, want: &str) {
    let (code, err) = import(dir, &[file]);
    assert_eq!(code, 1, "{file}: {err}");
    assert!(
        err.contains(file) && err.contains(want),
        "{file}: want `{want}` in\n{err}"
    );
    assert!(err.contains("hint:"), "{file}: a fix is named\n{err}");
}

#[test]
fn files_that_are_not_reports_are_refused_by_name() {
    let dir = temp("import-bad");
    std::fs::create_dir(dir.join("folder.txt")).unwrap();
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::write(dir.join("scan.pdf"), b"%PDF-1.7\n1 0 obj\n").unwrap();
    std::fs::write(dir.join("photo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(dir.join("old.doc"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0").unwrap();
    std::fs::write(dir.join("nul.txt"), "正文\0正文".as_bytes()).unwrap();
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(dir.join("noise.bin"), &noise).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"hello").unwrap();
    std::fs::write(dir.join("archive.zip"), zip.finish().unwrap().into_inner()).unwrap();
    let big = std::fs::File::create(dir.join("huge.txt")).unwrap();
    big.set_len(17 * 1024 * 1024).unwrap();
    refused(&dir, "folder.txt", "this is a folder");
    refused(&dir, "missing.txt", "cannot read the file");
    refused(&dir, "empty.txt", "the file is empty");
    refused(&dir, "scan.pdf", "a PDF file");
    refused(&dir, "photo.png", "a PNG image");
    refused(&dir, "old.doc", "old Word/WPS");
    refused(&dir, "nul.txt", "binary");
    refused(&dir, "noise.bin", "txt");
    refused(&dir, "archive.zip", "zip archive");
    refused(&dir, "huge.txt", "larger than 16 MiB");
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = temp("import-fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.txt"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    refused(&dir, "pipe.txt", "not a regular file");
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_report_is_followed() {
    let dir = temp("import-symlink");
    std::fs::write(dir.join("real.txt"), seed("001_90e35aa37e5e9a91.txt")).unwrap();
    std::os::unix::fs::symlink(dir.join("real.txt"), dir.join("link.txt")).unwrap();
    let (code, err) = import(&dir, &["link.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(zongjie::load::load(&dir.join("draft.yaml")).is_ok());
}

#[test]
fn the_draft_never_replaces_a_file_unasked() {
    let dir = temp("import-overwrite");
    std::fs::write(dir.join("s.txt"), seed("001_90e35aa37e5e9a91.txt")).unwrap();
    std::fs::write(dir.join("draft.yaml"), "mine").unwrap();
    let (code, err) = import(&dir, &["s.txt", "-o", "draft.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("exists already") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("draft.yaml")).unwrap(),
        "mine"
    );
    let (code, err) = import(&dir, &["s.txt", "-o", "s.txt", "--force"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("would replace the source"), "{err}");
    let (code, err) = import(&dir, &["s.txt", "-o", "draft.yaml", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(dir.join("draft.yaml"))
            .unwrap()
            .starts_with("# yaml-language-server")
    );
}

/// Big and repetitive inputs finish within the time bound, and the draft loads.
#[test]
fn large_and_repetitive_inputs_are_bounded() {
    let dir = temp("import-large");
    let cases: Vec<(&str, String)> = vec![
        ("one-line.txt", "全市卫生健康事业稳步发展，".repeat(25_000)),
        (
            "enumeration.txt",
            format!("（一）标题。{}", "一是加强。".repeat(60_000)),
        ),
        (
            "parts.txt",
            (1..=3000)
                .map(|i| format!("{}、第{i}部分\n", zongjie::numbering::chinese_numeral(i)))
                .collect(),
        ),
        (
            "sections.txt",
            format!("一、总结\n{}", "（一）标题。正文。\n".repeat(3_000)),
        ),
        (
            "repeats.txt",
            "这是一段重复了很多次的正文，用来检查时间。\n\n".repeat(50_000),
        ),
        ("mojibake.txt", "Ë".repeat(300_001)),
        ("tabs.txt", "\t序号\n\t1\n\t2\n".repeat(20_000)),
        (
            "crlf.txt",
            "一、总结\r\n\r\n（一）标题。正文。\r\n".repeat(10_000),
        ),
    ];
    for (name, text) in &cases {
        std::fs::write(dir.join(name), text).unwrap();
        let out = format!("{name}.yaml");
        let (code, err) = import(&dir, &[name, "-o", &out, "--diagnostic-format", "short"]);
        assert_eq!(
            code,
            0,
            "{name}: {}",
            err.chars().take(2000).collect::<String>()
        );
        assert!(
            zongjie::load::load(&dir.join(&out)).is_ok(),
            "{name}: the draft loads"
        );
    }
}

#[test]
fn the_same_input_gives_the_same_draft() {
    let dir = temp("import-determinism");
    std::fs::write(dir.join("s.txt"), seed("002_cb932b672b738f31.txt")).unwrap();
    let (a, _) = import(&dir, &["s.txt", "-o", "a.yaml"]);
    let (b, _) = import(&dir, &["s.txt", "-o", "b.yaml"]);
    assert_eq!((a, b), (0, 0));
    assert_eq!(
        std::fs::read(dir.join("a.yaml")).unwrap(),
        std::fs::read(dir.join("b.yaml")).unwrap()
    );
}

/// `--metrics` on 300,000 characters of figures in one paragraph, and on as
/// many short lines that each do not compute: bounded, and the comments
/// and notes are capped.
#[test]
fn metrics_on_huge_and_repetitive_figures_is_bounded() {
    let dir = temp("import-metrics-huge");
    let sentence = "门诊量120万人次，上年为113.6万人次，同比增长5.9%。";
    let n = 300_000 / sentence.chars().count();
    std::fs::write(
        dir.join("one.txt"),
        format!("标题\n\n{}\n", sentence.repeat(n)),
    )
    .unwrap();
    let lines: String = (0..n).map(|i| format!("第{i}项{sentence}\n")).collect();
    std::fs::write(dir.join("many.txt"), format!("标题\n{lines}")).unwrap();
    let long = format!(
        "标题\n\n{}同比增长5.9%。\n",
        "门诊量120万人次，上年为113.6万人次，".repeat(n / 2)
    );
    std::fs::write(dir.join("long.txt"), long).unwrap();
    // The private-use characters the importer marks references with, in
    // the source itself (title and text): nothing is lifted, all is kept.
    let marked = "标题\u{E000}\n\n门诊量120万人次，上年为113.6万人次，同比增长5.6%。\u{E001}\n";
    std::fs::write(dir.join("marked.txt"), marked).unwrap();
    let (code, err) = import(&dir, &["marked.txt", "--metrics", "-o", "marked.yaml"]);
    assert_eq!(code, 0, "{err}");
    let draft = std::fs::read_to_string(dir.join("marked.yaml")).unwrap();
    assert!(
        !draft.contains("metrics:") && draft.contains("标题\u{E000}") && draft.contains('\u{E001}'),
        "{draft}"
    );
    for file in ["one.txt", "many.txt", "long.txt"] {
        let (code, err) = import(&dir, &[file, "--metrics", "-o", &format!("{file}.yaml")]);
        assert_eq!(code, 0, "{file}: {err}");
        let draft = std::fs::read_to_string(dir.join(format!("{file}.yaml"))).unwrap();
        let comments = draft.lines().filter(|l| l.starts_with("# 请核对")).count();
        assert!(comments <= 22, "{file}: {comments} comments");
    }
}

/// Many （一） restarts without part labels, and many short theme lines:
/// finding unnumbered parts and sections stays linear.
#[test]
fn theme_headings_on_many_restarts_are_bounded() {
    let dir = temp("import-theme-huge");
    // 6,000 restarts took minutes when each looked back over the whole intro.
    let restarts = "正文一句。\n(一)节的内容。\n".repeat(6_000);
    let themes = "一个小标题\n正文的一段话。\n".repeat(6_000);
    std::fs::write(dir.join("a.txt"), format!("标题\n{restarts}")).unwrap();
    std::fs::write(dir.join("b.txt"), format!("标题\n{themes}")).unwrap();
    std::fs::write(dir.join("c.txt"), format!("标题\n一、部分\n{themes}")).unwrap();
    let few = "一个小标题\n正文的一段话。\n".repeat(99);
    std::fs::write(dir.join("d.txt"), format!("标题\n{few}")).unwrap();
    for file in ["a.txt", "b.txt", "c.txt", "d.txt"] {
        let draft = format!("{file}.yaml");
        let (code, err) = import(&dir, &[file, "-o", &draft]);
        assert_eq!(code, 0, "{file}: {err}");
        // Past the format's 99 parts or 999 sections they stay paragraphs:
        // the draft builds.
        let (code, err) = run(&dir, &["check", &draft]);
        assert_eq!(code, 0, "{file}: {err}");
    }
}
