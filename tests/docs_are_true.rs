//! The user docs say only what the binary does: every `zongjie <command>`
//! (and each `--flag` written with it) in the README and docs/ is a command
//! (and flag) of `zongjie --help`; docs/reference.md names exactly the data
//! keys of `zongjie schema`, the profile keys of `zongjie profile` and the
//! templates `zongjie init` writes; the guide's example data file and
//! profile build, and render the text the guide quotes. Each run is bounded
//! in time and memory (as in `tests/bad_inputs.rs`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

mod common;
use common::{root, temp};

const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// Runs `zongjie ARGS` in `dir`, bounded, asserting success; its stdout.
fn run(dir: &Path, args: &[&str]) -> String {
    let (out, _) = common::bounded(dir, args, &[], MEMORY_LIMIT_KIB, TIME_LIMIT);
    assert_eq!(
        out.status.code(),
        Some(0),
        "zongjie {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The user docs: the README and every Markdown file in docs/.
fn user_docs() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|e| format!("docs/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names.insert(0, "README.md".to_string());
    names
        .into_iter()
        .map(|n| (read(&n), n))
        .map(|(t, n)| (n, t))
        .collect()
}

/// The code of a Markdown text with its line numbers: each line of a
/// fenced block (its ` # ` comment cut off) and each inline `code` span.
fn code_of(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            let code = line.split(" # ").next().unwrap_or_default();
            out.push((i + 1, code.to_string()));
        } else {
            for (n, span) in line.split('`').enumerate() {
                if n % 2 == 1 {
                    out.push((i + 1, span.to_string()));
                }
            }
        }
    }
    out
}

/// Each `zongjie WORD REST` in a piece of code: the command word and the
/// `--flags` that follow it (up to a pipe, redirection or `&&`).
fn invocations(code: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("zongjie") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "zongjie".len()..];
        rest = after;
        if before.is_some_and(|c| !(c.is_whitespace() || "(\"'".contains(c))) {
            continue;
        }
        let Some(args) = after.strip_prefix(' ') else {
            continue;
        };
        let mut words = args.split_whitespace();
        let Some(command) = words.next() else {
            continue;
        };
        if !command.starts_with(|c: char| c.is_ascii_lowercase()) {
            continue;
        }
        let command = command.trim_end_matches(|c: char| !c.is_ascii_lowercase());
        let flags = words
            .take_while(|w| !["|", "&&", ";", ">", "#", "2>&1"].contains(w))
            .filter_map(|w| w.strip_prefix("--"))
            .map(|w| w.split(['=', '`', ',']).next().unwrap_or_default())
            .filter(|w| !w.is_empty())
            .map(|w| format!("--{w}"))
            .collect();
        out.push((command.to_string(), flags));
    }
    out
}

