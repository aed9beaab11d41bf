//! The live preview server: serves the page a [`Site`] builds, watches the
//! site's inputs, rebuilds in memory on save and tells open pages to reload
//! (server-sent events on `/__events`). A failed build is shown as an error
//! panel over the last good draft (dimmed), its snippet marked with a caret
//! under the fault; the next good build replaces it. Each finished build is
//! reported to the caller's log ([`Rebuilt`]).
//!
//! Only four paths exist: `/` (the page), `/report.pdf` (built on demand,
//! one build at a time, cached by the site's input digest), `/report.docx`
//! (built on demand within the build deadline) and `/__events`;
//! everything else is 404. Everything is bounded: request heads
//! ([`http::MAX_HEAD_BYTES`], [`HEAD_TIMEOUT`]), open connections
//! ([`MAX_CONNECTIONS`]), event streams ([`MAX_STREAMS`], the oldest gives
//! way), and builds ([`BUILD_DEADLINE`]: a build still running then is
//! abandoned and reported; a panic is caught and reported). Every request
//! must name the server by a `Host` it answers to (localhost, the address
//! the request arrived on, or an allowed name: no DNS rebinding) and must
//! not come from another site (`Origin`, `Sec-Fetch-Site`).

pub mod http;
pub mod site;

use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::html::escape;
use crate::tr;
use http::{Head, HeadError};

/// Most connections served at once (event streams not counted once they
/// are open); more are answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 16;
/// A request head must arrive completely within this time.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// A response must be taken by the client within this time.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Most open event streams; a new one closes the oldest.
pub const MAX_STREAMS: usize = 16;
/// A build still running after this is abandoned and reported.
pub const BUILD_DEADLINE: Duration = Duration::from_secs(20);
/// Most builds running at once, abandoned ones included; while that many
/// are still running no new one starts.
pub const MAX_RUNNING_BUILDS: usize = 3;
/// Stack of a build thread (the command line's main thread has 8 MiB).
const BUILD_STACK: usize = 16 << 20;

/// How to serve the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewConfig {
    /// Interface to bind; `127.0.0.1` unless the user asks for another.
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the page in the default browser once listening.
    pub open_browser: bool,
    /// Host names answered besides `localhost` and the address a request
    /// arrived on (for a name on the network, with a non-loopback bind).
    pub allow_hosts: Vec<String>,
    /// A build still running after this is abandoned and reported.
    pub build_deadline: Duration,
    /// A request head must arrive within this.
    pub head_timeout: Duration,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        PreviewConfig {
            host: "127.0.0.1".into(),
            port: 0,
            open_browser: false,
            allow_hosts: Vec::new(),
            build_deadline: BUILD_DEADLINE,
            head_timeout: HEAD_TIMEOUT,
        }
    }
}

/// What the preview serves: the real pipeline implements this.
pub trait Site: Send + Sync + 'static {
    /// Files and folders whose change triggers a rebuild (data file, its
    /// imports, templates folder, profile), including files that do not
    /// exist yet. Asked again after every build, failed ones included.
    fn watched_paths(&self) -> Vec<PathBuf>;
    /// The full HTML page, built in memory.
    fn build_html(&self) -> Result<String, BuildFailure>;
    /// The PDF, built when `/report.pdf` is requested.
    fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure>;
    /// The DOCX, built when `/report.docx` is requested.
    fn build_docx(&self) -> Result<Vec<u8>, BuildFailure> {
        Err(BuildFailure {
            message: tr!("this preview makes no DOCX", "这个预览不生成 DOCX"),
            ..BuildFailure::default()
        })
    }
    /// A digest of everything a build would read now; the PDF is cached
    /// under it. `None`: the PDF is cached until the page is rebuilt.
    fn inputs_digest(&self) -> Option<String> {
        None
    }
}

/// The warning to print when the server is reachable from other machines.
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    let ip = addr.ip().to_canonical();
    if ip.is_loopback() {
        return None;
    }
    let port = addr.port();
    Some(if ip.is_unspecified() {
        tr!(
            "WARNING: the preview listens on every network interface of this machine, port {port}: anyone who can reach this machine can read the report.\n         Use `--host 127.0.0.1` (the default) unless you mean to share it; requests must name this machine by its address, localhost, the --host name or an --allow-host name.",
            "警告：预览在本机的所有网络接口上监听，端口 {port}：能连到这台机器的人都能看到这份报告。\n      除非有意共享，请使用 `--host 127.0.0.1`（默认值）；访问时须用本机地址、localhost、`--host` 给出的名称或 `--allow-host` 给出的名称。"
        )
    } else {
        tr!(
            "WARNING: the preview listens on {ip}, port {port}: anyone who can reach this machine can read the report.\n         Use `--host 127.0.0.1` (the default) unless you mean to share it; requests must name this machine by its address, localhost, the --host name or an --allow-host name.",
            "警告：预览在 {ip} 上监听，端口 {port}：能连到这台机器的人都能看到这份报告。\n      除非有意共享，请使用 `--host 127.0.0.1`（默认值）；访问时须用本机地址、localhost、`--host` 给出的名称或 `--allow-host` 给出的名称。"
        )
    })
}

/// A build error as the error panel shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildFailure {
    pub message: String,
    /// `file:line:col`.
    pub location: Option<String>,
    /// Source lines around the error, with a caret line if the producer has one.
    pub snippet: Option<String>,
    pub hint: Option<String>,
    /// The fault within `snippet`: 1-based character column and length in
    /// characters; the panel marks it and puts a caret under it.
    pub fault: Option<(usize, usize)>,
}

/// One finished build, for the terminal's log.
#[derive(Debug, Clone, Copy)]
pub struct Rebuilt<'a> {
    /// When it finished.
    pub at: SystemTime,
    /// How long it took.
    pub took: Duration,
    /// The page, or why there is none.
    pub result: Result<(), &'a BuildFailure>,
}

