//! Paragraphs → the outline of a report: title (issuer, year, genre), intro,
//! parts 一、, sections （一）/(一) with their lead sentence, 一是…/第一，…
//! enumerations, 1./（1）/① items, signature and date, attachments, and a
//! task table extracted with tabs. Labels are taken off (the tool generates
//! them); whatever cannot be represented exactly stays text, with a note.

use super::{Line, Note};
use crate::diag::Severity;
use crate::i18n::pick;
use crate::numbering::Style;
use crate::tr;

/// A paragraph and the source line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    pub text: String,
    pub line: usize,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub title: Option<String>,
    /// `doc` fields the title gives: issuer, year, plan_year, half, genre.
    pub title_meta: Vec<(&'static str, String)>,
    pub intro: Vec<String>,
    pub parts: Vec<Part>,
    pub outro: Vec<String>,
    /// Issuer and ISO date of the closing signature.
    pub signature: Option<(String, String)>,
    pub attachments: Vec<Attachment>,
    pub tasks: Option<Tasks>,
    /// Numbering samples found, per level (`part`, `section`, `item`, `cell`).
    pub numbering: Vec<(&'static str, &'static str)>,
    /// Comments for the draft's top (`# 请核对：…`).
    pub unsure: Vec<String>,
    /// Figures lifted into `metrics` (`--metrics`, [`super::figures`]).
    pub metrics: Vec<super::figures::Metric>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Part {
    pub title: String,
    pub omitted: bool,
    pub section_style: Option<Style>,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
    pub unsure: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Section {
    pub lead: Option<String>,
    pub omitted: bool,
    pub text: Vec<String>,
    pub items: Vec<Item>,
    pub item_style: Option<Style>,
    pub unsure: Option<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Item {
    pub lead: Option<String>,
    pub text: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Attachment {
    pub title: String,
    pub intro: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tasks {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    /// The year a header cell names (`2023年攻坚目标`).
    pub year: Option<i32>,
    /// Header cells read by their place only (`# 请核对：…`).
    pub unsure: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub targets: Vec<String>,
    pub measures: Vec<String>,
    pub lead: Vec<String>,
    pub units: Vec<String>,
}

/// Label styles by level, longest labels first where they share a start.
const PART_STYLES: [Style; 1] = [Style::ChineseComma];
const SECTION_STYLES: [Style; 2] = [Style::ChineseParen, Style::ChineseParenAscii];
const ITEM_STYLES: [Style; 5] = [
    Style::ArabicDot,
    Style::ArabicComma,
    Style::ArabicParen,
    Style::ArabicParenAscii,
    Style::Circled,
];
const MAX_LABEL: usize = 99;

/// Every label the importer recognises, by first character: (style,
/// number, label), built once.
type LabelIndex = std::collections::HashMap<char, Vec<(Style, usize, String)>>;

fn all_labels() -> &'static LabelIndex {
    static LABELS: std::sync::OnceLock<LabelIndex> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| {
        let mut index = LabelIndex::new();
        let styles = PART_STYLES
            .iter()
            .chain(&SECTION_STYLES)
            .chain(&ITEM_STYLES);
        for style in styles {
            for n in 1..=MAX_LABEL {
                let label = style.label(n);
                if let Some(first) = label.chars().next() {
                    index.entry(first).or_default().push((*style, n, label));
                }
            }
        }
        index
    })
}

/// The label `text` starts with among `styles`: (style, number, byte length).
pub fn label_at(text: &str, styles: &[Style]) -> Option<(Style, usize, usize)> {
    let first = text.chars().next()?;
    let mut best: Option<(Style, usize, usize)> = None;
    for (style, n, label) in all_labels().get(&first).map_or(&[][..], |v| v.as_slice()) {
        if !styles.contains(style) || !text.starts_with(label.as_str()) {
            continue;
        }
        if best.is_some_and(|b| label.len() <= b.2) {
            continue;
        }
        // `1.5亿元` is a figure, not item 1.
        let next = text[label.len()..].chars().next();
        if matches!(style, Style::ArabicDot | Style::ArabicComma)
            && next.is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        if next.is_none() && *style != Style::ChineseComma {
            continue;
        }
        best = Some((*style, *n, label.len()));
    }
    best
}

/// Characters that close a sentence: a lead ending in one gets no added `。`.
fn is_final(c: char) -> bool {
    "。？！；：….?!;:".contains(c)
}

/// Splits a run-in lead off `text` (up to the first `。`) when it reads like
/// a heading: short, and something follows it. `(lead, rest)`.
pub fn split_lead(text: &str, max_chars: usize) -> Option<(String, String)> {
    let at = text.find('。')?;
    let (lead, rest) = (&text[..at], &text[at + '。'.len_utf8()..]);
    let lead_ok = !lead.is_empty()
        && lead.chars().count() <= max_chars
        && !lead.ends_with(is_final)
        && !lead.ends_with(['，', '、', ','])
        && !lead
            .trim_end_matches(['”', '’', '）', ')', '】', '」', '』', '》'])
            .ends_with(is_final)
        && lead.trim() == lead;
    lead_ok.then(|| (lead.to_string(), rest.to_string()))
}

/// An inline enumeration at the end of `p`: (text before it, style, items).
pub fn split_enumeration(p: &str) -> Option<(String, Style, Vec<String>)> {
    let before_ok = |s: &str| {
        s.chars()
            .next_back()
            .is_none_or(|c| "。；;：:，,！？!?".contains(c))
    };
    for style in [Style::Enumeration, Style::Ordinal] {
        let first = style.label(1);
        // Only the first 一是 that follows a sentence end is tried: a later
        // one could not find a 二是 the first one missed (bounded time).
        if let Some((start, _)) = p.match_indices(&first).find(|(i, _)| before_ok(&p[..*i])) {
            let mut items = Vec::new();
            let mut cur = start + first.len();
            let mut k = 2;
            loop {
                let label = style.label(k);
                let next = p[cur..]
                    .match_indices(&label)
                    .map(|(i, _)| cur + i)
                    .find(|&i| before_ok(&p[..i]) && i > cur);
                match next {
                    Some(i) if k <= MAX_LABEL => {
                        items.push(p[cur..i].to_string());
                        cur = i + label.len();
                        k += 1;
                    }
                    _ => {
                        items.push(p[cur..].to_string());
                        break;
                    }
                }
            }
            if items.len() >= 2 && items.iter().all(|i| !i.is_empty()) {
                return Some((p[..start].to_string(), style, items));
            }
        }
    }
    None
}

/// One item of an enumeration: a short first sentence becomes its lead.
fn item(text: &str) -> Item {
    match split_lead(text, 80) {
        Some((lead, rest)) if !rest.is_empty() => Item {
            lead: Some(lead),
            text: rest,
        },
        _ => Item {
            lead: None,
            text: text.to_string(),
        },
    }
}

/// Whether `s` starts a line of a tab-extracted table.
fn is_tab_line(s: &str) -> bool {
    s.trim_start_matches(' ').starts_with('\t')
}

/// Whether a line starts with a part, section or item label (or is an
/// attachment label): it starts a paragraph of its own.
fn is_labelled(t: &str) -> bool {
    label_at(t, &PART_STYLES).is_some()
        || label_at(t, &SECTION_STYLES).is_some()
        || label_at(t, &ITEM_STYLES).is_some()
        || is_attachment_label(t)
}

/// Lines → paragraphs. When blank lines separate paragraphs, the lines
/// between them are one wrapped paragraph (joined as the data format joins
/// lines); otherwise each line is a paragraph, and one that stops mid-sentence
/// before a line that goes on is noted.
pub fn paragraphs(lines: &[Line], notes: &mut Vec<Note>) -> Vec<Para> {
    // Blank lines inside the text (not at its edges) separate paragraphs.
    let first = lines
        .iter()
        .position(|l| !l.text.trim().is_empty())
        .unwrap_or(0);
    let last = lines
        .iter()
        .rposition(|l| !l.text.trim().is_empty())
        .map_or(0, |i| i + 1);
    let inside = &lines[first..last.max(first)];
    let blank = inside.iter().filter(|l| l.text.trim().is_empty()).count();
    let full = inside.len() - blank;
    // Lines followed by an unlabelled line: in a wrapped text most of them
    // stop mid-sentence; when each line is a paragraph, most end one.
    let (mut inner, mut inner_final) = (0usize, 0usize);
    for pair in lines.windows(2) {
        let (a, b) = (pair[0].text.trim(), pair[1].text.trim());
        if a.is_empty() || b.is_empty() || is_labelled(b) {
            continue;
        }
        inner += 1;
        if a.ends_with(|c: char| is_final(c) || "”’）)】」』》".contains(c)) {
            inner_final += 1;
        }
    }
    let wrapped = blank >= 2 && inner > 0 && inner_final * 2 < inner;
    let blank_separated = full > 1 && (blank * 2 >= full || wrapped);
    let mut out: Vec<Para> = Vec::new();
    let mut open = false;
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            open = false;
            continue;
        }
        let labelled = is_labelled(t);
        match out.last_mut() {
            Some(last) if open && blank_separated && !labelled => {
                // A wrap between two Latin letters was a space; any other
                // (Chinese text, a figure split mid-number) was nothing.
                let letters = last.text.ends_with(|c: char| c.is_ascii_alphabetic())
                    && t.starts_with(|c: char| c.is_ascii_alphabetic());
                if letters {
                    last.text.push(' ');
                }
                last.text.push_str(t);
            }
            _ => out.push(Para {
                text: t.to_string(),
                line: line.no,
            }),
        }
        open = true;
    }
    if !blank_separated {
        for pair in out.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let ends = a
                .text
                .chars()
                .next_back()
                .is_some_and(|c| is_final(c) || "”’）)】」』》".contains(c));
            let (Some(x), Some(y)) = (a.text.chars().next_back(), b.text.chars().next()) else {
                continue;
            };
            if !ends
                && crate::text::is_han(x)
                && crate::text::is_han(y)
                && a.text.chars().count() > 40
                && label_at(
                    &b.text,
                    &[
                        Style::ChineseComma,
                        Style::ChineseParen,
                        Style::ChineseParenAscii,
                    ],
                )
                .is_none()
            {
                notes.push(Note::new(
                    Severity::Note,
                    b.line,
                    1,
                    pick(
                        "this line seems to continue the paragraph of the line before (split mid-word); kept as its own paragraph",
                        "这一行像是上一行段落的接续（在词中间断开了），已作为单独一段保留",
                    ),
                    pick(
                        "if it is one paragraph, join the two lines in the draft",
                        "如果原本是一段，请在草稿中把两行合并",
                    ),
                ));
            }
        }
    }
    out
}

