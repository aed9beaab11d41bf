//! Hostile inputs to the PDF writer through the real binary, under a time
//! and memory bound: every profile in `tests/fixtures/bad-profiles/` (YAML
//! and TOML; negative, NaN, infinite numbers, a text block off the page, no
//! lines, no characters, font size 0) fails with exit 1 and an error at the
//! profile's file:line:col naming the range, and writes nothing; huge and
//! realistic long titles build as PDF in bounded time.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

mod common;

const BAD_PROFILES: &str = "tests/fixtures/bad-profiles";

/// Each bad profile and where its error points.
const EXPECTED: &[(&str, &str)] = &[
    ("bold-stroke-negative.yaml", "2:19"),
    ("font-size-zero.yaml", "3:14"),
    ("indent-nan.toml", "2:16"),
    ("indent-nan.yaml", "2:17"),
    ("margin-wider-than-page.yaml", "3:19"),
    ("padding-nan.yaml", "2:15"),
    ("page-number-offset-inf.toml", "2:13"),
    ("page-number-offset-inf.yaml", "2:14"),
    ("rule-width-nan.yaml", "2:18"),
    ("rule-width-negative.toml", "2:17"),
    ("rule-width-negative.yaml", "2:18"),
    ("text-taller-than-page.toml", "2:13"),
    ("title-width-nan.yaml", "2:23"),
    ("zero-chars-per-line.yaml", "2:19"),
    ("zero-lines.yaml", "2:19"),
];

