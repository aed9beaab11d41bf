//! Bad input through the real binary: exit code 1 and a diagnostic that
//! names file:line:col with a snippet and a hint (stderr is snapshotted).

mod common;
fn zongjie(args: &[&str]) -> (i32, String, String) {
    let r = common::zongjie(common::root(), args);
    (
        r.code,
        String::from_utf8_lossy(&r.stdout).into_owned(),
        r.stderr,
    )
}

fn check_fails(file: &str, location: &str) -> String {
    let path = format!("tests/fixtures/errors/{file}");
    let located = format!(
        "tests/fixtures/errors/{}:{location}",
        if file == "cycle-a.yaml" {
            "cycle-b.yaml"
        } else {
            file
        }
    );
    let (code, _, stderr) = zongjie(&["check", &path]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&located), "expected {located} in\n{stderr}");
    assert!(stderr.contains("= hint:"), "{stderr}");
    stderr
}

#[test]
fn unknown_metric_reference() {
    insta::assert_snapshot!(check_fails("unknown-metric.yaml", "7:21"));
}

#[test]
fn unknown_field() {
    insta::assert_snapshot!(check_fails("unknown-field.yaml", "4:3"));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(check_fails("wrong-type.yaml", "3:9"));
}

#[test]
fn wrong_shape() {
    insta::assert_snapshot!(check_fails("wrong-shape.yaml", "5:15"));
}

#[test]
fn yaml_syntax_error() {
    insta::assert_snapshot!(check_fails("yaml-syntax.yaml", "4:"));
}

#[test]
fn import_cycle() {
    let stderr = check_fails("cycle-a.yaml", "1:14");
    assert!(
        stderr.contains("cycle-a.yaml → cycle-b.yaml → cycle-a.yaml"),
        "{stderr}"
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn unit_mismatch() {
    insta::assert_snapshot!(check_fails("unit-mismatch.yaml", "2:"));
}

#[test]
fn build_writes_nothing_on_error() {
    let out = std::env::temp_dir().join(format!("zongjie-cli-{}", std::process::id()));
    let (code, _, _) = zongjie(&[
        "build",
        "tests/fixtures/errors/unknown-metric.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

#[test]
fn short_and_json_formats() {
    let (code, _, stderr) = zongjie(&[
        "check",
        "--diagnostic-format",
        "short",
        "tests/fixtures/errors/unknown-field.yaml",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("tests/fixtures/errors/unknown-field.yaml:4:3: error: unknown field `yaer` (hint: did you mean `year`?)"), "{stderr}");
    let (_, _, stderr) = zongjie(&[
        "check",
        "--diagnostic-format",
        "json",
        "tests/fixtures/errors/unknown-field.yaml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stderr).expect("json");
    assert_eq!(json[0]["line"], 4);
    assert_eq!(json[0]["col"], 3);
}

#[test]
fn usage_errors_exit_2_and_good_data_exits_0() {
    assert_eq!(zongjie(&["build", "--no-such-flag"]).0, 2);
    let (code, _, stderr) = zongjie(&["check", "data/lishui-2022.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, _) = zongjie(&["check", "--strict", "data/lishui-2022.yaml"]);
    assert_eq!(code, 0, "the shipped example has no warnings");
    let (code, _, _) = zongjie(&[
        "check",
        "--strict",
        "tests/fixtures/errors/w-ascii-punctuation.yaml",
    ]);
    assert_eq!(code, 1, "warnings fail under --strict");
}

/// A project folder with `r.yaml` and one template overridden by `text`.
fn with_template(name: &str, file: &str, text: &str) -> std::path::PathBuf {
    let dir = common::temp(name);
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试, issuer: 单位, year: 2022}\nintro: 好。\n",
    )
    .unwrap();
    std::fs::write(dir.join("templates").join(file), text).unwrap();
    dir
}

#[test]
fn a_broken_page_template_is_located_in_it_by_check_and_build() {
    let page = "<html>\n<body>\n{{ body | }}\n</body></html>\n";
    let dir = with_template("page-syntax", "page.html.tera", page);
    for args in [
        &["check", "r.yaml"][..],
        &["build", "r.yaml", "--format", "html", "--out", "o"],
    ] {
        let run = common::zongjie(&dir, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.took < std::time::Duration::from_secs(20));
        assert!(
            run.stderr
                .contains("error: template: Found `}}` but expected identifier.\n  --> templates/page.html.tera:3:11\n"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("\\n"), "{}", run.stderr);
        assert!(
            run.stderr.contains("= hint: fix the template syntax"),
            "{}",
            run.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    // An unknown variable fails the page's render, located, with the
    // page template's own variables as the hint.
    let dir = with_template("page-var", "page.html.tera", "<p>\n  {{ nope }}</p>\n");
    for args in [
        &["check", "r.yaml"][..],
        &["build", "r.yaml", "--format", "html", "--out", "o"],
    ] {
        let run = common::zongjie(&dir, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("  --> templates/page.html.tera:2:6\n"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("the page template sees `lang`"),
            "{}",
            run.stderr
        );
    }
    assert!(!dir.join("o/r.html").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_include_is_located_at_the_include_and_names_the_templates() {
    let text = "# {{ doc.title }}\n\n{% include \"sub/_closing.md.tera\" %}\n";
    let dir = with_template("include", "annual.md.tera", text);
    let run = common::zongjie(&dir, &["check", "r.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "error: template: Unknown template `sub/_closing.md.tera`\n  --> templates/annual.md.tera:3:12\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("\\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `_closing.md.tera`?")
            && run
                .stderr
                .contains("known templates: _closing.md.tera, _front.md.tera"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