/// Where finished builds are reported.
pub type Log = Box<dyn Fn(&Rebuilt<'_>) + Send + Sync>;

impl fmt::Display for BuildFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(s) = &self.snippet {
            write!(f, "\n{s}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "{}", tr!("\nhint: {h}", "\n提示：{h}"))?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildFailure {}

/// Editor temp files and backups that must not trigger a rebuild.
pub fn is_editor_temp(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == "4913"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".orig"]
            .iter()
            .any(|s| name.ends_with(s))
        || name.starts_with(".goutputstream-")
}

/// Whether a changed `path` is one the site depends on: one of the watched
/// files, or inside a watched folder but neither an editor temp file nor
/// under an `output` folder of it.
pub fn is_relevant(path: &Path, files: &BTreeSet<PathBuf>, dirs: &BTreeSet<PathBuf>) -> bool {
    if files.contains(path) {
        return true;
    }
    if is_editor_temp(path) {
        return false;
    }
    dirs.iter().any(|dir| {
        path.strip_prefix(dir).is_ok_and(|rel| {
            !rel.components()
                .any(|c| matches!(c, Component::Normal(n) if n == "output" || n == ".git"))
        })
    })
}

/// The script and toolbar the server adds to every page it serves: "PDF"
/// and "DOCX" links and an `EventSource` that reloads when the build number changes
/// (keeping the scroll position).
pub fn reload_snippet(generation: u64) -> String {
    format!(
        r#"<div id="zongjie-preview" style="position:fixed;top:8px;right:8px;z-index:100;font:13px/1 system-ui,sans-serif"><a href="/report.pdf" target="_blank" style="display:inline-block;padding:6px 10px;background:#b3261e;color:#fff;text-decoration:none;border-radius:4px">PDF</a> <a href="/report.docx" style="display:inline-block;padding:6px 10px;background:#1f4e9c;color:#fff;text-decoration:none;border-radius:4px">DOCX</a></div>
<style>@media print {{ #zongjie-preview {{ display: none !important; }} }}</style>
<script>
(function () {{
  var built = "{generation}";
  var key = "zongjie-scroll";
  var y = sessionStorage.getItem(key);
  if (y !== null) {{ sessionStorage.removeItem(key); window.scrollTo(0, Number(y)); }}
  var events = new EventSource("/__events");
  events.addEventListener("build", function (e) {{
    if (e.data !== built) {{
      sessionStorage.setItem(key, String(window.scrollY));
      events.close();
      location.reload();
    }}
  }});
}})();
</script>
"#
    )
}

/// Inserts the reload snippet before the page's last `</body>` (or at the end).
pub fn inject(page: &str, generation: u64) -> String {
    let snippet = reload_snippet(generation);
    let lower = page.to_ascii_lowercase();
    match lower.rfind("</body>") {
        Some(i) => format!("{}{}{}", &page[..i], snippet, &page[i..]),
        None => format!("{page}{snippet}"),
    }
}

/// The page shown instead of the report when a build fails; every field is
/// escaped. The server injects the reload snippet into it like any page.
pub fn error_page(failure: &BuildFailure) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{}</title>
<style>
body {{ margin: 0; background: #8a8d91; }}
{PANEL_CSS}#zongjie-error {{ max-width: 860px; margin: 48px auto; }}
</style>
</head>
<body>
{}</body>
</html>
"#,
        crate::i18n::pick("构建失败 · build failed", "生成失败"),
        error_panel(failure, false)
    )
}

/// The error panel's style (every rule scoped to `#zongjie-error`).
const PANEL_CSS: &str = "#zongjie-error { box-sizing: border-box; background: #fff; border-top: 6px solid #b3261e; padding: 20px 28px; box-shadow: 0 2px 10px rgba(0,0,0,.4); font: 15px/1.6 zongjie-panel, system-ui, \"Noto Sans CJK SC\", sans-serif; color: #1f1f1f; text-align: left; }
#zongjie-error * { text-indent: 0; letter-spacing: normal; text-align: left; }
#zongjie-error h1 { margin: 0 0 12px; font: bold 20px/1.4 zongjie-panel, system-ui, \"Noto Sans CJK SC\", sans-serif; color: #b3261e; }
#zongjie-error p { margin: 0 0 8px; font: 15px/1.6 zongjie-panel, system-ui, \"Noto Sans CJK SC\", sans-serif; }
#zongjie-error .message { font-size: 17px; white-space: pre-wrap; }
#zongjie-error code { font: 14px/1.5 ui-monospace, monospace, zongjie-panel, \"Noto Sans Mono CJK SC\"; }
#zongjie-error pre { background: #f6f6f6; padding: 10px 12px 18px; overflow-x: auto; font: 14px/2.4 ui-monospace, monospace, zongjie-panel, \"Noto Sans Mono CJK SC\"; }
#zongjie-error .fault { position: relative; background: #fde7e9; border-bottom: 2px solid #b3261e; }
#zongjie-error .caret { position: absolute; left: 0; top: 1.3em; color: #b3261e; font: bold 16px/1 ui-monospace, monospace; }
#zongjie-error .hint { color: #0b57d0; }
#zongjie-error .note { color: #666; font-size: 13px; }
";

/// The snippet with the fault marked and a caret under its first
/// character (placed by the browser, so it sits under the character
/// whatever the font's widths); every piece escaped.
fn snippet_html(snippet: &str, fault: Option<(usize, usize)>) -> String {
    let Some((col, len)) = fault else {
        return escape(snippet);
    };
    let chars: Vec<char> = snippet.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let end = (start + len.max(1)).min(chars.len());
    let piece = |a: usize, b: usize| escape(&chars[a..b].iter().collect::<String>());
    let marked = if start == end {
        " ".to_string()
    } else {
        piece(start, end)
    };
    format!(
        "{}<span class=\"fault\">{marked}<span class=\"caret\" aria-hidden=\"true\">^</span></span>{}",
        piece(0, start),
        piece(end, chars.len())
    )
}

/// The panel with its own font: the bundled sans face subset to the
/// panel's characters (`font-family: zongjie-panel`), so that its Chinese
/// shows on a machine with no Chinese font, as the draft's does.
fn error_panel(failure: &BuildFailure, over_draft: bool) -> String {
    let panel = panel_html(failure, over_draft);
    let chars: BTreeSet<char> = panel.chars().filter(|c| !c.is_ascii()).collect();
    let fonts = crate::fonts::FontSet::bundled();
    let face = &fonts.faces[fonts.role(crate::fonts::Role::Heading1)];
    match crate::webfonts::font_face_rule(face, "zongjie-panel", &chars) {
        Ok(rule) if !chars.is_empty() => format!("<style>\n{rule}\n</style>\n{panel}"),
        _ => panel,
    }
}

/// The panel itself (`<div id="zongjie-error">`); `over_draft`: it sits
/// over the last good draft, and says so.
fn panel_html(failure: &BuildFailure, over_draft: bool) -> String {
    let mut body = format!("<p class=\"message\">{}</p>\n", escape(&failure.message));
    if let Some(loc) = &failure.location {
        body.push_str(&format!(
            "<p class=\"location\"><code>{}</code></p>\n",
            escape(loc)
        ));
    }
    if let Some(snippet) = &failure.snippet {
        body.push_str(&format!(
            "<pre class=\"snippet\">{}</pre>\n",
            snippet_html(snippet, failure.fault)
        ));
    }
    if let Some(hint) = &failure.hint {
        let hint = escape(hint);
        body.push_str(&tr!(
            "<p class=\"hint\">提示 hint: {hint}</p>\n",
            "<p class=\"hint\">提示：{hint}</p>\n"
        ));
    }
    use crate::i18n::pick;
    let note = if over_draft {
        pick(
            "下面是上次成功生成的稿子（已变暗）；保存修改后页面会自动刷新。Below: the last good draft, dimmed. The page reloads by itself on the next save.",
            "下面是上次成功生成的稿子（已变暗）；改正并保存后，页面会自动刷新。",
        )
    } else {
        pick(
            "保存修改后页面会自动刷新。The page reloads by itself on the next save.",
            "改正并保存后，页面会自动刷新。",
        )
    };
    let heading = pick("构建失败 · Build failed", "生成失败");
    format!(
        "<div class=\"error-panel\" id=\"zongjie-error\" role=\"alert\">\n<h1>{heading}</h1>\n{body}<p class=\"note\">{note}</p>\n</div>\n"
    )
}

/// The last good draft with the error panel over it: the panel fixed at the
/// top of the window, the draft dimmed beneath it (still scrollable).
pub fn error_over_draft(draft: &str, failure: &BuildFailure) -> String {
    let overlay = format!(
        "<style>\n{PANEL_CSS}#zongjie-error {{ position: fixed; top: 0; left: 50%; transform: translateX(-50%); width: min(860px, 96vw); max-height: 45vh; overflow: auto; z-index: 99; }}\nbody > :not(#zongjie-error):not(#zongjie-preview):not(script):not(style) {{ opacity: .35; filter: grayscale(.7); }}\n</style>\n{}",
        error_panel(failure, true)
    );
    let lower = draft.to_ascii_lowercase();
    let after_body = lower
        .find("<body")
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1));
    match after_body {
        Some(i) => format!("{}\n{overlay}{}", &draft[..i], &draft[i..]),
        None => format!("{overlay}{draft}"),
    }
}

struct State {
    generation: u64,
    page: Result<String, BuildFailure>,
    /// The page of the last build that succeeded, shown dimmed under the
    /// error panel while a build fails.
    last_good: Option<String>,
}

/// The PDF of one input digest: being built, or its result.
#[derive(Default)]
struct PdfCache {
    key: Option<String>,
    building: bool,
    result: Option<Result<Arc<Vec<u8>>, BuildFailure>>,
}

/// An open event stream, handed from its request to the broadcaster.
struct EventStream {
    stream: TcpStream,
    sent: u64,
    last_write: Instant,
    received: usize,
}

struct Shared {
    site: Arc<dyn Site>,
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
    access: Access,
    build_deadline: Duration,
    head_timeout: Duration,
    /// Builds running now, abandoned ones included.
    running: Arc<AtomicUsize>,
    connections: AtomicUsize,
    streams: Mutex<VecDeque<EventStream>>,
    pdf: Mutex<PdfCache>,
    pdf_done: Condvar,
    log: Option<Log>,
    /// The inputs' digest taken before the first build (see `watch_loop`).
    first_inputs: Option<String>,
}

fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        relock(&self.state)
    }

    /// Rebuilds the page; `false` when no build could start (too many
    /// abandoned builds still running).
    fn rebuild(&self) -> bool {
        let started = Instant::now();
        let Some(page) = self.bounded(|site| site.build_html()) else {
            return false;
        };
        if let Some(log) = &self.log {
            log(&Rebuilt {
                at: SystemTime::now(),
                took: started.elapsed(),
                result: page.as_ref().map(|_| ()),
            });
        }
        let mut state = self.lock();
        state.generation += 1;
        if let Ok(good) = &page {
            state.last_good = Some(good.clone());
        }
        state.page = page;
        self.changed.notify_all();
        true
    }

    fn bounded<T: Send + 'static>(
        &self,
        job: fn(&dyn Site) -> Result<T, BuildFailure>,
    ) -> Option<Result<T, BuildFailure>> {
        run_bounded(&self.site, &self.running, self.build_deadline, job)
    }
}

