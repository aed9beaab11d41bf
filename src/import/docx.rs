//! A `.docx` → the text the rest of the importer reads: each paragraph on
//! its own line with a blank line after it, each table as tab-started cells
//! (a cell's paragraphs on continuation lines), rows a blank line apart.
//! Numbering that Word keeps in `numbering.xml` (an auto-numbered 一、) is
//! put back in front of its paragraph. Parts are read bounded in size.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use crate::i18n;
use crate::tr;

/// A part of the package larger than this (unpacked) is refused.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Whether `bytes` are a zip archive holding a Word document.
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && zip::ZipArchive::new(Cursor::new(bytes))
            .is_ok_and(|mut z| z.by_name("word/document.xml").is_ok())
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(tr!(
                "cannot read {name} in the .docx: {e}",
                "无法读取 .docx 中的 {name}，文件可能已损坏（zip：{e}）"
            ));
        }
    };
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            tr!(
                "cannot unpack {name} in the .docx: {e}",
                "无法解压 .docx 中的 {name}，文件可能已损坏（zip：{e}）"
            )
        })?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        let mib = MAX_PART_BYTES >> 20;
        return Err(tr!(
            "{name} in the .docx unpacks to more than {mib} MiB",
            ".docx 中的 {name} 解压后超过 {mib} MiB"
        ));
    }
    String::from_utf8(bytes).map(Some).map_err(|_| {
        tr!(
            "{name} in the .docx is not UTF-8 XML",
            ".docx 中的 {name} 不是 UTF-8 编码的 XML"
        )
    })
}

/// Where a line of the extracted text is in the document, as Word shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The `n`th paragraph with text (1-based, table cells' paragraphs
    /// counted too).
    Paragraph { n: usize },
    /// A paragraph of a table cell (all 1-based), and its paragraph number.
    Cell {
        n: usize,
        table: usize,
        row: usize,
        col: usize,
    },
}

impl Place {
    /// The paragraph's number among the document's paragraphs with text.
    pub fn paragraph(&self) -> usize {
        match self {
            Place::Paragraph { n } | Place::Cell { n, .. } => *n,
        }
    }
}

/// The extracted text, and for each of its lines (0-based) the place in
/// the document it comes from (`None`: a blank separator line) and how many
/// characters it has before the paragraph's text (a cell's leading tab).
#[derive(Debug, Default)]
pub struct Extracted {
    pub text: String,
    pub places: Vec<Option<(Place, usize)>>,
    /// Each paragraph's text as it is in the extracted line (label included),
    /// by paragraph number − 1.
    pub paragraphs: Vec<String>,
}

impl Extracted {
    fn push(&mut self, line: &str, place: Option<(Place, usize)>) {
        self.text.push_str(line);
        self.text.push('\n');
        if let Some((_, skip)) = &place {
            self.paragraphs
                .push(line.chars().skip(*skip).collect::<String>());
        }
        self.places.push(place);
    }

    fn next_paragraph(&self) -> usize {
        self.paragraphs.len() + 1
    }
}

/// The document's text (see the module comment), or why it cannot be read.
pub fn text(bytes: &[u8]) -> Result<String, String> {
    extract(bytes).map(|e| e.text)
}

/// The document's text with the place of each line (see [`Extracted`]).
pub fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        tr!(
            "not a readable .docx: {e}",
            "无法读取这个 .docx，文件可能已损坏（zip：{e}）"
        )
    })?;
    let document = part(&mut zip, "word/document.xml")?.ok_or_else(|| {
        i18n::pick(
            "the .docx has no word/document.xml",
            ".docx 中缺少 word/document.xml（正文部分）",
        )
    })?;
    let numbering = part(&mut zip, "word/numbering.xml")?;
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
    };
    let doc = Document::parse_with_options(&document, opts).map_err(|e| {
        tr!(
            "word/document.xml: {e}",
            ".docx 的正文 word/document.xml 不是有效的 XML，文件可能已损坏（XML：{e}）"
        )
    })?;
    let mut numbers = match &numbering {
        Some(xml) => Numbering::parse(xml)?,
        None => Numbering::default(),
    };
    let mut out = Extracted::default();
    let mut tables = 0;
    for node in doc.descendants() {
        if is(node, "tbl") && !node.ancestors().skip(1).any(|a| is(a, "tbl")) {
            tables += 1;
            table(node, tables, &mut out);
        } else if is(node, "p") && !node.ancestors().any(|a| is(a, "tbl")) {
            let label = numbers.label(node);
            let t = paragraph_text(node);
            if !t.trim().is_empty() || !label.is_empty() {
                let n = out.next_paragraph();
                out.push(&format!("{label}{t}"), Some((Place::Paragraph { n }, 0)));
                out.push("", None);
            }
        }
    }
    Ok(out)
}

fn is(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(W)
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, name))
}

/// A paragraph's text: its runs' `w:t`, tabs as tabs; a line break inside a
/// paragraph is dropped (Chinese text joins without a space), also one
/// written into the text itself.
fn paragraph_text(p: Node) -> String {
    let mut s = String::new();
    for n in p.descendants() {
        if is(n, "t") {
            s.extend(
                n.text()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !matches!(c, '\n' | '\r')),
            );
        } else if is(n, "tab") && n.parent().is_some_and(|r| is(r, "r")) {
            s.push('\t');
        }
    }
    s
}

