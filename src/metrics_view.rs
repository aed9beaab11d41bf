//! `zongjie metrics FILE`: every metric of a data file for review — value,
//! plan, last year, 完成率, 占比, 同比 as the text prints them, and each
//! stated value that disagrees with the computed one — as a table aligned
//! by display width, or as JSON (`--json`, documented in docs/data-format.md).

use std::path::Path;

use serde::Serialize;

use crate::columns::{self, Align};
use crate::diag::Diagnostic;
use crate::load::{self, ImportScope};
use crate::metrics::{Disagreement, Table};
use crate::tr;

/// One metric, its attributes as printed (`None`: not defined or not computable).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub value: Option<String>,
    pub plan: Option<String>,
    pub prev: Option<String>,
    pub of: Option<String>,
    /// 完成率 (value / plan), stated or computed.
    pub rate: Option<String>,
    /// 占比 (value / of).
    pub share: Option<String>,
    /// 增减 (value − prev, or relative), stated or computed.
    pub change: Option<String>,
    /// 同比 as the text prints it (`同比增加0.41个百分点`).
    pub yoy: Option<String>,
    /// Where the definition is written.
    pub line: usize,
    pub disagreements: Vec<Disagreement>,
}

/// The review of one data file.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub file: String,
    pub metrics: Vec<Row>,
}

/// Loads `path` (imports within `scope`) and reviews its metrics. Errors
/// (the file does not load, a metric cannot be computed) come back as
/// diagnostics; warnings come with the review.
pub fn review(
    path: &Path,
    scope: &ImportScope,
) -> Result<(Review, Vec<Diagnostic>), Vec<Diagnostic>> {
    let loaded = load::load_in(path, scope)?;
    let limit = crate::resolve::MAX_DIAGNOSTICS;
    let (table, mut diags) = Table::new(&loaded, limit);
    diags.extend(table.check(limit.saturating_sub(diags.len())));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let exported = table.export();
    let metrics = table
        .keys_in_file_order()
        .into_iter()
        .filter_map(|key| {
            let m = exported.get(key)?.clone();
            Some(Row {
                key: key.to_string(),
                value: m.value,
                plan: m.plan,
                prev: m.prev,
                of: m.of,
                rate: m.rate,
                share: m.share,
                change: m.change,
                yoy: m.yoy,
                line: table.line_of(key),
                disagreements: table.disagreements(key),
            })
        })
        .collect();
    let file = crate::diag::printable(&path.display().to_string()).into_owned();
    Ok((Review { file, metrics }, diags))
}

/// The review as a table: one line per metric, `-` where there is nothing,
/// then one line per disagreement and a count.
pub fn text(review: &Review) -> String {
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let mut rows = vec![
        [
            "指标",
            "数值",
            "计划",
            "上年",
            "完成率",
            "占比",
            "同比",
            "核对",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for m in &review.metrics {
        let check = if m.disagreements.is_empty() {
            String::new()
        } else {
            let what: Vec<&str> = m.disagreements.iter().map(|d| d.attribute).collect();
            format!("{}不一致", what.join("、"))
        };
        rows.push(vec![
            crate::diag::printable(&m.key).into_owned(),
            dash(&m.value),
            dash(&m.plan),
            dash(&m.prev),
            dash(&m.rate),
            dash(&m.share),
            dash(&m.yoy),
            check,
        ]);
    }
    let mut out = columns::table(&rows, &[Align::Left]);
    let disagreeing: Vec<(&Row, &Disagreement)> = review
        .metrics
        .iter()
        .flat_map(|m| m.disagreements.iter().map(move |d| (m, d)))
        .collect();
    out.push('\n');
    out.push_str(&tr!(
        "{}: {} metric(s), {} stated value(s) disagree with the computed ones\n",
        "{}：共 {} 个指标，其中 {} 处写明的值与计算结果不一致\n",
        review.file,
        review.metrics.len(),
        disagreeing.len()
    ));
    for (m, d) in disagreeing {
        out.push_str(&tr!(
            "{}:{}:{}: {} {}: stated {}, computed {} (the stated value is printed)\n",
            "{}:{}:{}：{} {}：写明 {}，计算得 {}（印出的是写明的值）\n",
            review.file,
            d.at.line,
            d.at.col,
            crate::diag::printable(&m.key).into_owned(),
            d.attribute,
            d.stated,
            d.computed
        ));
    }
    out
}

/// The review as JSON: `{file, metrics: [{key, value, plan, prev, of, rate,
/// share, change, yoy, line, disagreements: [{attribute, stated, computed,
/// line, col}]}]}`, every key always present (`null` when absent).
pub fn json(review: &Review) -> String {
    let mut s = serde_json::to_string_pretty(review).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