/// Gives a counted slot back when dropped.
struct Held<'a>(&'a AtomicUsize);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The same, owning its counter (for threads that may outlive the caller).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs one build on its own thread and waits at most `deadline`. A panic
/// becomes an internal-error failure; a build still running at the
/// deadline is abandoned (its thread finishes on its own) and reported.
/// `None` when [`MAX_RUNNING_BUILDS`] builds are still running.
fn run_bounded<T: Send + 'static>(
    site: &Arc<dyn Site>,
    running: &Arc<AtomicUsize>,
    deadline: Duration,
    job: fn(&dyn Site) -> Result<T, BuildFailure>,
) -> Option<Result<T, BuildFailure>> {
    if running.fetch_add(1, Ordering::SeqCst) >= MAX_RUNNING_BUILDS {
        running.fetch_sub(1, Ordering::SeqCst);
        return None;
    }
    let slot = Slot(Arc::clone(running));
    let site = Arc::clone(site);
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("zongjie-build".into())
        .stack_size(BUILD_STACK)
        .spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(|| job(&*site)));
            drop(slot);
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Some(Err(BuildFailure {
            message: {
                let e = crate::i18n::io_error(&e);
                tr!(
                    "internal error: cannot start a build thread: {e}",
                    "内部错误：无法启动生成线程：{e}"
                )
            },
            hint: Some(tr!(
                "the machine is short of memory or threads; close something and save again",
                "这台机器的内存或线程不够了；请关掉一些程序，再保存一次"
            )),
            ..BuildFailure::default()
        }));
    }
    Some(match rx.recv_timeout(deadline) {
        Ok(Ok(result)) => result,
        Ok(Err(payload)) => Err(internal_error(&panic_message(payload.as_ref()))),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(abandoned(deadline)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(internal_error(&tr!(
            "the build ended without a result",
            "生成过程没有给出结果就结束了"
        ))),
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| tr!("a panic without a message", "没有说明原因"))
}

/// The panel for a build that panicked: a bug in zongjie, not in the data.
pub fn internal_error(what: &str) -> BuildFailure {
    BuildFailure {
        message: tr!(
            "internal error: the build crashed ({what})",
            "内部错误：生成过程崩溃了（{what}）"
        ),
        location: None,
        snippet: None,
        fault: None,
        hint: Some(tr!(
            "this is a bug in zongjie, not in your data: please report it with the data file. The preview keeps running and builds again on the next save",
            "这是 zongjie 的缺陷，不是数据的问题：请报告这个问题，并附上数据文件。预览会继续运行，下次保存时再生成"
        )),
    }
}

/// The panel for a build abandoned at the deadline.
pub fn abandoned(deadline: Duration) -> BuildFailure {
    BuildFailure {
        message: tr!(
            "the build did not finish within {} s and was abandoned",
            "生成没有在 {} 秒内完成，已经放弃",
            deadline.as_secs_f64()
        ),
        location: None,
        snippet: None,
        fault: None,
        hint: Some(tr!(
            "a template may loop too long (look at `{{% for %}}` ranges in your templates) or the data may be huge; fix it and save: the preview keeps watching",
            "可能是模板里的循环太长（请查看模板中 `{{% for %}}` 的范围），也可能是数据太大；改正后保存即可，预览一直在监视文件"
        )),
    }
}

fn busy() -> BuildFailure {
    BuildFailure {
        message: tr!(
            "{MAX_RUNNING_BUILDS} earlier builds are still running past their deadline, so no new build was started",
            "之前的 {MAX_RUNNING_BUILDS} 次生成超过时限仍在运行，所以没有开始新的生成"
        ),
        hint: Some(tr!(
            "the preview builds again as soon as one of them ends; restart the preview to stop them at once",
            "其中一次结束后，预览会马上重新生成；要立即停止它们，请重新启动预览"
        )),
        ..BuildFailure::default()
    }
}

/// A running preview server; dropping it does not stop it, [`Preview::stop`] does.
pub struct Preview {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Preview {
    /// The address actually bound (the port is real when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Number of completed builds so far (1 after start).
    pub fn generation(&self) -> u64 {
        self.shared.lock().generation
    }

    /// Connections being served now (open event streams not counted).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Event streams open now.
    pub fn event_streams(&self) -> usize {
        relock(&self.shared.streams).len()
    }

    /// Blocks until the server stops.
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops accepting requests, ends event streams and the watcher.
    pub fn stop(self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.changed.notify_all();
        self.shared.pdf_done.notify_all();
        // Wake the acceptor, which blocks in accept().
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let _ = TcpStream::connect_timeout(
            &SocketAddr::new(ip, self.addr.port()),
            Duration::from_secs(1),
        );
        self.wait();
    }
}

/// The Host names answered besides localhost and the arrival address:
/// every `--allow-host`, and the `--host` itself when it is a name (the
/// user chose it to reach the preview; an attacker's name never is).
pub fn allowed_names(config: &PreviewConfig) -> Vec<String> {
    let mut names: Vec<String> = config
        .allow_hosts
        .iter()
        .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let host = config
        .host
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if !host.is_empty() && host.parse::<IpAddr>().is_err() {
        names.push(host.trim_end_matches('.').to_ascii_lowercase());
    }
    names.sort();
    names.dedup();
    names
}

/// Binds, builds the page once, and starts the acceptor, watcher and
/// event broadcaster threads.
pub fn start(site: Arc<dyn Site>, config: &PreviewConfig) -> io::Result<Preview> {
    start_logged(site, config, None)
}

/// [`start`], reporting every finished build to `log`.
pub fn start_logged(
    site: Arc<dyn Site>,
    config: &PreviewConfig,
    log: Option<Log>,
) -> io::Result<Preview> {
    let host = if config.host.trim().is_empty() {
        "127.0.0.1"
    } else {
        config
            .host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
    };
    let addrs: Vec<SocketAddr> = (host, config.port).to_socket_addrs()?.collect();
    let listener = TcpListener::bind(&addrs[..])?;
    let addr = listener.local_addr()?;
    let site_digest = site.inputs_digest();
    let shared = Arc::new(Shared {
        site,
        state: Mutex::new(State {
            generation: 0,
            page: Err(BuildFailure {
                message: tr!(
                    "the first build has not finished yet",
                    "第一次生成还没有完成"
                ),
                ..BuildFailure::default()
            }),
            last_good: None,
        }),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
        access: Access {
            port: addr.port(),
            allow_hosts: allowed_names(config),
        },
        build_deadline: config.build_deadline,
        head_timeout: config.head_timeout,
        running: Arc::new(AtomicUsize::new(0)),
        connections: AtomicUsize::new(0),
        streams: Mutex::new(VecDeque::new()),
        pdf: Mutex::new(PdfCache::default()),
        pdf_done: Condvar::new(),
        log,
        first_inputs: site_digest,
    });
    shared.rebuild();
    let mut threads = Vec::new();
    for (name, job) in [
        ("zongjie-watch", watch_loop as fn(&Arc<Shared>)),
        ("zongjie-events", broadcast_loop),
    ] {
        let shared = Arc::clone(&shared);
        threads.push(
            thread::Builder::new()
                .name(name.into())
                .spawn(move || job(&shared))?,
        );
    }
    let acceptor = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("zongjie-http".into())
            .spawn(move || accept_loop(&listener, &shared))?
    };
    threads.push(acceptor);
    Ok(Preview {
        addr,
        shared,
        threads,
    })
}

/// `zongjie preview`: starts, calls `ready` with the bound address, opens
/// the browser if asked, then serves until the process ends.
pub fn serve(
    site: Arc<dyn Site>,
    config: PreviewConfig,
    ready: impl FnOnce(SocketAddr),
) -> io::Result<()> {
    serve_logged(site, config, ready, None)
}

/// [`serve`], reporting every finished build to `log`.
pub fn serve_logged(
    site: Arc<dyn Site>,
    config: PreviewConfig,
    ready: impl FnOnce(SocketAddr),
    log: Option<Log>,
) -> io::Result<()> {
    let preview = start_logged(site, &config, log)?;
    ready(preview.addr());
    if config.open_browser {
        open_in_browser(&preview.url());
    }
    preview.wait();
    Ok(())
}

/// Best effort: the platform's "open this URL" command.
fn open_in_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let _ = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

// ---------------------------------------------------------------- watching

/// Files and folders to watch, and the directories to register with the OS
/// (a file is watched through its folder, so saves by rename are seen).
#[derive(Default, PartialEq, Eq)]
struct WatchSet {
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
    roots: BTreeSet<(PathBuf, bool)>,
}

/// Most missing folder levels above a watched path that does not exist
/// yet (an import in a folder still to be made).
const MAX_MISSING_LEVELS: usize = 4;

/// The path made absolute through its nearest existing ancestor: that
/// ancestor (canonical) and the missing names below it (empty when the
/// path exists).
fn absolute(path: &Path) -> Option<(PathBuf, Vec<std::ffi::OsString>)> {
    let mut missing = Vec::new();
    let mut at = path;
    loop {
        let here = if at.as_os_str().is_empty() {
            Path::new(".")
        } else {
            at
        };
        if let Ok(p) = here.canonicalize() {
            missing.reverse();
            return Some((p, missing));
        }
        if missing.len() > MAX_MISSING_LEVELS {
            return None;
        }
        match at.components().next_back() {
            Some(Component::Normal(name)) => missing.push(name.to_os_string()),
            _ => return None,
        }
        at = at.parent()?;
    }
}

fn watch_set(paths: &[PathBuf]) -> WatchSet {
    let mut set = WatchSet::default();
    for path in paths {
        let Some((mut abs, missing)) = absolute(path) else {
            continue;
        };
        if missing.is_empty() && abs.is_dir() {
            set.roots.insert((abs.clone(), true));
            set.dirs.insert(abs);
            continue;
        }
        if missing.is_empty() {
            if let Some(parent) = abs.parent() {
                set.roots.insert((parent.to_path_buf(), false));
            }
            set.files.insert(abs);
            continue;
        }
        // Not there yet: watch the nearest folder that is, for the first
        // missing level; the rebuild its creation triggers watches deeper.
        set.roots.insert((abs.clone(), false));
        for name in missing {
            abs.push(name);
            set.files.insert(abs.clone());
        }
    }
    // A folder watched recursively covers non-recursive watches inside it.
    let recursive: Vec<PathBuf> = set
        .roots
        .iter()
        .filter(|(_, r)| *r)
        .map(|(p, _)| p.clone())
        .collect();
    set.roots
        .retain(|(p, r)| *r || !recursive.iter().any(|d| p.starts_with(d)));
    set
}

fn is_change(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
    )
}

