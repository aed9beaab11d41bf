//! `zongjie build` through the real binary: every requested format is
//! written, twice the same bytes, and `init` writes editable templates that
//! `build` then uses.

use std::path::Path;

mod common;
use common::temp;

fn zongjie(dir: &Path, args: &[&str]) -> (i32, String) {
    let r = common::zongjie(dir, args);
    (r.code, r.stderr)
}

#[test]
fn build_writes_every_format_deterministically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = temp("build");
    let out_s = out.to_str().unwrap();
    let args = [
        "build",
        "data",
        "--format",
        "md,html,pdf",
        "--ignore-system-fonts",
        "--force",
        "--out",
        out_s,
    ];
    let (code, stderr) = zongjie(root, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built 2, skipped 0, failed 0"), "{stderr}");
    let html = std::fs::read_to_string(out.join("lishui-2022.html")).unwrap();
    assert!(html.contains("丽水市卫生健康委员会2022年工作总结和2023年工作要点"));
    let outputs = || -> Vec<Vec<u8>> {
        let names = ["lishui-2022", "wenzhou-2023-tasks"];
        let files = names
            .iter()
            .flat_map(|n| ["md", "html", "pdf"].map(|ext| format!("{n}.{ext}")));
        files.map(|f| std::fs::read(out.join(f)).unwrap()).collect()
    };
    let first = outputs();
    zongjie(root, &args);
    let second = outputs();
    assert_eq!(first, second);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn init_writes_templates_that_build_uses() {
    let dir = temp("init");
    let (code, stderr) = zongjie(&dir, &["init"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("templates/annual.md.tera").exists());
    assert!(dir.join("templates/page.html.tera").exists());
    // Edit a template: the build picks it up from templates/.
    let section = dir.join("templates/_parts.md.tera");
    let text = std::fs::read_to_string(&section).unwrap();
    std::fs::write(
        &section,
        text.replace(
            "## {{ part.label | safe }}{{ part.title }}",
            "## 第{{ part.label | safe }}部分 {{ part.title }}",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lishui-2022.yaml"),
        dir.join("data/lishui-2022.yaml"),
    )
    .unwrap();
    let (code, stderr) = zongjie(&dir, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let md = std::fs::read_to_string(dir.join("output/lishui-2022.md")).unwrap();
    assert!(md.contains("## 第一、部分 2022年卫生健康工作总结"), "{md}");
    // A broken template is reported with its file and line.
    std::fs::write(
        &section,
        "{% for part in parts %}{{ part.nope }}{% endfor %}",
    )
    .unwrap();
    let (code, stderr) = zongjie(&dir, &["build"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("templates/_parts.md.tera:1:"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Fonts are resolved only for a format that needs them: a Markdown build
/// never reads them, nor a DOCX build (a profile's font file that is no
/// font fails HTML and PDF only).
#[test]
fn an_md_only_build_does_not_touch_fonts() {
    let dir = temp("md-no-fonts");
    std::fs::write(dir.join("r.yaml"), "doc: {title: 测试}\nintro: 正文。\n").unwrap();
    std::fs::write(dir.join("bad.otf"), "not a font\n").unwrap();
    std::fs::write(dir.join("p.yaml"), "fonts:\n  body: {file: bad.otf}\n").unwrap();
    let bad_fonts = ["--profile", "p.yaml", "--out", "o"];
    // The DOCX names the faces and reads no font file either.
    let (code, stderr) = zongjie(
        &dir,
        &[&["build", "r.yaml", "--format", "md,docx"][..], &bad_fonts].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.join("o/r.md").is_file());
    assert!(dir.join("o/r.docx").is_file());
    for format in ["html", "pdf"] {
        let (code, stderr) = zongjie(
            &dir,
            &[&["build", "r.yaml", "--format", format][..], &bad_fonts].concat(),
        );
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(stderr.contains("fonts:"), "{format}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
