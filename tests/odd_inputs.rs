//! Good-but-odd inputs (`tests/fixtures/odd/`) build to Markdown, HTML and PDF:
//! BOM, CRLF, tabs in text, mixed full-/half-width punctuation, emoji and
//! rare CJK outside GB 2312, very long titles, an empty part, and (generated
//! here) 10,000 sections.

use std::path::Path;
use std::time::Duration;

mod common;
use common::temp;

fn zongjie(dir: &Path, args: &[&str]) -> (i32, String, Duration) {
    let r = common::zongjie(dir, args);
    (r.code, r.stderr, r.took)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn odd_inputs_build_to_markdown_html_and_pdf() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = temp("out");
    let out_s = out.to_str().expect("utf-8 temp path");
    let (code, stderr, took) = zongjie(
        root,
        &[
            "build",
            "tests/fixtures/odd",
            "--format",
            "md,html,pdf",
            "--out",
            out_s,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // The long title once never finished as PDF (every split was tried).
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert!(stderr.contains("built 8, skipped 0, failed 0"), "{stderr}");
    for stem in [
        "bom",
        "crlf",
        "bom-crlf",
        "tabs-in-text",
        "mixed-punctuation",
        "rare-characters",
        "long-title",
        "empty-part",
    ] {
        let md = read(&out.join(format!("{stem}.md")));
        let html = read(&out.join(format!("{stem}.html")));
        assert!(
            md.contains("全市托位达3.88万个，同比增长21.3%。"),
            "{stem}: {md}"
        );
        assert!(html.trim_end().ends_with("</html>"), "{stem}");
        let pdf = std::fs::read(out.join(format!("{stem}.pdf"))).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"), "{stem}");
        assert!(
            !md.contains('\r') && !html.contains('\r'),
            "{stem}: a CR survived"
        );
        assert!(
            !md.contains('\u{feff}') && !html.contains('\u{feff}'),
            "{stem}: a BOM survived"
        );
    }
    // BOM and CRLF change nothing.
    let plain = read(&out.join("bom.md"));
    assert_eq!(read(&out.join("crlf.md")), plain);
    assert_eq!(read(&out.join("bom-crlf.md")), plain);
    // Characters outside GB 2312 and emoji come through untouched.
    let html = read(&out.join("rare-characters.html"));
    for s in [
        "托育服务𠀀㐀龘",
        "喆𠮷祥🎉，䶮、𪚥、𰻞𰻞面，👍🏽 和 👨‍👩‍👧 都是文本。",
    ] {
        assert!(html.contains(s), "{s} missing");
    }
    // Mixed punctuation is kept as typed (with one summarised warning).
    assert!(
        read(&out.join("mixed-punctuation.html"))
            .contains("问题是什么?答案是:继续努力!“健康60”（二期）……——完成。")
    );
    assert!(
        stderr.contains("ASCII punctuation between Chinese characters"),
        "{stderr}"
    );
    // Tabs in text are kept as whitespace, not lost or turned into markup.
    assert!(read(&out.join("tabs-in-text.md")).contains("托育\t服务\t全面推进。"));
    // A long title is one heading.
    let md = read(&out.join("long-title.md"));
    assert!(
        md.lines()
            .any(|l| l.starts_with("# 丽水市卫生健康委员会关于") && l.ends_with("的工作总结")),
        "{md}"
    );
    // An empty part is a heading with nothing under it.
    assert!(
        read(&out.join("empty-part.md"))
            .trim_end()
            .ends_with("## 二、2023年工作要点")
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn ten_thousand_sections_are_refused_quickly_and_999_build() {
    let dir = temp("10k");
    let doc = |n: usize| -> String {
        let sections: String = (1..=n)
            .map(|i| format!("      - {{lead: 第{i}项工作, text: 正文内容第{i}段。}}\n"))
            .collect();
        format!("doc: {{title: 一万节}}\nparts:\n  - title: 总结\n    sections:\n{sections}")
    };
    std::fs::write(dir.join("many.yaml"), doc(10_000)).expect("write");
    let (code, stderr, took) = zongjie(
        &dir,
        &["build", "many.yaml", "--format", "md,html", "--out", "out"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("10000 sections in one part: a document takes at most 999"),
        "{stderr}"
    );
    assert!(
        stderr.contains("many.yaml:1004:"),
        "located at the first section past the limit: {stderr}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(!dir.join("out").exists(), "nothing written");
    // The most a part may hold still builds, and the labels go on: （九百九十九）.
    std::fs::write(dir.join("many.yaml"), doc(999)).expect("write");
    let (code, stderr, _) = zongjie(
        &dir,
        &["build", "many.yaml", "--format", "md,html", "--out", "out"],
    );
    assert_eq!(code, 0, "{stderr}");
    let html = read(&dir.join("out/many.html"));
    assert!(html.contains("（九百九十九）"), "the 999th label");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn characters_no_font_has_are_named_in_a_pdf_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = temp("rare-pdf");
    let out_s = out.to_str().expect("utf-8 temp path");
    let args = [
        "build",
        "tests/fixtures/odd/rare-characters.yaml",
        "--format",
        "pdf",
        "--ignore-system-fonts",
        "--out",
        out_s,
    ];
    let (code, stderr, _) = zongjie(root, &args);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::metadata(out.join("rare-characters.pdf")).is_ok_and(|m| m.len() > 1000));
    // The bundled faces cover the 通用规范汉字表: anything beyond is named,
    // never a silent blank, once per character, where the data has it.
    assert!(
        stderr.contains("no font has the character 𠀀 (U+20000): it prints as an empty box\n  --> tests/fixtures/odd/rare-characters.yaml:10:19\n"),
        "{stderr}"
    );
    // 喆 (in the 通用规范汉字表, not in GB 2312) prints from the bundled 宋
    // where FandolFang lacks it, and the notice says so, once.
    assert!(
        !stderr.contains("(U+5586)"),
        "喆 reported missing: {stderr}"
    );
    assert_eq!(stderr.matches("FandolFang lacks").count(), 1, "{stderr}");
    assert!(
        stderr.contains("喆") && stderr.contains("printed from Noto Serif CJK SC"),
        "{stderr}"
    );
    assert!(stderr.contains("(U+20BB7)"), "𠮷: {stderr}");
    assert_eq!(stderr.matches("(U+20000)").count(), 1, "{stderr}");
    // Zero-width joiners print nothing in any face: not reported.
    assert!(!stderr.contains("U+200D"), "{stderr}");
    // Under --strict the document fails and nothing is written.
    let strict = temp("rare-pdf-strict");
    let strict_s = strict.join("o");
    let strict_s = strict_s.to_str().expect("utf-8 temp path");
    let mut args = args.to_vec();
    args[6] = strict_s;
    args.push("--strict");
    let (code, stderr, _) = zongjie(root, &args);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("rare-characters.yaml:10:19"), "{stderr}");
    assert!(!strict.join("o/rare-characters.pdf").exists());
    let _ = std::fs::remove_dir_all(&strict);
    let _ = std::fs::remove_dir_all(&out);
}
