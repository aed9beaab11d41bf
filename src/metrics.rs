//! The metric table of a document: definitions from the file and its
//! imports, `=key` / `=alias.key` links, the computed attributes
//! (完成率, 占比, 增减, 同比) and the `【key.attr】` references in text.
//! Arithmetic itself lives in `quantity`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::load::{Loaded, Source, position_of};
use crate::model::{MetricDef, Scalar, Spanned, pos};
use crate::quantity::{self, Change, Quantity, QuantityError};

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

/// The metrics visible from one data file.
pub struct Table<'a> {
    source: &'a Source,
    defs: BTreeMap<&'a str, &'a Spanned<MetricDef>>,
    imports: BTreeMap<&'a str, Table<'a>>,
    /// Whether `new` or `check` stopped reporting at their limit.
    truncated: std::cell::Cell<bool>,
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
                let bad = defs.contains_key(key.as_str())
                    || key.contains('.')
                    || key.contains('【')
                    || key.contains('】')
                    || key.starts_with('=');
                if bad && diags.len() >= limit {
                    truncated = true;
                    continue;
                }
                if defs.contains_key(key.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            &loaded.source.path,
                            &loaded.source.text,
                            pos(def.referenced),
                            format!("metric `{key}` is defined twice"),
                        )
                        .with_hint(
                            "metric keys share one namespace across the document; rename one",
                        ),
                    );
                } else if key.contains('.')
                    || key.contains('【')
                    || key.contains('】')
                    || key.starts_with('=')
                {
                    diags.push(
                        Diagnostic::error(&loaded.source.path, &loaded.source.text, pos(def.referenced), format!("metric key `{key}` may not contain `.`, `【`, `】` or start with `=`"))
                            .with_hint("use a plain name such as 县域就诊率"),
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
                truncated: std::cell::Cell::new(truncated),
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
    fn lookup<'p>(
        &self,
        path: &'p str,
    ) -> Result<(&Table<'a>, &'a Spanned<MetricDef>, &'p str), MetricError<'a>> {
        if let Some(def) = self.defs.get(path) {
            return Ok((self, def, path));
        }
        if let Some((alias, key)) = path.split_once('.')
            && let Some(table) = self.imports.get(alias)
        {
            return match table.defs.get(key) {
                Some(def) => Ok((table, def, key)),
                None => Err(MetricError::plain(
                    format!("unknown metric `{key}` in import `{alias}`"),
                    suggestion(key, table.keys(), &format!("{alias}.")),
                )),
            };
        }
        let candidates: Vec<String> = self
            .keys()
            .map(str::to_string)
            .chain(
                self.imports
                    .iter()
                    .flat_map(|(a, t)| t.keys().map(move |k| format!("{a}.{k}"))),
            )
            .collect();
        Err(MetricError::plain(
            format!("unknown metric `{path}`"),
            suggestion(path, candidates.iter().map(String::as_str), ""),
        ))
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
                    message: format!(
                        "metric links nest deeper than {MAX_LINK_DEPTH} (is there a cycle through `{target}`?)"
                    ),
                    hint: "a `=key` link must end at a metric with a written value".into(),
                    at: Some((self.source, pos(field.referenced), text.chars().count())),
                });
            }
            let (table, def, key) = self.lookup(target.trim()).map_err(|mut e| {
                e.at = Some((self.source, pos(field.referenced), text.chars().count()));
                e
            })?;
            let value = def.value.value.as_ref().ok_or_else(|| MetricError {
                message: format!("metric `{key}` has no value to link to"),
                hint: "give it a `value`".into(),
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
        let (table, def, key, attr) = match self.lookup(path) {
            Ok((table, def, key)) => (table, def, key, attr),
            Err(e) => {
                // `【key.环比】`: a known metric with an attribute that is not one.
                let split = path.rsplit_once('.').filter(|_| attr.is_empty());
                match split.and_then(|(p, a)| self.lookup(p).ok().map(|found| (found, a))) {
                    Some(((table, def, key), a)) => (table, def, key, a),
                    None => return Err(e),
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
            format!("metric `{key}` has no `{field}`, so 【{key}.{attr}】 cannot be computed"),
            format!("add `{field}:` to the metric `{key}`"),
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
                quantity::ratio_percent(&value, &plan, digits)
                    .map_err(|e| self.field_error(def.plan.as_ref().unwrap_or(&dummy()), e))
            }
            (_, Some("占比")) => {
                let (value, of) = self.pair(key, def, attr, &def.of, "of")?;
                quantity::ratio_percent(&value, &of, digits)
                    .map_err(|e| self.field_error(def.of.as_ref().unwrap_or(&dummy()), e))
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
                    format!("unknown attribute `{attr}` in 【{key}.{attr}】"),
                    match did_you_mean(attr, names.iter().copied()) {
                        Some(s) => format!("did you mean 【{key}.{s}】?"),
                        None => format!("attributes are {}", names.join("、")),
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
        quantity::change(&value, &prev, Self::digits(def))
            .map_err(|e| self.field_error(def.prev.as_ref().unwrap_or(&dummy()), e))
    }

    /// Checks every definition of this file (not its imports, which are
    /// checked when they are built themselves): quantities parse, links
    /// resolve, computations succeed, and stated values agree with computed
    /// ones (a disagreement is a warning).
    /// At most `limit` diagnostics are built.
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
            for field in [&m.value, &m.plan, &m.prev, &m.of, &m.rate]
                .into_iter()
                .flatten()
            {
                if let Err(e) = self.quantity(field, 0) {
                    errors.push(e);
                }
            }
            if let Some(c) = &m.change
                && let Err(e) = quantity::stated_change(&c.value.0)
            {
                errors.push(self.field_error(c, e));
            }
            if errors.is_empty() {
                if m.plan.is_some()
                    && let Err(e) = self.stated_rate_agrees(key, m)
                {
                    errors.push(e);
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
                                diags.push(
                                            Diagnostic::warning(&self.source.path, &self.source.text, pos(stated.referenced), format!(
                                                "metric `{key}`: stated change {} disagrees with the computed {}",
                                                signed_text(&s), signed_text(&computed)
                                            ))
                                            .with_len(stated.value.0.chars().count())
                                            .with_hint("the stated value is used; correct it or the value/prev figures"),
                                        );
                            }
                        }
                    }
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

    fn stated_rate_agrees(&self, key: &str, m: &MetricDef) -> Result<(), MetricError<'a>> {
        let computed = {
            let (value, plan) = self.pair(key, m, "完成率", &m.plan, "plan")?;
            quantity::ratio_percent(&value, &plan, Self::digits(m))
                .map_err(|e| self.field_error(m.plan.as_ref().unwrap_or(&dummy()), e))?
        };
        if let Some(rate) = &m.rate {
            let stated = self.quantity(rate, 0)?;
            let (value, plan) = self.pair(key, m, "完成率", &m.plan, "plan")?;
            let agrees = quantity::rate_agrees(&stated, &value, &plan)
                .map_err(|e| self.field_error(rate, e))?;
            if !agrees {
                return Err(MetricError {
                    message: format!(
                        "metric `{key}`: stated rate {} disagrees with the computed {computed}",
                        stated.text
                    ),
                    hint: "the stated value is used; correct it or the value/plan figures".into(),
                    at: Some((
                        self.source,
                        pos(rate.referenced),
                        rate.value.0.chars().count(),
                    )),
                });
            }
        }
        Ok(())
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

fn dummy() -> Spanned<Scalar> {
    Spanned::new(
        Scalar::default(),
        crate::model::Location::UNKNOWN,
        crate::model::Location::UNKNOWN,
    )
}

/// The `n` candidates sharing most characters with `word` (ties in order).
fn closest<'s>(word: &str, candidates: &[&'s str], n: usize) -> Vec<&'s str> {
    let shared = |c: &str| c.chars().filter(|ch| word.contains(*ch)).count();
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
        Some(s) => format!("did you mean 【{prefix}{s}】?"),
        None if candidates.is_empty() => "define it under `metrics:`".to_string(),
        None => format!(
            "define it under `metrics:`, or use one of: {}",
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
pub fn expand(
    table: &Table<'_>,
    text: &str,
    source: &Source,
    at: crate::model::Location,
) -> Result<String, Diagnostic> {
    if !text.contains('【') {
        return Ok(text.to_string());
    }
    let locate = |needle: &str| -> Pos {
        let start = at.span().byte_offset().map_or(0, |o| o as usize);
        match source.text.get(start..).and_then(|rest| rest.find(needle)) {
            Some(i) => position_of(&source.text, start + i),
            None => pos(at),
        }
    };
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
                "unclosed 【: a metric reference needs a closing 】",
            )
            .with_hint("write 【key】, or 【【 for a literal 【"));
        };
        let inner = &after[..end];
        let token = format!("【{inner}】");
        let (path, attr) = split_reference(inner.trim());
        match table.attribute(path, attr) {
            Ok(value) => out.push_str(&value),
            Err(e) => return Err(e.into_diagnostic(source, locate(&token), token.chars().count())),
        }
        rest = &after[end + '】'.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}
