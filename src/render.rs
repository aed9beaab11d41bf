//! Templates: the built-in Tera 2 templates (embedded in the binary), a
//! user's overrides by name from a folder, the filters templates use, and
//! rendering a `Report` into the Markdown intermediate. Every `{{ … }}` is
//! Markdown-escaped, so text from data can never become markup.
//!
//! Tera 2 has no limits of its own beyond 100,000 elements per `range`, so
//! every render runs under a [`Budget`] ([`render_within`]): on a worker
//! thread with a deadline, into a size-capped writer, with `range` replaced
//! by one that counts the loop steps of the whole render. A render past its
//! deadline is abandoned (it stops at its next write or `range`; a detached
//! thread never keeps the process from exiting), and the caller gets an
//! error naming the template.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use tera::{Context, Kwargs, State, Tera, Value};

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::resolve::Report;
use crate::tr;

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
        "_subitems.md.tera",
        include_str!("../templates/_subitems.md.tera"),
    ),
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
    tera: Arc<Tera>,
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
        Templates::load_confined(dir, false)
    }

    /// [`load`](Self::load); with `confined` (the default `templates/`
    /// folder, not one named on the command line), a template whose real
    /// path leads out of the folder the templates folder is in is refused
    /// before it is read, so a link cannot copy another file into outputs.
    pub fn load_confined(dir: Option<&Path>, confined: bool) -> Result<Templates, Vec<Diagnostic>> {
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
                    tr!(
                        "cannot read the templates folder: {e}",
                        "无法读取模板文件夹（{e}）",
                        e = crate::i18n::io_error(&e)
                    ),
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
                        tr!(
                            "more than {MAX_TEMPLATE_FILES} templates (*.tera) in the folder",
                            "文件夹里的模板（*.tera）超过了 {MAX_TEMPLATE_FILES} 个"
                        ),
                    )
                    .with_hint(tr!(
                        "keep only the templates you override (`zongjie init` writes all of them)",
                        "只保留您改过的模板即可（`zongjie init` 会写出全部模板）"
                    )),
                ]);
            }
            files.sort();
            for path in files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                // The default `templates/` sits in the project folder.
                let project = dir.parent().filter(|p| !p.as_os_str().is_empty());
                let project = project.unwrap_or(Path::new("."));
                if confined && let Some(d) = crate::files::leads_outside(&path, project, "template")
                {
                    return Err(vec![d.with_hint(tr!(
                        "replace the link with the template itself, or name the folder with --templates to use it as it is",
                        "请把这个链接换成模板文件本身；如果确实要用它，请用 `--templates` 指定这个文件夹"
                    ))]);
                }
                let text = crate::files::read(&path, crate::files::Kind::Template)
                    .map_err(|d| vec![d])
                    .and_then(|bytes| {
                        crate::load::decode(&path, &bytes)
                            .map_err(|d| vec![d.with_hint(template_encoding_hint())])
                    })?;
                sources.insert(name, (Origin::File(path), text));
            }
        }
        let mut tera = new_tera();
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
        // The page template is compiled here too, so `check` sees it broken.
        let page = sources.get(PAGE_TEMPLATE).map_or("", |(_, t)| t.as_str());
        if let Err(e) = page_tera(page) {
            return Err(vec![tera_diagnostic(&e, &sources)]);
        }
        Ok(Templates {
            tera: Arc::new(tera),
            sources,
        })
    }

    /// Renders the genre's template with `report` as the context. The
    /// Markdown is normalised: at most one blank line between blocks, no
    /// trailing spaces, one final newline.
    /// The render runs under [`Budget::DEFAULT`].
    pub fn render_markdown(&self, report: &Report) -> Result<String, Diagnostic> {
        self.render_markdown_within(report, &Budget::DEFAULT)
    }

    /// [`render_markdown`](Self::render_markdown) under `budget`: past it,
    /// an error at the genre's template naming the limit.
    pub fn render_markdown_within(
        &self,
        report: &Report,
        budget: &Budget,
    ) -> Result<String, Diagnostic> {
        let name = template_for_genre(&report.doc.genre);
        let context = Context::from_serialize(report).map_err(|e| {
            Diagnostic::file_error(
                Path::new(name),
                tr!(
                    "template context: {e}",
                    "无法把报告内容交给模板 `{name}`（{e}）"
                ),
            )
        })?;
        let raw = render_within(&self.tera, name, context, budget)
            .map_err(|e| self.diagnostic(name, &e))?;
        // The data's own text options (`text:`), before the profile's.
        Ok(report.text.apply(normalise_markdown(&raw)))
    }

    /// The diagnostic of a failed render of `name`.
    fn diagnostic(&self, name: &str, e: &RenderError) -> Diagnostic {
        let file = self
            .sources
            .get(name)
            .map_or_else(|| PathBuf::from(name), |(o, _)| origin_path(name, o));
        match e {
            RenderError::Template(e) => tera_diagnostic(e, &self.sources),
            RenderError::TooManySteps(limit, Some(e)) => {
                let mut d = tera_diagnostic(e, &self.sources);
                d.message = e_message(&RenderError::TooManySteps(*limit, None), name);
                d.with_hint(budget_hint())
            }
            other => Diagnostic::file_error(&file, e_message(other, name)).with_hint(budget_hint()),
        }
    }

    /// A failed HTML page render as a diagnostic at the page template's
    /// file:line:col.
    pub fn page_diagnostic(&self, e: &crate::html::HtmlError) -> Diagnostic {
        let crate::html::HtmlError::Template(e) = e;
        self.diagnostic(PAGE_TEMPLATE, e)
    }

    /// The HTML page template's text (a user's `page.html.tera` or the built-in).
    pub fn page_template(&self) -> &str {
        self.sources
            .get(PAGE_TEMPLATE)
            .map_or(crate::html::DEFAULT_PAGE_TEMPLATE, |(_, t)| t.as_str())
    }

    /// The names of every template rendering `genre` can load, itself
    /// included: a safe superset of what Tera 2 loads. Tera includes and
    /// extends only templates named by string literals, so every template
    /// whose name occurs in the text of one counted (with `\\` escapes
    /// removed too; whatever the whitespace control) is counted, and so on;
    /// components are global, so every template that may define one is
    /// counted for every genre.
    pub fn used_by(&self, genre: &str) -> Vec<String> {
        let names: Vec<&str> = self
            .sources
            .keys()
            .map(String::as_str)
            .filter(|n| n.ends_with(".md.tera"))
            .collect();
        let text_of = |name: &str| self.sources.get(name).map_or("", |(_, t)| t.as_str());
        // A name no plain text search can be trusted to find.
        let odd = |n: &str| {
            n.chars()
                .any(|c| matches!(c, '\\' | '"' | '\'' | '`') || c.is_control())
        };
        let mut todo: Vec<&str> = vec![template_for_genre(genre)];
        todo.extend(
            names
                .iter()
                .filter(|n| odd(n) || text_of(n).contains("component")),
        );
        let mut seen = std::collections::BTreeSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.to_string()) {
                continue;
            }
            let text = text_of(name);
            let unescaped = text.replace('\\', "");
            todo.extend(names.iter().filter(|n| {
                !seen.contains(**n) && (text.contains(**n) || unescaped.contains(**n))
            }));
        }
        seen.into_iter().collect()
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