fn table(tbl: Node, number: usize, out: &mut Extracted) {
    for (r, tr) in tbl.children().filter(|c| is(*c, "tr")).enumerate() {
        for (c, tc) in tr.children().filter(|c| is(*c, "tc")).enumerate() {
            let lines: Vec<String> = tc
                .descendants()
                .filter(|p| is(*p, "p"))
                .map(paragraph_text)
                .map(|t| t.replace('\t', " ").trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            let place = |n| Place::Cell {
                n,
                table: number,
                row: r + 1,
                col: c + 1,
            };
            if lines.is_empty() {
                // An empty cell is still a cell (no paragraph with text).
                out.text.push_str("\t\n");
                out.places.push(Some((place(out.next_paragraph()), 1)));
            }
            for (i, line) in lines.iter().enumerate() {
                let n = out.next_paragraph();
                if i == 0 {
                    out.push(&format!("\t{line}"), Some((place(n), 1)));
                } else {
                    out.push(line, Some((place(n), 0)));
                }
            }
        }
        out.push("", None);
    }
}

/// One level of a list definition: number format, label text (`%1、`), start.
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: u64,
}

/// `numbering.xml`: numId → its levels, and the counters so far.
#[derive(Debug, Default)]
struct Numbering {
    levels: BTreeMap<String, BTreeMap<u8, Level>>,
    /// numId → abstractNumId (counters are shared per abstract list).
    abstract_of: BTreeMap<String, String>,
    counters: BTreeMap<String, [u64; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Numbering, String> {
        let opts = roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 1_000_000,
        };
        let doc = Document::parse_with_options(xml, opts).map_err(|e| {
            tr!(
                "word/numbering.xml: {e}",
                ".docx 的编号定义 word/numbering.xml 不是有效的 XML，文件可能已损坏（XML：{e}）"
            )
        })?;
        let mut abstracts: BTreeMap<String, BTreeMap<u8, Level>> = BTreeMap::new();
        for a in doc.descendants().filter(|n| is(*n, "abstractNum")) {
            let Some(id) = attr(a, "abstractNumId") else {
                continue;
            };
            let mut levels = BTreeMap::new();
            for lvl in a.children().filter(|n| is(*n, "lvl")) {
                let Some(ilvl) = attr(lvl, "ilvl")
                    .and_then(|v| v.parse::<u8>().ok())
                    .filter(|l| *l < 9)
                else {
                    continue;
                };
                let val = |name: &str| {
                    child(lvl, name)
                        .and_then(|n| attr(n, "val"))
                        .unwrap_or("")
                        .to_string()
                };
                levels.insert(
                    ilvl,
                    Level {
                        format: val("numFmt"),
                        text: val("lvlText"),
                        start: val("start").parse().unwrap_or(1),
                    },
                );
            }
            abstracts.insert(id.to_string(), levels);
        }
        let mut n = Numbering::default();
        for num in doc.descendants().filter(|x| is(*x, "num")) {
            let (Some(id), Some(abs)) = (
                attr(num, "numId"),
                child(num, "abstractNumId").and_then(|a| attr(a, "val")),
            ) else {
                continue;
            };
            if let Some(levels) = abstracts.get(abs) {
                n.levels.insert(id.to_string(), levels.clone());
                n.abstract_of.insert(id.to_string(), abs.to_string());
            }
        }
        Ok(n)
    }

    /// The label Word shows before paragraph `p` (empty when unnumbered),
    /// counting on.
    fn label(&mut self, p: Node) -> String {
        let Some(num_pr) = child(p, "pPr").and_then(|ppr| child(ppr, "numPr")) else {
            return String::new();
        };
        let id = child(num_pr, "numId")
            .and_then(|n| attr(n, "val"))
            .unwrap_or("0");
        let ilvl = child(num_pr, "ilvl")
            .and_then(|n| attr(n, "val"))
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
            .min(8);
        let Some(levels) = self.levels.get(id) else {
            return String::new();
        };
        let key = self.abstract_of.get(id).cloned().unwrap_or_default();
        let counters = self.counters.entry(key).or_insert([0; 9]);
        let start = |l: usize| levels.get(&(l as u8)).map_or(1, |x| x.start);
        if counters[ilvl] == 0 {
            counters[ilvl] = start(ilvl);
        } else {
            counters[ilvl] += 1;
        }
        for deeper in counters.iter_mut().skip(ilvl + 1) {
            *deeper = 0;
        }
        let Some(level) = levels.get(&(ilvl as u8)) else {
            return String::new();
        };
        if level.format == "none" || level.format == "bullet" {
            return String::new();
        }
        let mut label = level.text.clone();
        for l in (0..=ilvl).rev() {
            let pattern = format!("%{}", l + 1);
            if label.contains(&pattern) {
                let fmt = levels
                    .get(&(l as u8))
                    .map_or("decimal", |x| x.format.as_str());
                let value = if counters[l] == 0 {
                    start(l)
                } else {
                    counters[l]
                };
                label = label.replace(&pattern, &format_number(fmt, value));
            }
        }
        label
    }
}

/// A counter in one of Word's number formats.
fn format_number(format: &str, n: u64) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographTraditional"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand" => crate::numbering::chinese_numeral(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => {
            crate::numbering::Style::Circled.label(n as usize)
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_number_formats() {
        assert_eq!(format_number("chineseCounting", 11), "十一");
        assert_eq!(format_number("decimalEnclosedCircle", 3), "③");
        assert_eq!(format_number("decimal", 7), "7");
    }

    #[test]
    fn not_a_docx() {
        assert!(!is_docx(b"PK\x03\x04garbage"));
        assert!(text(b"PK\x03\x04garbage").is_err());
    }
}
