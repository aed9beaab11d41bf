//! The DOCX writer: doc tree → an editable WordprocessingML document in the
//! GB/T 9704 layout, for Word and WPS. A4 with the profile's margins, a
//! `linesAndChars` document grid of the profile's lines × characters,
//! styles under Word's built-in names (Normal, Title, heading 1 …) with the
//! roles' faces and sizes, east-Asian font names on every run, labels as
//! literal text, `— N —` page numbers in odd and even footers (turned on
//! landscape pages: `furniture`), task tables
//! with grid widths and a repeating header row, attachments on new pages.
//!
//! `render` is a pure function: the XML is written directly (no theme, no
//! numbering part) into a zip whose entries have a fixed order and a fixed
//! time, so the same inputs give the same bytes.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;

use crate::doc::{AttachmentNote, Block, Document, Run, RunKind, Table};
use crate::fonts::Role;
use crate::pdf::{linebreak, table, title};
use crate::profile::{PT_PER_MM, PageNumberPlacement, Profile};

mod furniture;

use furniture::{
    RID_FOOTER_EVEN, RID_FOOTER_EVEN_TURNED, RID_FOOTER_ODD, RID_FOOTER_ODD_TURNED, RID_HEADER,
    draft_header, footer, section, turned_footer,
};

/// What is not layout: the document properties, from the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocxOptions {
    /// The title in the document properties.
    pub title: Option<String>,
    /// The author in the document properties (the issuer).
    pub author: Option<String>,
    /// Created and modified date (year, month, day): from `SOURCE_DATE_EPOCH`
    /// or the data's `written` date (`pdf::creation_date`), never the clock.
    pub created: Option<(i32, u8, u8)>,
}

/// A written document and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocxOutput {
    pub bytes: Vec<u8>,
    pub warnings: Vec<String>,
}

/// Why no document could be written.
#[derive(Debug, Clone, PartialEq)]
pub enum DocxError {
    Write(String),
}

impl std::fmt::Display for DocxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocxError::Write(m) => f.write_str(&crate::tr!(
                "writing the DOCX: {m}",
                "写出文件时出错（{m}）"
            )),
        }
    }
}

impl std::error::Error for DocxError {}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Twips (twentieths of a point) of a length in points.
fn tw(pt: f64) -> i64 {
    (pt * 20.0).round() as i64
}

/// Twips of a length in millimetres.
fn mm_tw(mm: f32) -> i64 {
    tw(f64::from(mm * PT_PER_MM))
}

/// Width of a character in ems, as the grid sets it: Latin letters, digits
/// and spaces half, everything else (hanzi, full-width marks) whole.
fn em_width(c: char) -> f64 {
    if (c as u32) < 0x1100 { 0.5 } else { 1.0 }
}

fn text_ems(s: &str) -> f64 {
    s.chars().map(em_width).sum()
}

/// Characters Word sets in the Latin face unless the run says east-Asian
/// (`w:hint="eastAsia"`): quotes, dashes, ellipsis, middle dot, ①…
fn needs_east_asian_hint(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c,
            '\u{00B7}' | '\u{00D7}' | '\u{00F7}' | '\u{2014}'..='\u{2026}' | '\u{2030}'..='\u{203B}'
            | '\u{2103}' | '\u{2116}' | '\u{2160}'..='\u{24FF}' | '\u{25A0}'..='\u{25CF}')
    })
}

/// The page's numbers in twips and the grid, from the profile.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Geometry {
    page_w: i64,
    page_h: i64,
    top: i64,
    left: i64,
    right: i64,
    bottom: i64,
    footer: i64,
    line_pitch: i64,
    char_space: i64,
    /// Character pitch in points (156 mm / 28).
    pitch: f64,
    /// Text block width in points.
    width: f64,
    /// The profile's page turned a quarter (a landscape table's section):
    /// its footers are the turned ones.
    turned: bool,
}

impl Geometry {
    fn of(profile: &Profile, landscape: bool) -> Geometry {
        let p = &profile.page;
        let bottom_mm = p.margin_bottom_mm();
        let right_mm = p.margin_right_mm();
        let number_mm = profile.fonts.page_number.size_pt / PT_PER_MM;
        let footer_mm = (bottom_mm - profile.page_number.offset_mm - number_mm).max(0.0);
        let pitch = f64::from(profile.char_pitch());
        let body = f64::from(profile.fonts.body.size_pt);
        // Extra space per character in 1/4096 pt, rounded down so the
        // line's characters always fit the text block.
        let char_space = ((pitch - body) * 4096.0).floor() as i64;
        let line_pitch = tw(f64::from(profile.grid.line_pitch_pt));
        let (w, h) = (mm_tw(p.width_mm), mm_tw(p.height_mm));
        if landscape {
            // The portrait page turned a quarter clockwise (as the PDF):
            // the binding margin on top, the portrait bottom margin on the left.
            Geometry {
                page_w: h,
                page_h: w,
                top: mm_tw(p.margin_left_mm),
                left: mm_tw(bottom_mm),
                right: mm_tw(p.margin_top_mm),
                bottom: mm_tw(right_mm),
                footer: mm_tw((right_mm - profile.page_number.offset_mm - number_mm).max(0.0)),
                line_pitch,
                char_space,
                pitch,
                width: f64::from(profile.text_height()),
                turned: true,
            }
        } else {
            Geometry {
                page_w: w,
                page_h: h,
                top: mm_tw(p.margin_top_mm),
                left: mm_tw(p.margin_left_mm),
                right: mm_tw(right_mm),
                bottom: mm_tw(bottom_mm),
                footer: mm_tw(footer_mm),
                line_pitch,
                char_space,
                pitch,
                width: f64::from(profile.text_width()),
                turned: false,
            }
        }
    }
}

