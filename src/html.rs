//! The HTML writer: doc tree → one self-contained HTML page (inline CSS, no
//! scripts, no external fetches) that looks like the printed document.
//!
//! The body markup is built here from the doc tree, every text escaped; the
//! page around it (head, stylesheet, watermark, metadata panel) comes from a
//! Tera page template (`templates/page.html.tera` by default, overridable),
//! which receives the body as a safe string plus the geometry and font stacks
//! of [`HtmlOptions`].

use std::fmt::{self, Write as _};

use crate::doc::{Block, Document, Run, RunKind, Table};
use crate::fonts::{FontSet, Role};

/// The default page template, embedded in the binary.
pub const DEFAULT_PAGE_TEMPLATE: &str = include_str!("../templates/page.html.tera");

/// Where page numbers go when printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumberPlacement {
    /// Odd pages right, even pages left, one character in (GB/T 9704).
    Outside,
    /// Centred on every page (single-sided printing).
    Centered,
    /// No page numbers.
    None,
}

/// Page geometry, sizes and font stacks. Defaults follow GB/T 9704-2012 as
/// described in `layout.md`; the layout profile fills these fields.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlOptions {
    /// `lang` attribute of the page.
    pub lang: String,
    pub page_width_mm: f64,
    pub page_height_mm: f64,
    pub margin_top_mm: f64,
    pub margin_right_mm: f64,
    pub margin_bottom_mm: f64,
    pub margin_left_mm: f64,
    /// Body text size (3号 = 16 pt).
    pub body_size_pt: f64,
    /// Title size (2号 = 22 pt).
    pub title_size_pt: f64,
    /// Table text size (4号 = 14 pt or 小4 = 12 pt are common).
    pub table_size_pt: f64,
    /// Page number size (4号 = 14 pt).
    pub page_number_size_pt: f64,
    /// Distance between baselines (225 mm / 22 lines ≈ 28.95 pt).
    pub line_pitch_pt: f64,
    /// Horizontal advance of one character (156 mm / 28 ≈ 15.79 pt); the
    /// difference to `body_size_pt` becomes letter spacing.
    pub char_pitch_pt: f64,
    /// First-line indent of paragraphs and headings, in characters.
    pub indent_chars: f64,
    /// Font stacks per role, official face first, generic family last.
    pub body_fonts: Vec<String>,
    pub title_fonts: Vec<String>,
    pub heading1_fonts: Vec<String>,
    pub heading2_fonts: Vec<String>,
    pub table_fonts: Vec<String>,
    pub page_number_fonts: Vec<String>,
    /// Whether `RunKind::Strong` item leads (一是…) are bold.
    pub strong_bold: bool,
    /// Whether level-3 headings (1.) are bold.
    pub heading3_bold: bool,
    /// Whether the title uses a bold weight (only where the face has one:
    /// synthetic bold is switched off).
    pub title_bold: bool,
    pub page_numbers: PageNumberPlacement,
    /// Show the metadata panel (索引号, 文号, …) on screen when present.
    pub show_metadata: bool,
    /// The widest title line as a fraction of the text width, and the
    /// fewest characters on its last line (the PDF's title breaking).
    pub title_max_width_fraction: f64,
    pub title_min_last_chars: usize,
}

/// A role's CSS font stack: the role's one lookup list
/// (`fonts::Role::families`) without file names or `:bold` suffixes, then
/// the generic family.
fn stack(role: crate::fonts::Role, generic: &str) -> Vec<String> {
    let mut out = css_names(&role.families());
    out.push(generic.to_string());
    out
}

/// Family names fit for CSS: file names (`simfang.ttf`) dropped, `:bold`
/// suffixes removed, each name once.
fn css_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.strip_suffix(":bold").unwrap_or(n).trim();
        if n.is_empty() || crate::fonts::is_file_name(n) || out.iter().any(|o| o == n) {
            continue;
        }
        out.push(n.to_string());
    }
    out
}

impl Default for HtmlOptions {
    fn default() -> Self {
        use crate::fonts::Role;
        HtmlOptions {
            lang: "zh-CN".into(),
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            margin_top_mm: 37.0,
            margin_right_mm: 26.0,
            margin_bottom_mm: 35.0,
            margin_left_mm: 28.0,
            body_size_pt: 16.0,
            title_size_pt: 22.0,
            table_size_pt: 14.0,
            page_number_size_pt: 14.0,
            line_pitch_pt: 28.95,
            char_pitch_pt: 15.79,
            indent_chars: 2.0,
            body_fonts: stack(Role::Body, "serif"),
            title_fonts: stack(Role::Title, "serif"),
            heading1_fonts: stack(Role::Heading1, "sans-serif"),
            heading2_fonts: stack(Role::Heading2, "serif"),
            table_fonts: stack(Role::Table, "serif"),
            page_number_fonts: stack(Role::PageNumber, "serif"),
            strong_bold: true,
            heading3_bold: false,
            title_bold: true,
            page_numbers: PageNumberPlacement::Outside,
            show_metadata: true,
            title_max_width_fraction: 1.0,
            title_min_last_chars: 3,
        }
    }
}

/// Why a page could not be rendered (only the page template can fail).
#[derive(Debug)]
pub enum HtmlError {
    /// The page template did not parse, failed to render or ran past its
    /// budget; `Templates::page_diagnostic` locates it in the template.
    Template(crate::render::RenderError),
}

