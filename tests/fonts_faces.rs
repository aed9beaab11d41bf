//! The bundled faces through the real binary, under a time and memory
//! bound: `zongjie fonts` shows a 仿宋 body with `--ignore-system-fonts`;
//! names and units beyond GB 2312 (堃 喆 珺 … ㎡ ℃) print from a fallback
//! face with one notice and no missing-glyph message, and `pdftotext` gives
//! them back; a `--font-path` folder holding FandolFang fills the body.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

mod common;

/// Address-space bound per run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;
/// Wall-clock bound per run (a debug build, a shared machine).
const TIME_LIMIT: Duration = Duration::from_secs(120);

const NAMES: &str = "堃喆珺昇旻玥垚燚琤璟曌赟彧翀";
const MARKS: &str = "㎡℃‰№①②③⑩⑳×÷±～·ＡＢＣ１２３";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary under the memory and time bound.
fn zongjie(args: &[&str]) -> Output {
    common::bounded(root(), args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT).0
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-faces-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok();
    if !ok {
        eprintln!("skipped: {name} (Debian poppler-utils) is not installed");
    }
    ok
}

/// The `zongjie fonts` line of a role.
fn role_line<'a>(listing: &'a str, role: &str) -> &'a str {
    listing
        .lines()
        .find(|l| l.split_whitespace().next() == Some(role))
        .unwrap_or_else(|| panic!("no {role} line in {listing}"))
}

#[test]
fn fonts_shows_a_fangsong_body_without_system_fonts() {
    let out = zongjie(&["fonts", "--ignore-system-fonts"]);
    assert!(out.status.success());
    let listing = String::from_utf8_lossy(&out.stdout);
    for role in ["body", "table"] {
        let l = role_line(&listing, role);
        assert!(
            l.contains("仿宋") && l.contains("FandolFang") && l.contains("bundled"),
            "{l}"
        );
    }
    assert!(
        role_line(&listing, "heading2").contains("FandolKai"),
        "{listing}"
    );
    assert!(
        role_line(&listing, "heading1").contains("Noto Sans CJK SC Medium"),
        "{listing}"
    );
}

#[test]
fn names_and_units_beyond_gb2312_print_and_extract() {
    let out_dir = temp("names");
    let out_s = out_dir.to_str().expect("utf-8 temp path");
    let run = zongjie(&[
        "build",
        "tests/fixtures/names/names-and-units.yaml",
        "--format",
        "pdf",
        "--ignore-system-fonts",
        "--strict",
        "--out",
        out_s,
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    // A bundled face standing in is a notice: even --strict builds.
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("no font has"), "missing glyphs: {stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    // Which face stood in is said once, with the characters.
    assert_eq!(stderr.matches("FandolFang lacks").count(), 1, "{stderr}");
    assert!(
        stderr.contains("printed from Noto Serif CJK SC"),
        "{stderr}"
    );
    assert!(stderr.contains('堃'), "{stderr}");
    let pdf = out_dir.join("names-and-units.pdf");
    let size = std::fs::metadata(&pdf).expect("pdf written").len();
    // Only used glyphs are embedded: a one-page report stays small.
    assert!(size < 150_000, "{size} bytes");
    if tool("pdftotext") {
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext");
        let text: String = String::from_utf8_lossy(&text.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for c in NAMES.chars().chain(MARKS.chars()) {
            assert!(text.contains(c), "{c} not extracted: {text}");
        }
    }
    if tool("pdffonts") {
        let fonts = Command::new("pdffonts")
            .arg(&pdf)
            .output()
            .expect("pdffonts");
        let listing = String::from_utf8_lossy(&fonts.stdout);
        assert!(listing.contains("FandolFang-Regular"), "{listing}");
        assert!(
            listing.contains("NotoSerifCJKsc-Regular"),
            "fallback face: {listing}"
        );
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_font_path_holding_fandol_fang_fills_the_body() {
    let dir = temp("fontpath");
    std::fs::copy(
        root().join("fonts/FandolFang-Regular.otf"),
        dir.join("FandolFang-Regular.otf"),
    )
    .expect("copy font");
    let dir_s = dir.to_str().expect("utf-8 temp path");
    let out = zongjie(&["fonts", "--ignore-system-fonts", "--font-path", dir_s]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{listing}");
    for role in ["body", "table"] {
        let l = role_line(&listing, role);
        assert!(
            l.contains("FandolFang") && l.contains("path") && l.contains(dir_s),
            "{l}"
        );
    }
    // The PDF says that a face which is not the official 仿宋 stands in.
    let out_dir = dir.join("out");
    let run = zongjie(&[
        "build",
        "tests/fixtures/names/names-and-units.yaml",
        "--format",
        "pdf",
        "--ignore-system-fonts",
        "--font-path",
        dir_s,
        "--out",
        out_dir.to_str().expect("utf-8 temp path"),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "body role (仿宋): no official face found, using --font-path face FandolFang"
        ),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
