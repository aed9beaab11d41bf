//! A newcomer's first hour: `zongjie new` starters for each genre build
//! under `--strict` with no warnings and never overwrite; `zongjie metrics`
//! lists every figure (text and JSON snapshots, with a stated value that
//! disagrees); the shipped examples pass `check --strict data/`. Every run
//! of the binary is bounded in time and memory.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

mod common;
use common::{root, temp};

const TIME_LIMIT: Duration = Duration::from_secs(120);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

fn run(dir: &Path, args: &[&str]) -> Output {
    common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT).0
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn new_starters_build_under_strict_with_no_warnings() {
    let dir = temp("newcomer-new");
    for genre in ["annual", "half-year", "tasks"] {
        let file = format!("{genre}.yaml");
        let o = run(&dir, &["new", &file, "--genre", genre]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(text.starts_with("# yaml-language-server: $schema=zongjie.schema.json\n"));
        // Every field used is explained on at least one line of its own.
        let key = |l: &str| {
            let l = l.trim_start().trim_start_matches("- ");
            let (k, _) = l.split_once(':')?;
            (!k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .then(|| k.to_string())
        };
        let used: BTreeSet<String> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(key)
            .collect();
        let explained: BTreeSet<String> = text
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" # "))
            .filter_map(key)
            .collect();
        let unexplained: Vec<&String> = used.difference(&explained).collect();
        assert!(
            unexplained.is_empty(),
            "{genre}: {unexplained:?} have no comment"
        );
        for args in [
            vec!["check", "--strict", &file],
            vec![
                "build",
                "--strict",
                &file,
                "--out",
                "o",
                "--ignore-system-fonts",
            ],
        ] {
            let o = run(&dir, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
            assert!(
                !err.contains("warning:") && !err.contains("error:"),
                "{args:?}: {err}"
            );
        }
        for ext in ["md", "html", "pdf"] {
            assert!(
                dir.join(format!("o/{genre}.{ext}")).is_file(),
                "{genre}.{ext}"
            );
        }
    }
    // The schema its first line names is written next to it, and is ours.
    let schema = std::fs::read_to_string(dir.join("zongjie.schema.json")).unwrap();
    assert_eq!(schema, zongjie::SCHEMA);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn new_never_overwrites_and_says_so() {
    let dir = temp("newcomer-exists");
    std::fs::write(dir.join("r.yaml"), "mine\n").unwrap();
    let o = run(&dir, &["new", "r.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("r.yaml") && err.contains("exists already"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("r.yaml")).unwrap(),
        "mine\n"
    );
    // A dangling link, a folder, a name that is not *.yaml: refused too.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("link.yaml")).unwrap();
    std::fs::create_dir(dir.join("folder.yaml")).unwrap();
    for name in ["link.yaml", "folder.yaml", "r.txt", "missing/r.yaml"] {
        let o = run(&dir, &["new", name]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
    }
    assert!(!dir.join("nowhere").exists());
    assert_eq!(
        run(&dir, &["new", "x.yaml", "--genre", "weekly"])
            .status
            .code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_empty_file_points_at_zongjie_new() {
    let dir = temp("newcomer-empty");
    std::fs::write(dir.join("r.yaml"), "# nothing yet\n").unwrap();
    let err = stderr(&run(&dir, &["check", "r.yaml"]));
    assert!(
        err.contains("`zongjie new report.yaml` writes a commented example"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_shipped_examples_pass_check_strict() {
    let o = run(root(), &["check", "--strict", "data/"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("checked 2 file(s): 0 failed, 0 warning(s)"),
        "{err}"
    );
    assert!(!err.contains("warning:"), "{err}");
}

/// Display columns where each field of a table line starts (fields are
/// separated by two or more spaces).
fn field_starts(line: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut spaces = 2;
    for (i, c) in line.char_indices() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if spaces >= 2 {
            starts.push(zongjie::columns::width(&line[..i]));
        }
        spaces = 0;
    }
    starts
}

const HALF: &str = "tests/fixtures/features/half.yaml";

#[test]
fn metrics_table_lists_every_figure_and_the_disagreement() {
    let o = run(root(), &["metrics", HALF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout.clone()).unwrap();
    insta::assert_snapshot!("metrics_table", table);
    // Columns line up by display width (Chinese takes two columns): the
    // first seven fields of the header and of every row start at the same
    // display columns.
    let starts: BTreeSet<Vec<usize>> = table
        .lines()
        .take(7)
        .map(|l| field_starts(l)[..7].to_vec())
        .collect();
    assert_eq!(starts.len(), 1, "{table}");
    // The warning is on stderr as `check` gives it.
    assert!(stderr(&o).contains("disagrees with the computed 25.0%"));
}

#[test]
fn metrics_json_is_stable_and_complete() {
    let o = run(root(), &["metrics", HALF, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!("metrics_json", text);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let metrics = json["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 6);
    for m in metrics {
        // (serde_json's map sorts the keys; the snapshot shows their order.)
        let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "change",
                "disagreements",
                "key",
                "line",
                "of",
                "plan",
                "prev",
                "rate",
                "share",
                "value",
                "yoy"
            ]
        );
    }
    let wrong = &metrics[5];
    assert_eq!(wrong["key"], "错误陈述");
    assert_eq!(
        wrong["disagreements"],
        serde_json::json!([{"attribute": "同比", "stated": "10%", "computed": "25.0%", "line": 17, "col": 42}])
    );
    // Same input, same bytes.
    let again = run(root(), &["metrics", HALF, "--json"]);
    assert_eq!(again.stdout, text.as_bytes());
}

#[test]
fn metrics_of_a_broken_file_exits_1_with_located_errors() {
    let dir = temp("newcomer-metrics");
    std::fs::write(
        dir.join("r.yaml"),
        "metrics:\n  甲: {value: 5个, plan: 3元}\n",
    )
    .unwrap();
    let o = run(&dir, &["metrics", "r.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("r.yaml:2:"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let o = run(&dir, &["metrics", "missing.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing.yaml"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn profile_values_take_obvious_spellings_and_errors_say_where_once() {
    let dir = temp("newcomer-profile");
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试报告, issuer: 某委, year: 2022}\nintro: 好。\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("center.yaml"),
        "page_number:\n  placement: center\n",
    )
    .unwrap();
    let o = run(
        &dir,
        &["check", "--strict", "r.yaml", "--profile", "center.yaml"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(
        dir.join("bad.yaml"),
        "page_number:\n  placement: sideways\n",
    )
    .unwrap();
    let o = run(&dir, &["check", "r.yaml", "--profile", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.yaml:2:14"), "{err}");
    assert!(
        err.contains("unknown variant `sideways`") && err.contains("center"),
        "{err}"
    );
    assert!(
        !err.contains("line 2 column"),
        "the place is said once: {err}"
    );
    // `zongjie profile` comments every key.
    let o = run(&dir, &["profile"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("placement: alternate   # alternate (odd pages right, even left) | centred")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_example_renders_what_the_readme_says_with_full_width_marks() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let from = readme.find("## A report in YAML").unwrap();
    let start = from + readme[from..].find("```yaml\n").unwrap() + "```yaml\n".len();
    let yaml = &readme[start..start + readme[start..].find("```").unwrap()];
    assert!(yaml.contains("section: （一）"), "{yaml}");
    let said = readme[start..]
        .split("renders `")
        .nth(1)
        .and_then(|r| r.split('`').next())
        .unwrap();
    let templates = zongjie::render::Templates::load(None).unwrap();
    let c = zongjie::build::compile_source(Path::new("readme.yaml"), yaml.as_bytes(), &templates)
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let text = zongjie::doc::parse(&c.markdown).plain_paragraphs();
    assert!(text.iter().any(|p| p == said), "{said}\n{text:#?}");
    assert!(said.starts_with("（一）"));
}
