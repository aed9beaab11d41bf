//! Hostile files among the inputs, through the real binary under a time and
//! memory bound: FIFOs, devices, huge sparse files, imports that fan out or
//! leave the project, symlink loops in data folders. Every run must end by
//! itself, exit 1 with the path and the reason (or build), and never quote
//! a file outside the project.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::temp;

/// Wall-clock bound per run (debug binary, a busy machine).
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Address-space bound per run, in KiB.
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;

struct Run {
    code: Option<i32>,
    stderr: String,
}

/// Runs `zongjie ARGS` in `dir` under `ulimit -v` and a `timeout` (so a
/// hang fails the test instead of stalling it); asserts the time bound.
fn bounded(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = common::in_english(&mut Command::new("sh"))
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec timeout 60 \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_zongjie"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(took < TIME_LIMIT, "{args:?} took {took:?}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    Run {
        code: out.status.code(),
        stderr,
    }
}

/// Asserts exit 1 and returns stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let run = bounded(dir, args);
    assert_eq!(run.code, Some(1), "{args:?}\n{}", run.stderr);
    run.stderr
}

const DOC: &str = "doc: {title: 测试, year: 2022, issuer: 某局}\nintro: 正文。\n";

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("dir");
    }
    std::fs::write(path, text).expect("write");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_wherever_it_is_read() {
    let dir = temp("hostile-fifo");
    write(&dir.join("data/r.yaml"), DOC);
    let pipe = "is a named pipe (FIFO), not a regular file";

    // As a data file in a data folder (and given by name).
    mkfifo(&dir.join("data/pipe.yaml"));
    let err = fails(&dir, &["check", "data"]);
    assert!(
        err.contains(&format!("error: data/pipe.yaml {pipe}; only regular files are read as a data file\n  --> data/pipe.yaml\n")),
        "{err}"
    );
    let err = fails(&dir, &["build", "data/pipe.yaml", "--format", "md"]);
    assert!(err.contains(pipe), "{err}");
    std::fs::remove_file(dir.join("data/pipe.yaml")).expect("rm");

    // As an import: located at the import.
    write(
        &dir.join("imp/r.yaml"),
        &format!("{DOC}imports: {{上年: prev.yaml}}\n"),
    );
    mkfifo(&dir.join("imp/prev.yaml"));
    let err = fails(&dir, &["check", "imp/r.yaml"]);
    assert!(
        err.contains(&format!("error: import `上年`: imp/prev.yaml {pipe}")),
        "{err}"
    );
    assert!(err.contains("--> imp/r.yaml:3:15"), "{err}");

    // As a template, a profile (given and found next to the data) and a font.
    mkfifo(&dir.join("summary.md.tera"));
    std::fs::create_dir_all(dir.join("tpl")).expect("dir");
    std::fs::rename(dir.join("summary.md.tera"), dir.join("tpl/summary.md.tera")).expect("mv");
    let err = fails(&dir, &["check", "data", "--templates", "tpl"]);
    assert!(
        err.contains(&format!(
            "tpl/summary.md.tera {pipe}; only regular files are read as a template"
        )),
        "{err}"
    );
    mkfifo(&dir.join("profile.yaml"));
    let err = fails(
        &dir,
        &[
            "build",
            "data",
            "--format",
            "md",
            "--profile",
            "profile.yaml",
        ],
    );
    assert!(
        err.contains(&format!(
            "profile.yaml {pipe}; only regular files are read as a layout profile"
        )),
        "{err}"
    );
    std::fs::rename(dir.join("profile.yaml"), dir.join("data/profile.yaml")).expect("mv");
    let err = fails(&dir, &["build", "data", "--format", "md"]);
    assert!(err.contains(&format!("data/profile.yaml {pipe}")), "{err}");
    std::fs::remove_file(dir.join("data/profile.yaml")).expect("rm");
    mkfifo(&dir.join("font.ttf"));
    let err = fails(
        &dir,
        &[
            "build",
            "data",
            "--format",
            "pdf",
            "--font-path",
            "font.ttf",
        ],
    );
    assert!(
        err.contains("font path font.ttf is a named pipe (FIFO)"),
        "{err}"
    );
    write(
        &dir.join("fonts.yaml"),
        "fonts:\n  body: {file: font.ttf}\n",
    );
    let err = fails(
        &dir,
        &[
            "build",
            "data",
            "--format",
            "pdf",
            "--profile",
            "fonts.yaml",
        ],
    );
    assert!(err.contains("font for role `body`"), "{err}");
    assert!(err.contains("is a named pipe (FIFO)"), "{err}");

    // In a --font-path folder, a FIFO is passed over (fontdb reads only
    // regular files) and the build goes on.
    std::fs::create_dir_all(dir.join("fontdir")).expect("dir");
    mkfifo(&dir.join("fontdir/pipe.ttf"));
    let run = bounded(
        &dir,
        &[
            "build",
            "data",
            "--format",
            "pdf",
            "--out",
            "pdf",
            "--font-path",
            "fontdir",
            "--ignore-system-fonts",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // An --import-root that is no folder is a usage error of its own.
    let err = fails(&dir, &["check", "data", "--import-root", "font.ttf"]);
    assert!(
        err.contains("error: --import-root: not a folder (or not there)\n  --> font.ttf"),
        "{err}"
    );
    // A data file swapped for a FIFO after a build: the skip check refuses it too.
    let built = bounded(&dir, &["build", "data", "--format", "md", "--out", "out"]);
    assert_eq!(built.code, Some(0), "{}", built.stderr);
    std::fs::remove_file(dir.join("data/r.yaml")).expect("rm");
    mkfifo(&dir.join("data/r.yaml"));
    let err = fails(&dir, &["build", "data", "--format", "md", "--out", "out"]);
    assert!(err.contains(&format!("data/r.yaml {pipe}")), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn devices_and_huge_files_are_refused_before_reading() {
    let dir = temp("hostile-huge");
    write(&dir.join("data/r.yaml"), DOC);
    symlink("/dev/zero", &dir.join("data/zero.yaml"));
    // Sparse: 2 GiB long, nothing written.
    std::fs::File::create(dir.join("data/huge.yaml"))
        .expect("create")
        .set_len(2 << 30)
        .expect("set_len");
    // Found in a folder, the link leads out of the project; named, the
    // device is refused.
    let err = fails(&dir, &["build", "data", "--format", "md", "--out", "out"]);
    assert!(
        err.contains("error: data/zero.yaml is a symbolic link leading out of the input folders"),
        "{err}"
    );
    let err = fails(&dir, &["check", "data/zero.yaml"]);
    assert!(
        err.contains("error: data/zero.yaml is a device, not a regular file; only regular files are read as a data file\n  --> data/zero.yaml\n"),
        "{err}"
    );
    std::fs::rename(dir.join("data/zero.yaml"), dir.join("zero.yaml")).expect("mv");
    let err = fails(&dir, &["build", "data", "--format", "md", "--out", "out"]);
    assert!(
        err.contains("error: file is larger than 8 MiB\n  --> data/huge.yaml\n"),
        "{err}"
    );
    assert!(err.contains("built 1, skipped 0, failed 1"), "{err}");
    // The same as imports, and a 2 GiB template.
    write(
        &dir.join("imp/r.yaml"),
        &format!("{DOC}imports: {{a: ../zero.yaml, b: ../data/huge.yaml}}\n"),
    );
    let err = fails(
        &dir,
        &[
            "check",
            "imp",
            "--import-root",
            "data",
            "--import-root",
            "/dev",
        ],
    );
    assert!(
        err.contains("import `a`: imp/../zero.yaml is a device"),
        "{err}"
    );
    assert!(
        err.contains("import `b`: file is larger than 8 MiB"),
        "{err}"
    );
    std::fs::create_dir_all(dir.join("tpl")).expect("dir");
    std::fs::File::create(dir.join("tpl/summary.md.tera"))
        .expect("create")
        .set_len(2 << 30)
        .expect("set_len");
    let err = fails(&dir, &["check", "imp", "--templates", "tpl"]);
    assert!(
        err.contains("file is larger than 1 MiB\n  --> tpl/summary.md.tera"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fanning_out_imports_end_fast_at_the_file_budget() {
    let dir = temp("hostile-fan");
    // Each file imports the next four times, 11 levels: 4^11 paths, 12 files.
    for i in 0..11 {
        let next = format!("f{}.yaml", i + 1);
        let imports = ["a", "b", "c", "d"]
            .map(|a| format!("{a}: {next}"))
            .join(", ");
        write(
            &dir.join(format!("data/f{i}.yaml")),
            &format!("metrics: {{m{i}: 1个}}\nimports: {{{imports}}}\n"),
        );
    }
    write(&dir.join("data/f11.yaml"), "metrics: {z: 1个}\n");
    write(
        &dir.join("data/doc.yaml"),
        &format!("{DOC}imports: {{top: f0.yaml}}\n"),
    );
    let err = fails(&dir, &["build", "data/doc.yaml", "--format", "md"]);
    assert!(
        err.contains("the document pulls in more than 256 files through its imports\n  --> data/f"),
        "{err}"
    );
    // Three levels (85 paths) build, each file read once.
    write(
        &dir.join("data/doc.yaml"),
        &format!("{DOC}imports: {{top: f8.yaml}}\n"),
    );
    let run = bounded(&dir, &["build", "data/doc.yaml", "--format", "md"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The 1-based column of `value` in `line`.
#[cfg(unix)]
fn column(line: &str, value: &str) -> usize {
    line[..line.find(value).expect("in line")].chars().count() + 1
}

#[cfg(unix)]
#[test]
fn imports_outside_the_project_are_refused_without_quoting_them() {
    let dir = temp("hostile-outside");
    let secret = "SECRET-7f3a: do-not-print";
    write(&dir.join("private/secret.yaml"), &format!("{secret}\n"));
    write(&dir.join("data/notes.txt"), &format!("{secret}\n"));
    let imports = "imports: {a: /etc/passwd, b: /proc/self/environ, c: ../../private/secret.yaml, d: ../../private/none.yaml, f: ../notes.txt}";
    write(&dir.join("data/sub/r.yaml"), &format!("{DOC}{imports}\n"));
    let outside = "is outside the project (the folders of the data files given)";
    for args in [
        &["check", "data/sub/r.yaml"][..],
        &["check", "data"],
        &["build", "data", "--format", "md", "--out", "out"],
    ] {
        let err = fails(&dir, args);
        assert!(!err.contains("SECRET"), "{args:?}: {err}");
        assert!(!err.contains("root:"), "{args:?}: {err}");
        for (alias, target) in [
            ("a", "/etc/passwd"),
            ("b", "/proc/self/environ"),
            ("c", "../../private/secret.yaml"),
            ("d", "../../private/none.yaml"),
        ] {
            assert!(
                err.contains(&format!("error: import `{alias}`: ")),
                "{args:?} {alias}: {err}"
            );
            let at = format!("--> data/sub/r.yaml:3:{}\n", column(imports, target));
            assert!(err.contains(&at), "{args:?} {alias}: {at} in {err}");
        }
        assert!(err.contains(outside), "{err}");
        assert!(err.contains("--import-root FOLDER"), "{err}");
        assert!(!Path::new(&dir.join("out/r.md")).exists());
    }
    // Named on the command line, a file that is no data file is not read.
    let err = fails(&dir, &["check", "data/notes.txt"]);
    assert!(
        err.contains("error: data/notes.txt is not a data file (.yaml or .yml)\n"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");
    // From the data folder, the text file is inside the project but no data file.
    let err = fails(&dir, &["check", "data"]);
    assert!(
        err.contains("import `f`: data/sub/../notes.txt is not a data file (.yaml or .yml)"),
        "{err}"
    );
    // A link inside the project that resolves outside it: refused as an
    // import, and as a data file found in the folder.
    symlink("../private/secret.yaml", &dir.join("data/link.yaml"));
    write(
        &dir.join("data/sub/r.yaml"),
        &format!("{DOC}imports: {{e: ../link.yaml}}\n"),
    );
    let err = fails(&dir, &["check", "data/sub/r.yaml", "--import-root", "data"]);
    assert!(
        err.contains(&format!("import `e`: data/sub/../link.yaml {outside}")),
        "{err}"
    );
    let err = fails(&dir, &["check", "data"]);
    assert!(
        err.contains("error: data/link.yaml is a symbolic link leading out of the input folders"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");
    std::fs::remove_file(dir.join("data/link.yaml")).expect("rm");
    // Allowed explicitly, the file is read (and, being no report data, fails
    // to parse: its line is shown, since the user let it in).
    write(
        &dir.join("data/sub/r.yaml"),
        &format!("{DOC}imports: {{c: ../../private/secret.yaml}}\n"),
    );
    let err = fails(&dir, &["check", "data", "--import-root", "private"]);
    assert!(!err.contains(outside), "{err}");
    assert!(
        err.contains("--> data/sub/../../private/secret.yaml:1:"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_data_folder_are_walked_once() {
    let dir = temp("hostile-loops");
    write(&dir.join("data/r.yaml"), DOC);
    write(&dir.join("data/sub/s.yaml"), DOC);
    symlink(".", &dir.join("data/l1"));
    symlink(".", &dir.join("data/l2"));
    symlink("..", &dir.join("data/sub/up"));
    symlink("self", &dir.join("data/self"));
    let run = bounded(&dir, &["build", "data", "--format", "md", "--out", "out"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("built 2, skipped 0, failed 0"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("overwrite"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn upper_case_names_are_found_and_an_empty_folder_fails() {
    let dir = temp("hostile-names");
    write(&dir.join("data/R.YAML"), DOC);
    write(&dir.join("data/b.Yml"), DOC);
    let run = bounded(&dir, &["check", "data"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("checked 2 file(s)"), "{}", run.stderr);
    std::fs::create_dir_all(dir.join("empty/sub")).expect("dir");
    write(&dir.join("empty/notes.txt"), "x");
    write(&dir.join("empty/profile.yaml"), "grid: {}\n");
    for command in ["check", "build"] {
        let err = fails(&dir, &[command, "empty"]);
        assert!(err.contains("error: no data files in empty\n"), "{err}");
        assert!(
            err.contains("hint: put the report's data files (*.yaml) there"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A font the user names is read, not mapped: truncating it while a PDF
/// build runs cannot kill the process with SIGBUS (exit 135 / a signal).
#[test]
fn a_font_truncated_during_the_build_cannot_crash_it() {
    let dir = temp("hostile-truncated-font");
    write(&dir.join("data/r.yaml"), DOC);
    let font = common::root().join("fonts/NotoSerifSC-Regular.otf");
    for (i, delay) in [50u64, 100, 200, 400].into_iter().enumerate() {
        let real = dir.join(format!("real{i}.otf"));
        std::fs::copy(&font, &real).expect("copy font");
        write(
            &dir.join(format!("p{i}.yaml")),
            &format!("fonts:\n  body: {{file: real{i}.otf}}\n"),
        );
        let start = Instant::now();
        let child = common::in_english(&mut Command::new("sh"))
            .arg("-c")
            .arg(format!(
                "ulimit -v {MEMORY_LIMIT_KIB} && exec timeout 60 \"$0\" \"$@\""
            ))
            .arg(env!("CARGO_BIN_EXE_zongjie"))
            .args(["build", "data/r.yaml", "--format", "pdf"])
            .args(["--profile", &format!("p{i}.yaml"), "--ignore-system-fonts"])
            .args(["--out", &format!("out{i}")])
            .current_dir(&dir)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        std::thread::sleep(Duration::from_millis(delay));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&real)
            .expect("open font")
            .set_len(1000)
            .expect("truncate");
        let out = child.wait_with_output().expect("waits");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(start.elapsed() < TIME_LIMIT, "took {:?}", start.elapsed());
        // Built from the bytes read before, or refused as no font: never a signal.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "delay {delay} ms: {:?}\n{stderr}",
            out.status
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A profile found next to the data, or a template in the default
/// `templates/` folder, that links out of the project is refused without
/// quoting it; named on the command line it is the user's choice, but a
/// profile that is no .yaml/.yml/.toml file is still never quoted.
#[cfg(unix)]
#[test]
fn found_profiles_and_default_templates_linking_out_are_refused_unquoted() {
    use std::os::unix::fs::symlink;
    let dir = temp("hostile-found-links");
    write(&dir.join("data/r.yaml"), DOC);
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "TOKEN=hunter2\0PASS=x\nroot:x:0:0:root\n").expect("write");
    let outside = temp("hostile-found-links-outside");
    let passwd = outside.join("passwd");
    std::fs::write(&passwd, "root:x:0:0:root:/root:/bin/sh\n").expect("write");
    let no_secret = |stderr: &str| {
        for s in ["hunter2", "root:x:0:0"] {
            assert!(!stderr.contains(s), "quoted {s}: {stderr}");
        }
    };
    for (name, target) in [("profile.yaml", &passwd), ("zongjie.yaml", &passwd)] {
        let link = dir.join("data").join(name);
        symlink(target, &link).expect("link");
        for args in [
            &["check", "data"][..],
            &["build", "data/r.yaml", "--format", "md", "--out", "o"][..],
        ] {
            let err = fails(&dir, args);
            assert!(
                err.contains(&format!(
                    "the profile data/{name} leads outside the project"
                )),
                "{err}"
            );
            assert!(err.contains("give it with --profile"), "{err}");
            no_secret(&err);
        }
        std::fs::remove_file(&link).expect("rm");
    }
    // Named on the command line: read, but a file that is no profile by
    // name (or real path) is not quoted.
    let link = dir.join("data/zongjie.yaml");
    symlink(&passwd, &link).expect("link");
    let err = fails(&dir, &["check", "data", "--profile", "data/zongjie.yaml"]);
    assert!(err.contains("is not a layout profile"), "{err}");
    no_secret(&err);
    std::fs::remove_file(&link).expect("rm");
    let secret_s = secret.to_str().expect("utf-8");
    let err = fails(&dir, &["check", "data", "--profile", secret_s]);
    assert!(
        err.contains("NUL byte") || err.contains("not a layout profile"),
        "{err}"
    );
    no_secret(&err);
    // A template of the default folder linking out is refused; --templates
    // names the folder on purpose.
    std::fs::create_dir_all(dir.join("templates")).expect("dir");
    symlink(&passwd, dir.join("templates/annual.md.tera")).expect("link");
    let err = fails(&dir, &["build", "data", "--format", "md", "--out", "o"]);
    assert!(
        err.contains("the template templates/annual.md.tera leads outside the project"),
        "{err}"
    );
    no_secret(&err);
    assert!(!dir.join("o/r.md").exists());
    let run = bounded(
        &dir,
        &[
            "build",
            "data",
            "--format",
            "md",
            "--out",
            "o",
            "--templates",
            "templates",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // A link that stays inside the data's folder is followed as before.
    std::fs::remove_dir_all(dir.join("templates")).expect("rm");
    std::fs::create_dir_all(dir.join("data/profiles")).expect("dir");
    std::fs::write(
        dir.join("data/profiles/p.yaml"),
        "grid: {indent_chars: x}\n",
    )
    .expect("write");
    symlink("profiles/p.yaml", dir.join("data/profile.yaml")).expect("link");
    let err = fails(&dir, &["check", "data/r.yaml", "--ignore-system-fonts"]);
    assert!(err.contains("`grid.indent_chars` takes a number"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&outside);
}
