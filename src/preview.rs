//! The live preview server: serves the page a [`Site`] builds, watches the
//! site's inputs, rebuilds in memory on save and tells open pages to reload
//! (server-sent events on `/__events`). A failed build is shown in the page
//! as an error panel; the next good build replaces it.
//!
//! Only three paths exist: `/` (the page), `/report.pdf` (built on demand)
//! and `/__events`; everything else is 404. The server binds 127.0.0.1
//! unless a host is given explicitly, and then also refuses requests whose
//! `Host` header is not a loopback name (DNS rebinding).

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::html::escape;

/// How to serve the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewConfig {
    /// Interface to bind; `127.0.0.1` unless the user asks for another.
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Open the page in the default browser once listening.
    pub open_browser: bool,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        PreviewConfig {
            host: "127.0.0.1".into(),
            port: 0,
            open_browser: false,
        }
    }
}

/// What the preview serves: the real pipeline implements this.
pub trait Site: Send + Sync + 'static {
    /// Files and folders whose change triggers a rebuild (data file, its
    /// imports, templates folder, profile). Asked again after every build.
    fn watched_paths(&self) -> Vec<PathBuf>;
    /// The full HTML page, built in memory.
    fn build_html(&self) -> Result<String, BuildFailure>;
    /// The PDF, built when `/report.pdf` is requested.
    fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure>;
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
}

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
            write!(f, "\nhint: {h}")?;
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