/// The whole outline of the source `lines` (chrome already removed).
pub fn outline(lines: Vec<Line>, notes: &mut Vec<Note>) -> Outline {
    let mut o = Outline::default();
    let table_at = lines.iter().position(|l| is_tab_line(&l.text));
    let tab_lines = lines.iter().filter(|l| is_tab_line(&l.text)).count();
    let (prose, table) = match table_at {
        Some(at) if tab_lines >= 4 => lines.split_at(at),
        _ => (&lines[..], &[][..]),
    };
    if !table.is_empty() {
        match tasks(table, notes) {
            Some(t) => {
                o.numbering.push(("cell", "①"));
                o.tasks = Some(t);
            }
            None => notes.push(Note::new(
                Severity::Warning,
                table[0].no,
                1,
                pick(
                    "lines indented with tabs look like a table, but not a task table of 序号, 项目名称, 目标, 举措, 责任单位",
                    "用制表符缩进的几行像是表格，但不是由 序号、项目名称、目标、举措、责任单位 组成的任务表",
                ),
                pick(
                    "the table is kept as paragraphs; put it in `tasks` by hand",
                    "表格已按段落保留；如需任务表，请手工填入 `tasks`",
                ),
            )),
        }
    }
    let mut paras = paragraphs(if o.tasks.is_some() { prose } else { &lines[..] }, notes);
    drop_repeats(&mut paras, notes);
    // Title.
    if let Some(first) = paras.first()
        && label_at(&first.text, &PART_STYLES).is_none()
        && label_at(&first.text, &SECTION_STYLES).is_none()
        && first.text.chars().count() <= 60
        && !first.text.ends_with(is_final)
        && !first.text.ends_with(['，', ','])
    {
        let p = paras.remove(0);
        o.title_meta = title_meta(&p.text, o.tasks.is_some());
        o.title = Some(p.text);
    } else if o.tasks.is_some() {
        o.title = Some("攻坚任务清单".to_string());
        o.title_meta.push(("genre", "攻坚任务清单".to_string()));
        o.unsure
            .push("源文件没有标题，doc.title 是占位，请改为正式标题".to_string());
    } else {
        o.unsure
            .push("没有找到标题（第一段太长或带编号），请补上 doc.title".to_string());
    }
    if let Some(t) = &o.tasks {
        if let Some(year) = t.year
            && !o.title_meta.iter().any(|(k, _)| *k == "year")
        {
            o.title_meta.push(("year", year.to_string()));
        }
        o.unsure.extend(t.unsure.iter().cloned());
    }
    // Attachments.
    if let Some(at) = paras.iter().position(|p| is_attachment_label(&p.text)) {
        let tail = paras.split_off(at);
        attachments(&tail, &mut o, notes);
    }
    // Signature and date at the end (before any attachment).
    if paras.len() >= 2
        && let Some(iso) = iso_date(&paras[paras.len() - 1].text)
    {
        let issuer = &paras[paras.len() - 2].text;
        if issuer.chars().count() <= 30
            && !issuer.contains(['。', '，', ',', '；', '：'])
            && label_at(issuer, &ITEM_STYLES).is_none()
        {
            o.signature = Some((issuer.clone(), iso));
            paras.truncate(paras.len() - 2);
        }
    }
    body(&paras, &mut o, notes);
    theme_headings(&mut o);
    o
}

