//! The command line's own words in both languages, through the binary: the
//! help (snapshots of `zongjie --help` and `zongjie build --help`), the
//! summary lines of `check` and `build`, a document's outcome line, and
//! the preview's log lines and error panel.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

/// A run whose environment says nothing of the language (`tests/common`
/// clears the locale variables): `--lang` alone chooses it.
fn run(dir: &Path, args: &[&str]) -> common::Run {
    common::zongjie(dir, args)
}

fn help(args: &[&str]) -> String {
    let out = run(common::root(), args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

#[test]
fn the_help_in_english() {
    insta::assert_snapshot!("help_en", help(&["--help", "--lang", "en"]));
    insta::assert_snapshot!("build_help_en", help(&["build", "--help", "--lang", "en"]));
}

#[test]
fn the_help_in_chinese() {
    let top = help(&["--help", "--lang", "zh"]);
    let build = help(&["build", "--help", "--lang", "zh"]);
    for text in [&top, &build] {
        assert!(text.contains("用法：zongjie"), "{text}");
        assert!(text.contains("\n选项：\n"), "{text}");
        for english in ["Usage", "Options", "Print help", "[default:", "[OPTIONS]"] {
            assert!(!text.contains(english), "{english} in\n{text}");
        }
    }
    insta::assert_snapshot!("help_zh", top);
    insta::assert_snapshot!("build_help_zh", build);
}

#[test]
fn a_bare_command_under_a_chinese_locale_shows_the_help() {
    let out = common::zongjie_env(
        common::root(),
        &[],
        &[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "zh_CN.UTF-8")],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("zongjie —— "), "{}", out.stderr);
    assert!(out.stderr.contains("\n命令：\n"), "{}", out.stderr);
    assert!(!out.stderr.contains("错误："), "{}", out.stderr);
}

#[test]
fn the_check_summary_in_both_languages() {
    let file = "tests/fixtures/errors/unknown-field.yaml";
    let last = |lang: &str| {
        let out = run(common::root(), &["check", file, "--lang", lang]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        out.stderr.lines().last().unwrap_or_default().to_string()
    };
    assert_eq!(last("en"), "checked 1 file(s): 1 failed, 0 warning(s)");
    assert_eq!(last("zh"), "检查了 1 个文件：1 个失败，0 个警告");
}

/// The line with its timing — the last parenthesis, `(12 ms)`, `（用时
/// 0.05 秒）` — replaced by `(T)` (a line without one as it is).
fn untimed(line: &str) -> String {
    match line.rfind(['(', '（']) {
        Some(at) => format!("{}(T)", &line[..at]),
        None => line.to_string(),
    }
}

const GOOD: &str = "doc: {title: 语言测试}\nparts:\n  - title: 工作总结\n    sections:\n      - lead: 一段\n        text: 正文。\n";

#[test]
fn the_build_lines_in_both_languages() {
    let dir = common::temp("build-lines-lang");
    std::fs::write(dir.join("good.yaml"), GOOD).expect("write");
    std::fs::write(
        dir.join("bad.yaml"),
        GOOD.replace("title: 语言", "titel: 语言"),
    )
    .expect("write");
    let build = |lang: &str, extra: &[&str]| -> Vec<String> {
        let mut args = vec!["build", "good.yaml", "bad.yaml", "--format", "md"];
        args.extend_from_slice(extra);
        args.extend(["--lang", lang]);
        let out = run(&dir, &args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        out.stderr.lines().map(untimed).collect()
    };
    let has = |lines: &[String], want: &str| {
        assert!(lines.iter().any(|l| l == want), "no {want:?} in {lines:#?}");
    };

    let zh = build("zh", &[]);
    has(&zh, "      已生成 good.yaml(T)");
    has(&zh, "        失败 bad.yaml(T)");
    has(&zh, "失败 1 个：bad.yaml");
    has(&zh, "生成 1 个，跳过 0 个（没有变化），失败 1 个(T)");
    let zh = build("zh", &[]);
    has(&zh, "    没有变化 good.yaml(T)");
    has(&zh, "生成 0 个，跳过 1 个（没有变化），失败 1 个(T)");
    let zh = build("zh", &["--check"]);
    has(&zh, "    是最新的 good.yaml(T)");
    has(
        &zh,
        "检查了 2 个文档：1 个是最新的，0 个需要重新生成，1 个失败(T)",
    );
    // The time's words too.
    let raw = run(
        &dir,
        &["build", "good.yaml", "--format", "md", "--lang", "zh"],
    );
    let line = raw.stderr.lines().next().unwrap_or_default();
    assert!(
        line.starts_with("    没有变化 good.yaml（") && line.ends_with(" 毫秒）"),
        "{line}"
    );
    let last = raw.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("（用时 ") && last.ends_with(" 秒）"),
        "{last}"
    );

    // English as it always was.
    std::fs::remove_dir_all(dir.join("output")).expect("clean");
    let en = build("en", &[]);
    has(&en, "      built good.yaml (T)");
    has(&en, "     FAILED bad.yaml (T)");
    has(&en, "failed 1: bad.yaml");
    has(&en, "built 1, skipped 0, failed 1 (T)");
    let en = build("en", &["--check"]);
    has(&en, "    current good.yaml (T)");
    has(
        &en,
        "checked 2 document(s): 1 current, 0 out of date, 1 failed (T)",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_out_of_date_output_in_chinese() {
    let dir = common::temp("stale-lang");
    std::fs::write(dir.join("r.yaml"), GOOD).expect("write");
    let out = run(
        &dir,
        &[
            "build", "r.yaml", "--format", "md", "--check", "--lang", "zh",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<String> = out.stderr.lines().map(untimed).collect();
    assert!(
        lines.contains(&"需要重新生成 r.yaml(T)".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"需要重新生成：output/r.md".to_string()),
        "{lines:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `GET /` of the preview at `port`: status and body.
fn get_page(port: u16) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = s.write_all(
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// The part of a preview log line after its `HH:MM:SS ` time.
fn after_time(line: &str) -> Option<&str> {
    let (time, rest) = line.split_once(' ')?;
    let clock = time.len() == 8
        && time.char_indices().all(|(i, c)| {
            if i == 2 || i == 5 {
                c == ':'
            } else {
                c.is_ascii_digit()
            }
        });
    clock.then_some(rest)
}

#[test]
fn the_preview_speaks_chinese() {
    let dir = common::temp("preview-lang");
    let file = dir.join("r.yaml");
    std::fs::write(&file, GOOD).expect("write");
    let mut child = common::binary()
        .args(["preview", "r.yaml", "--port", "0", "--lang", "zh"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let rx = common::stderr_lines(&mut child);
    let mut seen: Vec<String> = Vec::new();
    let mut until = |pred: &dyn Fn(&str) -> bool| -> Option<String> {
        let limit = Instant::now() + Duration::from_secs(20);
        while let Some(left) = limit.checked_duration_since(Instant::now()) {
            let line = rx.recv_timeout(left).ok()?;
            seen.push(line.clone());
            if pred(&line) {
                return Some(line);
            }
        }
        None
    };
    let built = until(&|l| after_time(l).is_some_and(|r| r.starts_with("已生成 r.yaml（")));
    let built = built.expect("the first build is logged in Chinese");
    assert!(built.ends_with(" 毫秒）"), "{built}");
    let banner = until(&|l| l.starts_with("正在预览 r.yaml，")).expect("the banner");
    let port: u16 = banner
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port in the banner");
    assert!(banner.ends_with("/ （按 Ctrl-C 停止）"), "{banner}");
    // (the watcher starts on its own thread)
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&file, GOOD.replace("title: 语言", "titel: 语言")).expect("write");
    let failed = until(&|l| after_time(l).is_some_and(|r| r.starts_with("生成失败 r.yaml:1:7：")));
    assert!(failed.is_some(), "the failure is logged in Chinese");
    let start = Instant::now();
    let (status, page) = loop {
        let (status, page) = get_page(port);
        if status == 500 || start.elapsed() > Duration::from_secs(15) {
            break (status, page);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status, 500, "{page}");
    assert!(page.contains("<h1>生成失败</h1>"), "{page}");
    assert!(
        page.contains("下面是上次成功生成的稿子（已变暗）；改正并保存后，页面会自动刷新。"),
        "{page}"
    );
    assert!(
        page.contains("正文。"),
        "the last good draft is kept: {page}"
    );
    for english in ["Build failed", "last good draft", "hint:"] {
        assert!(!page.contains(english), "{english} in {page}");
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}
