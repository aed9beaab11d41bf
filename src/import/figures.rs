//! `zongjie import --metrics`: the figures the tool computes itself, lifted
//! out of the text into `metrics` when it reproduces them exactly. Two
//! shapes of the genre are read, each within one sentence (up to 。；！？):
//!
//! - 完成率: `完成投资14.02亿元，年度计划27.87亿元，完成率50.3%` — a value,
//!   a plan (a figure after 计划/目标/任务) of the same unit, and the rate;
//!   the text becomes `完成投资【k】，年度计划【k.计划】，完成率【k.完成率】`.
//! - 同比: `门诊量120万人次，上年为113.6万人次，同比增长5.6%` — a value, last
//!   year's (a figure after 上年/去年/同期) of the same unit, and the phrase
//!   `同比|比上年|较上年… + 增长|下降… + amount`; it becomes `【k.同比】` (the
//!   phrase, verb included, is computed, so it turns round with the figures).
//!
//! A figure is lifted only when the metric renders the very characters of
//! the source (the round trip holds); one that looks computed but does not
//! match stays text, with a note at its line and a `# 请核对：` comment.
//! Approximate figures (约, 余, 以上, ranges) are never computed with.
//!
//! References are written with [`OPEN`]/[`CLOSE`] in the outline's text (a
//! literal `【` there is still the source's); the draft turns them into
//! `【…】` when it escapes the text.

use super::outline::Outline;
use super::{Line, Note};
use crate::diag::Severity;
use crate::quantity::{self, Quantity};

/// Start and end of a metric reference inside outline text (private-use
/// characters; a paragraph holding them itself is left alone).
pub const OPEN: char = '\u{E000}';
pub const CLOSE: char = '\u{E001}';

/// Sentences longer than this (bytes) are left alone: a sentence of the
/// genre is a few hundred characters, and this bounds the pairing of figures.
const MAX_SENTENCE: usize = 1500;
/// Figures that do not compute, reported with their line (the rest are
/// counted in the last comment); locating one reads the source lines.
const MAX_MISMATCHES: usize = 20;

/// A metric the importer made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metric {
    pub key: String,
    pub value: String,
    pub plan: Option<String>,
    pub prev: Option<String>,
    /// Decimals of the computed percentage when not the default 1.
    pub digits: Option<u32>,
    /// The phrase head when not 同比 (`比上年`).
    pub vs: Option<String>,
    pub up: Option<String>,
    pub down: Option<String>,
}

/// Words before a number that make it approximate.
const APPROX: [&str; 4] = ["约", "近", "超过", "逾"];
/// Units a figure of the genre is written with, longest first where they share a start.
const UNITS: [&str; 48] = [
    "%",
    "‰",
    "人次",
    "平方米",
    "公里",
    "千米",
    "公斤",
    "千克",
    "小时",
    "分钟",
    "元",
    "人",
    "名",
    "家",
    "个",
    "所",
    "例",
    "件",
    "起",
    "张",
    "台",
    "辆",
    "床",
    "次",
    "份",
    "项",
    "条",
    "批",
    "篇",
    "户",
    "吨",
    "米",
    "亩",
    "天",
    "岁",
    "套",
    "支",
    "座",
    "间",
    "场",
    "期",
    "位",
    "对",
    "只",
    "株",
    "斤",
    "克",
    "元/人",
];
const UP: [&str; 5] = ["增长", "增加", "上升", "提高", "提升"];
const DOWN: [&str; 4] = ["下降", "减少", "降低", "回落"];
/// Phrase heads of a change, longest first.
const VS: [&str; 7] = [
    "同比上年",
    "比上年同期",
    "较上年同期",
    "同比",
    "比上年",
    "较上年",
    "比去年",
];
const PREV_WORDS: [&str; 3] = ["上年", "去年", "同期"];
const PLAN_WORDS: [&str; 3] = ["计划", "目标", "任务"];
/// Verbs trimmed off the end of a metric's key.
const KEY_VERBS: [&str; 12] = [
    "达到", "达", "为", "是", "实现", "共计", "累计", "合计", "总计", "共", "完成", "全年",
];

