//! The incremental build through the real binary: a document is skipped
//! only when what its outputs were made from is unchanged and the outputs
//! still hold what was written; a source never silently overwrites
//! another's outputs; builds into one folder take turns and lose no entry;
//! a document's outputs are replaced all or none; temp files never follow
//! links; odd names and `SOURCE_DATE_EPOCH` are handled or refused clearly.
//! Every run is bounded in time and memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// Wall-clock bound per run of the (debug) binary.
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Address-space bound per run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// `sh -c "ulimit -v …; SETUP; exec zongjie ARGS"` in `dir`.
fn command(dir: &Path, setup: &str, args: &[&str]) -> Command {
    let mut c = Command::new("sh");
    common::in_english(&mut c);
    c.arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && {setup} exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_zongjie"))
        .args(args)
        .current_dir(dir);
    c
}

/// Runs zongjie with `setup` shell commands and `env` first; exit code and
/// stderr, after checking it stayed in bounds and did not panic.
fn run_with(dir: &Path, setup: &str, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let start = Instant::now();
    let out = command(dir, setup, args)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(took < TIME_LIMIT, "{args:?} took {took:?}");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{args:?}: status {:?}\n{stderr}",
        out.status
    );
    (code, stderr)
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    run_with(dir, "", &[], args)
}