/// A line that reads as a heading of the genre without a label: short, no
/// sentence end, not the start of an enumeration or a list item.
fn is_theme(t: &str) -> bool {
    let n = t.chars().count();
    (4..=40).contains(&n)
        && !t.ends_with(is_final)
        && !t.ends_with(['，', ',', '、'])
        && !t.contains('。')
        && !is_labelled(t)
}

/// A stand-alone heading line: [`is_theme`], one clause or two, no spaces
/// (a byline `记者 张三` or OCR damage is not taken for one).
fn is_heading_line(t: &str) -> bool {
    is_theme(t)
        && !t.contains(['；', ';', '：', ':', ' ', '\u{3000}'])
        && !["记者", "通讯员", "本报讯"].iter().any(|w| t.contains(w))
}

/// The most parts and sections per part a draft gets (the format's limits).
const MAX_PARTS: usize = 99;
const MAX_SECTIONS: usize = 999;

/// Paragraphs from the first of at least two unlabelled heading lines on,
/// grouped (heading, the paragraphs after it), each heading followed by
/// text that ends a sentence; `None` when they do not read so. The
/// paragraphs before the first heading are left where they are.
fn heading_groups(paras: &[String]) -> Option<(usize, Vec<Vec<String>>)> {
    let first = paras.iter().position(|p| is_heading_line(p))?;
    let mut groups: Vec<Vec<String>> = Vec::new();
    for p in &paras[first..] {
        if is_heading_line(p) {
            if groups.last().is_some_and(|g| g.len() < 2) {
                return None;
            }
            groups.push(vec![p.clone()]);
        } else {
            if !p.ends_with(|c: char| is_final(c) || "”’）)】」』》".contains(c)) {
                return None;
            }
            groups.last_mut()?.push(p.clone());
        }
    }
    (groups.len() >= 2 && groups.iter().all(|g| g.len() >= 2)).then_some((first, groups))
}

/// [`heading_groups`] of at most `max` groups.
fn at_most(
    groups: Option<(usize, Vec<Vec<String>>)>,
    max: usize,
) -> Option<(usize, Vec<Vec<String>>)> {
    groups.filter(|(_, g)| g.len() <= max)
}