/// A figure found in a sentence: byte range (in the paragraph) and quantity.
#[derive(Debug, Clone)]
struct Figure {
    start: usize,
    end: usize,
    q: Quantity,
}

/// Lifts the figures of every paragraph of `o` it can reproduce (see the
/// module docs); `lines` locate the notes for figures that do not match.
pub fn lift(o: &mut Outline, lines: &[Line], notes: &mut Vec<Note>) {
    // The markers are private-use characters: a source that holds them
    // (damage, reported as stray characters) gets no references at all.
    if lines.iter().any(|l| l.text.contains([OPEN, CLOSE])) {
        return;
    }
    let mut ctx = Ctx {
        lines,
        metrics: Vec::new(),
        unsure: Vec::new(),
        mismatches: 0,
        notes,
    };
    for p in o.intro.iter_mut() {
        ctx.paragraph(p);
    }
    for part in o.parts.iter_mut() {
        for p in part.intro.iter_mut() {
            ctx.paragraph(p);
        }
        for s in part.sections.iter_mut() {
            for p in s.text.iter_mut() {
                ctx.paragraph(p);
            }
            for it in s.items.iter_mut() {
                ctx.paragraph(&mut it.text);
            }
        }
    }
    for p in o.outro.iter_mut() {
        ctx.paragraph(p);
    }
    for a in o.attachments.iter_mut() {
        for p in a.intro.iter_mut() {
            ctx.paragraph(p);
        }
    }
    if ctx.mismatches > MAX_MISMATCHES {
        ctx.unsure.push(format!(
            "另有 {} 处数字与所述数字算出的不符，保留为正文",
            ctx.mismatches - MAX_MISMATCHES
        ));
    }
    o.metrics = ctx.metrics;
    o.unsure.extend(ctx.unsure);
}

struct Ctx<'a> {
    lines: &'a [Line],
    metrics: Vec<Metric>,
    unsure: Vec<String>,
    mismatches: usize,
    notes: &'a mut Vec<Note>,
}

/// A replacement of a byte range of a paragraph by a reference.
struct Edit {
    start: usize,
    end: usize,
    reference: String,
}