fn example() -> String {
    std::fs::read_to_string(common::root().join("data/lishui-2022.yaml")).expect("example data")
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// No temp file of ours is left in `dir`.
fn no_temps(dir: &Path) -> bool {
    names(dir)
        .iter()
        .all(|n| !(n.starts_with(".zongjie-") && n.ends_with(".tmp")))
}

#[test]
fn an_output_changed_on_disk_is_rebuilt_not_skipped() {
    let dir = common::temp("incr-edited");
    std::fs::write(dir.join("r.yaml"), "intro: 正文一。\n").expect("write");
    let args = ["build", "r.yaml", "--format", "md,html", "--out", "o"];
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let md = read(dir.join("o/r.md"));
    let html = read(dir.join("o/r.html"));
    // Edited by hand, keeping the size; then replaced by another process.
    std::fs::write(dir.join("o/r.md"), md.replace("正文一", "正文二")).expect("edit");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    assert_eq!(read(dir.join("o/r.md")), md);
    std::fs::write(dir.join("o/r.html"), "<p>another tool</p>").expect("replace");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    assert_eq!(read(dir.join("o/r.html")), html);
    // Unchanged now: skipped.
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 0, skipped 1"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Edits the manifest in `out`: `f` gets each document's entry.
fn edit_manifest(out: &Path, f: impl Fn(&mut serde_json::Value)) {
    let path = out.join(".zongjie-manifest.json");
    let mut m: serde_json::Value = serde_json::from_str(&read(&path)).expect("manifest json");
    for (_, entry) in m["documents"]
        .as_object_mut()
        .expect("documents")
        .iter_mut()
    {
        f(entry);
    }
    std::fs::write(&path, serde_json::to_vec(&m).expect("json")).expect("write manifest");
}

/// Marks every output record of the manifest as read long after its
/// last change, as a later build would have recorded it.
fn settle(entry: &mut serde_json::Value) {
    for (_, seen) in entry["seen"]
        .as_object_mut()
        .expect("seen records")
        .iter_mut()
    {
        let ctime = seen["ctime_ns"].as_i64().expect("ctime");
        seen["read_ns"] = (ctime + 3_000_000_000).into();
    }
}

/// Gives every output a wrong recorded digest: only an output that is not
/// hashed can still be skipped.
fn spoil_digests(entry: &mut serde_json::Value) {
    for (_, digest) in entry["outputs"]
        .as_object_mut()
        .expect("outputs")
        .iter_mut()
    {
        *digest = "0".repeat(64).into();
    }
}

#[test]
#[cfg(unix)]
fn settled_file_times_vouch_for_an_output_and_any_change_voids_them() {
    let dir = common::temp("incr-seen");
    std::fs::write(dir.join("r.yaml"), "intro: 正文一。\n").expect("write");
    let args = ["build", "r.yaml", "--format", "md,html", "--out", "o"];
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let md = read(dir.join("o/r.md"));
    // Records read right after the write do not vouch: the outputs are
    // hashed, and a wrong digest is caught.
    edit_manifest(&dir.join("o"), spoil_digests);
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    // Settled records vouch: the outputs are not read (the wrong digests
    // are not noticed), the document is skipped.
    edit_manifest(&dir.join("o"), |e| {
        settle(e);
        spoil_digests(e);
    });
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 0, skipped 1"), "{stderr}");
    // Any write changes the change time: an edit keeping the size, and
    // the very bytes written again, are both hashed and rebuilt.
    std::fs::write(dir.join("o/r.md"), md.replace("正文一", "正文二")).expect("edit");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    assert_eq!(read(dir.join("o/r.md")), md);
    edit_manifest(&dir.join("o"), |e| {
        settle(e);
        spoil_digests(e);
    });
    std::fs::write(dir.join("o/r.md"), &md).expect("same bytes again");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    // A file put in the output's place by rename is another inode.
    edit_manifest(&dir.join("o"), |e| {
        settle(e);
        spoil_digests(e);
    });
    std::fs::write(dir.join("o/new.md"), &md).expect("write");
    std::fs::rename(dir.join("o/new.md"), dir.join("o/r.md")).expect("rename");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn imports_and_templates_pulled_in_any_way_are_dependencies() {
    let dir = common::temp("incr-deps");
    std::fs::write(
        dir.join("r.yaml"),
        "imports: {上年: prev.yaml}\nintro: 上年托位【上年.托位】。\n",
    )
    .expect("write");
    std::fs::write(dir.join("prev.yaml"), "metrics:\n  托位: 3.2万个\n").expect("write");
    let tpl = dir.join("tpl");
    std::fs::create_dir_all(&tpl).expect("tpl");
    let annual = read(common::root().join("templates/annual.md.tera"));
    // An include with whitespace control, and a component defined elsewhere.
    std::fs::write(
        tpl.join("annual.md.tera"),
        format!("{annual}\n{{%- include \"_mine.md.tera\" -%}}\n{{{{ <Sign /> }}}}\n"),
    )
    .expect("write");
    std::fs::write(tpl.join("_mine.md.tera"), "\n\n甲乙丙\n").expect("write");
    std::fs::write(
        tpl.join("_sign.md.tera"),
        "{% component Sign() %}\n\n落款一\n{% endcomponent Sign %}",
    )
    .expect("write");
    let args = [
        "build",
        "r.yaml",
        "--templates",
        "tpl",
        "--format",
        "md",
        "--out",
        "o",
    ];
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("甲乙丙"));
    assert!(read(dir.join("o/r.md")).contains("落款一"));
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 0, skipped 1"), "{stderr}");
    // Each change is picked up by the next build.
    let changes: [(&str, &str, &str); 3] = [
        ("prev.yaml", "3.2万个", "3.5万个"),
        ("tpl/_mine.md.tera", "甲乙丙", "丁戊己"),
        ("tpl/_sign.md.tera", "落款一", "落款二"),
    ];
    for (file, from, to) in changes {
        let path = dir.join(file);
        std::fs::write(&path, read(&path).replace(from, to)).expect("edit");
        let (code, stderr) = run(&dir, &args);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("built 1, skipped 0"), "{file}: {stderr}");
        let md = read(dir.join("o/r.md"));
        let expected = if file == "prev.yaml" { "3.5万" } else { to };
        assert!(md.contains(expected), "{file}: {md}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_data_is_digested_as_parsed_not_as_re_read_after_rendering() {
    let dir = common::temp("incr-race");
    let data = dir.join("r.yaml");
    let args = ["build", "r.yaml", "--format", "md,html,pdf", "--out", "o"];
    let text = |n: usize| {
        example().replace(
            "丽水市卫生健康委员会2022年工作总结和2023年工作要点",
            &format!("丽水市卫生健康委员会2022年工作总结和2023年工作要点第{n}稿"),
        )
    };
    std::fs::write(&data, text(0)).expect("write");
    let start = Instant::now();
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let full = start.elapsed();
    // The data is edited while a build runs; whenever the edit lands, the
    // next build makes the outputs say what the data says.
    for (i, fraction) in [0.3, 0.5, 0.7, 0.9].into_iter().enumerate() {
        std::fs::write(&data, text(2 * i + 1)).expect("write");
        let mut child = command(&dir, "", &args)
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        std::thread::sleep(full.mul_f64(fraction));
        std::fs::write(&data, text(2 * i + 2)).expect("edit");
        assert!(child.wait().expect("waits").success());
        let (code, stderr) = run(&dir, &args);
        assert_eq!(code, 0, "{stderr}");
        let md = read(dir.join("o/r.md"));
        assert!(
            md.contains(&format!("第{}稿", 2 * i + 2)),
            "edit at {fraction}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_source_writing_the_same_output_is_refused_unless_forced() {
    let dir = common::temp("incr-owner");
    for (sub, text) in [("a", "甲的正文。"), ("b", "乙的正文。")] {
        std::fs::create_dir_all(dir.join(sub)).expect("dir");
        std::fs::write(dir.join(sub).join("r.yaml"), format!("intro: {text}\n")).expect("write");
    }
    let build = |file: &str, force: bool| {
        let mut args = vec!["build", file, "--format", "md", "--out", "o"];
        if force {
            args.push("--force");
        }
        run(&dir, &args)
    };
    assert_eq!(build("a/r.yaml", false).0, 0);
    let (code, stderr) = build("b/r.yaml", false);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("o/r.md was written by a/r.yaml; building b/r.yaml would overwrite it"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("甲的正文"));
    // Forced, b takes the output over; then a is refused, not "skipped".
    let (code, stderr) = build("b/r.yaml", true);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("乙的正文"));
    let (code, stderr) = build("a/r.yaml", false);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("skipped 1"), "{stderr}");
    assert!(stderr.contains("written by b/r.yaml"), "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("乙的正文"));
    // The same file named another way is the same source.
    let (code, stderr) = build("./b/../b/r.yaml", false);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("skipped 1"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_builds_into_one_folder_take_turns_and_keep_every_entry() {
    const BUILDS: usize = 4;
    const EACH: usize = 6;
    let dir = common::temp("incr-concurrent");
    for b in 0..BUILDS {
        let sub = dir.join(format!("d{b}"));
        std::fs::create_dir_all(&sub).expect("dir");
        for i in 0..EACH {
            std::fs::write(sub.join(format!("r{b}-{i}.yaml")), example()).expect("write");
        }
    }
    let children: Vec<_> = (0..BUILDS)
        .map(|b| {
            command(
                &dir,
                "",
                &[
                    "build",
                    &format!("d{b}"),
                    "--format",
                    "md,html",
                    "--out",
                    "o",
                ],
            )
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns")
        })
        .collect();
    let mut waited = 0;
    for child in children {
        let out = child.wait_with_output().expect("waits");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("built {EACH}, skipped 0")),
            "{stderr}"
        );
        waited += usize::from(stderr.contains("waiting for another build writing into o"));
    }
    assert!(waited > 0, "no build waited for another");
    // Every entry survived: the whole set is current.
    let all: Vec<String> = (0..BUILDS).map(|b| format!("d{b}")).collect();
    let mut args = vec!["build", "--format", "md,html", "--out", "o"];
    args.extend(all.iter().map(String::as_str));
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("built 0, skipped {}", BUILDS * EACH)),
        "{stderr}"
    );
    // A build killed while holding the lock releases it.
    let mut child = command(&dir, "", &["build", "d0", "--force", "--out", "o"])
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let (code, stderr) = run(&dir, &["build", "d1", "--format", "md,html", "--out", "o"]);
    assert_eq!(code, 0, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_write_replaces_no_output_and_leaves_no_temp() {
    let dir = common::temp("incr-full");
    let data = dir.join("r.yaml");
    std::fs::write(&data, example()).expect("write");
    let args = ["build", "r.yaml", "--format", "md,html,pdf", "--out", "o"];
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    let before: Vec<Vec<u8>> = ["md", "html", "pdf"]
        .iter()
        .map(|x| std::fs::read(dir.join(format!("o/r.{x}"))).expect("output"))
        .collect();
    // Room for every output but the largest (the PDF or the HTML page with
    // its fonts): that write fails as on a full disk ("File too large"; the
    // signal ignored), after the others were written to temp files.
    let largest = (0..3).max_by_key(|&i| before[i].len()).unwrap_or(2);
    let cap = (0..3)
        .filter(|&i| i != largest)
        .map(|i| before[i].len())
        .max()
        .unwrap_or(0)
        + 16 * 1024;
    assert!(cap < before[largest].len(), "one output is the largest");
    let largest_name = format!("o/r.{}", ["md", "html", "pdf"][largest]);
    std::fs::write(&data, example().replacen("奋力交出", "全力交出", 1)).expect("edit");
    let limit = format!("ulimit -f {} && trap '' XFSZ &&", cap / 512);
    let (code, stderr) = run_with(&dir, &limit, &[], &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot write output"), "{stderr}");
    assert!(stderr.contains(&largest_name), "{stderr}");
    assert!(
        stderr.contains("no output of this document was replaced"),
        "{stderr}"
    );
    for (x, old) in ["md", "html", "pdf"].iter().zip(&before) {
        assert_eq!(
            &std::fs::read(dir.join(format!("o/r.{x}"))).expect("output"),
            old,
            "r.{x} was replaced"
        );
    }
    assert!(no_temps(&dir.join("o")), "{:?}", names(&dir.join("o")));
    // With room again, all three are rebuilt.
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 1"), "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("全力交出"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn source_date_epoch_is_recorded_and_garbage_refused() {
    let dir = common::temp("incr-epoch");
    std::fs::write(dir.join("r.yaml"), "intro: 正文。\n").expect("write");
    let args = ["build", "r.yaml", "--format", "md,pdf", "--out", "o"];
    let check = [
        "build", "r.yaml", "--format", "md,pdf", "--out", "o", "--check",
    ];
    let epoch = |v: &'static str| [("SOURCE_DATE_EPOCH", v)];
    let (code, stderr) = run_with(&dir, "", &epoch("86400"), &args);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run_with(&dir, "", &epoch("86400"), &check);
    assert_eq!(code, 0, "{stderr}");
    // Another date is another PDF: rebuilt, and --check agrees with it.
    let (code, stderr) = run_with(&dir, "", &epoch("1700000000"), &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    let (code, stderr) = run_with(&dir, "", &epoch("1700000000"), &check);
    assert_eq!(code, 0, "{stderr}");
    let (_, stderr) = run_with(&dir, "", &epoch("1700000000"), &args);
    assert!(stderr.contains("built 0, skipped 1"), "{stderr}");
    let pdf = std::fs::read(dir.join("o/r.pdf")).expect("pdf");
    for bad in ["abc", "1e9", "-1", "99999999999999999999", "1700000000.5"] {
        let (code, stderr) = run_with(&dir, "", &[("SOURCE_DATE_EPOCH", bad)], &args);
        assert_eq!(code, 1, "{bad}: {stderr}");
        assert!(
            stderr.contains(&format!("SOURCE_DATE_EPOCH is `{bad}`")),
            "{bad}: {stderr}"
        );
        assert!(stderr.contains("digits only"), "{bad}: {stderr}");
        assert_eq!(std::fs::read(dir.join("o/r.pdf")).expect("pdf"), pdf);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_panic_in_one_document_fails_only_that_document() {
    let dir = common::temp("incr-panic");
    for name in ["a", "b", "c"] {
        std::fs::write(dir.join(format!("{name}.yaml")), "intro: 正文。\n").expect("write");
    }
    let (code, stderr) = run_with(
        &dir,
        "",
        &[("ZONGJIE_TEST_PANIC", "b.yaml"), ("RUST_BACKTRACE", "1")],
        &[
            "build", "a.yaml", "b.yaml", "c.yaml", "--format", "md", "--out", "o", "--jobs", "2",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    // One located error naming the document and where the bug is; no
    // panic message or backtrace on the terminal.
    assert!(
        stderr.contains("error: internal error while building this document: ")
            && stderr.contains("(at src/"),
        "{stderr}"
    );
    assert!(stderr.contains("--> b.yaml"), "{stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
    assert!(stderr.contains("built 2, skipped 0, failed 1"), "{stderr}");
    assert!(dir.join("o/a.md").exists() && dir.join("o/c.md").exists());
    assert!(!dir.join("o/b.md").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn nothing_is_written_through_links_planted_in_the_output_folder() {
    use std::os::unix::fs::symlink;
    let dir = common::temp("incr-links");
    std::fs::write(dir.join("r.yaml"), "intro: 正文。\n").expect("write");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    let out = dir.join("o");
    std::fs::create_dir_all(&out).expect("out");
    // The old temp names for the next thousand process ids, the manifest,
    // and the output itself all point at the victim.
    let me = std::process::id();
    for pid in me..me + 1000 {
        for x in ["md", "html"] {
            symlink(&victim, out.join(format!(".r.{x}.{pid}.tmp"))).expect("link");
        }
    }
    symlink(&victim, out.join(".zongjie-manifest.json")).expect("link");
    symlink(&victim, out.join("r.md")).expect("link");
    // A linked manifest is not read: refused, until --force replaces it.
    let (code, stderr) = run(
        &dir,
        &["build", "r.yaml", "--format", "md,html", "--out", "o"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot read the build manifest"),
        "{stderr}"
    );
    let (code, stderr) = run(
        &dir,
        &[
            "build", "r.yaml", "--format", "md,html", "--out", "o", "--force",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read(&victim), "precious");
    let md = std::fs::symlink_metadata(out.join("r.md")).expect("md");
    assert!(md.is_file(), "the link was replaced by the output");
    assert!(read(out.join("r.md")).contains("正文。"));
    // A link planted as the lock file is refused, not followed.
    std::fs::remove_file(out.join(zongjie::build::LOCK)).expect("lock");
    let missing = dir.join("made-by-the-link");
    symlink(&missing, out.join(zongjie::build::LOCK)).expect("link");
    let (code, stderr) = run(
        &dir,
        &["build", "r.yaml", "--format", "md", "--out", "o", "--force"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot lock the output folder"), "{stderr}");
    assert!(!missing.exists());
    assert_eq!(read(&victim), "precious");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn names_near_the_limit_build_and_longer_ones_are_refused_before_rendering() {
    let dir = common::temp("incr-long");
    // 250 + ".yaml" = 255 bytes, the most a name can have; so is 250 + ".html".
    let stem = "报".repeat(83) + "g";
    assert_eq!(stem.len(), 250);
    std::fs::write(dir.join(format!("{stem}.yaml")), "intro: 正文。\n").expect("write");
    let (code, stderr) = run(&dir, &["build", ".", "--format", "md,html", "--out", "o"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join(format!("o/{stem}.html")).exists());
    // 251 + ".yml": its HTML would need 256 bytes.
    let _ = std::fs::remove_dir_all(dir.join("o"));
    std::fs::remove_file(dir.join(format!("{stem}.yaml"))).expect("rm");
    let longer = format!("{stem}x");
    std::fs::write(dir.join(format!("{longer}.yml")), "intro: 正文。\n").expect("write");
    let (code, stderr) = run(&dir, &["build", ".", "--format", "md,html", "--out", "o"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("longer than the 255 bytes"), "{stderr}");
    assert!(stderr.contains("shorten the data file's name"), "{stderr}");
    assert!(!dir.join(format!("o/{longer}.md")).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_stay_distinct() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = common::temp("incr-bytes");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data");
    for (byte, text) in [(0xffu8, "甲的正文。"), (0xfe, "乙的正文。")] {
        let name = [b"r".as_slice(), &[byte], b".yaml"].concat();
        std::fs::write(
            data.join(OsStr::from_bytes(&name)),
            format!("intro: {text}\n"),
        )
        .expect("write");
    }
    let (code, stderr) = run(&dir, &["build", "data", "--format", "md", "--out", "o"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 2, skipped 0"), "{stderr}");
    let out = |byte: u8| {
        let name = [b"r".as_slice(), &[byte], b".md"].concat();
        read(dir.join("o").join(OsStr::from_bytes(&name)))
    };
    assert!(out(0xff).contains("甲的正文"));
    assert!(out(0xfe).contains("乙的正文"));
    let (_, stderr) = run(&dir, &["build", "data", "--format", "md", "--out", "o"]);
    assert!(stderr.contains("built 0, skipped 2"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn out_naming_a_file_fails_at_once() {
    let dir = common::temp("incr-out-file");
    // A data file that would fail to load: its error never shows, because
    // the output folder is refused before any document is read.
    std::fs::write(dir.join("r.yaml"), "title: [unclosed\n").expect("write");
    std::fs::write(dir.join("taken"), "a file").expect("write");
    let (code, stderr) = run(&dir, &["build", "r.yaml", "--out", "taken"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--out names an existing file, not a folder"),
        "{stderr}"
    );
    assert!(stderr.contains("taken"), "{stderr}");
    assert!(!stderr.contains("r.yaml:"), "a document was read: {stderr}");
    assert_eq!(read(dir.join("taken")), "a file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_rebuilt_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp("incr-mode");
    std::fs::write(dir.join("r.yaml"), "intro: 正文一。\n").expect("write");
    let args = ["build", "r.yaml", "--format", "md", "--out", "o"];
    assert_eq!(run(&dir, &args).0, 0);
    let md: std::path::PathBuf = dir.join("o/r.md");
    // A new output gets the usual permissions (not a temp file's 0600).
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&md) & 0o044, 0o044, "{:o}", mode(&md));
    std::fs::set_permissions(&md, std::fs::Permissions::from_mode(0o604)).expect("chmod");
    std::fs::write(dir.join("r.yaml"), "intro: 正文二。\n").expect("write");
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(read(&md).contains("正文二"));
    assert_eq!(mode(&md), 0o604);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_folder_in_an_outputs_place_replaces_no_output() {
    let dir = common::temp("incr-folder-in-way");
    std::fs::write(dir.join("r.yaml"), "intro: 正文一。\n").expect("write");
    let args = ["build", "r.yaml", "--format", "md,html", "--out", "o"];
    assert_eq!(run(&dir, &args).0, 0);
    let md = read(dir.join("o/r.md"));
    std::fs::remove_file(dir.join("o/r.html")).expect("rm");
    std::fs::create_dir_all(dir.join("o/r.html/inside")).expect("mkdir");
    std::fs::write(dir.join("r.yaml"), "intro: 正文二。\n").expect("write");
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("o/r.html"), "{stderr}");
    assert!(stderr.contains("a folder is in the way"), "{stderr}");
    assert_eq!(
        read(dir.join("o/r.md")),
        md,
        "the Markdown was replaced alone"
    );
    assert!(no_temps(&dir.join("o")), "{:?}", names(&dir.join("o")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_data_file_is_a_source_of_its_own() {
    let dir = common::temp("incr-file-link");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("data");
    std::fs::write(data.join("a.yaml"), "intro: 正文。\n").expect("write");
    std::os::unix::fs::symlink("a.yaml", data.join("b.yaml")).expect("link");
    let args = ["build", "data", "--format", "md", "--out", "o"];
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 2, skipped 0"), "{stderr}");
    let (_, stderr) = run(&dir, &args);
    assert!(stderr.contains("built 0, skipped 2"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failing_builds_leave_nothing_and_cost_no_other_build_its_turn() {
    let dir = common::temp("incr-fail-turns");
    // `bad`: 30 documents that fail only at the end, under --strict (a
    // warning), so its build holds the lock a while and then writes nothing.
    let bad = dir.join("bad");
    std::fs::create_dir_all(&bad).expect("dir");
    let warned = example().replacen("奋力交出", "奋力 交出", 1);
    for i in 0..30 {
        std::fs::write(bad.join(format!("w{i:02}.yaml")), &warned).expect("write");
    }
    // g1 builds long enough for g2 to start and finish meanwhile.
    for (g, n) in [("g1", 12), ("g2", 2)] {
        std::fs::create_dir_all(dir.join(g)).expect("dir");
        for i in 0..n {
            std::fs::write(dir.join(g).join(format!("{g}-{i}.yaml")), example()).expect("write");
        }
    }
    let build = |sub: &str| {
        let strict = if sub == "bad" { "--strict" } else { "--jobs=2" };
        command(
            &dir,
            "",
            &["build", sub, "--format", "md", "--out", "o", strict],
        )
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns")
    };
    // Alone, a failing build leaves no folder behind.
    let mut first = build("bad");
    assert!(!first.wait().expect("waits").success());
    assert!(!dir.join("o").exists(), "{:?}", names(&dir.join("o")));
    // g1 waits for `bad`, which then removes the lock file g1 waits on; g2
    // starts after that, while g1 builds: they still take turns.
    let mut bad_build = build("bad");
    let lock = dir.join("o").join(zongjie::build::LOCK);
    let start = Instant::now();
    while !lock.exists() {
        assert!(
            start.elapsed() < TIME_LIMIT,
            "the failing build never locked"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let g1 = build("g1");
    assert!(!bad_build.wait().expect("waits").success());
    let g2 = build("g2");
    for mut child in [g1, g2] {
        assert!(child.wait().expect("waits").success());
    }
    let (code, stderr) = run(&dir, &["build", "g1", "g2", "--format", "md", "--out", "o"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 0, skipped 14"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn an_import_link_pointed_at_another_file_is_a_change() {
    let dir = common::temp("incr-import-link");
    std::fs::write(
        dir.join("r.yaml"),
        "imports: {上年: prev.yaml}\nintro: 上年托位【上年.托位】。\n",
    )
    .expect("write");
    std::fs::write(dir.join("v1.yaml"), "metrics:\n  托位: 3.2万个\n").expect("write");
    std::fs::write(dir.join("v2.yaml"), "metrics:\n  托位: 4.1万个\n").expect("write");
    std::os::unix::fs::symlink("v1.yaml", dir.join("prev.yaml")).expect("link");
    let args = ["build", "r.yaml", "--format", "md", "--out", "o"];
    assert_eq!(run(&dir, &args).0, 0);
    assert!(read(dir.join("o/r.md")).contains("3.2万"));
    std::fs::remove_file(dir.join("prev.yaml")).expect("rm");
    std::os::unix::fs::symlink("v2.yaml", dir.join("prev.yaml")).expect("link");
    let (code, stderr) = run(&dir, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 1, skipped 0"), "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("4.1万"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// An unreadable manifest (garbage, a folder) is an error naming it and the
/// fix, never silently ignored (which would drop the refusal to overwrite
/// another file's outputs); --force rebuilds and writes a new one.
#[test]
fn an_unreadable_manifest_is_refused_until_forced() {
    let dir = common::temp("incr-bad-manifest");
    for d in ["a", "b"] {
        std::fs::create_dir_all(dir.join(d)).expect("dir");
        std::fs::write(dir.join(d).join("r.yaml"), format!("intro: 来自{d}。\n")).expect("write");
    }
    let (code, stderr) = run(&dir, &["build", "a/r.yaml", "--format", "md", "--out", "o"]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = dir.join("o").join(zongjie::build::MANIFEST);
    std::fs::write(&manifest, "{garbage").expect("write");
    let (code, stderr) = run(&dir, &["build", "b/r.yaml", "--format", "md", "--out", "o"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot read the build manifest: not a zongjie manifest"),
        "{stderr}"
    );
    assert!(stderr.contains(".zongjie-manifest.json"), "{stderr}");
    assert!(
        stderr.contains("remove it, or build with --force"),
        "{stderr}"
    );
    assert!(
        read(dir.join("o/r.md")).contains("来自a"),
        "a's output kept"
    );
    // A folder in its place: refused too, then replaced under --force.
    std::fs::remove_file(&manifest).expect("rm");
    std::fs::create_dir(&manifest).expect("dir");
    let (code, stderr) = run(&dir, &["build", "b/r.yaml", "--format", "md", "--out", "o"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot read the build manifest"),
        "{stderr}"
    );
    let (code, stderr) = run(
        &dir,
        &[
            "build", "b/r.yaml", "--format", "md", "--out", "o", "--force",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(read(dir.join("o/r.md")).contains("来自b"));
    assert!(std::fs::metadata(&manifest).expect("manifest").is_file());
    assert!(read(&manifest).contains("b/r.yaml") || read(&manifest).contains("r.yaml"));
    // The new manifest works: a's build is refused again.
    let (code, stderr) = run(&dir, &["build", "a/r.yaml", "--format", "md", "--out", "o"]);
    assert_eq!(code, 1, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