/// Unlabelled theme headings (`坚持人民至上，全力守护群众健康` on a line
/// of its own before paragraphs): in a part without （一） sections they are
/// unnumbered sections (`numbering: {section: 无}`), each heading kept as
/// its section's first paragraph (a lead would run in); in a report with no
/// parts at all they are unnumbered parts (`numbering: {part: 无}`), the
/// heading their title.
fn theme_headings(o: &mut Outline) {
    if o.parts.is_empty() && o.tasks.is_none() {
        if let Some((first, groups)) = at_most(heading_groups(&o.intro), MAX_PARTS) {
            o.intro.truncate(first);
            o.numbering.push(("part", Style::None.sample()));
            for mut g in groups {
                let title = g.remove(0);
                o.parts.push(Part {
                    title,
                    intro: g,
                    unsure: Some("源文件的这一标题没有编号，按无编号的部分导入".to_string()),
                    ..Part::default()
                });
            }
        }
        return;
    }
    for part in o.parts.iter_mut() {
        if !part.sections.is_empty() || part.omitted {
            continue;
        }
        let Some((first, groups)) = at_most(heading_groups(&part.intro), MAX_SECTIONS) else {
            continue;
        };
        part.intro.truncate(first);
        part.section_style = Some(Style::None);
        part.unsure = Some(
            "这一部分的小标题没有编号，按无编号的节导入；小标题是各节的首段（lead 会与正文连排）"
                .to_string(),
        );
        for mut text in groups {
            let mut section = Section::default();
            // A 一是…二是… at the end of the section's text, as under （一）.
            if let Some(last) = text.last().cloned()
                && let Some((before, style, items)) = split_enumeration(&last)
                && !before.is_empty()
            {
                text.pop();
                text.push(before);
                section.item_style = Some(style);
                section.items = items.iter().map(|i| item(i)).collect();
                if !o.numbering.iter().any(|(k, _)| *k == "item") {
                    o.numbering.push(("item", style.sample()));
                }
            }
            section.text = text;
            part.sections.push(section);
        }
    }
}

/// `附件`, `附件1`, `附件：` alone on a line.
fn is_attachment_label(t: &str) -> bool {
    t.strip_prefix("附件").is_some_and(|r| {
        r.trim_end_matches([':', '：'])
            .chars()
            .all(|c| c.is_ascii_digit())
    })
}

fn attachments(tail: &[Para], o: &mut Outline, notes: &mut Vec<Note>) {
    let mut labels = Vec::new();
    for p in tail {
        if is_attachment_label(&p.text) {
            labels.push((p.text.clone(), p.line));
            o.attachments.push(Attachment::default());
        } else if let Some(a) = o.attachments.last_mut() {
            if a.title.is_empty() {
                a.title = p.text.clone();
            } else {
                a.intro.push(p.text.clone());
            }
        }
    }
    let n = labels.len();
    for (i, (label, line)) in labels.iter().enumerate() {
        let generated = if n == 1 {
            "附件".to_string()
        } else {
            format!("附件{}", i + 1)
        };
        if *label != generated {
            notes.push(Note::new(
                Severity::Note,
                *line,
                1,
                tr!(
                    "the attachment is labelled `{label}`; the tool labels it `{generated}`",
                    "原文的附件标为 `{label}`，本工具会标为 `{generated}`"
                ),
                pick(
                    "the label is generated from the number of attachments",
                    "附件标号按附件的顺序自动生成",
                ),
            ));
        }
    }
}

/// A date written `2023年5月19日` → `2023-05-19`.
fn iso_date(t: &str) -> Option<String> {
    let (y, rest) = t.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let num = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (y, m, d) = (num(y, 4..=4)?, num(m, 1..=2)?, num(d, 1..=2)?);
    let iso = format!("{y}-{m:02}-{d:02}");
    crate::numbering::date_cn(&iso).map(|_| iso)
}

/// What a title says: `丽水市卫生健康委员会2022年工作总结和2023年工作要点`
/// → issuer, year, plan_year and genre.
fn title_meta(title: &str, has_tasks: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let years: Vec<(usize, i32)> = title
        .match_indices('年')
        .filter_map(|(i, _)| {
            let head = &title[..i];
            let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            (digits == 4)
                .then(|| (i - 4, head[i - 4..].parse().ok()))?
                .1
                .map(|y| (i - 4, y))
        })
        .collect();
    if let Some(&(at, year)) = years.first() {
        let issuer = title[..at].trim();
        if !issuer.is_empty() {
            out.push(("issuer", issuer.to_string()));
        }
        out.push(("year", year.to_string()));
        let genre = if has_tasks || title.contains("攻坚任务") || title.contains("任务清单")
        {
            Some("攻坚任务清单")
        } else if title.contains("上半年") || title.contains("半年") {
            out.push(("half", "1".to_string()));
            Some("半年总结和计划")
        } else if title.contains("总结")
            && (title.contains("要点") || title.contains("计划") || title.contains("思路"))
        {
            Some("年度总结和要点")
        } else {
            None
        };
        if let Some(&(_, plan)) = years.get(1)
            && genre == Some("年度总结和要点")
        {
            out.push(("plan_year", plan.to_string()));
        }
        if let Some(g) = genre {
            out.push(("genre", g.to_string()));
        }
    }
    out
}