impl Ctx<'_> {
    fn paragraph(&mut self, p: &mut String) {
        if p.len() > 64 * 1024 {
            return;
        }
        let mut edits: Vec<Edit> = Vec::new();
        let mut start = 0;
        for (i, c) in p.char_indices() {
            if "。；！？;!?".contains(c) {
                self.sentence(p, start, i, &mut edits);
                start = i + c.len_utf8();
            }
        }
        self.sentence(p, start, p.len(), &mut edits);
        edits.sort_by_key(|e| std::cmp::Reverse(e.start));
        for e in edits {
            p.replace_range(e.start..e.end, &format!("{OPEN}{}{CLOSE}", e.reference));
        }
    }

    /// One sentence `p[from..to]`.
    fn sentence(&mut self, p: &str, from: usize, to: usize, edits: &mut Vec<Edit>) {
        let s = &p[from..to];
        if s.len() > MAX_SENTENCE {
            return;
        }
        if !s.contains("完成率")
            && !PLAN_WORDS.iter().any(|w| s.contains(w))
            && !VS.iter().any(|v| s.contains(v))
        {
            return;
        }
        let figures: Vec<Figure> = figures(s)
            .into_iter()
            .map(|f| Figure {
                start: f.start + from,
                end: f.end + from,
                q: f.q,
            })
            .collect();
        let mut used: Vec<(usize, usize)> = Vec::new();
        self.rates(p, from, to, &figures, &mut used, edits);
        self.changes(p, from, to, &figures, &mut used, edits);
    }

    /// `完成率[为|达|达到]N%` with a value and a plan before it.
    fn rates(
        &mut self,
        p: &str,
        from: usize,
        to: usize,
        figures: &[Figure],
        used: &mut Vec<(usize, usize)>,
        edits: &mut Vec<Edit>,
    ) {
        let s = &p[from..to];
        let is_plan = |f: &Figure| {
            let head = clause_before(p, from, f.start);
            PLAN_WORDS.iter().any(|w| head.contains(w))
        };
        let percent_at = |at: usize| figures.iter().find(|f| f.start == at && f.q.unit == "%");
        // (the rate, where the words before it start, the plan when the
        // words name it: `计划21716万元的102%`).
        let mut anchors: Vec<(&Figure, usize, Option<&Figure>)> = Vec::new();
        for (at, _) in s.match_indices("完成率") {
            let mut rest = &p[from + at + "完成率".len()..to];
            for w in ["达到", "为", "达", "是", "：", ":"] {
                if let Some(r) = rest.strip_prefix(w) {
                    rest = r;
                    break;
                }
            }
            if let Some(rate) = percent_at(to - rest.len()) {
                anchors.push((rate, from + at, None));
            }
        }
        for plan in figures.iter().filter(|f| !f.q.is_percent() && is_plan(f)) {
            if p[plan.end..to].starts_with('的')
                && let Some(rate) = percent_at(plan.end + '的'.len_utf8())
            {
                anchors.push((rate, plan.start, Some(plan)));
            }
        }
        anchors.sort_by_key(|a| a.1);
        for (rate, anchor, named) in anchors {
            if !free(used, rate) {
                continue;
            }
            let before: Vec<&Figure> = figures
                .iter()
                .filter(|f| f.end <= anchor && !f.q.is_percent() && free(used, f))
                .collect();
            let plan = match named {
                Some(plan) if free(used, plan) => plan,
                Some(_) => continue,
                None => match before.iter().rev().find(|f| is_plan(f)) {
                    Some(plan) => *plan,
                    None => continue,
                },
            };
            let Some(value) = before
                .iter()
                .rev()
                .find(|f| f.start != plan.start && !is_plan(f) && f.q.same_unit(&plan.q))
            else {
                continue;
            };
            let digits = rate.q.decimals;
            let Ok(computed) = quantity::ratio_percent(&value.q, &plan.q, digits) else {
                continue;
            };
            let stated = &p[rate.start..rate.end];
            if computed != stated {
                self.mismatch(
                    p,
                    from,
                    to,
                    stated,
                    &format!("完成率{computed}（{} / {}）", value.q.text, plan.q.text),
                );
                continue;
            }
            let metric = Metric {
                key: self.key(p, from, value.start),
                value: value.q.text.clone(),
                plan: Some(plan.q.text.clone()),
                digits: (digits != 1).then_some(digits),
                ..Metric::default()
            };
            let spans = [
                (value.start, value.end, ""),
                (plan.start, plan.end, ".计划"),
                (rate.start, rate.end, ".完成率"),
            ];
            self.lift(metric, &spans, used, edits);
        }
    }

    /// Records `metric`, and each figure's span (start, end, attribute)
    /// as used and to be replaced by its 【key.attribute】 reference.
    fn lift(
        &mut self,
        metric: Metric,
        spans: &[(usize, usize, &str)],
        used: &mut Vec<(usize, usize)>,
        edits: &mut Vec<Edit>,
    ) {
        for &(start, end, attr) in spans {
            used.push((start, end));
            edits.push(Edit {
                start,
                end,
                reference: format!("{}{attr}", metric.key),
            });
        }
        self.metrics.push(metric);
    }

    /// `同比增长N%` / `比上年下降N个百分点` with a value and last year's
    /// value before it.
    fn changes(
        &mut self,
        p: &str,
        from: usize,
        to: usize,
        figures: &[Figure],
        used: &mut Vec<(usize, usize)>,
        edits: &mut Vec<Edit>,
    ) {
        let s = &p[from..to];
        let mut search = 0;
        while let Some((at, vs)) = VS
            .iter()
            .filter_map(|v| s[search..].find(v).map(|i| (search + i, *v)))
            .min_by_key(|(i, v)| (*i, std::cmp::Reverse(v.len())))
        {
            search = at + vs.len();
            let phrase_start = from + at;
            let rest = &p[phrase_start + vs.len()..to];
            let Some(verb) = UP.iter().chain(&DOWN).find(|w| rest.starts_with(**w)) else {
                continue;
            };
            let amount = &rest[verb.len()..];
            let digits_len = amount
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(amount.len());
            let unit = ["个百分点", "个千分点", "%"]
                .into_iter()
                .find(|u| amount[digits_len..].starts_with(u));
            let Some(unit) = unit.filter(|_| digits_len > 0) else {
                continue;
            };
            let phrase_end = phrase_start + vs.len() + verb.len() + digits_len + unit.len();
            let stated = &p[phrase_start..phrase_end];
            let Ok(stated_change) = quantity::stated_change(&stated[vs.len()..]) else {
                continue;
            };
            let before: Vec<&Figure> = figures
                .iter()
                .filter(|f| f.end <= phrase_start && free(used, f))
                .collect();
            // `比上年增加6.4万人次` is the change, not last year's figure.
            let is_prev = |f: &Figure| {
                let head = clause_before(p, from, f.start);
                PREV_WORDS.iter().any(|w| head.contains(w))
                    && !UP.iter().chain(&DOWN).any(|v| head.ends_with(v))
            };
            let Some(prev) = before.iter().rev().find(|f| is_prev(f)) else {
                continue;
            };
            let Some(value) = before
                .iter()
                .rev()
                .find(|f| f.start != prev.start && !is_prev(f) && f.q.same_unit(&prev.q))
            else {
                continue;
            };
            let digits = stated_change.digits;
            let Ok(change) = quantity::change(&value.q, &prev.q, digits) else {
                continue;
            };
            let default_up = if change.is_points() {
                "增加"
            } else {
                "增长"
            };
            let up = (UP.contains(verb) && *verb != default_up).then(|| verb.to_string());
            let down = (DOWN.contains(verb) && *verb != "下降").then(|| verb.to_string());
            let computed = change.phrase(vs, up.as_deref(), down.as_deref());
            if computed != stated {
                if !change.agrees_with(&stated_change) || change.unit != stated_change.unit {
                    self.mismatch(
                        p,
                        from,
                        to,
                        stated,
                        &format!("{computed}（{} 比 {}）", value.q.text, prev.q.text),
                    );
                }
                continue;
            }
            let metric = Metric {
                key: self.key(p, from, value.start),
                value: value.q.text.clone(),
                prev: Some(prev.q.text.clone()),
                digits: (!change.is_points() && digits != 1).then_some(digits),
                vs: (vs != "同比").then(|| vs.to_string()),
                up,
                down,
                ..Metric::default()
            };
            let spans = [
                (value.start, value.end, ""),
                (prev.start, prev.end, ".上年"),
                (phrase_start, phrase_end, ".同比"),
            ];
            self.lift(metric, &spans, used, edits);
            search = phrase_end - from;
        }
    }

    /// A figure that looks computed but is not what its figures give.
    fn mismatch(&mut self, p: &str, from: usize, to: usize, stated: &str, computed: &str) {
        self.mismatches += 1;
        if self.mismatches > MAX_MISMATCHES {
            return;
        }
        let sentence = &p[from..to];
        let (line, col) = locate(self.lines, stated, sentence);
        let shown: String = sentence.chars().take(30).collect();
        self.notes.push(Note::new(
            Severity::Warning,
            line,
            col,
            crate::tr!(
                "`{stated}` is not what its sentence's figures give: {computed}; kept as text",
                "`{stated}` 与这句话中的数字算出的结果（{computed}）不符，已作为正文保留"
            ),
            crate::i18n::pick(
                "check the figures; put them in `metrics` by hand once they agree",
                "请核对这些数字；核对一致后再手工填入 `metrics`",
            ),
        ));
        self.unsure.push(format!(
            "「{shown}…」中的“{stated}”与所述数字算出的 {computed} 不符，保留为正文"
        ));
    }

    /// A key for the metric whose value starts at `at`: the words right
    /// before it (`全市门诊量达` → `全市门诊量`), made unique.
    fn key(&self, p: &str, from: usize, at: usize) -> String {
        let head = p[from..at].trim_end_matches(['”', '’', '》', '」', '』']);
        let run: Vec<char> = head
            .chars()
            .rev()
            .take_while(|c| crate::text::is_han(*c))
            .collect();
        let mut word: String = run.into_iter().rev().collect();
        word = word.trim_start_matches(['年', '月', '日']).to_string();
        while let Some(v) = KEY_VERBS.iter().find(|v| word.ends_with(**v)) {
            word.truncate(word.len() - v.len());
        }
        let chars: Vec<char> = word.chars().collect();
        let mut base: String = chars[chars.len().saturating_sub(10)..].iter().collect();
        if base.is_empty() {
            base = "指标".to_string();
        }
        let taken = |k: &str| self.metrics.iter().any(|m| m.key == k);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}{n}"))
            .find(|k| !taken(k))
            .unwrap_or(base)
    }
}

