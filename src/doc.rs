//! The doc tree: what the HTML and PDF writers typeset, parsed from the
//! Markdown intermediate (conventions in `docs/markdown.md`).
//!
//! `parse` is total: any Markdown gives a tree (constructs the conventions do
//! not cover are flattened to plain paragraphs), so a user template can never
//! make a writer fail. Raw HTML is kept as literal text, never interpreted,
//! except `<br>` in table cells and the `<!-- zongjie:… -->` markers.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A parsed report: metadata from the front matter and the body blocks in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub meta: Meta,
    pub blocks: Vec<Block>,
}

/// Document metadata carried in the Markdown front matter (all optional text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub genre: Option<String>,
    pub year: Option<String>,
    pub plan_year: Option<String>,
    /// 成文日期 as `YYYY-MM-DD`.
    pub written: Option<String>,
    pub doc_no: Option<String>,
    pub index_no: Option<String>,
    pub category: Option<String>,
    pub published: Option<String>,
    pub disclosure: Option<String>,
    pub source: Option<String>,
    pub draft: bool,
}

impl Meta {
    /// The fields of the metadata block printed above the title
    /// (`metadata.print`), present ones only, in the printed order.
    pub fn printed_fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("索引号", &self.index_no),
            ("文号", &self.doc_no),
            ("发布机构", &self.issuer),
            ("成文日期", &self.written),
            ("公开方式", &self.disclosure),
        ]
        .into_iter()
        .filter_map(|(label, v)| Some((label, v.as_deref()?)))
        .collect()
    }
}

/// One block of the body, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `# …`: the document title, or an attachment's title after `AttachmentLabel`.
    Title(String),
    /// `## …` is level 1 (`一、`, 黑体); `###`–`#####` are levels 2–4.
    Heading { level: u8, text: String },
    /// A body paragraph made of styled runs.
    Paragraph(Vec<Run>),
    /// A ruled table (the 攻坚任务清单).
    Table(Table),
    /// Starts a new page; the label text such as `附件1`.
    AttachmentLabel(String),
    /// A forced page break.
    PageBreak,
    /// 署名.
    Signature(String),
    /// 成文日期 as written in the text, e.g. `2023年5月19日`.
    Date(String),
    /// 附件说明 (GB/T 9704 7.3.4) under the body: `附件：1. 标题`.
    AttachmentNote(AttachmentNote),
}

/// The 附件说明: its lead (`附件：`) and one entry per attachment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttachmentNote {
    /// The first line up to its colon, colon included: `附件：`.
    pub lead: String,
    pub entries: Vec<NoteEntry>,
}

/// One attachment in the 附件说明: its number (`1. `, empty when there is
/// one attachment) and its title. Further entries are set under the first
/// one's number, a title's wrapped lines under its first character.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoteEntry {
    pub number: String,
    pub title: String,
}

impl AttachmentNote {
    /// The note from its lines as the Markdown gives them.
    fn from_lines<'a>(lines: impl Iterator<Item = &'a str>) -> AttachmentNote {
        let mut note = AttachmentNote::default();
        for (k, line) in lines.map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let mut rest = line;
            if k == 0
                && let Some(at) = line.find(['：', ':'])
            {
                let end = at + line[at..].chars().next().map_or(1, char::len_utf8);
                note.lead = line[..end].to_string();
                rest = line[end..].trim_start();
            }
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let number_len = match rest[digits..].chars().next() {
                Some(c @ ('.' | '．')) if digits > 0 => {
                    let after = &rest[digits + c.len_utf8()..];
                    rest.len() - after.trim_start().len()
                }
                _ => 0,
            };
            note.entries.push(NoteEntry {
                number: rest[..number_len].to_string(),
                title: rest[number_len..].to_string(),
            });
        }
        note
    }
}

/// A stretch of paragraph text in one face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub kind: RunKind,
}

/// Which face a run is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Body text (仿宋).
    Body,
    /// Run-in lead of a `（一）` section (level-2 face, 楷体).
    Lead,
    /// Lead sentence of an enumeration item (bold when the profile says so).
    Strong,
}

/// A table: header cells and body rows; every cell is a list of lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
}

/// The lines of one table cell (`<br>` separates them in Markdown).
pub type Cell = Vec<String>;