/// The XML-escaped text; characters XML 1.0 cannot carry are left out and
/// collected in `dropped`.
fn esc(s: &str, dropped: &mut BTreeSet<char>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                dropped.insert(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Font names written for each role: the profile's `docx_name`, else the
/// role's official face (what the receiving office has installed).
#[derive(Debug, Clone)]
struct Names {
    title: String,
    body: String,
    heading1: String,
    heading2: String,
    page_number: String,
    table: String,
}

impl Names {
    fn of(profile: &Profile) -> Names {
        let f = &profile.fonts;
        let pick = |given: &Option<String>, role: Role| {
            given
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(|| role.official_families()[0].to_string(), str::to_string)
        };
        Names {
            title: pick(&f.title.docx_name, Role::Title),
            body: pick(&f.body.docx_name, Role::Body),
            heading1: pick(&f.heading1.docx_name, Role::Heading1),
            heading2: pick(&f.heading2.docx_name, Role::Heading2),
            page_number: pick(&f.page_number.docx_name, Role::PageNumber),
            table: pick(&f.table.docx_name, Role::Table),
        }
    }

    fn all(&self) -> BTreeSet<&str> {
        [
            &self.title,
            &self.body,
            &self.heading1,
            &self.heading2,
            &self.page_number,
            &self.table,
        ]
        .into_iter()
        .map(String::as_str)
        .collect()
    }
}

/// The face a Word without the official one should take instead
/// (`w:altName` in the font table).
fn alt_name(name: &str) -> Option<&'static str> {
    match name {
        "仿宋_GB2312" => Some("仿宋"),
        "楷体_GB2312" => Some("楷体"),
        "方正小标宋简体" | "方正小标宋_GBK" => Some("宋体"),
        _ => None,
    }
}

/// One run's properties: face, size, bold.
#[derive(Debug, Clone, Copy)]
struct RunStyle<'a> {
    font: &'a str,
    size_pt: f32,
    bold: bool,
}

/// A paragraph's properties, written in the schema's order.
#[derive(Debug, Default)]
struct Para<'a> {
    style: &'a str,
    keep_next: bool,
    page_break_before: bool,
    /// `w:ind` attributes.
    ind: Option<String>,
    jc: Option<&'a str>,
    /// A section ends with this paragraph.
    sect: Option<String>,
}

/// The document body and the parts it needs, built block by block.
struct Writer<'a> {
    profile: &'a Profile,
    names: Names,
    body: String,
    dropped: BTreeSet<char>,
    /// The next paragraph starts a new page.
    break_pending: bool,
    /// Nothing written yet on the first page.
    at_start: bool,
    landscape: bool,
    /// Some section is landscape: the turned footers are needed.
    turned: bool,
    draft: bool,
}

impl<'a> Writer<'a> {
    fn geometry(&self) -> Geometry {
        Geometry::of(self.profile, self.landscape)
    }