fn free(used: &[(usize, usize)], f: &Figure) -> bool {
    !used.iter().any(|&(s, e)| f.start < e && s < f.end)
}

/// The text between the clause start (after `，`, `、` or the sentence
/// start) and byte `at`.
fn clause_before(p: &str, from: usize, at: usize) -> &str {
    let head = &p[from..at];
    let start = head.rfind(['，', '、', ',', '：', ':']).map_or(0, |i| {
        i + head[i..].chars().next().map_or(1, char::len_utf8)
    });
    &head[start..]
}

/// The source line holding `stated` within `sentence` (first 12 characters
/// of the sentence around it when the line holds them), 1-based column.
fn locate(lines: &[Line], stated: &str, sentence: &str) -> (usize, usize) {
    let head: String = sentence.chars().take(12).collect();
    let found = lines
        .iter()
        .find(|l| l.text.contains(stated) && l.text.contains(&head))
        .or_else(|| lines.iter().find(|l| l.text.contains(stated)));
    match found {
        Some(l) => {
            let at = l.text.find(stated).unwrap_or(0);
            (l.no, l.text[..at].chars().count() + 1)
        }
        None => (0, 1),
    }
}

/// The exact figures of a sentence: a number (not part of a date, a range,
/// a longer number or a Latin word) with an optional 万/亿 scale and a unit
/// from [`UNITS`]; approximate ones are left out.
fn figures(s: &str) -> Vec<Figure> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let prev = s[..start].chars().next_back();
        let mut end = start;
        while end < s.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        i = end;
        let number = &s[start..end];
        if number.ends_with('.')
            || number.matches('.').count() > 1
            || prev.is_some_and(|c| c.is_ascii_alphanumeric() || "./-~～+".contains(c))
            || APPROX.iter().any(|a| s[..start].ends_with(a))
        {
            continue;
        }
        let mut rest = &s[end..];
        for scale in ["万亿", "亿", "万"] {
            if let Some(r) = rest.strip_prefix(scale) {
                rest = r;
                break;
            }
        }
        if rest.starts_with("个百分点") || rest.starts_with("个千分点") {
            continue;
        }
        let Some(unit) = UNITS
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len())
        else {
            continue;
        };
        let after = &rest[unit.len()..];
        let inexact = ["余", "多", "以上", "以下", "以内", "左右", "-", "~", "～"]
            .iter()
            .any(|w| after.starts_with(w))
            || after.starts_with(|c: char| c.is_ascii_alphanumeric());
        let qend = s.len() - after.len();
        if inexact {
            i = qend;
            continue;
        }
        if let Ok(q) = Quantity::parse(&s[start..qend])
            && q.text == s[start..qend]
        {
            out.push(Figure {
                start,
                end: qend,
                q,
            });
        }
        i = qend;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted(text: &str) -> (String, Vec<Metric>, Vec<Note>) {
        let mut o = Outline {
            intro: vec![text.to_string()],
            ..Outline::default()
        };
        let lines = vec![Line {
            text: text.to_string(),
            no: 3,
        }];
        let mut notes = Vec::new();
        lift(&mut o, &lines, &mut notes);
        let shown = o.intro[0].replace(OPEN, "【").replace(CLOSE, "】");
        (shown, o.metrics, notes)
    }

    #[test]
    fn a_yoy_change_with_both_years_is_lifted() {
        let (t, m, n) = lifted("全市门诊量达120万人次，上年为113.6万人次，同比增长5.6%。");
        assert_eq!(
            t,
            "全市门诊量达【全市门诊量】，上年为【全市门诊量.上年】，【全市门诊量.同比】。"
        );
        assert_eq!(m[0].value, "120万人次");
        assert_eq!(m[0].prev.as_deref(), Some("113.6万人次"));
        assert_eq!((m[0].digits, m[0].up.as_deref()), (None, None));
        assert!(n.is_empty());
        let (t, m, _) = lifted("健康素养水平35.2%，比上年32.1%，比上年提高3.1个百分点");
        assert!(t.ends_with("【健康素养水平.同比】"), "{t}");
        assert_eq!(
            (m[0].vs.as_deref(), m[0].up.as_deref()),
            (Some("比上年"), Some("提高"))
        );
    }

    #[test]
    fn a_completion_rate_with_value_and_plan_is_lifted() {
        let (t, m, _) =
            lifted("完成投资14.02亿元，年度计划27.87亿元，完成率50.30%，其中2个项目开工");
        assert_eq!(
            t,
            "完成投资【完成投资】，年度计划【完成投资.计划】，完成率【完成投资.完成率】，其中2个项目开工"
        );
        assert_eq!(m[0].plan.as_deref(), Some("27.87亿元"));
        assert_eq!(m[0].digits, Some(2));
        let (t, m, _) = lifted("2022年完成投资22150万元,完成年度投资计划21716万元的102%");
        assert_eq!(
            t,
            "2022年完成投资【完成投资】,完成年度投资计划【完成投资.计划】的【完成投资.完成率】"
        );
        assert_eq!(m[0].digits, Some(0));
    }

    #[test]
    fn what_does_not_compute_stays_text_with_a_note() {
        let src = "门诊量达120万人次，上年为113.6万人次，同比增长5.9%。";
        let (t, m, n) = lifted(src);
        assert_eq!(t, src);
        assert!(m.is_empty());
        assert_eq!((n[0].line, n[0].col), (3, 24));
        assert!(n[0].message.contains("同比增长5.6%"), "{}", n[0].message);
        for kept in [
            "县域就诊率达91.59%,同比增加0.41个百分点。",
            "门诊量约120万人次，上年113.6万人次，同比增长5.6%。",
            "门诊量120余万人次，上年113.6万人次，同比增长5.6%。",
            "完成14.02亿元，完成率50.3%。",
            "门诊量120万人次，比上年增加6.4万人次，同比增长5.6%。",
            "2023年完成12项，2022年为10项，同比增长20%。",
            "【已有】门诊量120万人次，上年113.6万人次，同比增长5.6%\u{E000}",
        ] {
            let (t, m, n) = lifted(kept);
            assert_eq!(
                (t.as_str(), m.len(), n.len()),
                (kept.replace('\u{E000}', "【").as_str(), 0, 0)
            );
        }
    }

    #[test]
    fn figures_are_exact_numbers_with_units() {
        let f: Vec<String> =
            figures("2022年投入14.02亿元、约3万人、5-6个、4000余名、91.59%、A3个、12个百分点")
                .into_iter()
                .map(|f| f.q.text)
                .collect();
        assert_eq!(f, ["14.02亿元", "91.59%"]);
    }
}