/// The hint of a template that cannot be read as text.
fn template_encoding_hint() -> String {
    tr!(
        "save the template as UTF-8 text (templates are Tera text files, see docs/templates.md)",
        "请把模板另存为 UTF-8 编码的文本（模板是 Tera 文本文件，见 docs/templates.md）"
    )
}

/// The hint of a render that ran past its budget.
fn budget_hint() -> String {
    tr!(
        "look for a loop that never ends or repeats too often (nested `range`, a `for` over a large list inside another); see docs/templates.md",
        "请检查模板里是否有停不下来或重复次数太多的循环（嵌套的 `range`，或大列表的 `for` 套在另一个 `for` 里）；见 docs/templates.md"
    )
}

/// The limits one template render runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock time before the render is abandoned.
    pub time: Duration,
    /// Bytes the render may write.
    pub output_bytes: usize,
    /// Elements all `range(…)` calls of the render may produce together.
    pub range_steps: u64,
}

impl Budget {
    /// 10 s, 64 MiB, 1,000,000 range steps: a real report renders in
    /// milliseconds into a few MB and loops over its own parts.
    pub const DEFAULT: Budget = Budget {
        time: Duration::from_secs(10),
        output_bytes: 64 * 1024 * 1024,
        range_steps: 1_000_000,
    };
}

/// Renders abandoned at their deadline that are still running; past
/// [`MAX_ABANDONED`], new renders are refused rather than piling up threads.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);
const MAX_ABANDONED: usize = 4;

