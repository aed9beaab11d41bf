//! The HTML page carries its fonts: every character a reader sees is in a
//! face embedded in the page (data URIs parsed back with ttf-parser), the
//! page stays small, its bytes are the same on every build, and the title
//! breaks where the PDF's does.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{root, temp};

/// Wall-clock bound per run of the (debug) binary.
const TIME_LIMIT: Duration = Duration::from_secs(30);
/// Address-space bound per run, in KiB (`ulimit -v`).
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;
/// The 20-page example's page must stay under this.
const PAGE_LIMIT: usize = 2 * 1024 * 1024;

fn build_html(data: &Path, out: &Path) -> String {
    let start = Instant::now();
    let run: Output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_zongjie"))
        .args([
            "build",
            "--format",
            "html",
            "--ignore-system-fonts",
            "--out",
        ])
        .arg(out)
        .arg(data)
        .current_dir(root())
        .output()
        .expect("runs");
    let took = start.elapsed();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(took < TIME_LIMIT, "took {took:?}");
    let name = data.file_stem().unwrap().to_string_lossy().into_owned();
    std::fs::read_to_string(out.join(format!("{name}.html"))).expect("page written")
}

/// Characters of the visible text no embedded face has.
fn uncovered(page: &str) -> Vec<char> {
    let fonts = zongjie::webfonts::embedded_fonts(page);
    assert!(!fonts.is_empty(), "no embedded fonts");
    let faces: Vec<ttf_parser::Face<'_>> = fonts
        .iter()
        .map(|(family, sfnt)| {
            ttf_parser::Face::parse(sfnt, 0).unwrap_or_else(|e| panic!("{family}: {e}"))
        })
        .collect();
    let mut chars: Vec<char> = zongjie::html::visible_text(page)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
        .into_iter()
        .filter(|&c| !faces.iter().any(|f| f.glyph_index(c).is_some()))
        .collect()
}

#[test]
fn every_character_of_the_example_pages_is_in_an_embedded_face() {
    for data in ["data/lishui-2022.yaml", "data/wenzhou-2023-tasks.yaml"] {
        let out = temp(&format!(
            "html-fonts-{}",
            data.trim_start_matches("data/").trim_end_matches(".yaml")
        ));
        let page = build_html(Path::new(data), &out);
        assert!(page.len() < PAGE_LIMIT, "{data}: {} bytes", page.len());
        let missing = uncovered(&page);
        assert!(missing.is_empty(), "{data}: not embedded: {missing:?}");
        let cjk = zongjie::html::visible_text(&page)
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count();
        assert!(cjk > 1000, "{data}: {cjk} hanzi");
        std::fs::remove_dir_all(&out).ok();
    }
}

#[test]
fn page_bytes_are_the_same_on_every_build_and_the_title_breaks_after_the_office() {
    let a = temp("html-fonts-a");
    let b = temp("html-fonts-b");
    let first = build_html(Path::new("data/lishui-2022.yaml"), &a);
    let second = build_html(Path::new("data/lishui-2022.yaml"), &b);
    assert!(first == second, "two builds differ");
    assert!(
        first.contains("<h1 class=\"title\">丽水市卫生健康委员会<br>"),
        "{}",
        &first[first.find("<h1").unwrap_or(0)..][..200]
    );
    // Each role's stack starts with an embedded face.
    for var in [
        "--body-font: \"zongjie-face-",
        "--title-font: \"zongjie-face-",
    ] {
        assert!(first.contains(var), "{var}");
    }
    std::fs::remove_dir_all(&a).ok();
    std::fs::remove_dir_all(&b).ok();
}

#[test]
fn characters_no_face_has_still_give_a_page() {
    let dir = temp("html-fonts-odd");
    let data = dir.join("odd.yaml");
    std::fs::copy(root().join("data/lishui-2022.yaml"), &data).unwrap();
    let text = std::fs::read_to_string(&data).unwrap();
    // A private-use character and an emoji: no bundled face has them.
    let text = text.replacen("丽水市卫生健康委员会", "丽水市卫生健康委员会\u{e000}🙂", 1);
    std::fs::write(&data, text).unwrap();
    let out = dir.join("out");
    let start = Instant::now();
    let run = common::binary()
        .args([
            "build",
            "--format",
            "html",
            "--ignore-system-fonts",
            "--out",
        ])
        .arg(&out)
        .arg(&data)
        .output()
        .expect("runs");
    assert!(start.elapsed() < TIME_LIMIT);
    let page = std::fs::read_to_string(out.join("odd.html"));
    match page {
        Ok(page) => {
            let missing = uncovered(&page);
            assert!(
                missing.iter().all(|&c| c == '\u{e000}' || c == '🙂'),
                "{missing:?}"
            );
        }
        Err(_) => assert!(
            !run.status.success(),
            "no page and no failure: {}",
            String::from_utf8_lossy(&run.stderr)
        ),
    }
    std::fs::remove_dir_all(&dir).ok();
}
