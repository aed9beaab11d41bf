//! Resolution: a loaded data file → one validated, fully resolved `Report`
//! (labels numbered, `|` blocks joined into paragraphs, `【…】` references
//! expanded, defaults filled in), plus every diagnostic the data deserves.
//! The `Report` is what templates see.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, Severity, did_you_mean};
use crate::i18n::{self, pick};
use crate::load::{Loaded, Source, position_of};
use crate::metrics::{self, MetricOut, Table};
use crate::model::{self, ItemList, Location, Numbering, Spanned, TaskTable, Text, pos};
use crate::numbering::Style;
use crate::text::{self, Finding};
use crate::tr;

/// Most parts, and most sections, items or table rows in one list: far
/// beyond any real report, and within what labels are defined for.
pub const MAX_PARTS: usize = 99;
pub const MAX_ENTRIES: usize = 999;

/// The first list longer than the limits, as an error at the list (or at
/// the first entry past the limit).
fn oversized(data: &model::DataFile) -> Option<(Location, String)> {
    let too_many = |what: &str, n: usize, max: usize| {
        tr!(
            "{n} {what}: a document takes at most {max}",
            "{what}有 {n} 个：一个文档最多 {max} 个"
        )
    };
    if data.parts.len() > MAX_PARTS {
        let at = data.parts[MAX_PARTS]
            .title
            .as_ref()
            .map_or(Location::UNKNOWN, |t| t.referenced);
        return Some((
            at,
            too_many(pick("parts", "部分"), data.parts.len(), MAX_PARTS),
        ));
    }
    let lists = data.parts.iter().flat_map(|p| {
        let sections = p.sections.iter();
        let items = sections.clone().filter_map(|s| s.items.as_ref()).map(|l| {
            (
                l.referenced,
                l.value.items.len(),
                pick("items in one list", "同一列表中的条目"),
            )
        });
        let tables = p
            .tasks
            .iter()
            .chain(sections.clone().filter_map(|s| s.tasks.as_ref()));
        let rows = tables.map(|t| {
            (
                t.rows
                    .first()
                    .and_then(|r| r.name.as_ref())
                    .map_or(Location::UNKNOWN, |n| n.referenced),
                t.rows.len(),
                pick("rows in one table", "同一表格中的行"),
            )
        });
        let at = p
            .sections
            .get(MAX_ENTRIES)
            .and_then(|s| s.lead.as_ref())
            .map(|l| l.referenced)
            .or(p.title.as_ref().map(|t| t.referenced));
        std::iter::once((
            at.unwrap_or(Location::UNKNOWN),
            p.sections.len(),
            pick("sections in one part", "同一部分中的节"),
        ))
        .chain(items)
        .chain(rows)
        .collect::<Vec<_>>()
    });
    let top_rows = data
        .tasks
        .iter()
        .chain(data.attachments.iter().filter_map(|a| a.tasks.as_ref()));
    let top_rows = top_rows.map(|t| {
        (
            t.rows
                .first()
                .and_then(|r| r.name.as_ref())
                .map_or(Location::UNKNOWN, |n| n.referenced),
            t.rows.len(),
            pick("rows in one table", "同一表格中的行"),
        )
    });
    lists
        .chain(top_rows)
        .find(|(_, n, _)| *n > MAX_ENTRIES)
        .map(|(at, n, what)| (at, too_many(what, n, MAX_ENTRIES)))
}

/// The years a report may be about (`year`, `plan_year`).
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// The document genres, each with its built-in template.
pub const GENRES: &[&str] = &["年度总结和要点", "半年总结和计划", "攻坚任务清单"];

