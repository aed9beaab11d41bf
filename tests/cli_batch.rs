//! Batch builds as CI runs them: incremental skips, `--check`, template
//! changes rebuilding only the documents that use them, failure isolation.

use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;
fn zongjie(dir: &Path, args: &[&str]) -> (i32, String) {
    let r = common::zongjie(dir, args);
    (r.code, r.stderr)
}

/// A copy of the example project (data and templates) in a temp folder.
fn project(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("zongjie-batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["data", "templates"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn line_for<'a>(stderr: &'a str, doc: &str) -> &'a str {
    stderr
        .lines()
        .find(|l| l.contains(doc) && !l.contains("-->"))
        .unwrap_or("")
}

#[test]
fn second_build_skips_and_check_reports_changes() {
    let dir = project("incremental");
    let (code, stderr) = zongjie(&dir, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 2, skipped 0, failed 0"), "{stderr}");
    let (code, stderr) = zongjie(&dir, &["build"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("built 0, skipped 2, failed 0"), "{stderr}");
    let (code, stderr) = zongjie(&dir, &["build", "--check"]);
    assert_eq!(code, 0, "{stderr}");
    // Change the data: --check fails and names the document's outputs.
    let data = dir.join("data/lishui-2022.yaml");
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&data, text.replacen("奋力交出", "全力交出", 1)).unwrap();
    let (code, stderr) = zongjie(&dir, &["build", "--check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("out of date: output/lishui-2022.md"),
        "{stderr}"
    );
    assert!(!stderr.contains("out of date: output/wenzhou"), "{stderr}");
    // --check wrote nothing.
    assert!(
        !std::fs::read_to_string(dir.join("output/lishui-2022.md"))
            .unwrap()
            .contains("全力交出")
    );
    let (_, stderr) = zongjie(&dir, &["build"]);
    assert!(stderr.contains("built 1, skipped 1"), "{stderr}");
    assert!(
        line_for(&stderr, "lishui-2022.yaml").contains("built"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_template_change_rebuilds_only_its_users() {
    let dir = project("templates");
    zongjie(&dir, &["build"]);
    let tasks = dir.join("templates/tasks.md.tera");
    let text = std::fs::read_to_string(&tasks).unwrap();
    std::fs::write(&tasks, format!("{text}\n")).unwrap();
    let (_, stderr) = zongjie(&dir, &["build"]);
    assert!(
        line_for(&stderr, "wenzhou-2023-tasks.yaml").contains("built"),
        "{stderr}"
    );
    assert!(
        line_for(&stderr, "lishui-2022.yaml").contains("unchanged"),
        "{stderr}"
    );
    // --force rebuilds everything.
    let (_, stderr) = zongjie(&dir, &["build", "--force"]);
    assert!(stderr.contains("built 2, skipped 0"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_bad_document_fails_the_run_but_not_the_others() {
    let dir = project("isolation");
    std::fs::write(dir.join("data/broken.yaml"), "doc:\n  titel: 坏\n").unwrap();
    let (code, stderr) = zongjie(&dir, &["build", "--jobs", "2"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("data/broken.yaml:2:3"), "{stderr}");
    assert!(stderr.contains("built 2, skipped 0, failed 1"), "{stderr}");
    assert!(dir.join("output/lishui-2022.html").exists());
    assert!(!dir.join("output/broken.md").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The time and memory every run of the batch tests below may take.
fn bounded(dir: &Path, args: &[&str]) -> (i32, String) {
    let (out, _) = common::bounded(dir, args, &[], 4 << 20, Duration::from_secs(120));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

/// `n` small documents `data/dNN.yaml` (a tenth of them in `data/sub/`).
fn many(name: &str, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data/sub")).unwrap();
    for i in 0..n {
        let sub = if i % 10 == 0 { "sub/" } else { "" };
        std::fs::write(
            dir.join(format!("data/{sub}d{i:03}.yaml")),
            format!("doc: {{title: 文件{i}}}\nintro: 正文{i}。\n"),
        )
        .unwrap();
    }
    dir
}

/// After the per-file lines, the summary names every file that failed,
/// so a failure never scrolls away among the unchanged ones.
#[test]
fn the_summary_names_every_failed_file() {
    let dir = many("failed-names", 40);
    let args = ["build", "--format", "md"];
    assert_eq!(bounded(&dir, &args).0, 0);
    std::fs::write(dir.join("data/d007.yaml"), "doc:\n  titel: 坏\n").unwrap();
    std::fs::write(dir.join("data/sub/d030.yaml"), "intro: [\n").unwrap();
    let (code, stderr) = bounded(&dir, &args);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let n = lines.len();
    assert_eq!(
        lines[n - 2],
        "failed 2: data/d007.yaml, data/sub/d030.yaml",
        "{stderr}"
    );
    assert!(
        lines[n - 1].starts_with("built 0, skipped 38, failed 2 ("),
        "{stderr}"
    );
    // Not on a terminal: no progress bar in captured output.
    assert!(!stderr.contains("/40"), "{stderr}");
    let (code, stderr) = bounded(&dir, &["build", "--format", "md", "data/d001.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("failed 0:"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--shard K/N` builds a stable share: the three shards of 100 documents
/// into one folder build every document exactly once, each keeps the
/// others' manifest entries (a second round skips everything), and the
/// share of a document does not depend on what else is built or from where.
#[test]
fn shards_partition_the_documents() {
    let dir = many("shards", 100);
    let mut built = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let (code, stderr) = bounded(
            &dir,
            &["build", "--format", "md", "--shard", &shard, "--jobs", "2"],
        );
        assert_eq!(code, 0, "{stderr}");
        let names: Vec<String> = stderr
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("built "))
            .filter(|l| l.starts_with("data/"))
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect();
        // A share within reason: a third is 33, a hash gives 20 to 47.
        assert!((20..=47).contains(&names.len()), "{shard}: {}", names.len());
        built.push(names);
    }
    let mut all: Vec<&String> = built.iter().flatten().collect();
    all.sort();
    let count = all.len();
    all.dedup();
    assert_eq!((count, all.len()), (100, 100), "each document exactly once");
    // Every shard's entries survived the others: nothing is rebuilt.
    let (code, stderr) = bounded(&dir, &["build", "--format", "md"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("built 0, skipped 100, failed 0"),
        "{stderr}"
    );
    // The same document falls in the same shard when named another way.
    let first = &built[0][0];
    let sub = std::path::Path::new(first).strip_prefix("data").unwrap();
    let (code, stderr) = bounded(
        &dir.join("data"),
        &[
            "build", ".", "--format", "md", "--out", "o2", "--shard", "1/3",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("built ./{}", sub.display())),
        "{first}: {stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A `--shard` that is not K/N with 1 ≤ K ≤ N is refused in plain words,
/// naming the option and the value, before anything is built.
#[test]
fn a_bad_shard_is_refused() {
    let dir = many("bad-shard", 3);
    for (value, says) in [
        ("0/0", "N, the number of shares, must be at least 1"),
        ("4/3", "K must be from 1 to 3"),
        ("0/3", "K must be from 1 to 3"),
        ("a/b", "K and N must be whole numbers"),
        ("2", "is not K/N"),
        ("", "is not K/N"),
    ] {
        let (code, stderr) = bounded(&dir, &["build", "--format", "md", "--shard", value]);
        assert_eq!(code, 2, "{value}: {stderr}");
        assert!(stderr.contains("--shard <K/N>"), "{value}: {stderr}");
        assert!(stderr.contains(says), "{value}: {stderr}");
        assert!(stderr.contains("e.g. --shard 2/3"), "{value}: {stderr}");
    }
    assert!(!dir.join("output").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