/// Why a budgeted render failed.
#[derive(Debug)]
pub enum RenderError {
    /// Tera's own error (syntax, unknown variable, …).
    Template(tera::Error),
    /// The render ran past `Budget::time`.
    TooSlow(Duration),
    /// The render wrote more than `Budget::output_bytes`.
    TooLarge(usize),
    /// `range` produced more than `Budget::range_steps` elements; Tera's
    /// error (with the place of the `range` call) when there is one.
    TooManySteps(u64, Option<tera::Error>),
    /// Too many earlier renders are still running past their deadline.
    Stuck(usize),
    /// The render panicked or its thread could not start.
    Crashed(String),
}

/// The message of a render error about the template `name` ("" when the
/// caller names it).
fn e_message(e: &RenderError, name: &str) -> String {
    let tpl = match (name.is_empty(), crate::i18n::zh()) {
        (true, false) => "the template".to_string(),
        (false, false) => format!("template {name}"),
        (true, true) => "模板".to_string(),
        // Set off from the Chinese that follows it.
        (false, true) => format!("模板 `{name}` "),
    };
    match e {
        RenderError::Template(e) => tr!("{}: {e}", "{}：{e}", tpl.trim_end()),
        RenderError::TooSlow(t) => {
            tr!(
                "{tpl} took longer than {} s to render",
                "{tpl}生成时间超过了 {} 秒",
                t.as_secs_f64()
            )
        }
        RenderError::TooLarge(n) if *n >= 1024 * 1024 => {
            tr!(
                "{tpl} wrote more than {} MiB",
                "{tpl}写出的内容超过了 {} MiB",
                n / (1024 * 1024)
            )
        }
        RenderError::TooLarge(n) => tr!(
            "{tpl} wrote more than {n} bytes",
            "{tpl}写出的内容超过了 {n} 字节"
        ),
        RenderError::TooManySteps(limit, _) => {
            tr!(
                "{tpl} loops more than {limit} times (range)",
                "{tpl}的循环超过了 {limit} 次（range）"
            )
        }
        RenderError::Stuck(n) => tr!(
            "{tpl} was not rendered: {n} earlier renders are still running past their time limit; fix the template and restart zongjie",
            "{tpl}没有生成：之前有 {n} 次生成超时后仍在运行；请修改模板后重新启动 zongjie"
        ),
        RenderError::Crashed(m) => tr!(
            "internal error while rendering {tpl}: {m}",
            "生成{tpl}时发生内部错误（{m}）"
        ),
    }
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // One line: Tera's own Display is a multi-line report.
            RenderError::Template(e) => match e.kind() {
                tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                    let span = r.span();
                    if crate::i18n::zh() {
                        let syntax = matches!(e.kind(), tera::ErrorKind::SyntaxError(_));
                        let at = Pos {
                            line: span.start_line,
                            col: span.start_col + 1,
                        };
                        f.write_str(&tera_words(r.filename(), at, syntax, r.message()))
                    } else {
                        write!(
                            f,
                            "{} ({}:{}:{})",
                            r.message(),
                            r.filename(),
                            span.start_line,
                            span.start_col + 1
                        )
                    }
                }
                _ if crate::i18n::zh() => write!(f, "模板出错（Tera：{e}）"),
                _ => write!(f, "{e}"),
            },
            other => f.write_str(&e_message(other, "")),
        }
    }
}

/// What a worker's render has used, shared with the thread that waits.
#[derive(Debug, Default)]
struct Gauge {
    /// `RUNNING`, `DONE` (the worker finished first) or `ABANDONED`.
    state: AtomicU8,
    steps: AtomicU64,
    step_limit: u64,
    /// Set when a limit stopped the render.
    over: Mutex<Option<RenderError>>,
}

const RUNNING: u8 = 0;
const DONE: u8 = 1;
const ABANDONED_STATE: u8 = 2;

impl Gauge {
    fn abandoned(&self) -> bool {
        self.state.load(Ordering::Relaxed) == ABANDONED_STATE
    }

    fn stop(&self, why: RenderError) {
        if let Ok(mut over) = self.over.lock()
            && over.is_none()
        {
            *over = Some(why);
        }
    }

    fn take_over(&self) -> Option<RenderError> {
        self.over.lock().ok().and_then(|mut o| o.take())
    }
}

thread_local! {
    /// The gauge of the render running on this thread, if any.
    static GAUGE: std::cell::RefCell<Option<Arc<Gauge>>> = const { std::cell::RefCell::new(None) };
}

