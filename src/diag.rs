//! Diagnostics: one type for every error and warning the tool reports
//! (severity, message, file:line:column, source snippet, hint), and its
//! human, short, JSON and GitHub-annotation renderings. Every rendering
//! shows control characters and bidi overrides from data or file names as
//! visible escapes ([`printable`]), so a message can never act on the
//! terminal. Did-you-mean suggestions do bounded work ([`did_you_mean`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::i18n::pick;
use crate::tr;

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
        let file = printable(&self.file.display().to_string()).into_owned();
        if self.line == 0 {
            file
        } else {
            format!("{file}:{}:{}", self.line, self.col)
        }
    }

    /// The severity as GitHub's workflow commands name it.
    fn github_kind(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        }
    }

    /// The severity as a reader of the current language calls it, with
    /// the colon that follows it: `error: `, `错误：`.
    fn severity_label(&self) -> &'static str {
        match self.severity {
            Severity::Error => pick("error: ", "错误："),
            Severity::Warning => pick("warning: ", "警告："),
            Severity::Note => pick("notice: ", "说明："),
        }
    }

    /// The typst/rustc-style rendering: message, location, snippet with an
    /// underline, hint.
    pub fn render_human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}{}", self.severity_label(), printable(&self.message));
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
            let indent = " ".repeat(display_width(&printable(&before)));
            let carets = "^".repeat(display_width(&printable(&marked)).max(1));
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{number} | {}", printable(snippet));
            let _ = writeln!(out, "{pad} | {indent}{carets}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = {}{}", pick("hint: ", "提示："), printable(hint));
        }
        out
    }

    /// One line: `file:line:col: error: message (hint: …)`.
    pub fn render_short(&self) -> String {
        let mut s = format!(
            "{}: {}{}",
            self.location(),
            self.severity_label(),
            printable(&self.message)
        );
        if let Some(hint) = &self.hint {
            let _ = write!(s, "{}", hint_in_brackets(hint));
        }
        s
    }

    /// A GitHub Actions workflow command that annotates the file in the PR view.
    pub fn render_github(&self) -> String {
        let kind = self.github_kind();
        let escape = |s: &str| {
            s.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let escape_prop = |s: &str| escape(s).replace(':', "%3A").replace(',', "%2C");
        let file = printable(&self.file.display().to_string()).into_owned();
        let mut props = format!("file={}", escape_prop(&file));
        if self.line > 0 {
            let _ = write!(props, ",line={},col={}", self.line, self.col);
        }
        let mut message = printable(&self.message).into_owned();
        if let Some(hint) = &self.hint {
            let _ = write!(message, "{}", hint_in_brackets(hint));
        }
        format!("::{kind} {props}::{}", escape(&message))
    }

    /// The JSON object of this diagnostic: the same fields, every text
    /// through [`printable`] (serde would print C1 controls and bidi
    /// overrides raw), the file name as text even when it is not UTF-8.
    fn json(&self) -> JsonDiagnostic<'_> {
        JsonDiagnostic {
            severity: self.severity,
            message: printable(&self.message),
            file: printable(&self.file.display().to_string()).into_owned(),
            line: self.line,
            col: self.col,
            snippet: self.snippet.as_deref().map(printable),
            hint: self.hint.as_deref().map(printable),
        }
    }
}

/// ` (hint: …)` after a one-line message, `（提示：…）` in Chinese.
fn hint_in_brackets(hint: &str) -> String {
    tr!(" (hint: {})", "（提示：{}）", printable(hint))
}

/// The JSON shape of a diagnostic (see [`Diagnostic::json`]).
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    message: Cow<'a, str>,
    file: String,
    line: usize,
    col: usize,
    snippet: Option<Cow<'a, str>>,
    hint: Option<Cow<'a, str>>,
}

/// `s` with every character that could act on a terminal or reorder the
/// text around it written as a visible escape: C0 controls, DEL and C1
/// controls as `\u{1b}` (tab, line feed and carriage return as `\t`, `\n`,
/// `\r`), bidi embeddings, overrides, isolates and marks, line and
/// paragraph separators, zero-width characters and the BOM as `\u{202e}`.
/// Everything else is unchanged; text without such characters is borrowed.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x1F | 0x7F..=0x9F | 0x061C | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF)
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
            let shown: Vec<JsonDiagnostic<'_>> = diags.iter().map(Diagnostic::json).collect();
            let mut s = serde_json::to_string_pretty(&shown).unwrap_or_else(|_| "[]".into());
            s.push('\n');
            s
        }
    }
}

/// Characters of a word (and of each candidate) compared for a suggestion:
/// longer ones are compared by their first `SUGGEST_CHARS` characters.
pub const SUGGEST_CHARS: usize = 64;
/// Candidates looked at for one suggestion (the first ones given).
pub const SUGGEST_CANDIDATES: usize = 2_000;
/// Full edit-distance comparisons for one suggestion, made with the
/// candidates the linear prefilter ranks best.
pub const SUGGEST_COMPARISONS: usize = 10;