/// The command names `zongjie --help` lists.
fn commands(dir: &Path) -> BTreeSet<String> {
    let help = run(dir, &["--help"]);
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_and_flag_in_the_docs_exists() {
    let dir = temp("docs-commands");
    let known = commands(&dir);
    assert!(
        known.contains("build") && known.contains("import"),
        "{known:?}"
    );
    let mut help_of = std::collections::BTreeMap::new();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (name, text) in user_docs() {
        for (line, code) in code_of(&text) {
            for (command, flags) in invocations(&code) {
                seen += 1;
                if !known.contains(&command) {
                    wrong.push(format!(
                        "{name}:{line}: `zongjie {command}` is no command (known: {known:?})"
                    ));
                    continue;
                }
                let help = help_of
                    .entry(command.clone())
                    .or_insert_with(|| run(&dir, &[&command, "--help"]));
                for flag in flags {
                    let listed = help
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .any(|w| w == flag);
                    if !listed {
                        wrong.push(format!(
                            "{name}:{line}: `zongjie {command}` has no `{flag}` (see `zongjie {command} --help`)"
                        ));
                    }
                }
            }
        }
    }
    assert!(seen > 20, "only {seen} commands found in the docs");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_scanner_finds_commands_and_flags_only() {
    assert_eq!(
        invocations("zongjie build data --out smoke --format pdf,html | tee x --no"),
        vec![(
            "build".to_string(),
            vec!["--out".to_string(), "--format".to_string()]
        )]
    );
    assert!(invocations("zongjie.toml .zongjie-lock zongjie --version").is_empty());
    assert_eq!(invocations("(zongjie fonts)").len(), 1);
    let code = code_of("a `zongjie new` b\n```sh\nzongjie x # zongjie y\n```\n");
    assert_eq!(
        code,
        vec![(1, "zongjie new".to_string()), (3, "zongjie x".to_string())]
    );
}

/// The backticked first-column names of the table rows of `markdown`
/// between the heading `from` and the next `## ` heading.
fn table_keys(markdown: &str, from: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .skip_while(|l| *l != from)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|k| *k != "key" && !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every leaf of a YAML/JSON value as a dotted path (lists are leaves).
fn leaves(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(v, &path, out);
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

#[test]
fn the_reference_names_every_profile_key_and_no_other() {
    let dir = temp("docs-profile");
    let printed: serde_json::Value =
        serde_saphyr::from_str(&run(&dir, &["profile"])).expect("the profile is YAML");
    let mut keys = BTreeSet::new();
    leaves(&printed, "", &mut keys);
    let roles: BTreeSet<String> = printed["fonts"]
        .as_object()
        .expect("fonts")
        .keys()
        .cloned()
        .collect();
    let documented = table_keys(&read("docs/reference.md"), "## Profile");
    // `fonts.<role>.size_pt` stands for every role.
    let expanded: BTreeSet<String> = documented
        .iter()
        .flat_map(|k| match k.strip_prefix("fonts.<role>.") {
            Some(rest) => roles.iter().map(|r| format!("fonts.{r}.{rest}")).collect(),
            None => vec![k.clone()],
        })
        .collect();
    let unknown: Vec<_> = expanded.difference(&keys).collect();
    let missing: Vec<_> = keys.difference(&expanded).collect();
    assert!(
        unknown.is_empty(),
        "docs/reference.md names profile keys `zongjie profile` does not print: {unknown:?}"
    );
    assert!(
        missing.is_empty(),
        "docs/reference.md does not document these keys of `zongjie profile`: {missing:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_reference_names_every_data_key_and_no_other() {
    let dir = temp("docs-schema");
    let schema: serde_json::Value =
        serde_json::from_str(&run(&dir, &["schema"])).expect("the schema is JSON");
    fn properties(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k == "properties"
                        && let Some(p) = v.as_object()
                    {
                        out.extend(p.keys().cloned());
                    }
                    properties(v, out);
                }
            }
            serde_json::Value::Array(list) => list.iter().for_each(|v| properties(v, out)),
            _ => {}
        }
    }
    let mut keys = BTreeSet::new();
    properties(&schema, &mut keys);
    let documented = table_keys(&read("docs/reference.md"), "## Data file");
    let unknown: Vec<_> = documented.difference(&keys).collect();
    let missing: Vec<_> = keys.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "docs/reference.md names data keys `zongjie schema` does not have: {unknown:?}"
    );
    assert!(
        missing.is_empty(),
        "docs/reference.md does not document these keys of `zongjie schema`: {missing:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_reference_names_every_built_in_template() {
    let dir = temp("docs-templates");
    run(&dir, &["init", "."]);
    let written: BTreeSet<String> = std::fs::read_dir(dir.join("templates"))
        .expect("templates/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let documented = table_keys(&read("docs/reference.md"), "## Templates");
    assert_eq!(documented, written, "docs/reference.md's template table");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fenced block of `markdown` that starts right after a line holding
/// `marker` (the block's opening fence follows it).
fn block_after(markdown: &str, marker: &str) -> String {
    markdown
        .lines()
        .skip_while(|l| !l.contains(marker))
        .skip_while(|l| !l.trim_start().starts_with("```"))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_guides_example_builds_with_its_profile_and_says_what_it_renders() {
    let guide = read("docs/guide.zh.md");
    let dir = temp("docs-guide");
    let data = block_after(&guide, "下面是一份年度总结的骨架");
    assert!(data.contains("parts:"), "{data}");
    std::fs::write(dir.join("r.yaml"), &data).expect("data");
    let profile = block_after(&guide, "只留下要改的几项即可");
    assert!(profile.contains("page_number:"), "{profile}");
    std::fs::write(dir.join("profile.yaml"), &profile).expect("profile");
    // Found next to the data, as the guide says; every format, strict.
    run(
        &dir,
        &["build", "r.yaml", "--strict", "--ignore-system-fonts"],
    );
    let md = std::fs::read_to_string(dir.join("output/r.md")).expect("r.md");
    let joined: String = md.lines().collect();
    let quoted: String = guide
        .lines()
        .skip_while(|l| !l.starts_with("生成的正文是"))
        .skip(1)
        .filter_map(|l| l.strip_prefix("> "))
        .collect();
    assert!(quoted.len() > 40, "{quoted}");
    // The Markdown marks the lead and the item leads; the guide quotes text.
    let plain = joined.replace(['*', '\\'], "");
    assert!(
        plain.contains(&quoted),
        "the guide quotes\n{quoted}\nthe build gives\n{plain}"
    );
    assert!(dir.join("output/r.pdf").is_file() && dir.join("output/r.html").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
