//! Every message in both languages: the source has no message text outside
//! `tr!` (a scan of `src/`), and the bad-input corpora, checked with
//! `--lang zh`, give diagnostics, hints and summaries that read as Chinese.
//! The language follows `--lang`, then LC_ALL, LC_MESSAGES and LANG.

use std::path::Path;

mod common;

/// The top-level arguments of the call whose argument text `s` begins
/// (up to its matching `)`; string literals and nesting respected), or
/// `None` when it does not close.
fn call_args(s: &str) -> Option<Vec<&str>> {
    let mut args = Vec::new();
    let (mut depth, mut in_str, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in s.char_indices() {
        if in_str {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                let last = s[start..i].trim();
                if !last.is_empty() {
                    args.push(last);
                }
                return Some(args);
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// Whether an argument is English text not given through `tr!`: a string
/// literal (or `format!` of one) with a word of three or more letters
/// outside its `{…}` placeholders.
fn english_literal(arg: &str) -> bool {
    let arg = arg.trim_start_matches('&');
    let literal = if let Some(rest) = arg.strip_prefix("format!(") {
        rest
    } else {
        arg
    };
    let Some(body) = literal.strip_prefix('"') else {
        return false;
    };
    let body = body.split('"').next().unwrap_or("");
    let mut outside = String::new();
    let mut depth = 0;
    for c in body.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3)
}

/// The calls whose message argument is user-facing text, and which of
/// their arguments it is (`usize::MAX`: the last).
const MESSAGE_CALLS: &[(&str, usize)] = &[
    ("Diagnostic::error(", usize::MAX),
    ("Diagnostic::warning(", usize::MAX),
    ("Diagnostic::new(", usize::MAX),
    ("Diagnostic::file_error(", usize::MAX),
    ("Diagnostic::about_file(", usize::MAX),
    (".with_hint(", 0),
    ("eprintln!(", 0),
    ("eprint!(", 0),
    ("println!(", 0),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_message_text_outside_tr() {
    let mut files = Vec::new();
    rust_files(&common::root().join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source");
        // Unit tests may say what they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for (call, which) in MESSAGE_CALLS {
            let mut from = 0;
            while let Some(at) = code[from..].find(call) {
                let start = from + at + call.len();
                from = start;
                let Some(parts) = call_args(&code[start..]) else {
                    continue;
                };
                let arg = if *which == usize::MAX {
                    parts.last()
                } else {
                    parts.get(*which)
                };
                if arg.is_some_and(|a| english_literal(a)) {
                    let line = code[..start].lines().count();
                    let name = file.strip_prefix(common::root()).unwrap_or(file);
                    found.push(format!(
                        "{}:{line}: {call}{}",
                        name.display(),
                        arg.unwrap_or(&"")
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} message(s) only in English (give both texts with tr!):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Whether one line of output reads as Chinese: it has Chinese in it, and
/// no three English words in a row once quoted names, code, paths and
/// options are taken out.
fn reads_as_chinese(line: &str) -> bool {
    let mut plain = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (None, '`') => quote = Some('`'),
            (None, '「') => quote = Some('」'),
            (None, '“') => quote = Some('”'),
            (None, '【') => quote = Some('】'),
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, c) => plain.push(c),
        }
    }
    let has_chinese = plain
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let words: Vec<&str> = plain
        .split(|c: char| c.is_whitespace() || "，。；：、（）()".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let englishy =
        |w: &str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '\'');
    let english_run = words.windows(3).any(|ws| ws.iter().all(|w| englishy(w)));
    has_chinese && !english_run
}

/// The message lines of `check`'s output: diagnostics, hints, summary.
fn message_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            let snippet = l.starts_with('|')
                || l.split_once(" |")
                    .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
            !(l.is_empty() || l.starts_with("-->") || snippet)
        })
        .collect()
}

fn corpus(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(common::root().join(folder))
        .expect("corpus")
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| format!("{folder}/{}", e.file_name().to_string_lossy()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_diagnostic_reads_as_chinese() {
    let mut offenders = Vec::new();
    let mut snapshots = Vec::new();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for folder in [
        "tests/fixtures/bad",
        "tests/fixtures/errors",
        "tests/fixtures/odd",
    ] {
        for file in corpus(folder) {
            runs.push(vec!["check".into(), file, "--ignore-system-fonts".into()]);
        }
    }
    for profile in corpus("tests/fixtures/bad-profiles") {
        runs.push(vec![
            "check".into(),
            "data/lishui-2022.yaml".into(),
            "--ignore-system-fonts".into(),
            "--profile".into(),
            profile,
        ]);
    }
    for args in &runs {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.extend(["--lang", "zh"]);
        let run = common::zongjie(common::root(), &args);
        for line in message_lines(&run.stderr) {
            if !reads_as_chinese(line) {
                offenders.push(format!("{}: {line}", args[1..].join(" ")));
            }
        }
        // The last path named is the case (data file or profile).
        let case = args
            .iter()
            .rev()
            .find(|a| a.starts_with("tests/fixtures/"))
            .expect("a corpus file");
        let name = case
            .trim_start_matches("tests/fixtures/")
            .replace('/', "__")
            .replace(".yaml", "")
            .replace(".toml", "-toml");
        snapshots.push((format!("zh__{name}"), run.stderr));
    }
    // The Chinese of every case, as the English is in bad_inputs' snapshots.
    for (name, stderr) in snapshots {
        insta::assert_snapshot!(name, stderr);
    }
    assert!(
        offenders.is_empty(),
        "{} line(s) not in Chinese:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

#[test]
fn the_locale_chooses_the_language_and_lang_overrides_it() {
    let file = "tests/fixtures/errors/unknown-field.yaml";
    let run = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["check", file];
        args.extend_from_slice(extra);
        let env: Vec<(&str, &str)> = [("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "")]
            .iter()
            .copied()
            .chain(env.iter().copied())
            .collect();
        common::zongjie_env(common::root(), &args, &env).stderr
    };
    let chinese = |s: &str| s.contains("错误：") && s.contains("检查了");
    let english = |s: &str| s.contains("error: ") && s.contains("checked 1 file(s)");
    assert!(chinese(&run(&[("LANG", "zh_CN.UTF-8")], &[])));
    assert!(chinese(&run(
        &[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")],
        &[]
    )));
    assert!(english(&run(
        &[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")],
        &[]
    )));
    assert!(english(&run(&[], &[])));
    assert!(english(&run(&[("LANG", "zh_CN.UTF-8")], &["--lang", "en"])));
    assert!(chinese(&run(&[("LANG", "en_US.UTF-8")], &["--lang=zh"])));
    // The help and clap's own errors follow too.
    let help = run(&[("LANG", "zh_CN.UTF-8")], &["--frob"]);
    assert!(help.contains("没有「--frob」这个选项"), "{help}");
    let help = run(&[], &["--frob"]);
    assert!(help.contains("unexpected argument '--frob'"), "{help}");
}

#[test]
fn the_reading_test_can_tell_english_from_chinese() {
    assert!(reads_as_chinese("错误：未知字段 `yaer`"));
    assert!(reads_as_chinese("  = 提示：是不是 `year`？"));
    assert!(!reads_as_chinese("error: unknown field `yaer`"));
    assert!(!reads_as_chinese("错误：cannot read the data file"));
    assert!(english_literal("\"cannot read {file}\""));
    assert!(english_literal("format!(\"no such {x} here\", x = 1)"));
    assert!(!english_literal("tr!(\"no such\", \"没有\")"));
    assert!(!english_literal("\"{a}: {b}\""));
    assert_eq!(
        call_args("a, \"x, (y\", f(b, c)) rest"),
        Some(vec!["a", "\"x, (y\"", "f(b, c)"])
    );
    assert_eq!(call_args("a, (b"), None);
}

#[test]
fn usage_errors_are_retold_in_chinese() {
    let zh = |args: &[&str]| {
        let run = common::zongjie_env(common::root(), args, &[("LANG", "zh_CN.UTF-8")]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        run.stderr
    };
    let said = zh(&["init", "a", "b"]);
    assert!(said.contains("错误：多余的参数「b」"), "{said}");
    let said = zh(&["build", "--frob"]);
    assert!(said.contains("错误：没有「--frob」这个选项"), "{said}");
    let said = zh(&["build", "--out", "o", "--out", "p"]);
    assert!(said.contains("只能给出一次"), "{said}");
    let said = zh(&["build", "--jobs", "abc"]);
    assert!(said.contains("「abc」无效：应当是一个整数"), "{said}");
    let said = zh(&["preview", "--port", "99999", "r.yaml"]);
    assert!(said.contains("99999 不在 0 到 65535 之间"), "{said}");
    let said = zh(&["build", "--out"]);
    assert!(
        said.contains("需要一个值") && !said.contains("可选的值"),
        "{said}"
    );
    // A value `--lang` does not take is refused in the locale's language.
    let said = zh(&["--lang", "fr", "build"]);
    assert!(said.starts_with("错误："), "{said}");
    assert!(
        reads_as_chinese(said.lines().next().unwrap_or("")),
        "{said}"
    );
}
