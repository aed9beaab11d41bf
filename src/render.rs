//! Templates: the built-in Tera 2 templates (embedded in the binary), a
//! user's overrides by name from a folder, the filters templates use, and
//! rendering a `Report` into the Markdown intermediate. Every `{{ … }}` is
//! Markdown-escaped, so text from data can never become markup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{Context, Kwargs, State, Tera, Value};

use crate::diag::{Diagnostic, Pos};
use crate::resolve::Report;

/// The built-in templates, by name (the file names `zongjie init` writes).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "annual.md.tera",
        include_str!("../templates/annual.md.tera"),
    ),
    (
        "half-year.md.tera",
        include_str!("../templates/half-year.md.tera"),
    ),
    ("tasks.md.tera", include_str!("../templates/tasks.md.tera")),
    (
        "_front.md.tera",
        include_str!("../templates/_front.md.tera"),
    ),
    (
        "_parts.md.tera",
        include_str!("../templates/_parts.md.tera"),
    ),
    (
        "_section.md.tera",
        include_str!("../templates/_section.md.tera"),
    ),
    ("_item.md.tera", include_str!("../templates/_item.md.tera")),
    (
        "_table.md.tera",
        include_str!("../templates/_table.md.tera"),
    ),
    (
        "_closing.md.tera",
        include_str!("../templates/_closing.md.tera"),
    ),
];

/// The template that renders a genre.
pub fn template_for_genre(genre: &str) -> &'static str {
    match genre {
        "半年总结和计划" => "half-year.md.tera",
        "攻坚任务清单" => "tasks.md.tera",
        _ => "annual.md.tera",
    }
}

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// The name of the HTML page template (`html` renders the doc tree into it).
pub const PAGE_TEMPLATE: &str = "page.html.tera";

/// The loaded template set: built-ins overridden by a user's folder.
pub struct Templates {
    tera: Tera,
    /// name → (origin, source text), for diagnostics and digests.
    pub sources: BTreeMap<String, (Origin, String)>,
}

/// Escapes text for Markdown: the characters that could start markup, and
/// line-start markers (`1.`, `-`, `+`, `=`) anywhere, so a value stays text
/// wherever a template prints it. Line breaks become spaces.
pub fn escape_markdown(s: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::with_capacity(s.len() + 8);
    let mut digits_only = true;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')'
                if digits_only && i > 0 && chars.get(i + 1).is_none_or(|n| n.is_whitespace()) =>
            {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
        digits_only = digits_only && c.is_ascii_digit();
    }
    w.write_all(out.as_bytes())
}

/// `"…"`: a double-quoted YAML/JSON string for the front matter.
fn quoted(s: &str, _: Kwargs, _: &State) -> Value {
    Value::safe_string(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()))
}