    fn run(&mut self, text: &str, st: RunStyle<'_>) {
        if text.is_empty() {
            return;
        }
        let font = esc(st.font, &mut self.dropped);
        let hint = if needs_east_asian_hint(text) {
            " w:hint=\"eastAsia\""
        } else {
            ""
        };
        let half_points = (st.size_pt * 2.0).round() as i64;
        let _ = write!(
            self.body,
            "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"{hint}/>{}<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr>",
            if st.bold {
                "<w:b/><w:bCs/>"
            } else {
                "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>"
            }
        );
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.body.push_str("<w:br/>");
            }
            let t = esc(line, &mut self.dropped);
            let _ = write!(self.body, "<w:t xml:space=\"preserve\">{t}</w:t>");
        }
        self.body.push_str("</w:r>");
    }

    fn open(&mut self, mut p: Para<'_>) {
        if self.break_pending && !self.at_start {
            p.page_break_before = true;
        }
        self.break_pending = false;
        self.at_start = false;
        self.body.push_str("<w:p><w:pPr>");
        let _ = write!(self.body, "<w:pStyle w:val=\"{}\"/>", p.style);
        if p.keep_next {
            self.body.push_str("<w:keepNext/>");
        }
        if p.page_break_before {
            self.body.push_str("<w:pageBreakBefore/>");
        }
        if let Some(ind) = &p.ind {
            let _ = write!(self.body, "<w:ind {ind}/>");
        }
        if let Some(jc) = p.jc {
            let _ = write!(self.body, "<w:jc w:val=\"{jc}\"/>");
        }
        if let Some(s) = &p.sect {
            self.body.push_str(s);
        }
        self.body.push_str("</w:pPr>");
    }

    fn close(&mut self) {
        self.body.push_str("</w:p>");
    }

    /// An empty line of the grid.
    fn blank(&mut self, n: u32) {
        for _ in 0..n {
            self.open(Para {
                style: "Normal",
                ind: Some(NO_INDENT.into()),
                ..Para::default()
            });
            self.close();
        }
    }

    fn body_style(&self) -> RunStyle<'_> {
        RunStyle {
            font: &self.names.body,
            size_pt: self.profile.fonts.body.size_pt,
            bold: false,
        }
    }

    /// Ends the current section (portrait or landscape) and starts one in
    /// the other orientation.
    fn orient(&mut self, landscape: bool) {
        if self.landscape == landscape {
            return;
        }
        if !self.at_start {
            // The section break starts the new page: a pending page break
            // would add an empty one.
            self.break_pending = false;
            let sect = section(&self.geometry(), self.profile, self.draft);
            self.open(Para {
                style: "Normal",
                ind: Some(NO_INDENT.into()),
                sect: Some(sect),
                ..Para::default()
            });
            self.close();
        }
        self.landscape = landscape;
        self.turned |= landscape;
    }

    fn blocks(&mut self, doc: &Document) {
        if self.profile.metadata.print {
            self.metadata(doc);
        }
        let blocks = &doc.blocks;
        let turned = doc.turned_blocks();
        let mut i = 0;
        while i < blocks.len() {
            if self.profile.table.landscape {
                // Tables, and attachments holding one, in landscape sections.
                self.orient(turned[i]);
            }
            match &blocks[i] {
                Block::Title(t) => self.title(t),
                Block::Heading { level, text } => self.heading(*level, text),
                Block::Paragraph(runs) => self.paragraph(runs),
                Block::Table(t) => self.table(t),
                Block::AttachmentLabel(t) => {
                    self.break_pending = true;
                    self.open(Para {
                        style: "AttachmentLabel",
                        keep_next: true,
                        ..Para::default()
                    });
                    let st = RunStyle {
                        font: &self.names.heading1.clone(),
                        size_pt: self.profile.fonts.heading1.size_pt,
                        bold: false,
                    };
                    self.run(t, st);
                    self.close();
                    // The attachment's title on line 3.
                    self.blank(1);
                }
                Block::PageBreak => self.break_pending = true,
                Block::Signature(sig) => {
                    let date = blocks.get(i + 1).and_then(|b| match b {
                        Block::Date(d) => Some(d.as_str()),
                        _ => None,
                    });
                    self.signature(Some(sig), date);
                    if date.is_some() {
                        i += 1;
                    }
                }
                Block::Date(d) => self.signature(None, Some(d)),
                Block::AttachmentNote(note) => self.attachment_note(note),
            }
            i += 1;
        }
    }

    fn metadata(&mut self, doc: &Document) {
        let fields = doc.meta.printed_fields();
        for (label, v) in &fields {
            self.open(Para {
                style: "Normal",
                ind: Some(NO_INDENT.into()),
                jc: Some("left"),
                ..Para::default()
            });
            let st = self.body_style();
            let (font, size) = (st.font.to_string(), st.size_pt);
            self.run(
                &format!("{label}：{v}"),
                RunStyle {
                    font: &font,
                    size_pt: size,
                    bold: false,
                },
            );
            self.close();
        }
        if !fields.is_empty() {
            self.blank(1);
        }
    }

    /// The title, centred, broken between whole words into balanced lines
    /// as the PDF breaks it (widths estimated on the grid).
    fn title(&mut self, text: &str) {
        let p = self.profile;
        let size = f64::from(p.fonts.title.size_pt.max(1.0));
        let squeeze = (self.geometry().pitch / f64::from(p.fonts.body.size_pt.max(1.0))).min(1.0);
        let chars: Vec<char> = text.chars().collect();
        let widths: Vec<f64> = chars
            .iter()
            .map(|&c| em_width(c) * size * squeeze)
            .collect();
        let max = self.geometry().width * f64::from(p.title.max_width_fraction.clamp(0.2, 1.0));
        let ranges = title::break_title(
            &chars,
            &widths,
            size * squeeze,
            max,
            p.title.min_last_line_chars as usize,
        );
        let lines: Vec<String> = ranges
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect();
        self.open(Para {
            style: "Title",
            ..Para::default()
        });
        let font = self.names.title.clone();
        self.run(
            &lines.join("\n"),
            RunStyle {
                font: &font,
                size_pt: p.fonts.title.size_pt,
                bold: false,
            },
        );
        self.close();
        self.blank(p.title.blank_lines_after);
    }

    fn heading(&mut self, level: u8, text: &str) {
        let h = &self.profile.headings;
        let f = &self.profile.fonts;
        let (style, font, size, bold) = match level {
            1 => (
                "Heading1",
                self.names.heading1.clone(),
                f.heading1.size_pt,
                false,
            ),
            2 => (
                "Heading2",
                self.names.heading2.clone(),
                f.heading2.size_pt,
                false,
            ),
            3 => (
                "Heading3",
                self.names.body.clone(),
                f.body.size_pt,
                h.heading3_bold,
            ),
            _ => (
                "Heading4",
                self.names.body.clone(),
                f.body.size_pt,
                h.heading4_bold,
            ),
        };
        self.open(Para {
            style,
            ..Para::default()
        });
        self.run(
            text,
            RunStyle {
                font: &font,
                size_pt: size,
                bold,
            },
        );
        self.close();
    }

    /// A body paragraph: the `（一）` lead in the level-2 face and the
    /// `一是` leads bold (profile) as runs inside it.
    fn paragraph(&mut self, runs: &[Run]) {
        self.open(Para {
            style: "Normal",
            ..Para::default()
        });
        let f = &self.profile.fonts;
        let strong_bold = self.profile.headings.strong_bold;
        for r in runs {
            let (font, size, bold) = match r.kind {
                RunKind::Body => (self.names.body.clone(), f.body.size_pt, false),
                RunKind::Lead => (self.names.heading2.clone(), f.heading2.size_pt, false),
                RunKind::Strong => (self.names.body.clone(), f.body.size_pt, strong_bold),
            };
            self.run(
                &r.text,
                RunStyle {
                    font: &font,
                    size_pt: size,
                    bold,
                },
            );
        }
        self.close();
    }

    /// 署名 and 成文日期 placed as the PDF places them: the signature
    /// `right_indent_chars` from the right, the date's first character
    /// `date_shift_chars` right of the signature's (both moved left
    /// together when the date would pass the signature's right edge).
    fn signature(&mut self, sig: Option<&str>, date: Option<&str>) {
        let sp = &self.profile.signature;
        let pitch = self.geometry().pitch;
        let right = self.geometry().width;
        let r = f64::from(sp.right_indent_chars) * pitch;
        let shift = f64::from(sp.date_shift_chars) * pitch;
        let sw = sig.map_or(0.0, text_ems) * pitch;
        let dw = date.map_or(0.0, text_ems) * pitch;
        let (sx, dx) = crate::pdf::layout::signature_columns(
            right - r,
            shift,
            sig.map(|_| sw),
            date.map(|_| dw),
        );
        self.blank(sp.blank_lines_before);
        let body = self.body_style();
        let (font, size) = (body.font.to_string(), body.size_pt);
        let st = RunStyle {
            font: &font,
            size_pt: size,
            bold: false,
        };
        if let Some(s) = sig {
            let ind = tw((right - sx - sw).max(0.0));
            self.open(Para {
                style: "Signature",
                keep_next: date.is_some(),
                ind: Some(format!(
                    "w:left=\"0\" w:right=\"{ind}\" w:firstLineChars=\"0\" w:firstLine=\"0\""
                )),
                ..Para::default()
            });
            self.run(s, st);
            self.close();
        }
        if let Some(d) = date {
            let ind = tw((right - dx - dw).max(0.0));
            self.open(Para {
                style: "Date",
                ind: Some(format!(
                    "w:left=\"0\" w:right=\"{ind}\" w:firstLineChars=\"0\" w:firstLine=\"0\""
                )),
                ..Para::default()
            });
            self.run(d, st);
            self.close();
        }
    }

    /// The 附件说明: a blank line, then `附件：1. 标题` two characters in;
    /// further entries under the first one's number, wrapped lines of a
    /// title under its first character (hanging indents).
    fn attachment_note(&mut self, note: &AttachmentNote) {
        self.blank(1);
        let pitch = self.geometry().pitch;
        let indent = f64::from(self.profile.grid.indent_chars) * pitch;
        let lead_w = text_ems(&note.lead) * pitch;
        let body = self.body_style();
        let (font, size) = (body.font.to_string(), body.size_pt);
        for (k, entry) in note.entries.iter().enumerate() {
            let number_w = text_ems(&entry.number) * pitch;
            let (first, hang) = if k == 0 {
                (indent, lead_w + number_w)
            } else {
                (indent + lead_w, number_w)
            };
            self.open(Para {
                style: "Normal",
                ind: Some(format!(
                    "w:left=\"{}\" w:hanging=\"{}\"",
                    tw(first + hang),
                    tw(hang)
                )),
                jc: Some("left"),
                ..Para::default()
            });
            let st = RunStyle {
                font: &font,
                size_pt: size,
                bold: false,
            };
            if k == 0 {
                self.run(&note.lead, st);
            }
            self.run(&entry.number, st);
            self.run(&entry.title, st);
            self.close();
        }
    }

    /// A task table: whole-character column widths as the PDF computes
    /// them (from each column's text), written as `w:gridCol` and `w:tcW`
    /// summing to `w:tblW`; the header row repeats on every page
    /// (`w:tblHeader`), rows may split, each line of a cell (①②…) is its
    /// own paragraph.
    fn table(&mut self, t: &Table) {
        let ncols = std::iter::once(&t.header)
            .chain(t.rows.iter())
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        // A table cannot start a page by itself: an empty paragraph does.
        if self.break_pending && !self.at_start {
            self.blank(1);
        }
        self.break_pending = false;
        self.at_start = false;
        let tp = &self.profile.table;
        let g = self.geometry();
        let em = f64::from(self.profile.fonts.table.size_pt.max(1.0));
        let margin = f64::from(tp.cell_margin_pt);
        let plan = table_plan(t, ncols, g.width, em, margin);
        let rule = ((f64::from(tp.rule_width_pt) * 8.0).round() as i64).clamp(2, 96);
        let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
            .iter()
            .map(|side| {
                format!(
                    "<w:{side} w:val=\"single\" w:sz=\"{rule}\" w:space=\"0\" w:color=\"000000\"/>"
                )
            })
            .collect();
        let pad_y = tw(f64::from(tp.padding_pt));
        let pad_x = tw(plan.pad_x);
        let total: i64 = plan.widths.iter().sum();
        let _ = write!(
            self.body,
            "<w:tbl><w:tblPr><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"{pad_y}\" w:type=\"dxa\"/><w:left w:w=\"{pad_x}\" w:type=\"dxa\"/><w:bottom w:w=\"{pad_y}\" w:type=\"dxa\"/><w:right w:w=\"{pad_x}\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>"
        );
        for w in &plan.widths {
            let _ = write!(self.body, "<w:gridCol w:w=\"{w}\"/>");
        }
        self.body.push_str("</w:tblGrid>");
        let f = &self.profile.fonts;
        let (head_font, head_size) = if tp.header_bold_face {
            (self.names.heading1.clone(), f.table.size_pt)
        } else {
            (self.names.table.clone(), f.table.size_pt)
        };
        let body_font = self.names.table.clone();
        let empty: Vec<String> = Vec::new();
        for (ri, row) in std::iter::once(&t.header).chain(t.rows.iter()).enumerate() {
            self.body.push_str("<w:tr>");
            if ri == 0 {
                self.body.push_str("<w:trPr><w:tblHeader/></w:trPr>");
            }
            for (c, width) in plan.widths.iter().enumerate() {
                let cell = row.get(c).unwrap_or(&empty);
                let _ = write!(
                    self.body,
                    "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>"
                );
                // Ragged, as in the PDF: a justified narrow cell spreads.
                let jc = if ri == 0 || plan.centred[c] {
                    "center"
                } else {
                    "left"
                };
                let lines: &[String] = if cell.is_empty() {
                    std::slice::from_ref(&EMPTY_LINE)
                } else {
                    cell
                };
                for line in lines {
                    self.open(Para {
                        style: "TableText",
                        jc: Some(jc),
                        ..Para::default()
                    });
                    let st = if ri == 0 {
                        RunStyle {
                            font: &head_font,
                            size_pt: head_size,
                            bold: false,
                        }
                    } else {
                        RunStyle {
                            font: &body_font,
                            size_pt: f.table.size_pt,
                            bold: false,
                        }
                    };
                    self.run(line, st);
                    self.close();
                }
                self.body.push_str("</w:tc>");
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl>");
    }
}

static EMPTY_LINE: String = String::new();

/// Paragraph indents of lines that start at the text block's left edge.
const NO_INDENT: &str = "w:firstLineChars=\"0\" w:firstLine=\"0\"";

/// Column widths of a table in twips (summing to the text width), the
/// side padding of the cells in points, and which columns are centred.
#[derive(Debug, Clone, PartialEq)]
struct TablePlan {
    widths: Vec<i64>,
    pad_x: f64,
    centred: Vec<bool>,
}

/// The PDF's column computation (`pdf::table::column_chars`) on widths
/// estimated on the grid: each column whole characters of the table's
/// size, in proportion to its text; the odd points go to the padding.
fn table_plan(t: &Table, ncols: usize, width: f64, em: f64, margin: f64) -> TablePlan {
    let empty: Vec<String> = Vec::new();
    let rows: Vec<&Vec<Vec<String>>> = std::iter::once(&t.header).chain(t.rows.iter()).collect();
    let cols: Vec<table::ColumnText> = (0..ncols)
        .map(|c| {
            let (mut min, mut max) = (0.0f64, 0.0f64);
            let mut texts = Vec::with_capacity(rows.len());
            for row in &rows {
                let cell = row.get(c).unwrap_or(&empty);
                let mut paras = Vec::with_capacity(cell.len());
                for line in cell {
                    let chars: Vec<char> = line.chars().collect();
                    let glue = linebreak::glue(&chars);
                    let mut run = 0.0;
                    for (k, &ch) in chars.iter().enumerate() {
                        if k > 0 && !glue[k] {
                            run = 0.0;
                        }
                        run += em_width(ch);
                        min = min.max(run);
                    }
                    let w = text_ems(line);
                    max = max.max(w);
                    paras.push(w);
                }
                texts.push(paras);
            }
            let chars = |w: f64| (w - 1e-6).ceil().clamp(0.0, 10_000.0) as u32;
            table::ColumnText {
                min: chars(min).max(chars(max).min(4)),
                max: chars(max),
                rows: texts,
            }
        })
        .collect();
    let n = ncols as f64;
    let room = width - 2.0 * margin * n;
    let total = (room / em + 1e-6).floor().clamp(0.0, 10_000.0) as u32;
    let chars = table::column_chars(&cols, total);
    let used: f64 = chars.iter().map(|&k| f64::from(k) * em).sum();
    let pad_x = (margin + (width - used - 2.0 * margin * n) / (2.0 * n)).max(0.0);
    // Edges rounded once each, so the widths sum to the rounded total.
    let mut edges = vec![0i64];
    let mut x = 0.0;
    for &k in &chars {
        x += f64::from(k) * em + 2.0 * pad_x;
        edges.push(tw(x));
    }
    TablePlan {
        widths: edges.windows(2).map(|e| (e[1] - e[0]).max(1)).collect(),
        pad_x,
        centred: cols.iter().map(|c| c.max <= 4).collect(),
    }
}

/// `w:rFonts` of a style (every script in the face).
fn fonts_attr(font: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>"
    )
}

