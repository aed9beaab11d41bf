//! The bad-input corpus (`tests/fixtures/bad/`) through the real binary:
//! every file fails with exit 1 (never a panic's 101, never a signal), a
//! message naming the file and, where there is one, line:column, nothing
//! written by `build`, within bounded time and memory. The diagnostics are
//! snapshotted per file. Inputs too large to commit are generated here.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

mod common;

const BAD: &str = "tests/fixtures/bad";

/// Each case's first located diagnostic: `file:line:col` relative to the
/// corpus folder (an import's own file when the import is at fault), or the
/// file alone when the fault has no position.
const EXPECTED: &[(&str, &str)] = &[
    ("alias-flood.yaml", "alias-flood.yaml:5:1"),
    ("bad-date.yaml", "bad-date.yaml:2:12"),
    ("billion-laughs.yaml", "billion-laughs.yaml:4:3"),
    ("binary-garbage.yaml", "binary-garbage.yaml:1:2"),
    ("control-bidi.yaml", "control-bidi.yaml:4:10"),
    ("control-c1.yaml", "control-c1.yaml:1:9"),
    ("control-characters.yaml", "control-characters.yaml:1:16"),
    ("control-escape.yaml", "control-escape.yaml:3:9"),
    ("control-escaped-bel.yaml", "control-escaped-bel.yaml:3:10"),
    ("control-escaped-esc.yaml", "control-escaped-esc.yaml:1:17"),
    ("control-lone-cr.yaml", "control-lone-cr.yaml:2:12"),
    ("deep-nesting-block.yaml", "deep-nesting-block.yaml:3:5"),
    ("deep-nesting-flow.yaml", "deep-nesting-flow.yaml:1:263"),
    ("digits-out-of-range.yaml", "digits-out-of-range.yaml:2:36"),
    (
        "division-by-zero-prev.yaml",
        "division-by-zero-prev.yaml:2:26",
    ),
    ("division-by-zero.yaml", "division-by-zero.yaml:2:30"),
    ("empty.yaml", "empty.yaml:1:1"),
    ("gb18030.yaml", "gb18030.yaml:2:10"),
    ("gbk.yaml", "gbk.yaml:2:10"),
    ("half-out-of-range.yaml", "half-out-of-range.yaml:2:9"),
    ("import-absolute.yaml", "import-absolute.yaml:1:14"),
    ("import-cycle-a.yaml", "import-cycle-b.yaml:1:14"),
    ("import-cycle-b.yaml", "import-cycle-a.yaml:1:14"),
    ("import-folder.yaml", "import-folder.yaml:1:15"),
    ("import-garbage.yaml", "imported/garbage.yaml:1:2"),
    ("import-list.yaml", "imported/list.yaml:1:1"),
    ("import-missing.yaml", "import-missing.yaml:1:15"),
    ("import-not-data.yaml", "import-not-data.yaml:1:14"),
    ("import-outside.yaml", "import-outside.yaml:1:15"),
    ("import-self.yaml", "import-self.yaml:1:14"),
    (
        "import-unknown-fields.yaml",
        "imported/unknown-field.yaml:3:1",
    ),
    (
        "import-unknown-metric.yaml",
        "import-unknown-metric.yaml:2:8",
    ),
    ("latin1.yaml", "latin1.yaml:2:13"),
    (
        "metric-defined-twice.yaml",
        "metric-defined-twice.yaml:6:15",
    ),
    ("metric-key-too-long.yaml", "metric-key-too-long.yaml:2:70"),
    ("metric-key-with-dot.yaml", "metric-key-with-dot.yaml:2:10"),
    ("metric-link-cycle.yaml", "metric-link-cycle.yaml:3:6"),
    (
        "metric-unit-too-long.yaml",
        "metric-unit-too-long.yaml:2:15",
    ),
    ("metric-vs-too-long.yaml", "metric-vs-too-long.yaml:2:37"),
    ("nul-byte.yaml", "nul-byte.yaml:2:12"),
    ("number-too-large.yaml", "number-too-large.yaml:2:15"),
    (
        "number-too-many-digits.yaml",
        "number-too-many-digits.yaml:2:6",
    ),
    (
        "numbering-item-style.yaml",
        "numbering-item-style.yaml:3:24",
    ),
    (
        "numbering-missing-punctuation.yaml",
        "numbering-missing-punctuation.yaml:1:19",
    ),
    (
        "numbering-unknown-style.yaml",
        "numbering-unknown-style.yaml:1:22",
    ),
    ("only-comments.yaml", "only-comments.yaml:1:1"),
    ("quantity-exponent.yaml", "quantity-exponent.yaml:2:15"),
    (
        "quantity-two-numbers.yaml",
        "quantity-two-numbers.yaml:2:29",
    ),
    ("quantity-unparsable.yaml", "quantity-unparsable.yaml:2:15"),
    (
        "rate-percent-against-unitless.yaml",
        "rate-percent-against-unitless.yaml:2:15",
    ),
    (
        "stated-change-unparsable.yaml",
        "stated-change-unparsable.yaml:2:44",
    ),
    ("tag-binary.yaml", "tag-binary.yaml:2:10"),
    ("tag-custom.yaml", "tag-custom.yaml:2:10"),
    ("tag-null.yaml", "tag-null.yaml:3:9"),
    ("tag-python-object.yaml", "tag-python-object.yaml:2:11"),
    (
        "task-columns-too-few.yaml",
        "task-columns-too-few.yaml:7:16",
    ),
    ("top-level-list.yaml", "top-level-list.yaml:1:1"),
    ("top-level-text.yaml", "top-level-text.yaml:1:1"),
    ("unclosed-bracket.yaml", "unclosed-bracket.yaml:3:12"),
    ("unit-mismatch.yaml", "unit-mismatch.yaml:2:34"),
    (
        "unknown-field-attachment.yaml",
        "unknown-field-attachment.yaml:3:5",
    ),
    ("unknown-field-doc.yaml", "unknown-field-doc.yaml:3:3"),
    (
        "unknown-field-item-list.yaml",
        "unknown-field-item-list.yaml:5:11",
    ),
    (
        "unknown-field-item-map.yaml",
        "unknown-field-item-map.yaml:4:23",
    ),
    (
        "unknown-field-metric-map.yaml",
        "unknown-field-metric-map.yaml:2:26",
    ),
    (
        "unknown-field-numbering.yaml",
        "unknown-field-numbering.yaml:3:3",
    ),
    ("unknown-field-part.yaml", "unknown-field-part.yaml:3:5"),
    (
        "unknown-field-section.yaml",
        "unknown-field-section.yaml:5:9",
    ),
    (
        "unknown-field-task-row.yaml",
        "unknown-field-task-row.yaml:4:7",
    ),
    (
        "unknown-field-task-table.yaml",
        "unknown-field-task-table.yaml:2:3",
    ),
    ("unknown-field-top.yaml", "unknown-field-top.yaml:2:1"),
    ("unknown-genre.yaml", "unknown-genre.yaml:2:10"),
    ("unknown-layout.yaml", "unknown-layout.yaml:3:25"),
    (
        "unknown-metric-attribute.yaml",
        "unknown-metric-attribute.yaml:3:13",
    ),
    ("unknown-metric-key.yaml", "unknown-metric-key.yaml:3:14"),
    ("utf16.yaml", "utf16.yaml:1:1"),
    ("wrong-type-draft.yaml", "wrong-type-draft.yaml:2:10"),
    (
        "wrong-type-half-too-big.yaml",
        "wrong-type-half-too-big.yaml:2:9",
    ),
    (
        "wrong-type-metric-list.yaml",
        "wrong-type-metric-list.yaml:2:3",
    ),
    (
        "wrong-type-metrics-list.yaml",
        "wrong-type-metrics-list.yaml:2:3",
    ),
    ("wrong-type-parts-map.yaml", "wrong-type-parts-map.yaml:2:3"),
    (
        "wrong-type-sections-text.yaml",
        "wrong-type-sections-text.yaml:3:15",
    ),
    (
        "wrong-type-title-list.yaml",
        "wrong-type-title-list.yaml:2:10",
    ),
    ("wrong-type-year-text.yaml", "wrong-type-year-text.yaml:3:9"),
    ("yaml-bad-indent.yaml", "yaml-bad-indent.yaml:3:2"),
    (
        "yaml-block-scalar-dedent.yaml",
        "yaml-block-scalar-dedent.yaml:3:3",
    ),
    ("yaml-colon-in-plain.yaml", "yaml-colon-in-plain.yaml:1:10"),
    ("yaml-duplicate-key.yaml", "yaml-duplicate-key.yaml:4:3"),
    (
        "yaml-duplicate-top-key.yaml",
        "yaml-duplicate-top-key.yaml:4:1",
    ),
    (
        "yaml-fullwidth-colon-flow.yaml",
        "yaml-fullwidth-colon-flow.yaml:2:13",
    ),
    ("yaml-fullwidth-colon.yaml", "yaml-fullwidth-colon.yaml:2:8"),
    (
        "yaml-fullwidth-space-first-entry.yaml",
        "yaml-fullwidth-space-first-entry.yaml:2:1",
    ),
    (
        "yaml-fullwidth-space-first-key.yaml",
        "yaml-fullwidth-space-first-key.yaml:2:1",
    ),
    (
        "yaml-fullwidth-space-indent.yaml",
        "yaml-fullwidth-space-indent.yaml:3:1",
    ),
    ("yaml-lead-unit-star.yaml", "yaml-lead-unit-star.yaml:4:13"),
    ("yaml-missing-dash.yaml", "yaml-missing-dash.yaml:5:7"),
    (
        "yaml-nbsp-after-colon.yaml",
        "yaml-nbsp-after-colon.yaml:2:9",
    ),
    (
        "yaml-nbsp-before-colon.yaml",
        "yaml-nbsp-before-colon.yaml:2:8",
    ),
    (
        "yaml-no-space-after-colon.yaml",
        "yaml-no-space-after-colon.yaml:2:9",
    ),
    (
        "yaml-tab-after-long-line.yaml",
        "yaml-tab-after-long-line.yaml:30:1",
    ),
    ("yaml-tab-indent.yaml", "yaml-tab-indent.yaml:2:1"),
    ("yaml-two-documents.yaml", "yaml-two-documents.yaml:3:1"),
    (
        "yaml-unclosed-flow-map.yaml",
        "yaml-unclosed-flow-map.yaml:2:6",
    ),
    (
        "yaml-unclosed-flow-seq.yaml",
        "yaml-unclosed-flow-seq.yaml:1:8",
    ),
    ("yaml-unclosed-quote.yaml", "yaml-unclosed-quote.yaml:2:10"),
    (
        "yaml-undefined-alias.yaml",
        "yaml-undefined-alias.yaml:2:10",
    ),
    ("year-out-of-range.yaml", "year-out-of-range.yaml:2:9"),
];

