//! Diagnostics: one type for every error and warning the tool reports
//! (severity, message, file:line:column, source snippet, hint), and its
//! human, short, JSON and GitHub-annotation renderings.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information, such as which font stood in for an official face;
    /// never fails a build, not even under `--strict`.
    Note,
    Warning,
    Error,
}

/// A 1-based position in a source file; `line == 0` means "no position".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// One error or warning, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    /// Display width of the underlined stretch, in characters (at least 1).
    #[serde(skip)]
    pub len: usize,
    /// The source line the position points into (a window of it around
    /// the position when the line is very long, cut at `…`).
    pub snippet: Option<String>,
    /// 1-based character column of the position within `snippet`.
    #[serde(skip)]
    pub snippet_col: usize,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `pos` of `file`, taking its snippet from `source`.
    pub fn new(
        severity: Severity,
        file: &Path,
        source: &str,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        let line = (pos.line > 0)
            .then(|| source.lines().nth(pos.line - 1))
            .flatten();
        let (snippet, snippet_col) = match line {
            Some(l) => {
                let (text, col) = snippet_window(l.trim_end_matches('\r'), pos.col);
                (Some(text), col)
            }
            None => (None, pos.col),
        };
        Diagnostic {
            severity,
            message: message.into(),
            file: file.to_path_buf(),
            line: pos.line,
            col: pos.col,
            len: 1,
            snippet,
            snippet_col,
            hint: None,
        }
    }

    /// An error at `pos`.
    pub fn error(file: &Path, source: &str, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, source, pos, message)
    }

    /// A warning at `pos`.
    pub fn warning(file: &Path, source: &str, pos: Pos, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, source, pos, message)
    }

    /// An error about a whole file (no position).
    pub fn file_error(file: &Path, message: impl Into<String>) -> Self {
        Self::about_file(Severity::Error, file, message)
    }

    /// A diagnostic about a whole file (no position).
    pub fn about_file(severity: Severity, file: &Path, message: impl Into<String>) -> Self {
        Self::new(severity, file, "", Pos::default(), message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        let hint = hint.into();
        self.hint = (!hint.is_empty()).then_some(hint);
        self
    }

    /// Sets how many characters the underline covers.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn location(&self) -> String {
        if self.line == 0 {
            self.file.display().to_string()
        } else {
            format!("{}:{}:{}", self.file.display(), self.line, self.col)
        }
    }

    fn severity_word(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        }
    }

    /// The typst/rustc-style rendering: message, location, snippet with an
    /// underline, hint.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", self.severity_word(), self.message);
        let _ = writeln!(out, "  --> {}", self.location());
        if let Some(snippet) = &self.snippet {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let before: String = snippet
                .chars()
                .take(self.snippet_col.saturating_sub(1))
                .collect();
            let marked: String = snippet
                .chars()
                .skip(self.snippet_col.saturating_sub(1))
                .take(self.len)
                .collect();
            let indent = " ".repeat(display_width(&before));
            let carets = "^".repeat(display_width(&marked).max(1));
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {snippet}");
            let _ = writeln!(out, "{pad} | {indent}{carets}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = hint: {hint}");
        }
        out
    }

    /// One line: `file:line:col: error: message (hint: …)`.
    pub fn render_short(&self) -> String {
        let mut s = format!(
            "{}: {}: {}",
            self.location(),
            self.severity_word(),
            self.message
        );
        if let Some(hint) = &self.hint {
            let _ = write!(s, " (hint: {hint})");
        }
        s
    }

    /// A GitHub Actions workflow command that annotates the file in the PR view.
    pub fn render_github(&self) -> String {
        let kind = self.severity_word();
        let escape = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let escape_prop = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
        let mut props = format!("file={}", escape_prop(&self.file.display().to_string()));
        if self.line > 0 {
            let _ = write!(props, ",line={},col={}", self.line, self.col);
        }
        let mut message = self.message.clone();
        if let Some(hint) = &self.hint {
            let _ = write!(message, " (hint: {hint})");
        }
        format!("::{kind} {props}::{}", escape(&message))
    }
}