/// styles.xml: Word's built-in names carrying the profile's faces and sizes.
fn styles(profile: &Profile, names: &Names, g: &Geometry, dropped: &mut BTreeSet<char>) -> String {
    let f = &profile.fonts;
    let h = &profile.headings;
    let half = |pt: f32| (pt * 2.0).round() as i64;
    let indent_chars = (profile.grid.indent_chars * 100.0).round() as i64;
    let indent = tw(f64::from(profile.grid.indent_chars) * g.pitch);
    let line = g.line_pitch;
    let bold = |b: bool| {
        if b { "<w:b/><w:bCs/>" } else { "" }
    };
    let e = |s: &str, d: &mut BTreeSet<char>| esc(s, d);
    let (title, body, h1, h2, pn, tb) = (
        e(&names.title, dropped),
        e(&names.body, dropped),
        e(&names.heading1, dropped),
        e(&names.heading2, dropped),
        e(&names.page_number, dropped),
        e(&names.table, dropped),
    );
    let table_line = tw(f64::from(profile.table.line_pitch_pt.max(f.table.size_pt)));
    // The grid's pitch (156 mm / 28) is narrower than a 3号 glyph: Word
    // squeezes each glyph into its grid cell, LibreOffice gives it two
    // cells (and breaks lines after about 14 characters). So the body is
    // set off the character grid (`snapToGrid` 0 in Normal: its lines keep
    // the grid's pitch through the exact line spacing) with characters
    // condensed by the difference (rounded up): 28 fit the line in Word,
    // WPS and LibreOffice alike. Paragraphs off the body size (title,
    // table, footer) reset the condensing. No automatic space between
    // Chinese and Latin or digits (`autoSpaceDE`/`DN`), as in the PDF.
    let condense = ((f64::from(f.body.size_pt) - g.pitch) * 20.0 - 1e-6)
        .ceil()
        .max(0.0) as i64;
    let tight = if condense > 0 {
        format!("<w:spacing w:val=\"-{condense}\"/>")
    } else {
        String::new()
    };
    let loose = if condense > 0 {
        "<w:spacing w:val=\"0\"/>"
    } else {
        ""
    };
    let style = |id: &str, name: &str, ppr: String, rpr: String| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    };
    let no_indent = format!("<w:ind {NO_INDENT}/>");
    let heading = |id: &str, name: &str, level: u8, font: &str, size: f32, b: bool| {
        style(
            id,
            name,
            format!("<w:keepNext/><w:outlineLvl w:val=\"{level}\"/>"),
            format!(
                "{}{}<w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>",
                fonts_attr(font),
                bold(b),
                half(size),
                half(size)
            ),
        )
    };
    let mut s = format!(
        "{XML_HEAD}<w:styles xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:docDefaults><w:rPrDefault><w:rPr>{}<w:kern w:val=\"2\"/><w:sz w:val=\"{b}\"/><w:szCs w:val=\"{b}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>",
        fonts_attr(&body),
        b = half(f.body.size_pt)
    );
    let _ = write!(
        s,
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:snapToGrid w:val=\"0\"/><w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{line}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"{indent_chars}\" w:firstLine=\"{indent}\"/><w:jc w:val=\"both\"/></w:pPr><w:rPr>{}{tight}<w:sz w:val=\"{b}\"/><w:szCs w:val=\"{b}\"/></w:rPr></w:style>",
        fonts_attr(&body),
        b = half(f.body.size_pt)
    );
    s.push_str("<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/><w:unhideWhenUsed/></w:style>");
    s.push_str("<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>");
    // Characters larger than the grid's pitch would take two grid cells:
    // the title is not snapped to the character grid.
    s.push_str(&style(
        "Title",
        "Title",
        format!("<w:snapToGrid w:val=\"0\"/>{no_indent}<w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>"),
        format!("{}{loose}<w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>", fonts_attr(&title), half(f.title.size_pt), half(f.title.size_pt)),
    ));
    s.push_str(&heading(
        "Heading1",
        "heading 1",
        0,
        &h1,
        f.heading1.size_pt,
        false,
    ));
    s.push_str(&heading(
        "Heading2",
        "heading 2",
        1,
        &h2,
        f.heading2.size_pt,
        false,
    ));
    s.push_str(&heading(
        "Heading3",
        "heading 3",
        2,
        &body,
        f.body.size_pt,
        h.heading3_bold,
    ));
    s.push_str(&heading(
        "Heading4",
        "heading 4",
        3,
        &body,
        f.body.size_pt,
        h.heading4_bold,
    ));
    s.push_str(&style(
        "AttachmentLabel",
        "Attachment Label",
        format!("{no_indent}<w:jc w:val=\"left\"/>"),
        format!(
            "{}<w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>",
            fonts_attr(&h1),
            half(f.heading1.size_pt),
            half(f.heading1.size_pt)
        ),
    ));
    for (id, name) in [("Signature", "Signature"), ("Date", "Date")] {
        s.push_str(&style(
            id,
            name,
            format!("{no_indent}<w:jc w:val=\"right\"/>"),
            fonts_attr(&body),
        ));
    }
    s.push_str(&style(
        "TableText",
        "Table Text",
        format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{table_line}\" w:lineRule=\"exact\"/>{no_indent}<w:jc w:val=\"left\"/>"),
        format!("{}{loose}<w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>", fonts_attr(&tb), half(f.table.size_pt), half(f.table.size_pt)),
    ));
    for (id, name) in [("Header", "header"), ("Footer", "footer")] {
        s.push_str(&style(
            id,
            name,
            format!("<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}"),
            format!("{}{loose}<w:sz w:val=\"{}\"/><w:szCs w:val=\"{}\"/>", fonts_attr(&pn), half(f.page_number.size_pt), half(f.page_number.size_pt)),
        ));
    }
    s.push_str("</w:styles>");
    s
}