/// Wall-clock bound per run of the (debug) binary.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Address-space bound per run, in KiB (`ulimit -v`): an allocation past it
/// fails, which would abort the process and fail the exit-code check.
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

/// Runs the binary under the memory limit; returns its output and duration.
fn zongjie(dir: &Path, args: &[&str]) -> (Output, Duration) {
    // No bound here: the callers check the duration (`fails_cleanly`).
    common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, Duration::MAX)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-bad-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Asserts a clean failure: exit 1 from the process itself (a panic exits
/// 101, a signal gives no code) in bounded time; returns stderr.
fn fails_cleanly(what: &str, out: &Output, took: Duration) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: status {:?}\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(took < TIME_LIMIT, "{what}: took {took:?}");
    stderr
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

#[test]
fn every_corpus_file_fails_located_and_writes_nothing() {
    let mut files: Vec<String> = std::fs::read_dir(root().join(BAD))
        .expect("corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        files, listed,
        "every corpus file has an expected location, and only those"
    );
    assert!(files.len() >= 40);
    let out_dir = temp("corpus-out");
    let mut timings = Vec::new();
    for (file, location) in EXPECTED {
        let path = format!("{BAD}/{file}");
        let (out, took) = zongjie(root(), &["check", &path]);
        let stderr = fails_cleanly(file, &out, took);
        let located = format!("{BAD}/{location}");
        assert!(
            stderr.contains(&format!("--> {located}\n")),
            "{file}: expected {located} in\n{stderr}"
        );
        assert!(stderr.contains("= hint:"), "{file}: no hint\n{stderr}");
        let stem = file.trim_end_matches(".yaml");
        insta::assert_snapshot!(format!("bad__{stem}"), stderr);
        // The same file through `build`: exit 1 and nothing in the output folder.
        let (out, took_build) = zongjie(
            root(),
            &[
                "build",
                &path,
                "--format",
                "md,html",
                "--out",
                out_dir.to_str().expect("utf-8 temp path"),
            ],
        );
        fails_cleanly(file, &out, took_build);
        assert!(
            is_empty_dir(&out_dir),
            "{file}: build wrote into the output folder"
        );
        timings.push((took.max(took_build), *file));
    }
    timings.sort();
    let slowest: Vec<String> = timings
        .iter()
        .rev()
        .take(3)
        .map(|(t, f)| format!("{f} {t:?}"))
        .collect();
    eprintln!("slowest corpus cases: {}", slowest.join(", "));
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_10_mb_paragraph_is_refused_as_too_large() {
    let dir = temp("10mb");
    let path = dir.join("big.yaml");
    let text = format!("intro: |\n  {}\n", "丽水市卫生健康委员会".repeat(350_000));
    assert!(text.len() > 10_000_000);
    std::fs::write(&path, text).expect("write");
    let (out, took) = zongjie(&dir, &["check", "big.yaml"]);
    let stderr = fails_cleanly("10 MB paragraph", &out, took);
    assert!(
        stderr.contains("error: file is larger than 8 MiB\n  --> big.yaml\n"),
        "{stderr}"
    );
    // Just under the limit, the same paragraph builds, within bounds.
    let text = format!("intro: |\n  {}\n", "丽水市卫生健康委员会".repeat(270_000));
    assert!(text.len() < 8 * 1024 * 1024);
    std::fs::write(&path, text).expect("write");
    let (out, took) = zongjie(
        &dir,
        &["build", "big.yaml", "--format", "md,html", "--out", "out"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < TIME_LIMIT, "{took:?}");
    assert!(
        std::fs::metadata(dir.join("out/big.html"))
            .expect("html")
            .len()
            > 8_000_000
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn alias_expansion_is_bounded_by_the_scalar_budget() {
    // A 6 MiB anchor and 900 aliases to it would be 5 GiB of text.
    let dir = temp("alias");
    let text = format!(
        "doc:\n  title: &t \"{}\"\nintro: [{}]\n",
        "哈".repeat(2 * 1024 * 1024),
        vec!["*t"; 900].join(", ")
    );
    std::fs::write(dir.join("bomb.yaml"), text).expect("write");
    let (out, took) = zongjie(&dir, &["check", "bomb.yaml"]);
    let stderr = fails_cleanly("alias bomb", &out, took);
    assert!(
        stderr.contains("aliases (`*name`) expand to more text than a data file may hold"),
        "{stderr}"
    );
    assert!(stderr.contains("--> bomb.yaml:3:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn too_many_values_are_refused_by_the_node_budget() {
    let dir = temp("nodes");
    let text = format!(
        "parts:\n  - sections: [{}]\n",
        vec!["{}"; 500_000].join(",")
    );
    std::fs::write(dir.join("nodes.yaml"), text).expect("write");
    let (out, took) = zongjie(&dir, &["check", "nodes.yaml"]);
    let stderr = fails_cleanly("500,000 sections", &out, took);
    assert!(stderr.contains("more than 400000 values"), "{stderr}");
    assert!(stderr.contains("--> nodes.yaml:2:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn thousands_of_faults_are_reported_briefly_and_fast() {
    let dir = temp("faults");
    // 240,000 spaces between Chinese characters (warnings) and 20,000 metrics
    // that divide by zero (errors).
    let spaces = format!(
        "intro: |\n{}",
        "  中 文 中 文 中 文 中 文 中 文 中 文 中 文 中 文\n".repeat(16_000)
    );
    std::fs::write(dir.join("spaces.yaml"), spaces).expect("write");
    let metrics: String = (0..20_000)
        .map(|i| format!("  m{i}: {{value: 1个, plan: 0个}}\n"))
        .collect();
    std::fs::write(dir.join("metrics.yaml"), format!("metrics:\n{metrics}")).expect("write");
    let (out, took) = zongjie(&dir, &["check", "spaces.yaml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(took < TIME_LIMIT, "{took:?}");
    assert!(
        stderr.contains("more warnings not shown (at most 100 diagnostics per file)"),
        "{stderr}"
    );
    assert!(stderr.matches("warning:").count() <= 101);
    let (out, took) = zongjie(&dir, &["check", "metrics.yaml"]);
    let stderr = fails_cleanly("20,000 bad metrics", &out, took);
    assert!(
        stderr.contains("stopped checking the metrics after 100 problems"),
        "{stderr}"
    );
    assert!(stderr.matches("error:").count() <= 101);
    let _ = std::fs::remove_dir_all(&dir);
}
