//! Outline → the YAML draft: the schema comment line the examples have,
//! `doc` metadata, numbering samples, block scalars (`|`) for long text
//! wrapped only between two Chinese characters (where the loader joins
//! without a space), `【` written `【【`, and `# 请核对：…` where unsure.

use std::fmt::Write as _;

use super::figures;
use super::outline::{Item, Outline, Row, Section};

/// Lines of a block scalar are wrapped after this many characters.
const WRAP: usize = 40;

/// The draft for `o`, with the page's metadata `meta`, imported from `name`.
pub fn write(o: &Outline, meta: &[(&'static str, String)], name: &str) -> String {
    let mut y = String::new();
    y.push_str("# yaml-language-server: $schema=../schema/zongjie.schema.json\n#\n");
    let _ = writeln!(
        y,
        "# 草稿：由 `zongjie import` 从 {} 生成。请核对后再改写为新一年的内容。",
        one_line(name)
    );
    y.push_str("# 编号（一、 (一) 一是 ① 序号）由工具生成，正文中不再写。\n");
    for u in &o.unsure {
        let _ = writeln!(y, "# 请核对：{}", one_line(u));
    }
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(t) = &o.title {
        fields.push(("title", t.clone()));
    }
    let order = [
        "genre",
        "issuer",
        "year",
        "plan_year",
        "half",
        "index_no",
        "doc_no",
        "category",
        "written",
        "published",
        "disclosure",
        "source",
    ];
    for key in order {
        let from_title = o
            .title_meta
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone());
        let from_page = meta.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
        let from_signature = o.signature.as_ref().and_then(|(issuer, date)| match key {
            "issuer" => Some(issuer.clone()),
            "written" => Some(date.clone()),
            _ => None,
        });
        if let Some(v) = from_signature.or(from_page).or(from_title) {
            fields.push((key, v));
        }
    }
    y.push_str(if fields.is_empty() {
        "doc: {}\n"
    } else {
        "doc:\n"
    });
    for (key, value) in fields {
        let numeric = matches!(key, "year" | "plan_year" | "half") && value.parse::<i32>().is_ok();
        if numeric {
            let _ = writeln!(y, "  {key}: {value}");
        } else {
            let _ = writeln!(y, "  {key}: {}", scalar(&value));
        }
    }
    if o.signature.is_some() {
        y.push_str("  signature: true\n");
    }
    if !o.numbering.is_empty() {
        let samples: Vec<String> = o
            .numbering
            .iter()
            .map(|(k, s)| format!("{k}: {}", scalar(s)))
            .collect();
        let _ = writeln!(y, "numbering: {{{}}}", samples.join(", "));
    }
    let refs = !o.metrics.is_empty();
    if refs {
        y.push_str("metrics:   # 由 --metrics 从正文提取；正文中写作【名称.属性】\n");
        for m in &o.metrics {
            let mut fields = vec![format!("value: {}", flow(&m.value))];
            for (k, v) in [("plan", &m.plan), ("prev", &m.prev)] {
                if let Some(v) = v {
                    fields.push(format!("{k}: {}", flow(v)));
                }
            }
            if let Some(d) = m.digits {
                fields.push(format!("digits: {d}"));
            }
            for (k, v) in [("vs", &m.vs), ("up", &m.up), ("down", &m.down)] {
                if let Some(v) = v {
                    fields.push(format!("{k}: {}", flow(v)));
                }
            }
            let _ = writeln!(y, "  {}: {{{}}}", scalar(&m.key), fields.join(", "));
        }
    }
    paragraphs(&mut y, 0, "intro", &o.intro, refs);
    if let Some(tasks) = &o.tasks {
        y.push_str("tasks:\n");
        let cols: Vec<String> = tasks.columns.iter().map(|c| flow(c)).collect();
        let _ = writeln!(y, "  columns: [{}]", cols.join(", "));
        y.push_str("  rows:\n");
        for (i, row) in tasks.rows.iter().enumerate() {
            task_row(&mut y, row, i + 1);
        }
    }
    if !o.parts.is_empty() {
        y.push_str("parts:\n");
    }
    for part in &o.parts {
        if part.omitted {
            y.push_str("  - omitted: true   # 请核对：源文件缺这一部分（编号跳过）\n");
            continue;
        }
        if let Some(u) = &part.unsure {
            let _ = writeln!(y, "  # 请核对：{}", one_line(u));
        }
        let _ = writeln!(y, "  - title: {}", scalar(&part.title));
        if let Some(style) = part.section_style {
            let _ = writeln!(y, "    numbering: {{section: {}}}", scalar(style.sample()));
        }
        paragraphs(&mut y, 4, "intro", &part.intro, refs);
        if !part.sections.is_empty() {
            y.push_str("    sections:\n");
        }
        let item_sample = o
            .numbering
            .iter()
            .find(|(k, _)| *k == "item")
            .map_or("一是", |(_, s)| *s);
        for s in &part.sections {
            section(&mut y, s, item_sample, refs);
        }
    }
    paragraphs(&mut y, 0, "outro", &o.outro, refs);
    if !o.attachments.is_empty() {
        y.push_str("attachments:\n");
        for a in &o.attachments {
            let _ = writeln!(y, "  - title: {}", scalar(&a.title));
            paragraphs(&mut y, 4, "intro", &a.intro, refs);
        }
    }
    y
}

fn section(y: &mut String, s: &Section, item_sample: &str, refs: bool) {
    if s.omitted {
        y.push_str("      - omitted: true   # 请核对：源文件缺这一节（编号跳过）\n");
        return;
    }
    let mut first = true;
    let key = |y: &mut String, first: &mut bool, k: &str| {
        let _ = write!(y, "{}{k}:", if *first { "      - " } else { "        " });
        *first = false;
    };
    if let Some(u) = &s.unsure {
        let _ = writeln!(y, "      # 请核对：{}", one_line(u));
    }
    if let Some(lead) = &s.lead {
        key(y, &mut first, "lead");
        let _ = writeln!(y, " {}", scalar(lead));
    }
    if !s.text.is_empty() {
        key(y, &mut first, "text");
        block(y, 10, &s.text, refs);
    }
    if !s.items.is_empty() {
        key(y, &mut first, "items");
        let default_style = s.item_style.is_some_and(|st| st.sample() == item_sample);
        let indent = if default_style {
            y.push('\n');
            10
        } else {
            let _ = writeln!(
                y,
                "\n          style: {}",
                scalar(s.item_style.map_or("一是", |st| st.sample()))
            );
            y.push_str("          items:\n");
            12
        };
        for it in &s.items {
            item(y, indent, it, refs);
        }
    }
    if first {
        key(y, &mut first, "text");
        y.push_str(" \"\"\n");
    }
}

fn item(y: &mut String, indent: usize, it: &Item, refs: bool) {
    let pad = " ".repeat(indent);
    match &it.lead {
        Some(lead) => {
            let _ = writeln!(y, "{pad}- lead: {}", scalar(lead));
            let _ = write!(y, "{pad}  text:");
            block(y, indent + 4, std::slice::from_ref(&it.text), refs);
        }
        None => {
            let _ = write!(y, "{pad}-");
            block(y, indent + 2, std::slice::from_ref(&it.text), refs);
        }
    }
}

fn task_row(y: &mut String, row: &Row, no: usize) {
    let _ = writeln!(y, "    - name: {}   # {no}", scalar(&row.name));
    for (key, list) in [("targets", &row.targets), ("measures", &row.measures)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(y, "      {key}:");
        for t in list {
            let _ = write!(y, "        -");
            block(y, 10, std::slice::from_ref(t), false);
        }
    }
    for (key, list) in [("lead", &row.lead), ("units", &row.units)] {
        match list.as_slice() {
            [] => {}
            [one] => {
                let _ = writeln!(y, "      {key}: {}", scalar(one));
            }
            many => {
                let v: Vec<String> = many.iter().map(|u| flow(u)).collect();
                let _ = writeln!(y, "      {key}: [{}]", v.join(", "));
            }
        }
    }
}

/// `key: |` and the paragraphs, when there are any.
/// `refs`: the text holds [`figures`] references to write as `【…】`.
fn paragraphs(y: &mut String, indent: usize, key: &str, paras: &[String], refs: bool) {
    if paras.is_empty() {
        return;
    }
    let _ = write!(y, "{}{key}:", " ".repeat(indent));
    block(y, indent + 2, paras, refs);
}

/// Writes ` |` (or a quoted scalar) and the paragraphs, a blank line between two.
fn block(y: &mut String, indent: usize, paras: &[String], refs: bool) {
    let escaped: Vec<String> = paras
        .iter()
        .map(|p| if refs { with_references(p) } else { escape(p) })
        .collect();
    let safe = escaped.iter().all(|p| block_safe(p));
    let short = escaped.len() == 1 && escaped[0].chars().count() <= WRAP && plain_safe(&escaped[0]);
    if short {
        let _ = writeln!(y, " {}", escaped[0]);
        return;
    }
    if !safe {
        let _ = writeln!(y, " {}", quoted(&escaped.join("\n\n")));
        return;
    }
    y.push_str(" |\n");
    let pad = " ".repeat(indent);
    for (i, p) in escaped.iter().enumerate() {
        if i > 0 {
            y.push('\n');
        }
        for line in wrap(p) {
            let _ = writeln!(y, "{pad}{line}");
        }
    }
}

/// `【` is written `【【` (a lone one would start a metric reference).
fn escape(text: &str) -> String {
    text.replace('【', "【【")
}

/// [`escape`], and the references [`figures`] made written `【…】` (only
/// when it made some: it lifts nothing from a source holding its markers).
fn with_references(text: &str) -> String {
    escape(text)
        .replace(figures::OPEN, "【")
        .replace(figures::CLOSE, "】")
}

/// Breaks a paragraph into lines of about [`WRAP`] characters, only between
/// two Han characters (the loader joins those without a space).
fn wrap(p: &str) -> Vec<String> {
    let chars: Vec<char> = p.chars().collect();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    // Inside a reference `【key.attr】` (not a literal `【【`) no break.
    let mut inside = false;
    while i < chars.len() {
        match chars[i] {
            '【' if !inside && chars.get(i + 1) == Some(&'【') => {
                i += 2;
                continue;
            }
            '【' => inside = true,
            '】' => inside = false,
            _ => {}
        }
        if i - start >= WRAP
            && !inside
            && i > 0
            && crate::text::is_han(chars[i - 1])
            && crate::text::is_han(chars[i])
        {
            lines.push(chars[start..i].iter().collect());
            start = i;
        }
        i += 1;
    }
    lines.push(chars[start..].iter().collect());
    lines
}

/// Text a `|` block keeps exactly: one line, no edge spaces, nothing YAML
/// or the loader would change.
fn block_safe(p: &str) -> bool {
    !p.is_empty() && p.trim() == p && !p.contains(['\n', '\r']) && !p.chars().any(needs_escape)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A scalar for a one-line field: plain when YAML reads it back as the same
/// string, else double-quoted.
fn scalar(s: &str) -> String {
    let e = escape(s);
    if plain_safe(&e) { e } else { quoted(&e) }
}

/// A scalar inside a flow sequence `[…]`.
fn flow(s: &str) -> String {
    let e = escape(s);
    if plain_safe(&e) && !e.contains([',', '[', ']', '{', '}']) {
        e
    } else {
        quoted(&e)
    }
}

fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let lower = s.to_ascii_lowercase();
    !"-?:,[]{}#&*!|>'\"%@` \t".contains(first)
        && s.trim() == s
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.contains(['\t', '\n', '\r'])
        && !s.chars().any(needs_escape)
        && s.parse::<f64>().is_err()
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '+')
        && !matches!(
            lower.as_str(),
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
}

/// A YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a comment line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for s in [
            "2023",
            "true",
            "- 项",
            "a: b",
            "【注】",
            "x #y",
            "\u{7}响铃",
            "正常文本",
        ] {
            let yaml = format!("k: {}\n", scalar(s));
            let back: std::collections::BTreeMap<String, String> =
                serde_saphyr::from_str(&yaml).unwrap();
            assert_eq!(back["k"], escape(s), "{yaml}");
        }
    }

    #[test]
    fn wraps_only_between_han() {
        let p = "一二三四五六七八九十".repeat(9) + "ABC DEF";
        let lines = wrap(&p);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), p);
        for w in lines.windows(2) {
            assert!(crate::text::is_han(w[0].chars().last().unwrap()));
            assert!(crate::text::is_han(w[1].chars().next().unwrap()));
        }
    }
}