/// A writer that refuses to grow past its limit or to go on once its render
/// was abandoned.
struct CappedWriter {
    buf: Vec<u8>,
    limit: usize,
    gauge: Arc<Gauge>,
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.gauge.abandoned() {
            return Err(std::io::Error::other("abandoned"));
        }
        if self.buf.len() + data.len() > self.limit {
            self.gauge.stop(RenderError::TooLarge(self.limit));
            return Err(std::io::Error::other("output budget"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A Tera instance with zongjie's `range`: the same arguments as Tera's
/// (`end`, optional `start` and `step_by`), and every element counts against
/// the render's [`Budget::range_steps`]. Used for the Markdown templates and
/// the HTML page template.
pub fn new_tera() -> Tera {
    let mut tera = Tera::new();
    tera.register_function("range", budgeted_range);
    tera
}

fn budgeted_range(kwargs: Kwargs, _: &State) -> tera::TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or(0);
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step == 0 {
        return Err(tera::Error::message(tr!(
            "range: `step_by` must not be 0",
            "range：`step_by` 不能为 0"
        )));
    }
    if step > 0 && start > end {
        return Err(tera::Error::message(tr!(
            "range: `start` is greater than `end`",
            "range：`start` 比 `end` 大"
        )));
    }
    let overflow =
        || tera::Error::message(tr!("range: the arguments overflow", "range：参数超出范围"));
    let span = if step > 0 {
        end.checked_sub(start).ok_or_else(overflow)?
    } else {
        start.checked_sub(end).ok_or_else(overflow)?.max(0)
    };
    let stride = step.checked_abs().ok_or_else(overflow)?;
    let len = span.checked_add(stride - 1).ok_or_else(overflow)? / stride;
    let len = u64::try_from(len).map_err(|_| overflow())?;
    if len > 100_000 {
        return Err(tera::Error::message(tr!(
            "range: {len} elements, more than the 100000 one range may produce",
            "range：要生成 {len} 个元素，超过了一次 range 最多 100000 个的限制"
        )));
    }
    let gauge = GAUGE.with(|g| g.borrow().clone());
    if let Some(gauge) = gauge {
        if gauge.abandoned() {
            return Err(tera::Error::message("abandoned"));
        }
        let used = gauge.steps.fetch_add(len, Ordering::Relaxed) + len;
        if used > gauge.step_limit {
            gauge.stop(RenderError::TooManySteps(gauge.step_limit, None));
            return Err(tera::Error::message(tr!(
                "the template's loops ran more than {} range steps",
                "模板的循环超过了 {} 步（range）",
                gauge.step_limit
            )));
        }
    }
    Ok((0..len as i128).map(|i| start + i * step).collect())
}

/// Renders the template `name` of `tera` with `context` under `budget`, on
/// a worker thread; see the module docs.
pub fn render_within(
    tera: &Arc<Tera>,
    name: &str,
    context: Context,
    budget: &Budget,
) -> Result<String, RenderError> {
    let stuck = ABANDONED.load(Ordering::Relaxed);
    if stuck >= MAX_ABANDONED {
        return Err(RenderError::Stuck(stuck));
    }
    let gauge = Arc::new(Gauge {
        step_limit: budget.range_steps,
        ..Gauge::default()
    });
    let (tx, rx) = mpsc::sync_channel(1);
    let worker = {
        let (tera, gauge, name, limit) = (
            Arc::clone(tera),
            Arc::clone(&gauge),
            name.to_string(),
            budget.output_bytes,
        );
        move || {
            GAUGE.with(|g| *g.borrow_mut() = Some(Arc::clone(&gauge)));
            let mut out = CappedWriter {
                buf: Vec::new(),
                limit,
                gauge: Arc::clone(&gauge),
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tera.render_to(&name, &context, &mut out)
            }));
            let result = match result {
                Ok(Ok(())) => Ok(out.buf),
                Ok(Err(e)) => Err(RenderError::Template(e)),
                Err(p) => Err(RenderError::Crashed(panic_text(p.as_ref()))),
            };
            let finished_first = gauge
                .state
                .compare_exchange(RUNNING, DONE, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
            if finished_first {
                let _ = tx.send(result);
            } else {
                ABANDONED.fetch_sub(1, Ordering::Relaxed);
            }
        }
    };
    std::thread::Builder::new()
        .name("template".into())
        .stack_size(8 * 1024 * 1024)
        .spawn(worker)
        .map_err(|e| {
            RenderError::Crashed(tr!(
                "cannot start a thread: {e}",
                "无法启动线程（{e}）",
                e = crate::i18n::io_error(&e)
            ))
        })?;
    let result = match rx.recv_timeout(budget.time) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let abandoned = gauge
                .state
                .compare_exchange(
                    RUNNING,
                    ABANDONED_STATE,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok();
            if abandoned {
                ABANDONED.fetch_add(1, Ordering::Relaxed);
                return Err(RenderError::TooSlow(budget.time));
            }
            // The worker finished at the deadline: take its result.
            rx.recv()
                .map_err(|_| RenderError::Crashed(stopped_without_result()))?
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(RenderError::Crashed(stopped_without_result()));
        }
    };
    match result {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            RenderError::Crashed(tr!(
                "the render wrote text that is not UTF-8",
                "生成的文字不是 UTF-8 编码"
            ))
        }),
        Err(RenderError::Template(e)) => Err(match gauge.take_over() {
            Some(RenderError::TooManySteps(limit, _)) => RenderError::TooManySteps(limit, Some(e)),
            Some(over) => over,
            None => RenderError::Template(e),
        }),
        Err(other) => Err(other),
    }
}