/// Cell lines joined with `<br>`, each line escaped.
fn lines(v: Vec<String>, _: Kwargs, _: &State) -> Value {
    let escaped: Vec<String> = v
        .iter()
        .map(|l| {
            let mut buf = Vec::new();
            let _ = escape_markdown(l, &mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
        .collect();
    Value::safe_string(&escaped.join("<br>"))
}

/// `12` → `十二`.
fn cn_numeral(n: i64, _: Kwargs, _: &State) -> String {
    crate::numbering::chinese_numeral(n.unsigned_abs())
}

/// `2023-05-19` → `2023年5月19日` (unchanged when it is not a date).
fn cn_date(s: &str, _: Kwargs, _: &State) -> String {
    crate::numbering::date_cn(s).unwrap_or_else(|| s.to_string())
}

/// Most template files read from a templates folder.
pub const MAX_TEMPLATE_FILES: usize = 256;

impl Templates {
    /// The built-ins, then every `*.tera` file of `dir` (overriding a
    /// built-in of the same name, or adding a new template).
    pub fn load(dir: Option<&Path>) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, (Origin, String)> = BUILTIN
            .iter()
            .map(|(n, s)| (n.to_string(), (Origin::Builtin, s.to_string())))
            .collect();
        sources.insert(
            PAGE_TEMPLATE.to_string(),
            (
                Origin::Builtin,
                crate::html::DEFAULT_PAGE_TEMPLATE.to_string(),
            ),
        );
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                vec![Diagnostic::file_error(
                    dir,
                    format!("cannot read the templates folder: {e}"),
                )]
            })?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "tera"))
                .take(MAX_TEMPLATE_FILES + 1)
                .collect();
            if files.len() > MAX_TEMPLATE_FILES {
                return Err(vec![
                    Diagnostic::file_error(
                        dir,
                        format!("more than {MAX_TEMPLATE_FILES} templates (*.tera) in the folder"),
                    )
                    .with_hint(
                        "keep only the templates you override (`zongjie init` writes all of them)",
                    ),
                ]);
            }
            files.sort();
            for path in files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = crate::files::read_text(&path, crate::files::Kind::Template)
                    .map_err(|d| vec![d])?;
                sources.insert(name, (Origin::File(path), text));
            }
        }
        let mut tera = Tera::new();
        tera.set_escape_fn(escape_markdown);
        tera.autoescape_on([".md.tera"]);
        tera.register_filter("quoted", quoted);
        tera.register_filter("lines", lines);
        tera.register_filter("cn_numeral", cn_numeral);
        tera.register_filter("cn_date", cn_date);
        let all = sources
            .iter()
            .filter(|(name, _)| name.ends_with(".md.tera"))
            .map(|(name, (_, text))| (name.as_str(), text.as_str()));
        if let Err(e) = tera.add_raw_templates(all) {
            return Err(vec![tera_diagnostic(&e, &sources)]);
        }
        Ok(Templates { tera, sources })
    }

    /// Renders the genre's template with `report` as the context. The
    /// Markdown is normalised: at most one blank line between blocks, no
    /// trailing spaces, one final newline.
    pub fn render_markdown(&self, report: &Report) -> Result<String, Diagnostic> {
        let name = template_for_genre(&report.doc.genre);
        let context = Context::from_serialize(report).map_err(|e| {
            Diagnostic::file_error(Path::new(name), format!("template context: {e}"))
        })?;
        let raw = self
            .tera
            .render(name, &context)
            .map_err(|e| tera_diagnostic(&e, &self.sources))?;
        Ok(normalise_markdown(&raw))
    }

    /// The HTML page template's text (a user's `page.html.tera` or the built-in).
    pub fn page_template(&self) -> &str {
        self.sources
            .get(PAGE_TEMPLATE)
            .map_or(crate::html::DEFAULT_PAGE_TEMPLATE, |(_, t)| t.as_str())
    }

    /// The names of the templates a genre's template uses (itself included).
    pub fn used_by(&self, genre: &str) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut todo = vec![template_for_genre(genre).to_string()];
        while let Some(name) = todo.pop() {
            if seen.contains(&name) {
                continue;
            }
            if let Some((_, text)) = self.sources.get(&name) {
                for part in text.split("{% include \"").skip(1) {
                    if let Some(end) = part.find('"') {
                        todo.push(part[..end].to_string());
                    }
                }
            }
            seen.push(name);
        }
        seen.sort();
        seen
    }
}

fn normalise_markdown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank = 0;
    for line in raw.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() && blank > 0 {
            out.push('\n');
        }
        blank = 0;
        out.push_str(line);
        out.push('\n');
    }
    // Keep the front matter's closing line glued to its block.
    out
}

/// A Tera error as a diagnostic at the template's file:line:col.
fn tera_diagnostic(e: &tera::Error, sources: &BTreeMap<String, (Origin, String)>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    let (file, text, at, message) = match report {
        Some(r) => {
            let name = r.filename().to_string();
            let (origin, text) = sources
                .get(&name)
                .map(|(o, t)| (o.clone(), t.clone()))
                .unwrap_or((Origin::Builtin, String::new()));
            let span = r.span();
            let pos = Pos {
                line: span.start_line,
                col: span.start_col + 1,
            };
            (
                origin_path(&name, &origin),
                text,
                pos,
                r.message().to_string(),
            )
        }
        None => (
            PathBuf::from("templates"),
            String::new(),
            Pos::default(),
            e.to_string(),
        ),
    };
    Diagnostic::error(&file, &text, at, format!("template: {message}"))
        .with_hint("templates see `doc`, `intro`, `parts`, `outro`, `tasks`, `attachments` and `metrics` (e.g. metrics[\"托位\"].value); see docs/templates.md")
}

fn origin_path(name: &str, origin: &Origin) -> PathBuf {
    match origin {
        Origin::File(p) => p.clone(),
        Origin::Builtin => PathBuf::from(format!("<built-in>/{name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut buf = Vec::new();
        escape_markdown(s, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn escaping_keeps_data_as_text() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(esc("*市卫健委"), "\\*市卫健委");
        assert_eq!(esc("1. 开头"), "1\\. 开头");
        assert_eq!(esc("- 列表"), "\\- 列表");
        assert_eq!(esc("2022年,在市委(一)"), "2022年,在市委(一)");
        assert_eq!(esc("14.02亿元"), "14.02亿元");
    }

    #[test]
    fn escaped_text_parses_back_to_itself() {
        for s in [
            "<img src=x onerror=alert(1)>",
            "*星* _下_ [链](x) `码` #号 |竖| ~删~ &amp; !图",
            "1. 一",
            "- 项",
            "a\\b",
        ] {
            let md = esc(s);
            let doc = crate::doc::parse(&md);
            assert_eq!(doc.plain_paragraphs(), vec![s.to_string()], "{md}");
        }
    }

    #[test]
    fn normalising_collapses_blank_lines() {
        assert_eq!(normalise_markdown("a  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
