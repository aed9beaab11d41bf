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
    assert_eq!(code, 1, "warnings fail under --strict");
}