/// A paragraph that only repeats an earlier one is left out, with a note.
fn drop_repeats(paras: &mut Vec<Para>, notes: &mut Vec<Note>) {
    // Containment is looked for in reports of ordinary size; past that only
    // exact repeats (bounded time).
    let total: usize = paras.iter().map(|p| p.text.len()).sum();
    let search = paras.len() <= 2000 && total <= 2 * 1024 * 1024;
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut kept: Vec<Para> = Vec::with_capacity(paras.len());
    for p in paras.drain(..) {
        let long = p.text.chars().count() >= 20;
        let earlier = if !long {
            None
        } else if let Some(&line) = seen.get(&p.text) {
            Some(line)
        } else if search {
            kept.iter()
                .find(|k| k.text.contains(&p.text))
                .map(|k| k.line)
        } else {
            None
        };
        if let Some(earlier) = earlier {
            notes.push(Note::new(
                Severity::Warning,
                p.line,
                1,
                tr!(
                    "this passage only repeats text of line {earlier}; left out of the draft",
                    "这段文字只是重复了第 {earlier} 行的内容，未写入草稿"
                ),
                pick(
                    "if it was meant to be there twice, copy it into the draft",
                    "如果确实要出现两次，请把它复制到草稿中",
                ),
            ));
            continue;
        }
        if long {
            seen.entry(p.text.clone()).or_insert(p.line);
        }
        kept.push(p);
    }
    *paras = kept;
}

/// Where the next paragraph goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    Intro,
    Part,
    Section,
}

/// A block item (1. （1） ①) waiting for its section to end.
struct Pending {
    style: Style,
    n: usize,
    text: String,
    line: usize,
}

fn body(paras: &[Para], o: &mut Outline, notes: &mut Vec<Note>) {
    let mut at = At::Intro;
    let mut pending: Vec<Pending> = Vec::new();
    let mut section_paras: Vec<Para> = Vec::new();
    let mut section_label: Option<(Style, usize)> = None;
    let part_labels = paras
        .iter()
        .any(|p| label_at(&p.text, &PART_STYLES).is_some());
    for p in paras {
        // No 一、 in the source: a theme line right before a （一） that
        // starts the count (again) is the heading of an unnumbered part.
        if !part_labels
            && at != At::Part
            && o.parts.len() < MAX_PARTS
            && pending.is_empty()
            && label_at(&p.text, &SECTION_STYLES).is_some_and(|l| l.1 == 1)
        {
            // The theme line, and the part's intro after it (at most 3
            // paragraphs, as the genre's 总体要求 paragraph).
            let (len, lowest) = match at {
                At::Intro => (o.intro.len(), 0),
                _ => (section_paras.len(), 1),
            };
            let text_at = |i: usize| match at {
                At::Intro => o.intro[i].as_str(),
                _ => section_paras[i].text.as_str(),
            };
            let found = (lowest.max(len.saturating_sub(4))..len)
                .rev()
                .find(|&i| is_theme(text_at(i)));
            if let Some(i) = found {
                let mut taken: Vec<String> = match at {
                    At::Intro => o.intro.split_off(i),
                    _ => section_paras
                        .split_off(i)
                        .into_iter()
                        .map(|p| p.text)
                        .collect(),
                };
                let title = taken.remove(0);
                finish_section(
                    o,
                    &mut section_paras,
                    &mut pending,
                    section_label.take(),
                    notes,
                );
                if !o.numbering.iter().any(|(k, _)| *k == "part") {
                    o.numbering.push(("part", Style::None.sample()));
                }
                o.parts.push(Part {
                    title,
                    intro: taken,
                    unsure: Some(
                        "源文件这一部分的标题没有编号（一、），按无编号的部分导入".to_string(),
                    ),
                    ..Part::default()
                });
                at = At::Part;
            }
        }
        if let Some((style, n, len)) = label_at(&p.text, &PART_STYLES) {
            finish_section(
                o,
                &mut section_paras,
                &mut pending,
                section_label.take(),
                notes,
            );
            let expected = o.parts.len() + 1;
            if n > expected {
                for missing in expected..n {
                    o.parts.push(Part {
                        omitted: true,
                        ..Part::default()
                    });
                    notes.push(Note::new(
                        Severity::Warning,
                        p.line,
                        1,
                        {
                            let missing = crate::numbering::chinese_numeral(missing as u64);
                            let from = style.label(expected.saturating_sub(1).max(1));
                            let to = style.label(n);
                            tr!(
                                "part {missing} is missing (the source goes from {from} to {to}); an omitted placeholder keeps the numbers",
                                "缺少第{missing}部分（原文从「{from}」跳到「{to}」），已放入一个省略的占位部分，使编号保持不变"
                            )
                        },
                        pick(
                            "fill in the missing part, or keep `omitted: true`",
                            "请补上缺少的部分，或保留 `omitted: true`",
                        ),
                    ));
                }
            } else if n < expected {
                notes.push(Note::new(
                    Severity::Warning,
                    p.line,
                    1,
                    {
                        let (found, numbered) = (style.label(n), style.label(expected));
                        tr!(
                            "part number {found} repeats or goes back; the tool numbers it {numbered}",
                            "部分编号「{found}」重复或倒退了，本工具会把它编为「{numbered}」"
                        )
                    },
                    pick("check the order of the parts", "请核对各部分的顺序"),
                ));
            }
            if !o.numbering.iter().any(|(k, _)| *k == "part") {
                o.numbering.push(("part", style.sample()));
            }
            o.parts.push(Part {
                title: p.text[len..].trim().to_string(),
                ..Part::default()
            });
            at = At::Part;
            continue;
        }
        if at != At::Intro
            && let Some((style, n, _)) = label_at(&p.text, &SECTION_STYLES)
        {
            finish_section(
                o,
                &mut section_paras,
                &mut pending,
                section_label.take(),
                notes,
            );
            let part = o.parts.last_mut().expect("at a part");
            let doc_style = o
                .numbering
                .iter()
                .find(|(k, _)| *k == "section")
                .map(|(_, s)| *s);
            match doc_style {
                None => o.numbering.push(("section", style.sample())),
                Some(s) if s != style.sample() && part.sections.is_empty() => {
                    part.section_style = Some(style)
                }
                Some(s) if s != style.sample() && part.section_style != Some(style) => {
                    notes.push(Note::new(
                        Severity::Note,
                        p.line,
                        1,
                        {
                            let label = style.label(n);
                            tr!(
                                "this section is labelled {label} but the ones before it use another style",
                                "这一节标为「{label}」，但前面各节用的是另一种编号样式"
                            )
                        },
                        pick(
                            "the tool numbers all sections of a part in one style",
                            "本工具对同一部分的各节使用同一种编号样式",
                        ),
                    ))
                }
                _ => {}
            }
            let expected = part.sections.len() + 1;
            if n > expected {
                for missing in expected..n {
                    part.sections.push(Section {
                        omitted: true,
                        ..Section::default()
                    });
                    notes.push(Note::new(
                        Severity::Warning,
                        p.line,
                        1,
                        {
                            let missing = style.label(missing);
                            tr!(
                                "section {missing} is missing; an omitted placeholder keeps the numbers",
                                "缺少「{missing}」这一节，已放入一个省略的占位节，使编号保持不变"
                            )
                        },
                        pick(
                            "fill in the missing section, or keep `omitted: true`",
                            "请补上缺少的一节，或保留 `omitted: true`",
                        ),
                    ));
                }
            } else if n < expected {
                notes.push(Note::new(
                    Severity::Warning,
                    p.line,
                    1,
                    {
                        let (found, numbered) = (style.label(n), style.label(expected));
                        tr!(
                            "section number {found} repeats or goes back; the tool numbers it {numbered}",
                            "节的编号「{found}」重复或倒退了，本工具会把它编为「{numbered}」"
                        )
                    },
                    pick("check the order of the sections", "请核对各节的顺序"),
                ));
            }
            section_label = Some((style, n));
            section_paras.push(p.clone());
            at = At::Section;
            continue;
        }
        match at {
            At::Intro => o.intro.push(p.text.clone()),
            At::Part => o
                .parts
                .last_mut()
                .expect("at a part")
                .intro
                .push(p.text.clone()),
            At::Section => {
                if let Some((style, n, len)) = label_at(&p.text, &ITEM_STYLES)
                    && pending.first().is_none_or(|f| f.style == style)
                    && n == pending.len() + 1
                    && p.text.len() > len
                {
                    pending.push(Pending {
                        style,
                        n,
                        text: p.text[len..].to_string(),
                        line: p.line,
                    });
                } else {
                    demote(&mut pending, &mut section_paras, notes);
                    section_paras.push(p.clone());
                }
            }
        }
    }
    finish_section(
        o,
        &mut section_paras,
        &mut pending,
        section_label.take(),
        notes,
    );
}