impl fmt::Display for HtmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HtmlError::Template(e) => {
                f.write_str(&crate::tr!("page template: {e}", "网页模板：{e}"))
            }
        }
    }
}

impl std::error::Error for HtmlError {}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters that, right after a number, are its unit and stay on its line.
fn is_unit(c: char) -> bool {
    "年月日号个家人万亿元名次张辆例项批岁台所件条天倍%‰".contains(c)
}

/// Characters that join the letters and digits of one Latin or number run
/// (`1+5`, `3.2`, `COVID-19`, `5G+`, `50%`) where letters or digits follow,
/// or end it (`+`, `%`).
fn joins_run(c: char) -> bool {
    ".+-/:%".contains(c)
}

/// Escaped text in which a number and its unit (`2022年`, `14.02亿元`,
/// `50.3%`) and a capitalised or mixed run (`ICU`, `1+5`, `5G+`) are each kept on
/// one line (GB/T 15834) in a `nb` span; everything else is plain escaped
/// text.
pub fn text_html(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_alphanumeric() {
            let start = i;
            let (mut upper, mut lower, mut digit, mut joined) = (false, false, false, false);
            while i < chars.len() {
                let c = chars[i];
                let next_alnum = chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
                if c.is_ascii_alphanumeric() {
                    upper |= c.is_ascii_uppercase();
                    lower |= c.is_ascii_lowercase();
                    digit |= c.is_ascii_digit();
                } else if joins_run(c) && (next_alnum || "+%".contains(c)) {
                    joined = true;
                } else {
                    break;
                }
                i += 1;
                if "+%".contains(c) && !next_alnum {
                    break;
                }
            }
            let run_end = i;
            // Plain lower-case words stay plain: they do not break anyway.
            let mixed = upper || joined || (digit && lower);
            if chars[run_end - 1].is_ascii_digit() {
                while i < chars.len() && i - run_end < 2 && is_unit(chars[i]) {
                    i += 1;
                }
            }
            let token: String = chars[start..i].iter().collect();
            if i > run_end || (mixed && i - start >= 2) {
                out.push_str(&escape(&plain));
                plain.clear();
                let _ = write!(out, "<span class=\"nb\">{}</span>", escape(&token));
            } else {
                plain.push_str(&token);
            }
            continue;
        }
        plain.push(chars[i]);
        i += 1;
    }
    out.push_str(&escape(&plain));
    out
}

/// A CSS `font-family` value: names quoted and escaped (so nothing can close
/// the `<style>` element), generic families left bare.
pub fn font_family(names: &[String]) -> String {
    const GENERIC: [&str; 8] = [
        "serif",
        "sans-serif",
        "monospace",
        "cursive",
        "fantasy",
        "system-ui",
        "ui-serif",
        "ui-sans-serif",
    ];
    let mut out = String::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if GENERIC.contains(&name) {
            out.push_str(name);
            continue;
        }
        out.push('"');
        for c in name.chars() {
            match c {
                '"' | '\\' | '<' | '>' | '&' => {
                    let _ = write!(out, "\\{:x} ", c as u32);
                }
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        out.push('"');
    }
    if out.is_empty() { "serif".into() } else { out }
}

/// A CSS number: at most three decimals, trailing zeros dropped.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The CSS custom properties the page template's stylesheet reads
/// (`--body-font`, `--line-pitch`, …), as one declaration list.
pub fn css_variables(opts: &HtmlOptions) -> String {
    let vars: [(&str, String); 20] = [
        ("page-width", format!("{}mm", num(opts.page_width_mm))),
        ("page-height", format!("{}mm", num(opts.page_height_mm))),
        ("margin-top", format!("{}mm", num(opts.margin_top_mm))),
        ("margin-right", format!("{}mm", num(opts.margin_right_mm))),
        ("margin-bottom", format!("{}mm", num(opts.margin_bottom_mm))),
        ("margin-left", format!("{}mm", num(opts.margin_left_mm))),
        ("body-size", format!("{}pt", num(opts.body_size_pt))),
        ("title-size", format!("{}pt", num(opts.title_size_pt))),
        ("table-size", format!("{}pt", num(opts.table_size_pt))),
        ("line-pitch", format!("{}pt", num(opts.line_pitch_pt))),
        (
            "letter-spacing",
            format!("{}pt", num(opts.char_pitch_pt - opts.body_size_pt)),
        ),
        (
            "indent",
            format!("{}pt", num(opts.indent_chars * opts.char_pitch_pt)),
        ),
        ("body-font", font_family(&opts.body_fonts)),
        ("title-font", font_family(&opts.title_fonts)),
        ("heading1-font", font_family(&opts.heading1_fonts)),
        ("heading2-font", font_family(&opts.heading2_fonts)),
        ("table-font", font_family(&opts.table_fonts)),
        (
            "strong-weight",
            if opts.strong_bold { "700" } else { "400" }.into(),
        ),
        (
            "heading3-weight",
            if opts.heading3_bold { "700" } else { "400" }.into(),
        ),
        (
            "title-weight",
            if opts.title_bold { "700" } else { "400" }.into(),
        ),
    ];
    let mut out = String::new();
    for (name, value) in vars {
        let _ = write!(out, "--{name}: {value}; ");
    }
    out.trim_end().to_string()
}

/// The print rules that cannot use custom properties: `@page` size, margins
/// and the page-number margin boxes.
pub fn page_rules(opts: &HtmlOptions) -> String {
    let mut css = format!(
        "@page {{ size: {}mm {}mm; margin: {}mm {}mm {}mm {}mm; }}\n",
        num(opts.page_width_mm),
        num(opts.page_height_mm),
        num(opts.margin_top_mm),
        num(opts.margin_right_mm),
        num(opts.margin_bottom_mm),
        num(opts.margin_left_mm),
    );
    let font = font_family(&opts.page_number_fonts);
    let size = num(opts.page_number_size_pt);
    // The number's top sits 7 mm below the text block; "one character in"
    // is one character of the number's own size.
    let boxed = |place: &str, pad: &str| {
        format!(
            "@{place} {{ content: \"\\2014\\00a0\" counter(page) \"\\00a0\\2014\"; \
             font-family: {font}; font-size: {size}pt; vertical-align: top; \
             padding-top: 7mm; {pad} }}"
        )
    };
    match opts.page_numbers {
        PageNumberPlacement::Outside => {
            let _ = writeln!(
                css,
                "@page :right {{ {} }}\n@page :left {{ {} }}",
                boxed("bottom-right", "text-align: right; padding-right: 1em;"),
                boxed("bottom-left", "text-align: left; padding-left: 1em;"),
            );
        }
        PageNumberPlacement::Centered => {
            let _ = writeln!(
                css,
                "@page {{ {} }}",
                boxed("bottom-center", "text-align: center;")
            );
        }
        PageNumberPlacement::None => {}
    }
    css
}

/// One labelled line of the metadata panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaField {
    pub label: &'static str,
    pub value: String,
}

