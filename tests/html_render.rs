//! The HTML writer on a full report (seed text of a 工作总结和工作要点 with a
//! task table attachment), through the public API.

use zongjie::doc::{self, Block};
use zongjie::html::{self, HtmlOptions};

const REPORT: &str = include_str!("fixtures/html/report.md");

fn render(md: &str) -> String {
    match html::render(
        &doc::parse(md),
        &HtmlOptions::default(),
        html::DEFAULT_PAGE_TEMPLATE,
    ) {
        Ok(page) => page,
        Err(e) => panic!("render failed: {e}"),
    }
}

use zongjie::html::visible_text;

#[test]
fn full_report_keeps_every_paragraph_in_order() {
    let page = render(REPORT);
    if let Ok(path) = std::env::var("ZONGJIE_HTML_OUT") {
        let _ = std::fs::write(path, &page);
    }
    let text = visible_text(&page);
    let doc = doc::parse(REPORT);
    let mut pos = 0;
    let mut checked = 0;
    for block in &doc.blocks {
        let pieces: Vec<String> = match block {
            Block::Table(t) => std::iter::once(&t.header)
                .chain(&t.rows)
                .flatten()
                .flatten()
                .cloned()
                .collect(),
            b => vec![b.plain_text()],
        };
        for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
            let Some(i) = text[pos..].find(&piece) else {
                panic!("missing or out of order: {piece}");
            };
            pos += i + piece.len();
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} pieces");
    // title and numbering are part of the text
    assert!(text.contains("丽水市卫生健康委员会2022年工作总结和2023年工作要点"));
    assert!(text.contains("一、2022年卫生健康工作总结"));
    assert!(text.contains("(一)落实落细疫情防控,牢牢守住底线。紧扣"));
    assert!(text.contains("*市卫健委、市发改委"));
    assert!(page.contains("class=\"watermark\""));
}

#[test]
fn data_text_never_becomes_markup() {
    // What the Markdown renderer emits for YAML text `<script>…` (escaped)
    // and what a careless template could emit (raw): both stay text.
    let md = "# 标题\n\n\\<script\\>alert(1)\\</script\\>\n\n<img src=x onerror=alert(2)>\n\n正文<svg onload=alert(3)>结束。\n";
    let page = render(md);
    for tag in ["<script", "<img", "<svg"] {
        assert!(!page.contains(tag), "{tag} in page");
    }
    let text = visible_text(&page);
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("<img src=x onerror=alert(2)>"), "{text}");
    assert!(text.contains("正文<svg onload=alert(3)>结束。"), "{text}");
}

#[test]
fn user_page_template_gets_the_variables() {
    let tpl = "<html><head><title>{{ title }}</title><style>{{ css_vars }}</style></head><body>{% if draft %}DRAFT{% endif %}{% for f in meta %}[{{ f.label }}={{ f.value }}]{% endfor %}{{ body }}</body></html>";
    let md = "---\ndraft: true\ndoc_no: 丽卫〔2023〕46号\n---\n\n# A & B\n\n正文。\n";
    let page = match html::render(&doc::parse(md), &HtmlOptions::default(), tpl) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert!(page.contains("<title>A &amp; B</title>"), "{page}");
    assert!(page.contains("DRAFT"));
    assert!(page.contains("[文号=丽卫〔2023〕46号]"));
    assert!(page.contains("<h1 class=\"title\">A &amp; B</h1>"));
    assert!(page.contains("--body-font: \"仿宋_GB2312\""));
}