/// Address-space bound per run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// Runs the binary under the memory limit; returns its output and duration.
fn zongjie(dir: &Path, args: &[&str]) -> (Output, Duration) {
    // No bound here: each test checks the duration against its own limit.
    common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, Duration::MAX)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-badpdf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn every_bad_profile_fails_located_and_writes_nothing() {
    let mut files: Vec<String> = std::fs::read_dir(root().join(BAD_PROFILES))
        .expect("corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed, "every bad profile has an expected location");
    let out = temp("profiles");
    let out_s = out.join("o");
    let out_s = out_s.to_str().expect("utf-8 temp path");
    for (file, at) in EXPECTED {
        let path = format!("{BAD_PROFILES}/{file}");
        let (run, took) = zongjie(
            root(),
            &[
                "build",
                "data/lishui-2022.yaml",
                "--profile",
                &path,
                "--format",
                "md,html,pdf",
                "--out",
                out_s,
            ],
        );
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(run.status.code(), Some(1), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert!(took < Duration::from_secs(20), "{file}: {took:?}");
        assert!(
            stderr.contains(&format!("--> {path}:{at}\n")),
            "{file}: expected {path}:{at} in\n{stderr}"
        );
        assert!(
            stderr.contains("it must be") || stderr.contains("runs off the page"),
            "{file}: no range or fix in\n{stderr}"
        );
        let stem = file.replace('.', "-");
        // The diagnostic, without the timings of the summary lines.
        let diagnostic: String = stderr
            .lines()
            .take_while(|l| !l.contains("FAILED"))
            .map(|l| format!("{l}\n"))
            .collect();
        insta::assert_snapshot!(format!("bad_profile__{stem}"), diagnostic.trim_end());
        assert!(
            std::fs::read_dir(&out)
                .map(|d| d.count() == 0)
                .unwrap_or(true),
            "{file}: something was written"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

fn title_data(title: &str) -> String {
    format!(
        "doc:\n  title: {title}\n  issuer: 丽水市卫生健康委员会\n  year: 2022\nparts:\n  - title: {title}\n    sections:\n      - {{lead: 托育服务, text: 全市托位达3.88万个。}}\n"
    )
}

#[test]
fn a_300000_character_title_builds_as_pdf_within_bounds() {
    let dir = temp("huge-title");
    // Once a stack overflow (abort) after minutes of search.
    let title = "进一步加强和改进基层医疗卫生服务体系建设".repeat(15_000);
    std::fs::write(dir.join("huge.yaml"), title_data(&title)).expect("write");
    let (run, took) = zongjie(
        &dir,
        &["build", "huge.yaml", "--format", "pdf", "--out", "o"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    // The debug binary takes about 15 s alone; generous for a machine
    // shared with other builds (it aborted before, so any end is news).
    assert!(took < Duration::from_secs(300), "{took:?}");
    let pdf = std::fs::read(dir.join("o/huge.pdf")).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_realistic_140_character_title_builds_as_pdf_quickly() {
    let dir = temp("long-title");
    // Took over 40 s in a release build when every split was tried.
    let title = "中共某某市委办公室某某市人民政府办公室关于印发《某某市深化医药卫生体制改革2023年重点工作任务》《某某市基层医疗卫生服务能力提升三年行动方案（2023—2025年）》《某某市公立医院高质量发展实施方案》和《某某市卫生健康事业发展第十四个五年规划中期评估报告》的通知";
    std::fs::write(dir.join("long.yaml"), title_data(title)).expect("write");
    let (run, took) = zongjie(
        &dir,
        &["build", "long.yaml", "--format", "pdf", "--out", "o"],
    );
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(dir.join("o/long.pdf").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

const DOC: &str = "doc: {title: 测试, year: 2022, issuer: 某局}\nintro: 正文。\n";

/// Runs in `dir` under the bounds; exit code and stderr.
fn bounded(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let (run, took) = zongjie(dir, args);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(took < Duration::from_secs(20), "{args:?}: {took:?}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    (run.status.code(), stderr)
}

/// A value of the wrong type is told in plain words: the key, the kind of
/// value with its range, what was found, at the profile's line:col; not
/// the parser's `invalid floating point` / `invalid u32`.
#[test]
fn profile_type_errors_are_in_plain_words_and_located() {
    let dir = temp("type-errors");
    std::fs::write(dir.join("r.yaml"), DOC).expect("write");
    let cases = [
        (
            "grid:\n  indent_chars: abc\n",
            "2:17",
            "`grid.indent_chars` takes a number between 0 and 10 characters; found `abc`",
        ),
        (
            "grid:\n  indent_chars: 1e308\n",
            "2:17",
            "`grid.indent_chars` takes a number between 0 and 10 characters; found `1e308`",
        ),
        (
            "grid:\n  indent_chars: ~\n",
            "2:17",
            "`grid.indent_chars` takes a number between 0 and 10 characters; found nothing",
        ),
        (
            "grid:\n  indent_chars: [1]\n",
            "2:17",
            "`grid.indent_chars` takes a number between 0 and 10 characters; found `[1]`",
        ),
        (
            "grid:\n  lines_per_page: 4294967296\n",
            "2:19",
            "`grid.lines_per_page` takes a whole number between 3 and 200 lines; found `4294967296`",
        ),
        (
            "fonts:\n  body: {families: [[1]]}\n",
            "2:21",
            "`fonts.body.families` takes text",
        ),
    ];
    for (i, (text, at, words)) in cases.iter().enumerate() {
        let name = format!("p{i}.yaml");
        std::fs::write(dir.join(&name), text).expect("write");
        let (code, stderr) = bounded(&dir, &["check", "r.yaml", "--profile", &name]);
        assert_eq!(code, Some(1), "{text}: {stderr}");
        assert!(stderr.contains(words), "{text}: {stderr}");
        assert!(
            stderr.contains(&format!("--> {name}:{at}\n")),
            "{text}: {stderr}"
        );
        for parser in [
            "invalid floating point",
            "invalid u32",
            "expected string scalar",
        ] {
            assert!(!stderr.contains(parser), "{text}: {stderr}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A profile's font file that is no font is located at its `file:` value.
#[test]
fn a_font_file_that_is_no_font_is_located_at_its_file_key() {
    let dir = temp("no-font");
    std::fs::write(dir.join("r.yaml"), DOC).expect("write");
    std::fs::write(dir.join("bad.otf"), "not a font\n").expect("write");
    std::fs::write(
        dir.join("p3.yaml"),
        "page: {}\nfonts:\n  body: {file: bad.otf}\n",
    )
    .expect("write");
    let (code, stderr) = bounded(
        &dir,
        &[
            "build",
            "r.yaml",
            "--profile",
            "p3.yaml",
            "--format",
            "pdf",
            "--out",
            "o",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("font for role `body`"), "{stderr}");
    assert!(stderr.contains("--> p3.yaml:3:16\n"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `check` and Markdown/HTML builds run the PDF writer's coverage check
/// with the same fonts: a character no font has is the same located
/// warning, and an error under --strict.
#[test]
fn check_and_md_builds_warn_about_characters_no_font_has() {
    let dir = temp("coverage");
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试, year: 2022, issuer: 某局}\nintro: 正文𠀀𠀁𠀂。\n",
    )
    .expect("write");
    let warned = |stderr: &str| {
        // CJK extension B: beyond the 通用规范汉字表 the bundled faces cover.
        for (c, col) in [('𠀀', 10), ('𠀁', 11), ('𠀂', 12)] {
            assert!(
                stderr.contains(&format!("warning: PDF: no font has the character {c}")),
                "{c}: {stderr}"
            );
            assert!(
                stderr.contains(&format!("--> r.yaml:2:{col}\n")),
                "{c}: {stderr}"
            );
        }
    };
    let fonts = ["--ignore-system-fonts"];
    let (code, stderr) = bounded(&dir, &[&["check", "r.yaml"][..], &fonts].concat());
    assert_eq!(code, Some(0), "{stderr}");
    warned(&stderr);
    let (code, stderr) = bounded(
        &dir,
        &[&["check", "r.yaml", "--strict"][..], &fonts].concat(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    warned(&stderr);
    let build = [
        "build", "r.yaml", "--format", "md,html", "--out", "o", "--strict",
    ];
    let (code, stderr) = bounded(&dir, &[&build[..], &fonts].concat());
    assert_eq!(code, Some(1), "{stderr}");
    warned(&stderr);
    // The fonts are resolved as for the PDF: one that has them silences it.
    let (code, stderr) = bounded(
        &dir,
        &["check", "r.yaml", "--strict", "--font-path", "r.yaml"],
    );
    assert_eq!(code, Some(1), "not a font: {stderr}");
    // A PDF build says the same, once.
    let (code, stderr) = bounded(
        &dir,
        &[
            &["build", "r.yaml", "--format", "pdf", "--out", "p"][..],
            &fonts,
        ]
        .concat(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr.matches("no font has the character 𠀀").count(),
        1,
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