/// The metadata present in the front matter, labelled as on a government
/// site's information-disclosure page, in that page's order.
pub fn metadata_fields(doc: &Document) -> Vec<MetaField> {
    let m = &doc.meta;
    [
        ("索引号", &m.index_no),
        ("文号", &m.doc_no),
        ("组配分类", &m.category),
        ("发布机构", &m.issuer),
        ("成文日期", &m.written),
        ("公开方式", &m.disclosure),
        ("发布日期", &m.published),
        ("信息来源", &m.source),
    ]
    .into_iter()
    .filter_map(|(label, v)| {
        v.as_ref().map(|value| MetaField {
            label,
            value: value.clone(),
        })
    })
    .collect()
}

/// The document's title: the front matter's, else the first `Title` block.
pub fn document_title(doc: &Document) -> String {
    doc.meta
        .title
        .clone()
        .or_else(|| {
            doc.blocks.iter().find_map(|b| match b {
                Block::Title(t) => Some(t.clone()),
                _ => None,
            })
        })
        .unwrap_or_default()
}

/// The title's lines as the PDF breaks them (`pdf::title::break_title`):
/// the advances of the title role's faces (full and half widths without
/// fonts) at the title size and the grid's squeeze, within the text width
/// times `title_max_width_fraction`.
pub fn title_lines(title: &str, opts: &HtmlOptions, fonts: Option<&FontSet>) -> Vec<String> {
    let chars: Vec<char> = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let faces: Vec<ttf_parser::Face<'_>> = fonts
        .map(|f| {
            f.fallback_order(Role::Title)
                .filter_map(|i| f.faces.get(i))
                .filter_map(|face| ttf_parser::Face::parse(face.bytes(), face.index).ok())
                .collect()
        })
        .unwrap_or_default();
    let squeeze = if opts.body_size_pt > 0.0 {
        (opts.char_pitch_pt / opts.body_size_pt).min(1.0)
    } else {
        1.0
    };
    let size = opts.title_size_pt * squeeze;
    let em = |c: char| -> f64 {
        for face in &faces {
            if let Some(gid) = face.glyph_index(c) {
                let upem = f64::from(face.units_per_em().max(1));
                return face
                    .glyph_hor_advance(gid)
                    .map_or(1.0, |a| f64::from(a) / upem);
            }
        }
        if c.is_whitespace() || crate::pdf::linebreak::is_half_width(c) {
            0.5
        } else {
            1.0
        }
    };
    let widths: Vec<f64> = chars.iter().map(|&c| em(c) * size).collect();
    let text_width_pt =
        (opts.page_width_mm - opts.margin_left_mm - opts.margin_right_mm) * 72.0 / 25.4;
    let max = text_width_pt * opts.title_max_width_fraction.clamp(0.2, 1.0);
    crate::pdf::title::break_title(&chars, &widths, size, max, opts.title_min_last_chars)
        .into_iter()
        .map(|r| chars[r].iter().collect())
        .collect()
}