/// Why a render gave no result: its thread ended without sending one.
fn stopped_without_result() -> String {
    tr!(
        "the render stopped without a result",
        "生成中途停止，没有得到结果"
    )
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// The engine of the HTML page template (autoescaped as HTML), compiled.
pub fn page_tera(page_template: &str) -> Result<Tera, tera::Error> {
    let mut tera = new_tera();
    tera.autoescape_on(vec![".html.tera"]);
    tera.add_raw_template(PAGE_TEMPLATE, page_template)?;
    Ok(tera)
}

/// A Tera error in Chinese: what went wrong in which template at which
/// line (and column), then the detail (`tera_detail`).
fn tera_words(name: &str, at: Pos, syntax: bool, message: &str) -> String {
    let Pos { line, col } = at;
    if let Some(rest) = message.strip_prefix("Unknown template `")
        && let Some((wanted, _)) = rest.split_once('`')
    {
        return format!("模板 `{name}` 第 {line} 行引用的模板 `{wanted}` 不存在");
    }
    let detail = tera_detail(message);
    if syntax {
        format!("模板 `{name}` 第 {line} 行第 {col} 列有语法错误：{detail}")
    } else {
        format!("模板 `{name}` 第 {line} 行第 {col} 列生成时出错：{detail}")
    }
}

/// Tera's own message in Chinese where it is one of the common ones (an
/// undefined variable or field, an unknown filter, test or function, an
/// unexpected token, a value that cannot be looped over or compared);
/// any other is kept as Tera wrote it, marked `（Tera：…）`.
fn tera_detail(message: &str) -> String {
    let message = message.trim();
    // `NAME` at the start of `rest`, and what follows it.
    let quoted = |rest: &'_ str| -> Option<(String, String)> {
        let rest = rest.strip_prefix('`')?;
        let (name, after) = rest.split_once('`')?;
        Some((name.to_string(), after.to_string()))
    };
    let available = |after: &str, key: &str| -> String {
        match after.split_once(key) {
            Some((_, list)) if !list.trim().is_empty() => format!("（可用的有：{}）", list.trim()),
            _ => String::new(),
        }
    };
    if let Some((name, after)) = message.strip_prefix("Variable ").and_then(quoted) {
        if after.starts_with(" exists but its value is undefined") {
            return format!("变量 `{name}` 存在，但没有值");
        }
        if after.starts_with(" is not defined") {
            return format!(
                "变量 `{name}` 没有定义{}",
                available(&after, "Available variables:")
            );
        }
    }
    if let Some((name, after)) = message.strip_prefix("Field ").and_then(quoted)
        && after.starts_with(" is not defined")
    {
        return format!(
            "字段 `{name}` 没有定义{}",
            available(&after, "Available fields:")
        );
    }
    for (prefix, what) in [
        ("Unknown filter ", "过滤器"),
        ("Unknown test ", "测试"),
        ("Unknown function ", "函数"),
        ("Unknown component ", "组件"),
    ] {
        if let Some((name, after)) = message.strip_prefix(prefix).and_then(quoted)
            && after.is_empty()
        {
            return format!("没有名为 `{name}` 的{what}");
        }
    }
    if let Some((kind, after)) = message
        .strip_prefix("Iteration not possible on type ")
        .and_then(quoted)
        && after.is_empty()
    {
        return format!("类型为 `{kind}` 的值不能用于 for 循环");
    }
    if let Some((a, after)) = message.strip_prefix("Cannot compare ").and_then(quoted)
        && let Some((b, rest)) = after.strip_prefix(" with ").and_then(quoted)
        && rest.is_empty()
    {
        return format!("`{a}` 和 `{b}` 不能比较");
    }
    // `Found X but expected Y.`, where Y is code (no English words
    // outside backticks).
    if let Some((found, expected)) = message
        .strip_prefix("Found ")
        .and_then(|m| m.split_once(" but expected "))
    {
        let expected = expected.trim_end_matches('.');
        let words_outside_code = expected
            .split('`')
            .step_by(2)
            .any(|part| part.chars().any(|c| c.is_ascii_alphabetic()));
        if !words_outside_code {
            return format!("这里是 {found}，应当是 {expected}");
        }
    }
    format!("（Tera：{message}）")
}