/// The script and toolbar the server adds to every page it serves: a "PDF"
/// link and an `EventSource` that reloads when the build number changes
/// (keeping the scroll position).
pub fn reload_snippet(generation: u64) -> String {
    format!(
        r#"<div id="zongjie-preview" style="position:fixed;top:8px;right:8px;z-index:100;font:13px/1 system-ui,sans-serif"><a href="/report.pdf" target="_blank" style="display:inline-block;padding:6px 10px;background:#b3261e;color:#fff;text-decoration:none;border-radius:4px">PDF</a></div>
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
            escape(snippet)
        ));
    }
    if let Some(hint) = &failure.hint {
        body.push_str(&format!(
            "<p class=\"hint\">提示 hint: {}</p>\n",
            escape(hint)
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>构建失败 · build failed</title>
<style>
body {{ margin: 0; background: #8a8d91; font: 15px/1.6 system-ui, "Noto Sans CJK SC", sans-serif; }}
.error-panel {{ max-width: 860px; margin: 48px auto; background: #fff; border-top: 6px solid #b3261e; padding: 24px 32px; box-shadow: 0 1px 6px rgba(0,0,0,.35); }}
h1 {{ margin: 0 0 12px; font-size: 20px; color: #b3261e; }}
.message {{ font-size: 17px; white-space: pre-wrap; }}
pre {{ background: #f6f6f6; padding: 12px; overflow-x: auto; font: 14px/1.5 ui-monospace, "Noto Sans Mono CJK SC", monospace; }}
.hint {{ color: #0b57d0; }}
.note {{ color: #666; font-size: 13px; }}
</style>
</head>
<body>
<div class="error-panel" id="zongjie-error">
<h1>构建失败 · Build failed</h1>
{body}<p class="note">保存修改后页面会自动刷新。The page reloads by itself on the next save.</p>
</div>
</body>
</html>
"#
    )
}

struct State {
    generation: u64,
    page: Result<String, BuildFailure>,
}

struct Shared {
    site: Arc<dyn Site>,
    state: Mutex<State>,
    changed: Condvar,
    stop: AtomicBool,
    streams: AtomicUsize,
    /// Loopback binding: refuse non-loopback Host headers.
    check_host: bool,
    port: u16,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn rebuild(&self) {
        let page = self.site.build_html();
        let mut state = self.lock();
        state.generation += 1;
        state.page = page;
        self.changed.notify_all();
    }
}

/// A running preview server; dropping it does not stop it, [`Preview::stop`] does.
pub struct Preview {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Arc<tiny_http::Server>,
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
        self.server.unblock();
        self.wait();
    }
}

/// Builds the page once, binds, and starts the server and watcher threads.
pub fn start(site: Arc<dyn Site>, config: &PreviewConfig) -> io::Result<Preview> {
    let host = if config.host.trim().is_empty() {
        "127.0.0.1"
    } else {
        config.host.trim()
    };
    let addrs: Vec<SocketAddr> = (host, config.port).to_socket_addrs()?.collect();
    let listener = TcpListener::bind(&addrs[..])?;
    let addr = listener.local_addr()?;
    let server = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
    let server = Arc::new(server);
    let page = site.build_html();
    let shared = Arc::new(Shared {
        site,
        state: Mutex::new(State {
            generation: 1,
            page,
        }),
        changed: Condvar::new(),
        stop: AtomicBool::new(false),
        streams: AtomicUsize::new(0),
        check_host: addr.ip().is_loopback(),
        port: addr.port(),
    });
    let watcher = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("zongjie-watch".into())
            .spawn(move || watch_loop(&shared))?
    };
    let acceptor = {
        let shared = Arc::clone(&shared);
        let server = Arc::clone(&server);
        thread::Builder::new()
            .name("zongjie-http".into())
            .spawn(move || accept_loop(&server, &shared))?
    };
    Ok(Preview {
        addr,
        shared,
        server,
        threads: vec![watcher, acceptor],
    })
}

/// `zongjie preview`: starts, calls `ready` with the bound address, opens
/// the browser if asked, then serves until the process ends.
pub fn serve(
    site: Arc<dyn Site>,
    config: PreviewConfig,
    ready: impl FnOnce(SocketAddr),
) -> io::Result<()> {
    let preview = start(site, &config)?;
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

fn absolute(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    // A file that does not exist right now (mid-save): resolve its folder.
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

fn watch_set(paths: &[PathBuf]) -> WatchSet {
    let mut set = WatchSet::default();
    for path in paths {
        let Some(abs) = absolute(path) else { continue };
        if abs.is_dir() {
            set.roots.insert((abs.clone(), true));
            set.dirs.insert(abs);
        } else if let Some(parent) = abs.parent() {
            set.roots.insert((parent.to_path_buf(), false));
            set.files.insert(abs);
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

const DEBOUNCE: Duration = Duration::from_millis(100);
const DEBOUNCE_MAX: Duration = Duration::from_millis(1000);
const POLL: Duration = Duration::from_millis(200);

fn watch_loop(shared: &Shared) {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = match notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    }) {
        Ok(w) => w,
        Err(e) => {
            let mut state = shared.lock();
            state.page = Err(BuildFailure {
                message: format!("cannot watch files for changes: {e}"),
                hint: Some("the preview will not update; restart it".into()),
                ..BuildFailure::default()
            });
            state.generation += 1;
            shared.changed.notify_all();
            return;
        }
    };
    let mut current = WatchSet::default();
    let update = |watcher: &mut notify::RecommendedWatcher, current: &mut WatchSet| {
        let next = watch_set(&shared.site.watched_paths());
        for (root, _) in current.roots.difference(&next.roots) {
            let _ = watcher.unwatch(root);
        }
        for (root, recursive) in next.roots.difference(&current.roots) {
            let mode = if *recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            let _ = watcher.watch(root, mode);
        }
        *current = next;
    };
    update(&mut watcher, &mut current);
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
    while !shared.stop.load(Ordering::SeqCst) {
        let first = match rx.recv_timeout(POLL) {
            Ok(ev) => ev,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if !relevant(&first, &current) {
            continue;
        }
        // Debounce: wait until the burst of a save is over.
        let started = Instant::now();
        while started.elapsed() < DEBOUNCE_MAX {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(_) => continue,
                Err(_) => break,
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        shared.rebuild();
        update(&mut watcher, &mut current);
    }
}

// ---------------------------------------------------------------- serving

fn accept_loop(server: &tiny_http::Server, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        let request = match server.recv_timeout(POLL) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(_) => break,
        };
        let shared = Arc::clone(shared);
        let _ = thread::Builder::new()
            .name("zongjie-request".into())
            .spawn(move || handle(request, &shared));
    }
}

/// What a request asks for, decided from its method, path and Host alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Page,
    Pdf,
    Events,
    NotFound,
    MethodNotAllowed,
    ForbiddenHost,
}

/// Routes a request. `url` is the raw request target; only the exact paths
/// `/`, `/index.html`, `/report.pdf` and `/__events` exist (a query string
/// is ignored), so no path can reach the file system.
pub fn route(method: &str, url: &str, host: Option<&str>, loopback_port: Option<u16>) -> Route {
    if let Some(port) = loopback_port {
        let ok = host.is_some_and(|h| {
            let h = h.trim().to_ascii_lowercase();
            ["127.0.0.1", "localhost", "[::1]"]
                .iter()
                .any(|name| h == *name || h == format!("{name}:{port}"))
        });
        if !ok {
            return Route::ForbiddenHost;
        }
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let route = match path {
        "/" | "/index.html" => Route::Page,
        "/report.pdf" => Route::Pdf,
        "/__events" => Route::Events,
        _ => return Route::NotFound,
    };
    if method == "GET" || method == "HEAD" {
        route
    } else {
        Route::MethodNotAllowed
    }
}

fn respond(request: tiny_http::Request, status: u16, content_type: &str, body: Vec<u8>) {
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    for (name, value) in [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ] {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

const HTML: &str = "text/html; charset=utf-8";

fn handle(request: tiny_http::Request, shared: &Shared) {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    let loopback_port = shared.check_host.then_some(shared.port);
    match route(
        request.method().as_str(),
        request.url(),
        host.as_deref(),
        loopback_port,
    ) {
        Route::Page => {
            let (status, html) = {
                let state = shared.lock();
                match &state.page {
                    Ok(page) => (200, inject(page, state.generation)),
                    Err(f) => (500, inject(&error_page(f), state.generation)),
                }
            };
            respond(request, status, HTML, html.into_bytes());
        }
        Route::Pdf => match shared.site.build_pdf() {
            Ok(pdf) => respond(request, 200, "application/pdf", pdf),
            Err(f) => {
                let generation = shared.lock().generation;
                respond(
                    request,
                    500,
                    HTML,
                    inject(&error_page(&f), generation).into_bytes(),
                );
            }
        },
        Route::Events => events(request, shared),
        Route::NotFound => respond(
            request,
            404,
            "text/plain; charset=utf-8",
            b"404 not found\n".to_vec(),
        ),
        Route::MethodNotAllowed => respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n".to_vec(),
        ),
        Route::ForbiddenHost => respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"403 unexpected Host header\n".to_vec(),
        ),
    }
}

const MAX_STREAMS: usize = 64;
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Server-sent events: the current build number at once, then every new one.
fn events(request: tiny_http::Request, shared: &Shared) {
    if shared.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        shared.streams.fetch_sub(1, Ordering::SeqCst);
        respond(
            request,
            503,
            "text/plain; charset=utf-8",
            b"too many event streams\n".to_vec(),
        );
        return;
    }
    let mut out = request.into_writer();
    let _ = stream_events(&mut out, shared);
    shared.streams.fetch_sub(1, Ordering::SeqCst);
}

fn stream_events(out: &mut dyn Write, shared: &Shared) -> io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n",
    )?;
    let mut sent = 0;
    loop {
        let generation = {
            let mut state = shared.lock();
            while state.generation == sent && !shared.stop.load(Ordering::SeqCst) {
                let (next, timeout) = shared
                    .changed
                    .wait_timeout(state, KEEPALIVE)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                state = next;
                if timeout.timed_out() {
                    break;
                }
            }
            state.generation
        };
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        if generation == sent {
            out.write_all(b": keep-alive\n\n")?;
        } else {
            write!(out, "event: build\ndata: {generation}\n\n")?;
            sent = generation;
        }
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_only_three_paths() {
        let r = |url| route("GET", url, Some("127.0.0.1:8000"), Some(8000));
        assert_eq!(r("/"), Route::Page);
        assert_eq!(r("/?x=1"), Route::Page);
        assert_eq!(r("/report.pdf"), Route::Pdf);
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
        assert_eq!(
            route("POST", "/", Some("localhost:8000"), Some(8000)),
            Route::MethodNotAllowed
        );
    }

    #[test]
    fn loopback_server_refuses_foreign_host() {
        assert_eq!(
            route("GET", "/", Some("evil.example:8000"), Some(8000)),
            Route::ForbiddenHost
        );
        assert_eq!(route("GET", "/", None, Some(8000)), Route::ForbiddenHost);
        assert_eq!(
            route("GET", "/", Some("localhost:8000"), Some(8000)),
            Route::Page
        );
        assert_eq!(
            route("GET", "/", Some("[::1]:8000"), Some(8000)),
            Route::Page
        );
        assert_eq!(
            route("GET", "/", Some("localhost:9"), Some(8000)),
            Route::ForbiddenHost
        );
        // an explicit non-loopback host: no check
        assert_eq!(route("GET", "/", Some("192.0.2.1:8000"), None), Route::Page);
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
        assert!(inject("no body", 1).starts_with("no body<div"));
    }

    #[test]
    fn error_page_escapes_everything() {
        let f = BuildFailure {
            message: "bad <script>alert(1)</script>".into(),
            location: Some("data/<x>.yaml:3:5".into()),
            snippet: Some("3 | title: <img src=x onerror=alert(1)>\n  |        ^".into()),
            hint: Some("use \"quotes\" & <b>".into()),
        };
        let page = error_page(&f);
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>"));
        assert!(page.contains("bad &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("data/&lt;x&gt;.yaml:3:5"));
        assert!(page.contains("id=\"zongjie-error\""));
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
        let _ = std::fs::remove_dir_all(&dir);
    }
}
