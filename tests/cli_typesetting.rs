//! Typesetting settings through the real binary: the printed default
//! profile round-trips, a profile next to the data changes the PDF,
//! SOURCE_DATE_EPOCH dates it, and `zongjie fonts` names every role.

use std::path::{Path, PathBuf};

mod common;
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, Vec<u8>) {
    let r = common::zongjie_env(dir, args, env);
    (r.code, r.stderr, r.stdout)
}

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zongjie-typeset-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wenzhou-2023-tasks.yaml"),
        dir.join("data/tasks.yaml"),
    )
    .unwrap();
    dir
}

fn pdf(dir: &Path, env: &[(&str, &str)]) -> Vec<u8> {
    let (code, stderr, _) = run(
        dir,
        &[
            "build",
            "--format",
            "pdf",
            "--ignore-system-fonts",
            "--force",
        ],
        env,
    );
    assert_eq!(code, 0, "{stderr}");
    std::fs::read(dir.join("output/tasks.pdf")).unwrap()
}

#[test]
fn printed_default_profile_round_trips_and_overrides_apply() {
    let dir = project("profile");
    let (code, _, yaml) = run(&dir, &["profile"], &[]);
    assert_eq!(code, 0);
    let text = String::from_utf8(yaml).unwrap();
    let parsed = zongjie::profile::parse_profile(&text, Path::new("profile.yaml")).expect("parses");
    assert_eq!(parsed, zongjie::profile::Profile::default());
    let plain = pdf(&dir, &[]);
    std::fs::write(dir.join("data/profile.yaml"), text).unwrap();
    assert_eq!(
        pdf(&dir, &[]),
        plain,
        "the defaults written out change nothing"
    );
    std::fs::write(
        dir.join("data/zongjie.toml"),
        "[table]\nline_pitch_pt = 24.0\n",
    )
    .unwrap();
    std::fs::remove_file(dir.join("data/profile.yaml")).unwrap();
    assert_ne!(pdf(&dir, &[]), plain, "a profile next to the data is used");
    std::fs::write(
        dir.join("data/zongjie.toml"),
        "[table]\nline_pich_pt = 24.0\n",
    )
    .unwrap();
    let (code, stderr, _) = run(
        &dir,
        &["build", "--format", "pdf", "--ignore-system-fonts"],
        &[],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("data/zongjie.toml:2:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn source_date_epoch_dates_the_pdf() {
    let dir = project("epoch");
    let a = pdf(&dir, &[("SOURCE_DATE_EPOCH", "86400")]);
    assert!(
        a.windows(10).any(|w| w == b"D:19700102"),
        "creation date from SOURCE_DATE_EPOCH"
    );
    assert_eq!(
        pdf(&dir, &[("SOURCE_DATE_EPOCH", "86400")]),
        a,
        "same inputs, same bytes"
    );
    let b = pdf(&dir, &[("SOURCE_DATE_EPOCH", "1700000000")]);
    assert!(b.windows(10).any(|w| w == b"D:20231114"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fonts_command_names_every_role() {
    let dir = project("fonts");
    let (code, stderr, out) = run(&dir, &["fonts", "--ignore-system-fonts"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let out = String::from_utf8(out).unwrap();
    for role in [
        "title",
        "body",
        "heading1",
        "heading2",
        "page_number",
        "table",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(role) && l.contains("bundled")),
            "{role} in\n{out}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