impl Block {
    /// The block's text without markup: runs joined, table cells joined by
    /// `\t` and their lines by `\n`.
    pub fn plain_text(&self) -> String {
        match self {
            Block::Title(t) | Block::AttachmentLabel(t) | Block::Signature(t) | Block::Date(t) => {
                t.clone()
            }
            Block::Heading { text, .. } => text.clone(),
            Block::Paragraph(runs) => runs.iter().map(|r| r.text.as_str()).collect(),
            Block::Table(t) => std::iter::once(&t.header)
                .chain(t.rows.iter())
                .map(|row| {
                    row.iter()
                        .map(|c| c.join("\n"))
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::PageBreak => String::new(),
            Block::AttachmentNote(n) => {
                let entries: Vec<String> = n
                    .entries
                    .iter()
                    .map(|e| format!("{}{}", e.number, e.title))
                    .collect();
                format!("{}{}", n.lead, entries.join("\n"))
            }
        }
    }
}

impl Document {
    /// Every non-empty block as plain text, in order (tests compare these
    /// with source documents paragraph by paragraph).
    pub fn plain_paragraphs(&self) -> Vec<String> {
        self.blocks
            .iter()
            .map(Block::plain_text)
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// For each block, whether it stands on a landscape page when the
    /// profile turns tables (`table.landscape`): a table, a title heading
    /// a table, and every block of an attachment that holds a table. The
    /// PDF and the DOCX writer both follow this.
    pub fn turned_blocks(&self) -> Vec<bool> {
        let blocks = &self.blocks;
        let mut in_turned_attachment = false;
        (0..blocks.len())
            .map(|i| match &blocks[i] {
                Block::Table(_) => true,
                Block::Title(_) if matches!(blocks.get(i + 1), Some(Block::Table(_))) => true,
                Block::AttachmentLabel(_) => {
                    in_turned_attachment = blocks[i + 1..]
                        .iter()
                        .take_while(|b| !matches!(b, Block::AttachmentLabel(_)))
                        .any(|b| matches!(b, Block::Table(_)));
                    in_turned_attachment
                }
                _ => in_turned_attachment,
            })
            .collect()
    }
}

/// Characters that close a sentence or a bracket: after a lead run they are
/// moved into the lead so they take its face.
fn is_closing_punctuation(c: char) -> bool {
    "。，、；：？！）】」』》”’….,;:?!)".contains(c)
}

/// Whether a line break between `a` and `b` should vanish (Chinese text) or
/// become a space (Latin text), the same rule the loader applies to YAML blocks.
pub fn joins_without_space(a: char, b: char) -> bool {
    !(a.is_ascii() && b.is_ascii())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Attachment,
    Signature,
    Date,
    AttachmentNote,
}

#[derive(Default)]
struct TableBuilder {
    table: Table,
    in_head: bool,
    row: Vec<Cell>,
    cell: Option<Cell>,
}

struct Builder {
    doc: Document,
    runs: Vec<Run>,
    heading: Option<(u8, String)>,
    table: Option<TableBuilder>,
    meta_text: Option<String>,
    html_block: Option<String>,
    in_code_block: bool,
    emphasis: u32,
    strong: u32,
    pending: Pending,
}

/// Parses the Markdown intermediate into a doc tree. Never fails.
pub fn parse(markdown: &str) -> Document {
    let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut b = Builder {
        doc: Document::default(),
        runs: Vec::new(),
        heading: None,
        table: None,
        meta_text: None,
        html_block: None,
        in_code_block: false,
        emphasis: 0,
        strong: 0,
        pending: Pending::None,
    };
    for event in Parser::new_ext(markdown, options) {
        b.event(event);
    }
    b.flush_paragraph();
    b.doc
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
            Event::Html(t) => {
                if let Some(h) = self.html_block.as_mut() {
                    h.push_str(&t);
                } else {
                    self.text(&t);
                }
            }
            Event::InlineHtml(t) => {
                let tag = t.trim().to_ascii_lowercase();
                if matches!(tag.as_str(), "<br>" | "<br/>" | "<br />") {
                    self.line_break();
                } else {
                    self.text(&t);
                }
            }
            Event::SoftBreak => self.soft_break(),
            Event::HardBreak => self.line_break(),
            Event::FootnoteReference(t) => self.text(&t),
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
            Event::Rule => {
                self.flush_paragraph();
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.flush_paragraph(),
            Tag::Heading { level, .. } => {
                self.flush_paragraph();
                let level = match level {
                    HeadingLevel::H1 => 0,
                    HeadingLevel::H2 => 1,
                    HeadingLevel::H3 => 2,
                    HeadingLevel::H4 => 3,
                    _ => 4,
                };
                self.heading = Some((level, String::new()));
            }
            Tag::Table(_) => {
                self.flush_paragraph();
                self.table = Some(TableBuilder::default());
            }
            Tag::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.in_head = true;
                    t.row.clear();
                }
            }
            Tag::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    t.row.clear();
                }
            }
            Tag::TableCell => {
                if let Some(t) = self.table.as_mut() {
                    t.cell = Some(vec![String::new()]);
                }
            }
            Tag::MetadataBlock(_) => self.meta_text = Some(String::new()),
            Tag::HtmlBlock => self.html_block = Some(String::new()),
            Tag::CodeBlock(_) => {
                self.flush_paragraph();
                self.in_code_block = true;
            }
            Tag::Item => self.flush_paragraph(),
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_) => self.flush_paragraph(),
            TagEnd::Heading(_) => {
                if let Some((level, text)) = self.heading.take() {
                    let text = text.trim().to_string();
                    self.doc.blocks.push(if level == 0 {
                        Block::Title(text)
                    } else {
                        Block::Heading { level, text }
                    });
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = self.table.as_mut()
                    && let Some(mut cell) = t.cell.take()
                {
                    for line in cell.iter_mut() {
                        *line = line.trim().to_string();
                    }
                    while cell.len() > 1 && cell.last().is_some_and(|l| l.is_empty()) {
                        cell.pop();
                    }
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = self.table.as_mut() {
                    t.table.header = std::mem::take(&mut t.row);
                    t.in_head = false;
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = self.table.as_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.doc.blocks.push(Block::Table(t.table));
                }
            }
            TagEnd::MetadataBlock(_) => {
                if let Some(text) = self.meta_text.take() {
                    self.doc.meta = parse_front_matter(&text);
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(html) = self.html_block.take() {
                    self.html_block_end(&html);
                }
            }
            TagEnd::CodeBlock => {
                self.flush_paragraph();
                self.in_code_block = false;
            }
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            _ => {}
        }
    }

    fn html_block_end(&mut self, html: &str) {
        let trimmed = html.trim();
        let marker = trimmed
            .strip_prefix("<!--")
            .and_then(|s| s.strip_suffix("-->"))
            .map(str::trim)
            .and_then(|s| s.strip_prefix("zongjie:"));
        match marker {
            Some("attachment") => {
                self.flush_paragraph();
                self.pending = Pending::Attachment;
            }
            Some("signature") => {
                self.flush_paragraph();
                self.pending = Pending::Signature;
            }
            Some("date") => {
                self.flush_paragraph();
                self.pending = Pending::Date;
            }
            Some("attachment-note") => {
                self.flush_paragraph();
                self.pending = Pending::AttachmentNote;
            }
            Some("pagebreak") => {
                self.flush_paragraph();
                self.doc.blocks.push(Block::PageBreak);
            }
            // Other comments are invisible, as in any Markdown viewer.
            _ if trimmed.starts_with("<!--") && trimmed.ends_with("-->") => {}
            // Any other raw HTML is text, never markup.
            _ => {
                self.flush_paragraph();
                for line in trimmed.lines().filter(|l| !l.trim().is_empty()) {
                    self.text(line.trim());
                    self.flush_paragraph();
                }
            }
        }
    }

    fn current_kind(&self) -> RunKind {
        if self.strong > 0 {
            RunKind::Strong
        } else if self.emphasis > 0 {
            RunKind::Lead
        } else {
            RunKind::Body
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(h) = self.meta_text.as_mut() {
            h.push_str(text);
            return;
        }
        if let Some(h) = self.html_block.as_mut() {
            h.push_str(text);
            return;
        }
        if let Some((_, h)) = self.heading.as_mut() {
            h.push_str(text);
            return;
        }
        if let Some(t) = self.table.as_mut() {
            if let Some(cell) = t.cell.as_mut()
                && let Some(line) = cell.last_mut()
            {
                line.push_str(text);
            }
            return;
        }
        if self.in_code_block {
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    self.flush_paragraph();
                }
                self.push_run(line, RunKind::Body);
            }
            return;
        }
        let kind = self.current_kind();
        self.push_run(text, kind);
    }

    fn push_run(&mut self, text: &str, kind: RunKind) {
        if text.is_empty() {
            return;
        }
        match self.runs.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(text),
            _ => self.runs.push(Run {
                text: text.to_string(),
                kind,
            }),
        }
    }

    /// A soft line break inside a paragraph: dropped between Chinese
    /// characters, a space between Latin ones.
    fn soft_break(&mut self) {
        if self.in_note() {
            return self.line_break();
        }
        let before = self.last_char();
        if let Some(c) = before
            && c.is_ascii()
        {
            self.text(" ");
        }
    }

    fn last_char(&self) -> Option<char> {
        if let Some((_, h)) = self.heading.as_ref() {
            return h.chars().last();
        }
        if let Some(t) = self.table.as_ref() {
            return t
                .cell
                .as_ref()
                .and_then(|c| c.last())
                .and_then(|l| l.chars().last());
        }
        self.runs.last().and_then(|r| r.text.chars().last())
    }

    fn line_break(&mut self) {
        if let Some(t) = self.table.as_mut()
            && let Some(cell) = t.cell.as_mut()
        {
            cell.push(String::new());
        } else if self.in_note() {
            self.push_run("\n", RunKind::Body);
        }
    }

    /// Inside the paragraph of a 附件说明, whose lines are its entries.
    fn in_note(&self) -> bool {
        self.pending == Pending::AttachmentNote && self.heading.is_none() && self.table.is_none()
    }

    fn flush_paragraph(&mut self) {
        if self.runs.is_empty() {
            return;
        }
        let runs = normalize_runs(std::mem::take(&mut self.runs));
        if runs.is_empty() {
            return;
        }
        let pending = std::mem::replace(&mut self.pending, Pending::None);
        let plain = || runs.iter().map(|r| r.text.as_str()).collect::<String>();
        let block = match pending {
            Pending::None => Block::Paragraph(runs),
            Pending::Attachment => Block::AttachmentLabel(plain()),
            Pending::Signature => Block::Signature(plain()),
            Pending::Date => Block::Date(plain()),
            Pending::AttachmentNote => {
                Block::AttachmentNote(AttachmentNote::from_lines(plain().lines()))
            }
        };
        self.doc.blocks.push(block);
    }
}

