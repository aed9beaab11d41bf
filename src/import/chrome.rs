//! A government web page's text: its site chrome (当前位置, 发布时间,
//! 浏览次数, 打印本页, 关闭窗口 …) is recognised and dropped, and its metadata
//! (索引号, 文号, 发布机构, 成文日期, 公开方式 …) becomes `doc` fields.

use super::Line;

/// The metadata labels a site prints, and the `doc` field each fills
/// (`None`: shown on the page, but not part of the document).
const META: [(&str, Option<&str>); 13] = [
    ("索引号", Some("index_no")),
    ("文号", Some("doc_no")),
    ("组配分类", Some("category")),
    ("主题分类", None),
    ("体裁分类", None),
    ("发布机构", Some("issuer")),
    ("成文日期", Some("written")),
    ("公开方式", Some("disclosure")),
    ("发布日期", Some("published")),
    ("发布时间", Some("published")),
    ("浏览次数", None),
    ("信息来源", Some("source")),
    ("来源", Some("source")),
];

/// Words that make up a line of page furniture when nothing else is on it.
const FURNITURE: [&str; 10] = [
    "打印本页",
    "关闭窗口",
    "打印",
    "关闭",
    "分享到",
    "扫一扫在手机打开当前页",
    "收藏",
    "【",
    "】",
    "：",
];

/// What the chrome held: `doc` fields in the order found, and the lines dropped.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Chrome {
    pub meta: Vec<(&'static str, String)>,
    pub dropped: Vec<usize>,
}

/// Splits page chrome off `lines`: returns the body lines and what was dropped.
pub fn strip(lines: Vec<Line>) -> (Vec<Line>, Chrome) {
    let mut chrome = Chrome::default();
    let mut body = Vec::with_capacity(lines.len());
    let mut after_position = false;
    for line in lines {
        let t = line.text.trim();
        if t.starts_with("当前位置") || t.starts_with("您现在的位置") || t.starts_with("你的位置")
        {
            after_position = true;
            chrome.dropped.push(line.no);
            continue;
        }
        if after_position && (t.starts_with(">") || t.starts_with("》") || t.starts_with("首页"))
        {
            chrome.dropped.push(line.no);
            continue;
        }
        if !t.is_empty() {
            after_position = false;
        }
        if let Some(fields) = meta_line(t) {
            for (key, value) in fields {
                if !value.is_empty() && !chrome.meta.iter().any(|(k, _)| *k == key) {
                    chrome.meta.push((key, value));
                }
            }
            chrome.dropped.push(line.no);
            continue;
        }
        if is_furniture(t) {
            chrome.dropped.push(line.no);
            continue;
        }
        body.push(line);
    }
    (body, chrome)
}

/// A line of page furniture: only 打印本页, 关闭窗口, 字体：大 中 小 and the like.
fn is_furniture(t: &str) -> bool {
    if t.is_empty() || t.chars().count() > 60 {
        return false;
    }
    if (t.contains("字体") || t.contains("字号"))
        && t.contains('大')
        && t.contains('小')
        && t.chars().count() <= 20
    {
        return true;
    }
    let mut rest = t.to_string();
    for word in FURNITURE {
        rest = rest.replace(word, "");
    }
    let rest: String = rest
        .chars()
        .filter(|c| !c.is_whitespace() && !"[]|:".contains(*c))
        .collect();
    rest.is_empty()
        && !t
            .chars()
            .all(|c| "【】：:".contains(c) || c.is_whitespace())
}

/// A metadata line (`索引号 … 文号 …`, `发布时间:… 浏览次数: 信息来源: …`):
/// the fields it fills, or `None` when the line does not start with a label.
fn meta_line(t: &str) -> Option<Vec<(&'static str, String)>> {
    let label_ends = |rest: &str| {
        rest.chars()
            .next()
            .is_none_or(|c| c == ':' || c == '：' || c.is_whitespace() || c.is_ascii_alphanumeric())
    };
    if t.chars().count() > 200
        || !META
            .iter()
            .any(|(label, _)| t.strip_prefix(label).is_some_and(label_ends))
    {
        return None;
    }
    // Every label and where it stands (a longer label wins: 信息来源 over 来源).
    let mut found: Vec<(usize, usize, Option<&'static str>)> = Vec::new();
    for (label, field) in META {
        for (at, _) in t.match_indices(label) {
            let inside = found.iter().any(|(s, e, _)| at >= *s && at < *e);
            if !inside && label_ends(&t[at + label.len()..]) {
                found.push((at, at + label.len(), field));
            }
        }
    }
    found.sort();
    let mut out = Vec::new();
    for (i, (_, end, field)) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(t.len(), |n| n.0);
        let value = t[*end..next.max(*end)]
            .trim_matches(|c: char| c == ':' || c == '：' || c.is_whitespace())
            .to_string();
        if let Some(field) = field {
            out.push((*field, normalise(field, value)));
        }
    }
    Some(out)
}

/// Dates as the data format takes them: `2023年05月19日` → `2023-05-19`.
fn normalise(field: &str, value: String) -> String {
    if field != "written" {
        return value;
    }
    let digits: Vec<&str> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    match digits.as_slice() {
        [y, m, d] if y.len() == 4 => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        text.lines()
            .enumerate()
            .map(|(i, t)| Line {
                text: t.to_string(),
                no: i + 1,
            })
            .collect()
    }

    #[test]
    fn lishui_chrome_becomes_metadata() {
        let page = "当前位置:首页\n\n>> 政务公开 >> 市卫生健康委 >> 统计信息\n索引号 11332500MB1960337R/2023-43840 文号 丽卫〔2023〕46号\n组配分类 统计信息 发布机构 丽水市卫生健康委员会\n成文日期 2023-05-19 公开方式 主动公开\n丽水市卫生健康委员会2022年工作总结和2023年工作要点\n发布时间:2023-10-16 18:53浏览次数: 信息来源: 市卫生健康委\n\n正文。\n【打印本页】 【关闭窗口】";
        let (body, chrome) = strip(lines(page));
        let kept: Vec<&str> = body.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            kept,
            [
                "",
                "丽水市卫生健康委员会2022年工作总结和2023年工作要点",
                "",
                "正文。"
            ]
        );
        assert_eq!(
            chrome.meta,
            [
                ("index_no", "11332500MB1960337R/2023-43840".to_string()),
                ("doc_no", "丽卫〔2023〕46号".to_string()),
                ("category", "统计信息".to_string()),
                ("issuer", "丽水市卫生健康委员会".to_string()),
                ("written", "2023-05-19".to_string()),
                ("disclosure", "主动公开".to_string()),
                ("published", "2023-10-16 18:53".to_string()),
                ("source", "市卫生健康委".to_string()),
            ]
        );
        assert_eq!(chrome.dropped, [1, 3, 4, 5, 6, 8, 11]);
    }

    #[test]
    fn body_text_is_not_chrome() {
        let (body, chrome) = strip(lines(
            "来源于群众的意见，我们逐条整改。\n大\n打印机采购12台。",
        ));
        assert_eq!(body.len(), 3, "{chrome:?}");
        assert_eq!(normalise("written", "2023年5月9日".into()), "2023-05-09");
    }
}