/// How long the watcher waits for the next event of a save before it
/// builds: editors that save by writing a temp file and renaming it over
/// the data file send their events within a few milliseconds.
const QUIET: Duration = Duration::from_millis(20);
/// The wait once an event says a file is complete (closed after writing,
/// or renamed into place): only what an editor does right after that.
const SETTLE: Duration = Duration::from_millis(5);
/// The wait after a folder appears (`templates/`, an import's folder): the
/// files written into it come next, and the new folder is watched only
/// from the build on.
const FOLDER_QUIET: Duration = Duration::from_millis(100);
/// A burst of events (a folder copied in, a generator writing many files)
/// builds at least this often.
const DEBOUNCE_MAX: Duration = Duration::from_millis(250);
const POLL: Duration = Duration::from_millis(200);

/// Whether an event says a file is complete: closed after writing, or
/// renamed into place (a write-rename save ends so). Only such an event on
/// a watched file shortens the wait: a temp file closed before its rename
/// does not.
fn completes_a_file(ev: &notify::Result<notify::Event>) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    matches!(
        ev.as_ref().map(|e| e.kind),
        Ok(EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)))
    )
}

/// The quiet period after an event: `SETTLE` when it completes a watched
/// file (`completes`), `FOLDER_QUIET` when it creates a folder, else `QUIET`.
fn quiet_after(ev: &notify::Result<notify::Event>, completes: bool) -> Duration {
    use notify::event::CreateKind;
    if completes {
        SETTLE
    } else if matches!(
        ev.as_ref().map(|e| e.kind),
        Ok(EventKind::Create(CreateKind::Folder))
    ) {
        FOLDER_QUIET
    } else {
        QUIET
    }
}

/// How much longer to wait for more events of a save that began
/// `elapsed` ago, `quiet` being the last event's quiet period; `None` to
/// build now. Every new event restarts the quiet period, up to
/// `DEBOUNCE_MAX`.
fn quiet_wait(elapsed: Duration, quiet: Duration) -> Option<Duration> {
    let left = DEBOUNCE_MAX.checked_sub(elapsed).filter(|d| !d.is_zero())?;
    Some(quiet.min(left))
}