/// Trims the paragraph, merges neighbouring runs of one kind and moves the
/// closing punctuation that follows a lead into the lead.
fn normalize_runs(runs: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for mut run in runs {
        if let Some(prev) = out.last_mut() {
            if prev.kind != RunKind::Body && run.kind == RunKind::Body {
                let moved: String = run
                    .text
                    .chars()
                    .take_while(|&c| is_closing_punctuation(c))
                    .collect();
                if !moved.is_empty() {
                    prev.text.push_str(&moved);
                    run.text = run.text[moved.len()..].to_string();
                }
            }
            if prev.kind == run.kind {
                prev.text.push_str(&run.text);
                continue;
            }
        }
        if !run.text.is_empty() {
            out.push(run);
        }
    }
    if let Some(first) = out.first_mut() {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = out.last_mut() {
        last.text = last.text.trim_end().to_string();
    }
    out.retain(|r| !r.text.is_empty());
    out
}

/// Reads `key: value` lines of the front matter; unknown keys and malformed
/// lines are ignored, quotes around values removed.
fn parse_front_matter(text: &str) -> Meta {
    let mut meta = Meta::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .map(|v| v.replace("\\\"", "\"").replace("\\\\", "\\"))
            .unwrap_or_else(|| value.to_string());
        let slot = match key.trim() {
            "title" => &mut meta.title,
            "issuer" => &mut meta.issuer,
            "genre" => &mut meta.genre,
            "year" => &mut meta.year,
            "plan_year" => &mut meta.plan_year,
            "written" => &mut meta.written,
            "doc_no" => &mut meta.doc_no,
            "index_no" => &mut meta.index_no,
            "category" => &mut meta.category,
            "published" => &mut meta.published,
            "disclosure" => &mut meta.disclosure,
            "source" => &mut meta.source,
            "draft" => {
                meta.draft = value == "true";
                continue;
            }
            _ => continue,
        };
        if !value.is_empty() {
            *slot = Some(value);
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(b: &Block) -> Vec<(RunKind, String)> {
        match b {
            Block::Paragraph(r) => r.iter().map(|r| (r.kind, r.text.clone())).collect(),
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn run_in_lead_takes_its_full_stop() {
        let d = parse("*（一）落实落细疫情防控，牢牢守住底线*。紧扣要求。\n");
        assert_eq!(
            runs(&d.blocks[0]),
            vec![
                (
                    RunKind::Lead,
                    "（一）落实落细疫情防控，牢牢守住底线。".to_string()
                ),
                (RunKind::Body, "紧扣要求。".to_string())
            ]
        );
    }

    #[test]
    fn strong_item_lead_inside_paragraph() {
        let d = parse("前文。**一是围绕大病重病少出市**。4家医院。\n");
        assert_eq!(
            runs(&d.blocks[0]),
            vec![
                (RunKind::Body, "前文。".to_string()),
                (RunKind::Strong, "一是围绕大病重病少出市。".to_string()),
                (RunKind::Body, "4家医院。".to_string())
            ]
        );
    }

    #[test]
    fn headings_title_front_matter() {
        let md = "---\ntitle: 标题\nwritten: 2023-05-19\ndraft: true\n---\n\n# 标题\n\n## 一、总结\n\n正文。\n";
        let d = parse(md);
        assert_eq!(d.meta.title.as_deref(), Some("标题"));
        assert_eq!(d.meta.written.as_deref(), Some("2023-05-19"));
        assert!(d.meta.draft);
        assert_eq!(d.blocks[0], Block::Title("标题".into()));
        assert_eq!(
            d.blocks[1],
            Block::Heading {
                level: 1,
                text: "一、总结".into()
            }
        );
    }

    #[test]
    fn table_cells_split_at_br_and_keep_escaped_star() {
        let md = "| 序号 | 责任单位 |\n| --- | --- |\n| 1 | ①甲<br>②乙 |\n| 2 | \\*市卫健委、市发改委 |\n";
        let d = parse(md);
        let Block::Table(t) = &d.blocks[0] else {
            panic!("{:?}", d.blocks)
        };
        assert_eq!(
            t.header,
            vec![vec!["序号".to_string()], vec!["责任单位".to_string()]]
        );
        assert_eq!(t.rows[0][1], vec!["①甲".to_string(), "②乙".to_string()]);
        assert_eq!(t.rows[1][1], vec!["*市卫健委、市发改委".to_string()]);
    }

    #[test]
    fn markers_make_attachment_signature_date_pagebreak() {
        let md = "正文。\n\n<!-- zongjie:signature -->\n丽水市卫生健康委员会\n\n<!-- zongjie:date -->\n2023年5月19日\n\n<!-- zongjie:attachment -->\n附件1\n\n# 清单\n\n<!-- zongjie:pagebreak -->\n";
        let d = parse(md);
        assert_eq!(
            d.blocks[1..],
            [
                Block::Signature("丽水市卫生健康委员会".into()),
                Block::Date("2023年5月19日".into()),
                Block::AttachmentLabel("附件1".into()),
                Block::Title("清单".into()),
                Block::PageBreak
            ]
        );
    }

    #[test]
    fn attachment_note_lines_become_entries() {
        let md = "正文。\n\n<!-- zongjie:attachment-note -->\n附件：1\\. 2024年重点工作任务清单\\\n2\\. 项目表\n\n<!-- zongjie:signature -->\n某委\n";
        let d = parse(md);
        let Block::AttachmentNote(n) = &d.blocks[1] else {
            panic!("{:?}", d.blocks)
        };
        assert_eq!(n.lead, "附件：");
        let entries: Vec<(&str, &str)> = n
            .entries
            .iter()
            .map(|e| (e.number.as_str(), e.title.as_str()))
            .collect();
        assert_eq!(
            entries,
            [("1. ", "2024年重点工作任务清单"), ("2. ", "项目表")]
        );
        assert_eq!(
            d.blocks[1].plain_text(),
            "附件：1. 2024年重点工作任务清单\n2. 项目表"
        );
        assert_eq!(d.blocks[2], Block::Signature("某委".into()));
        // One attachment: no number; a title starting with digits keeps them.
        let d = parse("<!-- zongjie:attachment-note -->\n附件：2024年清单\n");
        assert_eq!(
            d.blocks[0],
            Block::AttachmentNote(AttachmentNote {
                lead: "附件：".into(),
                entries: vec![NoteEntry {
                    number: String::new(),
                    title: "2024年清单".into()
                }]
            })
        );
    }

    #[test]
    fn raw_html_stays_text() {
        let d = parse("<script>alert(1)</script>\n\n正文<img src=x onerror=alert(1)>。\n");
        let text = d.plain_paragraphs().join("\n");
        assert!(text.contains("<script>alert(1)</script>"), "{text}");
        assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    }

    #[test]
    fn soft_breaks_join_chinese_and_space_latin() {
        let d = parse("中文\n续写 and\nLatin\n");
        assert_eq!(d.plain_paragraphs(), vec!["中文续写 and Latin".to_string()]);
    }

    #[test]
    fn other_markdown_flattens_to_paragraphs() {
        let d = parse("- 甲\n- 乙\n\n> 引文\n\n```\n代码\n```\n");
        assert_eq!(d.plain_paragraphs(), vec!["甲", "乙", "引文", "代码"]);
    }
}