/// The closest of `candidates` to `word`, if it is close enough to suggest
/// (normalised Damerau–Levenshtein similarity of at least 0.5).
///
/// The work is bounded whatever the input: words are cut to
/// [`SUGGEST_CHARS`], at most [`SUGGEST_CANDIDATES`] are looked at, and a
/// linear prefilter (the characters two words share bound their similarity
/// from above) leaves at most [`SUGGEST_COMPARISONS`] for the quadratic
/// comparison. Deterministic: ties go to the later candidate.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let cut = |s: &str| -> Vec<char> { s.chars().take(SUGGEST_CHARS).collect() };
    let word_chars = cut(word);
    let mut sorted_word = word_chars.clone();
    sorted_word.sort_unstable();
    let mut ranked: Vec<(f64, Vec<char>, &'a str)> = Vec::new();
    for c in candidates.into_iter().take(SUGGEST_CANDIDATES) {
        let chars = cut(c);
        let longest = chars.len().max(word_chars.len());
        if longest == 0 || chars.len().min(word_chars.len()) * 2 < longest {
            continue;
        }
        let bound = shared_chars(&sorted_word, &chars) as f64 / longest as f64;
        if bound >= 0.5 {
            ranked.push((bound, chars, c));
        }
    }
    // Stable: among equal bounds the earlier candidates are kept.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.truncate(SUGGEST_COMPARISONS);
    let word: String = word_chars.into_iter().collect();
    let mut best: Option<(f64, usize, &'a str)> = None;
    for (index, (_, chars, c)) in ranked.into_iter().enumerate() {
        let cut: String = chars.into_iter().collect();
        let score = strsim::normalized_damerau_levenshtein(&word, &cut);
        if score >= 0.5 && best.is_none_or(|(s, _, _)| score >= s) {
            best = Some((score, index, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// The hint that suggests `suggestion` (already quoted the way the data
/// writes it: `` `year` `` or `【县域就诊率】`), in the current language.
pub fn did_you_mean_hint(suggestion: &str) -> String {
    tr!("did you mean {suggestion}?", "是不是要写 {suggestion}？")
}

/// How many characters `b` shares with the sorted `a`, counted with
/// multiplicity: an upper bound on how much of the longer word an edit
/// sequence can keep.
fn shared_chars(sorted_a: &[char], b: &[char]) -> usize {
    let mut b = b.to_vec();
    b.sort_unstable();
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < sorted_a.len() && j < b.len() {
        match sorted_a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
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
        assert_eq!(did_you_mean("", ["title"]), None);
        assert_eq!(
            did_you_mean("县域就诊", ["县域就诊率", "托位"]),
            Some("县域就诊率")
        );
    }

    #[test]
    fn suggestions_do_bounded_work_on_long_and_many_keys() {
        // 300 keys of 20,000 characters differing only at the end, and a
        // 100,000-character unknown word: full-length comparisons would take
        // minutes; cut to SUGGEST_CHARS they take microseconds.
        let keys: Vec<String> = (0..300)
            .map(|i| format!("{}{i}", "指标".repeat(10_000)))
            .collect();
        let word = "指标".repeat(50_000);
        let start = std::time::Instant::now();
        for _ in 0..5 {
            assert!(did_you_mean(&word, keys.iter().map(String::as_str)).is_some());
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        // Past SUGGEST_CANDIDATES candidates are not looked at.
        let many: Vec<String> = (0..SUGGEST_CANDIDATES + 1)
            .map(|i| format!("k{i:05}"))
            .collect();
        let last = many[SUGGEST_CANDIDATES].clone();
        assert_eq!(
            did_you_mean(
                "zzzzzz",
                many.iter().map(String::as_str).chain([last.as_str()])
            ),
            None
        );
        assert_eq!(
            did_you_mean("k00001", many.iter().map(String::as_str)),
            Some("k00001")
        );
    }

    #[test]
    fn the_prefilter_bounds_the_similarity_from_above() {
        let words = [
            "title",
            "titel",
            "县域就诊率",
            "县域",
            "aab",
            "abb",
            "",
            "x",
        ];
        for a in words {
            for b in words {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let longest = ca.len().max(cb.len()).max(1);
                let mut sa = ca.clone();
                sa.sort_unstable();
                let bound = shared_chars(&sa, &cb) as f64 / longest as f64;
                let exact = strsim::normalized_damerau_levenshtein(a, b);
                assert!(
                    exact <= bound + 1e-9 || (a.is_empty() && b.is_empty()),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn control_characters_are_escaped_in_every_format() {
        let src = "x: \u{1b}]0;PWNED\u{7} \u{202e}abc\n";
        let d = Diagnostic::error(
            Path::new("a\u{1b}[31m.yaml"),
            src,
            Pos { line: 1, col: 15 },
            "unknown metric 【\u{1b}]0;PWNED\u{7}\u{1b}[2J】\u{9b}31m",
        )
        .with_hint("did you mean \u{2066}x\u{2069}?");
        let formats = [Format::Human, Format::Short, Format::Json, Format::Github];
        for format in formats {
            let out = render_all(std::slice::from_ref(&d), format);
            assert!(
                !out.chars().any(|c| needs_escape(c) && c != '\n'),
                "{format:?}: {out:?}"
            );
            assert!(
                out.contains("\\u{1b}") || out.contains("\\\\u{1b}"),
                "{format:?}: {out}"
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&render_all(std::slice::from_ref(&d), Format::Json)).unwrap();
        assert_eq!(json[0]["file"], "a\\u{1b}[31m.yaml");
        assert!(json[0]["message"].as_str().unwrap().contains("\\u{9b}31m"));
        // The carets stay under the character the column names (`\u{202e}`
        // is eight cells wide once escaped).
        let human = d.render_human();
        let lines: Vec<&str> = human.lines().collect();
        let shown = lines.iter().find(|l| l.starts_with("1 | ")).unwrap();
        let carets = lines.iter().find(|l| l.contains('^')).unwrap();
        let at = carets.find('^').unwrap();
        assert_eq!(&shown[at..at + 8], "\\u{202e}", "{human}");
        assert_eq!(printable("丽水\t1"), "丽水\\t1");
        assert!(matches!(printable("丽水"), Cow::Borrowed(_)));
    }
}