fn watch_loop(shared: &Arc<Shared>) {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = match notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    }) {
        Ok(w) => w,
        Err(e) => {
            let mut state = shared.lock();
            state.page = Err(BuildFailure {
                message: tr!(
                    "cannot watch files for changes: {e}",
                    "无法监视文件的变化（{e}）"
                ),
                hint: Some(tr!(
                    "the preview will not update; restart it",
                    "预览不会自动更新了；请重新启动预览"
                )),
                ..BuildFailure::default()
            });
            state.generation += 1;
            shared.changed.notify_all();
            return;
        }
    };
    let mut current = WatchSet::default();
    // Whether a folder or file is watched now that was not before.
    let update = |watcher: &mut notify::RecommendedWatcher, current: &mut WatchSet| -> bool {
        let next = watch_set(&shared.site.watched_paths());
        for (root, _) in current.roots.difference(&next.roots) {
            let _ = watcher.unwatch(root);
        }
        let added = next.roots.difference(&current.roots).next().is_some();
        for (root, recursive) in next.roots.difference(&current.roots) {
            let mode = if *recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            let _ = watcher.watch(root, mode);
        }
        *current = next;
        added
    };
    update(&mut watcher, &mut current);
    // A save between the first build and the watches is seen by no event:
    // the inputs are digested again now that they are watched, and built
    // again if they changed.
    if shared.first_inputs.is_some() && shared.site.inputs_digest() != shared.first_inputs {
        shared.rebuild();
        update(&mut watcher, &mut current);
    }
    let relevant = |ev: &notify::Result<notify::Event>, set: &WatchSet| match ev {
        Ok(ev) => {
            is_change(&ev.kind)
                && ev
                    .paths
                    .iter()
                    .any(|p| is_relevant(p, &set.files, &set.dirs))
        }
        // Lost events: rebuild to be safe.
        Err(_) => true,
    };
    // A change seen while no build could start (too many abandoned builds
    // still running): built as soon as one ends.
    let mut pending = false;
    while !shared.stop.load(Ordering::SeqCst) {
        let first = match rx.recv_timeout(POLL) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if pending && shared.rebuild() {
                    pending = false;
                    update(&mut watcher, &mut current);
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if !relevant(&first, &current) {
            continue;
        }
        // Debounce: wait until the burst of a save is over.
        let started = Instant::now();
        let quiet = |ev: &notify::Result<notify::Event>| {
            quiet_after(ev, completes_a_file(ev) && relevant(ev, &current))
        };
        let mut last_quiet = quiet(&first);
        while let Some(wait) = quiet_wait(started.elapsed(), last_quiet) {
            match rx.recv_timeout(wait) {
                Ok(ev) => last_quiet = quiet(&ev),
                Err(_) => break,
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        // The build runs bounded (`run_bounded`): a stuck one costs at most
        // the deadline here, then watching goes on.
        pending = !shared.rebuild();
        // A folder created by the save (templates/, an import's folder) is
        // watched only from now on, so what was written into it before is
        // caught by one more build (a few at most).
        let mut rounds = 0;
        while update(&mut watcher, &mut current) && !pending && rounds < 3 {
            pending = !shared.rebuild();
            rounds += 1;
        }
    }
}

// ---------------------------------------------------------------- serving

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match conn {
            Ok(s) => s,
            Err(_) => {
                // Out of file descriptors or a reset before accept: back off.
                thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            refuse_busy(stream);
            continue;
        }
        let conn_shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("zongjie-request".into())
            .spawn(move || {
                // Released however the handler ends.
                let _slot = Held(&conn_shared.connections);
                serve_connection(stream, &conn_shared);
            });
        if spawned.is_err() {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Over the connection limit: a 503 if the socket takes it at once, then close.
fn refuse_busy(stream: TcpStream) {
    let body = tr!(
        "503: the preview is serving too many connections; try again\n",
        "503：预览正在处理的连接太多；请稍后再试\n"
    );
    let head = http::response_head(503, TEXT, Some(body.len()));
    let mut stream = stream;
    if stream.set_nonblocking(true).is_ok() {
        let _ = stream.write(format!("{head}{body}").as_bytes());
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
}

/// Which names a server answers to in `Host`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The bound port (a `Host` must carry it, unless it is 80).
    pub port: u16,
    /// Extra names allowed (lower case).
    pub allow_hosts: Vec<String>,
}

/// What a request asks for, decided from its head and the address it
/// arrived on alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Page,
    Pdf,
    Docx,
    Events,
    NotFound,
    MethodNotAllowed,
    ForbiddenHost,
    ForbiddenOrigin,
}

/// Splits `name[:port]` or `[v6]:port`; `None` when malformed.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => {
            let (name, after) = rest.split_once(']')?;
            match after {
                "" => (name, None),
                _ => (name, Some(after.strip_prefix(':')?)),
            }
        }
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port = match port {
        None => None,
        Some(p) => Some(p.parse().ok()?),
    };
    (!name.is_empty()).then_some((name, port))
}

/// Whether a `Host` header names this server: `localhost`, the address the
/// request arrived on (`local`: the bound address, or for a wildcard bind
/// one of the machine's own addresses), or an allowed name; with the bound
/// port. Any other name is a DNS-rebinding attempt.
pub fn host_allowed(host: &str, local: IpAddr, access: &Access) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let Some((name, port)) = split_host(&host) else {
        return false;
    };
    if port.unwrap_or(80) != access.port {
        return false;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name == "localhost" {
        return true;
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return ip.to_canonical() == local.to_canonical();
    }
    access.allow_hosts.iter().any(|a| a == name)
}

/// Whether a request comes from the preview's own pages (or from no page
/// at all): no `Origin` but our own, no cross-site fetch metadata.
pub fn same_origin(head: &Head, host: &str) -> bool {
    if matches!(head.fetch_site.as_deref(), Some("cross-site" | "same-site")) {
        return false;
    }
    match head.origin.as_deref() {
        None => true,
        Some(origin) => origin.eq_ignore_ascii_case(&format!("http://{}", host.trim())),
    }
}

/// Routes a request. Only the exact paths `/`, `/index.html`,
/// `/report.pdf`, `/report.docx` and `/__events` exist (a query string is ignored), so no
/// path can reach the file system. The Host and Origin checks come first,
/// on every path.
pub fn route(head: &Head, local: IpAddr, access: &Access) -> Route {
    let Some(host) = head
        .host
        .as_deref()
        .filter(|h| host_allowed(h, local, access))
    else {
        return Route::ForbiddenHost;
    };
    if !same_origin(head, host) {
        return Route::ForbiddenOrigin;
    }
    let path = head.target.split(['?', '#']).next().unwrap_or("");
    let route = match path {
        "/" | "/index.html" => Route::Page,
        "/report.pdf" => Route::Pdf,
        "/report.docx" => Route::Docx,
        "/__events" => Route::Events,
        _ => return Route::NotFound,
    };
    if head.method == "GET" || head.method == "HEAD" {
        route
    } else {
        Route::MethodNotAllowed
    }
}

const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn serve_connection(mut stream: TcpStream, shared: &Arc<Shared>) {
    let local = match stream.local_addr() {
        Ok(a) => a.ip(),
        Err(_) => return,
    };
    let head = http::read_head(&mut stream, Instant::now() + shared.head_timeout);
    // Refusals are short: two seconds to take them, from now.
    let short = Instant::now() + Duration::from_secs(2);
    let head = match head {
        Ok(head) => head,
        Err(HeadError::TooLarge) => {
            let body = tr!(
                "431: the request head is larger than {} bytes or has more than {} fields\n",
                "431：请求头超过 {} 字节，或多于 {} 个字段\n",
                http::MAX_HEAD_BYTES,
                http::MAX_HEADERS
            );
            return http::respond(&mut stream, 431, TEXT, body.as_bytes(), false, short);
        }
        Err(HeadError::Malformed) => {
            let body = tr!("400: not an HTTP request\n", "400：这不是 HTTP 请求\n");
            return http::respond(&mut stream, 400, TEXT, body.as_bytes(), false, short);
        }
        Err(HeadError::Timeout) => {
            let body = tr!(
                "408: the request head did not arrive within {} s\n",
                "408：请求头没有在 {} 秒内到达\n",
                shared.head_timeout.as_secs_f64()
            );
            return http::respond(&mut stream, 408, TEXT, body.as_bytes(), false, short);
        }
        Err(HeadError::Closed) => return,
    };
    let head_only = head.method == "HEAD";
    // The write deadline starts when the response is ready (a PDF may
    // first take its build).
    let mut send = |status: u16, content_type: &str, body: &[u8]| {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        http::respond(&mut stream, status, content_type, body, head_only, deadline);
    };
    match route(&head, local, &shared.access) {
        Route::Page => {
            let (status, html) = {
                let state = shared.lock();
                match (&state.page, &state.last_good) {
                    (Ok(page), _) => (200, inject(page, state.generation)),
                    (Err(f), Some(good)) => {
                        (500, inject(&error_over_draft(good, f), state.generation))
                    }
                    (Err(f), None) => (500, inject(&error_page(f), state.generation)),
                }
            };
            send(status, HTML, html.as_bytes());
        }
        Route::Pdf => match pdf(shared) {
            Ok(bytes) => send(200, "application/pdf", &bytes),
            Err(f) => {
                let generation = shared.lock().generation;
                send(500, HTML, inject(&error_page(&f), generation).as_bytes());
            }
        },
        Route::Docx => match shared.bounded(|site| site.build_docx()) {
            Some(Ok(bytes)) => send(200, DOCX, &bytes),
            failed => {
                let f = failed.map_or_else(busy, |r| r.err().unwrap_or_default());
                let generation = shared.lock().generation;
                send(500, HTML, inject(&error_page(&f), generation).as_bytes());
            }
        },
        Route::Events => open_events(stream, shared, head_only),
        Route::NotFound => {
            let body = tr!("404 not found\n", "404：没有这个页面\n");
            send(404, TEXT, body.as_bytes())
        }
        Route::MethodNotAllowed => {
            let body = tr!("405 method not allowed\n", "405：不支持这种请求方式\n");
            send(405, TEXT, body.as_bytes())
        }
        Route::ForbiddenHost => {
            let host = head.host.as_deref();
            let body = match host {
                Some(host) => tr!(
                    "403: this preview answers only to localhost and its own address, not to the Host {host:?}; to use a name, start it with --allow-host NAME\n",
                    "403：这个预览只接受 localhost 和它自己的地址，不接受主机名 {host:?}；要用这个名称访问，请加 `--allow-host NAME` 启动预览\n"
                ),
                None => tr!(
                    "403: this preview answers only to localhost and its own address, not to the Host \"(none)\"; to use a name, start it with --allow-host NAME\n",
                    "403：这个预览只接受 localhost 和它自己的地址，请求没有给出主机名；要用某个名称访问，请加 `--allow-host NAME` 启动预览\n"
                ),
            };
            send(403, TEXT, body.as_bytes());
        }
        Route::ForbiddenOrigin => {
            let body = tr!(
                "403: requests from other sites are refused; open the preview's own address\n",
                "403：拒绝来自其他网站的请求；请直接打开预览自己的地址\n"
            );
            send(403, TEXT, body.as_bytes())
        }
    }
}

/// The PDF for the site's current inputs: built once per input digest, one
/// build at a time; concurrent requests wait for it and share its result.
fn pdf(shared: &Arc<Shared>) -> Result<Arc<Vec<u8>>, BuildFailure> {
    let key = shared
        .site
        .inputs_digest()
        .unwrap_or_else(|| format!("build {}", shared.lock().generation));
    let give_up = Instant::now() + shared.build_deadline + Duration::from_secs(5);
    let mut cache = relock(&shared.pdf);
    loop {
        if cache.key.as_ref() == Some(&key)
            && let Some(result) = &cache.result
        {
            return result.clone();
        }
        if !cache.building {
            break;
        }
        let left = give_up.saturating_duration_since(Instant::now());
        if left.is_zero() || shared.stop.load(Ordering::SeqCst) {
            return Err(busy());
        }
        cache = shared
            .pdf_done
            .wait_timeout(cache, left)
            .map(|(guard, _)| guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner().0);
    }
    cache.building = true;
    cache.key = Some(key);
    cache.result = None;
    drop(cache);
    let result = shared.bounded(|site| site.build_pdf());
    let mut cache = relock(&shared.pdf);
    cache.building = false;
    let result = match result {
        Some(r) => {
            let r = r.map(Arc::new);
            cache.result = Some(r.clone());
            r
        }
        // Not built at all: nothing to remember for this digest.
        None => {
            cache.key = None;
            Err(busy())
        }
    };
    shared.pdf_done.notify_all();
    result
}

const KEEPALIVE: Duration = Duration::from_secs(15);
/// How often open event streams are checked for closed clients.
const SWEEP: Duration = Duration::from_millis(250);

/// Starts an event stream: the current build number at once; then the
/// broadcaster owns the connection (it no longer holds a connection slot).
fn open_events(mut stream: TcpStream, shared: &Shared, head_only: bool) {
    let generation = shared.lock().generation;
    let start = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\nevent: build\ndata: {generation}\n\n"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    if http::write_within(&mut stream, start.as_bytes(), deadline).is_err() {
        return;
    }
    if head_only || stream.set_nonblocking(true).is_err() {
        return http::close_gently(&mut stream);
    }
    let mut streams = relock(&shared.streams);
    while streams.len() >= MAX_STREAMS {
        // The newest stream is the page just opened: the oldest gives way
        // (its page, if still open, reconnects by itself).
        streams.pop_front();
    }
    streams.push_back(EventStream {
        stream,
        sent: generation,
        last_write: Instant::now(),
        received: 0,
    });
}