/// The title's markup: its lines (see [`title_lines`]) joined by `<br>`.
fn title_html(title: &str, opts: &HtmlOptions, fonts: Option<&FontSet>) -> String {
    title_lines(title, opts, fonts)
        .iter()
        .map(|l| text_html(l))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The body markup with default options and no fonts (see [`body_html_with`]).
pub fn body_html(doc: &Document) -> String {
    body_html_with(doc, &HtmlOptions::default(), None)
}

/// The body markup: one `<section class="sheet">` per printed page run
/// (a new one at every attachment and forced page break); titles broken
/// into lines as in the PDF, measured with `fonts` when given.
pub fn body_html_with(doc: &Document, opts: &HtmlOptions, fonts: Option<&FontSet>) -> String {
    let mut w = BodyWriter::default();
    w.open_sheet(false);
    let mut blocks = doc.blocks.iter().peekable();
    let mut after_label = false;
    while let Some(block) = blocks.next() {
        match block {
            Block::Title(t) => {
                let class = if after_label {
                    "title attachment-title"
                } else {
                    "title"
                };
                let _ = writeln!(
                    w.out,
                    "<h1 class=\"{class}\">{}</h1>",
                    title_html(t, opts, fonts)
                );
            }
            Block::Heading { level, text } => {
                let (tag, class) = match level {
                    0 | 1 => ("h2", "h1"),
                    2 => ("h3", "h2"),
                    3 => ("h4", "h3"),
                    _ => ("h5", "h4"),
                };
                let _ = writeln!(
                    w.out,
                    "<{tag} class=\"{class}\">{}</{tag}>",
                    text_html(text)
                );
            }
            Block::Paragraph(runs) => {
                w.out.push_str("<p>");
                for run in runs {
                    push_run(&mut w.out, run);
                }
                w.out.push_str("</p>\n");
            }
            Block::Table(t) => push_table(&mut w.out, t),
            Block::AttachmentLabel(label) => {
                w.close_sheet();
                w.open_sheet(true);
                let _ = writeln!(w.out, "<p class=\"attachment-label\">{}</p>", escape(label));
            }
            Block::PageBreak => {
                w.close_sheet();
                w.open_sheet(false);
            }
            Block::Signature(s) => {
                w.out.push_str("<div class=\"sign-block\">\n");
                let _ = writeln!(w.out, "<p class=\"signature\">{}</p>", escape(s));
                if let Some(Block::Date(d)) = blocks.peek() {
                    let _ = writeln!(w.out, "<p class=\"date\">{}</p>", escape(d));
                    blocks.next();
                }
                w.out.push_str("</div>\n");
            }
            Block::Date(d) => {
                let _ = writeln!(
                    w.out,
                    "<div class=\"sign-block\">\n<p class=\"date\">{}</p>\n</div>",
                    escape(d)
                );
            }
            Block::AttachmentNote(note) => push_attachment_note(&mut w.out, note),
        }
        after_label = matches!(block, Block::AttachmentLabel(_));
    }
    w.close_sheet();
    w.out
}

#[derive(Default)]
struct BodyWriter {
    out: String,
}

impl BodyWriter {
    fn open_sheet(&mut self, attachment: bool) {
        let class = if attachment {
            "sheet attachment"
        } else {
            "sheet"
        };
        let _ = writeln!(self.out, "<section class=\"{class}\">");
    }

    fn close_sheet(&mut self) {
        self.out.push_str("</section>\n");
    }
}

/// The 附件说明: the lead, then the entries in a column beside it, each
/// number hanging so a title's wrapped lines align under its first character.
fn push_attachment_note(out: &mut String, note: &crate::doc::AttachmentNote) {
    let _ = write!(
        out,
        "<div class=\"attachment-note\"><span class=\"note-lead\">{}</span><div class=\"note-entries\">",
        escape(&note.lead)
    );
    for e in &note.entries {
        let _ = write!(
            out,
            "<p><span class=\"note-number\">{}</span><span class=\"note-title\">{}</span></p>",
            escape(&e.number),
            text_html(&e.title)
        );
    }
    out.push_str("</div></div>\n");
}

fn push_run(out: &mut String, run: &Run) {
    let text = text_html(&run.text);
    match run.kind {
        RunKind::Body => out.push_str(&text),
        RunKind::Lead => {
            let _ = write!(out, "<span class=\"lead\">{text}</span>");
        }
        RunKind::Strong => {
            let _ = write!(out, "<strong class=\"item-lead\">{text}</strong>");
        }
    }
}

/// A cell's lines, one block each; a leading `*` (the lead unit) is wrapped
/// so it can be styled, and stays in the text.
fn push_cell(out: &mut String, tag: &str, class: &str, cell: &[String]) {
    let _ = write!(out, "<{tag} class=\"{class}\">");
    for line in cell {
        out.push_str("<span class=\"line\">");
        match line.strip_prefix('*') {
            Some(rest) => {
                let _ = write!(out, "<span class=\"lead-unit\">*</span>{}", text_html(rest));
            }
            None => out.push_str(&text_html(line)),
        }
        out.push_str("</span>");
    }
    let _ = write!(out, "</{tag}>");
}

/// Column class from the header text, so widths and alignment can follow
/// the 攻坚任务清单 columns (序号 / 项目名称 / 目标 / 举措 / 责任单位).
fn column_class(header: Option<&crate::doc::Cell>) -> &'static str {
    let text: String = header.map(|c| c.concat()).unwrap_or_default();
    if text.contains("序号") {
        "col-seq"
    } else if text.contains("名称") {
        "col-name"
    } else if text.contains("单位") {
        "col-unit"
    } else if text.contains("目标") {
        "col-goal"
    } else {
        "col-text"
    }
}