fn settings(profile: &Profile) -> String {
    let even_odd = if profile.page_number.show
        && profile.page_number.placement == PageNumberPlacement::Alternate
    {
        "<w:evenAndOddHeaders/>"
    } else {
        ""
    };
    format!(
        "{XML_HEAD}<w:settings xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>{even_odd}<w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>"
    )
}

fn font_table(names: &Names, dropped: &mut BTreeSet<char>) -> String {
    let mut s = format!("{XML_HEAD}<w:fonts xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">");
    for name in names.all() {
        let alt = alt_name(name)
            .map(|a| format!("<w:altName w:val=\"{a}\"/>"))
            .unwrap_or_default();
        let _ = write!(
            s,
            "<w:font w:name=\"{}\">{alt}<w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
            esc(name, dropped)
        );
    }
    s.push_str("</w:fonts>");
    s
}

fn core_properties(options: &DocxOptions, dropped: &mut BTreeSet<char>) -> String {
    let mut s = format!(
        "{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
    );
    if let Some(t) = &options.title {
        let _ = write!(s, "<dc:title>{}</dc:title>", esc(t, dropped));
    }
    if let Some(a) = &options.author {
        let a = esc(a, dropped);
        let _ = write!(
            s,
            "<dc:creator>{a}</dc:creator><cp:lastModifiedBy>{a}</cp:lastModifiedBy>"
        );
    }
    s.push_str("<dc:language>zh-CN</dc:language>");
    if let Some((y, m, d)) = options.created {
        for el in ["created", "modified"] {
            let _ = write!(
                s,
                "<dcterms:{el} xsi:type=\"dcterms:W3CDTF\">{y:04}-{m:02}-{d:02}T00:00:00Z</dcterms:{el}>"
            );
        }
    }
    s.push_str("</cp:coreProperties>");
    s
}

/// The parts of the package, in the order they are zipped.
fn parts(
    doc: &Document,
    profile: &Profile,
    options: &DocxOptions,
) -> (Vec<(String, String)>, BTreeSet<char>) {
    let names = Names::of(profile);
    let mut w = Writer {
        profile,
        names: names.clone(),
        body: String::new(),
        dropped: BTreeSet::new(),
        break_pending: false,
        at_start: true,
        landscape: false,
        turned: false,
        draft: doc.meta.draft,
    };
    w.blocks(doc);
    let last = section(&w.geometry(), profile, w.draft);
    let mut dropped = std::mem::take(&mut w.dropped);
    let document = format!(
        "{XML_HEAD}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{}{last}</w:body></w:document>",
        w.body
    );
    let portrait = Geometry::of(profile, false);
    let show = profile.page_number.show;
    let alternate = profile.page_number.placement == PageNumberPlacement::Alternate;
    let mut content_types = String::from(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/><Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/><Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>",
    );
    let rel = |id: &str, kind: &str, target: &str| {
        format!(
            "<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>"
        )
    };
    let mut rels = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{}{}{}",
        rel("rIdStyles", "styles", "styles.xml"),
        rel("rIdSettings", "settings", "settings.xml"),
        rel("rIdFontTable", "fontTable", "fontTable.xml")
    );
    let mut extra = Vec::new();
    let footer_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml";
    if show {
        let odd_jc = match profile.page_number.placement {
            PageNumberPlacement::Centred => "center",
            _ => "right",
        };
        extra.push((
            "word/footer1.xml".to_string(),
            footer(profile, &names, odd_jc, &mut dropped),
        ));
        let _ = write!(
            content_types,
            "<Override PartName=\"/word/footer1.xml\" ContentType=\"{footer_type}\"/>"
        );
        rels.push_str(&rel(RID_FOOTER_ODD, "footer", "footer1.xml"));
        if alternate {
            extra.push((
                "word/footer2.xml".to_string(),
                footer(profile, &names, "left", &mut dropped),
            ));
            let _ = write!(
                content_types,
                "<Override PartName=\"/word/footer2.xml\" ContentType=\"{footer_type}\"/>"
            );
            rels.push_str(&rel(RID_FOOTER_EVEN, "footer", "footer2.xml"));
        }
        if w.turned {
            let mut turned = vec![(odd_jc, RID_FOOTER_ODD_TURNED)];
            if alternate {
                turned.push(("left", RID_FOOTER_EVEN_TURNED));
            }
            for (n, (jc, rid)) in (3u32..).zip(turned) {
                let name = format!("footer{n}.xml");
                extra.push((
                    format!("word/{name}"),
                    turned_footer(profile, &names, jc, 9000 + n, &mut dropped),
                ));
                let _ = write!(
                    content_types,
                    "<Override PartName=\"/word/{name}\" ContentType=\"{footer_type}\"/>"
                );
                rels.push_str(&rel(rid, "footer", &name));
            }
        }
    }
    if doc.meta.draft {
        extra.push((
            "word/header1.xml".to_string(),
            draft_header(&names, profile),
        ));
        content_types.push_str("<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>");
        rels.push_str(&rel(RID_HEADER, "header", "header1.xml"));
    }
    rels.push_str("</Relationships>");
    content_types.push_str("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>");
    let package_rels = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
    );
    let app = format!(
        "{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>zongjie</Application></Properties>"
    );
    let mut out = vec![
        (
            "[Content_Types].xml".to_string(),
            format!("{XML_HEAD}{content_types}"),
        ),
        ("_rels/.rels".to_string(), package_rels),
        (
            "docProps/core.xml".to_string(),
            core_properties(options, &mut dropped),
        ),
        ("docProps/app.xml".to_string(), app),
        ("word/document.xml".to_string(), document),
        ("word/_rels/document.xml.rels".to_string(), rels),
        (
            "word/styles.xml".to_string(),
            styles(profile, &names, &portrait, &mut dropped),
        ),
        ("word/settings.xml".to_string(), settings(profile)),
        (
            "word/fontTable.xml".to_string(),
            font_table(&names, &mut dropped),
        ),
    ];
    out.extend(extra);
    (out, dropped)
}

