//! The metric table of a document: definitions from the file and its
//! imports, `=key` / `=alias.key` links, the computed attributes
//! (完成率, 占比, 增减, 同比) and the `【key.attr】` references in text.
//! Arithmetic itself lives in `quantity`.
//!
//! One policy for figures (docs/data-format.md, "Figures"): a stated `rate`
//! or `change` is printed as typed, and one that disagrees with the figure
//! computed from value/plan/prev beyond rounding is a warning at the stated
//! value naming both figures; a rate-like metric (key ending in 率, 比, 比重
//! or 比例) whose figures have no unit is a warning at the figure (`write
//! 45.6%`); a percentage computed with a figure without unit is an error at
//! that figure. Keys, expanded text and suggestions are bounded
//! ([`MAX_KEY_CHARS`], [`MAX_EXPANDED_BYTES`], `MAX_SUGGESTIONS`).

use std::cell::Cell;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, SUGGEST_CANDIDATES, SUGGEST_CHARS, did_you_mean};
use crate::i18n::{self, pick};
use crate::load::{Loaded, Source, position_of};
use crate::model::{MetricDef, Scalar, Spanned, pos};
use crate::quantity::{self, Change, Quantity, QuantityError};
use crate::tr;

/// Reference attributes: the Chinese names used in text and their English aliases.
pub const ATTRIBUTES: &[(&str, &str)] = &[
    ("计划", "plan"),
    ("上年", "prev"),
    ("完成率", "rate"),
    ("占比", "share"),
    ("增减", "change"),
    ("同比", "yoy"),
];

/// Deepest chain of `=key` links followed.
const MAX_LINK_DEPTH: usize = 16;

/// Longest metric key, in characters.
pub const MAX_KEY_CHARS: usize = 64;

/// The most text one document's paragraphs may hold once their `【…】`
/// references are expanded, in bytes.
pub const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

/// Longest `vs`, `up` or `down` word of a metric, in characters (同比上年,
/// 比上年, 增长, 下降 are 2–4).
pub const MAX_WORD_CHARS: usize = 16;

/// Did-you-mean suggestions worked out per document; unknown references
/// past this number get the plain hint (only 100 diagnostics are shown).
const MAX_SUGGESTIONS: usize = 100;

/// Key endings that mark a metric as a rate, whose figures are percentages.
const RATE_SUFFIXES: [&str; 4] = ["率", "比", "比重", "比例"];

/// Whether `key` names a rate (县域就诊率, 普惠托位占比, 财政支出比重).
pub fn is_rate_like(key: &str) -> bool {
    RATE_SUFFIXES.iter().any(|s| key.ends_with(s))
}

/// `s` cut to 24 characters with `…`, for quoting unbounded text.
fn clip(s: &str) -> String {
    if s.chars().count() <= 24 {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(24).collect();
    cut.push('…');
    cut
}

/// The metrics visible from one data file.
pub struct Table<'a> {
    source: &'a Source,
    defs: BTreeMap<&'a str, &'a Spanned<MetricDef>>,
    imports: BTreeMap<&'a str, Table<'a>>,
    /// Whether `new` or `check` stopped reporting at their limit.
    truncated: Cell<bool>,
    /// Bytes of text `expand` has produced for this document so far;
    /// `usize::MAX` once the budget was exceeded and reported.
    expanded: Cell<usize>,
    /// Did-you-mean suggestions still to be worked out.
    suggestions_left: Cell<usize>,
}

/// A reference that names no metric.
enum Miss<'p> {
    /// `key`, or `alias.key` where `alias` is not an import.
    Unknown(&'p str),
    /// `alias.key` where the import `alias` has no `key`.
    InImport(&'p str, &'p str),
}

/// What went wrong, and where (a metric definition, possibly in an imported file).
#[derive(Debug, Clone)]
pub struct MetricError<'s> {
    pub message: String,
    pub hint: String,
    /// The file and position of the offending definition field, when the
    /// error is in a definition rather than in the reference.
    pub at: Option<(&'s Source, Pos, usize)>,
}

impl MetricError<'_> {
    fn plain(message: impl Into<String>, hint: impl Into<String>) -> Self {
        MetricError {
            message: message.into(),
            hint: hint.into(),
            at: None,
        }
    }

    /// The diagnostic: at the definition when known, else at `fallback`.
    pub fn into_diagnostic(
        self,
        fallback_source: &Source,
        fallback: Pos,
        fallback_len: usize,
    ) -> Diagnostic {
        let d = match &self.at {
            Some((source, at, len)) => {
                Diagnostic::error(&source.path, &source.text, *at, self.message).with_len(*len)
            }
            None => Diagnostic::error(
                &fallback_source.path,
                &fallback_source.text,
                fallback,
                self.message,
            )
            .with_len(fallback_len),
        };
        d.with_hint(self.hint)
    }
}

/// A stated value that disagrees with the one computed from the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// `完成率` (a stated `rate`) or `同比` (a stated `change`).
    pub attribute: &'static str,
    /// As stated (printed in the text).
    pub stated: String,
    /// As computed from value and plan, or value and prev.
    pub computed: String,
    /// Where the stated value is written.
    #[serde(flatten)]
    pub at: Pos,
}