/// Block items followed by more text cannot be items (they would move after
/// the text): they stay paragraphs with their labels, with a note.
fn demote(pending: &mut Vec<Pending>, paras: &mut Vec<Para>, notes: &mut Vec<Note>) {
    if let Some(first) = pending.first() {
        notes.push(Note::new(
            Severity::Note,
            first.line,
            1,
            pick(
                "numbered paragraphs followed by more text of the same section are kept as text, labels included",
                "这几个带编号的段落后面还有同一节的正文，已连同编号作为正文保留",
            ),
            pick(
                "make them `items` of their own section if they should be numbered by the tool",
                "如果要由本工具编号，请把它们放进单独一节的 `items`",
            ),
        ));
    }
    for p in pending.drain(..) {
        paras.push(Para {
            text: format!("{}{}", p.style.label(p.n), p.text),
            line: p.line,
        });
    }
}

fn finish_section(
    o: &mut Outline,
    paras: &mut Vec<Para>,
    pending: &mut Vec<Pending>,
    label: Option<(Style, usize)>,
    notes: &mut Vec<Note>,
) {
    let Some((style, _)) = label else {
        paras.clear();
        pending.clear();
        return;
    };
    if paras.is_empty() {
        return;
    }
    let first = paras.remove(0);
    let len = label_at(&first.text, &[style]).map_or(0, |l| l.2);
    let head = first.text[len..].to_string();
    let mut section = Section::default();
    let mut text: Vec<String> = Vec::new();
    match split_lead(&head, 60) {
        Some((lead, rest)) if !rest.is_empty() || paras.is_empty() => {
            section.lead = Some(lead);
            if !rest.is_empty() {
                text.push(rest);
            }
        }
        _ => {
            if !head.is_empty() && !head.contains('。') && !paras.is_empty() {
                section.unsure =
                    Some("这一节的标题行没有句号，作为正文首段保留；可改为 lead".to_string());
            }
            text.push(head);
        }
    }
    text.extend(paras.drain(..).map(|p| p.text));
    if !pending.is_empty() {
        section.item_style = pending.first().map(|p| p.style);
        section.items = pending.drain(..).map(|p| item(&p.text)).collect();
    } else if let Some(last) = text.last().cloned()
        && let Some((before, enum_style, items)) = split_enumeration(&last)
    {
        // Inline items run on right after the lead when there is no text.
        if !before.is_empty() || text.len() == 1 {
            text.pop();
            if !before.is_empty() {
                text.push(before);
            }
            section.item_style = Some(enum_style);
            section.items = items.iter().map(|i| item(i)).collect();
        }
    }
    if section.lead.is_none() && text.is_empty() && !section.items.is_empty() {
        notes.push(Note::new(
            Severity::Note,
            first.line,
            1,
            pick(
                "section without lead or text",
                "这一节既没有引领句（lead）也没有正文",
            ),
            "",
        ));
    }
    section.text = text;
    if let Some(style) = section.item_style
        && !o.numbering.iter().any(|(k, _)| *k == "item")
    {
        o.numbering.push(("item", style.sample()));
    }
    if let Some(part) = o.parts.last_mut() {
        part.sections.push(section);
    }
}

