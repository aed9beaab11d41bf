//! Nothing lost: a failed rebuild leaves the previous outputs byte for byte,
//! a build killed mid-batch leaves every output either the old or the new
//! complete version (temp files are hidden and cleaned up by the next
//! build), and outputs never overwrite an input.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

mod common;
use common::temp;

fn zongjie(dir: &Path, args: &[&str]) -> (i32, String) {
    let r = common::zongjie(dir, args);
    (r.code, r.stderr)
}

fn bin() -> Command {
    common::binary()
}

fn example() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lishui-2022.yaml"))
        .expect("example data")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_rebuild_leaves_the_previous_output_byte_identical() {
    let dir = temp("rebuild");
    std::fs::write(dir.join("report.yaml"), example()).expect("write");
    let (code, stderr) = zongjie(&dir, &["build", "report.yaml", "--format", "md,html"]);
    assert_eq!(code, 0, "{stderr}");
    let md = std::fs::read(dir.join("output/report.md")).expect("md");
    let html = std::fs::read(dir.join("output/report.html")).expect("html");
    // Each way of breaking the data: YAML syntax, an unknown metric, a
    // truncated file, an empty file.
    let broken = [
        example().replacen("parts:", "parts: [", 1),
        example().replacen("【县域就诊率】", "【县域就诊】", 1),
        // Cut off after a 【 (an unclosed reference).
        example()
            .split_once("【县域就诊率】")
            .map(|(head, _)| format!("{head}【"))
            .expect("reference"),
        String::new(),
    ];
    for (i, text) in broken.iter().enumerate() {
        std::fs::write(dir.join("report.yaml"), text).expect("write");
        let (code, stderr) = zongjie(&dir, &["build", "report.yaml", "--format", "md,html"]);
        assert_eq!(code, 1, "case {i}: {stderr}");
        assert_eq!(
            std::fs::read(dir.join("output/report.md")).expect("md"),
            md,
            "case {i}"
        );
        assert_eq!(
            std::fs::read(dir.join("output/report.html")).expect("html"),
            html,
            "case {i}"
        );
        assert_eq!(
            names(&dir.join("output")),
            [
                ".zongjie-manifest.json",
                ".zongjie.lock",
                "report.html",
                "report.md"
            ],
            "case {i}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_build_killed_mid_batch_leaves_old_or_new_complete_outputs() {
    const COPIES: usize = 60;
    let dir = temp("kill");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let old = example();
    let new = old.replace(
        "丽水市卫生健康委员会2022年工作总结和2023年工作要点",
        "丽水市卫生健康委员会2022年工作总结和2023年工作要点（修订稿）",
    );
    assert_ne!(old, new);
    // The complete versions, old and new, built once each.
    let reference = |text: &str, name: &str| -> (Vec<u8>, Vec<u8>) {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).expect("ref dir");
        std::fs::write(d.join("r.yaml"), text).expect("write");
        let (code, stderr) = zongjie(
            &d,
            &["build", "r.yaml", "--format", "md,html", "--out", "."],
        );
        assert_eq!(code, 0, "{stderr}");
        (
            std::fs::read(d.join("r.md")).expect("md"),
            std::fs::read(d.join("r.html")).expect("html"),
        )
    };
    let (old_md, old_html) = reference(&old, "ref-old");
    let (new_md, new_html) = reference(&new, "ref-new");
    let write_all = |text: &str| {
        for i in 0..COPIES {
            std::fs::write(data.join(format!("c{i:02}.yaml")), text).expect("write");
        }
    };
    write_all(&old);
    let start = Instant::now();
    let (code, stderr) = zongjie(
        &dir,
        &["build", "data", "--format", "md,html", "--out", "out"],
    );
    assert_eq!(code, 0, "{stderr}");
    let full = start.elapsed();
    let out = dir.join("out");
    let mut seen_old = 0;
    let mut seen_new = 0;
    let mut temps_left = 0;
    // Kill at several points of the batch; after each, every output is a
    // complete old or new version.
    for fraction in [0.2, 0.4, 0.6, 0.8] {
        write_all(&new);
        let mut child = bin()
            .args(["build", "data", "--format", "md,html", "--out", "out"])
            .current_dir(&dir)
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        std::thread::sleep(full.mul_f64(fraction));
        let running = child.try_wait().expect("status").is_none();
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        for name in names(&out) {
            if name == zongjie::build::LOCK {
                continue;
            }
            if name == zongjie::build::MANIFEST {
                // Written atomically too: always complete JSON.
                let json = std::fs::read(out.join(&name)).expect("manifest");
                assert!(
                    serde_json::from_slice::<serde_json::Value>(&json).is_ok(),
                    "a torn manifest"
                );
                continue;
            }
            if name.starts_with('.') {
                assert!(
                    name.starts_with(".zongjie-") && name.ends_with(".tmp"),
                    "{name}"
                );
                temps_left += 1;
                continue;
            }
            let bytes = std::fs::read(out.join(&name)).expect("output");
            let (o, n) = if name.ends_with(".md") {
                (&old_md, &new_md)
            } else {
                (&old_html, &new_html)
            };
            if bytes == *o {
                seen_old += 1;
            } else if bytes == *n {
                seen_new += 1;
            } else {
                panic!(
                    "{name} is neither the old nor the new version (killed at {fraction}, running: {running})"
                );
            }
        }
        assert_eq!(
            names(&out).iter().filter(|n| !n.starts_with('.')).count(),
            COPIES * 2
        );
        write_all(&old);
        let (code, stderr) = zongjie(
            &dir,
            &["build", "data", "--format", "md,html", "--out", "out"],
        );
        assert_eq!(code, 0, "{stderr}");
        // The next build removes temp files a killed build left.
        assert!(
            names(&out).iter().all(|n| !n.starts_with('.')
                || n == zongjie::build::MANIFEST
                || n == zongjie::build::LOCK),
            "{:?}",
            names(&out)
        );
    }
    eprintln!(
        "full batch {full:?}; after the kills: {seen_old} old, {seen_new} new outputs, {temps_left} temp files (removed by the next build)"
    );
    assert!(
        seen_new > 0 && seen_old > 0,
        "the kills did not land mid-batch ({seen_old} old, {seen_new} new)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn only_our_stale_temp_files_are_removed() {
    let dir = temp("stale");
    std::fs::write(dir.join("r.yaml"), example()).expect("write");
    let out = dir.join("output");
    std::fs::create_dir_all(&out).expect("out");
    // Left by a killed build: our prefix, 12 random characters, `.tmp`.
    let ours = out.join(".zongjie-Ab3dE6gH9jK2.tmp");
    // Another tool's temp files, and names that only look like ours.
    let theirs = [
        ".thesis.docx.4000000.tmp",
        ".r.md.0.tmp",
        ".notes.tmp",
        ".zongjie-short.tmp",
        ".zongjie-Ab3dE6gH9jK2.tmp.keep",
    ];
    std::fs::write(&ours, "partial").expect("write");
    for name in theirs {
        std::fs::write(out.join(name), "theirs").expect("write");
    }
    let (code, stderr) = zongjie(&dir, &["build", "r.yaml", "--format", "md"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!ours.exists(), "our stale temp file is removed");
    for name in theirs {
        assert_eq!(
            std::fs::read_to_string(out.join(name)).expect("kept"),
            "theirs",
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn outputs_never_overwrite_inputs() {
    let dir = temp("inputs");
    // A data file whose output would be itself (data files are *.yaml, so
    // only a symlink named like one can be an output), built into its folder.
    std::fs::write(dir.join("notes.md"), "doc: {title: 笔记}\nintro: 正文。\n").expect("write");
    std::os::unix::fs::symlink("notes.md", dir.join("notes.yaml")).expect("symlink");
    let (code, stderr) = zongjie(&dir, &["build", "notes.yaml", "--out", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("refusing to overwrite an input file with output"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.md")).expect("kept"),
        "doc: {title: 笔记}\nintro: 正文。\n"
    );
    // An imported file named like another document's output.
    std::fs::create_dir_all(dir.join("lib")).expect("lib");
    std::fs::write(dir.join("lib/report.md"), "metrics:\n  托位: 3.2万个\n").expect("write");
    std::os::unix::fs::symlink("report.md", dir.join("lib/prev.yaml")).expect("symlink");
    std::fs::write(
        dir.join("report.yaml"),
        "imports: {上年: lib/prev.yaml}\nintro: 上年托位【上年.托位】。\n",
    )
    .expect("write");
    let (code, stderr) = zongjie(&dir, &["build", "report.yaml", "--out", "lib"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("refusing to overwrite an input file"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("lib/report.md")).expect("kept"),
        "metrics:\n  托位: 3.2万个\n"
    );
    // Two data files of the same name in one batch: the second is refused,
    // the first one's output kept.
    std::fs::create_dir_all(dir.join("data/sub")).expect("dirs");
    std::fs::write(dir.join("data/a.yaml"), "intro: 第一份。\n").expect("write");
    std::fs::write(dir.join("data/sub/a.yaml"), "intro: 第二份。\n").expect("write");
    let (code, stderr) = zongjie(&dir, &["build", "data", "--out", "out"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("would overwrite the outputs of data/a.yaml"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(dir.join("out/a.md"))
            .expect("out")
            .contains("第一份。")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