/// A metric's attributes as text, for templates (`metrics["托位"].value`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct MetricOut {
    pub value: Option<String>,
    pub plan: Option<String>,
    pub prev: Option<String>,
    pub of: Option<String>,
    pub rate: Option<String>,
    pub share: Option<String>,
    pub change: Option<String>,
    pub yoy: Option<String>,
}

impl<'a> Table<'a> {
    /// Builds the table of `loaded` (top level, parts and sections share one
    /// namespace) and of its imports; a key defined twice is an error. At
    /// most `limit` diagnostics are built.
    pub fn new(loaded: &'a Loaded, limit: usize) -> (Table<'a>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut defs: BTreeMap<&'a str, &'a Spanned<MetricDef>> = BTreeMap::new();
        let data = &loaded.data;
        let levels = std::iter::once(&data.metrics)
            .chain(data.parts.iter().map(|p| &p.metrics))
            .chain(
                data.parts
                    .iter()
                    .flat_map(|p| p.sections.iter().map(|s| &s.metrics)),
            );
        let mut truncated = false;
        for level in levels {
            for (key, def) in level {
                let too_long = key.chars().count() > MAX_KEY_CHARS;
                let bad = defs.contains_key(key.as_str())
                    || too_long
                    || key.contains('.')
                    || key.contains('【')
                    || key.contains('】')
                    || key.starts_with('=');
                if bad && diags.len() >= limit {
                    truncated = true;
                    continue;
                }
                if too_long {
                    diags.push(
                        Diagnostic::error(
                            &loaded.source.path,
                            &loaded.source.text,
                            pos(def.referenced),
                            tr!(
                                "metric key `{}` is {} characters long; a key takes at most {MAX_KEY_CHARS}",
                                "指标名 `{}` 有 {} 个字；指标名最多 {MAX_KEY_CHARS} 个字",
                                clip(key),
                                key.chars().count()
                            ),
                        )
                        .with_hint(pick(
                            "use a short name such as 县域就诊率",
                            "请用简短的名称，例如 县域就诊率",
                        )),
                    );
                } else if defs.contains_key(key.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            &loaded.source.path,
                            &loaded.source.text,
                            pos(def.referenced),
                            tr!("metric `{key}` is defined twice", "指标 `{key}` 定义了两次"),
                        )
                        .with_hint(pick(
                            "metric keys share one namespace across the document; rename one",
                            "整个文档中的指标名不能重复；请把其中一个改名",
                        )),
                    );
                } else if key.contains('.')
                    || key.contains('【')
                    || key.contains('】')
                    || key.starts_with('=')
                {
                    diags.push(
                        Diagnostic::error(
                            &loaded.source.path,
                            &loaded.source.text,
                            pos(def.referenced),
                            tr!(
                                "metric key `{key}` may not contain `.`, `【`, `】` or start with `=`",
                                "指标名 `{key}` 中不能有 `.`、`【`、`】`，也不能以 `=` 开头"
                            ),
                        )
                        .with_hint(pick(
                            "use a plain name such as 县域就诊率",
                            "请用普通的名称，例如 县域就诊率",
                        )),
                    );
                } else {
                    defs.insert(key.as_str(), def);
                }
            }
        }
        let mut imports = BTreeMap::new();
        for (alias, file) in &loaded.imports {
            let (table, mut d) = Table::new(file, limit.saturating_sub(diags.len()));
            truncated |= table.truncated();
            diags.append(&mut d);
            imports.insert(alias.as_str(), table);
        }
        (
            Table {
                source: &loaded.source,
                defs,
                imports,
                truncated: Cell::new(truncated),
                expanded: Cell::new(0),
                suggestions_left: Cell::new(MAX_SUGGESTIONS),
            },
            diags,
        )
    }

    /// Whether some diagnostics were left out at the limit.
    pub fn truncated(&self) -> bool {
        self.truncated.get()
    }

    /// Every key of this file, for suggestions and templates.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.defs.keys().copied()
    }

    /// Finds `key` or `alias.key`.
    fn find<'p>(
        &self,
        path: &'p str,
    ) -> Result<(&Table<'a>, &'a Spanned<MetricDef>, &'p str), Miss<'p>> {
        if let Some(def) = self.defs.get(path) {
            return Ok((self, def, path));
        }
        if let Some((alias, key)) = path.split_once('.')
            && let Some(table) = self.imports.get(alias)
        {
            return match table.defs.get(key) {
                Some(def) => Ok((table, def, key)),
                None => Err(Miss::InImport(alias, key)),
            };
        }
        Err(Miss::Unknown(path))
    }

    /// Finds `key` or `alias.key`, or says it is unknown.
    fn lookup<'p>(
        &self,
        path: &'p str,
    ) -> Result<(&Table<'a>, &'a Spanned<MetricDef>, &'p str), MetricError<'a>> {
        self.find(path).map_err(|miss| self.unknown(miss))
    }

    /// The error for an unknown reference, with a suggestion while the
    /// document's budget for them lasts.
    fn unknown(&self, miss: Miss<'_>) -> MetricError<'a> {
        let left = self.suggestions_left.get();
        self.suggestions_left.set(left.saturating_sub(1));
        let (message, word, candidates, prefix) = match miss {
            Miss::InImport(alias, key) => (
                tr!(
                    "unknown metric `{}` in import `{alias}`",
                    "导入 `{alias}` 中没有指标 `{}`",
                    clip(key)
                ),
                key,
                match self.imports.get(alias) {
                    Some(t) if left > 0 => t
                        .keys()
                        .take(SUGGEST_CANDIDATES)
                        .map(str::to_string)
                        .collect(),
                    _ => Vec::new(),
                },
                format!("{alias}."),
            ),
            Miss::Unknown(path) => (
                tr!("unknown metric `{}`", "没有指标 `{}`", clip(path)),
                path,
                if left > 0 {
                    self.keys()
                        .map(str::to_string)
                        .chain(
                            self.imports
                                .iter()
                                .flat_map(|(a, t)| t.keys().map(move |k| format!("{a}.{k}"))),
                        )
                        .take(SUGGEST_CANDIDATES)
                        .collect()
                } else {
                    Vec::new()
                },
                String::new(),
            ),
        };
        MetricError::plain(
            message,
            suggestion(word, candidates.iter().map(String::as_str), &prefix),
        )
    }

    fn field_error(&self, field: &Spanned<Scalar>, e: QuantityError) -> MetricError<'a> {
        MetricError {
            message: e.message,
            hint: e.hint,
            at: Some((
                self.source,
                pos(field.referenced),
                field.value.0.chars().count(),
            )),
        }
    }

    /// The quantity a field stands for: its own text, or the value of the
    /// metric it links to with `=key`.
    fn quantity(&self, field: &Spanned<Scalar>, depth: usize) -> Result<Quantity, MetricError<'a>> {
        let text = field.value.0.trim();
        if let Some(target) = text.strip_prefix('=') {
            if depth >= MAX_LINK_DEPTH {
                return Err(MetricError {
                    message: tr!(
                        "metric links nest deeper than {MAX_LINK_DEPTH} (is there a cycle through `{target}`?)",
                        "指标链接嵌套超过 {MAX_LINK_DEPTH} 层（是不是经过 `{target}` 绕成了圈？）"
                    ),
                    hint: pick(
                        "a `=key` link must end at a metric with a written value",
                        "`=指标名` 链接最终必须指向一个写了数值的指标",
                    )
                    .into(),
                    at: Some((self.source, pos(field.referenced), text.chars().count())),
                });
            }
            let (table, def, key) = self.lookup(target.trim()).map_err(|mut e| {
                e.at = Some((self.source, pos(field.referenced), text.chars().count()));
                e
            })?;
            let value = def.value.value.as_ref().ok_or_else(|| MetricError {
                message: tr!(
                    "metric `{key}` has no value to link to",
                    "指标 `{key}` 没有可供链接的数值"
                ),
                hint: pick("give it a `value`", "请给它写上 `value`").into(),
                at: Some((self.source, pos(field.referenced), text.chars().count())),
            })?;
            return table.quantity(value, depth + 1);
        }
        Quantity::parse(text).map_err(|e| self.field_error(field, e))
    }

    fn optional(
        &self,
        field: &Option<Spanned<Scalar>>,
    ) -> Result<Option<Quantity>, MetricError<'a>> {
        field.as_ref().map(|f| self.quantity(f, 0)).transpose()
    }

    /// One attribute of a metric as text. `attr` is "" for the value, or one
    /// of `ATTRIBUTES` (Chinese or English).
    pub fn attribute(&self, path: &str, attr: &str) -> Result<String, MetricError<'a>> {
        let (table, def, key, attr) = match self.find(path) {
            Ok((table, def, key)) => (table, def, key, attr),
            Err(miss) => {
                // `【key.环比】`: a known metric with an attribute that is not one.
                let split = path.rsplit_once('.').filter(|_| attr.is_empty());
                match split.and_then(|(p, a)| self.find(p).ok().map(|found| (found, a))) {
                    Some(((table, def, key), a)) => (table, def, key, a),
                    None => return Err(self.unknown(miss)),
                }
            }
        };
        table.attribute_of(key, &def.value, attr)
    }

    fn digits(def: &MetricDef) -> u32 {
        def.digits.as_ref().map_or(1, |d| d.value.min(10))
    }

    fn missing(&self, key: &str, attr: &str, field: &str) -> MetricError<'a> {
        MetricError::plain(
            tr!(
                "metric `{key}` has no `{field}`, so 【{key}.{attr}】 cannot be computed",
                "指标 `{key}` 没有 `{field}`，无法计算【{key}.{attr}】"
            ),
            tr!(
                "add `{field}:` to the metric `{key}`",
                "请给指标 `{key}` 加上 `{field}:`"
            ),
        )
    }

    fn attribute_of(
        &self,
        key: &str,
        def: &MetricDef,
        attr: &str,
    ) -> Result<String, MetricError<'a>> {
        let canonical = ATTRIBUTES
            .iter()
            .find(|(zh, en)| *zh == attr || *en == attr)
            .map(|(zh, _)| *zh);
        let digits = Self::digits(def);
        match (attr, canonical) {
            ("" | "value" | "值", _) => self
                .optional(&def.value)?
                .map(|q| q.text)
                .ok_or_else(|| self.missing(key, "值", "value")),
            (_, Some("计划")) => self
                .optional(&def.plan)?
                .map(|q| q.text)
                .ok_or_else(|| self.missing(key, attr, "plan")),
            (_, Some("上年")) => self
                .optional(&def.prev)?
                .map(|q| q.text)
                .ok_or_else(|| self.missing(key, attr, "prev")),
            (_, Some("完成率")) => {
                if let Some(rate) = &def.rate {
                    return Ok(self.quantity(rate, 0)?.text);
                }
                let (value, plan) = self.pair(key, def, attr, &def.plan, "plan")?;
                quantity::ratio_percent(&value, &plan, digits).map_err(|e| {
                    self.field_error(blame(def, &value, &def.plan, &plan).unwrap_or(&dummy()), e)
                })
            }
            (_, Some("占比")) => {
                let (value, of) = self.pair(key, def, attr, &def.of, "of")?;
                quantity::ratio_percent(&value, &of, digits).map_err(|e| {
                    self.field_error(blame(def, &value, &def.of, &of).unwrap_or(&dummy()), e)
                })
            }
            (_, Some("增减")) => Ok(self.change(key, def, attr)?.amount_text()),
            (_, Some("同比")) => {
                let change = self.change(key, def, attr)?;
                let text = |f: &Option<Spanned<String>>| f.as_ref().map(|s| s.value.clone());
                let vs = text(&def.vs).unwrap_or_else(|| "同比".to_string());
                Ok(change.phrase(&vs, text(&def.up).as_deref(), text(&def.down).as_deref()))
            }
            _ => {
                let names: Vec<&str> = ATTRIBUTES.iter().map(|(zh, _)| *zh).collect();
                Err(MetricError::plain(
                    tr!(
                        "unknown attribute `{attr}` in 【{key}.{attr}】",
                        "【{key}.{attr}】中的 `{attr}` 不是指标的属性"
                    ),
                    match did_you_mean(attr, names.iter().copied()) {
                        Some(s) => crate::diag::did_you_mean_hint(&format!("【{key}.{s}】")),
                        None => tr!("attributes are {}", "指标的属性有：{}", names.join("、")),
                    },
                ))
            }
        }
    }

    fn pair(
        &self,
        key: &str,
        def: &MetricDef,
        attr: &str,
        base: &Option<Spanned<Scalar>>,
        name: &str,
    ) -> Result<(Quantity, Quantity), MetricError<'a>> {
        let value = self
            .optional(&def.value)?
            .ok_or_else(|| self.missing(key, attr, "value"))?;
        let base = self
            .optional(base)?
            .ok_or_else(|| self.missing(key, attr, name))?;
        Ok((value, base))
    }

    /// The stated change when there is one, else the computed one.
    fn change(&self, key: &str, def: &MetricDef, attr: &str) -> Result<Change, MetricError<'a>> {
        if let Some(stated) = &def.change {
            return quantity::stated_change(&stated.value.0)
                .map_err(|e| self.field_error(stated, e));
        }
        self.computed_change(key, def, attr)
    }

    fn computed_change(
        &self,
        key: &str,
        def: &MetricDef,
        attr: &str,
    ) -> Result<Change, MetricError<'a>> {
        let (value, prev) = self.pair(key, def, attr, &def.prev, "prev")?;
        quantity::change(&value, &prev, Self::digits(def)).map_err(|e| {
            self.field_error(blame(def, &value, &def.prev, &prev).unwrap_or(&dummy()), e)
        })
    }

    /// Checks every definition of this file (not its imports, which are
    /// checked when they are built themselves): quantities parse, links
    /// resolve, computations succeed; and, as warnings (the module's policy),
    /// stated values that disagree with computed ones and rate-like metrics
    /// whose figures have no unit. At most `limit` diagnostics are built.
    pub fn check(&self, limit: usize) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let fallback = |d: &Spanned<MetricDef>| pos(d.referenced);
        for (key, def) in &self.defs {
            if diags.len() >= limit {
                self.truncated.set(true);
                break;
            }
            let m = &def.value;
            let mut errors = Vec::new();
            let mut unitless = Vec::new();
            // The figures (value, plan, prev, of) and the stated rate.
            let fields = [(&m.value, true), (&m.plan, true), (&m.prev, true)]
                .into_iter()
                .chain([(&m.of, true), (&m.rate, false)]);
            for (field, figure) in fields {
                let Some(field) = field else { continue };
                match self.quantity(field, 0) {
                    Err(e) => errors.push(e),
                    Ok(q) if figure && q.unit.is_empty() => unitless.push((field, q)),
                    Ok(_) => {}
                }
            }
            if let Some(c) = &m.change
                && let Err(e) = quantity::stated_change(&c.value.0)
            {
                errors.push(self.field_error(c, e));
            }
            for (name, word) in [("vs", &m.vs), ("up", &m.up), ("down", &m.down)] {
                if let Some(w) = word
                    && w.value.chars().count() > MAX_WORD_CHARS
                {
                    errors.push(MetricError {
                        message: tr!(
                            "metric `{key}`: `{name}` is {} characters long; it takes at most {MAX_WORD_CHARS}",
                            "指标 `{key}`：`{name}` 有 {} 个字；最多 {MAX_WORD_CHARS} 个字",
                            w.value.chars().count()
                        ),
                        hint: tr!(
                            "`{name}` is a short word of the phrase, such as 同比上年, 增长 or 下降",
                            "`{name}` 是句子中的一个短词，例如 同比上年、增长 或 下降"
                        ),
                        at: Some((self.source, pos(w.referenced), 1)),
                    });
                }
            }
            if errors.is_empty() {
                if m.plan.is_some() {
                    match self.stated_rate_disagrees(key, m) {
                        Err(e) => errors.push(e),
                        Ok(warning) => diags.extend(warning),
                    }
                }
                if m.of.is_some()
                    && let Err(e) = self.attribute_of(key, m, "占比")
                {
                    errors.push(e);
                }
                if m.prev.is_some() {
                    match self.computed_change(key, m, "同比") {
                        Err(e) => errors.push(e),
                        Ok(computed) => {
                            if let Some(stated) = &m.change
                                && let Ok(s) = quantity::stated_change(&stated.value.0)
                                && !s.agrees_with(&computed)
                            {
                                let from = self.figures(m, "prev");
                                diags.push(self.disagreement(
                                    key,
                                    "change",
                                    stated,
                                    &signed_text(&s),
                                    &signed_text(&computed),
                                    &from,
                                ));
                            }
                        }
                    }
                }
            }
            // A share computed with `of` is named after its result, and a
            // 万/亿 figure is a count: neither is a percentage typed bare.
            if errors.is_empty() && is_rate_like(key) && m.of.is_none() {
                for (field, q) in unitless.into_iter().filter(|(_, q)| q.scale == 0) {
                    diags.push(
                        Diagnostic::warning(
                            &self.source.path,
                            &self.source.text,
                            pos(field.referenced),
                            tr!(
                                "metric `{key}` is a rate, but its figure {} has no unit",
                                "指标 `{key}` 是一个比率，但它的数字 {} 没有单位",
                                q.text
                            ),
                        )
                        .with_len(field.value.0.chars().count())
                        .with_hint(if m.prev.is_some() || m.change.is_some() {
                            tr!(
                                "write {}% if it is a percentage: without a unit the figure is printed as typed and 同比 is a relative change, not a difference in 个百分点",
                                "如果是百分数，请写成 {}%：没有单位时数字按原样印出，同比按相对变化计算，而不是相差多少个百分点",
                                q.text
                            )
                        } else {
                            tr!(
                                "write {}% if it is a percentage: without a unit the figure is printed as typed",
                                "如果是百分数，请写成 {}%：没有单位时数字按原样印出",
                                q.text
                            )
                        }),
                    );
                }
            }
            diags.extend(
                errors
                    .into_iter()
                    .map(|e| e.into_diagnostic(self.source, fallback(def), key.chars().count())),
            );
        }
        diags
    }

    /// `value 14.02亿元, plan 27.87亿元`: the figures a computed value
    /// comes from, for messages.
    fn figures(&self, m: &MetricDef, base: &str) -> String {
        let field = match base {
            "plan" => &m.plan,
            _ => &m.prev,
        };
        let text = |f: &Option<Spanned<Scalar>>| {
            self.optional(f)
                .ok()
                .flatten()
                .map_or_else(|| "?".to_string(), |q| q.text)
        };
        tr!(
            "value {}, {base} {}",
            "`value` {}、`{base}` {}",
            text(&m.value),
            text(field)
        )
    }

    /// The warning for a stated value that disagrees with the computed one,
    /// at the stated value, naming both figures.
    fn disagreement(
        &self,
        key: &str,
        what: &str,
        stated: &Spanned<Scalar>,
        stated_text: &str,
        computed: &str,
        from: &str,
    ) -> Diagnostic {
        Diagnostic::warning(
            &self.source.path,
            &self.source.text,
            pos(stated.referenced),
            match i18n::zh() {
                true => format!(
                    "指标 `{key}`：写明的{} {stated_text} 与计算出的 {computed} 不一致（由 {from} 算得）",
                    what_in_chinese(what)
                ),
                false => format!(
                    "metric `{key}`: the stated {what} {stated_text} disagrees with the computed {computed} (from {from})"
                ),
            },
        )
        .with_len(stated.value.0.chars().count())
        .with_hint(match i18n::zh() {
            true => format!(
                "印出的是写明的{}；请改正它，或改正计算所用的数字",
                what_in_chinese(what)
            ),
            false => format!(
                "the stated {what} is printed; correct it, or the figures it is computed from"
            ),
        })
    }

    /// The warning when a stated rate disagrees with value / plan; an
    /// error when the rate cannot be compared at all.
    fn stated_rate_disagrees(
        &self,
        key: &str,
        m: &MetricDef,
    ) -> Result<Option<Diagnostic>, MetricError<'a>> {
        let (value, plan) = self.pair(key, m, "完成率", &m.plan, "plan")?;
        let computed = quantity::ratio_percent(&value, &plan, Self::digits(m)).map_err(|e| {
            self.field_error(blame(m, &value, &m.plan, &plan).unwrap_or(&dummy()), e)
        })?;
        let Some(rate) = &m.rate else {
            return Ok(None);
        };
        let stated = self.quantity(rate, 0)?;
        let agrees =
            quantity::rate_agrees(&stated, &value, &plan).map_err(|e| self.field_error(rate, e))?;
        Ok((!agrees).then(|| {
            let from = self.figures(m, "plan");
            self.disagreement(key, "rate", rate, &stated.text, &computed, &from)
        }))
    }

    /// The stated `rate` and `change` of metric `key` that disagree with
    /// the ones computed from its figures (what `check` warns about), with
    /// where each is written. Empty when they agree or cannot be compared
    /// (`check` reports those as errors).
    pub fn disagreements(&self, key: &str) -> Vec<Disagreement> {
        let Some(def) = self.defs.get(key) else {
            return Vec::new();
        };
        let m = &def.value;
        let mut out = Vec::new();
        if let Some(rate) = &m.rate
            && m.plan.is_some()
            && let Ok((value, plan)) = self.pair(key, m, "完成率", &m.plan, "plan")
            && let Ok(computed) = quantity::ratio_percent(&value, &plan, Self::digits(m))
            && let Ok(stated) = self.quantity(rate, 0)
            && let Ok(false) = quantity::rate_agrees(&stated, &value, &plan)
        {
            out.push(Disagreement {
                attribute: "完成率",
                stated: stated.text,
                computed,
                at: pos(rate.referenced),
            });
        }
        if let Some(change) = &m.change
            && m.prev.is_some()
            && let Ok(computed) = self.computed_change(key, m, "同比")
            && let Ok(stated) = quantity::stated_change(&change.value.0)
            && !stated.agrees_with(&computed)
        {
            out.push(Disagreement {
                attribute: "同比",
                stated: signed_text(&stated),
                computed: signed_text(&computed),
                at: pos(change.referenced),
            });
        }
        out
    }

    /// The line metric `key` is defined on (0: not in this file).
    pub fn line_of(&self, key: &str) -> usize {
        self.defs
            .get(key)
            .map_or(0, |d| usize::try_from(d.referenced.line()).unwrap_or(0))
    }

    /// This file's metric keys in the order they are written.
    pub fn keys_in_file_order(&self) -> Vec<&'a str> {
        let mut keys: Vec<(u64, u64, &'a str)> = self
            .defs
            .iter()
            .map(|(k, d)| (d.referenced.line(), d.referenced.column(), *k))
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, _, k)| k).collect()
    }

    /// All metrics of this file with every attribute that can be computed.
    pub fn export(&self) -> BTreeMap<String, MetricOut> {
        self.defs
            .iter()
            .map(|(key, def)| {
                let get = |attr: &str| self.attribute_of(key, &def.value, attr).ok();
                let out = MetricOut {
                    value: get(""),
                    plan: get("计划"),
                    prev: get("上年"),
                    of: self.optional(&def.value.of).ok().flatten().map(|q| q.text),
                    rate: get("完成率"),
                    share: get("占比"),
                    change: get("增减"),
                    yoy: get("同比"),
                };
                (key.to_string(), out)
            })
            .collect()
    }
}