fn push_table(out: &mut String, t: &Table) {
    let columns = t
        .header
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let classes: Vec<&str> = (0..columns)
        .map(|i| column_class(t.header.get(i)))
        .collect();
    out.push_str("<table class=\"tasks\">\n<colgroup>");
    for class in &classes {
        let _ = write!(out, "<col class=\"{class}\">");
    }
    out.push_str("</colgroup>\n");
    if !t.header.is_empty() {
        out.push_str("<thead><tr>");
        for (i, cell) in t.header.iter().enumerate() {
            push_cell(
                out,
                "th",
                classes.get(i).copied().unwrap_or("col-text"),
                cell,
            );
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            push_cell(
                out,
                "td",
                classes.get(i).copied().unwrap_or("col-text"),
                cell,
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Renders the whole page without embedded fonts (see [`render_with_fonts`]).
pub fn render(
    doc: &Document,
    opts: &HtmlOptions,
    page_template: &str,
) -> Result<String, HtmlError> {
    render_with_fonts(doc, opts, None, page_template).map(|p| p.html)
}

/// A rendered page and what the writer has to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub html: String,
    /// Faces that could not be embedded, in plain words.
    pub warnings: Vec<String>,
}

/// The text each role sets on the page (the draft mark and the metadata
/// panel in the 黑体 role, the page numbers' digits and dashes in theirs).
pub fn role_texts(doc: &Document, opts: &HtmlOptions) -> Vec<(Role, String)> {
    let mut out: Vec<(Role, String)> = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Title(t) => out.push((Role::Title, t.clone())),
            Block::Heading { level, text } => {
                let role = match level {
                    0 | 1 => Role::Heading1,
                    2 => Role::Heading2,
                    _ => Role::Body,
                };
                out.push((role, text.clone()));
            }
            Block::Paragraph(runs) => {
                for run in runs {
                    let role = match run.kind {
                        RunKind::Lead => Role::Heading2,
                        RunKind::Body | RunKind::Strong => Role::Body,
                    };
                    out.push((role, run.text.clone()));
                }
            }
            Block::Table(t) => {
                out.push((Role::Heading1, t.header.iter().flatten().cloned().collect()));
                for row in &t.rows {
                    out.push((Role::Table, row.iter().flatten().cloned().collect()));
                }
            }
            Block::AttachmentLabel(l) => out.push((Role::Heading1, l.clone())),
            Block::Signature(s) | Block::Date(s) => out.push((Role::Body, s.clone())),
            Block::AttachmentNote(note) => {
                let entries = note.entries.iter();
                let text = entries.map(|e| format!("{}{}", e.number, e.title));
                out.push((Role::Body, note.lead.clone() + &text.collect::<String>()));
            }
            Block::PageBreak => {}
        }
    }
    if doc.meta.draft {
        out.push((Role::Heading1, "草稿".into()));
    }
    if opts.show_metadata {
        for f in metadata_fields(doc) {
            out.push((Role::Heading1, format!("{}{}", f.label, f.value)));
        }
    }
    if opts.page_numbers != PageNumberPlacement::None {
        out.push((Role::PageNumber, "—0123456789".into()));
    }
    out
}

/// Renders the whole page: the body built from `doc`, placed in
/// `page_template` (Tera, autoescaped) with these variables:
///
/// - `lang`, `title`, `draft` (bool), `meta` (list of `{label, value}`,
///   empty unless `show_metadata`): plain values, escaped on output;
/// - `body`, `css_vars` (`--name: value;` list), `page_rules` (`@page`
///   CSS), `font_faces` (`@font-face` rules): safe strings, inserted as
///   they are.
///
/// With `fonts`, the faces the page needs are embedded (subset, see
/// `webfonts`) and listed first in each role's stack, and the title is
/// measured with the title face.
pub fn render_with_fonts(
    doc: &Document,
    opts: &HtmlOptions,
    fonts: Option<&FontSet>,
    page_template: &str,
) -> Result<Page, HtmlError> {
    let tera = crate::render::page_tera(page_template)
        .map_err(|e| HtmlError::Template(crate::render::RenderError::Template(e)))?;
    let web = match fonts {
        Some(f) => {
            let texts = role_texts(doc, opts);
            let borrowed: Vec<(Role, &str)> = texts.iter().map(|(r, t)| (*r, t.as_str())).collect();
            crate::webfonts::embed(f, &borrowed)
        }
        None => crate::webfonts::WebFonts::default(),
    };
    let mut styled = opts.clone();
    for (role, stack) in [
        (Role::Body, &mut styled.body_fonts),
        (Role::Title, &mut styled.title_fonts),
        (Role::Heading1, &mut styled.heading1_fonts),
        (Role::Heading2, &mut styled.heading2_fonts),
        (Role::Table, &mut styled.table_fonts),
        (Role::PageNumber, &mut styled.page_number_fonts),
    ] {
        if let Some(families) = web.families.get(&role) {
            stack.splice(0..0, families.iter().cloned());
        }
    }
    let mut ctx = tera::Context::new();
    ctx.insert("lang", &opts.lang);
    ctx.insert("title", &document_title(doc));
    ctx.insert("draft", &doc.meta.draft);
    let fields = if opts.show_metadata {
        metadata_fields(doc)
    } else {
        Vec::new()
    };
    let meta: Vec<std::collections::BTreeMap<&str, &str>> = fields
        .iter()
        .map(|f| {
            [("label", f.label), ("value", f.value.as_str())]
                .into_iter()
                .collect()
        })
        .collect();
    ctx.insert("meta", &meta);
    ctx.insert_value(
        "body",
        tera::Value::safe_string(&body_html_with(doc, opts, fonts)),
    );
    ctx.insert_value(
        "css_vars",
        tera::Value::safe_string(&css_variables(&styled)),
    );
    ctx.insert_value("page_rules", tera::Value::safe_string(&page_rules(&styled)));
    ctx.insert_value("font_faces", tera::Value::safe_string(&web.rules));
    let budget = crate::render::Budget::DEFAULT;
    let html = crate::render::render_within(
        &std::sync::Arc::new(tera),
        crate::render::PAGE_TEMPLATE,
        ctx,
        &budget,
    )
    .map_err(HtmlError::Template)?;
    Ok(Page {
        html,
        warnings: web.warnings,
    })
}

impl HtmlOptions {
    /// The page geometry, sizes, faces and options of a layout profile, so
    /// the HTML draft and the PDF follow the same profile. Each role's font
    /// stack is the profile's families, then this writer's defaults.
    pub fn from_profile(p: &crate::profile::Profile) -> HtmlOptions {
        let d = HtmlOptions::default();
        let merge = |families: &[String], defaults: &[String]| -> Vec<String> {
            let mut out: Vec<String> = css_names(families);
            for f in defaults {
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
            out
        };
        let page = &p.page;
        HtmlOptions {
            page_width_mm: f64::from(page.width_mm),
            page_height_mm: f64::from(page.height_mm),
            margin_top_mm: f64::from(page.margin_top_mm),
            margin_left_mm: f64::from(page.margin_left_mm),
            margin_right_mm: f64::from(page.margin_right_mm()),
            margin_bottom_mm: f64::from(page.margin_bottom_mm()),
            body_size_pt: f64::from(p.fonts.body.size_pt),
            title_size_pt: f64::from(p.fonts.title.size_pt),
            table_size_pt: f64::from(p.fonts.table.size_pt),
            page_number_size_pt: f64::from(p.fonts.page_number.size_pt),
            line_pitch_pt: f64::from(p.grid.line_pitch_pt),
            char_pitch_pt: f64::from(p.char_pitch()),
            indent_chars: f64::from(p.grid.indent_chars),
            body_fonts: merge(&p.fonts.body.families, &d.body_fonts),
            title_fonts: merge(&p.fonts.title.families, &d.title_fonts),
            heading1_fonts: merge(&p.fonts.heading1.families, &d.heading1_fonts),
            heading2_fonts: merge(&p.fonts.heading2.families, &d.heading2_fonts),
            table_fonts: merge(&p.fonts.table.families, &d.table_fonts),
            page_number_fonts: merge(&p.fonts.page_number.families, &d.page_number_fonts),
            strong_bold: p.headings.strong_bold,
            heading3_bold: p.headings.heading3_bold,
            title_max_width_fraction: f64::from(p.title.max_width_fraction.clamp(0.2, 1.0)),
            title_min_last_chars: p.title.min_last_line_chars as usize,
            page_numbers: match (p.page_number.show, p.page_number.placement) {
                (false, _) => PageNumberPlacement::None,
                (true, crate::profile::PageNumberPlacement::Centred) => {
                    PageNumberPlacement::Centered
                }
                (true, _) => PageNumberPlacement::Outside,
            },
            ..d
        }
    }
}

/// The visible text of a page's `<body>`: tags removed, entities decoded,
/// line breaks dropped (what a reader sees, for checks and plain-text use).
pub fn visible_text(page: &str) -> String {
    let body = &page[page.find("<body").unwrap_or(0)..];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag && c != '\n' => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse;

    fn page(md: &str) -> String {
        match render(&parse(md), &HtmlOptions::default(), DEFAULT_PAGE_TEMPLATE) {
            Ok(html) => html,
            Err(e) => panic!("render failed: {e}"),
        }
    }

    #[test]
    fn script_and_img_onerror_are_text() {
        let md = "# <script>alert(1)</script>标题\n\n正文<img src=x onerror=alert(1)>。\n\n<script>alert(2)</script>\n\n| 序号 | 单位 |\n| --- | --- |\n| 1 | <b onmouseover=alert(3)>x</b> |\n";
        let html = page(md);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;标题"));
        assert!(html.contains("正文&lt;img src=x onerror=alert(1)&gt;。"));
        assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
        let text = visible_text(&html);
        assert!(
            text.contains("正文<img src=x onerror=alert(1)>。"),
            "{text}"
        );
        // the title in <head> is escaped by the template's autoescape
        assert!(
            html.contains("<title>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;标题</title>")
                || html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;标题</title>"),
            "{html}"
        );
    }

    #[test]
    fn metadata_and_font_names_cannot_break_out() {
        let md = "---\ntitle: \"a</title><script>x()</script>\"\ndoc_no: \"<i>丽卫〔2023〕46号\"\n---\n\n# 标题\n";
        let opts = HtmlOptions {
            body_fonts: vec!["Evil</style><script>y()</script>".into(), "serif".into()],
            ..HtmlOptions::default()
        };
        let html = match render(&parse(md), &opts, DEFAULT_PAGE_TEMPLATE) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<i>"), "{html}");
        assert_eq!(html.matches("</style>").count(), 1, "{html}");
        assert!(html.contains("丽卫〔2023〕46号"));
    }

    #[test]
    fn leads_strong_headings_and_title() {
        let md = "# 丽水市卫生健康委员会2022年工作总结\n\n## 一、2022年卫生健康工作总结\n\n*（一）落实落细疫情防控，牢牢守住底线*。紧扣要求。**一是围绕大病重病少出市**。4家医院。\n\n### （二）分项\n";
        let html = page(md);
        assert!(html.contains("<h1 class=\"title\">丽水市卫生健康委员会<span class=\"nb\">2022年</span>工作总结</h1>"), "{html}");
        assert!(html.contains(
            "<h2 class=\"h1\">一、<span class=\"nb\">2022年</span>卫生健康工作总结</h2>"
        ));
        assert!(html.contains(
            "<p><span class=\"lead\">（一）落实落细疫情防控，牢牢守住底线。</span>紧扣要求。<strong class=\"item-lead\">一是围绕大病重病少出市。</strong><span class=\"nb\">4家</span>医院。</p>"
        ), "{html}");
        assert!(html.contains("<h3 class=\"h2\">（二）分项</h3>"));
        assert!(html.contains("<title>丽水市卫生健康委员会2022年工作总结</title>"));
    }

    #[test]
    fn strong_weight_follows_option() {
        let mut opts = HtmlOptions::default();
        assert!(css_variables(&opts).contains("--strong-weight: 700;"));
        opts.strong_bold = false;
        assert!(css_variables(&opts).contains("--strong-weight: 400;"));
        let html = match render(&parse("**一是**。\n"), &opts, DEFAULT_PAGE_TEMPLATE) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        assert!(html.contains("--strong-weight: 400;"));
        assert!(html.contains("var(--strong-weight)"));
    }

    #[test]
    fn task_table_lines_and_lead_unit() {
        let md = "| 序号 | 项目名称 | 攻坚举措 | 责任单位 |\n| --- | --- | --- | --- |\n| 1 | 医学高峰建设 | ①新增三甲医院2家<br>②促进优质医疗资源有序扩容 | \\*市卫健委、市发改委 |\n";
        let html = page(md);
        assert!(html.contains("<table class=\"tasks\">"));
        assert!(html.contains("<col class=\"col-seq\"><col class=\"col-name\"><col class=\"col-text\"><col class=\"col-unit\">"), "{html}");
        assert!(html.contains(
            "<td class=\"col-text\"><span class=\"line\">①新增三甲医院<span class=\"nb\">2家</span></span><span class=\"line\">②促进优质医疗资源有序扩容</span></td>"
        ), "{html}");
        assert!(
            html.contains("<span class=\"lead-unit\">*</span>市卫健委、市发改委"),
            "{html}"
        );
        assert!(html.contains("<thead><tr><th class=\"col-seq\">"));
    }

    #[test]
    fn attachment_starts_a_new_sheet_with_page_break() {
        let md = "# 总结\n\n正文。\n\n<!-- zongjie:attachment -->\n附件1\n\n# 攻坚任务清单\n\n<!-- zongjie:pagebreak -->\n\n后文。\n";
        let html = page(md);
        let body = body_html(&parse(md));
        assert_eq!(body.matches("<section class=\"sheet").count(), 3, "{body}");
        assert!(body.contains("<section class=\"sheet attachment\">\n<p class=\"attachment-label\">附件1</p>\n<h1 class=\"title attachment-title\">攻坚任务清单</h1>"), "{body}");
        assert!(html.contains("break-before: page"));
        assert!(
            html.contains("@page { size: 210mm 297mm; margin: 37mm 26mm 35mm 28mm; }"),
            "{html}"
        );
    }

    #[test]
    fn attachment_note_hangs_its_numbers() {
        let md = "正文。\n\n<!-- zongjie:attachment-note -->\n附件：1. 2024年重点工作任务清单\\\n2. <b>项目</b>表\n\n<!-- zongjie:signature -->\n某委\n";
        let body = body_html(&parse(md));
        assert!(body.contains("<div class=\"attachment-note\"><span class=\"note-lead\">附件：</span><div class=\"note-entries\"><p><span class=\"note-number\">1. </span><span class=\"note-title\"><span class=\"nb\">2024年</span>重点工作任务清单</span></p><p><span class=\"note-number\">2. </span><span class=\"note-title\">&lt;b&gt;项目&lt;/b&gt;表</span></p></div></div>\n<div class=\"sign-block\">"), "{body}");
        let html = page(md);
        assert!(html.contains(".attachment-note { display: flex; margin-top: var(--line-pitch); padding-left: var(--indent); }"), "{html}");
    }

    #[test]
    fn signature_and_date_grouped() {
        let md = "正文。\n\n<!-- zongjie:signature -->\n丽水市卫生健康委员会\n\n<!-- zongjie:date -->\n2023年5月19日\n";
        let body = body_html(&parse(md));
        assert!(body.contains("<div class=\"sign-block\">\n<p class=\"signature\">丽水市卫生健康委员会</p>\n<p class=\"date\">2023年5月19日</p>\n</div>"), "{body}");
    }

    #[test]
    fn draft_watermark_only_for_drafts() {
        let draft = page("---\ndraft: true\n---\n\n# 标题\n");
        assert!(draft.contains("class=\"watermark\""), "{draft}");
        assert!(draft.contains("草稿"));
        let final_ = page("---\ndraft: false\n---\n\n# 标题\n");
        assert!(!final_.contains("class=\"watermark\""));
    }

    #[test]
    fn metadata_panel_when_present() {
        let html = page(
            "---\nindex_no: 11332500MB1960337R/2023-43840\ndoc_no: 丽卫〔2023〕46号\nwritten: 2023-05-19\n---\n\n# 标题\n",
        );
        assert!(html.contains("class=\"meta-panel\""));
        assert!(
            html.contains("<dt>索引号</dt><dd>11332500MB1960337R&#x2f;2023-43840</dd>")
                || html.contains("<dt>索引号</dt><dd>11332500MB1960337R/2023-43840</dd>"),
            "{html}"
        );
        assert!(html.contains("<dt>文号</dt><dd>丽卫〔2023〕46号</dd>"));
        let bare = page("# 标题\n");
        assert!(!bare.contains("class=\"meta-panel\""));
    }

    #[test]
    fn page_numbers_placement() {
        let mut opts = HtmlOptions::default();
        let css = page_rules(&opts);
        assert!(css.contains("@page :right { @bottom-right"), "{css}");
        assert!(css.contains("@page :left { @bottom-left"), "{css}");
        assert!(css.contains("counter(page)"));
        opts.page_numbers = PageNumberPlacement::Centered;
        assert!(page_rules(&opts).contains("@bottom-center"));
        opts.page_numbers = PageNumberPlacement::None;
        assert!(!page_rules(&opts).contains("counter(page)"));
    }

    #[test]
    fn self_contained_and_deterministic() {
        let md = "---\ndraft: true\n---\n\n# 标题\n\n正文。\n";
        let a = page(md);
        let b = page(md);
        assert_eq!(a, b);
        for needle in [
            "<script", "<link", "src=", "http://", "https://", "@import", "url(",
        ] {
            assert!(!a.contains(needle), "{needle} in page");
        }
    }

    #[test]
    fn every_paragraph_in_order() {
        let md = include_str!("../tests/fixtures/html/report.md");
        let doc = parse(md);
        let html = page(md);
        let text = visible_text(&html);
        let mut pos = 0;
        for block in &doc.blocks {
            let pieces: Vec<String> = match block {
                Block::Table(t) => std::iter::once(&t.header)
                    .chain(t.rows.iter())
                    .flatten()
                    .flatten()
                    .cloned()
                    .collect(),
                other => vec![other.plain_text()],
            };
            for piece in pieces.iter().filter(|p| !p.is_empty()) {
                match text[pos..].find(piece.as_str()) {
                    Some(i) => pos += i + piece.len(),
                    None => panic!("missing or out of order: {piece}"),
                }
            }
        }
        assert!(doc.blocks.len() > 10);
    }

    #[test]
    fn broken_template_is_an_error() {
        let err = render(&parse("# t\n"), &HtmlOptions::default(), "{{ body ");
        assert!(matches!(err, Err(HtmlError::Template(_))));
        let err = render(&parse("# t\n"), &HtmlOptions::default(), "{{ nope }}");
        assert!(matches!(err, Err(HtmlError::Template(_))));
    }

    #[test]
    fn numbers_keep_their_units() {
        assert_eq!(
            text_html("获中央财政5亿元、14.02亿元"),
            "获中央财政<span class=\"nb\">5亿元</span>、<span class=\"nb\">14.02亿元</span>"
        );
        assert_eq!(
            text_html("达50.3%。2022年"),
            "达<span class=\"nb\">50.3%</span>。<span class=\"nb\">2022年</span>"
        );
        assert_eq!(text_html("A及1<2"), "A及1&lt;2");
        assert_eq!(text_html("第3.x"), "第<span class=\"nb\">3.x</span>");
        assert_eq!(
            text_html("新建ICU床位，实施1+5行动，5G+医疗，COVID-19。"),
            "新建<span class=\"nb\">ICU</span>床位，实施<span class=\"nb\">1+5</span>行动，<span class=\"nb\">5G+</span>医疗，<span class=\"nb\">COVID-19</span>。"
        );
        assert_eq!(text_html("A+及"), "<span class=\"nb\">A+</span>及");
    }

    #[test]
    fn title_lines_are_the_pdfs() {
        let fonts = FontSet::bundled();
        let profile = crate::profile::Profile::default();
        let opts = HtmlOptions::from_profile(&profile);
        for title in [
            "丽水市卫生健康委员会2022年工作总结和2023年工作要点",
            "丽水市卫生健康委员会关于2023年上半年工作总结和下半年工作思路的报告",
            "中共丽水市委办公室丽水市人民政府办公室关于印发《丽水市卫生健康事业发展“十四五”规划（2021—2025年）》重点任务分工方案的通知",
            "短标题",
        ] {
            let doc = parse(&format!("# {title}\n\n正文。\n"));
            let laid = match crate::pdf::layout::layout(&doc, &profile, &fonts) {
                Ok(l) => l,
                Err(e) => panic!("{e}"),
            };
            let pdf: Vec<String> = laid.pages[0]
                .lines
                .iter()
                .filter(|l| l.kind == crate::pdf::layout::LineKind::Title)
                .map(|l| l.text())
                .collect();
            assert_eq!(title_lines(title, &opts, Some(&fonts)), pdf, "{title}");
        }
        let body = body_html_with(
            &parse("# 丽水市卫生健康委员会关于2023年上半年工作总结和下半年工作思路的报告\n"),
            &opts,
            Some(&fonts),
        );
        // The PDF's break, between words, not inside 上半年.
        assert!(body.contains("</span><br>上半年"), "{body}");
    }

    #[test]
    fn justification_spreads_no_latin_and_narrow_cells_are_ragged() {
        let html = page("正文。\n");
        assert!(!html.contains("inter-character"), "{html}");
        assert!(html.contains("text-justify: auto;"));
        assert!(
            html.contains("table.tasks td.col-goal, table.tasks td.col-unit { text-align: left; }")
        );
    }

    #[test]
    fn css_numbers() {
        assert_eq!(num(28.95), "28.95");
        assert_eq!(num(37.0), "37");
        assert_eq!(num(15.79 - 16.0), "-0.21");
        assert_eq!(
            font_family(&["仿宋".into(), "serif".into()]),
            "\"仿宋\", serif"
        );
        assert_eq!(font_family(&[]), "serif");
    }
}