/// Longest source line shown whole in a snippet, in characters.
const SNIPPET_CHARS: usize = 120;

/// The part of `line` shown in a snippet: the whole line when it is short,
/// else `SNIPPET_CHARS` characters around the 1-based column `col`, with `…`
/// where it is cut. Returns the text and the column within it.
fn snippet_window(line: &str, col: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= SNIPPET_CHARS {
        return (line.to_string(), col);
    }
    let at = col.saturating_sub(1).min(count);
    let start = at.saturating_sub(SNIPPET_CHARS / 3);
    let end = (start + SNIPPET_CHARS).min(count);
    let mut text: String = if start > 0 {
        "…".into()
    } else {
        String::new()
    };
    text.extend(line.chars().skip(start).take(end - start));
    if end < count {
        text.push('…');
    }
    (text, at - start + 1 + usize::from(start > 0))
}

/// Terminal display width of `s` (CJK and full-width characters take two cells).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// How `check` and `build` print diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Short,
    Json,
    Github,
}

/// Renders a list of diagnostics in the chosen format (JSON: one array).
pub fn render_all(diags: &[Diagnostic], format: Format) -> String {
    match format {
        Format::Human => diags.iter().map(|d| d.render_human() + "\n").collect(),
        Format::Short => diags.iter().map(|d| d.render_short() + "\n").collect(),
        Format::Github => diags.iter().map(|d| d.render_github() + "\n").collect(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".into());
            s.push('\n');
            s
        }
    }
}

/// The closest of `candidates` to `word`, if it is close enough to suggest.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), c))
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_shown_around_the_position() {
        let line = format!("{}错{}", "甲".repeat(1000), "乙".repeat(1000));
        let d = Diagnostic::error(Path::new("a.yaml"), &line, Pos { line: 1, col: 1001 }, "x");
        let snippet = d.snippet.as_deref().unwrap_or_default();
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert!(snippet.chars().count() <= SNIPPET_CHARS + 2);
        assert_eq!(snippet.chars().nth(d.snippet_col - 1), Some('错'));
        assert_eq!((d.line, d.col), (1, 1001));
    }

    #[test]
    fn human_rendering_underlines_wide_characters() {
        let src = "doc:\n  title: 丽水【县域】\n";
        let d = Diagnostic::error(
            Path::new("a.yaml"),
            src,
            Pos { line: 2, col: 12 },
            "unknown metric 【县域】",
        )
        .with_len(4)
        .with_hint("did you mean 【县域就诊率】?");
        let out = d.render_human();
        assert!(out.contains("--> a.yaml:2:12"), "{out}");
        assert!(out.contains("2 |   title: 丽水【县域】"), "{out}");
        // "  title: 丽水" is 9 narrow + 2 wide = 13 cells; 【县域】 is 8 cells.
        assert!(
            out.contains(&format!("  | {}{}", " ".repeat(13), "^".repeat(8))),
            "{out}"
        );
        assert!(out.contains("= hint: did you mean"), "{out}");
    }

    #[test]
    fn short_github_and_json() {
        let d = Diagnostic::warning(
            Path::new("b.yaml"),
            "x: 1\n",
            Pos { line: 1, col: 1 },
            "a, b: c",
        );
        assert_eq!(d.render_short(), "b.yaml:1:1: warning: a, b: c");
        assert_eq!(
            d.render_github(),
            "::warning file=b.yaml,line=1,col=1::a, b: c"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render_all(&[d], Format::Json)).unwrap();
        assert_eq!(json[0]["line"], 1);
        assert_eq!(json[0]["severity"], "warning");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("titel", ["title", "year", "issuer"]),
            Some("title")
        );
        assert_eq!(did_you_mean("zzz", ["title", "year"]), None);
    }
}