/// Everything a template needs, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub doc: DocOut,
    pub intro: Vec<String>,
    pub parts: Vec<PartOut>,
    pub outro: Vec<String>,
    pub tasks: Option<TableOut>,
    pub attachments: Vec<AttachmentOut>,
    pub metrics: BTreeMap<String, MetricOut>,
    /// The data's own `text:` options, applied to the rendered Markdown.
    pub text: crate::profile::TextProfile,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DocOut {
    pub title: Option<String>,
    pub genre: String,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub plan_year: Option<i32>,
    pub half: Option<u8>,
    pub index_no: Option<String>,
    pub doc_no: Option<String>,
    pub category: Option<String>,
    /// 成文日期 as `YYYY-MM-DD`.
    pub written: Option<String>,
    /// 成文日期 as `2023年5月19日`.
    pub written_cn: Option<String>,
    pub published: Option<String>,
    pub disclosure: Option<String>,
    pub source: Option<String>,
    pub draft: bool,
    pub signature: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartOut {
    pub label: String,
    pub title: String,
    pub omitted: bool,
    pub intro: Vec<String>,
    pub sections: Vec<SectionOut>,
    pub outro: Vec<String>,
    pub tasks: Option<TableOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionOut {
    pub label: String,
    /// `run-in`: the lead opens the first paragraph; `heading`: label and
    /// lead stand on a line of their own (a level-2 heading).
    pub layout: String,
    /// The lead without its final punctuation (`None`: no lead).
    pub lead: Option<String>,
    /// The lead's final punctuation: `。` added when it had none, except
    /// for a `heading` (a heading ends without one unless typed).
    pub lead_end: String,
    pub omitted: bool,
    pub text: Vec<String>,
    pub items: ItemsOut,
    pub tasks: Option<TableOut>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ItemsOut {
    /// `inline`: run on at the end of the section's last paragraph;
    /// `block`: one paragraph each; `heading`: label and lead on a line of
    /// their own (level 3, sub-items level 4), the text below.
    pub layout: String,
    pub entries: Vec<ItemOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemOut {
    pub label: String,
    pub lead: Option<String>,
    pub lead_end: String,
    pub text: String,
    /// Sub-items (`（1）` under `1.`); sub-items have none.
    pub items: ItemsOut,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableOut {
    pub columns: Vec<String>,
    pub rows: Vec<RowOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowOut {
    pub no: String,
    pub name: String,
    pub targets: Vec<String>,
    pub measures: Vec<String>,
    /// `*牵头单位、配合单位…`
    pub units: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentOut {
    /// `附件1`, or `附件` when there is only one.
    pub label: String,
    pub title: String,
    pub intro: Vec<String>,
    pub tasks: Option<TableOut>,
    pub outro: Vec<String>,
}

/// Label styles in force at one place of the document.
#[derive(Clone, Copy)]
struct Styles {
    part: Style,
    section: Style,
    item: Style,
    cell: Style,
}

/// Most diagnostics reported for one data file; past it they are counted,
/// not built (each carries a snippet of the source), and one closing
/// diagnostic says how many more there were. Keeps a file with thousands
/// of faults fast to check and its report readable.
pub const MAX_DIAGNOSTICS: usize = 100;

struct Resolver<'a> {
    source: &'a Source,
    table: Table<'a>,
    diags: Vec<Diagnostic>,
    /// Diagnostics found past `MAX_DIAGNOSTICS`: (errors, warnings).
    unreported: (usize, usize),
    /// Where the first ASCII punctuation between Chinese characters is, and how many there are.
    ascii_punctuation: Option<Pos>,
    ascii_punctuation_count: usize,
    /// Diagnostics built so far, duplicates included.
    built: usize,
    /// Diagnostics already reported, to report each once.
    seen: std::collections::BTreeSet<(Severity, usize, usize, String)>,
}

/// Resolves `loaded` into a report. The report is `None` when any error was
/// found; warnings come with a report.
pub fn resolve(loaded: &Loaded) -> (Option<Report>, Vec<Diagnostic>) {
    resolve_for(loaded, crate::profile::AsciiPunctuation::Keep)
}

/// [`resolve`] for outputs whose profile treats ASCII punctuation as
/// `profile_marks` says: when it makes them full-width (as the data's own
/// option does), they are not warned about.
pub fn resolve_for(
    loaded: &Loaded,
    profile_marks: crate::profile::AsciiPunctuation,
) -> (Option<Report>, Vec<Diagnostic>) {
    if let Some((at, message)) = oversized(&loaded.data) {
        let source = &loaded.source;
        let at = if at.line() > 0 {
            pos(at)
        } else {
            Pos { line: 1, col: 1 }
        };
        let d = Diagnostic::error(&source.path, &source.text, at, message)
            .with_hint(pick(
                "split the report into several documents, or move long tables into attachments of their own",
                "请把报告拆成几个文档，或把长表格移到单独的附件中",
            ));
        return (None, vec![d]);
    }
    let (table, table_diags) = Table::new(loaded, MAX_DIAGNOSTICS);
    let mut r = Resolver {
        source: &loaded.source,
        table,
        diags: table_diags,
        unreported: (0, 0),
        ascii_punctuation: None,
        ascii_punctuation_count: 0,
        seen: Default::default(),
        built: 0,
    };
    r.built = r.diags.len();
    let check = r.table.check(MAX_DIAGNOSTICS.saturating_sub(r.diags.len()));
    r.built += check.len();
    r.diags.extend(check);
    let report = r.report(&loaded.data);
    // Only a document that builds has a title to speak of.
    if loaded.data.doc.title.is_none() && !r.diags.iter().any(Diagnostic::is_error) {
        r.generated_title_check(&loaded.data.doc);
    }
    // The data's own `text: {ascii_punctuation: full-width}`, or the
    // profile's, converts them.
    let full_width = crate::profile::AsciiPunctuation::FullWidth;
    if loaded.data.text.ascii_punctuation != full_width && profile_marks != full_width {
        r.summarise_ascii_punctuation();
    }
    let mut seen = std::collections::BTreeSet::new();
    r.diags
        .retain(|d| seen.insert((d.severity, d.line, d.col, d.message.clone(), d.file.clone())));
    let (errors, warnings) = r.unreported;
    if r.table.truncated() {
        let d = Diagnostic::error(
            &r.source.path,
            "",
            Pos::default(),
            tr!(
                "stopped checking the metrics after {MAX_DIAGNOSTICS} problems",
                "已发现 {MAX_DIAGNOSTICS} 个问题，其余指标不再检查"
            ),
        )
        .with_hint(pick(
            "fix the ones shown and check again",
            "请先改正已列出的问题，再重新检查",
        ));
        r.diags.push(d);
    }
    if errors + warnings > 0 {
        let counts: Vec<String> = [(errors, "error", "错误"), (warnings, "warning", "警告")]
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, what, zh)| {
                let plural = if *n == 1 { "" } else { "s" };
                match i18n::zh() {
                    true => format!("{n} 个{zh}"),
                    false => format!("{n} more {what}{plural}"),
                }
            })
            .collect();
        let message = tr!(
            "{} not shown (at most {MAX_DIAGNOSTICS} diagnostics per file)",
            "另有 {} 未列出（每个文件最多列出 {MAX_DIAGNOSTICS} 条）",
            counts.join(pick(" and ", "、"))
        );
        let d = if errors > 0 {
            Diagnostic::error(&r.source.path, "", Pos::default(), message)
        } else {
            Diagnostic::warning(&r.source.path, "", Pos::default(), message)
        };
        r.diags.push(d.with_hint(pick(
            "fix the ones shown and check again",
            "请先改正已列出的问题，再重新检查",
        )));
    }
    let has_errors = r.diags.iter().any(Diagnostic::is_error);
    (if has_errors { None } else { Some(report) }, r.diags)
}

impl<'a> Resolver<'a> {
    /// Whether another diagnostic may still be built; counts it when not.
    fn room(&mut self, error: bool) -> bool {
        if !self.full() {
            self.built += 1;
            return true;
        }
        if error {
            self.unreported.0 += 1;
        } else {
            self.unreported.1 += 1;
        }
        false
    }

    /// Whether `MAX_DIAGNOSTICS` have been built (duplicates included:
    /// each costs a search of the source).
    fn full(&self) -> bool {
        self.built >= MAX_DIAGNOSTICS
    }

    /// Keeps `d` unless the same was reported already.
    fn keep(&mut self, d: Diagnostic) {
        if self
            .seen
            .insert((d.severity, d.line, d.col, d.message.clone()))
        {
            self.diags.push(d);
        }
    }

    fn error(
        &mut self,
        at: Location,
        len: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        if self.room(true) {
            let d = Diagnostic::error(&self.source.path, &self.source.text, pos(at), message)
                .with_len(len)
                .with_hint(hint);
            self.keep(d);
        }
    }

    fn warning_at(
        &mut self,
        at: Pos,
        len: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        if self.room(false) {
            let d = Diagnostic::warning(&self.source.path, &self.source.text, at, message)
                .with_len(len)
                .with_hint(hint);
            self.keep(d);
        }
    }

    fn report(&mut self, data: &model::DataFile) -> Report {
        let doc = self.doc(&data.doc, data);
        let styles = self.styles(
            &data.numbering,
            Styles {
                part: Style::ChineseComma,
                section: Style::ChineseParen,
                item: Style::Enumeration,
                cell: Style::Circled,
            },
        );
        let intro = self.paragraphs(&data.intro);
        let parts = data
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| self.part(i + 1, part, styles))
            .collect();
        let outro = self.paragraphs(&data.outro);
        let tasks = data.tasks.as_ref().map(|t| self.table(t, styles.cell));
        let single = data.attachments.len() == 1;
        let attachments = data
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| AttachmentOut {
                label: if single {
                    "附件".to_string()
                } else {
                    format!("附件{}", i + 1)
                },
                title: self.inline_opt(&a.title),
                intro: self.paragraphs(&a.intro),
                tasks: a.tasks.as_ref().map(|t| self.table(t, styles.cell)),
                outro: self.paragraphs(&a.outro),
            })
            .collect();
        Report {
            doc,
            intro,
            parts,
            outro,
            tasks,
            attachments,
            metrics: self.table.export(),
            text: data.text.clone(),
        }
    }

    fn doc(&mut self, m: &model::DocMeta, data: &model::DataFile) -> DocOut {
        let genre = match &m.genre {
            Some(g) if GENRES.contains(&g.value.trim()) => g.value.trim().to_string(),
            Some(g) => {
                let hint = match did_you_mean(g.value.trim(), GENRES.iter().copied()) {
                    Some(s) => crate::diag::did_you_mean_hint(&format!("`{s}`")),
                    None => tr!("genres are {}", "文种可以是：{}", GENRES.join("、")),
                };
                self.error(
                    g.referenced,
                    g.value.chars().count(),
                    tr!("unknown genre `{}`", "没有 `{}` 这个文种", g.value),
                    hint,
                );
                GENRES[0].to_string()
            }
            None if data.parts.is_empty() && data.tasks.is_some() => "攻坚任务清单".to_string(),
            None if m.half.is_some() => "半年总结和计划".to_string(),
            None => GENRES[0].to_string(),
        };
        if let Some(h) = &m.half
            && !(1..=2).contains(&h.value)
        {
            self.error(
                h.referenced,
                1,
                tr!(
                    "half must be 1 or 2, not {}",
                    "`half` 应为 1 或 2，不能是 {}",
                    h.value
                ),
                pick("1 = 上半年, 2 = 下半年", "1 表示上半年，2 表示下半年"),
            );
        }
        for y in [&m.year, &m.plan_year].into_iter().flatten() {
            if !YEARS.contains(&y.value) {
                self.error(
                    y.referenced,
                    y.value.to_string().len(),
                    tr!(
                        "the year {} is outside {}–{}",
                        "年份 {} 不在 {}–{} 之间",
                        y.value,
                        YEARS.start(),
                        YEARS.end()
                    ),
                    pick(
                        "write the year of the report with four digits, e.g. 2022",
                        "请用四位数字写报告的年份，例如 2022",
                    ),
                );
            }
        }
        let year = m.year.as_ref().map(|y| y.value);
        let half = m.half.as_ref().map(|h| h.value);
        // A half-year report and a task list plan within their own year.
        let same_year = half == Some(1) || genre == "攻坚任务清单";
        let plan_year = m
            .plan_year
            .as_ref()
            .map(|y| y.value)
            .or_else(|| year.map(|y| if same_year { y } else { y.saturating_add(1) }));
        let written = m.written.as_ref().map(|w| w.value.trim().to_string());
        let written_cn = match (&m.written, &written) {
            (Some(w), Some(iso)) => {
                let cn = crate::numbering::date_cn(iso);
                if cn.is_none() {
                    self.error(
                        w.referenced,
                        iso.chars().count(),
                        tr!("`{iso}` is not a date", "`{iso}` 不是有效的日期"),
                        pick(
                            "write 成文日期 as YYYY-MM-DD, e.g. 2023-05-19",
                            "成文日期请按 YYYY-MM-DD 写，例如 2023-05-19",
                        ),
                    );
                }
                cn
            }
            _ => None,
        };
        DocOut {
            title: self.meta(&m.title),
            genre,
            issuer: self.meta(&m.issuer),
            year,
            plan_year,
            half,
            index_no: self.meta(&m.index_no),
            doc_no: self.meta(&m.doc_no),
            category: self.meta(&m.category),
            written,
            written_cn,
            published: self.meta(&m.published),
            disclosure: self.meta(&m.disclosure),
            source: self.meta(&m.source),
            draft: m.draft,
            signature: m.signature,
        }
    }

    /// Without a `title`, the title is made of `issuer` and `year`: each
    /// missing one is a warning at `doc:` (or the file's start). Checked
    /// only when there is no error, since only then is a title printed.
    fn generated_title_check(&mut self, m: &model::DocMeta) {
        let at = self
            .source
            .text
            .lines()
            .position(|l| l.starts_with("doc:"))
            .map_or(Pos { line: 1, col: 1 }, |i| Pos {
                line: i + 1,
                col: 1,
            });
        if m.year.is_none() {
            self.warning_at(
                at,
                3,
                pick(
                    "no `title` and no `year` under `doc:`: the generated title would have no year (`年工作总结和年工作要点`)",
                    "`doc:` 下既没有 `title` 也没有 `year`：自动生成的标题将没有年份（`年工作总结和年工作要点`）",
                ),
                pick(
                    "add the reporting year under `doc:` (`year: 2022`), or write the whole `title:`",
                    "请在 `doc:` 下写上报告年份（`year: 2022`），或写出完整的 `title:`",
                ),
            );
        }
        if m.issuer.is_none() {
            self.warning_at(
                at,
                3,
                pick(
                    "no `title` and no `issuer` under `doc:`: the generated title would not name the issuing body",
                    "`doc:` 下既没有 `title` 也没有 `issuer`：自动生成的标题将没有发文单位",
                ),
                pick(
                    "add the issuing body under `doc:` (`issuer: 丽水市卫生健康委员会`, also the signature), or write the whole `title:`",
                    "请在 `doc:` 下写上发文单位（`issuer: 丽水市卫生健康委员会`，也用作署名），或写出完整的 `title:`",
                ),
            );
        }
    }

    /// A task table prints as many columns as `columns` names: data in a
    /// column past them would be lost, a name past the five has no data.
    fn columns_check(&mut self, t: &TaskTable) {
        const NAMES: [&str; 5] = ["序号", "项目名称", "攻坚目标", "攻坚举措", "责任单位"];
        let Some(columns) = &t.columns else { return };
        let n = columns.len();
        if let Some(extra) = columns.get(NAMES.len()) {
            self.error(
                extra.referenced,
                extra.value.chars().count(),
                tr!(
                    "a task table has {} columns; `{}` has no data",
                    "任务表只有 {} 列；`{}` 这一列没有数据",
                    NAMES.len(),
                    extra.value
                ),
                tr!(
                    "name the five columns only: {}",
                    "请只写这五列：{}",
                    NAMES.join(pick(", ", "、"))
                ),
            );
            return;
        }
        // The columns with data in each row past the named ones, and where.
        let lost_in = |row: &model::TaskRow| -> Vec<(usize, Location)> {
            let units = row
                .lead
                .as_ref()
                .or(row.units.as_ref())
                .map(|u| u.referenced);
            [
                (1, row.name.as_ref().map(|m| m.referenced)),
                (2, row.targets.as_ref().map(|m| m.referenced)),
                (3, row.measures.as_ref().map(|m| m.referenced)),
                (4, units),
            ]
            .into_iter()
            .filter_map(|(i, at)| at.filter(|_| i >= n).map(|at| (i, at)))
            .collect()
        };
        let lost: Vec<(usize, Vec<(usize, Location)>)> = t
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| (r, lost_in(row)))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        let Some((row, fields)) = lost.first() else {
            return;
        };
        let more = match lost.len() {
            1 => String::new(),
            k => tr!(" (nor in {} more rows)", "（另有 {} 行也是这样）", k - 1),
        };
        let place = columns
            .first()
            .map(|c| tr!(" (line {})", "（第 {} 行）", c.referenced.line()))
            .unwrap_or_default();
        let names: Vec<&str> = fields.iter().map(|&(i, _)| NAMES[i]).collect();
        self.error(
            fields[0].1,
            1,
            tr!(
                "`columns`{place} names {n} column{}, so the {} of row {} would not be printed{more}",
                "`columns`{place}只写了 {n} 列{}，第 {2} 行的{1}将印不出来{more}",
                if n == 1 || i18n::zh() { "" } else { "s" },
                names.join(pick(" and ", "、")),
                row + 1
            ),
            tr!(
                "name all five columns of a task table: {}",
                "请写出任务表的全部五列：{}",
                NAMES.join(pick(", ", "、"))
            ),
        );
    }

    fn style(&mut self, sample: &Option<Spanned<String>>, default: Style) -> Style {
        let Some(s) = sample else { return default };
        match Style::from_sample(&s.value) {
            Some(style) => style,
            None => {
                let hint = tr!(
                    "write the first label of a known style: {}",
                    "请写出一种已有编号样式的第一个编号：{}",
                    Style::KNOWN_SAMPLES.join(" ")
                );
                self.error(
                    s.referenced,
                    s.value.chars().count().max(1),
                    tr!(
                        "unknown numbering style `{}`",
                        "没有 `{}` 这种编号样式",
                        s.value
                    ),
                    hint,
                );
                default
            }
        }
    }

    fn styles(&mut self, n: &Numbering, base: Styles) -> Styles {
        Styles {
            part: self.style(&n.part, base.part),
            section: self.style(&n.section, base.section),
            item: self.style(&n.item, base.item),
            cell: self.style(&n.cell, base.cell),
        }
    }

    fn part(&mut self, n: usize, part: &model::Part, styles: Styles) -> PartOut {
        let styles = match &part.numbering {
            Some(numbering) => self.styles(numbering, styles),
            None => styles,
        };
        let sections = part
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| self.section(i + 1, s, styles))
            .collect();
        PartOut {
            label: styles.part.label(n),
            title: self.inline_opt(&part.title),
            omitted: part.omitted,
            intro: self.paragraphs(&part.intro),
            sections,
            outro: self.paragraphs(&part.outro),
            tasks: part.tasks.as_ref().map(|t| self.table(t, styles.cell)),
        }
    }

    fn section(&mut self, n: usize, s: &model::Section, styles: Styles) -> SectionOut {
        let label = styles.section.label(n);
        let layout = match &s.layout {
            Some(l) if matches!(l.value.trim(), "run-in" | "heading") => l.value.trim().to_string(),
            Some(l) => {
                self.error(
                    l.referenced,
                    l.value.chars().count().max(1),
                    tr!(
                        "unknown section layout `{}`",
                        "没有 `{}` 这种节的版式",
                        l.value
                    ),
                    pick(
                        "a section's layout is `run-in` (the lead opens the first paragraph) or `heading` (label and lead on a line of their own)",
                        "节的版式可以是 `run-in`（引领句作为第一段的开头）或 `heading`（编号和引领句单独成行）",
                    ),
                );
                "run-in".to_string()
            }
            None => "run-in".to_string(),
        };
        let heading = layout == "heading";
        let (lead, lead_end) = match &s.lead {
            Some(l) => {
                let t = text_of(l);
                self.typed_label_check(&t, &label);
                let (core, end) = lead_parts(&self.inline(&t), heading);
                (Some(core), end)
            }
            None => (None, String::new()),
        };
        let text = self.paragraphs(&s.text);
        let items = match &s.items {
            Some(list) => self.items(list, styles.item, true),
            None => ItemsOut {
                layout: "inline".into(),
                entries: Vec::new(),
            },
        };
        SectionOut {
            label,
            layout,
            lead,
            lead_end,
            omitted: s.omitted,
            text,
            items,
            tasks: s.tasks.as_ref().map(|t| self.table(t, styles.cell)),
        }
    }

    /// An item list; `nest`: its items may have sub-items (one level only).
    fn items(&mut self, list: &Spanned<ItemList>, default: Style, nest: bool) -> ItemsOut {
        let list = &list.value;
        // Items set as headings are numbered 1. by default, as reports do.
        let heading = list
            .layout
            .as_ref()
            .is_some_and(|l| l.value.trim() == "heading");
        let default = if heading && nest {
            Style::ArabicDot
        } else {
            default
        };
        let style = self.style(&list.style, default);
        let layout = match &list.layout {
            Some(l) if matches!(l.value.trim(), "inline" | "block" | "heading") => {
                l.value.trim().to_string()
            }
            Some(l) => {
                self.error(
                    l.referenced,
                    l.value.chars().count(),
                    tr!("unknown layout `{}`", "没有 `{}` 这种版式", l.value),
                    pick(
                        "layout is `inline` (run on), `block` (a paragraph each) or `heading` (label and lead on a line of their own)",
                        "版式可以是 `inline`（接排）、`block`（每条一段）或 `heading`（编号和引领句单独成行）",
                    ),
                );
                "block".to_string()
            }
            None if matches!(style, Style::Enumeration | Style::Ordinal) => "inline".to_string(),
            None => "block".to_string(),
        };
        if layout == "inline"
            && let Some(sub) = list.items.iter().find_map(|i| i.items.as_ref())
        {
            self.error(
                sub.referenced,
                1,
                pick(
                    "items that run on (`layout: inline`) cannot have sub-items",
                    "接排的条目（`layout: inline`）不能有下级条目",
                ),
                pick(
                    "set the list's `layout: block` or `layout: heading` to give its items sub-items",
                    "要让条目有下级条目，请把这个列表设为 `layout: block` 或 `layout: heading`",
                ),
            );
        }
        let entries = list
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let label = style.label(i + 1);
                let (lead, lead_end) = match &item.lead {
                    Some(l) => {
                        self.typed_label_check(l, &label);
                        let (core, end) = lead_parts(&self.inline(l), layout == "heading");
                        (Some(core), end)
                    }
                    None => (None, String::new()),
                };
                let items = match &item.items {
                    Some(sub) if nest => self.items(sub, Style::ArabicParen, false),
                    Some(sub) => {
                        self.error(
                            sub.referenced,
                            1,
                            pick(
                                "items nest one level deep: a sub-item cannot have items of its own",
                                "条目只能嵌套一层：下级条目不能再有自己的条目",
                            ),
                            pick(
                                "move these items up, or make the sub-item's text a paragraph",
                                "请把这些条目上移一级，或把下级条目的内容写成一段文字",
                            ),
                        );
                        ItemsOut::default()
                    }
                    None => ItemsOut {
                        layout: "block".into(),
                        entries: Vec::new(),
                    },
                };
                let text = match &item.text {
                    Some(t) => {
                        if item.lead.is_none() {
                            self.typed_label_check(t, &label);
                        }
                        self.inline(t)
                    }
                    None => String::new(),
                };
                ItemOut {
                    label,
                    lead,
                    lead_end,
                    text,
                    items,
                }
            })
            .collect();
        ItemsOut { layout, entries }
    }

    fn table(&mut self, t: &TaskTable, cell: Style) -> TableOut {
        self.columns_check(t);
        let columns = match &t.columns {
            Some(c) => c
                .iter()
                .map(|s| self.meta(&Some(s.clone())).unwrap_or_default())
                .collect(),
            None => ["序号", "项目名称", "攻坚目标", "攻坚举措", "责任单位"]
                .map(String::from)
                .to_vec(),
        };
        let rows = t
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let name = self.inline_opt(&row.name);
                let targets = self.cell_lines(&row.targets, cell);
                let measures = self.cell_lines(&row.measures, cell);
                let leads: Vec<String> = row
                    .lead
                    .iter()
                    .flat_map(|l| l.value.0.iter())
                    .map(|t| format!("*{}", self.inline(t)))
                    .collect();
                let others: Vec<String> = row
                    .units
                    .iter()
                    .flat_map(|l| l.value.0.iter())
                    .map(|t| self.inline(t))
                    .collect();
                if leads.is_empty() {
                    let at = row
                        .units
                        .as_ref()
                        .map(|u| u.referenced)
                        .or(row.name.as_ref().map(|n| n.referenced));
                    if let Some(at) = at {
                        self.warning_at(
                            pos(at),
                            1,
                            tr!(
                                "task row {} ({name}) has no lead unit",
                                "任务表第 {} 行（{name}）没有牵头单位",
                                i + 1
                            ),
                            pick(
                                "name the 牵头单位 with `lead:`; it is printed with a leading *",
                                "请用 `lead:` 写出牵头单位；印出时前面会加 *",
                            ),
                        );
                    }
                }
                RowOut {
                    no: (i + 1).to_string(),
                    name,
                    targets,
                    measures,
                    units: leads
                        .into_iter()
                        .chain(others)
                        .collect::<Vec<_>>()
                        .join("、"),
                }
            })
            .collect();
        TableOut { columns, rows }
    }

    /// A cell's items, one per line, numbered when there is more than one.
    fn cell_lines(&mut self, list: &Option<Spanned<ItemList>>, default: Style) -> Vec<String> {
        let Some(list) = list else { return Vec::new() };
        let style = self.style(&list.value.style, default);
        let count = list.value.items.len();
        list.value
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let label = if count > 1 {
                    style.label(i + 1)
                } else {
                    String::new()
                };
                if let Some(sub) = &item.items {
                    self.error(
                        sub.referenced,
                        1,
                        pick(
                            "a task table cell takes no sub-items",
                            "任务表的单元格里不能有下级条目",
                        ),
                        pick(
                            "write them as items of the cell's list (each prints on its own line)",
                            "请把它们写成这个单元格列表中的条目（每条各占一行）",
                        ),
                    );
                }
                let lead = item.lead.as_ref().map(|l| {
                    let (core, end) = text::split_lead(&self.inline(l));
                    core + &end
                });
                let text = item
                    .text
                    .as_ref()
                    .map(|t| self.inline(t))
                    .unwrap_or_default();
                format!("{label}{}{text}", lead.unwrap_or_default())
            })
            .collect()
    }

    fn typed_label_check(&mut self, t: &Text, label: &str) {
        if !label.is_empty() && t.value.trim_start().starts_with(label) {
            let at = pos(t.at);
            self.warning_at(
                at,
                label.chars().count(),
                tr!(
                    "the label `{label}` is typed in the text",
                    "文字中写了编号 `{label}`"
                ),
                pick(
                    "labels are generated: remove it, or it will print twice",
                    "编号是自动生成的：请删除它，否则会印出两遍",
                ),
            );
        }
    }

    fn inline_opt(&mut self, s: &Option<Spanned<String>>) -> String {
        match s {
            Some(s) => self.inline(&text_of(s)),
            None => String::new(),
        }
    }

    /// One paragraph of text: lines joined, references expanded, checked.
    fn inline(&mut self, t: &Text) -> String {
        let joined = text::one_paragraph(&self.as_typed(t));
        self.finish(joined, t.at)
    }

    /// A metadata text (`doc:` fields): lines joined, nothing expanded.
    fn meta(&mut self, s: &Option<Spanned<String>>) -> Option<String> {
        let t = text_of(s.as_ref()?);
        Some(text::one_paragraph(&self.as_typed(&t)))
    }

    /// The text with its source's line breaks, whatever YAML folded (see
    /// `text::refold`); warns where that cannot be told, and where a ` #`
    /// comment cut the text short.
    fn as_typed(&mut self, t: &Text) -> String {
        let span = t.origin.span();
        let Some((start, end)) = span
            .byte_offset()
            .zip(span.byte_len())
            .map(|(o, l)| (o as usize, (o + l) as usize))
        else {
            return t.value.clone();
        };
        let Some(raw) = self.source.text.get(start..end) else {
            return t.value.clone();
        };
        // A plain text (a quoted one ends at its quote): whatever its last
        // character, Chinese, a digit, `%` or a closing mark.
        if !raw.starts_with(['"', '\'']) {
            self.comment_check(end);
        }
        if !raw.trim_end().contains('\n') {
            // Written on one line: nothing was folded.
            return t.value.clone();
        }
        match text::refold(&t.value, raw) {
            Some(typed) => typed,
            None => {
                let spaced = t.value.char_indices().any(|(i, c)| {
                    c == ' '
                        && (t.value[..i].chars().next_back().is_some_and(text::is_cjk)
                            || t.value[i + 1..].chars().next().is_some_and(text::is_cjk))
                });
                if raw.contains('\n') && spaced {
                    self.warning_at(
                        pos(t.at),
                        1,
                        pick(
                            "this text runs over several lines and has `\\` escapes: the spaces YAML made of its line breaks cannot be told from typed ones, and are kept",
                            "这段文字跨了几行，又带有 `\\` 转义：YAML 由换行变成的空格与手打的空格无法区分，因此都保留了",
                        ),
                        pick(
                            "write it as a `|` block (line breaks next to Chinese text then disappear), or put it on one line",
                            "请改用 `|` 块（中文旁的换行会自动去掉），或把它写在一行里",
                        ),
                    );
                }
                t.value.clone()
            }
        }
    }

    /// A plain text ends at `end` in the source; when the line goes on with
    /// ` #text`, YAML took that for a comment and dropped it.
    fn comment_check(&mut self, end: usize) {
        let rest = &self.source.text[end..];
        // Only the gap is scanned unless a comment follows (a long line of
        // flow entries costs nothing per entry).
        let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let Some(after) = rest[gap..].strip_prefix('#') else {
            return;
        };
        if gap == 0 || after.chars().next().is_none_or(char::is_whitespace) {
            return;
        }
        let cut = rest[gap..].split('\n').next().unwrap_or("");
        let mut dropped: String = cut.chars().take(24).collect();
        if cut.chars().count() > 24 {
            dropped.push('…');
        }
        self.warning_at(
            position_of(&self.source.text, end + gap),
            cut.chars().count(),
            tr!(
                "` #` starts a comment in YAML: the rest of the line, `{dropped}`, was dropped from the text",
                "在 YAML 中 ` #` 表示注释开始：这一行剩下的 `{dropped}` 没有算进文字"
            ),
            pick(
                "quote the whole text (\"…\") or write it as a `|` block; if it is meant as a comment, put a space after #",
                "请给整段文字加引号（\"…\"），或改用 `|` 块；如果确实是注释，请在 # 后面加一个空格",
            ),
        );
    }

    /// PARAGRAPHS: every string may hold several paragraphs.
    fn paragraphs(&mut self, p: &Option<model::Paragraphs>) -> Vec<String> {
        let Some(p) = p else { return Vec::new() };
        let mut out = Vec::new();
        for t in &p.0 {
            for para in text::paragraphs(&self.as_typed(t)) {
                out.push(self.finish(para, t.at));
            }
        }
        out
    }

    fn finish(&mut self, joined: String, at: Location) -> String {
        let expanded = match metrics::expand(&self.table, &joined, self.source, at) {
            Ok(s) => s,
            Err(d) => {
                if self.room(d.is_error()) {
                    self.keep(d);
                }
                joined.clone()
            }
        };
        self.check_text(&joined, at);
        expanded
    }

    /// Locates `needle` (a piece of the joined text) in the source, from the
    /// text's own position on, or from `*from` when that is further (pieces
    /// of one text are located in order; `*from` moves past each one found).
    fn locate(&self, needle: &str, at: Location, from: &mut usize) -> Pos {
        let start = at.span().byte_offset().map_or(0, |o| o as usize).max(*from);
        match self
            .source
            .text
            .get(start..)
            .and_then(|rest| rest.find(needle))
        {
            Some(i) => {
                *from = start + i + needle.chars().next().map_or(1, char::len_utf8);
                position_of(&self.source.text, start + i)
            }
            None => pos(at),
        }
    }

    fn check_text(&mut self, text: &str, at: Location) {
        let mut from = 0;
        for (offset, finding) in text::findings(text) {
            // Only the first ASCII punctuation is located (one warning per file).
            if let Finding::AsciiPunctuation(_) = finding {
                self.ascii_punctuation_count += 1;
                if self.ascii_punctuation.is_some() {
                    continue;
                }
            } else if self.full() {
                self.unreported.1 += 1;
                continue;
            }
            let context_start = text[..offset]
                .char_indices()
                .rev()
                .nth(1)
                .map_or(0, |(i, _)| i);
            let context_end = text[offset..]
                .char_indices()
                .nth(2)
                .map_or(text.len(), |(i, _)| offset + i);
            let needle = &text[context_start..context_end];
            let mut p = self.locate(needle, at, &mut from);
            p.col += text[context_start..offset].chars().count();
            match finding {
                Finding::AsciiPunctuation(_) => self.ascii_punctuation = Some(p),
                Finding::SpaceBetweenChinese => self.warning_at(
                    p,
                    1,
                    pick(
                        "a space between two Chinese characters",
                        "两个汉字之间有空格",
                    ),
                    pick(
                        "remove it: Chinese text takes no spaces between characters",
                        "请删除它：中文的字与字之间不加空格",
                    ),
                ),
            }
        }
        let mut from = 0;
        for (offset, expected, found) in text::enumeration_gaps(text) {
            if self.full() {
                self.unreported.1 += 1;
                continue;
            }
            let needle: String = text[offset..].chars().take(3).collect();
            let p = self.locate(&needle, at, &mut from);
            self.warning_at(
                p,
                2,
                tr!(
                    "numbering gap: {}是 follows {}是",
                    "序号不连续：{1}是之后是{0}是",
                    crate::numbering::chinese_numeral(found),
                    crate::numbering::chinese_numeral(expected.saturating_sub(1))
                ),
                tr!(
                    "expected {}是",
                    "这里应为{}是",
                    crate::numbering::chinese_numeral(expected)
                ),
            );
        }
    }

    /// ASCII punctuation is common in pasted text: one warning per file.
    fn summarise_ascii_punctuation(&mut self) {
        let Some(first) = self.ascii_punctuation else {
            return;
        };
        let n = self.ascii_punctuation_count;
        let more = if n > 1 {
            tr!(
                " ({} places in this file; this is the first)",
                "（本文件共 {} 处，这是第一处）",
                n
            )
        } else {
            String::new()
        };
        self.warning_at(
            first,
            1,
            tr!(
                "ASCII punctuation between Chinese characters{more}",
                "汉字之间用了半角标点{more}"
            ),
            pick(
                "use full-width ，；：（）？！ in Chinese text (GB/T 15834), or set `text: {ascii_punctuation: full-width}` at the top of this data file to have them converted in every output (and this warning dropped)",
                "中文里请用全角标点 ，；：（）？！（GB/T 15834）；或在本数据文件开头写上 `text: {ascii_punctuation: full-width}`，所有输出中都会自动转换（这条警告也不再出现）",
            ),
        );
    }
}

