//! Arbitrary bytes as a layout profile: `profile::parse_profile` (YAML, or
//! TOML when the first byte is odd) must return a profile or an error,
//! never panic; an accepted profile must validate, and lay out and write a
//! small document (title, headings, body, a table, signature) with the
//! bundled fonts without panicking, with finite numbers on every page.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zongjie::fonts::FontSet;

const DOC: &str = "# 丽水市卫生健康委员会2022年工作总结和2023年工作要点\n\n## 一、2022年工作总结\n\n**一是托育服务。**全市托位达3.88万个，同比增长21.3%。\n\n| 序号 | 任务 | 目标 |\n|---|---|---|\n| 1 | 托位建设 | 4万个 |\n\n丽水市卫生健康委员会\n\n2023年1月6日\n";

fn fonts() -> &'static FontSet {
    static F: OnceLock<FontSet> = OnceLock::new();
    F.get_or_init(FontSet::bundled)
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = if first % 2 == 1 {
        Path::new("/nonexistent-zongjie-fuzz/zongjie.toml")
    } else {
        Path::new("/nonexistent-zongjie-fuzz/profile.yaml")
    };
    let Ok(profile) = zongjie::profile::parse_profile(text, path) else {
        return;
    };
    assert!(profile.validate().is_ok(), "an accepted profile validates");
    for n in profile.numbers() {
        assert!(n.value.is_finite() && n.value >= n.min && n.value <= n.max, "{n:?}");
    }
    let doc = zongjie::doc::parse(DOC);
    let laid = zongjie::pdf::layout(&doc, &profile, fonts()).expect("a valid profile lays out");
    for page in &laid.pages {
        assert!(page.width.is_finite() && page.height.is_finite());
        for line in &page.lines {
            assert!(line.baseline.is_finite(), "{line:?}");
            assert!(line.glyphs.iter().all(|g| g.x.is_finite() && g.box_w.is_finite()));
        }
        for r in &page.rules {
            assert!(r.width.is_finite() && r.width >= 0.0, "{r:?}");
        }
    }
    let options = zongjie::pdf::PdfOptions::default();
    let out = zongjie::pdf::render(&doc, &profile, fonts(), &options).expect("a valid profile renders");
    assert!(out.bytes.starts_with(b"%PDF-"));
});