/// A tab-extracted task table: a line starting with a tab starts a cell,
/// other lines go on the cell; the header's 序号 tells the column count.
fn tasks(lines: &[Line], notes: &mut Vec<Note>) -> Option<Tasks> {
    let mut cells: Vec<(String, usize)> = Vec::new();
    for line in lines {
        let t = line.text.trim_start_matches(' ');
        if let Some(cell) = t.strip_prefix('\t') {
            cells.push((cell.trim().to_string(), line.no));
        } else if !t.trim().is_empty() {
            let (cell, _) = cells.last_mut()?;
            cell.push('\n');
            cell.push_str(t.trim());
        }
    }
    if cells.first()?.0 != "序号" {
        return None;
    }
    let n = cells.iter().skip(1).position(|(c, _)| c == "1")? + 1;
    if n != 5 || !cells.len().is_multiple_of(n) {
        notes.push(Note::new(
            Severity::Warning,
            cells[0].1,
            1,
            {
                let count = cells.len();
                tr!(
                    "the table has {n} columns and {count} cells; a task table has 5 columns (序号, 项目名称, 目标, 举措, 责任单位)",
                    "这个表格有 {n} 列、{count} 个单元格；任务表应有 5 列（序号、项目名称、目标、举措、责任单位）"
                )
            },
            "",
        ));
        return None;
    }
    let columns: Vec<String> = cells[..n].iter().map(|(c, _)| c.clone()).collect();
    let mut unsure = Vec::new();
    for (i, role) in header_roles(&columns).into_iter().enumerate() {
        match role {
            Some(r) if r == i => {}
            Some(r) => {
                notes.push(Note::new(
                    Severity::Warning,
                    cells[i].1,
                    1,
                    {
                        let (at, header, role, place) =
                            (i + 1, &columns[i], COLUMN_ROLES[r].0, r + 1);
                        tr!(
                            "the table's column {at} `{header}` reads as the {role} column, which a task table prints as column {place}",
                            "表格第 {at} 列 `{header}` 看起来是「{role}」列，而任务表把这一列排在第 {place} 列"
                        )
                    },
                    pick(
                        "a task table's columns come in the order 序号, 项目名称, 目标, 举措, 责任单位; the table is kept as paragraphs",
                        "任务表各列的顺序是 序号、项目名称、目标、举措、责任单位；这个表格已按段落保留",
                    ),
                ));
                return None;
            }
            None => unsure.push(format!(
                "任务表第{}列表头「{}」按位置作为「{}」列",
                i + 1,
                columns[i],
                COLUMN_ROLES[i].0
            )),
        }
    }
    let year = header_year(&columns);
    let mut rows = Vec::new();
    for (i, row) in cells[n..].chunks(n).enumerate() {
        if row[0].0 != (i + 1).to_string() {
            notes.push(Note::new(
                Severity::Note,
                row[0].1,
                1,
                {
                    let (found, expected) = (&row[0].0, i + 1);
                    tr!(
                        "序号 `{found}` where {expected} was expected; the tool numbers rows itself",
                        "序号是 `{found}`，这里应为 {expected}；本工具会自动给各行编号"
                    )
                },
                "",
            ));
        }
        let (lead, units) = units(&row[4].0);
        if lead.is_empty() {
            notes.push(Note::new(
                Severity::Note,
                row[4].1,
                1,
                pick(
                    "this row names no lead unit (no `*`)",
                    "这一行没有注明牵头单位（没有 `*`）",
                ),
                pick(
                    "mark the lead unit with `lead:` if there is one",
                    "如有牵头单位，请用 `lead:` 注明",
                ),
            ));
        }
        rows.push(Row {
            name: row[1].0.replace('\n', ""),
            targets: circled_items(&row[2].0),
            measures: circled_items(&row[3].0),
            lead,
            units,
        });
    }
    Some(Tasks {
        columns,
        rows,
        year,
        unsure,
    })
}

/// The five columns of a task table: the name the format gives each, and
/// words a header cell for it uses.
const COLUMN_ROLES: [(&str, &[&str]); 5] = [
    ("序号", &["序号", "编号"]),
    ("项目名称", &["项目", "名称", "任务", "事项"]),
    ("攻坚目标", &["目标", "指标", "成效", "完成"]),
    ("攻坚举措", &["举措", "措施", "路径", "做法", "抓手"]),
    ("责任单位", &["责任", "单位", "牵头", "部门"]),
];

/// Which of the five columns each header cell names, by its words (None:
/// it names none, or more than one).
fn header_roles(columns: &[String]) -> Vec<Option<usize>> {
    columns
        .iter()
        .map(|c| {
            let hits: Vec<usize> = COLUMN_ROLES
                .iter()
                .enumerate()
                .filter(|(_, (_, words))| words.iter().any(|w| c.contains(w)))
                .map(|(i, _)| i)
                .collect();
            match hits.as_slice() {
                [one] => Some(*one),
                // `2023年底前完成目标`: 完成 and 目标 are one role; `项目名称`
                // two words of one role.
                _ => None,
            }
        })
        .collect()
}

/// The year a header names (`2023年攻坚目标`, `2023年底前完成`).
fn header_year(columns: &[String]) -> Option<i32> {
    columns.iter().find_map(|c| {
        c.match_indices('年').find_map(|(i, _)| {
            let head = &c[..i];
            let digits = head.len() - head.trim_end_matches(|ch: char| ch.is_ascii_digit()).len();
            (digits == 4)
                .then(|| head[i - 4..].parse::<i32>().ok())
                .flatten()
                .filter(|y| (1900..=2100).contains(y))
        })
    })
}