/// A lead split into its core and final punctuation (`text::split_lead`);
/// a heading's lead keeps only punctuation that was typed.
fn lead_parts(lead: &str, heading: bool) -> (String, String) {
    let (core, end) = text::split_lead(lead);
    if heading && !lead.trim().ends_with(&end) {
        let typed = end.strip_suffix('。').unwrap_or(&end).to_string();
        return (core, typed);
    }
    (core, end)
}

/// A located string as a `Text`.
fn text_of(s: &Spanned<String>) -> Text {
    Text {
        value: s.value.clone(),
        at: s.referenced,
        origin: s.defined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn resolve_str(src: &str) -> (Option<Report>, Vec<Diagnostic>) {
        let data = crate::load::parse(Path::new("t.yaml"), src).expect("parses");
        let loaded = Loaded {
            source: Source {
                path: "t.yaml".into(),
                text: src.into(),
            },
            data,
            imports: BTreeMap::new(),
        };
        resolve(&loaded)
    }

    #[test]
    fn labels_leads_items_and_metrics() {
        let src = "doc: {title: t}\nmetrics:\n  率: {value: 91.59%, prev: 91.18%}\nparts:\n  - title: 总结\n    sections:\n      - lead: 守住底线\n        text: 县域就诊率达【率】，【率.同比】。\n        items: [甲。, {lead: 乙, text: 丙。}]\n      - lead: 第二节。\n";
        let (report, diags) = resolve_str(src);
        assert!(diags.is_empty(), "{diags:?}");
        let report = report.unwrap();
        let s = &report.parts[0].sections[0];
        assert_eq!(report.parts[0].label, "一、");
        assert_eq!(
            (s.label.as_str(), s.lead.as_deref(), s.lead_end.as_str()),
            ("（一）", Some("守住底线"), "。")
        );
        assert_eq!(s.text, vec!["县域就诊率达91.59%，同比增加0.41个百分点。"]);
        assert_eq!(s.items.layout, "inline");
        assert_eq!(s.items.entries[1].label, "二是");
        assert_eq!(s.items.entries[1].lead.as_deref(), Some("乙"));
        assert_eq!(report.parts[0].sections[1].label, "（二）");
    }

    #[test]
    fn unknown_metric_points_at_the_reference() {
        let src = "metrics:\n  县域就诊率: 91.59%\nintro: 达【县域就诊】。\n";
        let (report, diags) = resolve_str(src);
        assert!(report.is_none());
        let d = diags.iter().find(|d| d.is_error()).unwrap();
        assert_eq!((d.line, d.col), (3, 9));
        assert_eq!(d.hint.as_deref(), Some("did you mean 【县域就诊率】?"));
    }

    #[test]
    fn numbering_overrides_and_bad_samples() {
        let src = "numbering: {section: (一)}\nparts:\n  - numbering: {section: 1.}\n    sections: [{lead: a}]\n  - sections: [{lead: b}]\n";
        let (report, _) = resolve_str(src);
        let report = report.unwrap();
        assert_eq!(report.parts[0].sections[0].label, "1.");
        assert_eq!(report.parts[1].sections[0].label, "(一)");
        let (report, diags) = resolve_str("numbering: {item: 甲乙}\n");
        assert!(report.is_none());
        assert!(
            diags
                .iter()
                .any(|d| d.message.contains("unknown numbering style")),
            "{diags:?}"
        );
    }

    #[test]
    fn tables_number_cells_and_star_the_lead() {
        let src = "tasks:\n  rows:\n    - name: 医学高峰建设\n      targets: [新增三甲医院2家。]\n      measures: [推动；, 支持。]\n      lead: 市卫健委\n      units: [市发改委]\n    - name: 无牵头\n      units: 某单位\n";
        let (report, diags) = resolve_str(src);
        let t = report.unwrap().tasks.unwrap();
        assert_eq!(t.rows[0].targets, vec!["新增三甲医院2家。"]);
        assert_eq!(t.rows[0].measures, vec!["①推动；", "②支持。"]);
        assert_eq!(t.rows[0].units, "*市卫健委、市发改委");
        assert!(
            diags.iter().any(|d| d.message.contains("no lead unit")),
            "{diags:?}"
        );
    }

    #[test]
    fn warnings_for_ascii_punctuation_spaces_and_gaps() {
        let src =
            "intro:\n  - 2022年,在市委领导下,我市。\n  - 中文 中文\n  - 一是甲。二是乙。四是丁。\n";
        let (report, diags) = resolve_str(src);
        assert!(report.is_some());
        let ascii = diags
            .iter()
            .find(|d| d.message.starts_with("ASCII"))
            .unwrap();
        assert_eq!((ascii.line, ascii.col), (2, 10));
        assert!(ascii.message.contains("2 places"));
        let space = diags.iter().find(|d| d.message.contains("space")).unwrap();
        assert_eq!((space.line, space.col), (3, 7));
        assert!(diags.iter().any(|d| d.message.contains("numbering gap")));
    }

    #[test]
    fn a_generated_title_names_the_missing_fields() {
        let (report, diags) = resolve_str("doc:\n  genre: 年度总结和要点\nintro: 甲。\n");
        assert!(report.is_some());
        let year = diags
            .iter()
            .find(|d| d.message.contains("no `year`"))
            .unwrap();
        assert_eq!((year.line, year.col), (1, 1));
        assert!(year.hint.as_deref().unwrap().contains("year: 2022"));
        assert!(diags.iter().any(|d| d.message.contains("no `issuer`")));
        let (_, diags) = resolve_str("doc: {issuer: 某委, year: 2022}\nintro: 甲。\n");
        assert!(diags.is_empty(), "{diags:?}");
        let (_, diags) = resolve_str("doc: {title: 标题}\nintro: 甲。\n");
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn task_columns_that_would_drop_data_are_errors_at_the_row() {
        let src = "doc: {title: t}\ntasks:\n  columns: [序号, 项目名称, 目标]\n  rows:\n    - name: 甲\n      targets: [目标。]\n    - name: 乙\n      measures: [举措。]\n      lead: 市卫健委\n";
        let (report, diags) = resolve_str(src);
        assert!(report.is_none(), "{diags:?}");
        let d = diags.iter().find(|d| d.is_error()).unwrap();
        assert_eq!(
            d.message,
            "`columns` (line 3) names 3 columns, so the 攻坚举措 and 责任单位 of row 2 would not be printed"
        );
        assert_eq!((d.line, d.col), (8, 17));
        let five = src.replace(
            "[序号, 项目名称, 目标]",
            "[序号, 项目名称, 目标, 举措, 单位]",
        );
        assert!(resolve_str(&five).0.is_some());
        let six = src.replace(
            "[序号, 项目名称, 目标]",
            "[序号, 项目名称, 目标, 举措, 单位, 备注]",
        );
        let (_, diags) = resolve_str(&six);
        assert!(
            diags
                .iter()
                .any(|d| d.message.contains("`备注` has no data")),
            "{diags:?}"
        );
        // Fewer columns are fine when the rows have no data past them.
        let two = "doc: {title: t}\ntasks:\n  columns: [序号, 项目]\n  rows:\n    - name: 甲\n";
        assert!(resolve_str(two).0.is_some());
    }

    #[test]
    fn every_scalar_style_joins_lines_like_a_block() {
        let lines = [
            "在市委市政府的坚强领导下，",
            "区卫生健康工作",
            "ICU",
            "beds and",
            "CMI 值达到",
            "“健康60”行动",
            "（二期）",
        ];
        // Every run of 2 to 4 consecutive lines, in each scalar style.
        for len in 2..=4 {
            for run in lines.windows(len) {
                let body = |indent: &str| run.join(&format!("\n{indent}"));
                let block = format!("intro: |\n  {}\n", body("  "));
                let (expected, _) = resolve_str(&format!("doc: {{title: t}}\n{block}"));
                let expected = expected.unwrap().intro;
                assert_eq!(expected.len(), 1);
                for style in [
                    format!("intro:\n  - {}\n", body("    ")),
                    format!("intro: >\n  {}\n", body("  ")),
                    format!("intro: \"{}\"\n", body("  ")),
                    format!("intro: '{}'\n", body("  ")),
                    format!("parts:\n  - intro: [{}]\n", body("      ")),
                ] {
                    let src = format!("doc: {{title: t}}\n{style}");
                    let (report, diags) = resolve_str(&src);
                    let report = report.unwrap();
                    let got = if style.starts_with("parts") {
                        report.parts[0].intro.clone()
                    } else {
                        report.intro
                    };
                    assert_eq!(got, expected, "{src}");
                    assert!(
                        !diags.iter().any(|d| d.message.contains("space")),
                        "{src}: {diags:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn slips_typed_anywhere_never_panic_and_errors_are_located() {
        let src = "doc:\n  title: 测试\n  year: 2022\nintro:\n  - 在市委领导下，\n    区卫生 ICU\n  - \"引号\\t文字，\n    续行\"\nparts:\n  - title: 总结\n    sections:\n      - lead: 守住底线\n        items: [一是甲。, {lead: 乙, text: 丙}]\ntasks:\n  columns: [序号, 名称]\n  rows:\n    - name: 甲\n      lead: 市卫健委\n";
        let slips = [
            "：", "\u{3000}", "\u{a0}", "\t", " #", "!", "*", "\"", "\\", "\n", "&a ", "\u{202e}",
        ];
        for (i, _) in src.char_indices() {
            for slip in slips {
                let mutated = format!("{}{slip}{}", &src[..i], &src[i..]);
                let result = crate::load::decode(Path::new("t.yaml"), mutated.as_bytes())
                    .and_then(|text| crate::load::parse(Path::new("t.yaml"), &text));
                match result {
                    Err(d) => assert!(d.line > 0, "{mutated:?}: {d:?}"),
                    Ok(_) => {
                        let (_, diags) = resolve_str(&mutated);
                        for d in diags.iter().filter(|d| d.is_error()) {
                            assert!(
                                d.line > 0 || d.message.contains("not shown"),
                                "{mutated:?}: {d:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn typed_enumeration_items_are_no_numbering_gap() {
        let src = "doc: {title: t, year: 2022, issuer: i}\nparts:\n  - title: a\n    sections:\n      - lead: b\n        items: [一是甲。, 二是乙。]\n";
        let (_, diags) = resolve_str(src);
        assert!(
            !diags.iter().any(|d| d.message.contains("numbering gap")),
            "{diags:?}"
        );
        // The typed labels themselves are still named.
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.message.contains("is typed in the text"))
                .count(),
            2,
            "{diags:?}"
        );
    }
}
