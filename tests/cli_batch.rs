//! Batch builds as CI runs them: incremental skips, `--check`, template
//! changes rebuilding only the documents that use them, failure isolation.

use std::path::{Path, PathBuf};

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