/// A Tera error as a diagnostic at the template's file:line:col.
fn tera_diagnostic(e: &tera::Error, sources: &BTreeMap<String, (Origin, String)>) -> Diagnostic {
    let report = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some((
            r.filename().to_string(),
            Pos {
                line: r.span().start_line,
                col: r.span().start_col + 1,
            },
            r.message().to_string(),
        )),
        // Checks across templates (an unknown include) come as a text report.
        tera::ErrorKind::Msg(m) => located_report(m),
        _ => None,
    };
    let (file, text, at, message, name) = match report {
        Some((name, pos, message)) => {
            let (origin, text) = sources
                .get(&name)
                .map(|(o, t)| (o.clone(), t.clone()))
                .unwrap_or((Origin::Builtin, String::new()));
            (origin_path(&name, &origin), text, pos, message, name)
        }
        None => (
            PathBuf::from("templates"),
            String::new(),
            Pos::default(),
            e.to_string(),
            String::new(),
        ),
    };
    let hint = match e.kind() {
        tera::ErrorKind::SyntaxError(_) => {
            tr!(
                "fix the template syntax here: tags are {{% … %}}, values {{{{ … }}}}, comments {{# … #}}, and every {{% for %}} or {{% if %}} needs its {{% endfor %}} or {{% endif %}} (Tera 2; see docs/templates.md)",
                "请改正这里的模板写法：标签写作 `{{% … %}}`，取值写作 `{{{{ … }}}}`，注释写作 `{{# … #}}`；每个 `{{% for %}}` 或 `{{% if %}}` 都要有对应的 `{{% endfor %}}` 或 `{{% endif %}}`（Tera 2，见 docs/templates.md）"
            )
        }
        tera::ErrorKind::RenderingError(_) if name == PAGE_TEMPLATE => {
            tr!(
                "the page template sees `lang`, `title`, `draft`, `meta` (a list of `label`, `value`), `body`, `css_vars` and `page_rules`; see docs/templates.md",
                "网页模板可以用的有 `lang`、`title`、`draft`、`meta`（由 `label`、`value` 组成的列表）、`body`、`css_vars` 和 `page_rules`；见 docs/templates.md"
            )
        }
        tera::ErrorKind::RenderingError(_) => {
            tr!(
                "templates see `doc`, `intro`, `parts`, `outro`, `tasks`, `attachments` and `metrics` (e.g. metrics[\"托位\"].value); see docs/templates.md",
                "模板可以用的有 `doc`、`intro`、`parts`、`outro`、`tasks`、`attachments` 和 `metrics`（例如 `metrics[\"托位\"].value`）；见 docs/templates.md"
            )
        }
        _ if message.starts_with("Unknown template") => {
            let known: Vec<&str> = sources
                .keys()
                .map(String::as_str)
                .filter(|n| n.ends_with(".md.tera"))
                .collect();
            let wanted = message.split('`').nth(1).unwrap_or_default();
            // `sub/_y.md.tera`: the file itself may be there, by its name.
            let base = wanted.rsplit(['/', '\\']).next().unwrap_or(wanted);
            let close = match known.iter().find(|n| **n == base) {
                Some(n) => Some(*n),
                None if base == wanted => did_you_mean(wanted, known.iter().copied()),
                None => None,
            }
            .map(|s| tr!("did you mean `{s}`? ", "是不是 `{s}`？"))
            .unwrap_or_default();
            if crate::i18n::zh() {
                let known: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
                format!(
                    "{close}引用模板时写模板文件夹里的文件名（不读子文件夹）；现有的模板：{}",
                    known.join("、")
                )
            } else {
                format!(
                    "{close}a template is included by its file name in the templates folder (sub-folders are not read); known templates: {}",
                    known.join(", ")
                )
            }
        }
        _ => tr!(
            "templates are found by file name in the templates folder (`--templates`, default templates/), and may not include or extend each other in a circle; see docs/templates.md",
            "模板按文件名在模板文件夹里查找（`--templates`，默认是 templates/），模板之间不能循环引用或继承；见 docs/templates.md"
        ),
    };
    let message = match (crate::i18n::zh(), name.is_empty()) {
        (false, _) => format!("template: {message}"),
        (true, false) => tera_words(
            &name,
            at,
            matches!(e.kind(), tera::ErrorKind::SyntaxError(_)),
            &message,
        ),
        (true, true) => format!("模板出错：{}", tera_detail(&message)),
    };
    Diagnostic::error(&file, &text, at, message).with_hint(hint)
}