fn signed_text(c: &Change) -> String {
    format!(
        "{}{}",
        quantity::format_decimal(c.signed(), c.digits),
        c.unit
    )
}

/// A stated figure's name in Chinese (`rate`, `change`).
fn what_in_chinese(what: &str) -> &str {
    match what {
        "rate" => "完成率",
        "change" => "增减",
        other => other,
    }
}

/// The field an error of `value` against `base` is shown at: the one
/// without a unit when the other is a percentage (that is where the `%` is
/// missing), else the base.
fn blame<'f>(
    m: &'f MetricDef,
    value: &Quantity,
    base_field: &'f Option<Spanned<Scalar>>,
    base: &Quantity,
) -> Option<&'f Spanned<Scalar>> {
    if value.unit.is_empty() && base.is_percent() {
        m.value.as_ref()
    } else {
        base_field.as_ref()
    }
}

fn dummy() -> Spanned<Scalar> {
    Spanned::new(
        Scalar::default(),
        crate::model::Location::UNKNOWN,
        crate::model::Location::UNKNOWN,
    )
}

/// The `n` candidates sharing most characters with `word` (ties in order).
fn closest<'s>(word: &str, candidates: &[&'s str], n: usize) -> Vec<&'s str> {
    let word: std::collections::BTreeSet<char> = word.chars().take(SUGGEST_CHARS).collect();
    let shared = |c: &str| {
        c.chars()
            .take(SUGGEST_CHARS)
            .filter(|ch| word.contains(ch))
            .count()
    };
    let mut ranked: Vec<&str> = candidates.to_vec();
    ranked.sort_by_key(|c| std::cmp::Reverse(shared(c)));
    ranked.truncate(n);
    ranked
}