/// A cell's ①②… items (one item when unnumbered); line breaks are dropped.
fn circled_items(cell: &str) -> Vec<String> {
    let is_circled =
        |c: char| matches!(c as u32, 0x2460..=0x2473 | 0x3251..=0x325F | 0x32B1..=0x32BF);
    let mut items: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in cell.chars() {
        if is_circled(c) {
            if !cur.trim().is_empty() {
                items.push(cur.replace('\n', "").trim().to_string());
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    if !cur.trim().is_empty() {
        items.push(cur.replace('\n', "").trim().to_string());
    }
    items
}

/// `*市卫健委、市发改委、各县（市、区）人民政府` → leads and units, split at
/// the 、 outside brackets.
fn units(cell: &str) -> (Vec<String>, Vec<String>) {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in cell.replace('\n', "").chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth -= 1,
            _ => {}
        }
        if c == '、' && depth <= 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    parts.push(cur);
    let (mut lead, mut units) = (Vec::new(), Vec::new());
    for p in parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
    {
        match p.strip_prefix('*') {
            Some(l) if units.is_empty() => lead.push(l.to_string()),
            _ => units.push(p),
        }
    }
    (lead, units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_by_level() {
        assert_eq!(
            label_at("一、总结", &PART_STYLES),
            Some((Style::ChineseComma, 1, 6))
        );
        assert_eq!(label_at("十一、总结", &PART_STYLES).map(|l| l.1), Some(11));
        assert_eq!(
            label_at("(三)努力", &SECTION_STYLES).map(|l| (l.0, l.1)),
            Some((Style::ChineseParenAscii, 3))
        );
        assert_eq!(label_at("1.5亿元投入", &ITEM_STYLES), None);
        assert_eq!(label_at("②促进", &ITEM_STYLES).map(|l| l.1), Some(2));
    }

    #[test]
    fn leads_and_enumerations() {
        assert_eq!(
            split_lead("落实落细疫情防控,牢牢守住底线。紧扣要求", 60),
            Some(("落实落细疫情防控,牢牢守住底线".into(), "紧扣要求".into()))
        );
        assert_eq!(split_lead("全市完成投资5亿元，增长3%；同比。", 5), None);
        let (before, style, items) =
            split_enumeration("任务圆满完成。一是围绕大病。甲。二是围绕一般病。乙。").unwrap();
        assert_eq!(
            (before.as_str(), style),
            ("任务圆满完成。", Style::Enumeration)
        );
        assert_eq!(items, ["围绕大病。甲。", "围绕一般病。乙。"]);
        assert_eq!(split_enumeration("唯一是我们的目标。二是"), None);
    }

    #[test]
    fn units_split_outside_brackets() {
        assert_eq!(
            units("*市卫健委、市发改委、各县（市、区）人民政府"),
            (
                vec!["市卫健委".to_string()],
                vec!["市发改委".to_string(), "各县（市、区）人民政府".to_string()]
            )
        );
        assert_eq!(
            circled_items("①新增。②促进。\n③推动"),
            ["新增。", "促进。", "推动"]
        );
    }

    #[test]
    fn heading_lines_and_their_groups() {
        let v = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_heading_line("坚持人民至上，全力守护群众健康"));
        for not in [
            "记者 张三",
            "本报记者张三",
            "现将有关情况报告如下。",
            "主要做法：",
            "甲",
        ] {
            assert!(!is_heading_line(not), "{not}");
        }
        let (first, groups) = heading_groups(&v(&[
            "导语。",
            "小标题一",
            "正文一。",
            "小标题二",
            "正文二。",
            "正文三。",
        ]))
        .unwrap();
        assert_eq!((first, groups.len(), groups[1].len()), (1, 2, 3));
        // A heading with no text after it, one heading only, text that
        // stops mid-sentence: no groups.
        assert_eq!(
            heading_groups(&v(&["小标题一", "小标题二", "正文。"])),
            None
        );
        assert_eq!(heading_groups(&v(&["小标题一", "正文。"])), None);
        assert_eq!(
            heading_groups(&v(&["小标题一", "正文", "小标题二", "正文。"])),
            None
        );
    }

    #[test]
    fn task_header_roles_and_year() {
        let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let h = cols(&[
            "序号",
            "项目名称",
            "2023年底前完成目标",
            "主要措施",
            "牵头单位",
        ]);
        assert_eq!(
            header_roles(&h),
            [Some(0), Some(1), Some(2), Some(3), Some(4)]
        );
        assert_eq!(header_year(&h), Some(2023));
        assert_eq!(header_roles(&cols(&["任务目标"])), [None]);
        assert_eq!(header_year(&cols(&["序号", "目标"])), None);
        assert_eq!(header_year(&cols(&["12023年目标"])), None);
    }

    #[test]
    fn title_says_issuer_year_genre() {
        let m = title_meta("丽水市卫生健康委员会2022年工作总结和2023年工作要点", false);
        assert_eq!(
            m,
            [
                ("issuer", "丽水市卫生健康委员会".to_string()),
                ("year", "2022".to_string()),
                ("plan_year", "2023".to_string()),
                ("genre", "年度总结和要点".to_string())
            ]
        );
        assert_eq!(iso_date("2023年5月19日").as_deref(), Some("2023-05-19"));
        assert_eq!(iso_date("2023年13月19日"), None);
    }
}