/// The first error of a Tera text report (`error: MESSAGE\n  --> NAME:LINE:COL`):
/// the template's name, the place and the message.
fn located_report(report: &str) -> Option<(String, Pos, String)> {
    let mut lines = report.lines();
    let message = lines
        .next()?
        .trim()
        .trim_start_matches("error: ")
        .to_string();
    let place = lines.next()?.trim().strip_prefix("--> ")?;
    let mut parts = place.rsplitn(3, ':');
    let col: usize = parts.next()?.parse().ok()?;
    let line: usize = parts.next()?.parse().ok()?;
    let name = parts.next()?.to_string();
    Some((name, Pos { line, col }, message))
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

    /// Tera's own message for the first error of `template` (compiled,
    /// then rendered with `doc` an empty map).
    fn tera_message(template: &str) -> String {
        let mut tera = new_tera();
        let e = match tera.add_raw_template("t.md.tera", template) {
            Err(e) => e,
            Ok(()) => {
                let mut ctx = tera::Context::new();
                ctx.insert("doc", &std::collections::BTreeMap::<String, String>::new());
                tera.render("t.md.tera", &ctx)
                    .expect_err("the template fails")
            }
        };
        match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                r.message().to_string()
            }
            tera::ErrorKind::Msg(m) => located_report(m).map_or(m.clone(), |(_, _, m)| m),
            _ => e.to_string(),
        }
    }

    #[test]
    fn common_tera_errors_are_told_in_chinese() {
        for (template, want) in [
            ("{{ nope }}", "变量 `nope` 没有定义"),
            ("{{ doc.nope }}", "字段 `nope` 没有定义"),
            ("{{ 1 | nope }}", "没有名为 `nope` 的过滤器"),
            ("{% if 1 is nope %}{% endif %}", "没有名为 `nope` 的测试"),
            ("{{ nope() }}", "没有名为 `nope` 的函数"),
            ("{% for x in 3 %}{% endfor %}", "的值不能用于 for 循环"),
            ("{{ doc.title }", "这里是 `}`，应当是 }}"),
        ] {
            let message = tera_message(template);
            let detail = tera_detail(&message);
            assert!(
                detail.contains(want) && !detail.contains("Tera"),
                "{template}: Tera said {message:?}, we say {detail:?}"
            );
        }
        // Anything else keeps Tera's words, marked as Tera's.
        assert_eq!(tera_detail("Something new"), "（Tera：Something new）");
    }

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

    fn tera_with(template: &str) -> Arc<Tera> {
        let mut tera = new_tera();
        tera.add_raw_template("t.md.tera", template).unwrap();
        Arc::new(tera)
    }

    fn budget(time_ms: u64, output_bytes: usize, range_steps: u64) -> Budget {
        Budget {
            time: Duration::from_millis(time_ms),
            output_bytes,
            range_steps,
        }
    }

    #[test]
    fn range_keeps_teras_arguments() {
        let t = tera_with(
            "{{ range(end=3) | join(sep=\",\") }} {{ range(start=1, end=10, step_by=3) | join(sep=\",\") }} {{ range(start=5, end=0, step_by=-2) | join(sep=\",\") }} {{ range(start=0, end=5, step_by=-1) | length }}",
        );
        let out = render_within(&t, "t.md.tera", Context::new(), &Budget::DEFAULT).unwrap();
        assert_eq!(out, "0,1,2 1,4,7 5,3,1 0");
        let t = tera_with("{{ range(end=100001) | length }}");
        let e = render_within(&t, "t.md.tera", Context::new(), &Budget::DEFAULT).unwrap_err();
        let shown = e.to_string();
        assert!(
            !shown.contains('\n') && shown.contains("(t.md.tera:1:"),
            "{shown}"
        );
    }

    #[test]
    fn a_render_past_its_deadline_is_abandoned() {
        // 10^9 iterations, each writing a byte: stopped at the deadline,
        // and the abandoned worker stops at its next write.
        let t = tera_with(
            "{% for a in range(end=1000) %}{% for b in range(end=1000) %}{% for c in range(end=1000) %}.{% endfor %}{% endfor %}{% endfor %}",
        );
        let start = std::time::Instant::now();
        let e = render_within(
            &t,
            "t.md.tera",
            Context::new(),
            &budget(300, 1 << 30, u64::MAX),
        )
        .unwrap_err();
        assert!(matches!(e, RenderError::TooSlow(_)), "{e:?}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            e.to_string(),
            "the template took longer than 0.3 s to render"
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while ABANDONED.load(Ordering::Relaxed) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(ABANDONED.load(Ordering::Relaxed), 0, "the worker stopped");
    }

    #[test]
    fn output_and_loop_steps_are_bounded() {
        let t = tera_with(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}0123456789{% endfor %}{% endfor %}",
        );
        let e = render_within(
            &t,
            "t.md.tera",
            Context::new(),
            &budget(20_000, 1 << 20, u64::MAX),
        )
        .unwrap_err();
        assert!(matches!(e, RenderError::TooLarge(_)), "{e:?}");
        assert_eq!(e.to_string(), "the template wrote more than 1 MiB");
        let t = tera_with(
            "{%- for i in range(end=100000) -%}\n{%- for j in range(end=100000) -%}{%- endfor -%}{%- endfor -%}",
        );
        let e = render_within(&t, "t.md.tera", Context::new(), &Budget::DEFAULT).unwrap_err();
        let RenderError::TooManySteps(limit, Some(located)) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*limit, 1_000_000);
        let d = tera_diagnostic(located, &BTreeMap::new());
        assert_eq!((d.line, d.col > 1), (2, true), "{d:?}");
        // Within the budget, a render is unchanged.
        let t = tera_with("{% for i in range(end=3) %}{{ i }}{% endfor %}");
        assert_eq!(
            render_within(&t, "t.md.tera", Context::new(), &Budget::DEFAULT).unwrap(),
            "012"
        );
    }

    #[test]
    fn template_errors_get_template_hints() {
        let dir = std::env::temp_dir().join(format!("zongjie-render-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let broken = dir.join("_parts.md.tera");
        std::fs::write(&broken, "一\n{% for p in parts %}\n{{ p.title }\n").unwrap();
        let Err(diags) = Templates::load(Some(&dir)) else {
            panic!("loads")
        };
        let d = &diags[0];
        assert_eq!(d.file, broken);
        assert!(d.line >= 2, "{d:?}");
        let hint = d.hint.as_deref().unwrap_or_default();
        assert!(hint.contains("template syntax"), "{hint}");
        assert!(
            !hint.contains("data file") && !hint.contains("YAML"),
            "{hint}"
        );
        std::fs::write(&broken, b"\xff\xfe{{ x }}").unwrap();
        let Err(diags) = Templates::load(Some(&dir)) else {
            panic!("loads")
        };
        let hint = diags[0].hint.as_deref().unwrap_or_default();
        assert!(hint.starts_with("save the template as UTF-8"), "{hint}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_template_a_genre_can_load_is_counted() {
        let dir = std::env::temp_dir().join(format!("zongjie-used-by-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        // Whitespace control, a nested include, extends, a component.
        write("annual.md.tera", "{%- include \"_mine.md.tera\" -%}\n");
        write("_mine.md.tera", "{%include '_deeper.md.tera'%}");
        write("_deeper.md.tera", "深");
        write(
            "half-year.md.tera",
            "{% extends \"_base.md.tera\" %}{% block b %}x{% endblock b %}",
        );
        write("_base.md.tera", "{% block b %}{% endblock b %}");
        write(
            "_parts.md.tera",
            "{% component Box() %}盒{% endcomponent Box %}",
        );
        write("_unused.md.tera", "无");
        let templates = Templates::load(Some(&dir)).unwrap();
        let annual = templates.used_by("工作总结和工作要点");
        for name in [
            "annual.md.tera",
            "_mine.md.tera",
            "_deeper.md.tera",
            "_parts.md.tera",
        ] {
            assert!(annual.iter().any(|n| n == name), "{name}: {annual:?}");
        }
        assert!(!annual.iter().any(|n| n == "_unused.md.tera"), "{annual:?}");
        assert!(!annual.iter().any(|n| n == "_base.md.tera"), "{annual:?}");
        let half = templates.used_by("半年总结和计划");
        for name in ["half-year.md.tera", "_base.md.tera", "_parts.md.tera"] {
            assert!(half.iter().any(|n| n == name), "{name}: {half:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn normalising_collapses_blank_lines() {
        assert_eq!(normalise_markdown("a  \n\n\n\nb\n\n"), "a\n\nb\n");
    }
}