fn suggestion<'s>(
    word: &str,
    candidates: impl IntoIterator<Item = &'s str>,
    prefix: &str,
) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    match did_you_mean(word, candidates.iter().copied()) {
        Some(s) => crate::diag::did_you_mean_hint(&format!("【{prefix}{s}】")),
        None if candidates.is_empty() => {
            pick("define it under `metrics:`", "请在 `metrics:` 下定义它").to_string()
        }
        None => tr!(
            "define it under `metrics:`, or use one of: {}",
            "请在 `metrics:` 下定义它，或改用其中之一：{}",
            closest(word, &candidates, 5).join("、")
        ),
    }
}

/// A `【…】` reference found in text, split into metric path and attribute.
pub fn split_reference(inner: &str) -> (&str, &str) {
    if let Some((path, attr)) = inner.rsplit_once('.')
        && (ATTRIBUTES.iter().any(|(zh, en)| *zh == attr || *en == attr)
            || matches!(attr, "value" | "值"))
    {
        return (path, attr);
    }
    (inner, "")
}

/// Replaces every `【key】` / `【key.attr】` in `text` (`【【` is a literal `【`).
/// `at` locates the text in `source` so errors point at the reference itself.
/// The text produced for one document counts against [`MAX_EXPANDED_BYTES`]:
/// the reference that crosses it is an error, and once it has been reported
/// later text is returned unexpanded (the document has failed anyway).
pub fn expand(
    table: &Table<'_>,
    text: &str,
    source: &Source,
    at: crate::model::Location,
) -> Result<String, Diagnostic> {
    let used = table.expanded.get();
    if used == usize::MAX {
        return Ok(text.to_string());
    }
    let locate = |needle: &str| -> Pos {
        let start = at.span().byte_offset().map_or(0, |o| o as usize);
        match source.text.get(start..).and_then(|rest| rest.find(needle)) {
            Some(i) => position_of(&source.text, start + i),
            None => pos(at),
        }
    };
    let over_budget = |token: &str| {
        table.expanded.set(usize::MAX);
        Diagnostic::error(
            &source.path,
            &source.text,
            locate(token),
            tr!(
                "the document's text grows past {} MiB when its 【…】 references are expanded",
                "展开【…】引用后，文档的文字超过 {} MiB",
                MAX_EXPANDED_BYTES / (1024 * 1024)
            ),
        )
        .with_len(token.chars().count())
        .with_hint(pick(
            "refer to long metrics fewer times, or split the report into several documents",
            "请减少引用很长的指标的次数，或把报告拆成几个文档",
        ))
    };
    if !text.contains('【') {
        if used + text.len() > MAX_EXPANDED_BYTES {
            let first: String = text.chars().take(12).collect();
            return Err(over_budget(&first));
        }
        table.expanded.set(used + text.len());
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('【') {
        out.push_str(&rest[..i]);
        let after = &rest[i + '【'.len_utf8()..];
        if let Some(literal) = after.strip_prefix('【') {
            out.push('【');
            rest = literal;
            continue;
        }
        let Some(end) = after.find('】') else {
            let fragment: String = rest[i..].chars().take(12).collect();
            return Err(Diagnostic::error(
                &source.path,
                &source.text,
                locate(&fragment),
                pick(
                    "unclosed 【: a metric reference needs a closing 】",
                    "【 没有闭合：引用指标时需要用 】 结尾",
                ),
            )
            .with_hint(pick(
                "write 【key】, or 【【 for a literal 【",
                "请写成【指标名】；如果要印出【本身，请写【【",
            )));
        };
        let inner = &after[..end];
        let token = format!("【{inner}】");
        let (path, attr) = split_reference(inner.trim());
        match table.attribute(path, attr) {
            Ok(value) => out.push_str(&value),
            Err(e) => return Err(e.into_diagnostic(source, locate(&token), token.chars().count())),
        }
        if used + out.len() > MAX_EXPANDED_BYTES {
            return Err(over_budget(&token));
        }
        rest = &after[end + '】'.len_utf8()..];
    }
    out.push_str(rest);
    if used + out.len() > MAX_EXPANDED_BYTES {
        let last: String = rest.chars().take(12).collect();
        return Err(over_budget(&last));
    }
    table.expanded.set(used + out.len());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use std::path::Path;

    fn loaded(src: &str) -> Loaded {
        crate::load::load_bytes(Path::new("t.yaml"), src.as_bytes()).expect("loads")
    }

    fn checked(src: &str) -> Vec<Diagnostic> {
        let l = loaded(src);
        let (table, mut diags) = Table::new(&l, 100);
        diags.extend(table.check(100));
        diags
    }

    fn at(d: &Diagnostic) -> (usize, usize) {
        (d.line, d.col)
    }

    #[test]
    fn a_rate_without_unit_is_a_warning_at_the_figure() {
        let diags = checked("metrics:\n  县域就诊率: {value: 45.6, prev: 42.3}\n");
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert!(
            diags
                .iter()
                .all(|d| d.severity == crate::diag::Severity::Warning)
        );
        assert_eq!(at(&diags[0]), (2, 18));
        assert!(diags[0].message.contains("45.6 has no unit"), "{diags:?}");
        assert!(diags[0].hint.as_deref().unwrap().starts_with("write 45.6%"));
        assert_eq!(at(&diags[1]), (2, 30));
        // The short form, 占比 and 比重 are rates too; a count is not.
        assert_eq!(checked("metrics:\n  普惠托位占比: 69.6\n").len(), 1);
        assert_eq!(checked("metrics:\n  财政支出比重: {value: 12}\n").len(), 1);
        assert!(checked("metrics:\n  托位: {value: 45, prev: 42}\n").is_empty());
        assert!(checked("metrics:\n  托位占比: {value: 2.7, of: 3.88}\n").is_empty());
        assert!(checked("metrics:\n  就诊率: {value: 2.7万}\n").is_empty());
        assert!(checked("metrics:\n  县域就诊率: {value: 45.6%, prev: 42.3%}\n").is_empty());
    }

    #[test]
    fn a_percentage_against_a_figure_without_unit_is_an_error_at_that_figure() {
        let diags = checked("metrics:\n  就诊: {value: 45.6, prev: 42.3%}\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].is_error());
        assert_eq!(at(&diags[0]), (2, 15), "{diags:?}");
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("write the rate with its unit: 45.6%")
        );
    }

    #[test]
    fn stated_rates_and_changes_follow_one_policy() {
        let diags = checked(
            "metrics:\n  投资: {value: 14.02亿元, plan: 27.87亿元, rate: 60%}\n  报告: {value: 118例, prev: 148例, change: -10%}\n",
        );
        assert_eq!(diags.len(), 2, "{diags:?}");
        for d in &diags {
            assert_eq!(d.severity, crate::diag::Severity::Warning, "{d:?}");
            assert!(
                d.hint.as_deref().unwrap().starts_with("the stated"),
                "{d:?}"
            );
        }
        let rate = diags.iter().find(|d| d.message.contains("rate")).unwrap();
        assert_eq!(
            rate.message,
            "metric `投资`: the stated rate 60% disagrees with the computed 50.3% (from value 14.02亿元, plan 27.87亿元)"
        );
        assert_eq!(at(rate), (2, 45));
        let change = diags.iter().find(|d| d.message.contains("change")).unwrap();
        assert_eq!(
            change.message,
            "metric `报告`: the stated change -10% disagrees with the computed -20.3% (from value 118例, prev 148例)"
        );
        assert_eq!(at(change), (3, 41));
        // The stated figures are what is printed.
        let l = loaded("metrics:\n  投资: {value: 14.02亿元, plan: 27.87亿元, rate: 60%}\n");
        let (table, _) = Table::new(&l, 100);
        assert_eq!(table.attribute("投资", "完成率").unwrap(), "60%");
        // Agreement within rounding is silent.
        assert!(
            checked("metrics:\n  投资: {value: 14.02亿元, plan: 27.87亿元, rate: 50%}\n")
                .is_empty()
        );
    }

    #[test]
    fn long_keys_are_refused() {
        let key = "指".repeat(MAX_KEY_CHARS + 1);
        let diags = checked(&format!("metrics:\n  {key}: 1个\n"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.contains("65 characters long"), "{diags:?}");
        assert!(diags[0].message.chars().count() < 120);
        assert!(
            checked(&format!(
                "metrics:\n  {}: 1个\n",
                "指".repeat(MAX_KEY_CHARS)
            ))
            .is_empty()
        );
    }

    #[test]
    fn long_phrase_words_are_refused() {
        let vs = "同".repeat(MAX_WORD_CHARS + 1);
        let diags = checked(&format!(
            "metrics:\n  报告: {{value: 118例, prev: 148例, vs: {vs}}}\n"
        ));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].message.contains("`vs` is 17 characters long"),
            "{diags:?}"
        );
        assert_eq!(at(&diags[0]), (2, 37));
    }

    #[test]
    fn expanded_text_is_bounded_per_document() {
        let unit = "个".repeat(crate::quantity::MAX_UNIT_CHARS);
        let l = loaded(&format!("metrics:\n  长: 1{unit}\n"));
        let (table, _) = Table::new(&l, 100);
        let text = "【长】".repeat(1000);
        let at = Location::UNKNOWN;
        let mut total = 0;
        let mut failed = None;
        for i in 0..(MAX_EXPANDED_BYTES / 49_000 + 10) {
            match expand(&table, &text, &l.source, at) {
                Ok(s) => total += s.len(),
                Err(d) => {
                    failed = Some((i, d));
                    break;
                }
            }
        }
        let (_, d) = failed.expect("the budget is exceeded");
        assert!(d.message.contains("grows past 16 MiB"), "{d:?}");
        assert!(total <= MAX_EXPANDED_BYTES);
        // Once reported, later text comes back unexpanded, without errors.
        assert_eq!(expand(&table, "【长】", &l.source, at).unwrap(), "【长】");
    }

    #[test]
    fn suggestions_stop_after_the_budget() {
        let keys: String = (0..300)
            .map(|i| format!("  {}{i:03}: 1个\n", "县域就诊率".repeat(12)))
            .collect();
        let l = loaded(&format!("metrics:\n{keys}"));
        let (table, diags) = Table::new(&l, 100);
        assert!(diags.is_empty(), "{diags:?}");
        let word = format!("{}x", "县域就诊率".repeat(12));
        // The budget is the hint count: after it, no search is made.
        let hints: Vec<String> = (0..MAX_SUGGESTIONS + 50)
            .map(|_| table.attribute(&word, "").unwrap_err().hint)
            .collect();
        assert!(hints[0].starts_with("did you mean"), "{}", hints[0]);
        assert_eq!(hints[MAX_SUGGESTIONS], "define it under `metrics:`");
        let long = "未".repeat(100_000);
        let e = table.attribute(&long, "").unwrap_err();
        assert!(e.message.chars().count() < 60, "{}", e.message);
    }
}