/// Writes the document as a .docx package.
pub fn render(
    doc: &Document,
    profile: &Profile,
    options: &DocxOptions,
) -> Result<DocxOutput, DocxError> {
    let (parts, dropped) = parts(doc, profile, options);
    let mut warnings = Vec::new();
    if !dropped.is_empty() {
        let list: Vec<String> = dropped
            .iter()
            .take(20)
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect();
        warnings.push(crate::tr!(
            "DOCX: {} control character(s) a Word document cannot hold were left out ({})",
            "DOCX：有 {} 个 Word 文档不能容纳的控制字符没有写入（{}）",
            dropped.len(),
            list.join(", ")
        ));
    }
    let bytes = zip_parts(&parts).map_err(|e| DocxError::Write(e.to_string()))?;
    Ok(DocxOutput { bytes, warnings })
}

/// The parts zipped in the given order, each with the same fixed time
/// (1980-01-01, the zip format's first day) and permissions.
fn zip_parts(parts: &[(String, String)]) -> zip::result::ZipResult<Vec<u8>> {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    }

    fn sample() -> Document {
        crate::doc::parse(
            "---\ntitle: 某委2023年工作总结\nissuer: 某委\nwritten: 2023-05-19\n---\n\n# 某委2023年工作总结\n\n## 一、总结\n\n*（一）抓好“双减”工作*。正文……**一是加强**。内容。\n\n<!-- zongjie:signature -->\n某委\n\n<!-- zongjie:date -->\n2023年5月19日\n\n<!-- zongjie:attachment -->\n附件1\n\n# 清单\n\n| 序号 | 责任单位 |\n| --- | --- |\n| 1 | ①甲<br>\\*乙 |\n",
        )
    }

    #[test]
    fn grid_follows_the_profile() {
        let g = Geometry::of(&Profile::default(), false);
        assert_eq!((g.page_w, g.page_h), (11906, 16838));
        assert_eq!(g.line_pitch, 579);
        assert_eq!(g.char_space, -848);
        assert_eq!((g.top, g.left, g.right, g.bottom), (2098, 1587, 1474, 1984));
        let l = Geometry::of(&Profile::default(), true);
        assert_eq!((l.page_w, l.page_h), (16838, 11906));
        assert_eq!((l.top, l.left), (1587, 1984));
    }

    #[test]
    fn runs_carry_east_asian_fonts_and_hints() {
        let out = render(&sample(), &Profile::default(), &DocxOptions::default()).unwrap();
        let d = part(&out.bytes, "word/document.xml");
        assert!(
            d.contains("w:eastAsia=\"楷体_GB2312\" w:cs=\"楷体_GB2312\" w:hint=\"eastAsia\""),
            "{d}"
        );
        assert!(d.contains("<w:tblHeader/>"));
        assert!(d.contains("<w:t xml:space=\"preserve\">①甲</w:t>"));
        assert!(d.contains("<w:t xml:space=\"preserve\">*乙</w:t>"));
        assert!(d.contains("<w:pageBreakBefore/>"));
        assert!(roxmltree::Document::parse(&d).is_ok());
    }

    #[test]
    fn control_characters_are_left_out_with_a_warning() {
        let doc = Document {
            blocks: vec![Block::Paragraph(vec![Run {
                text: "甲\u{1}乙<&>".into(),
                kind: RunKind::Body,
            }])],
            ..Document::default()
        };
        let out = render(&doc, &Profile::default(), &DocxOptions::default()).unwrap();
        let d = part(&out.bytes, "word/document.xml");
        assert!(d.contains("甲乙&lt;&amp;&gt;"), "{d}");
        assert!(roxmltree::Document::parse(&d).is_ok());
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].contains("U+0001"), "{:?}", out.warnings);
    }

    #[test]
    fn table_columns_sum_to_the_text_width() {
        let doc = sample();
        let Some(Block::Table(t)) = doc.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!()
        };
        let plan = table_plan(t, 2, f64::from(Profile::default().text_width()), 12.0, 5.4);
        assert_eq!(plan.widths.iter().sum::<i64>(), 8844);
        assert_eq!(plan.centred, [true, true]);
    }

    #[test]
    fn empty_document_is_a_valid_package() {
        let out = render(
            &Document::default(),
            &Profile::default(),
            &DocxOptions::default(),
        )
        .unwrap();
        let d = part(&out.bytes, "word/document.xml");
        assert!(d.contains("<w:body><w:sectPr>"), "{d}");
    }
}