impl EventStream {
    /// Sends what is due; `false` when the client is gone (closed, reset,
    /// not reading, or talking when it should listen).
    fn tend(&mut self, generation: u64, now: Instant) -> bool {
        let mut probe = [0u8; 512];
        match self.stream.read(&mut probe) {
            Ok(0) => return false,
            Ok(n) => {
                self.received += n;
                if self.received > 4096 {
                    return false;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return false,
        }
        let message = if generation != self.sent {
            format!("event: build\ndata: {generation}\n\n")
        } else if now.duration_since(self.last_write) >= KEEPALIVE {
            ": keep-alive\n\n".to_string()
        } else {
            return true;
        };
        match self.stream.write(message.as_bytes()) {
            Ok(n) if n == message.len() => {
                self.sent = generation;
                self.last_write = now;
                true
            }
            _ => false,
        }
    }
}

/// Tells every open stream about new builds, and drops closed ones within
/// [`SWEEP`].
fn broadcast_loop(shared: &Arc<Shared>) {
    loop {
        let generation = {
            let state = shared.lock();
            let (state, _) = shared
                .changed
                .wait_timeout(state, SWEEP)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.generation
        };
        let mut streams = relock(&shared.streams);
        if shared.stop.load(Ordering::SeqCst) {
            streams.clear();
            return;
        }
        let now = Instant::now();
        streams.retain_mut(|s| s.tend(generation, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(target: &str, host: &str) -> Head {
        Head {
            method: "GET".into(),
            target: target.into(),
            host: Some(host.into()),
            ..Head::default()
        }
    }

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn access(port: u16) -> Access {
        Access {
            port,
            allow_hosts: Vec::new(),
        }
    }

    #[test]
    fn routes_only_three_paths() {
        let r = |url| route(&get(url, "127.0.0.1:8000"), LOOPBACK, &access(8000));
        assert_eq!(r("/"), Route::Page);
        assert_eq!(r("/?x=1"), Route::Page);
        assert_eq!(r("/report.pdf"), Route::Pdf);
        assert_eq!(r("/report.docx"), Route::Docx);
        assert_eq!(r("/__events"), Route::Events);
        for bad in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fetc%2fpasswd",
            "/report.pdf/../../etc/passwd",
            "//etc/passwd",
            "/templates/page.html.tera",
            "/report.yaml",
            "",
            "*",
        ] {
            assert_eq!(r(bad), Route::NotFound, "{bad}");
        }
        let post = Head {
            method: "POST".into(),
            ..get("/", "localhost:8000")
        };
        assert_eq!(
            route(&post, LOOPBACK, &access(8000)),
            Route::MethodNotAllowed
        );
    }

    #[test]
    fn host_must_name_this_server() {
        let ok = |host: &str, local: &str| {
            let local: IpAddr = local.parse().unwrap_or(LOOPBACK);
            host_allowed(host, local, &access(8000))
        };
        assert!(ok("127.0.0.1:8000", "127.0.0.1"));
        assert!(ok("localhost:8000", "127.0.0.1"));
        assert!(ok("LOCALHOST.:8000", "127.0.0.1"));
        assert!(!ok("evil.example:8000", "127.0.0.1"));
        assert!(!ok("localhost:9", "127.0.0.1"));
        assert!(!ok("localhost", "127.0.0.1"), "no port means 80");
        assert!(!ok("", "127.0.0.1"));
        assert!(!ok("[::1:8000", "::1"));
        // --host 127.0.0.2: its own address is accepted, not another one.
        assert!(ok("127.0.0.2:8000", "127.0.0.2"));
        assert!(!ok("127.0.0.1:8000", "127.0.0.2"));
        // IPv6 and v4-mapped (a `::` bind reached over IPv4).
        assert!(ok("[::1]:8000", "::1"));
        assert!(ok("127.0.0.1:8000", "::ffff:127.0.0.1"));
        // A wildcard bind reached on a LAN address: that address, not a
        // name resolving to it (DNS rebinding).
        assert!(ok("192.0.2.7:8000", "192.0.2.7"));
        assert!(!ok("rebind.attacker.example:8000", "192.0.2.7"));
        assert!(!ok("192.0.2.8:8000", "192.0.2.7"));
        let named = Access {
            port: 8000,
            allow_hosts: vec!["mybox.lan".into()],
        };
        assert!(host_allowed(
            "MyBox.lan:8000",
            "192.0.2.7".parse().unwrap_or(LOOPBACK),
            &named
        ));
        assert_eq!(
            route(&get("/", "evil.example:8000"), LOOPBACK, &access(8000)),
            Route::ForbiddenHost
        );
        let no_host = Head {
            host: None,
            ..get("/", "")
        };
        assert_eq!(
            route(&no_host, LOOPBACK, &access(8000)),
            Route::ForbiddenHost
        );
    }

    #[test]
    fn foreign_origins_are_refused_on_every_path() {
        for target in ["/", "/report.pdf", "/__events", "/nothing"] {
            for (origin, site) in [
                (Some("http://evil.example"), None),
                (Some("null"), None),
                (Some("http://127.0.0.1:9999"), None),
                (None, Some("cross-site")),
                (None, Some("same-site")),
            ] {
                let head = Head {
                    origin: origin.map(String::from),
                    fetch_site: site.map(String::from),
                    ..get(target, "127.0.0.1:8000")
                };
                assert_eq!(
                    route(&head, LOOPBACK, &access(8000)),
                    Route::ForbiddenOrigin,
                    "{target} {origin:?} {site:?}"
                );
            }
        }
        let own = Head {
            origin: Some("http://127.0.0.1:8000".into()),
            fetch_site: Some("same-origin".into()),
            ..get("/__events", "127.0.0.1:8000")
        };
        assert_eq!(route(&own, LOOPBACK, &access(8000)), Route::Events);
        let typed = Head {
            fetch_site: Some("none".into()),
            ..get("/", "localhost:8000")
        };
        assert_eq!(route(&typed, LOOPBACK, &access(8000)), Route::Page);
    }

    #[test]
    fn a_host_name_given_to_bind_is_answered() {
        let config = |host: &str, allow: &[&str]| PreviewConfig {
            host: host.into(),
            allow_hosts: allow.iter().map(|s| s.to_string()).collect(),
            ..PreviewConfig::default()
        };
        assert_eq!(
            allowed_names(&config("127.0.0.1", &[])),
            Vec::<String>::new()
        );
        assert_eq!(allowed_names(&config("::", &[])), Vec::<String>::new());
        assert_eq!(allowed_names(&config("[::1]", &[])), Vec::<String>::new());
        assert_eq!(
            allowed_names(&config("MyBox.LAN.", &["preview.test", " ", "mybox.lan"])),
            vec!["mybox.lan".to_string(), "preview.test".to_string()]
        );
    }

    #[test]
    fn non_loopback_binds_are_warned_about() {
        let addr = |s: &str| {
            s.parse::<SocketAddr>()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 1)))
        };
        assert_eq!(exposure_warning(addr("127.0.0.1:8023")), None);
        assert_eq!(exposure_warning(addr("127.0.0.2:8023")), None);
        assert_eq!(exposure_warning(addr("[::1]:8023")), None);
        assert_eq!(exposure_warning(addr("[::ffff:127.0.0.1]:8023")), None);
        for a in ["0.0.0.0:8023", "[::]:8023", "192.0.2.7:8023"] {
            let w = exposure_warning(addr(a)).unwrap_or_default();
            assert!(w.starts_with("WARNING") && w.contains("8023"), "{a}: {w}");
        }
    }

    /// A site whose inputs change once, right after the first build
    /// (before the preview could watch them).
    struct SavedDuringStart {
        digests: Mutex<u32>,
    }
    impl Site for SavedDuringStart {
        fn watched_paths(&self) -> Vec<PathBuf> {
            Vec::new()
        }
        fn build_html(&self) -> Result<String, BuildFailure> {
            Ok(String::new())
        }
        fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure> {
            Ok(Vec::new())
        }
        fn inputs_digest(&self) -> Option<String> {
            let mut n = relock(&self.digests);
            *n += 1;
            // The first call is before the first build; later ones see the save.
            Some(if *n == 1 { "before" } else { "after" }.into())
        }
    }

    #[test]
    fn a_save_before_the_watches_are_set_is_built() {
        let site = Arc::new(SavedDuringStart {
            digests: Mutex::new(0),
        });
        let preview = start(site.clone(), &PreviewConfig::default()).expect("starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while preview.generation() < 2 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            preview.generation(),
            2,
            "the changed inputs were built once more"
        );
        thread::sleep(Duration::from_millis(100));
        assert_eq!(preview.generation(), 2, "and only once");
        preview.stop();
    }

    struct Stuck;
    impl Site for Stuck {
        fn watched_paths(&self) -> Vec<PathBuf> {
            Vec::new()
        }
        fn build_html(&self) -> Result<String, BuildFailure> {
            thread::sleep(Duration::from_secs(3));
            Ok(String::new())
        }
        fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure> {
            panic!("deliberate test panic");
        }
    }

    #[test]
    fn stuck_builds_are_abandoned_and_panics_caught() {
        let site: Arc<dyn Site> = Arc::new(Stuck);
        let running = Arc::new(AtomicUsize::new(0));
        let deadline = Duration::from_millis(100);
        let started = Instant::now();
        let r = run_bounded(&site, &running, deadline, |s| s.build_html());
        assert!(started.elapsed() < Duration::from_secs(2));
        let f = r.and_then(Result::err).unwrap_or_default();
        assert!(f.message.contains("did not finish within 0.1 s"), "{f}");
        // Abandoned builds count until they end; past the cap none starts.
        for _ in 1..MAX_RUNNING_BUILDS {
            assert!(run_bounded(&site, &running, deadline, |s| s.build_html()).is_some());
        }
        assert!(run_bounded(&site, &running, deadline, |s| s.build_html()).is_none());
        let fresh = Arc::new(AtomicUsize::new(0));
        let f = run_bounded(&site, &fresh, Duration::from_secs(10), |s| s.build_pdf())
            .and_then(Result::err)
            .unwrap_or_default();
        assert!(
            f.message.contains("internal error") && f.message.contains("deliberate test panic"),
            "{f}"
        );
        assert_eq!(
            fresh.load(Ordering::SeqCst),
            0,
            "a panicked build frees its slot"
        );
    }

    #[test]
    fn temp_files_and_output_are_ignored() {
        for name in [
            "a.yaml.swp",
            "a.yaml~",
            ".#a.yaml",
            "4913",
            "#a.yaml#",
            ".a.yaml.swx",
        ] {
            assert!(is_editor_temp(Path::new(name)), "{name}");
        }
        assert!(!is_editor_temp(Path::new("report.yaml")));
        let files: BTreeSet<PathBuf> = [PathBuf::from("/d/report.yaml")].into();
        let dirs: BTreeSet<PathBuf> = [PathBuf::from("/d/templates")].into();
        assert!(is_relevant(Path::new("/d/report.yaml"), &files, &dirs));
        assert!(!is_relevant(Path::new("/d/other.yaml"), &files, &dirs));
        assert!(!is_relevant(Path::new("/d/report.yaml.swp"), &files, &dirs));
        assert!(is_relevant(
            Path::new("/d/templates/body.md.tera"),
            &files,
            &dirs
        ));
        assert!(!is_relevant(
            Path::new("/d/templates/.body.md.tera.swp"),
            &files,
            &dirs
        ));
        assert!(!is_relevant(
            Path::new("/d/templates/output/x.html"),
            &files,
            &dirs
        ));
        assert!(!is_relevant(Path::new("/d/templates/4913"), &files, &dirs));
    }

    #[test]
    fn injection_goes_before_body_end() {
        let page = inject("<html><body><p>x</p></body></html>", 7);
        let script = page
            .find("new EventSource(\"/__events\")")
            .unwrap_or(usize::MAX);
        assert!(script < page.find("</body>").unwrap_or(0));
        assert!(page.contains("var built = \"7\""));
        assert!(page.contains("href=\"/report.pdf\""));
        assert!(page.contains("href=\"/report.docx\""));
        assert!(inject("no body", 1).starts_with("no body<div"));
    }

    #[test]
    fn the_panel_carries_a_font_for_its_chinese() {
        let f = BuildFailure {
            message: "单位不一致：91.59个% 的单位是“个%”".into(),
            location: Some("r.yaml:115:41".into()),
            snippet: Some("县域就诊率: {value: 91.59个%}".into()),
            hint: Some("两个数量的单位要相同".into()),
            fault: Some((10, 3)),
        };
        for page in [
            error_page(&f),
            error_over_draft("<body><p>稿</p></body>", &f),
        ] {
            let fonts = crate::webfonts::embedded_fonts(&page);
            let (_, sfnt) = fonts
                .iter()
                .find(|(family, _)| family == "zongjie-panel")
                .expect("the panel's font is embedded");
            let face = ttf_parser::Face::parse(sfnt, 0).expect("a font");
            for c in "单位不一致个两数量相同提示“”：".chars() {
                assert!(
                    face.glyph_index(c).is_some(),
                    "{c} missing from the panel's font"
                );
            }
            assert!(
                page.contains("font: 15px/1.6 zongjie-panel, system-ui"),
                "the panel's CSS names its font first"
            );
        }
    }

    #[test]
    fn error_page_escapes_everything() {
        let f = BuildFailure {
            message: "bad <script>alert(1)</script>".into(),
            location: Some("data/<x>.yaml:3:5".into()),
            snippet: Some("3 | title: <img src=x onerror=alert(1)>\n  |        ^".into()),
            hint: Some("use \"quotes\" & <b>".into()),
            fault: None,
        };
        let page = error_page(&f);
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>"));
        assert!(page.contains("bad &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("data/&lt;x&gt;.yaml:3:5"));
        assert!(page.contains("id=\"zongjie-error\""));
    }

    /// A save is built within the quiet period after its last event (5 ms
    /// after a watched file is closed or renamed into place, 100 ms after a
    /// folder appears, 20 ms after any other event), every event restarting
    /// it, never later than 250 ms into a burst.
    #[test]
    fn the_debounce_waits_briefly_restarts_and_is_capped() {
        let ms = Duration::from_millis;
        assert_eq!(quiet_wait(ms(0), QUIET), Some(ms(20)));
        assert_eq!(quiet_wait(ms(0), SETTLE), Some(ms(5)));
        assert_eq!(quiet_wait(ms(100), QUIET), Some(ms(20)));
        assert_eq!(quiet_wait(ms(240), QUIET), Some(ms(10)));
        assert_eq!(quiet_wait(ms(200), FOLDER_QUIET), Some(ms(50)));
        assert_eq!(quiet_wait(ms(250), QUIET), None);
        assert_eq!(quiet_wait(ms(10_000), SETTLE), None);
        // A write-rename save: temp file written and closed, then renamed
        // over the data file; only the rename (or a close of the data file
        // itself) counts as complete.
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RenameMode,
        };
        let ev = |kind| Ok(notify::Event::new(kind));
        assert!(completes_a_file(&ev(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        )))));
        assert!(completes_a_file(&ev(EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        )))));
        assert!(completes_a_file(&ev(EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        )))));
        assert!(!completes_a_file(&ev(EventKind::Modify(ModifyKind::Name(
            RenameMode::From
        )))));
        assert!(!completes_a_file(&ev(EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        )))));
        assert!(!completes_a_file(&ev(EventKind::Create(CreateKind::File))));
        assert!(!completes_a_file(&Err(notify::Error::generic("lost"))));
        let data = ev(EventKind::Modify(ModifyKind::Data(DataChange::Any)));
        assert_eq!(quiet_after(&data, false), ms(20));
        assert_eq!(quiet_after(&data, true), ms(5));
        let folder = ev(EventKind::Create(CreateKind::Folder));
        assert_eq!(quiet_after(&folder, false), ms(100));
    }

    #[test]
    fn watch_set_watches_folders_of_files() {
        let dir = std::env::temp_dir().join(format!("zongjie-watchset-{}", std::process::id()));
        let templates = dir.join("templates");
        let _ = std::fs::create_dir_all(&templates);
        let _ = std::fs::write(dir.join("r.yaml"), "x");
        let set = watch_set(&[
            dir.join("r.yaml"),
            templates.clone(),
            dir.join("missing.yaml"),
        ]);
        let canon = dir.canonicalize().unwrap_or(dir.clone());
        assert!(set.files.contains(&canon.join("r.yaml")));
        assert!(set.files.contains(&canon.join("missing.yaml")));
        assert!(set.dirs.contains(&canon.join("templates")));
        assert!(set.roots.contains(&(canon.clone(), false)));
        assert!(set.roots.contains(&(canon.join("templates"), true)));
        // An import in a folder that does not exist yet: its creation counts.
        let set = watch_set(&[dir.join("later/sub/x.yaml")]);
        assert!(set.roots.contains(&(canon.clone(), false)));
        assert!(set.files.contains(&canon.join("later")));
        assert!(set.files.contains(&canon.join("later/sub/x.yaml")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_panel_marks_the_fault_with_a_caret() {
        let f = BuildFailure {
            message: "unknown field".into(),
            location: Some("r.yaml:2:3".into()),
            snippet: Some("  yaer: <2022>".into()),
            fault: Some((3, 4)),
            ..BuildFailure::default()
        };
        let page = error_page(&f);
        assert!(
            page.contains("  <span class=\"fault\">yaer<span class=\"caret\" aria-hidden=\"true\">^</span></span>: &lt;2022&gt;"),
            "{page}"
        );
        // Past the end of the line: a caret after it.
        let end = snippet_html("ab", Some((9, 1)));
        assert!(end.starts_with("ab<span class=\"fault\"> <span"), "{end}");
        assert_eq!(snippet_html("a<b", None), "a&lt;b");
    }

    #[test]
    fn the_last_good_draft_stays_under_the_panel() {
        let f = BuildFailure {
            message: "bad <x>".into(),
            ..BuildFailure::default()
        };
        let page = error_over_draft(
            "<html><head></head><BODY class=\"a\"><p>稿子</p></BODY></html>",
            &f,
        );
        let panel = page.find("id=\"zongjie-error\"").unwrap();
        assert!(panel > page.find("<BODY class=\"a\">").unwrap());
        assert!(panel < page.find("<p>稿子</p>").unwrap());
        assert!(page.contains("bad &lt;x&gt;") && page.contains("last good draft"));
        assert!(page.contains("opacity: .35"));
        // No body tag: the overlay goes first.
        assert!(error_over_draft("<p>x</p>", &f).ends_with("<p>x</p>"));
    }
}
