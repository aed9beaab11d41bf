//! Helpers shared by the tests that run the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// What one run of `zongjie` did.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub took: Duration,
}

/// The locale variables that choose the language of messages: cleared for
/// every run here, so that tests read English unless they ask otherwise.
pub const LOCALE_VARS: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// `cmd` without the locale variables (see [`LOCALE_VARS`]).
pub fn in_english(cmd: &mut Command) -> &mut Command {
    for var in LOCALE_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// The binary as a command, its messages in English.
pub fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zongjie"));
    in_english(&mut cmd);
    cmd
}

/// Each line `child` writes to its (piped) stderr, as it comes, read on a
/// thread of its own; the channel closes when the child closes stderr.
pub fn stderr_lines(child: &mut std::process::Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// Runs `zongjie ARGS` in `dir` with extra environment variables.
pub fn zongjie_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let start = Instant::now();
    let out = binary()
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: start.elapsed(),
    }
}

/// Runs `zongjie ARGS` in `dir`.
pub fn zongjie(dir: &Path, args: &[&str]) -> Run {
    zongjie_env(dir, args, &[])
}

/// Runs `zongjie ARGS` in `dir` with extra environment variables under
/// `sh -c "ulimit -v MEMORY_KIB && exec zongjie ARGS"`, asserting that it
/// finished within `time_limit`; returns its output and how long it took.
pub fn bounded(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    memory_kib: u64,
    time_limit: Duration,
) -> (Output, Duration) {
    let start = Instant::now();
    let out = in_english(&mut Command::new("sh"))
        .arg("-c")
        .arg(format!("ulimit -v {memory_kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_zongjie"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("runs");
    let took = start.elapsed();
    assert!(
        took < time_limit,
        "{args:?} took {took:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out, took)
}

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty temp folder for one test.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The text of a PDF page's table header row (to check it repeats).
pub fn table_header(page: &zongjie::pdf::Page) -> String {
    let header = page
        .lines
        .iter()
        .filter(|x| matches!(x.kind, zongjie::pdf::LineKind::TableCell { row: 0, .. }));
    header.map(|x| x.text()).collect()
}
